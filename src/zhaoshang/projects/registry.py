"""Projects declared for the generic pages, API, import/export and CLI."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.declarations import ModelConfig, register, register_nav_group
from zhaoshang.projects import api, filters, forms, resources
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput
from zhaoshang.projects.selectors import project_detail_context

register_nav_group("projects", _("项目建设"), 30)

register(
    ModelConfig(
        key="project",
        model=Project,
        columns=[
            "name",
            "stage",
            "status",
            "tier",
            "total_investment",
            "investor_origin",
            "chain",
            "district",
        ],
        filterset=filters.ProjectFilterSet,
        form=forms.ProjectForm,
        serializer=api.ProjectSerializer,
        resource=resources.ProjectResource,
        nav_group="projects",
        select_related=["district", "chain"],
        detail_context=project_detail_context,
    )
)
register(
    ModelConfig(
        key="funds",
        model=FundsEntry,
        columns=["date", "project", "amount", "origin", "kind", "evidence_note"],
        filterset=filters.FundsEntryFilterSet,
        form=forms.FundsEntryForm,
        serializer=api.FundsEntrySerializer,
        resource=resources.FundsEntryResource,
        nav_group="projects",
        select_related=["project__district"],
    )
)
register(
    ModelConfig(
        key="output",
        model=ProjectOutput,
        columns=["project", "year", "output", "tax"],
        filterset=filters.ProjectOutputFilterSet,
        form=forms.ProjectOutputForm,
        serializer=api.ProjectOutputSerializer,
        resource=resources.ProjectOutputResource,
        nav_group="projects",
        select_related=["project__district"],
    )
)

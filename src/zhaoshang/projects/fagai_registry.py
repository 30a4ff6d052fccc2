"""The 发改 records declared for the generic pages, API, import/export and CLI, and the project page's 发改 panel.

Imported by `projects/registry.py`."""

from __future__ import annotations

from zhaoshang.core.declarations import ModelConfig, register, register_detail_panel
from zhaoshang.projects import fagai_api, fagai_filters, fagai_forms, fagai_resources
from zhaoshang.projects.fagai_selectors import project_fagai_context
from zhaoshang.projects.fagai_services import completion_save, completion_write
from zhaoshang.projects.models import InvestmentCompletion, ProjectListing

register(
    ModelConfig(
        key="listing",
        model=ProjectListing,
        columns=["project", "year", "level", "year_class", "planned_investment", "wording"],
        filterset=fagai_filters.ProjectListingFilterSet,
        form=fagai_forms.ProjectListingForm,
        serializer=fagai_api.ProjectListingSerializer,
        resource=fagai_resources.ProjectListingResource,
        nav_group="projects",
        select_related=["project__district"],
    )
)
register(
    ModelConfig(
        key="completion",
        model=InvestmentCompletion,
        columns=["project", "month", "amount", "reported_by", "verified_by", "verified_at"],
        filterset=fagai_filters.InvestmentCompletionFilterSet,
        form=fagai_forms.InvestmentCompletionForm,
        serializer=fagai_api.InvestmentCompletionSerializer,
        resource=fagai_resources.InvestmentCompletionResource,
        nav_group="projects",
        select_related=["project__district", "reported_by", "verified_by"],
        saver=completion_save,
        writer=completion_write,
    )
)
register_detail_panel("project", template="projects/fagai/_panel.html", context=project_fagai_context)

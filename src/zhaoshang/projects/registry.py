"""Projects declared for the generic pages, API, import/export and CLI."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.declarations import ModelConfig, register, register_nav_group
from zhaoshang.core.downloads import FILTER, Download, register_download
from zhaoshang.core.exporting import register_cli_export
from zhaoshang.core.uploads import PURPOSES
from zhaoshang.projects import api, filters, forms, resources
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput
from zhaoshang.projects.nodes import node_projects
from zhaoshang.projects.outputs.cli import progress_table_export
from zhaoshang.projects.selectors import project_detail_context, project_list_context
from zhaoshang.targeting.gaps import register_node_projects

register_nav_group("projects", _("项目建设"), 30)
register_node_projects(node_projects)  # producing projects count on the chain map's nodes

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
        list_context=project_list_context,
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

# A record's own attachments: what a reviewer looks at to verify the record, so seeing the record (`view`) is enough;
# the application did not make them. Judged in the project's district, through /files/.
ATTACHMENT = _("记录本身的附件(佐证、批复),核实记录时要看;不是系统生成的文件,能查看记录即可下载")
register_download(
    Download(
        key="stage_evidence",
        label=_("阶段变更佐证材料"),
        url_name="stored_file",
        right="view",
        formats=PURPOSES["evidence"],
        stored="projects.stagemove.evidence",
        note=ATTACHMENT,
    )
)
register_download(
    Download(
        key="approval_document",
        label=_("审批环节批复文件"),
        url_name="stored_file",
        right="view",
        formats=PURPOSES["evidence"],
        stored="projects.projectstep.document",
        note=ATTACHMENT,
    )
)

# The monthly 重大项目推进情况表: figures over the chosen district, city or every district the user views.
register_download(
    Download(
        key="progress_table_xlsx",
        label=_("重大项目推进情况表 Excel"),
        url_name="progress_table",
        scope=FILTER,
        trigger={"format": "xlsx"},
    )
)
register_cli_export("progress-table", progress_table_export)  # zhaoshang export progress-table --month …

# The 发改 side (yearly lists, monthly 完成投资, the project page's 发改 panel), after the project library.
from zhaoshang.projects import fagai_registry  # noqa: E402, F401

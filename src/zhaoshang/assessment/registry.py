"""Assessment tables declared for the generic pages, API, import/export and CLI."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.assessment import api, filters, forms, resources
from zhaoshang.assessment.models import IndustrialOutputTotal, RecordFinding, Target
from zhaoshang.core.declarations import ModelConfig, register, register_nav_group
from zhaoshang.core.downloads import FILTER, Download, register_download

register_nav_group("assessment", _("考核"), 40)

register(
    ModelConfig(
        key="goal",
        model=Target,
        columns=["year", "metric", "custom_name", "value", "team", "town", "park", "district"],
        filterset=filters.TargetFilterSet,
        form=forms.TargetForm,
        serializer=api.TargetSerializer,
        resource=resources.TargetResource,
        nav_group="assessment",
        select_related=["district", "team", "town", "park"],
    )
)

register(
    ModelConfig(
        key="finding",
        model=RecordFinding,
        columns=["found_on", "project", "kind", "found_by", "district"],
        filterset=filters.RecordFindingFilterSet,
        form=forms.RecordFindingForm,
        serializer=api.RecordFindingSerializer,
        resource=resources.RecordFindingResource,
        nav_group="assessment",
        select_related=["district", "project"],
    )
)

# 全区规上工业总产值: the whole whose growth 贡献率 shares out, entered by the district or the city (or imported
# from the statistics office's table).
register(
    ModelConfig(
        key="output_total",
        model=IndustrialOutputTotal,
        columns=["year", "output", "tax", "source", "district"],
        filterset=filters.IndustrialOutputTotalFilterSet,
        form=forms.IndustrialOutputTotalForm,
        serializer=api.IndustrialOutputTotalSerializer,
        resource=resources.IndustrialOutputTotalResource,
        nav_group="assessment",
        select_related=["district"],
    )
)

# The rates table and the monthly report show figures over the districts the user views (or the one chosen): the
# export right is needed in each of them.
register_download(
    Download(
        key="rates_xlsx",
        label=_("考核指标 Excel"),
        url_name="assessment_rates",
        scope=FILTER,
        trigger={"format": "xlsx"},
    )
)
register_download(
    Download(
        key="rankings_docx",
        label=_("考核月报 Word"),
        url_name="assessment_rankings",
        scope=FILTER,
        formats=("docx",),
        trigger={"format": "docx"},
    )
)

"""Import/export of chains as offices keep them: one sheet of nodes, one of supply links."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from import_export.fields import Field
from import_export.widgets import FloatWidget

from zhaoshang.chains.models import (
    CHAIN_FIELDS,
    CHAIN_GROUP_FIELDS,
    EDGE_FIELDS,
    NODE_FIELDS,
    Chain,
    ChainGroup,
    Edge,
    Node,
)
from zhaoshang.chains.services import (
    ChainDataError,
    format_industry_shares,
    node_industries_set,
    parse_industry_shares,
)
from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.resources import district_field, district_name_field, named_field, parent_district_field
from zhaoshang.core.widgets import ChoiceWidget, ListWidget, LookupWidget, YesNoWidget


class ChainLookupWidget(LookupWidget):
    """A chain by its code within the row's district; only current versions take imports."""

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get_queryset(value, row, *args, **kwargs).filter(is_current=True)


class NodeLookupWidget(LookupWidget):
    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        user = kwargs.get("user")
        queryset = Node.objects.restrict(user, "view") if user is not None else Node.objects.all()
        row = row or {}
        return queryset.filter(
            chain__district__adcode=str(row.get("区县代码") or "").strip(),
            chain__code=str(row.get("产业链代码") or "").strip(),
            chain__is_current=True,
        )


class ChainGroupResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    kind = Field(attribute="kind", column_name="类型", widget=ChoiceWidget(ChainGroup.Kind.choices))
    strategy = Field(attribute="strategy", column_name="发展思路")
    order = Field(attribute="order", column_name="排序")

    class Meta(ScopedResource.Meta):
        model = ChainGroup
        fields = file_fields(CHAIN_GROUP_FIELDS)
        import_id_fields = ("district", "name")


class ChainResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    group = named_field("group", "链群", ChainGroup, "链群")
    code = Field(attribute="code", column_name="产业链代码")
    name = Field(attribute="name", column_name="名称")
    is_lead_chain = Field(attribute="is_lead_chain", column_name="龙头链", widget=YesNoWidget())
    leading_cadre = Field(attribute="leading_cadre", column_name="牵头县级干部")
    research_institution = Field(attribute="research_institution", column_name="头部研究机构")
    description = Field(attribute="description", column_name="说明")

    class Meta(ScopedResource.Meta):
        model = Chain
        # Files carry the chain's own words; its team, chief, department, towns and parks are picked on its page.
        fields = file_fields(CHAIN_FIELDS, leave_out=["team", "chief", "lead_department", "towns", "parks"])
        import_id_fields = ("district", "code")

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(is_current=True)

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        # Files carry no version column: only current versions go out, so that a round trip is safe.
        return queryset.filter(is_current=True)


class NodeResource(ScopedResource):
    district = parent_district_field("chain")
    chain = Field(
        attribute="chain",
        column_name="产业链代码",
        widget=ChainLookupWidget(Chain, "code", label="产业链", district_column="区县代码"),
    )
    code = Field(attribute="code", column_name="环节代码")
    name = Field(attribute="name", column_name="名称")
    segment = Field(
        attribute="segment",
        column_name="链段",
        widget=ChoiceWidget(Node.Segment.choices, Node.Segment.MIDSTREAM),
    )
    weight = Field(attribute="weight", column_name="权重", widget=FloatWidget())
    industries = Field(column_name="行业代码及占比", dehydrate_method="dehydrate_industries")
    keywords = Field(attribute="keywords", column_name="关键词", widget=ListWidget())
    leader_firms = Field(attribute="leader_firms", column_name="链主企业", widget=ListWidget())
    order = Field(attribute="order", column_name="排序")

    class Meta(ScopedResource.Meta):
        model = Node
        # The district's code leads every row; the industry shares are one cell of text (3491:0.7; 3484:0.3).
        fields = ("district", *file_fields(NODE_FIELDS, after={"weight": ["industries"]}))
        import_id_fields = ("chain", "code")
        skip_unchanged = False

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.filter(chain__is_current=True)

    def dehydrate_industries(self, node: Node) -> str:
        return format_industry_shares(node)

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance._industry_pairs = parse_industry_shares(str(row.get("行业代码及占比") or ""))
        except ChainDataError as error:
            errors["industries"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        node_industries_set(node=instance, pairs=getattr(instance, "_industry_pairs", []))


class EdgeResource(ScopedResource):
    district = parent_district_field("chain")
    chain = Field(
        attribute="chain",
        column_name="产业链代码",
        widget=ChainLookupWidget(Chain, "code", label="产业链", district_column="区县代码"),
    )
    source = Field(
        attribute="source", column_name="供给环节代码", widget=NodeLookupWidget(Node, "code", label="环节")
    )
    target = Field(
        attribute="target", column_name="需求环节代码", widget=NodeLookupWidget(Node, "code", label="环节")
    )
    weight = Field(attribute="weight", column_name="成本占比", widget=FloatWidget())

    class Meta(ScopedResource.Meta):
        model = Edge
        fields = ("district", *file_fields(EDGE_FIELDS))
        import_id_fields = ("source", "target")

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.filter(chain__is_current=True)

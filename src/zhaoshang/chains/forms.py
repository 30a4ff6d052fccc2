from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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
from zhaoshang.core.forms import ListField, ScopedModelForm


class ChainGroupForm(ScopedModelForm):
    class Meta:
        model = ChainGroup
        fields = CHAIN_GROUP_FIELDS


class ChainForm(ScopedModelForm):
    class Meta:
        model = Chain
        fields = CHAIN_FIELDS


class NodeForm(ScopedModelForm):
    keywords = ListField(
        label=_("关键词/产品"), required=False, help_text=_("用 、 分隔,如:工业机器人、减速器")
    )
    leader_firms = ListField(label=_("链主企业"), required=False)
    industry_codes = forms.CharField(
        label=_("行业代码及占比"),
        required=False,
        help_text=_("GB/T 4754-2017 小类,如 3491:0.7; 3484:0.3;不写占比则平分"),
    )

    class Meta:
        model = Node
        fields = NODE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = self.fields["chain"].queryset.filter(is_current=True)
        if self.instance.pk:
            self.fields["industry_codes"].initial = format_industry_shares(self.instance)

    def clean_industry_codes(self) -> list[tuple[str, float]]:
        try:
            return parse_industry_shares(self.cleaned_data.get("industry_codes") or "")
        except ChainDataError as error:
            raise forms.ValidationError(str(error)) from error

    def _save_m2m(self) -> None:
        super()._save_m2m()
        node_industries_set(node=self.instance, pairs=self.cleaned_data["industry_codes"])


class EdgeForm(ScopedModelForm):
    class Meta:
        model = Edge
        fields = EDGE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chain_id = self.data.get("chain") or self.initial.get("chain") or self.instance.chain_id
        if chain_id:
            # Only the chosen chain's nodes make sense as ends of its edges.
            for name in ("source", "target"):
                self.fields[name].queryset = self.fields[name].queryset.filter(chain_id=chain_id)

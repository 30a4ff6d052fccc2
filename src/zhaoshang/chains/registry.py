"""Chains declared for the generic pages, API, import/export and CLI; the chain page adds the panorama."""

from django.utils.translation import gettext_lazy as _

from zhaoshang.chains import api, filters, forms, resources
from zhaoshang.chains.models import Chain, ChainGroup, Edge, Node
from zhaoshang.chains.selectors import chain_detail_context, node_detail_context
from zhaoshang.chains.transfer import bundle_export, bundle_import_report
from zhaoshang.core.declarations import ModelConfig, register, register_nav_group

register_nav_group("chains", _("产业链"), 10)


register(
    ModelConfig(
        key="chaingroup",
        model=ChainGroup,
        columns=["name", "kind", "strategy", "order", "district"],
        filterset=filters.ChainGroupFilterSet,
        form=forms.ChainGroupForm,
        serializer=api.ChainGroupSerializer,
        resource=resources.ChainGroupResource,
        nav_group="chains",
        select_related=["district"],
    )
)
register(
    ModelConfig(
        key="chain",
        model=Chain,
        columns=["name", "code", "group", "version", "is_current", "team", "district"],
        filterset=filters.ChainFilterSet,
        form=forms.ChainForm,
        serializer=api.ChainSerializer,
        resource=resources.ChainResource,
        nav_group="chains",
        select_related=["district", "group", "team"],
        detail_context=chain_detail_context,
        json_import=bundle_import_report,
        json_export=bundle_export,
    )
)
register(
    ModelConfig(
        key="node",
        model=Node,
        columns=["name", "code", "segment", "weight", "chain"],
        filterset=filters.NodeFilterSet,
        form=forms.NodeForm,
        serializer=api.NodeSerializer,
        resource=resources.NodeResource,
        nav_group="chains",
        select_related=["chain"],
        detail_context=node_detail_context,
    )
)
register(
    ModelConfig(
        key="edge",
        model=Edge,
        columns=["source", "target", "weight", "chain"],
        filterset=filters.EdgeFilterSet,
        form=forms.EdgeForm,
        serializer=api.EdgeSerializer,
        resource=resources.EdgeResource,
        nav_group="chains",
        select_related=["chain", "source", "target"],
    )
)

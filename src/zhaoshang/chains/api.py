from __future__ import annotations

from typing import Any

from rest_framework import serializers

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
from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields


class ChainGroupSerializer(ScopedModelSerializer):
    class Meta:
        model = ChainGroup
        fields = api_fields(CHAIN_GROUP_FIELDS)


class ChainSerializer(ScopedModelSerializer):
    class Meta:
        model = Chain
        # The API also says which version a row is: versions come from revising a chain, never from typing.
        fields = api_fields(CHAIN_FIELDS, after={"name": ["version", "is_current"]})
        read_only_fields = ["version", "is_current", "chief"]


class NodeSerializer(ScopedModelSerializer):
    industries = serializers.SerializerMethodField()

    class Meta:
        model = Node
        fields = api_fields(NODE_FIELDS, "industries")

    def get_industries(self, node: Node) -> list[dict[str, Any]]:
        return [{"code": i.code, "share": i.share} for i in node.industries.all()]


class EdgeSerializer(ScopedModelSerializer):
    class Meta:
        model = Edge
        fields = api_fields(EDGE_FIELDS)

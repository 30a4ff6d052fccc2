from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhaoshang.chains.models import Chain, ChainGroup, Edge, Node
from zhaoshang.core.api import ScopedModelSerializer


class ChainGroupSerializer(ScopedModelSerializer):
    class Meta:
        model = ChainGroup
        fields = ["id", "district", "name", "kind", "strategy", "order", "created", "updated"]


class ChainSerializer(ScopedModelSerializer):
    class Meta:
        model = Chain
        fields = [
            "id",
            "district",
            "group",
            "code",
            "name",
            "version",
            "is_current",
            "is_lead_chain",
            "description",
            "team",
            "chief",
            "leading_cadre",
            "research_institution",
            "lead_department",
            "towns",
            "parks",
            "created",
            "updated",
        ]
        read_only_fields = ["version", "is_current", "chief"]


class NodeSerializer(ScopedModelSerializer):
    industries = serializers.SerializerMethodField()

    class Meta:
        model = Node
        fields = [
            "id",
            "chain",
            "code",
            "name",
            "segment",
            "weight",
            "keywords",
            "leader_firms",
            "order",
            "industries",
            "created",
            "updated",
        ]

    def get_industries(self, node: Node) -> list[dict[str, Any]]:
        return [{"code": i.code, "share": i.share} for i in node.industries.all()]


class EdgeSerializer(ScopedModelSerializer):
    class Meta:
        model = Edge
        fields = ["id", "chain", "source", "target", "weight", "created", "updated"]

from __future__ import annotations

import factory

from zhaoshang.chains.models import Chain, ChainGroup, Edge, Node, NodeIndustry
from zhaoshang.core.factories import AuditedFactory, DistrictFactory


class ChainGroupFactory(AuditedFactory):
    class Meta:
        model = ChainGroup

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例链群{n}")
    kind = ChainGroup.Kind.EMERGING
    strategy = "做大做强"


class ChainFactory(AuditedFactory):
    class Meta:
        model = Chain

    district = factory.SubFactory(DistrictFactory)
    group = factory.SubFactory(ChainGroupFactory, district=factory.SelfAttribute("..district"))
    code = factory.Sequence(lambda n: f"chain-{n}")
    name = factory.Sequence(lambda n: f"示例产业链{n}")


class NodeFactory(AuditedFactory):
    class Meta:
        model = Node

    chain = factory.SubFactory(ChainFactory)
    code = factory.Sequence(lambda n: f"node-{n}")
    name = factory.Sequence(lambda n: f"示例环节{n}")
    segment = Node.Segment.MIDSTREAM
    weight = 1.0


class NodeIndustryFactory(AuditedFactory):
    class Meta:
        model = NodeIndustry

    node = factory.SubFactory(NodeFactory)
    code = "3491"
    share = 1.0


class EdgeFactory(AuditedFactory):
    class Meta:
        model = Edge

    chain = factory.SubFactory(ChainFactory)
    source = factory.SubFactory(NodeFactory, chain=factory.SelfAttribute("..chain"))
    target = factory.SubFactory(NodeFactory, chain=factory.SelfAttribute("..chain"))

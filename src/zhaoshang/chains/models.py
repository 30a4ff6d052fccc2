"""Chain groups → chains (versioned) → nodes with GB/T 4754 codes and shares → supply edges."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.validators import validate_industry_code


class ChainGroup(DistrictOwned):
    """链群: Linzi's "456" — 4 chemical chains, 5 emerging chains, 6 clusters, each group with its strategy."""

    class Kind(models.TextChoices):
        CHEMICAL = "chemical", _("化工产业链")
        EMERGING = "emerging", _("新兴产业链")
        CLUSTER = "cluster", _("优势产业集群")

    STRATEGIES = {
        Kind.CHEMICAL: _("协同发展"),
        Kind.EMERGING: _("做大做强"),
        Kind.CLUSTER: _("扩面提质"),
    }

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    strategy = models.CharField(
        _("发展思路"), max_length=100, blank=True, help_text=_("如:协同发展、做大做强、扩面提质")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("链群")
        verbose_name_plural = _("链群")
        ordering = ["district", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="chaingroup_unique_name")]

    def __str__(self) -> str:
        return self.name


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
CHAIN_GROUP_FIELDS = ["district", "name", "kind", "strategy", "order"]


class Chain(DistrictOwned):
    """An industry chain as one district maps it; a revision is a new version, the old one kept as it was."""

    group = models.ForeignKey(
        ChainGroup, verbose_name=_("链群"), on_delete=models.PROTECT, related_name="chains"
    )
    code = models.SlugField(_("代码"), max_length=40, help_text=_("如 robotics,命令行和导入用"))
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("当前版本"), default=True)
    is_lead_chain = models.BooleanField(
        _("链群龙头链"), default=False, help_text=_("如化工链群中的炼化一体化")
    )
    description = models.TextField(_("说明"), blank=True)
    # The "五个一" mechanism: a county-level leader, a research institution, departments, towns and parks.
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("链条专班"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chains",
    )
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("链长"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    leading_cadre = models.CharField(_("牵头县级干部"), max_length=50, blank=True)
    research_institution = models.CharField(_("头部研究机构"), max_length=100, blank=True)
    lead_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    towns = models.ManyToManyField("core.Town", verbose_name=_("配合镇办"), blank=True, related_name="chains")
    parks = models.ManyToManyField("core.Park", verbose_name=_("承载园区"), blank=True, related_name="chains")

    history = AuditedHistory(m2m_fields=[towns, parks])

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["district", "group__order", "-is_lead_chain", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code", "version"], name="chain_unique_version"),
            models.UniqueConstraint(
                fields=["district", "code"], condition=models.Q(is_current=True), name="chain_one_current"
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.version == 1 else f"{self.name} (v{self.version})"

    def clean(self) -> None:
        errors = {}
        if self.group_id and self.district_id and self.group.district_id != self.district_id:
            errors["group"] = _("链群须属于同一区县。")
        for name in ("team", "lead_department"):
            related = getattr(self, name)
            if related is not None and self.district_id and related.district_id != self.district_id:
                errors[name] = _("须属于同一区县。")
        if errors:
            raise ValidationError(errors)


CHAIN_FIELDS = [
    "district",
    "group",
    "code",
    "name",
    "is_lead_chain",
    "description",
    "team",
    "chief",
    "leading_cadre",
    "research_institution",
    "lead_department",
    "towns",
    "parks",
]


class Node(TimeStamped):
    """环节: a segment of the chain, mapped onto GB/T 4754 classes and keywords to place firms on it."""

    class Segment(models.TextChoices):
        UPSTREAM = "up", _("上游")
        MIDSTREAM = "mid", _("中游")
        DOWNSTREAM = "down", _("下游")

    SEGMENT_RANK = {"up": 0, "mid": 1, "down": 2}

    chain = models.ForeignKey(Chain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="nodes")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    segment = models.CharField(_("链段"), max_length=10, choices=Segment.choices, default=Segment.MIDSTREAM)
    weight = models.FloatField(_("权重"), default=1.0, validators=[MinValueValidator(0)])
    keywords = models.JSONField(
        _("关键词/产品"), default=list, blank=True, help_text=_("用于按经营范围归类企业")
    )
    leader_firms = models.JSONField(_("链主企业"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    scope_path = "chain__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("环节")
        verbose_name_plural = _("环节")
        ordering = ["chain", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["chain", "code"], name="node_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def scoped_district_id(self) -> int | None:
        return self.chain.district_id

    @property
    def chain_position(self) -> tuple[int, int, str]:
        """Upstream first, then the chain's own order: the stored segment codes do not sort that way."""
        return (self.SEGMENT_RANK.get(self.segment, 1), self.order, self.code)


NODE_FIELDS = ["chain", "code", "name", "segment", "weight", "keywords", "leader_firms", "order"]


class NodeIndustry(TimeStamped):
    """A node's GB/T 4754-2017 小类 with its share α (a node may span codes; a code may serve several nodes)."""

    node = models.ForeignKey(
        Node, verbose_name=_("环节"), on_delete=models.CASCADE, related_name="industries"
    )
    code = models.CharField(_("行业代码"), max_length=4, validators=[validate_industry_code])
    share = models.FloatField(
        _("占比 α"), default=1.0, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )

    scope_path = "node__chain__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("环节行业")
        verbose_name_plural = _("环节行业")
        ordering = ["node", "code"]
        constraints = [models.UniqueConstraint(fields=["node", "code"], name="nodeindustry_unique")]

    def __str__(self) -> str:
        return f"{self.code} × {self.share:g}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.node.chain.district_id


class Edge(TimeStamped):
    """A supply link upstream → downstream, optionally weighted by its cost share."""

    chain = models.ForeignKey(Chain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="edges")
    source = models.ForeignKey(
        Node, verbose_name=_("供给环节"), on_delete=models.CASCADE, related_name="out_edges"
    )
    target = models.ForeignKey(
        Node, verbose_name=_("需求环节"), on_delete=models.CASCADE, related_name="in_edges"
    )
    weight = models.FloatField(
        _("成本占比"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )

    scope_path = "chain__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("供需关系")
        verbose_name_plural = _("供需关系")
        ordering = ["chain", "pk"]
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="edge_unique")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.chain.district_id

    def clean(self) -> None:
        if self.source_id and self.target_id:
            if self.source_id == self.target_id:
                raise ValidationError(_("环节不能供给自身。"))
            if self.source.chain_id != self.chain_id or self.target.chain_id != self.chain_id:
                raise ValidationError(_("两个环节须属于同一条产业链。"))


EDGE_FIELDS = ["chain", "source", "target", "weight"]


class GapSnapshot(TimeStamped):
    """One run of the gap analysis of a chain in its district: kept, so a status can be traced to its data."""

    class Base(models.TextChoices):
        PROVINCE = "province", _("全省")
        NATION = "nation", _("全国")

    chain = models.ForeignKey(
        Chain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="gap_snapshots"
    )
    base = models.CharField(_("比较基准"), max_length=10, choices=Base.choices, default=Base.PROVINCE)
    completeness = models.FloatField(_("链条完整度"))
    result = models.JSONField(_("结果"))
    registry = models.CharField(_("全国企业库"), max_length=300)
    registry_version = models.FloatField(_("企业库版本"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("计算人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    scope_path = "chain__district"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("短板分析")
        verbose_name_plural = _("短板分析")
        ordering = ["-created"]
        get_latest_by = "created"

    def __str__(self) -> str:
        return f"{self.chain} {self.created:%Y-%m-%d %H:%M}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.chain.district_id

    def node(self, key: str | int) -> dict[str, object] | None:
        return next((n for n in self.result["nodes"] if str(n["key"]) == str(key)), None)

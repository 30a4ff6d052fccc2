"""The pages of gaps and targets: recompute a chain's gap analysis, and a weak node's 招商目标图."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.chains.models import Chain, Node
from zhaoshang.core.downloads import download_check
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.scope import get_allowed, user_scope
from zhaoshang.core.spreadsheets import Sheet, workbook_response
from zhaoshang.industries.national import RegistryMissing
from zhaoshang.targeting.targets import node_targets, targets_save


class ChainGapsView(LoginRequiredMixin, View):
    """Recompute the gap analysis of one chain (or all of a district's) as a job people can watch."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        chain = get_allowed(Chain.objects, request.user, "change", pk=pk)
        base = (
            request.POST.get("base", "province")
            if request.POST.get("base") in ("province", "nation")
            else "province"
        )
        job = job_submit(
            kind="chain-gaps",
            title=_("短板分析:%(chain)s") % {"chain": chain.name},
            user=request.user,
            params={"district": chain.district_id, "chain": chain.pk, "base": base},
            key=f"chain:{chain.pk}:{base}",  # a double click is one run
        )
        if job.status == job.Status.SUCCEEDED:
            return redirect("chain_detail", pk=chain.pk)
        return redirect("job_detail", pk=job.pk)


class NodeTargetsView(LoginRequiredMixin, View):
    """招商目标图 for one node: target industries, cities (on a map) and enterprises, each explained."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        node = get_object_or_404(
            Node.objects.restrict(request.user, "view").select_related("chain__district"), pk=pk
        )
        workbook = request.GET.get("format") == "xlsx"
        if workbook:  # before the work: a refused download costs nothing
            download_check(request.user, "node_targets", node)
        try:
            top = int(request.GET["top"]) if request.GET.get("top", "").isdigit() else 50
            targets = node_targets(node, top=min(max(top, 1), 500))
        except RegistryMissing as error:
            messages.error(request, str(error))
            return redirect("node_detail", pk=node.pk)
        if workbook:
            return _targets_workbook(targets)
        from zhaoshang.analytics.targets.places import division_centre  # deferred: numpy and scipy

        cities = [
            {"name": c.name, "lng": c_lng, "lat": c_lat, "score": c.score, "firms": c.firms}
            for c in targets.cities
            for c_lng, c_lat in [division_centre(c.code)]
            if c_lng == c_lng  # skip cities without coordinates (NaN)
        ]
        context = {
            "node": node,
            "targets": targets,
            "city_points": cities,
            "origin": division_centre(node.chain.district.adcode),
            "can_add": user_scope(request.user, "add").allows(node.chain.district_id),
        }
        return render(request, "targeting/node_targets.html", context)

    def post(self, request: Any, pk: int) -> HttpResponse:
        node = get_allowed(Node.objects.select_related("chain__district"), request.user, "add", pk=pk)
        saved = targets_save(node=node, usccs=request.POST.getlist("uscc"), user=request.user)
        messages.success(request, _("已加入目标企业库 %(n)s 家。") % {"n": len(saved)})
        return redirect(f"{reverse('target_list')}?chain={node.chain_id}")


FIRM_COLUMNS = {
    "rank": "排名",
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "adcode": "区划代码",
    "industry": "行业代码",
    "insured_employees": "参保人数",
    "registered_capital": "注册资本(万元)",
    "distance_km": "距离(km)",
    "score": "得分",
    "explain": "说明",
}


def _targets_workbook(targets: Any) -> HttpResponse:
    industries = Sheet(
        "目标行业",
        ["行业代码", "行业名称", "关联密度", "PCI", "COG", "得分", "说明"],
        [[t.code, t.name, t.density, t.pci, t.cog, t.score, ";".join(t.explain)] for t in targets.industries],
    )
    cities = Sheet(
        "目标城市",
        ["城市代码", "城市", "企业数", "区位熵", "距离(km)", "得分", "说明"],
        [
            [c.code, c.name, c.firms, c.lq, round(c.distance_km), c.score, ";".join(c.explain)]
            for c in targets.cities
        ],
    )
    firms = Sheet(
        "目标企业", list(FIRM_COLUMNS.values()), [[f[key] for key in FIRM_COLUMNS] for f in targets.firms]
    )
    return workbook_response([industries, cities, firms], f"{targets.node.name}-招商目标.xlsx")

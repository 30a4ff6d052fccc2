"""Chain pages beyond the generic ones."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.analytics.targets import division_centre
from zhaoshang.chains.models import Chain, Node
from zhaoshang.chains.services import ChainDataError, chain_revise
from zhaoshang.core.jobs import job_submit


class ChainGapsView(LoginRequiredMixin, View):
    """Recompute the gap analysis of one chain (or all of a district's) as a job people can watch."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        chain = get_object_or_404(Chain.objects.restrict(request.user, "change"), pk=pk)
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
        )
        if job.status == job.Status.SUCCEEDED:
            return redirect("chain_detail", pk=chain.pk)
        return redirect("job_detail", pk=job.pk)


class ChainReviseView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        chain = get_object_or_404(Chain.objects.restrict(request.user, "change"), pk=pk)
        try:
            revised = chain_revise(chain=chain, user=request.user)
        except ChainDataError as error:
            messages.error(request, str(error))
            return redirect("chain_detail", pk=chain.pk)
        messages.success(request, _("已创建新版本 v%(v)s,可在此版本上修改。") % {"v": revised.version})
        return redirect("chain_detail", pk=revised.pk)


class NodeTargetsView(LoginRequiredMixin, View):
    """招商目标图 for one node: target industries, cities (on a map) and enterprises, each explained."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        from zhaoshang.chains.targets import node_targets
        from zhaoshang.industries.national import RegistryMissing

        node = get_object_or_404(
            Node.objects.restrict(request.user, "view").select_related("chain__district"), pk=pk
        )
        try:
            top = int(request.GET["top"]) if request.GET.get("top", "").isdigit() else 50
            targets = node_targets(node, top=min(max(top, 1), 500))
        except RegistryMissing as error:
            messages.error(request, str(error))
            return redirect("node_detail", pk=node.pk)
        if request.GET.get("format") == "xlsx":
            return _targets_workbook(targets)
        cities = [
            {"name": c.name, "lng": c_lng, "lat": c_lat, "score": c.score, "firms": c.firms}
            for c in targets.cities
            for c_lng, c_lat in [division_centre(c.code)]
            if c_lng == c_lng  # skip cities without coordinates (NaN)
        ]
        from zhaoshang.core.scope import user_scope

        context = {
            "node": node,
            "targets": targets,
            "city_points": cities,
            "origin": division_centre(node.chain.district.adcode),
            "can_add": user_scope(request.user, "add").allows(node.chain.district_id),
        }
        return render(request, "chains/node_targets.html", context)

    def post(self, request: Any, pk: int) -> HttpResponse:
        from zhaoshang.chains.targets import targets_save

        node = get_object_or_404(
            Node.objects.restrict(request.user, "add").select_related("chain__district"), pk=pk
        )
        saved = targets_save(node=node, usccs=request.POST.getlist("uscc"), user=request.user)
        messages.success(request, _("已加入目标企业库 %(n)s 家。") % {"n": len(saved)})
        return redirect(f"{reverse('target_list')}?chain={node.chain_id}")


def _targets_workbook(targets: Any) -> HttpResponse:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "目标行业"
    sheet.append(["行业代码", "行业名称", "关联密度", "PCI", "COG", "得分", "说明"])
    for t in targets.industries:
        sheet.append([t.code, t.name, t.density, t.pci, t.cog, t.score, ";".join(t.explain)])
    cities = book.create_sheet("目标城市")
    cities.append(["城市代码", "城市", "企业数", "区位熵", "距离(km)", "得分", "说明"])
    for c in targets.cities:
        cities.append([c.code, c.name, c.firms, c.lq, round(c.distance_km), c.score, ";".join(c.explain)])
    firms = book.create_sheet("目标企业")
    firms.append(
        [
            "排名",
            "统一社会信用代码",
            "企业名称",
            "区划代码",
            "行业代码",
            "参保人数",
            "注册资本(万元)",
            "距离(km)",
            "得分",
            "说明",
        ]
    )
    for f in targets.firms:
        firms.append(
            [
                f["rank"],
                f["uscc"],
                f["name"],
                f["adcode"],
                f["industry"],
                f["insured_employees"],
                f["registered_capital"],
                f["distance_km"],
                f["score"],
                f["explain"],
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(targets.node.name + '-招商目标.xlsx')}"
    )
    return response


class ChainClassifyView(LoginRequiredMixin, View):
    """Place the district's firms on its current chains again, as a job (after a revision or an import)."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        chain = get_object_or_404(Chain.objects.restrict(request.user, "change"), pk=pk)
        job = job_submit(
            kind="enterprises-classify",
            title=_("企业重新归链:%(district)s") % {"district": chain.district},
            user=request.user,
            params={"district": chain.district_id},
        )
        return redirect("job_detail", pk=job.pk)

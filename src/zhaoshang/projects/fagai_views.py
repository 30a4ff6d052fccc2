"""Pages of the 发改 side: a month's 完成投资 entered on the project page and verified (one by one or as a batch in
the review queue), the records behind each dashboard figure, and the projects whose books disagree."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.core.models import District
from zhaoshang.core.scope import get_allowed
from zhaoshang.projects.fagai_forms import CompletionReportForm
from zhaoshang.projects.fagai_selectors import (
    FIGURES,
    fagai_conflicts,
    fagai_figures,
    figure_records,
    pending_completions,
    report_period,
)
from zhaoshang.projects.fagai_services import (
    CompletionError,
    completion_report,
    completion_verify,
    completions_verify_batch,
)
from zhaoshang.projects.models import InvestmentCompletion, Project
from zhaoshang.projects.views import _problem  # the page's one way of showing a refused action


class CompletionReportView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        project = get_allowed(Project.objects, request.user, "change", pk=pk)
        form = CompletionReportForm(request.POST, auto_id="completion_%s")
        if not form.is_valid():
            messages.error(request, _("请填写月份和当月完成投资(万元)。"))
            return redirect("project_detail", pk=pk)
        data = form.cleaned_data
        try:
            completion_report(
                project=project,
                user=request.user,
                month=data["month"],
                amount=data["amount"],
                note=data["note"],
            )
        except (CompletionError, ValidationError) as error:
            _problem(request, error)
        else:
            messages.success(request, _("已填报,待其他审核人核实后计入。"))
        return redirect("project_detail", pk=pk)


class CompletionVerifyView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        entry = get_allowed(InvestmentCompletion.objects, request.user, "verify", pk=pk)
        try:
            completion_verify(
                entry=entry,
                user=request.user,
                approve=request.POST.get("approve") == "1",
                reason=request.POST.get("reason", ""),
            )
        except CompletionError as error:
            _problem(request, error)
        else:
            messages.success(request, _("已审核。"))
        return redirect("project_detail", pk=entry.project_id)


class CompletionQueueView(LoginRequiredMixin, View):
    """The months waiting for review, verified or sent back a selection at a time (shown in the review queue)."""

    def post(self, request: Any) -> HttpResponse:
        ids = [int(i) for i in request.POST.getlist("completion") if i.isdigit()]
        if not ids:
            messages.error(request, _("请先勾选要处理的完成投资。"))
            return redirect("review_queue")
        entries = list(pending_completions(request.user).filter(pk__in=ids))
        if request.POST.get("approve") == "1":
            done, refused = completions_verify_batch(entries=entries, user=request.user)
            if done:
                messages.success(request, _("已核实 %(n)s 项。") % {"n": done})
        else:
            reason = request.POST.get("reason", "").strip()
            if not reason:
                messages.error(request, _("退回须写明原因。"))
                return redirect("review_queue")
            done, refused = 0, []
            for entry in entries:
                try:
                    completion_verify(entry=entry, user=request.user, approve=False, reason=reason)
                except CompletionError as error:
                    refused.append(f"{entry.project.name} {entry.month:%Y-%m}:{error}")
                else:
                    done += 1
            if done:
                messages.success(request, _("已退回 %(n)s 项。") % {"n": done})
        for line in refused[:10]:
            messages.error(request, line)
        return redirect("review_queue")


def _district(request: Any) -> Any:
    value = request.GET.get("district") or ""
    if not value:
        return None
    return get_object_or_404(
        District.objects.restrict(request.user, "view"), pk=value if value.isdigit() else 0
    )


def _year_months(request: Any) -> tuple[int, int]:
    current, last = report_period()
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() and 2000 <= int(value) <= current + 1 else current
    months = last if year == current else (12 if year < current else 0)
    return year, months


class FigureView(LoginRequiredMixin, View):
    """The records behind one figure of the 发改 card: exactly those it counts or adds up."""

    def get(self, request: Any) -> HttpResponse:
        figure = request.GET.get("figure", "")
        if figure not in FIGURES:
            raise Http404
        year, months = _year_months(request)
        district = _district(request)
        figures = fagai_figures(request.user, year, district, months)
        context = {
            "figure": figure,
            "label": FIGURES[figure],
            "figures": figures,
            **figure_records(request.user, figure, year, months, district),
        }
        return render(request, "projects/fagai/figure.html", context)


class ConflictsView(LoginRequiredMixin, View):
    """One project identity across the 招商 ledger, the 重大项目 lists and the approval platform: where they differ."""

    def get(self, request: Any) -> HttpResponse:
        return render(request, "projects/fagai/conflicts.html", fagai_conflicts(request.user))

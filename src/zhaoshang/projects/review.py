"""The reviewer's queue: every stage move waiting for review in the districts one may verify, approved or
sent back a few at a time (a ledger import asks for one per project it loads at a counted stage)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.projects.models import StageMove
from zhaoshang.projects.services import ProjectError, stage_move_verify

QUEUE_PAGE = 100


def pending_moves(user: Any) -> Any:
    return (
        StageMove.objects.restrict(user, "verify")
        .filter(verified_at__isnull=True, rejected_reason="")
        .select_related("project", "project__district", "requested_by")
        .order_by("project__district__adcode", "date", "pk")
    )


class ReviewQueueView(LoginRequiredMixin, View):
    def get(self, request: Any) -> HttpResponse:
        moves = pending_moves(request.user)
        page = Paginator(moves, QUEUE_PAGE).get_page(request.GET.get("page"))
        return render(request, "projects/review_queue.html", {"page": page, "total": page.paginator.count})

    def post(self, request: Any) -> HttpResponse:
        approve = request.POST.get("approve") == "1"
        reason = request.POST.get("reason", "").strip()
        if not approve and not reason:
            messages.error(request, _("退回须写明原因。"))
            return redirect("review_queue")
        ids = [int(i) for i in request.POST.getlist("move") if i.isdigit()]
        done, refused = 0, []
        for move in pending_moves(request.user).filter(pk__in=ids):
            try:
                stage_move_verify(move=move, user=request.user, approve=approve, reason=reason)
            except ProjectError as error:
                refused.append(f"{move.project.name}:{error}")
            else:
                done += 1
        if done:
            text = _("已核实 %(n)s 项。") if approve else _("已退回 %(n)s 项。")
            messages.success(request, text % {"n": done})
        for line in refused[:10]:
            messages.error(request, line)
        if not ids:
            messages.error(request, _("请先勾选要处理的阶段变更。"))
        return redirect("review_queue")

"""Project actions: request a stage move (with evidence), verify or send it back, change the status."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import modelform_factory
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.analytics.status.rule import Thresholds
from zhaoshang.core.models import District
from zhaoshang.core.scope import get_allowed
from zhaoshang.core.services import object_save
from zhaoshang.projects.delivery.approvals import (
    calendar_note,
    project_schedule,
    project_steps_create,
    step_update,
)
from zhaoshang.projects.fagai_selectors import pending_completions
from zhaoshang.projects.forms import StageMoveForm
from zhaoshang.projects.models import (
    STATUS_THRESHOLD_FIELDS,
    Project,
    ProjectStep,
    StageMove,
    StatusThresholds,
)
from zhaoshang.projects.selectors import batch_moves, pending_batches, pending_moves
from zhaoshang.projects.services import (
    ProjectError,
    project_status_set,
    stage_move_request,
    stage_move_verify,
    stage_moves_verify_batch,
)


def _problem(request: Any, error: Exception) -> None:
    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


class StageMoveView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        project = get_allowed(Project.objects, request.user, "change", pk=pk)
        form = StageMoveForm(request.POST, request.FILES)
        if not form.is_valid():
            for message in form.errors.get("evidence", []) or [_("请填写新阶段和日期。")]:
                messages.error(request, message)
            return redirect("project_detail", pk=pk)
        data = form.cleaned_data
        try:
            move = stage_move_request(
                project=project,
                to_stage=data["to_stage"],
                date=data["date"],
                user=request.user,
                note=data["note"],
                evidence=data["evidence"],
                evidence_note=data["evidence_note"],
            )
        except (ProjectError, ValidationError) as error:
            _problem(request, error)
        else:
            if move.pending:
                messages.success(request, _("已提交,待审核人核实后生效。"))
            else:
                messages.success(request, _("阶段已变更。"))
        return redirect("project_detail", pk=pk)


class StageVerifyView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        move = get_allowed(StageMove.objects, request.user, "verify", pk=pk)
        try:
            stage_move_verify(
                move=move,
                user=request.user,
                approve=request.POST.get("approve") == "1",
                reason=request.POST.get("reason", ""),
            )
        except ProjectError as error:
            _problem(request, error)
        else:
            messages.success(request, _("已审核。"))
        return redirect("project_detail", pk=move.project_id)


class ProjectStatusView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        project = get_allowed(Project.objects, request.user, "change", pk=pk)
        status = request.POST.get("status", "")
        if status not in Project.Status.values:
            return redirect("project_detail", pk=pk)
        day = request.POST.get("terminated_on", "").strip()
        try:
            terminated_on = datetime.date.fromisoformat(day) if day else None
        except ValueError:
            messages.error(request, _("日期格式应为 YYYY-MM-DD"))
            return redirect("project_detail", pk=pk)
        try:
            project_status_set(
                project=project,
                status=status,
                reason=request.POST.get("reason", ""),
                user=request.user,
                terminated_on=terminated_on,
            )
        except ValidationError as error:
            _problem(request, error)
        return redirect("project_detail", pk=pk)


class StepsCreateView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        project = get_allowed(Project.objects, request.user, "change", pk=pk)
        project_steps_create(project=project, user=request.user)
        messages.success(request, _("已按审批模板生成审批环节并排定计划。"))
        return redirect("project_detail", pk=pk)


class ScheduleView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        project = get_allowed(Project.objects, request.user, "change", pk=pk)
        try:
            start = datetime.date.fromisoformat(request.POST.get("start", ""))
            result = project_schedule(
                project=project, user=request.user, start=start, calendar=request.POST.get("calendar", "cn")
            )
        except ValueError as error:
            messages.error(request, _("日期格式应为 YYYY-MM-DD") if "isoformat" in str(error) else str(error))
        else:
            if note := calendar_note(result):
                messages.warning(request, note)
        return redirect("project_detail", pk=pk)


class StepUpdateView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        step = get_allowed(ProjectStep.objects, request.user, "change", pk=pk)
        try:
            step_update(
                step=step,
                user=request.user,
                status=request.POST.get("status", ""),
                date=datetime.date.fromisoformat(request.POST.get("date", "")),
                document=request.FILES.get("document"),
            )
        except (ValueError, ValidationError) as error:
            _problem(request, error)
        return redirect("project_detail", pk=step.project_id)


QUEUE_PAGE = 100


class ReviewQueueView(LoginRequiredMixin, View):
    """The reviewer's queue: every stage move waiting for review in the districts one may verify, approved or
    sent back a few at a time; the claims of an imported ledger (one or two per project it loads at a counted
    stage) also as a batch, verified at once against the evidence checked."""

    def get(self, request: Any) -> HttpResponse:
        moves = pending_moves(request.user)
        page = Paginator(moves, QUEUE_PAGE).get_page(request.GET.get("page"))
        context = {"page": page, "total": page.paginator.count, "batches": pending_batches(request.user)}
        # The 发改 side's monthly 完成投资 waiting for review, verified a selection at a time.
        context["pending_completions"] = pending_completions(request.user)[:QUEUE_PAGE]
        return render(request, "projects/review_queue.html", context)

    def post(self, request: Any) -> HttpResponse:
        if request.POST.get("batch"):
            return self.batch(request)
        approve = request.POST.get("approve") == "1"
        reason = request.POST.get("reason", "").strip()
        if not approve and not reason:
            messages.error(request, _("退回须写明原因。"))
            return redirect("review_queue")
        ids = [int(i) for i in request.POST.getlist("move") if i.isdigit()]
        done, refused = 0, []
        # In each project's order: a ledger's signing claim takes effect before its later stage.
        for move in pending_moves(request.user).filter(pk__in=ids).order_by("project", "pk"):
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

    def batch(self, request: Any) -> HttpResponse:
        moves = list(batch_moves(request.user, request.POST["batch"]).select_related("project"))
        if not moves:
            messages.error(request, _("该批次没有待审核的申报。"))
            return redirect("review_queue")
        try:
            done, refused = stage_moves_verify_batch(
                moves=moves,
                user=request.user,
                evidence=request.FILES.get("evidence"),
                evidence_note=request.POST.get("evidence_note", ""),
            )
        except (ProjectError, ValidationError) as error:
            _problem(request, error)
            return redirect("review_queue")
        if done:
            messages.success(request, _("已核实 %(n)s 项。") % {"n": done})
        for line in refused[:10]:
            messages.error(request, line)
        return redirect("review_queue")


class StatusThresholdsView(LoginRequiredMixin, View):
    """The district's 红黄牌 thresholds, beside its other settings: for those who may verify (its admins)."""

    form_class = modelform_factory(StatusThresholds, fields=STATUS_THRESHOLD_FIELDS)

    def get_district(self, pk: int) -> District:
        # Someone of the district without the right: 403 with the reason; another district: 404.
        return get_allowed(
            District.objects, self.request.user, "verify", what=_("红黄牌阈值"), shown_as="change", pk=pk
        )

    def render_form(self, district: District, form: Any, status: int = 200) -> HttpResponse:
        context = {"district": district, "form": form, "defaults": Thresholds()}
        return render(self.request, "projects/status_thresholds.html", context, status=status)

    def get(self, request: Any, pk: int) -> HttpResponse:
        district = self.get_district(pk)
        instance = StatusThresholds.objects.filter(district=district).first()
        return self.render_form(district, self.form_class(instance=instance))

    def post(self, request: Any, pk: int) -> HttpResponse:
        district = self.get_district(pk)
        instance = StatusThresholds.objects.filter(district=district).first() or StatusThresholds(
            district=district
        )
        form = self.form_class(request.POST, instance=instance)
        if not form.is_valid():
            return self.render_form(district, form, status=400)
        try:
            object_save(instance=form.instance, user=request.user)
        except ValidationError as error:
            _problem(request, error)
            return self.render_form(district, form, status=400)
        messages.success(request, _("已保存红黄牌阈值。"))
        return redirect("status_thresholds", pk=district.pk)

"""Project actions: request a stage move (with evidence), verify or send it back, change the status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.projects.forms import StageMoveForm
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.services import (
    ProjectError,
    project_status_set,
    stage_move_request,
    stage_move_verify,
)


def _problem(request: Any, error: Exception) -> None:
    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


class StageMoveView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        project = get_object_or_404(Project.objects.restrict(request.user, "change"), pk=pk)
        form = StageMoveForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("请填写新阶段和日期。"))
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
        move = get_object_or_404(StageMove.objects.restrict(request.user, "verify"), pk=pk)
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
        project = get_object_or_404(Project.objects.restrict(request.user, "change"), pk=pk)
        status = request.POST.get("status", "")
        if status not in Project.Status.values:
            return redirect("project_detail", pk=pk)
        try:
            project_status_set(
                project=project, status=status, reason=request.POST.get("reason", ""), user=request.user
            )
        except ValidationError as error:
            _problem(request, error)
        return redirect("project_detail", pk=pk)


class StepsCreateView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        from zhaoshang.projects.approvals import project_steps_create

        project = get_object_or_404(Project.objects.restrict(request.user, "change"), pk=pk)
        project_steps_create(project=project, user=request.user)
        messages.success(request, _("已按审批模板生成审批环节并排定计划。"))
        return redirect("project_detail", pk=pk)


class ScheduleView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        import datetime

        from zhaoshang.projects.approvals import calendar_note, project_schedule

        project = get_object_or_404(Project.objects.restrict(request.user, "change"), pk=pk)
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
        import datetime

        from zhaoshang.projects.approvals import step_update
        from zhaoshang.projects.models import ProjectStep

        step = get_object_or_404(ProjectStep.objects.restrict(request.user, "change"), pk=pk)
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

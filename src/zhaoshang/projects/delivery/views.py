"""Delivery pages beyond the generic ones: 我的任务, the blocker chart and actions, dispatch reports."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.core.downloads import download_check
from zhaoshang.core.generic.files import stored_file_response
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.models import District
from zhaoshang.core.scope import ensure_allowed, get_allowed, require_right, user_scope
from zhaoshang.core.word import SectionTable
from zhaoshang.projects.delivery import blockers as blocker_services
from zhaoshang.projects.delivery.dispatch.sections import dispatch_period_label, dispatch_sections
from zhaoshang.projects.delivery.dispatch.services import (
    DecisionErrors,
    dispatch_decision_add,
    dispatch_minutes_set,
    dispatch_period_default,
)
from zhaoshang.projects.delivery.forms import (
    BlockerAssignForm,
    BlockerProgressForm,
    BlockerReopenForm,
    BlockerSolveForm,
    DecisionForm,
    DispatchBuildForm,
    MinutesForm,
)
from zhaoshang.projects.delivery.tasks import (
    TaskError,
    my_tasks,
    my_tasks_queryset,
    overdue_q,
    project_tasks,
    task_complete,
    tasks_generate,
)
from zhaoshang.projects.delivery.time import delivery_time_report, district_steps
from zhaoshang.projects.models import Blocker, DispatchReport, Project, WeeklyTask


def _problem(request: Any, error: Exception) -> None:
    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


def _query_without_page(request: Any) -> str:
    """The page's query string for its pager's links, which add their own `page`."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _back(request: Any, default: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


# --- weekly tasks ------------------------------------------------------------------------------------------


class MyTasksView(LoginRequiredMixin, View):
    """我的任务: what the user (or their department) must do, week by week, overdue in red."""

    def get(self, request: Any) -> HttpResponse:
        try:
            weeks = max(0, min(int(request.GET.get("weeks", 4)), 60))
        except ValueError:
            weeks = 4
        context = my_tasks(request.user, weeks_ahead=weeks, page=request.GET.get("page"))
        context["weeks"] = weeks
        context["query"] = _query_without_page(request)
        context["can_change"] = not user_scope(request.user, "change").empty
        return render(request, "projects/my_tasks.html", context)


class TaskCompleteView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        task = get_object_or_404(WeeklyTask.objects.restrict(request.user, "view"), pk=pk)
        error = None
        try:
            task = task_complete(task=task, user=request.user)
        except TaskError as problem:
            error = str(problem)
        if not request.headers.get("HX-Request"):
            if error:
                messages.error(request, error)
            else:
                messages.success(request, _("已完成:%(task)s") % {"task": task})
            return _back(request, reverse("my_tasks"))
        task = WeeklyTask.objects.select_related("project", "department", "owner").get(pk=task.pk)
        today = timezone.localdate()
        task.overdue = task.status != WeeklyTask.Status.DONE and task.due_date < today
        overdue = my_tasks_queryset(request.user).filter(overdue_q(today)).count()
        response = render(
            request, "projects/task_row.html", {"task": task, "error": error, "can_change": True}
        )
        # The page's overdue badge listens for this event.
        response["HX-Trigger"] = json.dumps({"overdueChanged": {"value": overdue}})
        return response


class TasksGenerateView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        project = get_allowed(Project.objects, request.user, "add", pk=pk)
        try:
            result = tasks_generate(project=project, user=request.user)
        except TaskError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("已生成 %(created)s 项周任务(覆盖 %(weeks)s 周,已有 %(existing)s 项未重复生成)。")
                % {"created": result.created, "weeks": result.weeks, "existing": result.existing},
            )
            if result.unplanned:
                messages.warning(
                    request, _("%(n)s 个审批环节没有计划日期,未排入周任务。") % {"n": result.unplanned}
                )
        return _back(request, reverse("project_detail", args=[pk]))


class ProjectDeliveryView(LoginRequiredMixin, View):
    """The project page's panel (loaded by HTMX): its tasks of the coming weeks and its open blockers."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        project = get_object_or_404(Project.objects.restrict(request.user, "view"), pk=pk)
        user = request.user
        context = {
            "project": project,
            "tasks": project_tasks(project),
            "blockers": blocker_services.project_blockers(project),
            "can_add": user_scope(user, "add").allows(project.district_id),
            "can_change": user_scope(user, "change").allows(project.district_id),
        }
        return render(request, "projects/task_panel.html", context)


# --- blockers ----------------------------------------------------------------------------------------------


def blocker_detail_context(blocker: Blocker, user: Any) -> dict[str, Any]:
    district_id = blocker.scoped_district_id
    today = timezone.localdate()
    return {
        "can_work": user_scope(user, "change").allows(district_id),
        "can_verify": user_scope(user, "verify").allows(district_id),
        "overdue": blocker.open and blocker.deadline is not None and blocker.deadline < today,
        "level_label": blocker_services.level_label(blocker.level),
        "assign_form": BlockerAssignForm(blocker=blocker),
        "progress_form": BlockerProgressForm(),
        "solve_form": BlockerSolveForm(initial={"date": today}),
        "reopen_form": BlockerReopenForm(),
    }


BLOCKER_ACTIONS = ("assign", "progress", "solve", "strike-off", "reopen")


class BlockerActionView(LoginRequiredMixin, View):
    """POST /blocker/<pk>/<action>/: assign, progress, solve, strike-off, reopen — each through its service."""

    def post(self, request: Any, pk: int, action: str) -> HttpResponse:
        blocker = get_object_or_404(
            Blocker.objects.restrict(request.user, "view").select_related("project"), pk=pk
        )
        user = request.user
        try:
            if action == "assign":
                form = BlockerAssignForm(request.POST, blocker=blocker)
                if form.is_valid():
                    blocker_services.blocker_assign(blocker=blocker, user=user, **form.cleaned_data)
            elif action == "progress":
                form = BlockerProgressForm(request.POST)
                if form.is_valid():
                    blocker_services.blocker_progress(blocker=blocker, user=user, **form.cleaned_data)
            elif action == "solve":
                form = BlockerSolveForm(request.POST)
                if form.is_valid():
                    blocker_services.blocker_solve(blocker=blocker, user=user, **form.cleaned_data)
            elif action == "strike-off":
                form = None
                blocker_services.blocker_strike_off(blocker=blocker, user=user)
            elif action == "reopen":
                form = BlockerReopenForm(request.POST)
                if form.is_valid():
                    blocker_services.blocker_reopen(blocker=blocker, user=user, **form.cleaned_data)
            else:
                raise Http404
        except (blocker_services.BlockerError, ValidationError) as error:
            _problem(request, error)
        else:
            if form is not None and not form.is_valid():
                messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
            else:
                messages.success(request, _("已办理:%(blocker)s") % {"blocker": blocker})
        return _back(request, reverse("blocker_detail", args=[pk]))


def _district_choice(request: Any, action: str = "view") -> tuple[Any, District | None]:
    districts = District.objects.restrict(request.user, action).order_by("adcode")
    chosen = None
    if request.GET.get("district"):
        chosen = (
            districts.filter(pk=request.GET["district"]).first()
            if request.GET["district"].isdigit()
            else None
        )
        if chosen is None:
            raise Http404
    return districts, chosen


class BlockerBoardView(LoginRequiredMixin, View):
    """挂图督办: departments × statuses, counts and cards, overdue in red; a bar chart of open blockers."""

    def get(self, request: Any) -> HttpResponse:
        districts, chosen = _district_choice(request)
        district = chosen
        if district is None and not user_scope(request.user, "view").all_districts and len(districts) == 1:
            district = districts[0]
        board = blocker_services.blocker_board(request.user, district=district)
        context = {
            **board,
            "districts": districts,
            "district": district,
            "can_escalate": not user_scope(request.user, "change").empty,
        }
        return render(request, "projects/blocker_board.html", context)


class BlockerEscalateView(LoginRequiredMixin, View):
    def post(self, request: Any) -> HttpResponse:
        if user_scope(request.user, "change").empty:
            raise Http404
        district = None
        if request.POST.get("district"):
            district = get_object_or_404(
                District.objects.restrict(request.user, "change"), pk=request.POST["district"]
            )
        job = job_submit(
            kind="blockers-escalate",
            title=_("堵点逾期升级:%(where)s") % {"where": district or _("权限内全部区县")},
            user=request.user,
            params={"district": district.pk if district else None},
            key=f"district:{district.pk if district else ''}",  # a double click is one run
        )
        if job.status == job.Status.SUCCEEDED:
            messages.success(
                request, _("已升级 %(n)s 个逾期堵点。") % {"n": len(job.result.get("escalated", []))}
            )
            board = reverse("blocker_board")
            return redirect(f"{board}?district={district.pk}" if district else board)
        return redirect("job_detail", pk=job.pk)


# --- dispatch ----------------------------------------------------------------------------------------------


# A report's table shows this many rows at a time on the page (the Word file, the official text, has them all).
DISPATCH_ROWS_PER_PAGE = 50


def _paged(table: SectionTable, page: Any) -> SectionTable:
    table.page = Paginator(table.entries(), DISPATCH_ROWS_PER_PAGE).get_page(page)
    return table


def dispatch_detail_context(report: DispatchReport, user: Any) -> dict[str, Any]:
    district_id = report.district_id
    can_add = user_scope(user, "add").allows(district_id)
    summary = report.summary or {}
    sections = dispatch_sections(summary, report.minutes)
    for section in sections:
        for table in section.tables:
            _paged(table, 1)
    return {
        "sections": sections,
        "summary": summary,
        "period_label": dispatch_period_label(summary) if summary.get("period") else "",
        "can_add": can_add,
        "minutes_form": MinutesForm(initial={"minutes": report.minutes}),
        "decision_form": DecisionForm(user=user, report=report) if can_add else None,
        "decisions": summary.get("decisions") or [],
    }


class DispatchTableView(LoginRequiredMixin, View):
    """One table of a report, a page at a time: `?page=2` from the report page's pager (HTMX swaps the table in
    place) or, without HTMX, as a page of its own."""

    def get(self, request: Any, pk: int, key: str) -> HttpResponse:
        report = get_object_or_404(DispatchReport.objects.restrict(request.user, "view"), pk=pk)
        found = [
            (section, table)
            for section in dispatch_sections(report.summary or {}, report.minutes)
            for table in section.tables
            if table.key == key
        ]
        if not found:
            raise Http404
        section, table = found[0]
        context = {"report": report, "section": section, "table": _paged(table, request.GET.get("page"))}
        if request.headers.get("HX-Request"):
            return render(request, "projects/_dispatch_table.html", context)
        return render(request, "projects/dispatch_table.html", context)


class DispatchBuildView(LoginRequiredMixin, View):
    """生成调度报告: pick a district and a period; the report is built as a job with progress."""

    def get(self, request: Any) -> HttpResponse:
        require_right(request.user, "add", DispatchReport)
        start, end = dispatch_period_default(timezone.localdate())
        form = DispatchBuildForm(user=request.user, initial={"period_start": start, "period_end": end})
        return render(request, "projects/dispatch_build.html", {"form": form})

    def post(self, request: Any) -> HttpResponse:
        require_right(request.user, "add", DispatchReport)
        form = DispatchBuildForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, "projects/dispatch_build.html", {"form": form}, status=400)
        data = form.cleaned_data
        return _submit_build(request, data["district"], data["period_start"], data["period_end"])


def _submit_build(request: Any, district: District, start: datetime.date, end: datetime.date) -> HttpResponse:
    job = job_submit(
        kind="dispatch-build",
        title=_("调度报告:%(district)s %(start)s—%(end)s")
        % {"district": district, "start": start, "end": end},
        user=request.user,
        params={"district": district.pk, "start": start.isoformat(), "end": end.isoformat()},
        key=f"{district.pk}:{start.isoformat()}:{end.isoformat()}",  # a double click is one report
    )
    if job.status == job.Status.SUCCEEDED:
        return redirect("dispatch_detail", pk=job.result["report"])
    if job.status == job.Status.FAILED:
        messages.error(request, job.result.get("error", ""))
    return redirect("job_detail", pk=job.pk)


class DispatchRebuildView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        # Rebuilding writes the report anew: the same right as building one.
        report = get_allowed(DispatchReport.objects, request.user, "add", pk=pk)
        return _submit_build(request, report.district, report.period_start, report.period_end)


class DispatchDocumentView(LoginRequiredMixin, View):
    """The Word file, through the scope check and the download gate (a report the application made: ``export``)."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        report = get_object_or_404(DispatchReport.objects.restrict(request.user, "view"), pk=pk)
        download_check(request.user, "dispatch_word", report)
        return stored_file_response(report.document, filename=f"{report.title}.docx")


class DispatchMinutesView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        report = get_allowed(DispatchReport.objects, request.user, "change", pk=pk)
        form = MinutesForm(request.POST)
        if form.is_valid():
            dispatch_minutes_set(report=report, minutes=form.cleaned_data["minutes"], user=request.user)
            messages.success(request, _("会议纪要已保存,Word 报告已更新。"))
        return redirect("dispatch_detail", pk=pk)


class DispatchDecisionView(LoginRequiredMixin, View):
    def post(self, request: Any, pk: int) -> HttpResponse:
        report = get_allowed(DispatchReport.objects, request.user, "change", pk=pk)
        ensure_allowed(request.user, "add", report)  # decisions are added under the report
        form = DecisionForm(request.POST, user=request.user, report=report)
        if not form.is_valid():
            messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("dispatch_detail", pk=pk)
        try:
            created = dispatch_decision_add(report=report, user=request.user, **form.cleaned_data)
        except DecisionErrors as error:
            _problem(request, error)
        else:
            kind = _("周任务") if isinstance(created, WeeklyTask) else _("堵点")
            messages.success(request, _("已转为%(kind)s:%(obj)s") % {"kind": kind, "obj": created})
        return redirect("dispatch_detail", pk=pk)


# --- approval time (the −30 % measured) ---------------------------------------------------------------------


class DeliveryTimeView(LoginRequiredMixin, View):
    """审批用时: per step and department, actual working days against the limits and the district's history; per
    project, compression against the serial plan and the history. Every figure opens the steps behind it."""

    def get(self, request: Any) -> HttpResponse:
        districts, district = _district_choice(request)
        if district is None and len(districts) == 1:
            district = districts[0]
        context: dict[str, Any] = {"districts": districts, "district": district}
        if district is not None:
            report = delivery_time_report(request.user, district)
            context.update(report=report, **_time_records(request, district, report))
        return render(request, "projects/delivery_time.html", context)


def _time_records(request: Any, district: District, report: Any) -> dict[str, Any]:
    """The steps behind the figure asked for (?group=step|department|project&key=…&period=after|before)."""
    group, key = request.GET.get("group"), request.GET.get("key", "")
    period = "before" if request.GET.get("period") == "before" else "after"
    keys: list[str] = []
    title = ""
    if group in ("step", "department"):
        groups = report.by_step if group == "step" else report.by_department
        found = next((g for g in groups if g.key == key), None)
        if found is not None:
            keys = found.before_records if period == "before" else found.records
            title = f"{found.label} · {_('基线前') if period == 'before' else _('基线后')}"
    elif group == "project":
        project = next((p for p in report.projects if p.project == key), None)
        if project is not None:
            keys, title = list(project.records), project.project_name
    measured = {t.record.key: t for t in report.steps}
    steps = district_steps(request.user, district).filter(pk__in=[int(k) for k in keys])
    rows = [{"step": s, "time": measured.get(str(s.pk))} for s in steps.order_by("project__name", "module")]
    return {"records": rows, "records_title": title, "records_asked": bool(group)}

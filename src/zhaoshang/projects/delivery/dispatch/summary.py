"""The numbers of a half-monthly dispatch report (半月调度), frozen as JSON by ``dispatch.dispatch_build``.

`dispatch_summary` reads a district's projects in a constant number of queries and returns plain JSON (Chinese
labels: the report is a government document). Thresholds of the 三未 lists are documented in docs/delivery.md
and overridden per district in `district.settings["dispatch"]`.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoshang.core.models import District
from zhaoshang.projects.delivery.blockers import OPEN, level_label
from zhaoshang.projects.fagai_selectors import month_completions
from zhaoshang.projects.models import Blocker, FundsEntry, Origin, Project, StageMove, WeeklyTask
from zhaoshang.projects.stages import stages_for

DISPATCH_DEFAULTS = {
    # 签约未开工: in signed / registered / land, signed at least this many days before the period's end.
    "signed_not_started_days": 0,
    # 开工未推进: started, and no verified stage move for more than this many days.
    "stalled_days": 60,
    # 竣工未投产: completed (verified) more than this many days ago and not yet producing.
    "built_not_completed_days": 90,
    # The reserve pool is kept at least this large (DOMAIN.md §2.9: ≥100 rolling).
    "reserve_minimum": 100,
}
NOT_STARTED_STAGES = ("signed", "registered", "land")


def dispatch_settings(district: District) -> dict[str, int]:
    custom = (district.settings or {}).get("dispatch") or {}
    merged = {**DISPATCH_DEFAULTS, **{k: v for k, v in custom.items() if k in DISPATCH_DEFAULTS}}
    return {k: max(0, int(v)) for k, v in merged.items()}


def _yi(wan: Decimal | None) -> str:
    return str((Decimal(wan or 0) / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _wan(amount: Decimal | None) -> str:
    return str(Decimal(amount or 0).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _days(since: datetime.date | None, until: datetime.date) -> int | None:
    return (until - since).days if since else None


def _department(name: str | None, short: str | None) -> str:
    return short or name or str(_("未指定部门"))


def dispatch_summary(
    *,
    district: District,
    period_start: datetime.date,
    period_end: datetime.date,
    user: Any,
    today: datetime.date | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Every number of the report, as JSON (Chinese labels: the report is a government document)."""
    today = today or timezone.localdate()
    as_of = min(today, period_end + datetime.timedelta(days=1))  # overdue = due before this day
    limits = dispatch_settings(district)
    step = _Steps(progress, 8)
    projects = (
        Project.objects.restrict(user, "view")
        .filter(district=district)
        .exclude(status=Project.Status.TERMINATED)
    )
    with translation.override("zh-hans"):
        stage_labels = {code: str(label) for code, label in stages_for(district)}
        step("项目总体情况")
        by_stage = {
            row["stage"]: row
            for row in projects.order_by()
            .values("stage")
            # A capital increase adds money to its stage, never another project (DOMAIN.md §8).
            .annotate(n=Count("pk", filter=Q(increase_of__isnull=True)), total=Sum("total_investment"))
        }
        stages = [
            {
                "code": code,
                "label": label,
                "count": by_stage.get(code, {}).get("n", 0),
                "investment_yi": _yi(by_stage.get(code, {}).get("total")),
            }
            for code, label in stage_labels.items()
        ]
        totals = {
            "count": sum(row["n"] for row in by_stage.values()),
            "investment_yi": _yi(sum((row["total"] or Decimal(0) for row in by_stage.values()), Decimal(0))),
        }
        step("阶段变更")
        moves = [
            {
                "project_id": m.project_id,
                "project": m.project.name,
                "from": stage_labels.get(m.from_stage, m.get_from_stage_display()),
                "to": stage_labels.get(m.to_stage, m.get_to_stage_display()),
                "date": m.date.isoformat(),
                "verified_by": m.verified_by.get_full_name() or m.verified_by.username
                if m.verified_by
                else "",
            }
            for m in StageMove.objects.restrict(user, "view")
            .filter(project__district=district, verified_at__isnull=False, date__gte=period_start)
            .filter(date__lte=period_end)
            .select_related("project", "verified_by")
            .order_by("date", "pk")
        ]
        step("滞后停滞项目")
        delayed = [
            {
                "project_id": p.pk,
                "project": p.name,
                "stage": stage_labels.get(p.stage, p.stage),
                "status": str(p.get_status_display()),
                "reason": p.status_reason,
            }
            for p in projects.filter(status__in=[Project.Status.DELAYED, Project.Status.STALLED]).order_by(
                "-status", "name"
            )
        ]
        step("三未项目")
        sanwei = _sanwei(projects, stage_labels, limits, period_end, as_of)
        step("逾期任务")
        tasks = (
            WeeklyTask.objects.restrict(user, "view")
            .filter(project__in=projects, due_date__lt=as_of)
            .exclude(status=WeeklyTask.Status.DONE)
            .order_by()
            .values("department__name", "department__short_name")
            .annotate(n=Count("pk"))
        )
        overdue_tasks = sorted(
            (
                {
                    "department": _department(r["department__name"], r["department__short_name"]),
                    "overdue": r["n"],
                }
                for r in tasks
            ),
            key=lambda r: (-r["overdue"], r["department"]),
        )
        step("未销号堵点")
        blockers = _blockers(user, projects, as_of)
        step("资金到位")
        funds = _funds(user, district, period_start, period_end)
        step("项目储备")
        reserve_count = by_stage.get("reserve", {}).get("n", 0)
        reserve = {
            "count": reserve_count,
            "minimum": limits["reserve_minimum"],
            "met": reserve_count >= limits["reserve_minimum"],
            "gap": max(0, limits["reserve_minimum"] - reserve_count),
        }
    return {
        "version": 1,
        "district": {"id": district.pk, "adcode": district.adcode, "name": district.name},
        "period": {
            "start": period_start.isoformat(),
            "end": period_end.isoformat(),
            "as_of": as_of.isoformat(),
        },
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "thresholds": limits,
        "stages": stages,
        "totals": totals,
        "moves": moves,
        "delayed": delayed,
        "sanwei": sanwei,
        "tasks": {"overdue_total": sum(r["overdue"] for r in overdue_tasks), "by_department": overdue_tasks},
        "blockers": blockers,
        "funds": funds,
        "reserve": reserve,
        # 发改: the month's verified 完成投资 per project that has one, with 1–N月 and 投资完成率.
        "completions": month_completions(user, projects, period_end),
    }


class _Steps:
    def __init__(self, progress: Any, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, message: str) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total, message)
        self.done += 1


def _sanwei(
    projects: Any, labels: dict[str, str], limits: dict[str, int], end: datetime.date, as_of: datetime.date
) -> dict[str, list[dict[str, Any]]]:
    """三未: signed-not-started, started-not-progressing, built-not-completed (thresholds in `limits`)."""
    verified = Q(moves__verified_at__isnull=False)
    signed = []
    for p in projects.filter(stage__in=NOT_STARTED_STAGES).order_by("signed_date", "name"):
        days = _days(p.signed_date, end)
        if days is not None and days < limits["signed_not_started_days"]:
            continue
        signed.append(
            {
                "project_id": p.pk,
                "project": p.name,
                "stage": labels.get(p.stage, p.stage),
                "signed_date": _iso(p.signed_date),
                "days": days,
                "promised_start": _iso(p.promised_start_date),
                "past_promised_start": bool(p.promised_start_date and p.promised_start_date < as_of),
            }
        )
    started = []
    for p in (
        projects.filter(stage="started")
        .annotate(last_move=Max("moves__date", filter=verified))
        .order_by("started_date", "name")
    ):
        since = (
            max(d for d in (p.last_move, p.started_date) if d) if (p.last_move or p.started_date) else None
        )
        days = _days(since, end)
        if days is not None and days <= limits["stalled_days"]:
            continue
        started.append(
            {
                "project_id": p.pk,
                "project": p.name,
                "started_date": _iso(p.started_date),
                "last_move": _iso(p.last_move),
                "days": days,
            }
        )
    built = []
    for p in (
        projects.filter(stage="completed")
        .annotate(completed_on=Max("moves__date", filter=verified & Q(moves__to_stage="completed")))
        .order_by("completed_on", "name")
    ):
        days = _days(p.completed_on, end)
        if days is not None and days <= limits["built_not_completed_days"]:
            continue
        built.append(
            {"project_id": p.pk, "project": p.name, "completed_date": _iso(p.completed_on), "days": days}
        )
    return {"signed_not_started": signed, "started_not_progressing": started, "built_not_completed": built}


def _blockers(user: Any, projects: Any, as_of: datetime.date) -> dict[str, Any]:
    items = []
    by_department: dict[str, dict[str, Any]] = {}
    rows = (
        Blocker.objects.restrict(user, "view")
        .filter(project__in=projects, status__in=OPEN)
        .select_related("project", "department")
        .order_by("-level", "deadline", "pk")
    )
    for b in rows:
        overdue = b.deadline is not None and b.deadline < as_of
        department = _department(b.department.name, b.department.short_name) if b.department else "未交办"
        items.append(
            {
                "project_id": b.project_id,
                "project": b.project.name,
                "title": b.title,
                "department": department,
                "deadline": _iso(b.deadline),
                "status": str(b.get_status_display()),
                "level": b.level,
                "level_label": level_label(b.level),
                "overdue": overdue,
            }
        )
        row = by_department.setdefault(
            department, {"department": department, "open": 0, "overdue": 0, "level": 0}
        )
        row["open"] += 1
        row["overdue"] += int(overdue)
        row["level"] = max(row["level"], b.level)
    return {
        "open_total": len(items),
        "overdue_total": sum(int(i["overdue"]) for i in items),
        "by_department": sorted(by_department.values(), key=lambda r: (-r["open"], r["department"])),
        "items": items,
    }


def _funds(user: Any, district: District, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    sums = {
        row["origin"]: row["total"]
        for row in FundsEntry.objects.restrict(user, "view")
        .filter(project__district=district, date__gte=start, date__lte=end)
        .order_by()
        .values("origin")
        .annotate(total=Sum("amount"))
    }
    by_origin = [
        {
            "origin": code,
            "label": str(label),
            "amount_wan": _wan(sums.get(code)),
            "highlight": code == Origin.OUTSIDE_PROVINCE,
        }
        for code, label in Origin.choices
    ]
    return {
        "total_wan": _wan(sum((v or Decimal(0) for v in sums.values()), Decimal(0))),
        "out_of_province_wan": _wan(sums.get(Origin.OUTSIDE_PROVINCE)),
        "by_origin": by_origin,
    }

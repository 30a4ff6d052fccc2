"""Writes on the 发改 side of a project: the monthly 完成投资 ledger, reported and verified by someone else.

A month's figure counts (投资完成率, the dashboards, the dispatch report) only once a reviewer other than its reporter
has verified it, as a stage move does. Changing a verified figure sends it back for verification. Listings (the
yearly lists a project is on) are plain audited records edited through the generic pages and the API."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.projects.models import InvestmentCompletion, Project


class CompletionError(ValueError):
    pass


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise CompletionError(_("请填写当月完成投资(万元)。")) from None
    if not amount.is_finite() or amount < 0:
        raise CompletionError(_("完成投资不能为负数。"))
    return amount


def _data(entry: InvestmentCompletion, **extra: Any) -> dict[str, Any]:
    return {"completion": entry.pk, "month": entry.month, "amount": entry.amount, **extra}


def completion_report(
    *, project: Project, user: Any, month: datetime.date, amount: Any, note: str = "", channel: str = "web"
) -> InvestmentCompletion:
    """Report (or correct) a project's 完成投资 for a month; it waits for a reviewer. Re-reporting a verified month
    with a different amount sends it back to review; the same amount changes nothing."""
    value = _amount(amount)
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise CompletionError(_("不能填报未来月份的完成投资。"))
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "change", project)
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.status == Project.Status.TERMINATED:
            raise CompletionError(_("项目已终止,不能填报完成投资。"))
        entry = InvestmentCompletion.objects.filter(project=project, month=month).first()
        if entry is not None and entry.amount == value and entry.note == note.strip()[:200]:
            return entry
        entry = entry or InvestmentCompletion(project=project, month=month)
        entry.amount, entry.note = value, note.strip()[:200]
        _await_review(entry, user)
        entry.full_clean()
        entry.save()
        action_log(project, "completion_report", user=user, data=_data(entry))
        return entry


def _await_review(entry: InvestmentCompletion, user: Any) -> None:
    """The figure is (again) this person's report, waiting for someone else to verify it."""
    entry.reported_by = user
    entry.verified_by, entry.verified_at = None, None


def completion_verify(
    *, entry: InvestmentCompletion, user: Any, approve: bool = True, reason: str = ""
) -> InvestmentCompletion | None:
    """A reviewer confirms the month's figure (it counts from now on) or sends it back with a reason (the report is
    withdrawn; its history and the reason stay in the audit log). Nobody verifies their own report."""
    with transaction.atomic(), acting_as(user, "web"):
        entry = InvestmentCompletion.objects.select_for_update().select_related("project").get(pk=entry.pk)
        ensure_allowed(user, "verify", entry.project)
        if entry.verified:
            raise CompletionError(_("该月完成投资已核实。"))
        if entry.reported_by_id == user.pk and not user.is_superuser:
            raise CompletionError(_("填报人不能核实自己填报的完成投资。"))
        if approve:
            entry.verified_by, entry.verified_at = user, timezone.now()
            entry.save()
            action_log(entry.project, "completion_verify", user=user, data=_data(entry))
            return entry
        if not reason.strip():
            raise CompletionError(_("退回须写明原因。"))
        action_log(entry.project, "completion_reject", user=user, data=_data(entry, reason=reason.strip()))
        entry.delete()
        return None


def completions_verify_batch(*, entries: Any, user: Any) -> tuple[int, list[str]]:
    """Verify several months at once (the review queue's batch): each as `completion_verify` would, one's own
    reports refused. Returns how many were verified and the refusals (project month: reason)."""
    done, refused = 0, []
    for entry in sorted(entries, key=lambda e: (e.project_id, e.month)):
        try:
            completion_verify(entry=entry, user=user, approve=True)
        except CompletionError as error:
            refused.append(f"{entry.project.name} {entry.month:%Y-%m}:{error}")
        else:
            done += 1
    return done, refused


def completion_save(form: Any, user: Any) -> InvestmentCompletion:
    """The saver of the generic form: a new or changed figure is the editor's report, waiting for review."""
    return completion_write(form.save(commit=False), user, "web")


def completion_write(entry: InvestmentCompletion, user: Any, channel: str) -> InvestmentCompletion:
    """The API's (and the form's) writer: as `completion_report`, keeping a verified figure that did not change."""
    with transaction.atomic(), acting_as(user, channel):
        if entry.month is not None:
            entry.month = month_start(entry.month)
        before = InvestmentCompletion.objects.filter(pk=entry.pk).first() if entry.pk else None
        changed = before is None or before.amount != entry.amount or before.month != entry.month
        if changed:
            _await_review(entry, user)
        entry.full_clean()
        if entry.month > month_start(timezone.localdate()):
            raise ValidationError({"month": _("不能填报未来月份的完成投资。")})
        entry.save()
        ensure_allowed(user, "add" if before is None else "change", entry)
        if changed:
            action_log(entry.project, "completion_report", user=user, channel=channel, data=_data(entry))
        return entry

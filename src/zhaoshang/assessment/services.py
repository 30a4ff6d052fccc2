"""Assessment writes: vertical reporting — a district's (or zone's) month submitted to its city and verified or
returned there, the city's roll-up of verified district months submitted to the province and verified or
returned there. Audited (history and a named action each); nobody verifies their own submission."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.assessment.models import DueDay, MonthlySubmission
from zhaoshang.assessment.submissions import add_figures, can_verify, month_figures, month_first
from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as, current_channel
from zhaoshang.core.models import City, District
from zhaoshang.core.scope import covers_city, ensure_level_right, user_scope


def _check_month(month: datetime.date) -> datetime.date:
    month = month_first(month)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError(_("尚未开始的月份不能报送。"))
    return month


def _save(
    submission: MonthlySubmission, figures: dict[str, Any], user: Any, channel: str, action: str
) -> MonthlySubmission:
    if submission.pk and submission.status == MonthlySubmission.Status.VERIFIED:
        raise ValidationError(_("该月报已审核通过,不能再报送。"))
    with transaction.atomic(), acting_as(user, channel):
        submission.figures = figures
        submission.status = MonthlySubmission.Status.SUBMITTED
        submission.submitted_by = user
        submission.submitted_at = timezone.now()
        submission.verified_by, submission.verified_at, submission.return_reason = None, None, ""
        submission.save()
        data = {"month": submission.month, "level": submission.level, "figures": figures}
        action_log(submission, action, user=user, data=data, district=submission.district_id)
    return submission


def district_submit(
    *, user: Any, district: District, month: datetime.date, channel: str | None = None
) -> MonthlySubmission:
    """Submit (or, after a return, submit again) the district's month: its figures frozen as they are now."""
    if not user_scope(user, "change").allows(district.pk):
        raise Http404
    month = _check_month(month)
    figures = month_figures([district.pk], month)[district.pk]
    with transaction.atomic():
        submission = (
            MonthlySubmission.objects.select_for_update()
            .order_by("pk")
            .filter(level="district", district=district, month=month)
            .first()
        ) or MonthlySubmission(level="district", district=district, city_id=district.city_id, month=month)
        return _save(submission, figures, user, channel or current_channel(), "report_submit")


def city_submit(
    *, user: Any, city: City, month: datetime.date, channel: str | None = None
) -> MonthlySubmission:
    """Submit the city's month to the province: the sum of its districts' and zones' verified submissions. Every
    district and zone of the city must have one (a month without activity is reported as zeros)."""
    if not covers_city(user, "change", city):
        raise Http404
    month = _check_month(month)
    with transaction.atomic():
        verified = dict(
            MonthlySubmission.objects.filter(
                level="district", city=city, month=month, status=MonthlySubmission.Status.VERIFIED
            ).values_list("district", "figures")
        )
        missing = list(
            District.objects.filter(city=city).exclude(pk__in=list(verified)).values_list("name", flat=True)
        )
        if missing:
            raise ValidationError(
                _("以下区县/功能区的月报尚未审核通过:%(names)s") % {"names": "、".join(missing)}
            )
        figures = add_figures(list(verified.values()))
        figures["districts"] = len(verified)
        submission = (
            MonthlySubmission.objects.select_for_update()
            .order_by("pk")
            .filter(level="city", city=city, month=month)
            .first()
        ) or MonthlySubmission(level="city", city=city, month=month)
        return _save(submission, figures, user, channel or current_channel(), "report_submit")


def _decide(submission: MonthlySubmission, user: Any) -> MonthlySubmission:
    """The submission locked for a decision, after the checks every decision shares."""
    if not can_verify(user, submission):
        raise Http404
    locked = MonthlySubmission.objects.select_for_update().order_by("pk").get(pk=submission.pk)
    if locked.status != MonthlySubmission.Status.SUBMITTED:
        raise ValidationError(_("只有待审核的月报可以审核或退回。"))
    if locked.submitted_by_id == user.pk:
        raise ValidationError(_("报送人不能审核自己报送的月报。"))
    return locked


def submission_verify(
    *, user: Any, submission: MonthlySubmission, channel: str | None = None
) -> MonthlySubmission:
    """The level above accepts the month: its frozen figures now count in the roll-up above."""
    with transaction.atomic(), acting_as(user, channel or current_channel()):
        locked = _decide(submission, user)
        locked.status = MonthlySubmission.Status.VERIFIED
        locked.verified_by, locked.verified_at = user, timezone.now()
        locked.save()
        action_log(
            locked, "report_verify", user=user, data={"month": locked.month}, district=locked.district_id
        )
    return locked


def submission_return(
    *, user: Any, submission: MonthlySubmission, reason: str, channel: str | None = None
) -> MonthlySubmission:
    """The level above sends the month back with a reason; the unit corrects its data and submits again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("退回须说明原因。"))
    with transaction.atomic(), acting_as(user, channel or current_channel()):
        locked = _decide(submission, user)
        locked.status = MonthlySubmission.Status.RETURNED
        locked.verified_by, locked.verified_at = user, timezone.now()
        locked.return_reason = reason[:500]
        locked.save()
        data = {"month": locked.month, "reason": locked.return_reason}
        action_log(locked, "report_return", user=user, data=data, district=locked.district_id)
    return locked


def due_day_set(*, user: Any, day: int, city: City | None = None, province: Any = None) -> DueDay:
    """Set the day of the following month by which the level below reports (audited): a city's for its
    districts and zones — its supervisor or the province; a province's for its cities — the province
    (`ensure_level_right`: 403 with the reason inside one's scope, 404 for a city one does not see)."""
    if (city is None) == (province is None):
        raise ValueError("a city or a province")
    ensure_level_right(user, "verify", city, what=_("月报截止日"), shown_as="change")
    with transaction.atomic(), acting_as(user, current_channel()):
        record = DueDay.objects.filter(city=city, province=province).first() or DueDay(
            city=city, province=province
        )
        record.day = day
        record.full_clean()
        record.save()
    return record

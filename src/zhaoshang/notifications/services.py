"""Writes of notifications: the run (rules → inbox rows → deliveries → sends), reading, preferences, channels.

`notify_run` is what the worker's schedule, the `notify-run` job and `zhaoshang notify` call. It is idempotent:
inbox rows and deliveries are unique per (rule, event, person or group, channel) and are inserted with
conflicts ignored, so a second run — or two workers at once — adds nothing; a delivery is sent only by the
process whose claim returned it. Sending (`notifications.sending`) works in chunks: one claim, one SMTP
connection, one insert of the attempts and one or two updates per chunk. A failed send is tried again after a
growing pause, at most `ZHAOSHANG_NOTIFY_MAX_ATTEMPTS` times; every try is logged.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import District, Job, RoleAssignment, UserProfile
from zhaoshang.core.scope import ensure_allowed, user_scope
from zhaoshang.notifications.channels import SENDERS, Message, SendError
from zhaoshang.notifications.models import (
    DIGEST,
    ChannelConfig,
    ChannelKind,
    Delivery,
    Notification,
    Preference,
    Rule,
    RuleSetting,
)
from zhaoshang.notifications.rules import DEFAULT_LEAD_DAYS, RULES, Event, RuleContext
from zhaoshang.notifications.sending import RunReport, deliveries_send

logger = logging.getLogger(__name__)

BATCH = 2000


def _subject(title: str) -> str:
    """Mail and group messages start with 【招商提醒】: robots with a keyword filter (自定义关键词) pass them."""
    return (_("【招商提醒】") + title)[:300]


# --- who is told --------------------------------------------------------------------------------------------


class Recipients:
    """Resolves an event's people with a fixed number of queries per run (staff per department, verifiers per
    district, who may see which district), and keeps only people who may see the event's district."""

    def __init__(self, district_ids: Iterable[int]) -> None:
        ids = list(district_ids)
        User = get_user_model()
        self.active = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
        self.staff: dict[int, list[int]] = defaultdict(list)  # department id → user ids (same district)
        for user_id, department_id in UserProfile.objects.filter(
            district_id__in=ids, department__district_id=F("district_id"), user__is_active=True
        ).values_list("user_id", "department_id"):
            self.staff[department_id].append(user_id)
        self._users = {u.pk: u for u in User.objects.filter(pk__in=self.active)}
        self._seen: dict[tuple[int, int], bool] = {}
        self.verifiers: dict[int, set[int]] = defaultdict(set)
        everywhere: set[int] = set()
        assignments = RoleAssignment.objects.filter(user__is_active=True).select_related("role")
        # A city's supervisors verify every district and zone of their cities (a province's instance).
        for assignment in assignments.prefetch_related("districts", "cities__districts"):
            if "verify" not in assignment.role.actions:
                continue
            if assignment.all_districts:
                everywhere.add(assignment.user_id)
            else:
                for district in assignment.districts.all():
                    self.verifiers[district.pk].add(assignment.user_id)
                for city in assignment.cities.all():
                    for district in city.districts.all():
                        self.verifiers[district.pk].add(assignment.user_id)
        for district_id in ids:
            self.verifiers[district_id] |= everywhere

    def user(self, pk: int) -> Any:
        return self._users.get(pk)

    def may_see(self, user_id: int, district_id: int) -> bool:
        key = (user_id, district_id)
        if key not in self._seen:  # asked once per person and district, not once per event
            user = self._users.get(user_id)
            self._seen[key] = user is not None and user_scope(user, "view").allows(district_id)
        return self._seen[key]

    def of(self, event: Event) -> list[int]:
        people: list[int] = list(event.persons)
        if not people and event.department_id:
            people = list(self.staff.get(event.department_id, []))
        if event.verifiers:
            people += sorted(self.verifiers.get(event.district_id, set()))
        people += list(event.also)
        chosen = dict.fromkeys(p for p in people if p not in event.exclude)
        return [p for p in chosen if p in self.active and self.may_see(p, event.district_id)]


# --- the run ------------------------------------------------------------------------------------------------


def rule_settings(districts: Iterable[District]) -> dict[str, dict[int, int]]:
    """rule → {district id → lead days} for the districts where it is on (defaults where nothing is set)."""
    ids = [d.pk for d in districts]
    chosen = {(s.district_id, s.rule): s for s in RuleSetting.objects.filter(district_id__in=ids)}
    result: dict[str, dict[int, int]] = {}
    for rule in Rule.values:
        lead: dict[int, int] = {}
        for district_id in ids:
            setting = chosen.get((district_id, rule))
            if setting is None:
                lead[district_id] = DEFAULT_LEAD_DAYS[rule]
            elif setting.enabled:
                lead[district_id] = setting.lead_days
        result[rule] = lead
    return result


def _existing(model: Any, fields: tuple[str, ...], keys: list[tuple[Any, ...]], **fixed: Any) -> set[tuple]:
    """Which of these keys are already stored; a bounded number of queries per batch."""
    found: set[tuple] = set()
    by_event: dict[str, list[tuple]] = defaultdict(list)
    for key in keys:
        by_event[key[0]].append(key)
    event_keys = list(by_event)
    for start in range(0, len(event_keys), BATCH):
        chunk = event_keys[start : start + BATCH]
        found |= set(model.objects.filter(event_key__in=chunk, **fixed).values_list("event_key", *fields))
    return found


def notify_run(
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    district: District | None = None,
    districts: Iterable[District] | None = None,
    dry_run: bool = False,
    send: bool = True,
) -> dict[str, Any]:
    """Run every rule once, store what is new, then send what is due (see the module's docstring)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if districts is not None:
        districts = list(districts)
    else:
        districts = [district] if district is not None else list(District.objects.all())
    report = RunReport(date=today.isoformat(), dry_run=dry_run)
    settings_by_rule = rule_settings(districts)
    recipients = Recipients(d.pk for d in districts)
    channels = list(ChannelConfig.objects.filter(active=True, district__in=districts))
    preferences = {p.user_id: p for p in Preference.objects.all()}
    # A dry run writes nothing, not even the system actor's account.
    with acting_as(system_actor("notify"), "job") if not dry_run else contextlib.nullcontext():
        for rule, lead in settings_by_rule.items():
            if not lead:
                continue
            events = list(RULES[rule](RuleContext(today=today, lead=lead), districts))
            report.events[rule] = len(events)
            _store(rule, events, recipients, channels, preferences, report, now=now, dry_run=dry_run)
        if not dry_run:
            report.digests = _digests(today, now, recipients, preferences)
            if send:
                deliveries_send(now=now, report=report)
    return report.as_dict()


def _store(
    rule: str,
    events: list[Event],
    recipients: Recipients,
    channels: list[ChannelConfig],
    preferences: dict[int, Preference],
    report: RunReport,
    *,
    now: datetime.datetime,
    dry_run: bool,
) -> None:
    for start in range(0, len(events), BATCH):
        chunk = events[start : start + BATCH]
        pairs = [(event, user_id) for event in chunk for user_id in recipients.of(event)]
        seen = _existing(Notification, ("user_id",), [(e.key, u) for e, u in pairs], rule=rule)
        new = [(e, u) for e, u in pairs if (e.key, u) not in seen]
        groups = [(e, c) for e in chunk for c in channels if _group_takes(c, e)]
        sent_groups = _existing(
            Delivery, ("recipient",), [(e.key, f"group:{c.pk}") for e, c in groups], rule=rule
        )
        new_groups = [(e, c) for e, c in groups if (e.key, f"group:{c.pk}") not in sent_groups]
        report.notifications += len(new)
        mails = [(e, u) for e, u in new if _mail_each(recipients.user(u), preferences.get(u), rule)]
        report.deliveries += len(mails) + len(new_groups)
        if dry_run:
            continue
        with transaction.atomic():
            Notification.objects.bulk_create(
                [
                    Notification(
                        user_id=u,
                        district_id=e.district_id,
                        rule=rule,
                        event_key=e.key,
                        title=e.title[:300],
                        body=e.body,
                        url=e.url[:300],
                        due=e.due,
                    )  # fmt: skip
                    for e, u in new
                ],
                ignore_conflicts=True,
            )
            deliveries = [
                Delivery(
                    rule=rule,
                    event_key=e.key,
                    recipient=f"user:{u}",
                    channel="email",
                    user_id=u,
                    district_id=e.district_id,
                    address=recipients.user(u).email,
                    subject=e.title[:300],
                    body=e.body,
                    url=e.url[:300],
                    next_attempt_at=now,
                )  # fmt: skip
                for e, u in mails
            ]
            deliveries += [
                Delivery(
                    rule=rule,
                    event_key=e.key,
                    recipient=f"group:{c.pk}",
                    channel=c.kind,
                    config=c,
                    district_id=e.district_id,
                    address=c.target,
                    subject=e.title[:300],
                    body=e.body,
                    url=e.url[:300],
                    next_attempt_at=now,
                )  # fmt: skip
                for e, c in new_groups
            ]
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)


def _group_takes(config: ChannelConfig, event: Event) -> bool:
    if config.district_id != event.district_id or not config.takes(event.rule):
        return False
    return config.department_id is None or config.department_id == event.department_id


def _mail_each(user: Any, preference: Preference | None, rule: str) -> bool:
    """A single mail for this event: the person has an address, mail on, no digest, the rule not muted."""
    if user is None or not user.email:
        return False
    if preference is None:
        return True
    return preference.email and not preference.digest and rule not in (preference.muted or [])


def _digests(
    today: datetime.date, now: datetime.datetime, recipients: Recipients, preferences: dict[int, Preference]
) -> int:
    """Once a day from `ZHAOSHANG_NOTIFY_DIGEST_HOUR` (local time): one mail per person who chose the digest,
    with their inbox items not yet in a digest."""
    if timezone.localtime(now).hour < int(settings.ZHAOSHANG_NOTIFY_DIGEST_HOUR):
        return 0
    made = 0
    for user_id, preference in preferences.items():
        user = recipients.user(user_id)
        if not (preference.digest and preference.email and user is not None and user.email):
            continue
        items = Notification.objects.filter(user_id=user_id, digest__isnull=True).exclude(
            rule__in=preference.muted or []
        )
        rows = list(items.order_by("due", "pk")[:200])
        if not rows:
            continue
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(
                rule=DIGEST,
                event_key=today.isoformat(),
                recipient=f"user:{user_id}",
                channel="email",
                defaults={
                    "user_id": user_id,
                    "address": user.email,
                    "subject": _("招商平台每日提醒汇总(%(date)s,%(n)s 条)") % {"date": today, "n": len(rows)},
                    "body": "\n".join(f"· {n.title} — {n.body}" if n.body else f"· {n.title}" for n in rows),
                    "next_attempt_at": now,
                },
            )
            if created:
                Notification.objects.filter(pk__in=[n.pk for n in rows]).update(digest=delivery)
                made += 1
    return made


# --- the job and its schedule -------------------------------------------------------------------------------


@job_runner("notify-run", retry_safe=True)
def run_notify(job: Job, progress: Any) -> dict[str, Any]:
    """Params: `date` (ISO, optional: today)."""
    date = job.params.get("date")
    return notify_run(today=datetime.date.fromisoformat(date) if date else None)


# --- what people do -----------------------------------------------------------------------------------------


def notification_mark_read(*, user: Any, pk: int | None = None) -> int:
    """Mark one of the user's notifications read (or all of them); only the user's own rows are touched."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())


def preference_save(
    *, user: Any, email: bool, digest: bool, muted: list[str], channel: str = "web"
) -> Preference:
    muted = [m for m in muted if m in Rule.values]
    with acting_as(user, channel), transaction.atomic():
        preference, _created = Preference.objects.get_or_create(user=user)
        preference.email, preference.digest, preference.muted = email, digest, muted
        preference.save()
    return preference


def channel_save(*, form: Any, user: Any, channel: str = "web") -> ChannelConfig:
    """Save a channel configuration an administrator edited; the district must be one they may change."""
    with acting_as(user, channel), transaction.atomic():
        config = form.save(commit=False)
        ensure_allowed(user, "change", config)
        config.save()
    return config


def channel_delete(*, config: ChannelConfig, user: Any, channel: str = "web") -> None:
    with acting_as(user, channel), transaction.atomic():
        ensure_allowed(user, "change", config)
        config.delete()


def rule_setting_save(
    *, user: Any, district: District, rule: str, enabled: bool, lead_days: int, channel: str = "web"
) -> RuleSetting:
    with acting_as(user, channel), transaction.atomic():
        ensure_allowed(user, "change", district)
        setting, _created = RuleSetting.objects.get_or_create(
            district=district, rule=rule, defaults={"enabled": enabled, "lead_days": lead_days}
        )
        if (setting.enabled, setting.lead_days) != (enabled, lead_days):
            setting.enabled, setting.lead_days = enabled, lead_days
            setting.save()
    return setting


def channel_test(*, config: ChannelConfig, user: Any) -> str:
    """Send a test message through a channel now; returns "" or the error."""
    ensure_allowed(user, "change", config)
    sender = SENDERS[config.kind if config.kind != ChannelKind.EMAIL else "email"]
    try:
        sender(
            Message(
                address=config.target,
                subject=_("招商平台测试消息"),
                body=_("这是一条测试消息:%(name)s") % {"name": config.name},
                secret=config.secret,
            )
        )
    except SendError as error:
        return str(error)
    return ""

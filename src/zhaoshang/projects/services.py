"""Writes on projects: honest counting, evidence-backed stage moves verified by a reviewer, funds in place."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as
from zhaoshang.core.scope import ensure_allowed, user_scope
from zhaoshang.projects.duplicates import duplicate_matches
from zhaoshang.projects.models import FundsEntry, Project, StageMove
from zhaoshang.projects.stages import EVIDENCE_HINTS, VERIFIED_STAGES, stage_index


class ProjectError(ValueError):
    pass


LEDGER_EVIDENCE = "台账导入"  # the evidence note of a stage claimed by an imported ledger


def project_duplicates(
    *,
    district_id: int,
    name: str,
    investor_uscc: str = "",
    project_code: str = "",
    exclude: int | None = None,
) -> list[Project]:
    """Projects already on the books that may be this one, strongest first (``projects.duplicates``): the same
    项目代码, a name contained in the other or near-same, the same investor USCC.

    A project counts once, at its first signing; a second record of the same project would count twice."""
    found = duplicate_matches(
        district_id=district_id,
        name=name,
        investor_uscc=investor_uscc,
        project_code=project_code,
        exclude=exclude,
    )
    ids = [m.project_id for m in found if m.project_id is not None]
    by_id = Project.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def stage_move_request(
    *,
    project: Project,
    to_stage: str,
    date: datetime.date,
    user: Any,
    note: str = "",
    evidence: Any = None,
    evidence_note: str = "",
) -> StageMove:
    """Ask to move a project; stages that count need evidence and wait for a reviewer before they take effect."""
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", project)
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.status == Project.Status.TERMINATED:
            raise ProjectError(_("项目已终止,不能变更阶段。"))
        if to_stage == project.stage:
            raise ProjectError(_("项目已在该阶段。"))
        if project.moves.filter(verified_at__isnull=True, rejected_reason="").exists():
            raise ProjectError(_("还有待审核的阶段变更,请先审核。"))
        forward = stage_index(to_stage) > stage_index(project.stage)
        counted = to_stage in VERIFIED_STAGES and forward
        # A verified stage is locked: stepping back from it waits for a reviewer just as stepping into it did.
        unlocks = not forward and project.stage in VERIFIED_STAGES
        if counted and not evidence and not evidence_note:
            hint = EVIDENCE_HINTS.get(to_stage, "")
            raise ProjectError(_("进入该阶段须提供佐证材料(%(hint)s)。") % {"hint": hint})
        if date > timezone.localdate():
            raise ProjectError(_("发生日期不能晚于今天。"))
        move = StageMove(
            project=project,
            from_stage=project.stage,
            to_stage=to_stage,
            date=date,
            note=note,
            evidence_note=evidence_note,
            requested_by=user,
        )
        if evidence:
            move.evidence = evidence
        move.full_clean()
        move.save()
        applied = not counted and not unlocks
        if applied:
            # Stages that do not count (lead, negotiation, a step back) take effect at once.
            _apply(project, move, user)
        action_log(project, "stage_request", user=user, data=_move_data(move, applied=applied))
        return move


def stage_move_verify(*, move: StageMove, user: Any, approve: bool, reason: str = "") -> StageMove:
    """A reviewer confirms (the move takes effect and is locked) or sends it back with a reason."""
    with transaction.atomic(), acting_as(user, "web"):
        move = StageMove.objects.select_for_update().select_related("project").get(pk=move.pk)
        ensure_allowed(user, "verify", move)  # refused inside the district: 403 "…不能审核阶段变更"
        if not move.pending:
            raise ProjectError(_("该变更已处理。"))
        if move.requested_by_id == user.pk and not user.is_superuser:
            raise ProjectError(_("申报人不能审核自己的申报。"))
        earlier = StageMove.objects.filter(
            project_id=move.project_id, verified_at__isnull=True, rejected_reason="", pk__lt=move.pk
        )
        if approve and earlier.exists():
            # A ledger claims signing and the later stage separately: they take effect in their order.
            raise ProjectError(_("该项目还有更早的待审核申报,请先审核。"))
        if approve:
            _apply(Project.objects.select_for_update().get(pk=move.project_id), move, user)
            action_log(move.project, "stage_verify", user=user, data=_move_data(move))
        else:
            if not reason:
                raise ProjectError(_("退回须写明原因。"))
            move.rejected_reason = reason
            move.save()
            action_log(move.project, "stage_reject", user=user, data=_move_data(move, reason=reason))
        return move


def stage_moves_verify_batch(
    *, moves: Any, user: Any, evidence: Any = None, evidence_note: str = ""
) -> tuple[int, list[str]]:
    """Verify a batch (e.g. the claims of one imported ledger) against the evidence the reviewer checked: the
    file (a scan of the contracts, the signed ledger) or a note of what was checked is kept on every move of
    the batch. Each move is verified as `stage_move_verify` would (not one's own; in each project's order).
    Returns how many were verified and the refusals (project: reason)."""
    note = evidence_note.strip()
    if not evidence and not note:
        raise ProjectError(_("整批核实须上传或写明核对的佐证材料。"))
    done, refused = 0, []
    stored = ""
    for move in sorted(moves, key=lambda m: (m.project_id, m.pk)):
        try:
            with transaction.atomic(), acting_as(user, "web"):
                locked = StageMove.objects.select_for_update().get(pk=move.pk)
                ensure_allowed(user, "verify", locked)
                if locked.pending and (locked.requested_by_id != user.pk or user.is_superuser):
                    if evidence and not locked.evidence:
                        if stored:
                            locked.evidence = stored  # the file stored with the first move
                        else:
                            locked.evidence = evidence
                    if note:
                        locked.evidence_note = f"{locked.evidence_note}；{note}".strip("；")[:200]
                    locked.full_clean()  # the file is checked by its content, as on a single move
                    locked.save()
                    stored = stored or (locked.evidence.name if locked.evidence else "")
                stage_move_verify(move=locked, user=user, approve=True)
        except ProjectError as error:
            refused.append(f"{move.project.name}:{error}")
        else:
            done += 1
    return done, refused


def _move_data(move: StageMove, **extra: Any) -> dict[str, Any]:
    summary = f"{move.get_from_stage_display()} → {move.get_to_stage_display()}({move.date:%Y-%m-%d})"
    if extra.get("reason"):
        summary += f":{extra['reason']}"
    return {
        "move": move.pk,
        "from": move.from_stage,
        "to": move.to_stage,
        "date": move.date,
        "summary": summary,
        **extra,
    }


def _apply(project: Project, move: StageMove, user: Any) -> None:
    """The move takes effect: the project's stage and its signing and start dates change only here, so every
    reader of them (counts, targets, dispatch, forecast) sees verified moves only. A move that passes a stage
    without its own date reached it that day (as the rates read a ladder)."""
    move.verified_by = user
    move.verified_at = timezone.now()
    move.save()
    project.stage = move.to_stage
    reached = stage_index(move.to_stage)
    if reached >= stage_index("signed") and project.signed_date is None:
        project.signed_date = move.date  # the first signing is the one that counts
    if reached >= stage_index("started") and project.started_date is None:
        project.started_date = move.date
    project.save()


def dated_claims(
    project: Project,
    user: Any,
    stage: str | None,
    signed: datetime.date | None,
    dated: dict[str, datetime.date],
) -> list[StageMove]:
    """What an imported ledger says of a project, as claims for a reviewer (DOMAIN.md §8): its stage, and each
    dated stage dated as claimed (a stage without a date: the import's day; the signing on the ledger's signing
    date). A new project is held at 洽谈 until they are verified, so nothing counts before; it is no recorded
    negotiation, and the rates report it as a direct signing. For a project already on the books only the
    stages beyond its stage are claimed, and none it already has a pending claim for."""
    if user is None or not getattr(user, "pk", None):
        return []
    today = timezone.localdate()
    current = project.stage
    pending = set(
        project.moves.filter(verified_at__isnull=True, rejected_reason="").values_list("to_stage", flat=True)
    )
    steps: list[tuple[str, datetime.date]] = []
    if signed is not None and stage_index(current) < stage_index("signed") and stage != "signed":
        steps.append(("signed", min(signed, today)))
    for to_stage in sorted(dated, key=stage_index):
        steps.append((to_stage, dated[to_stage]))
    if stage is not None and stage not in dated:
        steps.append((stage, min(signed, today) if stage == "signed" and signed else today))
    claims, previous = [], current
    for to_stage, day in sorted(steps, key=lambda step: stage_index(step[0])):
        if stage_index(to_stage) <= stage_index(previous) or to_stage in pending:
            continue
        claims.append(
            StageMove.objects.create(
                project=project,
                from_stage=previous,
                to_stage=to_stage,
                date=day,
                evidence_note=LEDGER_EVIDENCE,
                requested_by=user,
            )
        )
        previous = to_stage
    return claims


def project_status_set(
    *,
    project: Project,
    status: str,
    reason: str,
    user: Any,
    terminated_on: datetime.date | None = None,
) -> Project:
    """The typed status. A termination is a dated event (DOMAIN.md §9): ``terminated_on`` as claimed (default
    today), never in the future nor before a verified stage move; its reason is required and who recorded it
    is in the audit history. Periods before that date still count the project."""
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", project)
        given, project = project, Project.objects.select_for_update().get(pk=project.pk)  # as stored
        was_terminated = project.status == Project.Status.TERMINATED
        project.status, project.status_reason = status, reason
        if status == Project.Status.TERMINATED:
            if terminated_on is not None or not was_terminated:
                project.terminated_on = terminated_on or timezone.localdate()
            _check_termination_date(project)
        project.full_clean()
        project.save()
        if status == Project.Status.TERMINATED and not was_terminated:
            _release_sites(project, user)
            action_log(
                project,
                "project_terminate",
                user=user,
                data={
                    "date": project.terminated_on,
                    "reason": reason,
                    "summary": f"{project.terminated_on}:{reason}",
                },
            )
        given.status, given.status_reason, given.terminated_on = status, reason, project.terminated_on
        given.updated = project.updated
    return project


def _check_termination_date(project: Project) -> None:
    day = project.terminated_on
    if day is None:
        return
    if day > timezone.localdate():
        raise ValidationError({"terminated_on": _("终止日期不能晚于今天。")})
    last = (
        project.moves.filter(verified_at__isnull=False)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if last is not None and day < last:
        raise ValidationError(
            {
                "terminated_on": _("终止日期不能早于已核实的阶段变更日期(%(date)s)。")
                % {"date": last.isoformat()}
            }
        )


# What apps above the project library do when a project is dropped (the factor map frees the sites it held).
# Called inside the status change's transaction, in registration order; registered in those apps' registry.py.
_ON_TERMINATED: list[Callable[..., None]] = []


def register_on_terminated(handler: Callable[..., None]) -> None:
    """`handler(project=…, user=…)` runs inside the transaction that terminates a project."""
    if handler not in _ON_TERMINATED:
        _ON_TERMINATED.append(handler)


def _release_sites(project: Project, user: Any) -> None:
    for handler in _ON_TERMINATED:
        handler(project=project, user=user)


def funds_add(
    *,
    project: Project,
    user: Any,
    date: datetime.date,
    amount: Any,
    origin: str,
    kind: str,
    evidence_note: str = "",
) -> FundsEntry:
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", project)
        entry = FundsEntry(
            project=project, date=date, amount=amount, origin=origin, kind=kind, evidence_note=evidence_note
        )
        entry.full_clean()
        entry.save()
        return entry


def can_verify(user: Any, project: Project) -> bool:
    return user_scope(user, "verify").allows(project.district_id)

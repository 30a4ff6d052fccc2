# Projects imported before the counting rule (issue 16) may stand at a counted stage (签约 … 达产) that no verified
# move reached: the old import set the stage and its dates directly. The rates already ignore such a stage (they
# read verified moves only), but the counts of the home page, the funnel, targets and dispatch read the stage and
# the signing and start dates. Each such project is held as a new import is (`services.dated_claims`): at the
# highest stage a verified move reached (洽谈 if none), its signing and start dates cleared unless verified, and
# the stage it stood at claimed as pending moves (the signing on its recorded date, a later stage on its start
# date or the signing date) requested by whoever first recorded the project, so that someone else verifies them
# in the review queue. Projects with a claim already pending, terminated projects and reserve are left alone.

from django.conf import settings
from django.db import migrations

LADDER = "reserve lead negotiation signed registered land started completed production capacity".split()
COUNTED = set(LADDER[LADDER.index("signed") :])
NOTE = "台账导入(计数规则实施前导入,待核实)"  # starts like services.LEDGER_EVIDENCE: read as a ledger claim


def _index(stage):
    return LADDER.index(stage) if stage in LADDER else -1


def hold_unverified(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    StageMove = apps.get_model("projects", "StageMove")
    History = apps.get_model("projects", "HistoricalProject")
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    system = None
    candidates = Project.objects.filter(stage__in=COUNTED).exclude(status="terminated")
    for project in candidates.iterator():
        moves = StageMove.objects.filter(project_id=project.pk)
        if moves.filter(verified_at__isnull=True, rejected_reason="").exists():
            continue  # already waiting in the review queue
        verified = list(moves.filter(verified_at__isnull=False).values_list("to_stage", "date"))
        reached = max((_index(stage) for stage, _date in verified), default=-1)
        if reached >= _index(project.stage):
            continue  # its stage was verified
        held = LADDER[reached] if reached >= _index("negotiation") else "negotiation"
        requester_id = (
            History.objects.filter(id=project.pk, history_user_id__isnull=False)
            .order_by("history_date")
            .values_list("history_user_id", flat=True)
            .first()
        )
        if requester_id is None:
            if system is None:
                system, _created = User.objects.get_or_create(
                    username="system-migrate", defaults={"is_active": False, "first_name": "系统:migrate"}
                )
            requester_id = system.pk
        recorded = project.created.date()
        signed_on = project.signed_date or recorded
        steps = []
        if _index(held) < _index("signed") and project.stage != "signed":
            steps.append(("signed", signed_on))
        if _index(project.stage) >= _index("started") and project.started_date:
            later = project.started_date
        else:
            later = signed_on
        steps.append((project.stage, signed_on if project.stage == "signed" else max(later, signed_on)))
        previous = held
        for to_stage, day in steps:
            StageMove.objects.create(
                project_id=project.pk,
                from_stage=previous,
                to_stage=to_stage,
                date=day,
                evidence_note=NOTE,
                requested_by_id=requester_id,
            )
            previous = to_stage
        Project.objects.filter(pk=project.pk).update(
            stage=held,
            signed_date=project.signed_date if reached >= _index("signed") else None,
            started_date=project.started_date if reached >= _index("started") else None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0014_date_terminations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(hold_unverified, migrations.RunPython.noop),
    ]

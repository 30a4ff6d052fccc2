# Terminations recorded before `Project.terminated_on` existed get the date their audit history shows: the
# first history row of the last run of rows at 终止 (the moment the status became terminated). Their
# history rows from then on carry the date too, so a month rebuilt from the history (`facts_as_of`) knows
# when the project left the counts.

from django.db import migrations
from django.utils import timezone


def date_terminations(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    History = apps.get_model("projects", "HistoricalProject")
    undated = Project.objects.filter(status="terminated", terminated_on__isnull=True)
    for project in undated.iterator():
        rows = list(
            History.objects.filter(id=project.pk)
            .order_by("history_date", "history_id")
            .values_list("history_id", "history_date", "status")
        )
        became = None
        for history_id, when, status in rows:
            if status == "terminated":
                if became is None:
                    became = (history_id, when)
            else:
                became = None  # taken up again: only the last termination counts
        when = became[1] if became is not None else project.updated
        day = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
        Project.objects.filter(pk=project.pk).update(terminated_on=day)
        if became is not None:
            History.objects.filter(
                id=project.pk, status="terminated", history_date__gte=became[1]
            ).update(terminated_on=day)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0013_project_terminated_on"),
    ]

    operations = [
        migrations.RunPython(date_terminations, migrations.RunPython.noop),
    ]

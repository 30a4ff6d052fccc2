import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from zhaoshang.core.jobs import job_live
from zhaoshang.core.models import Job


class Command(BaseCommand):
    help = "List background jobs, or follow one with a progress bar until it finishes (--watch ID)."

    def add_arguments(self, parser):
        parser.add_argument("--watch", type=int, metavar="ID", help="follow this job until it is done")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out)
        if options["watch"]:
            return self._watch(console, options["watch"])
        jobs = Job.objects.select_related("user")[: options["limit"]]
        if options["format"] == "json":
            rows = [
                {
                    "id": j.pk,
                    "kind": j.kind,
                    "title": j.title,
                    "user": j.user.username,
                    "status": j.status,
                    "progress": j.progress,
                    "attempts": j.attempts,
                    "worker": j.worker,
                    "heartbeat_at": timezone.localtime(j.heartbeat_at).isoformat()
                    if j.heartbeat_at
                    else None,
                    "created": timezone.localtime(j.created).isoformat(),
                }
                for j in jobs
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table("ID", "任务", "发起人", "状态", "进度", "创建时间")
        for job in jobs:
            table.add_row(
                str(job.pk),
                job.title,
                job.user.username,
                job.get_status_display(),
                f"{job.progress}%",
                timezone.localtime(job.created).strftime("%Y-%m-%d %H:%M"),
            )
        console.print(table)

    def _watch(self, console, pk):
        try:
            job = Job.objects.get(pk=pk)
        except Job.DoesNotExist:
            raise CommandError(f"没有编号为 {pk} 的任务") from None
        columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%")]
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(job.title, total=100)
            while True:
                job.refresh_from_db()
                job_live(job)
                bar.update(task, completed=job.progress, description=f"{job.title} {job.message}")
                if job.done:
                    break
                time.sleep(0.5)
        if job.status == Job.Status.FAILED:
            raise CommandError(f"任务失败: {job.result.get('error', '')}")
        console.print(f"{job.get_status_display()}: {json.dumps(job.result, ensure_ascii=False)[:500]}")

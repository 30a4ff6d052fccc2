from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the background worker: picks up jobs (imports, recomputations, reports) from the database queue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )

    def handle(self, *args, **options):
        arguments = ["--queue-name", "*", "--interval", str(options["interval"]), "--no-reload"]
        if options["batch"]:
            arguments.append("--batch")
        call_command("db_worker", *arguments)

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhaoshang.analytics.registry import place_industry_matrix, registry_generate


class Command(BaseCommand):
    help = "The national enterprise registry (Parquet): `generate` a synthetic one, or show `info` on the current one."

    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "info"])
        parser.add_argument("-o", "--output", help="Parquet file (default: settings.NATIONAL_REGISTRY)")
        parser.add_argument("--firms", type=int, default=300_000, help="number of firms to generate")
        parser.add_argument("--seed", type=int, default=20240223)

    def handle(self, *args, **options):
        path = Path(options["output"] or settings.NATIONAL_REGISTRY)
        if options["action"] == "generate":
            path.parent.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            registry_generate(path, firms=options["firms"], seed=options["seed"])
            self.stdout.write(
                f"已生成 {options['firms']:,} 家企业 → {path} ({time.perf_counter() - start:.1f} s)"
            )
            return
        if not path.is_file():
            raise CommandError(f"没有全国企业库文件 {path}")
        matrix = place_industry_matrix(path)
        self.stdout.write(
            f"{path}: {int(matrix.values.sum()):,} 家在营企业, {len(matrix.places):,} 个区县, "
            f"{len(matrix.industries):,} 个行业小类"
        )

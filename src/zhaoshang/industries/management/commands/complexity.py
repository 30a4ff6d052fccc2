"""`zhaoshang complexity`: economic complexity of a place × industry panel, file to file, without a database.

    zhaoshang complexity INPUT -o OUTPUT [--time year] [--loc region] [--prod industry] [--val value]
                         [--threshold 1.0] [--strict] [--compat ecomplexity] [--proximity PROX_OUTPUT]

The work is ``zhaoshang.analytics.complexity.files`` (formats, encodings, checks and the streamed output);
this command parses the arguments and reports.
"""

from __future__ import annotations

import time as clock
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoshang.analytics.complexity.engine import ComplexityError
from zhaoshang.analytics.complexity.files import complexity_files


class Command(BaseCommand):
    help = (
        "Economic complexity (RCA, ECI, PCI, proximity, density, COI, COG) of a long place × industry panel "
        "in a CSV or Parquet file; each year on its own. Works on files only, no database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "input", metavar="INPUT", help="FILE.csv or FILE.parquet, one row per time/place/industry"
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="OUTPUT", help="FILE.csv or FILE.parquet"
        )
        parser.add_argument("--time", default="year", help="time column (default year)")
        parser.add_argument("--loc", default="region", help="place column (default region)")
        parser.add_argument("--prod", default="industry", help="industry column (default industry)")
        parser.add_argument("--val", default="value", help="value column (default value)")
        parser.add_argument(
            "--threshold", type=float, default=1.0, help="presence when RCA >= this (default 1)"
        )
        parser.add_argument(
            "--strict", action="store_true", help="presence when RCA > threshold (Stata's rule)"
        )
        parser.add_argument(
            "--compat",
            choices=["ecomplexity"],
            help="reproduce ecomplexity 0.5.3 exactly (its rows and quirks)",
        )
        parser.add_argument(
            "--proximity",
            metavar="PROX_OUTPUT",
            help="also write the industry proximity (time, prod_1, prod_2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = clock.perf_counter()
        target = Path(options["output"])
        try:
            done = complexity_files(
                Path(options["input"]),
                target,
                (options["time"], options["loc"], options["prod"], options["val"]),
                threshold=options["threshold"],
                strict=options["strict"],
                compat=options["compat"],
                proximity_target=Path(options["proximity"]) if options["proximity"] else None,
            )
        except ComplexityError as error:
            raise CommandError(f"{error.zh} — {error.en}") from None
        seconds = clock.perf_counter() - started
        self.stdout.write(
            f"已写出 {target}: {done.rows:,} 行, {done.years} 年, {done.places:,} 个地区, "
            f"{done.industries:,} 个行业, 用时 {seconds:.1f} 秒 — wrote {done.rows:,} rows "
            f"({done.years} years, {done.places:,} places, {done.industries:,} industries) in {seconds:.1f} s"
        )

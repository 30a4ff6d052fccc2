"""The monthly 推进情况表: time to group and sum N projects (pure) and to write the A4 workbook (openpyxl).

.venv/bin/python bench/progress_table.py [N]      # N projects, default 2000; no database needed
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal
from types import SimpleNamespace

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")

import django  # noqa: E402

django.setup()

from zhaoshang.analytics.progress_table import ProjectLine, build_table  # noqa: E402
from zhaoshang.projects.outputs.progress_table import Selection, workbook  # noqa: E402


def main(count: int) -> None:
    lines = [
        ProjectLine(
            f"项目{i}",
            f"3703{i % 12:02d}",
            f"区县{i % 12}",
            i % 12 >= 9,  # three functional zones
            unit="示例单位",
            content="年产" * 10,
            total_investment=Decimal(i * 100 + 5000),
            planned=Decimal(i * 10) if i % 5 else None,
            completed=Decimal(i * 3),
            started=datetime.date(2025, 1, 1),
            progress="在建",
        )
        for i in range(count)
    ]
    start = time.perf_counter()
    table = build_table(lines)
    built = time.perf_counter()
    data = workbook(table, Selection(month=datetime.date(2026, 11, 1), city=SimpleNamespace(name="淄博市")))
    written = time.perf_counter()
    print(
        f"{count} projects: build_table {1000 * (built - start):.1f} ms; "
        f"workbook {1000 * (written - built):.0f} ms, {len(data) // 1024} KiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)

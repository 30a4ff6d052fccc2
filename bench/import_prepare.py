"""The cost of reading officials' tables: the pass that maps headers onto columns and reads cells by their unit
(core/importing/run.py ``prepare``), before django-import-export sees the rows. No database.

    .venv/bin/python bench/import_prepare.py
"""

from __future__ import annotations

import os
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    django.setup()
    import tablib

    from zhaoshang.core.importing import TableLayout, prepare
    from zhaoshang.enterprises.resources import EnterpriseResource
    from zhaoshang.projects.resources import ProjectResource

    headers = ["区县代码", "统一社会信用代码", "企业名称", "成立日期", "注册资本", "实缴资本", "参保人数"]
    rows = [
        ["370305", f"91370305MA3C{i:06d}", f"企业{i}", "2020-01-05", "500万元", 300, 12]
        for i in range(100_000)
    ]
    dataset = tablib.Dataset(*rows, headers=headers)
    start = time.perf_counter()
    prepare(EnterpriseResource(user=None), dataset)
    took = time.perf_counter() - start
    print(f"enterprise, 100,000 rows: {took:.2f} s ({100_000 / took:,.0f} rows/s)")

    headers = ["项目名称", "所在区县(功能区)", "总投资(亿元)", "开工时间"]
    rows = [[f"项目{i}", "临淄区", "8.6", "2024年3月5日"] for i in range(10_000)]
    dataset = tablib.Dataset(*rows, headers=headers)
    dataset.layout = TableLayout(unit="亿元")
    start = time.perf_counter()
    prepared, _found = prepare(ProjectResource(user=None), dataset)
    took = time.perf_counter() - start
    print(
        f"project, 10,000 rows in 亿元: {took:.2f} s ({10_000 / took:,.0f} rows/s); 8.6 → {prepared[0][2]} 万元"
    )


if __name__ == "__main__":
    main()

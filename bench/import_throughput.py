"""Import throughput: our scoped, all-or-nothing import vs plain django-import-export on the same rows.

    .venv/bin/python bench/import_throughput.py [--rows 5000]                       # towns (the first bench)
    .venv/bin/python bench/import_throughput.py --model enterprise --rows 100000    # issue 14's target
    .venv/bin/python bench/import_throughput.py --model enterprise --rows 5000 --generic

Both runs are dry runs (the preview) of the same dataset in the same process and database (a fresh SQLite
file), so the ratio is the cost of scoping, natural-key lookups, validation and the error report against the
library's own row loop.

Enterprise mode: a registry extract as offices receive it (valid USCCs, names, GB/T 4754 classes, adcodes,
capital with units, Chinese dates, status and ownership labels, 是/否, tag lists, top-500 cells, coordinates,
source and date columns) with the columns of ``EnterpriseResource``. The plain contender is a
``ModelResource`` of the same model with the same columns: the library's ``ForeignKeyWidget`` for the district
and the app's cell parsers for the rest (so that both read every cell as valid, and the plain run saves every
row, as the library's dry run does inside a transaction it rolls back), no scope and no model validation (the
library's defaults). ``--generic`` also times our row-by-row run (the fast path switched off) — slow: it saves
and validates each row as the plain run does and more.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def enterprise_rows(count: int, adcode: str, seed: int = 14) -> tuple[list[str], list[list[object]]]:
    """A registry extract of `count` firms of one district, in the columns of EnterpriseResource."""
    from zhaoshang.enterprises.factories import make_uscc

    rng = random.Random(seed)
    headers = [
        "区县代码",
        "统一社会信用代码",
        "企业名称",
        "法定代表人",
        "成立日期",
        "注册资本",
        "实缴资本",
        "参保人数",
        "行业代码",
        "经营范围",
        "地址",
        "所在区划代码",
        "经度",
        "纬度",
        "坐标系",
        "登记状态",
        "企业类型",
        "上市",
        "标签",
        "500强",
        "所属集团",
        "数据来源",
        "数据日期",
    ]
    words = ["齐鲁", "临淄", "齐都", "稷下", "泰和", "鲁中", "华信", "恒通", "宏达", "金岭", "东方", "齐润"]
    trades = ["机器人", "新材料", "化工", "医药", "精密机械", "电子", "纺织", "食品", "物流", "软件"]
    forms = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
    surnames = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
    given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]
    classes = ["3491", "2614", "2710", "3311", "3982", "1713", "1391", "5411", "6513", "3484", "2661", "3599"]
    statuses = ["存续", "在业", "存续", "在业", "注销", "吊销"]
    ownerships = ["民营", "民营", "民营", "国有", "外资", "港澳台", "其他", ""]
    tags = ["", "", "", "专精特新", "高新技术企业", "专精特新、高新技术企业", "链主;规上企业"]
    units = ["万元", "万", "亿元", "元", "万人民币"]
    rows: list[list[object]] = []
    for i in range(count):
        capital = rng.choice([50, 100, 500, 1000, 3000, 5000, 12000])
        unit = rng.choice(units)
        capital_cell = (
            f"{capital / 10000:g}{unit}"
            if unit == "亿元"
            else f"{capital * 10000}{unit}"
            if unit == "元"
            else f"{capital}{unit}"
        )
        year, month, day = rng.randint(1985, 2024), rng.randint(1, 12), rng.randint(1, 28)
        founded = rng.choice(
            [f"{year}年{month}月{day}日", f"{year}-{month:02d}-{day:02d}", f"{year}/{month}/{day}"]
        )
        rows.append(
            [
                adcode,
                make_uscc(1_000_000 + i),
                f"淄博{rng.choice(words)}{rng.choice(trades)}{i:06d}{rng.choice(forms)}",
                rng.choice(surnames) + "".join(rng.choices(given, k=rng.randint(1, 2))),
                founded,
                capital_cell,
                rng.choice(["", f"{capital // 2}万元", capital // 4]),
                rng.choice(["", 0, 3, 12, 45, 180, 620]),
                rng.choice(classes),
                f"{rng.choice(trades)}研发、生产、销售;技术咨询与服务",
                f"山东省淄博市临淄区{rng.choice(words)}路{rng.randint(1, 999)}号",
                rng.choice([adcode, adcode, "370303", ""]),
                round(118.2 + rng.random() * 0.3, 6),
                round(36.7 + rng.random() * 0.2, 6),
                rng.choice(["WGS84", "GCJ-02(高德/腾讯)", ""]),
                rng.choice(statuses),
                rng.choice(ownerships),
                rng.choice(["是", "否", "否", "", "N"]),
                rng.choice(tags),
                rng.choice(["", "", "", "", "中国民营企业500强:2023"]),
                rng.choice(["", "", f"{rng.choice(words)}集团有限公司"]),
                rng.choice(["市场监管局", "企查查", ""]),
                rng.choice(["2024年6月", "2024-06-30", ""]),
            ]
        )
    return headers, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["town", "enterprise"], default="town")
    parser.add_argument("--rows", type=int, default=None, help="rows (default 5,000 towns, 100,000 firms)")
    parser.add_argument("--generic", action="store_true", help="also time our row-by-row run")
    parser.add_argument("--skip-plain", action="store_true", help="time only our run(s)")
    parser.add_argument("--profile", help="write a cProfile of our run to this file")
    parser.add_argument(
        "--demo-cache", help="a SQLite file: reused as the migrated demo database if present, else written"
    )
    args = parser.parse_args()
    rows = args.rows or (5000 if args.model == "town" else 100_000)
    data_dir = tempfile.mkdtemp(prefix="zs-bench-")
    if args.demo_cache and Path(args.demo_cache).exists():
        shutil.copy(args.demo_cache, Path(data_dir) / "zhaoshang.sqlite3")
    os.environ["ZHAOSHANG_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.core.demo import demo_build

    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, rows)
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    if args.demo_cache and Path(args.demo_cache).exists():
        users = {u.username: u for u in get_user_model().objects.all()}
    else:
        with acting_as(system_actor("demo"), "demo"):
            users = demo_build(password="bench-password")["users"]
        if args.demo_cache:
            shutil.copy(Path(data_dir) / "zhaoshang.sqlite3", args.demo_cache)
    if args.model == "town":
        town_bench(rows, users)
    else:
        enterprise_bench(rows, users, generic=args.generic, plain=not args.skip_plain, profile=args.profile)


def town_bench(rows: int, users: dict) -> None:
    import tablib
    from import_export import fields, resources, widgets

    from zhaoshang.core.importing import import_run
    from zhaoshang.core.models import District, Town
    from zhaoshang.core.resources import TownResource

    class PlainTownResource(resources.ModelResource):
        district = fields.Field(
            attribute="district", column_name="区县代码", widget=widgets.ForeignKeyWidget(District, "adcode")
        )
        name = fields.Field(attribute="name", column_name="名称")
        kind = fields.Field(attribute="kind", column_name="类型")
        code = fields.Field(attribute="code", column_name="乡镇代码")

        class Meta:
            model = Town
            fields = ("district", "name", "kind", "code")
            import_id_fields = ("district", "name")

    dataset = tablib.Dataset(headers=["区县代码", "名称", "类型", "乡镇代码"])
    for i in range(rows):
        dataset.append(["370305", f"基准镇{i:06d}", "town", ""])

    start = time.perf_counter()
    plain = PlainTownResource().import_data(dataset, dry_run=True, use_transactions=True)
    baseline = time.perf_counter() - start
    assert not plain.has_errors() and not plain.has_validation_errors()

    user = users["linzi_admin"]
    start = time.perf_counter()
    report = import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=True)
    ours = time.perf_counter() - start
    assert report.ok and report.new == rows, report.issues[:3]
    print(f"import dry run, {rows} town rows (SQLite)")
    _print(rows, baseline, {"zhaoshang import_run": ours})


def enterprise_bench(rows: int, users: dict, *, generic: bool, plain: bool, profile: str | None) -> None:
    import tablib
    from import_export import fields, resources, widgets

    from zhaoshang.core.audit import acting_as
    from zhaoshang.core.importing import import_run
    from zhaoshang.core.models import District
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.enterprises.resources import EnterpriseResource

    user = users["linzi_admin"]
    headers, data = enterprise_rows(rows, "370305")
    dataset = tablib.Dataset(*data, headers=headers)
    print(f"import dry run (preview), {rows} enterprise rows, {len(headers)} columns (SQLite)")
    load = os.getloadavg()
    print(f"  load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    # The same columns through the library's own row loop: its FK widget, the app's cell parsers.
    ours_fields = EnterpriseResource(user=user).fields
    declared = {
        name: fields.Field(attribute=field.attribute, column_name=field.column_name, widget=field.widget)
        for name, field in ours_fields.items()
        if field.attribute and not field.readonly and name != "district"
    }
    declared["district"] = fields.Field(
        attribute="district", column_name="区县代码", widget=widgets.ForeignKeyWidget(District, "adcode")
    )

    def import_instance(self: Any, instance: Any, row: Any, **kwargs: Any) -> None:
        # The one piece of app glue the model needs to save at all: empty text cells are "", not NULL.
        try:
            resources.ModelResource.import_instance(self, instance, row, **kwargs)
        finally:
            for model_field in instance._meta.concrete_fields:
                if model_field.get_internal_type() in ("CharField", "TextField") and not model_field.null:
                    if getattr(instance, model_field.attname) is None:
                        setattr(instance, model_field.attname, "")

    meta = type(
        "Meta", (), {"model": Enterprise, "fields": tuple(declared), "import_id_fields": ("district", "uscc")}
    )
    PlainEnterpriseResource = type(
        "PlainEnterpriseResource",
        (resources.ModelResource,),
        {**declared, "Meta": meta, "import_instance": import_instance},
    )

    times: dict[str, float] = {}
    baseline = None
    if plain:
        start = time.perf_counter()
        with acting_as(user, "import"):  # the model is audited: every save needs an actor
            result = PlainEnterpriseResource().import_data(dataset, dry_run=True, use_transactions=True)
        baseline = time.perf_counter() - start
        assert not result.has_errors() and not result.has_validation_errors(), (
            result.row_errors()[:1] or result.invalid_rows[:1]
        )
        assert result.totals["new"] == rows
    before = Enterprise.objects.count()

    def ours() -> Any:
        return import_run(
            resource=EnterpriseResource(user=user),
            dataset=dataset.__class__(*data, headers=headers),
            user=user,
            dry_run=True,
        )

    start = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        report = profiler.runcall(ours)
        profiler.dump_stats(profile)
    else:
        report = ours()
    times["zhaoshang import_run (fast path)"] = time.perf_counter() - start
    assert report.ok and report.new == rows, report.issues[:3]
    assert Enterprise.objects.count() == before

    if generic:
        resource = EnterpriseResource(user=user)
        resource.fast_import = False
        start = time.perf_counter()
        slow = import_run(
            resource=resource, dataset=tablib.Dataset(*data, headers=headers), user=user, dry_run=True
        )
        times["zhaoshang import_run (row by row)"] = time.perf_counter() - start
        assert slow.ok and slow.new == rows, slow.issues[:3]
        assert [(p["type"], p["repr"]) for p in slow.preview] == [
            (p["type"], p["repr"]) for p in report.preview
        ]
    _print(rows, baseline, times)
    load = os.getloadavg()
    print(f"  load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def _print(rows: int, baseline: float | None, times: dict[str, float]) -> None:
    if baseline is not None:
        print(f"  {'plain django-import-export':34}: {baseline:8.2f} s  ({rows / baseline:8.0f} rows/s)")
    for name, seconds in times.items():
        line = f"  {name:34}: {seconds:8.2f} s  ({rows / seconds:8.0f} rows/s)"
        if baseline is not None:
            line += f"  rows/s ×{baseline / seconds:.2f} of plain (time ratio ours/plain {seconds / baseline:.2f})"
        print(line)


if __name__ == "__main__":
    sys.exit(main())

"""Import throughput: our scoped, all-or-nothing import vs plain django-import-export on the same rows.

    .venv/bin/python bench/import_throughput.py [--rows 5000]

Both runs are dry runs of the same dataset in the same process and database (a fresh SQLite file), so the
ratio is the cost of scoping, natural-key lookups, per-row savepoints and the error report.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    os.environ["ZHAOSHANG_DATA_DIR"] = tempfile.mkdtemp(prefix="zs-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    import django

    django.setup()
    import tablib
    from django.core.management import call_command
    from import_export import fields, resources, widgets

    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.core.demo import demo_build
    from zhaoshang.core.importing import import_run
    from zhaoshang.core.models import District, Town
    from zhaoshang.core.resources import TownResource

    call_command("migrate", verbosity=0)
    with acting_as(system_actor("demo"), "demo"):
        users = demo_build(password="bench-password")["users"]

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
    for i in range(args.rows):
        dataset.append(["370305", f"基准镇{i:06d}", "town", ""])

    start = time.perf_counter()
    plain = PlainTownResource().import_data(dataset, dry_run=True, use_transactions=True)
    baseline = time.perf_counter() - start
    assert not plain.has_errors() and not plain.has_validation_errors()

    user = users["linzi_admin"]
    start = time.perf_counter()
    report = import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=True)
    ours = time.perf_counter() - start
    assert report.ok and report.new == args.rows, report.issues[:3]

    print(f"import dry run, {args.rows} rows (SQLite)")
    print(f"  plain django-import-export : {baseline:7.2f} s  ({args.rows / baseline:8.0f} rows/s)")
    print(f"  zhaoshang import_run       : {ours:7.2f} s  ({args.rows / ours:8.0f} rows/s)")
    print(f"  ratio ours / plain         : {ours / baseline:7.2f}")


if __name__ == "__main__":
    sys.exit(main())

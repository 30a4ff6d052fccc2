"""Concurrent imports on PostgreSQL: an import never pulls the id counter back under rows that another transaction
has drawn ids for and not yet committed (django-import-export's sequence reset did; bench/cluster.py found it)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import psycopg
import pytest
from django.db import connection

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.resources import TownResource

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="sequences and concurrent writers: the PostgreSQL pass runs this",
)


def _towns_xlsx(name: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["区县代码", "名称", "类型", "乡镇代码"])
    book.active.append(["370305", name, "镇", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


INSERT = (
    "INSERT INTO core_town (created, updated, edit_version, district_id, name, kind, code) "
    "VALUES (now(), now(), 1, %s, %s, 'town', '') RETURNING id"
)


def test_an_import_leaves_other_transactions_ids_alone(org: Any, users: Any) -> None:
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )
    district_id = org["linzi_district"].pk
    drawn: list[int] = []

    class Racing(TownResource):
        def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
            # Another import, still inside its transaction, draws an id above this one's rows.
            drawn.append(other.execute(INSERT, (district_id, "并发导入镇一")).fetchone()[0])
            super().after_import(dataset, result, **kwargs)

    try:
        user = users["linzi_admin"]
        dataset = read_table("towns.xlsx", _towns_xlsx("序列测试镇"))
        report = import_run(resource=Racing(user=user), dataset=dataset, user=user, dry_run=False)
        assert report.committed and report.new == 1
        # The other transaction goes on writing: its next id must not be one it already holds.
        drawn.append(other.execute(INSERT, (district_id, "并发导入镇二")).fetchone()[0])
        assert drawn[1] > drawn[0]
    finally:
        other.rollback()
        other.close()

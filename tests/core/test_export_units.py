"""Exports name their units in the headers and write numbers as numbers; the import reads its own export back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project
from zhaoshang.projects.resources import ProjectResource

NAME = "导出单位测试项目"


@pytest.fixture
def project(org: Any, as_test_actor: Any) -> Project:
    return ProjectFactory(
        district=org["linzi_district"],
        name=NAME,
        total_investment=Decimal("1256649.96"),
        first_phase_investment=Decimal("3000"),
        land_mu=Decimal("120.5"),
    )


def _sheet(content: bytes) -> tuple[list[str], list[Any]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    row = next(r for r in rows[1:] if NAME in r)
    return headers, list(row)


def test_export_headers_carry_units_and_numbers_are_numbers(project: Project, client_for: Any) -> None:
    response = client_for("linzi_admin").get(reverse("project_export") + f"?q={NAME}&format=xlsx")
    assert response.status_code == 200
    headers, row = _sheet(response.content)
    assert "总投资(万元)" in headers and "一期投资(万元)" in headers and "用地(亩)" in headers
    assert "总投资" not in headers
    total = row[headers.index("总投资(万元)")]
    assert isinstance(total, int | float) and total == pytest.approx(1256649.96)
    assert row[headers.index("用地(亩)")] == pytest.approx(120.5)
    assert isinstance(row[headers.index("项目名称")], str)
    # CSV: the same headers, the number as written (no apostrophe, no thousands separator).
    text = client_for("linzi_admin").get(reverse("project_export") + f"?q={NAME}&format=csv").content
    reader = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert "总投资(万元)" in reader[0]
    line = next(r for r in reader[1:] if NAME in r)
    assert Decimal(line[reader[0].index("总投资(万元)")]) == Decimal("1256649.96")


def test_the_import_reads_its_own_export_back(project: Project, client_for: Any, users: Any) -> None:
    content = client_for("linzi_admin").get(reverse("project_export") + f"?q={NAME}&format=xlsx").content
    Project.objects.filter(pk=project.pk).update(total_investment=1, land_mu=1)
    user = users["linzi_admin"]
    resource = ProjectResource(user=user, duplicates="update")
    dataset = read_table("export.xlsx", content, key=resource.header_key())
    report = import_run(resource=resource, dataset=dataset, user=user, dry_run=False)
    assert report.ok, report.issues
    assert "总投资(万元)" in report.columns["used"] and "总投资(万元)" not in report.columns["ignored"]
    project.refresh_from_db()
    assert project.total_investment == Decimal("1256649.96")  # read as 万元, never as 元 or 亿元
    assert project.land_mu == Decimal("120.5")
    assert project.first_phase_investment == Decimal("3000")


def test_cli_export_writes_unit_headers(project: Project, tmp_path: Any) -> None:
    output = tmp_path / "projects.xlsx"
    call_command("export", "project", "-o", str(output), "--district", "370305", "--as", "linzi_admin")
    headers, row = _sheet(output.read_bytes())
    assert "总投资(万元)" in headers
    assert row[headers.index("总投资(万元)")] == pytest.approx(1256649.96)

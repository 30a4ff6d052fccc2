"""An export takes the rows on screen: after an HTMX filter, 导出 sends the filtered rows, not the whole list."""

from __future__ import annotations

from typing import Any

from zhaoshang.projects.models import Project


def _rows_in(path: str) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    with open(path, "rb") as file:  # a download is saved without a suffix
        sheet = load_workbook(file).active
    return [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)]


def test_project_export_after_htmx_filter_has_the_filtered_rows(page_as: Any, live_org: Any) -> None:
    page = page_as("city_admin")
    page.goto("/project/")
    everything = Project.objects.count()
    linzi = live_org["linzi_district"]
    expected = Project.objects.filter(district=linzi, stage="started").count()
    assert 0 < expected < everything

    # Filter by HTMX (the select changes; only the table is swapped, the page is not reloaded).
    with page.expect_response(
        lambda r: "/project/?" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.locator("#id_district").select_option(str(linzi.pk))
    with page.expect_response(
        lambda r: "stage=started" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.locator("#id_stage").select_option("started")
    href = page.locator("#export-xlsx").get_attribute("href")
    assert href is not None and "stage=started" in href and f"district={linzi.pk}" in href

    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    rows = _rows_in(download_info.value.path())
    assert len(rows) == expected
    # The CSV link follows the filter too.
    csv_href = page.locator("#export-csv").get_attribute("href")
    assert csv_href is not None and "stage=started" in csv_href and csv_href.endswith("format=csv")


def test_site_map_geojson_follows_the_filter(page_as: Any, live_org: Any) -> None:
    import json
    from pathlib import Path

    from zhaoshang.sites.models import Site

    page = page_as("city_admin")
    page.goto("/sites/map/")
    expected = Site.objects.filter(kind="building").count()
    assert 0 < expected < Site.objects.count()
    with page.expect_response(
        lambda r: "kind=building" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.locator("#site-filter #id_kind").select_option("building")
    href = page.locator("#export-geojson").get_attribute("href")
    assert href is not None and "kind=building" in href
    with page.expect_download() as download_info:
        page.locator("#export-geojson").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert len(data["features"]) == expected


def test_progress_table_page_downloads_the_official_table(page_as: Any, live_org: Any, shoot: Any) -> None:
    import datetime

    from openpyxl import load_workbook

    page = page_as("city_admin")
    page.goto("/project/")
    page.locator("#progress-table-link").click()
    month = datetime.date.today().strftime("%Y-%m")
    assert page.locator("input[name=month]").get_attribute("max") == month
    title = page.locator("#progress-table-title").inner_text()
    assert title.endswith("省市重大项目推进情况表") and title.startswith("淄博市")
    shoot(page, "progress-table.png")
    with page.expect_download() as download_info:
        page.locator("#export-progress-table").click()
    with open(download_info.value.path(), "rb") as file:
        sheet = load_workbook(file).active
    assert sheet["A1"].value == title
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "C4"

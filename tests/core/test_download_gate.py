"""One download gate: every file the application sends is in the table of ``core.downloads``, checked by its right
in the district it is judged in, and its button is shown exactly when the file would be served.

The clerk (部门经办人) may view and change in Linzi but holds neither ``export`` nor ``add``: every download that
needs them answers 403 with the reason, and no button is shown; Linzi's admin gets the file and it opens. Huantai's
admin, outside Linzi, gets 404 for anything made from one of Linzi's records.
"""

from __future__ import annotations

import csv
import datetime
import inspect
import io
import json
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import docx
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhaoshang.chains.models import Node
from zhaoshang.core import downloads as downloads_module
from zhaoshang.core.declarations import configs
from zhaoshang.core.downloads import FILTER, OBJECT, download_for, downloads
from zhaoshang.core.models import Role, RoleAssignment
from zhaoshang.projects.delivery.approvals import project_steps_create, step_update
from zhaoshang.projects.delivery.dispatch.services import dispatch_build, dispatch_period_default
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.services import stage_move_request

TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n% evidence\n%%EOF\n"
ALLOWED, REFUSED, OUTSIDER = "linzi_admin", "linzi_clerk", "huantai_admin"
# Adding a district is the city's: its import template is the city admin's to download (DOMAIN.md §9 levels).
ALLOWED_FOR = {"district_template": "city_admin"}


@dataclass
class Case:
    """How to fetch one download and where its button is: ``urls`` by format, the page, and what marks the button
    in the page's HTML."""

    urls: dict[str, str]
    page: str
    marker: str


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _opens(fmt: str, response: Any) -> None:
    """The file has the content type of its format and opens with the library people's tools would use."""
    body, content_type = _body(response), response["Content-Type"]
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "xlsx":
        assert content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        book = openpyxl.load_workbook(io.BytesIO(body))
        assert book.worksheets and book.worksheets[0].max_row >= 1
    elif fmt == "csv":
        assert content_type.startswith("text/csv")
        assert next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))  # a header row
    elif fmt == "json":
        assert content_type.startswith("application/json")
        assert isinstance(json.loads(body), dict | list)
    elif fmt == "docx":
        assert content_type.startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
        assert docx.Document(io.BytesIO(body)).paragraphs
    elif fmt == "pdf":
        assert content_type == "application/pdf" and body == PDF
    else:
        raise AssertionError(f"no check for {fmt}")


# --- the cases, one per download ----------------------------------------------------------------------------


def _node_targets(org: Any, users: Any) -> Case:
    node = (
        Node.objects.filter(chain__district__adcode="370305", chain__is_current=True).order_by("pk").first()
    )
    url = reverse("node_targets", args=[node.pk])
    return Case({"xlsx": url + "?format=xlsx"}, url, 'id="export-targets"')


def _rates(org: Any, users: Any) -> Case:
    url = reverse("assessment_rates") + "?group=park"
    return Case({"xlsx": url + "&format=xlsx"}, url, 'id="export-rates"')


def _rankings(org: Any, users: Any) -> Case:
    url = reverse("assessment_rankings") + f"?month={TODAY:%Y-%m}"
    return Case({"docx": url + "&format=docx"}, url, 'id="export-rankings"')


def _dispatch(org: Any, users: Any) -> Case:
    start, end = dispatch_period_default(TODAY)
    report = dispatch_build(
        district=org["linzi_district"], period_start=start, period_end=end, user=users["linzi_admin"]
    )
    document = reverse("dispatch_document", args=[report.pk])
    stored = reverse("stored_file", args=["projects.dispatchreport", report.pk, "document"])
    # The same file, and the same gate, through the report's page and its stored-file address (the API's link).
    return Case({"docx": document, "docx ": stored}, reverse("dispatch_detail", args=[report.pk]), document)


def _evidence(org: Any, users: Any) -> Case:
    project = ProjectFactory(district=org["linzi_district"], stage="negotiation", signed_date=None)
    move = stage_move_request(
        project=project,
        to_stage="signed",
        date=TODAY,
        user=users["linzi_chief"],
        evidence=SimpleUploadedFile("合同.pdf", PDF),
    )
    url = reverse("stored_file", args=["projects.stagemove", move.pk, "evidence"])
    return Case({"pdf": url}, reverse("project_detail", args=[project.pk]), url)


def _approval(org: Any, users: Any) -> Case:
    project = ProjectFactory(district=org["linzi_district"])
    steps = project_steps_create(project=project, user=users["linzi_admin"])
    step = sorted((s for s in steps if not s.predecessors), key=lambda s: s.code)[0]
    step = step_update(
        step=step,
        user=users["linzi_admin"],
        status="in_progress",
        date=TODAY,
        document=SimpleUploadedFile("批复.pdf", PDF),
    )
    url = reverse("stored_file", args=["projects.projectstep", step.pk, "document"])
    return Case({"pdf": url}, reverse("project_detail", args=[project.pk]), url)


def _progress_table(org: Any, users: Any) -> Case:
    url = reverse("progress_table") + f"?month={TODAY:%Y-%m}"
    return Case({"xlsx": url + "&format=xlsx"}, url, 'id="export-progress-table"')


CASES: dict[str, Callable[[Any, Any], Case]] = {
    "progress_table_xlsx": _progress_table,
    "node_targets": _node_targets,
    "rates_xlsx": _rates,
    "rankings_docx": _rankings,
    "dispatch_word": _dispatch,
    "stage_evidence": _evidence,
    "approval_document": _approval,
}


def _generic_case(key: str) -> Case:
    config_key, kind = key.rsplit("_", 1)
    config = next(c for c in configs() if c.key == config_key)
    url = reverse(config.url_name(kind))
    page = reverse(config.url_name("list" if kind == "export" else "import"))
    return Case({fmt: f"{url}?format={fmt}" for fmt in download_for(key).formats}, page, url + "?")


GENERIC = sorted(
    key
    for config in configs()
    if config.resource is not None
    for key in (f"{config.key}_export", f"{config.key}_template")
)
REGISTERED = sorted(d.key for d in downloads() if d.key not in GENERIC)


def test_every_registered_download_has_a_case() -> None:
    """A download added to the table without a case here fails: each one is tested below."""
    assert set(REGISTERED) == set(CASES)
    assert {d.key for d in downloads()} == set(REGISTERED) | set(GENERIC)
    assert len(GENERIC) >= 40  # every declared model with a file format: an export and an import template


def _case(key: str, org: Any, users: Any) -> Case:
    return CASES[key](org, users) if key in CASES else _generic_case(key)


@pytest.mark.parametrize("key", REGISTERED + GENERIC)
def test_the_gate_and_the_button_agree(key: str, org: Any, users: Any, client_for: Any) -> None:
    download = download_for(key)
    case = _case(key, org, users)
    allowed, refused = client_for(ALLOWED_FOR.get(key, ALLOWED)), client_for(REFUSED)

    page = allowed.get(case.page)
    assert page.status_code == 200 and case.marker in page.content.decode(), "the button is shown"
    for fmt, url in case.urls.items():
        response = allowed.get(url)
        assert response.status_code == 200, (url, response.status_code)
        _opens(fmt.strip(), response)

    # The clerk views everything in Linzi, and holds neither export nor add.
    clerk_page = refused.get(case.page)
    assert case.marker not in clerk_page.content.decode() or download.right == "view"
    for url in case.urls.values():
        response = refused.get(url)
        if (
            download.right == "view"
        ):  # a record's own attachment: seeing the record is enough (its `note` says why)
            assert response.status_code == 200 and case.marker in clerk_page.content.decode()
            continue
        assert response.status_code == 403, (url, response.status_code)
        html = response.content.decode()
        assert 'id="refusal"' in html and str(download.label) in html
        assert "“导出”权限" in html or "“新增”权限" in html

    if download.scope == OBJECT:  # made from one of Linzi's records: outside Linzi it does not exist
        outsider = client_for(OUTSIDER)
        for url in case.urls.values():
            assert outsider.get(url).status_code == 404, url
        assert case.marker not in outsider.get(case.page).content.decode()


# --- who is refused how ---------------------------------------------------------------------------------------


@pytest.fixture
def people(org: Any, users: Any, as_test_actor: None) -> dict[str, Any]:
    """Two accounts the personas do not cover: one with no role at all, and a supervisor who views Linzi and
    Huantai but may export in Linzi only."""
    User = get_user_model()
    viewer = Role.objects.create(code="test-viewer", name="查看", actions=["view"])
    exporter = Role.objects.create(code="test-exporter", name="导出", actions=["export"])
    nobody = User.objects.create_user("test-nobody", password="x")
    supervisor = User.objects.create_user("test-supervisor", password="x")
    both = RoleAssignment.objects.create(user=supervisor, role=viewer)
    both.districts.add(org["linzi_district"], org["huantai_district"])
    RoleAssignment.objects.create(user=supervisor, role=exporter).districts.add(org["linzi_district"])
    return {"nobody": nobody, "supervisor": supervisor}


def test_figures_over_districts_need_the_right_in_each(org: Any, people: dict[str, Any], client: Any) -> None:
    assert download_for("rates_xlsx").scope == FILTER
    client.force_login(people["supervisor"])
    url = reverse("assessment_rates") + "?group=district"
    everything = client.get(url + "&format=xlsx")
    assert everything.status_code == 403 and "请先选择区县" in everything.content.decode()
    assert 'id="export-rates"' not in client.get(url).content.decode()
    linzi = f"{url}&district={org['linzi_district'].pk}"
    assert 'id="export-rates"' in client.get(linzi).content.decode()
    workbook = client.get(linzi + "&format=xlsx")
    assert workbook.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(workbook.content)).active.values)
    assert [row[0] for row in rows[1:]] == [org["linzi_district"].name]
    huantai = f"{url}&district={org['huantai_district'].pk}&format=xlsx"
    assert client.get(huantai).status_code == 403


def test_rows_are_those_where_the_right_is_held(org: Any, people: dict[str, Any], client: Any) -> None:
    """The generic export restricts its rows by the export right: the supervisor's file has Linzi's parks only,
    although the list shows Huantai's too."""
    client.force_login(people["supervisor"])
    content = client.get(reverse("park_export") + "?format=csv").content.decode("utf-8-sig")
    districts = {row["区县"] for row in csv.DictReader(io.StringIO(content)) if "区县" in row}
    assert districts == {org["linzi_district"].name}


def test_no_view_no_file(org: Any, people: dict[str, Any], client: Any) -> None:
    """Whoever may see nothing gets 404 for every download, as for every page of a record."""
    client.force_login(people["nobody"])
    for key in ("rates_xlsx", "rankings_docx", "park_export", "park_template"):
        url = next(iter(_case(key, org, None).urls.values()))
        assert client.get(url).status_code == 404, key


def test_a_stored_file_field_not_in_the_table_is_never_served(
    org: Any, users: Any, client_for: Any, monkeypatch: Any
) -> None:
    url = _evidence(org, users).urls["pdf"]
    assert client_for("city_admin").get(url).status_code == 200
    monkeypatch.delitem(downloads_module._registry, "stage_evidence")
    assert client_for("city_admin").get(url).status_code == 404


# --- no file leaves by another door ----------------------------------------------------------------------------

# What sends a file to the browser: the writers' responses and Django's file responses.
PRODUCERS = {
    "download_response",
    "workbook_response",
    "stored_file_response",
    "FileResponse",
    "StreamingHttpResponse",
    "content_disposition_header",
}


def _code_names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, str) and "Content-Disposition" in const:
            yield "content_disposition_header"
        if isinstance(const, types.CodeType):  # comprehensions, nested functions
            yield from _code_names(const)


def _reaches(func: Any, seen: set[Any]) -> set[str]:
    """The names a function uses, following the project's own functions it calls by name."""
    func = inspect.unwrap(func)
    if func in seen or not hasattr(func, "__code__"):
        return set()
    seen.add(func)
    names = set(_code_names(func.__code__))
    for name in list(names):
        if name in PRODUCERS:
            continue
        callee = func.__globals__.get(name)
        if isinstance(callee, types.FunctionType) and callee.__module__.startswith("zhaoshang."):
            names |= _reaches(callee, seen)
    return names


def _view_names(callback: Any) -> set[str]:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return _reaches(callback, set())
    names: set[str] = set()
    seen: set[Any] = set()
    for klass in view.__mro__:
        if klass.__module__.startswith("zhaoshang."):
            for member in vars(klass).values():
                if isinstance(member, types.FunctionType):
                    names |= _reaches(member, seen)
    return names


def _patterns(patterns: Any) -> Iterator[URLPattern]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        else:
            yield pattern


def test_every_view_that_sends_a_file_is_in_the_table_and_asks_the_gate() -> None:
    """Walk the URLconf: a view whose code (or the project's functions it calls) builds a file response must be
    one of the table's addresses and call ``download_check``; each address of the table is such a view. A new
    file-producing URL without an entry fails here."""
    producing, gated = {}, set()
    for pattern in _patterns(get_resolver().url_patterns):
        config = getattr(pattern.callback, "view_initkwargs", {}).get("config")
        if (
            config is not None
            and config.resource is None
            and (pattern.name or "").endswith(("_export", "_template"))
        ):
            continue  # a model without a file format: its export and template answer 404 before anything
        names = _view_names(pattern.callback)
        if names & PRODUCERS:
            producing[pattern.name] = str(pattern.pattern)
            if "download_check" in names:
                gated.add(pattern.name)
    table = {d.url_name for d in downloads()}
    assert set(producing) == table, {
        "not in the table": set(producing) - table,
        "sends no file": table - set(producing),
    }
    assert gated == set(producing), set(producing) - gated
    # The walk sees the files it should (else the comparison above would be empty-handed).
    assert {
        "node_targets",
        "assessment_rates",
        "assessment_rankings",
        "dispatch_document",
        "stored_file",
    } <= gated
    assert {"park_export", "park_template", "site_export"} <= gated

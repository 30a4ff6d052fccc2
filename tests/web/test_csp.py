"""The front end runs under a strict Content-Security-Policy: no template holds an inline script or an inline
event handler, and the pages answer with the policy and carry only scripts loaded from our static files (plus
the inert `application/json` blocks of `json_script`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import zhaoshang
from zhaoshang.web.csp import HEADER, tile_source

PACKAGE = Path(zhaoshang.__file__).resolve().parent
TEMPLATES = sorted(PACKAGE.glob("**/templates/**/*.html"))
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; "
    "form-action 'self'"
)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# htmx features that evaluate JavaScript from the markup; `allowEval: false` refuses them, so none may be used.
HTMX_EVAL = re.compile(r"hx-on\b|hx-on:|hx-vars|data-hx-on|\bjs:|javascript:", re.IGNORECASE)


def test_the_templates_are_found() -> None:
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "dashboard.html", "chain_detail.html", "project_detail.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_has_inline_script_or_handler(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    problems = []
    for match in SCRIPT.finditer(source):
        attrs, body = match.groups()
        if "src=" not in attrs or body.strip():
            problems.append(f"inline script: {match.group(0)[:80]!r}")
    problems += [f"inline handler: {tag[:80]!r}" for tag in TAG.findall(source) if HANDLER.search(tag)]
    problems += [f"evaluated htmx/JS: {m.group(0)!r}" for m in HTMX_EVAL.finditer(source)]
    assert not problems, "\n".join(problems)


class Scripts(HTMLParser):
    """Collects what a rendered page would run: scripts without `src` and `on…` attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self.external: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.handlers += [f"<{tag} {name}=…>" for name in a if name.lower().startswith("on")]
        urls = [f"<{tag} {k}={v}>" for k, v in a.items() if v and v.strip().lower().startswith("javascript:")]
        self.handlers += urls
        if tag == "script":
            if a.get("src"):
                self.external.append(str(a["src"]))
            elif (a.get("type") or "").lower() != "application/json":
                self._in_inline = True
                self.inline.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline = False

    def handle_data(self, data: str) -> None:
        if self._in_inline:
            self.inline[-1] += data


def page_scripts(html: str) -> Scripts:
    parser = Scripts()
    parser.feed(html)
    return parser


def assert_strict(response: Any, path: str) -> Scripts:
    assert response.status_code == 200, (path, response.status_code)
    assert response[HEADER] == POLICY, path
    scripts = page_scripts(response.content.decode())
    assert scripts.inline == [], f"{path}: inline script {scripts.inline[0][:120]!r}"
    assert scripts.handlers == [], f"{path}: inline handlers {scripts.handlers}"
    return scripts


def test_pages_answer_with_the_policy_and_no_inline_script(org: Any, client_for: Any) -> None:
    from zhaoshang.chains.models import Chain
    from zhaoshang.projects.models import Project

    linzi = org["linzi_district"]
    chain = Chain.objects.filter(district=linzi, is_current=True, nodes__isnull=False).distinct().first()
    project = Project.objects.filter(district=linzi, steps__isnull=False).distinct().first()
    node = chain.nodes.order_by("pk").first()
    client = client_for("linzi_admin")
    pages = {
        "/": "web/app.js",
        reverse("assessment_dashboard"): "assessment/dashboard.js",
        reverse("chain_detail", args=[chain.pk]): "web/chain-graph.js",
        reverse("sites_map"): "sites/site-map.js",
        reverse("project_detail", args=[project.pk]): "web/gantt.js",
        reverse("node_targets", args=[node.pk]): "web/target-map.js",
        reverse("my_tasks"): "projects/my-tasks.js",
        reverse("blocker_board"): "projects/blocker-chart.js",
        reverse("park_list"): "web/app.js",
        "/admin/": "",
        "/admin/core/park/": "",
        "/admin/core/park/add/": "",
        "/api/": "",
    }
    for path, module in pages.items():
        scripts = assert_strict(client.get(path), path)
        if module:
            assert any(src.endswith(module) for src in scripts.external), (path, scripts.external)
    # The project page's data reaches its module through json_script only.
    html = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert '<script id="gantt-data" type="application/json">' in html
    assert 'data-confirm="' in html or 'id="move-form"' not in html


def test_api_docs_load_their_start_up_script_from_a_url(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    docs = reverse("api_docs")
    scripts = assert_strict(client.get(docs), docs)
    start = next(src for src in scripts.external if "script" in src)
    response = client.get(start)
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert "SwaggerUIBundle" in response.content.decode()


def test_the_login_page_and_a_404_carry_the_policy(org: Any) -> None:
    client = Client()
    assert_strict(client.get(reverse("login")), "login")
    assert client.get("/no-such-page/")[HEADER] == POLICY


def test_the_map_tile_host_is_the_one_outside_image_source(org: Any, client_for: Any, settings: Any) -> None:
    settings.MAP_TILES = "https://t{s}.tianditu.gov.cn/img_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    header = client_for("linzi_admin").get(reverse("sites_map"))[HEADER]
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn;" in header
    assert "KEY" not in header and "script-src 'self';" in header


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("", ""),
        ("/tiles/{z}/{x}/{y}.png", ""),  # our own server: 'self'
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}", "https://*.is.autonavi.com"),
        ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
        ("//tiles.example.org/{z}/{x}/{y}.png", "tiles.example.org"),
        ("https://user:secret@tiles.example.org/{z}", "https://tiles.example.org"),
        ("https://{s}.com/{z}/{x}/{y}.png", ""),  # a wildcard that wide is refused
        ("https://evil.example;script-src *", ""),  # nothing that could add a directive
    ],
)
def test_tile_source(template: str, source: str) -> None:
    assert tile_source(template) == source

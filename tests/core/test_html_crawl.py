"""Every page a persona can reach from the home page, following its links and the fragments it loads with HTMX
(``hx-get``): each opens, and its HTML has no link
inside a link (browsers split it and the outer one comes out empty), no form inside a form, no empty link and no
duplicate id. One page per URL pattern (ids replaced), and one with a query string, so the demo's thousands of
records cost a few hundred requests."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Links that change something through GET would be a bug of their own; these only download or leave.
SKIP = ("logout", "/delete", "export", "/static/", "/files/", "/api/", "/i18n/", "download", ".xlsx", ".pdf")


class PageChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[list[str]] = []  # the text of each open link
        self.problems: list[str] = []
        self.ids: Counter[str] = Counter()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids[str(a["id"])] += 1
        open_tags = [t for t, _ in self.open]
        if tag == "a":
            if "a" in open_tags:
                self.problems.append(f"link {a.get('href')} inside another link")
            if a.get("href"):
                self.links.append(str(a["href"]))
        if a.get("hx-get") and "{" not in str(a["hx-get"]):  # fragments the page loads or swaps in
            self.links.append(str(a["hx-get"]))
        if tag == "form" and "form" in open_tags:
            self.problems.append(f"form {a.get('action')} inside another form")
        if tag in VOID:
            return
        self.open.append((tag, a))
        if tag == "a":
            self.text.append([])

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] != tag:
                continue
            for name, attrs in self.open[i:]:
                if name == "a":
                    text = "".join(self.text.pop()).strip()
                    if not (text or attrs.get("aria-label") or attrs.get("title")):
                        self.problems.append(f"empty link {attrs.get('href')}")
            del self.open[i:]
            return

    def handle_data(self, data: str) -> None:
        for text in self.text:
            text.append(data)


def _pattern(path: str) -> str:
    return "".join("9" if c.isdigit() else c for c in path)


def crawl(client: Any, limit: int) -> tuple[int, dict[str, list[str]]]:
    queue, seen, taken = ["/"], set(), Counter[str]()
    problems: dict[str, list[str]] = {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 400:
            problems[path] = [f"HTTP {response.status_code}"]
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checker = PageChecker()
        checker.feed(response.content.decode())
        found = checker.problems + [f"id {i} {n} times" for i, n in checker.ids.items() if n > 1]
        if found:
            problems[path] = sorted(set(found))
        for href in checker.links:
            href = urldefrag(href)[0]
            url = urlparse(href)
            if url.scheme or url.netloc or not href.startswith("/") or any(s in href for s in SKIP):
                continue
            kind = _pattern(url.path) + ("?" if url.query else "")
            if taken[kind] < 1:
                taken[kind] += 1
                queue.append(href)
    return len(seen), problems


@pytest.mark.parametrize("persona", ["linzi_admin", "linzi_chief", "linzi_clerk", "city_admin"])
def test_every_reachable_page_opens_and_is_well_formed(
    persona: str, org: Any, client_for: Any, demo_media: Any
) -> None:
    # demo_media: the demo's own stored files (its dispatch reports' Word files) are where the pages link them.
    pages, problems = crawl(client_for(persona), limit=300)
    assert pages > 60  # the crawl did reach the lists, details, chain maps, dashboards…
    assert problems == {}

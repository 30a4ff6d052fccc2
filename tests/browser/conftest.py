"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The live server answers from another thread, so the demo organisation is written with `transactional_db`
(committed, visible to that thread) instead of the usual rolled-back `db`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM would refuse to run next to it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "secret-password"
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
TIMEOUT_MS = 10_000
# Every page records the Content-Security-Policy's refusals in `window.__csp_violations`, for tests to read.
CSP_WATCH = """
window.__csp_violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__csp_violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot under docs/screenshots/ with a stable name (the docs link to it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        message = (
            f"Chromium is not installed at {CHROMIUM}; the browser tests need Debian's chromium package."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI=true: failing instead of skipping.", pytrace=False)
        pytest.skip(message + " Run `make browser` to install it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live_org(org_committed: dict[str, Any], live_server: Any) -> dict[str, Any]:
    """The same demo organisation as the `org` fixture, committed so that the live server sees it."""
    return org_committed


class PageProblems:
    """What went wrong inside a page that the test would not otherwise see: JS errors, CSP violations, missing
    assets."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.items.append(f"JS error on {page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, page: Any, message: Any) -> None:
        # Chromium reports what the Content-Security-Policy refused (an inline script or handler, eval, a foreign
        # host) as a console error; the pages must never need any of it.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.items.append(f"CSP violation on {page.url}: {message.text}")

    def _failed(self, request: Any) -> None:
        # ERR_ABORTED is the browser cancelling a request because the page navigated on, not a missing file;
        # a missing file answers 404, which `_response` reports.
        if "/static/" in request.url and "ERR_ABORTED" not in str(request.failure):
            self.items.append(f"static request failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.items.append(f"static asset {response.url} answered {response.status}")


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[[], Any]]:
    """A new browser context (own cookies) per call: 1440×900, zh-CN; fails on JS errors, CSP violations and
    missing assets."""
    contexts: list[Any] = []
    problems = PageProblems()

    def make() -> Any:
        context = browser.new_context(
            viewport={"width": 1440, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(script=CSP_WATCH)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems.items, "\n".join(problems.items)


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    """`shoot(page, "home-city.png")`; a fixture, as tests cannot import a conftest under importlib mode."""
    return screenshot


@pytest.fixture
def login_form() -> Callable[..., None]:
    """`login_form(page, username, password)`: fill in and submit the login form."""
    return login


@pytest.fixture
def page_as(new_page: Callable[[], Any], live_org: dict[str, Any], live_server: Any) -> Callable[[str], Any]:
    """`page_as("linzi_admin")`: a page signed in as that persona through the login form, on the home page."""

    def make(username: str) -> Any:
        page = new_page()
        login(page, username)
        page.wait_for_url(f"{live_server.url}/")
        return page

    return make

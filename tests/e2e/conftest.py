"""The browser rig: Playwright driving Debian's Chromium against pytest-django's live server.

Fixtures:
- ``page``: a fresh browser context (fr-FR, Europe/Paris, 1280×900) whose relative URLs
  point at the live server. It records every page loaded and Content-Security-Policy
  violations; at the end of the test each loaded page must have been checked by axe and no
  CSP violation may have happened.
- ``visit(page, url)``: go to a page (path or absolute URL) and run axe on it.
- ``axe_check(page)``: run axe on the current page; serious or critical violations fail.
- ``login(page, live_server, email, password, totp_secret=None)``: log in through the form.
- ``totp_code(secret)``: the code an authenticator app would show now.

Browser tests are marked ``browser`` and grouped on one xdist worker. Without
``/usr/bin/chromium`` they are skipped with a visible reason, unless FEDE_REQUIRE_BROWSER=1
(CI), where the missing browser is an error.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would then refuse ORM
# calls made by the test itself.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BLOCKING_IMPACTS = {"serious", "critical"}
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e/ is a browser test kept on one xdist worker."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            if not item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.browser)
            if not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so that fixtures know if the test passed."""
    report = yield
    setattr(item, f"_fede_report_{report.when}", report)
    return report


def _missing_browser(reason: str):
    if os.environ.get("FEDE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (FEDE_REQUIRE_BROWSER=1: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing_browser(f"browser tests skipped: {CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("browser tests skipped: playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageRecord:
    """What happened in a page: documents loaded, which were checked by axe, CSP errors."""

    def __init__(self):
        self.loads: list[str] = []
        self.checked: set[int] = set()
        self.csp_errors: list[str] = []

    def on_load(self, page):
        self.loads.append(page.url)

    def on_console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)


@pytest.fixture
def page(browser, live_server, request, settings):
    from django.core.cache import cache

    cache.clear()  # rate limits and used TOTP codes from an earlier test
    _LAST_TOTP_WINDOW.clear()
    # Links in mails point at the address actually served (here, the test server's).
    settings.FEDE_SITE_URL = live_server.url
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
        # No CSS transitions (Bootstrap honours it): axe must not see colours mid-fade.
        reduced_motion="reduce",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    record = PageRecord()
    page._fede_record = record
    page.on("load", record.on_load)
    page.on("console", record.on_console)
    yield page
    context.close()
    report = getattr(request.node, "_fede_report_call", None)
    if report is None or not report.passed:
        return  # the test's own failure says more than the checks below
    assert not record.csp_errors, "Content-Security-Policy violations:\n" + "\n".join(
        record.csp_errors
    )
    unchecked = [url for i, url in enumerate(record.loads) if i not in record.checked]
    assert not unchecked, (
        "pages loaded without an axe check (use visit(page, url) or axe_check(page)): "
        + ", ".join(unchecked)
    )


def _format_violation(violation) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
        if node.get("failureSummary"):
            lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def run_axe(page) -> None:
    """Run axe on the current page; fail on serious or critical violations and CSP errors."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    record: PageRecord | None = getattr(page, "_fede_record", None)
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if record is not None:
        record.checked.add(len(record.loads) - 1)
        csp_errors, record.csp_errors = record.csp_errors, []
        assert not csp_errors, "Content-Security-Policy violations:\n" + "\n".join(csp_errors)
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(map(_format_violation, blocking))


def visit_page(page, url: str):
    """Open ``url`` (a path of the live server, or a full URL), check it answers and run axe."""
    response = page.goto(url)
    assert response is not None and response.ok, (
        f"{url}: HTTP {response.status if response else '?'}"
    )
    run_axe(page)
    return response


_LAST_TOTP_WINDOW: dict[str, int] = {}


def totp_now(secret: str, *, key: str | None = None) -> str:
    """The current code of an authenticator app for ``secret`` (RFC 6238), as a person
    would type it: not in the last seconds of its 30-second window (it would expire
    before the server checks it), and not a code already used (the server refuses a
    code twice for one authenticator — ``key`` names it, the secret by default): then wait
    for the next window."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    key = key or secret
    now = time.time()
    if 30 - now % 30 < 3 or _LAST_TOTP_WINDOW.get(key) == int(now) // 30:
        time.sleep(30 - now % 30 + 0.2)
    window = int(time.time()) // 30
    _LAST_TOTP_WINDOW[key] = window
    return format_hotp_value(hotp_value(secret, window))


def log_in(page, live_server, email: str, password: str, totp_secret: str | None = None):
    """Log in through the site's form (and the MFA code page when a secret is given)."""
    visit_page(page, f"{live_server.url}/compte/login/")
    page.locator("input[name=login]").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    if totp_secret is not None:
        if not re.search(r"/compte/2fa/authenticate/", page.url):
            _login_stopped(page, email, "the page asking for the TOTP code")
        run_axe(page)
        page.get_by_label("Code").fill(totp_now(totp_secret, key=email))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("load")
    run_axe(page)
    if not page.locator("header").get_by_text(email, exact=True).count():
        _login_stopped(page, email, "a page of the logged-in user")


def _login_stopped(page, email: str, expected: str):
    heading = page.locator("h1").first.inner_text() if page.locator("h1").count() else ""
    errors = " / ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    hint = ""
    if "/compte/confirm-email/" in page.url:
        hint = " (the e-mail address is not verified: create a verified EmailAddress)"
    pytest.fail(
        f"login of {email} stopped at {page.url} ({heading!r}{', ' + errors if errors else ''})"
        f" instead of {expected}{hint}"
    )


@pytest.fixture
def axe_check():
    return run_axe


@pytest.fixture
def visit():
    return visit_page


@pytest.fixture
def login():
    return log_in


@pytest.fixture
def totp_code():
    return totp_now

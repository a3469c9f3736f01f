"""Playwright driving Debian's Chromium (Playwright's own browser download does not work offline)."""
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in this thread; the live server is a separate thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("SALESOPS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def login(page, username, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def open_page(browser, live_server, language="en", **context):
    """A new browser context in `language` (with more context options, e.g. `viewport`), its page, and
    the list that collects the page's console errors and uncaught exceptions. Close the context."""
    ctx = browser.new_context(base_url=live_server.url, locale="en-US", **context)
    if language != "en":
        ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return ctx, page, errors


def wait_until_settled(page):
    """Wait until the board has no card in flight (`.deal-card.moving`). A locator expectation, not
    `page.wait_for_function("…")`: Playwright polls a string predicate through `new Function`, which
    the app's Content-Security-Policy (no 'unsafe-eval') refuses whenever the first check is false."""
    from playwright.sync_api import expect

    expect(page.locator(".deal-card.moving")).to_have_count(0)


def nav_link(page, name):
    """The main navigation's link `[data-nav=name]`, made visible first: the links sit in drop-down
    groups (and, on a phone, in the folded menu), so the menu and the link's group are opened once the
    page has loaded (its script folds the menu on a phone when the document is ready). Polled from
    Python rather than with `wait_for_function`, which the app's CSP refuses (see above)."""
    from playwright.sync_api import expect

    page.wait_for_load_state("load")
    link = page.locator(f'nav.mainnav [data-nav="{name}"]')
    open_groups = """name => {
        const link = document.querySelector(`nav.mainnav [data-nav="${name}"]`);
        for (let d = link && link.closest("details"); d; d = d.parentElement.closest("details")) { d.open = true; }
        return !!link && link.getClientRects().length > 0;
    }"""
    for _ in range(50):
        if page.evaluate(open_groups, name):
            break
        page.wait_for_timeout(100)
    expect(link).to_be_visible()
    return link

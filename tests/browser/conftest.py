"""Browser tests: Playwright (pytest-playwright) driving Debian's Chromium against pytest-django's
live server.

Playwright's own browser download does not work on our machines, so the tests launch the
system Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium). Without it every browser test is
skipped with one clear reason, which `make test` prints in its summary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures and
# assertions in the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FOUND = Path(CHROMIUM_PATH).exists() or shutil.which(CHROMIUM_PATH) is not None
SKIP_REASON = (
    f"browser tests skipped: no Chromium at {CHROMIUM_PATH} "
    "(apt-get install chromium, or set CHROMIUM_PATH)"
)
PHONE_VIEWPORT = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(browser_dir):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM_FOUND:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # The flags keep Chromium off the network it cannot reach here (see the machine notes).
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Our users are Turkish: the browser asks for Turkish, as theirs do.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "tr-TR"}


@pytest.fixture
def phone_page(browser) -> Iterator:
    """A page the size of a phone (390×844), for the layouts below 576 px."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="tr-TR"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def console_errors(page) -> list[str]:
    """JavaScript errors and console errors (CSP violations included) seen by `page`."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def sign_in(page, live_server, user, *, language: str = "en") -> None:
    """Give the page's browser context a signed-in session for `user` (no login form round
    trip) and the interface language."""
    client = Client()
    client.force_login(user)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )

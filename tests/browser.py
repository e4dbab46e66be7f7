"""Playwright driving Debian's chromium, for the browser tests (never a downloaded browser)."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Without the background-networking flags chromium tries to reach the internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_or_skip():
    if not Path(CHROMIUM).exists():
        # CI installs it (.ci/run): there, a browser test that cannot run is a failure.
        if os.environ.get("CI"):
            pytest.fail(
                "Debian chromium is not installed (apt-get install chromium fonts-noto-cjk)"
            )
        pytest.skip(
            "NOTICE: browser tests skipped: Debian chromium is not installed "
            "(apt-get install chromium fonts-noto-cjk)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM must allow it in tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return sync_api


class PageWatch:
    """Console errors and requests to other hosts, collected while a page is open."""

    def __init__(self, page, server_url):
        self.errors, self.foreign = [], []
        host = urlparse(server_url).hostname
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self._request(r.url, host))

    def _request(self, url, host):
        if urlparse(url).scheme in ("http", "https") and urlparse(url).hostname != host:
            self.foreign.append(url)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, once per test module (the browser tests import this fixture)."""
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(page, server_url, username, password):
    from django.urls import reverse

    page.goto(f"{server_url}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action$='/login/'] button[type=submit]")
    page.wait_for_url(f"{server_url}{reverse('survey:reports')}")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

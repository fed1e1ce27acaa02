"""Headless Debian chromium for the page tests (explorer and report): one way to launch it, and a
record of every request a page makes."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from pipeline import settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and settings.current().require_browser:
    raise RuntimeError("PIPELINE_REQUIRE_BROWSER is set but Debian chromium is not installed")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (.ci/run installs it)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def browser_context():
    """A fresh profile each time; downloads accepted. Yields (context, requests, problems)."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                                                       accept_downloads=True)
        context.on("request", lambda r: requests.append(r.url))
        context.on("page", lambda page: _watch(page, problems))
        try:
            yield context, requests, problems
        finally:
            context.close()


def _watch(page, problems: list[str]) -> None:
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))


def foreign(requests: list[str], allowed_hosts: set[str]) -> list[str]:
    """Requests that left the machine (or went to a host not in ``allowed_hosts``); data: URLs stay."""
    out = []
    for url in requests:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "file", "chrome-extension"):
            continue
        if parts.hostname not in allowed_hosts:
            out.append(url)
    return out

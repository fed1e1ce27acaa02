"""The HTML report, rendered by a real headless Chromium (Debian's; `.ci/run` installs it)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline import settings
from pipeline.tools.report import flag_conflicts, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and settings.current().require_browser:
    raise RuntimeError("PIPELINE_REQUIRE_BROWSER is set but Debian chromium is not installed")


def test_conflicting_figures_flagged_only_across_sources():
    money = pd.DataFrame({
        "doc_id": ["a", "b", "c", "c", "d", "e"],
        "entity_id": ["E1", "E1", "E2", "E2", "E3", "E3"],
        "currency": ["EUR", "USD", "USD", "USD", "USD", "USD"],
        "amount": [2e8, 2.3e8, 5.0, 9.0, 1e6, 1.001e6],
    })
    # E1: two sources, other currency -> conflict; E2: one source -> no; E3: within 1% -> no.
    assert flag_conflicts(money).tolist() == [True, True, False, False, False, False]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium(seed_run):
    from playwright.sync_api import sync_playwright

    _, out = seed_run
    page_path = write_report(out)
    html = page_path.read_text(encoding="utf-8")
    assert "Timeline" in html and "conflict" in html
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
        ])
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(page_path.as_uri())
            page.wait_for_selector("#chart-timeline .main-svg", timeout=20_000)
            points = page.locator("#chart-timeline .scatterlayer .point").count()
            flagged = page.locator("tr.conflict").count()
            entity_rows = page.locator("#entities + table tbody tr").count()
        finally:
            browser.close()
    assert problems == []
    assert points >= 10  # the sample articles carry 10+ resolved dates and times
    assert flagged >= 2  # the sources give different sums for the same demand
    assert entity_rows >= 20

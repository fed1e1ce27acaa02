"""The HTML report, rendered by a real headless Chromium (Debian's; `.ci/run` installs it): hostile
article fields stay text and make no request, and the page stays usable at 400 ECB+ articles."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest

from browser import browser_context, foreign, needs_browser
from conftest import RAW, run_articles
from pipeline.tools import report


def test_hover_text_escapes_article_markup():
    class Row:
        text, value, document = "<b>May 3</b>", "2013-05-03", '<a href="http://x.invalid/">doc</a>'
        sentence, names = 'On <span style="fill:url(http://x.invalid/f)">May 3</span> it rained.', ["<i>Jane</i>"]

    label = report.hover(Row)
    assert "<a" not in label and "<span" not in label and "<b>" not in label and "<i>" not in label
    assert "&lt;a href=&quot;http://x.invalid/&quot;&gt;" in label
    assert set(label.replace("<br>", "").split("<")) == {label.replace("<br>", "")}  # no tag but <br>


@pytest.fixture
def listener():
    """A local HTTP server that records every request: the page must make none."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()


def _hostile(base: str) -> list[dict]:
    link, style, img = (f"<a href={base}/link>x</a>", f'<span style="fill:url({base}/style)">s</span>',
                        f'"><img src={base}/img onerror="window.__pwned=1">')
    text = ("Jane Doe of Springfield said on Monday, May 3, 2021, that the city paid $2 million. "
            f"{img} Jane Doe left Springfield on Tuesday, May 4, 2021. <script>window.__pwned=2</script>")
    return [{"id": f"{link}{img}", "title": f"{style}{link}", "text": text},
            {"id": "plain", "title": img, "text": text.replace("$2 million", "$3 million")}]


def _open(page_path: Path, hover: bool = True):
    """The report in chromium: (page height, figure strings, chart points, problems, requests)."""
    with browser_context() as (context, requests, problems):
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(page_path.as_uri())
        page.wait_for_selector("#chart-timeline .main-svg", timeout=30_000)
        if hover:  # hover labels are drawn on demand: sweep the chart so they are
            box = page.locator("#chart-timeline .nsewdrag").first.bounding_box()
            for i in range(40):
                page.mouse.move(box["x"] + box["width"] * i / 40, box["y"] + box["height"] / 2)
        info = page.evaluate("""() => ({
            height: document.documentElement.scrollHeight,
            strings: JSON.stringify(document.getElementById('chart-timeline').data.map(t => [t.name, t.hovertext, t.y])),
            points: document.querySelectorAll('#chart-timeline .point').length,
            pwned: window.__pwned === undefined ? null : window.__pwned,
            rows: Array.from(document.querySelectorAll('div.paged tbody tr')).filter(r => r.style.display !== 'none').length,
            links: document.querySelectorAll('body a[href^="http"]').length,
        })""")
        options = page.locator("#timeline-entity option").count()
        if options > 1:
            page.select_option("#timeline-entity", index=1)
            info["filtered"] = page.inner_text("#timeline-count")
    return info, problems, requests


@pytest.mark.slow
@needs_browser
def test_report_with_hostile_fields_runs_and_requests_nothing(prefect_server, tmp_path, listener):
    base, hits = listener
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    run_articles(sorted(RAW.glob("*.txt")), _hostile(base), raw, out)
    page_path = report.write_report(out, tmp_path / "elsewhere" / "report.html")
    assert page_path == tmp_path / "elsewhere" / "report.html"
    info, problems, requests = _open(page_path)
    assert hits == [] and foreign(requests, set()) == []
    assert info["pwned"] is None and problems == []
    assert info["links"] == 0  # no article text became a link
    strings = json.loads(info["strings"])
    assert "&lt;a href=" in info["strings"] and "<a " not in info["strings"] and "<span" not in info["strings"]
    assert strings and info["points"] >= 10
    assert info["filtered"].endswith("expressions")


@pytest.mark.slow
@pytest.mark.xdist_group("ecb400")  # on the worker that made ecb400_run (tests/conftest.py)
@needs_browser
def test_report_stays_usable_at_400_ecb_articles(ecb400_run, tmp_path):
    """400 ECB+ articles (and one hostile article: tests/conftest.py)."""
    info, problems, requests = _open(report.write_report(ecb400_run, tmp_path / "report.html"), hover=False)
    assert problems == [] and foreign(requests, set()) == []
    assert info["height"] < 8000  # was 58,000 px: tables are paged, no chart grows with the corpus
    assert info["rows"] <= 5 * report.PAGE_ROWS
    assert info["points"] > 500

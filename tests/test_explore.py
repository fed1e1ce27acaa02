"""`make explore`: the SQLite copy, and Datasette driven by a real browser on the sample and on 400
ECB+ articles (search, entity page, document view, export, hostile articles, no request off the machine)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from browser import browser_context, foreign, needs_browser
from conftest import HOSTILE, RAW, run_articles
from pipeline.runtime.process import free_port, wait_until_healthy
from pipeline.tools import explore

ROOT = Path(__file__).resolve().parents[1]


def test_highlight_escapes_every_character_and_keeps_spans_apart():
    text = 'A <b>"x"</b> & Jane Doe paid $5 on Monday.'
    start = text.index("Jane Doe")
    html = explore.highlight(text, [
        {"start": start, "end": start + 8, "label": "PERSON", "kb_id": "E1"},
        {"start": start + 5, "end": start + 8, "label": "PERSON"},  # overlaps: dropped
        {"start": text.index("$5"), "end": text.index("$5") + 2, "label": "MONEY"},
    ])
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert html.count("<mark") == 2 and 'href="/explore/entities/E1"' in html


def test_cooccurrence_counts_sentences_and_documents_both_ways():
    rows = explore.cooccurrence([
        {"doc_id": "a", "sentence_index": 0, "entity_id": "E1"}, {"doc_id": "a", "sentence_index": 0, "entity_id": "E2"},
        {"doc_id": "a", "sentence_index": 0, "entity_id": "E2"}, {"doc_id": "b", "sentence_index": 3, "entity_id": "E1"},
        {"doc_id": "b", "sentence_index": 3, "entity_id": "E2"}, {"doc_id": "b", "sentence_index": 4, "entity_id": "E3"},
    ])
    assert rows == [{"entity_id": "E1", "other_entity_id": "E2", "n_sentences": 2, "n_docs": 2},
                    {"entity_id": "E2", "other_entity_id": "E1", "n_sentences": 2, "n_docs": 2}]


@pytest.mark.parametrize("geocoded", [False, True])
def test_places_table_only_when_entities_carry_coordinates(seed_run, tmp_path, monkeypatch, geocoded):
    _, out = seed_run
    real = explore.read_table

    def read_table(out_dir, name):
        table = real(out_dir, name)
        if name == "entities":  # as a dataset written before geocoding, then with coordinates for every GPE
            table = table.drop_columns([c for c in ("latitude", "longitude", "country_code") if c in table.column_names])
        if name == "entities" and geocoded:
            n = table.num_rows
            lat = [52.37 if label == "GPE" else None for label in table.column("label").to_pylist()]
            table = (table.append_column("latitude", pa.array(lat, pa.float64()))
                     .append_column("longitude", pa.array([4.9 if v else None for v in lat], pa.float64()))
                     .append_column("country_code", pa.array(["NL" if v else None for v in lat] or [None] * n, pa.string())))
        return table

    monkeypatch.setattr(explore, "read_table", read_table)
    db = sqlite3.connect(explore.build_database(out, tmp_path / "explore.db"))
    tables = {r[0] for r in db.execute("select name from sqlite_master where type in ('table', 'view')")}
    assert {"documents", "sentences", "sentences_fts", "aliases_fts", "entity_documents", "cooccurrence",
            "conflicts", "conflict_sides", "document_html"} <= tables
    assert ("places" in tables) == geocoded
    if geocoded:
        assert db.execute("select count(*) from places where latitude is not null").fetchone()[0] > 0
    alias = db.execute("select alias from aliases_fts where aliases_fts match 'Boermans'").fetchall()
    assert alias and all("Boermans" in a for (a,) in alias)


# --- in the browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["sample", "ecb400"])
def explorer(request, prefect_server, tmp_path_factory):
    if request.param == "ecb400":
        out = request.getfixturevalue("ecb400_run")  # 400 ECB+ articles and HOSTILE (tests/conftest.py)
    else:
        out = run_articles(sorted(RAW.glob("*.txt")), [HOSTILE], tmp_path_factory.mktemp("sample-raw"),
                           tmp_path_factory.mktemp("sample-processed"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "explore", "--out", str(out), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until_healthy(f"{url}/-/versions.json", 120, lambda: proc.poll() is None), proc.stdout.read().decode()
        yield url, out
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.slow
@pytest.mark.xdist_group("ecb400")  # on the worker that made ecb400_run (tests/conftest.py)
@needs_browser
def test_explorer_in_a_browser(explorer):
    url, out = explorer
    db = sqlite3.connect(out / "explore.db")
    # The most documented person, one of its shorter aliases, and a document that names it.
    entity_id, name, n_docs = db.execute(
        "select entity_id, name, n_docs from entities where label = 'PERSON' order by n_docs desc, n_mentions desc").fetchone()
    alias = db.execute("select alias from aliases where entity_id = ? order by length(alias) limit 1", (entity_id,)).fetchone()[0]
    doc_id = db.execute("select doc_id from entity_documents where entity_id = ? order by mentions desc", (entity_id,)).fetchone()[0]
    hostile_doc = HOSTILE["id"]
    with browser_context() as (context, requests, problems):
        page = context.new_page()
        # Full-text search over aliases finds the alias, and leads to the entity.
        page.goto(f"{url}/explore/aliases")
        page.fill("input[name=_search]", alias)
        page.press("input[name=_search]", "Enter")
        page.wait_for_load_state()
        assert alias in page.locator("table.rows-and-columns").inner_text()
        page.locator(f"table.rows-and-columns a[href='/explore/entities/{entity_id}']").first.click()
        page.wait_for_load_state()
        # The entity page lists its documents.
        documents = page.locator("section.explore-section", has=page.locator("h2", has_text="Documents"))
        listed = documents.locator("tbody tr").count()
        assert listed == min(n_docs, 200) and listed >= 1
        assert documents.locator(f"a[href='/explore/documents/{doc_id}']").count() == 1
        # Sentences are searchable too, across tables at once.
        page.goto(f"{url}/-/search?q={alias}")
        page.wait_for_selector("#search-all-results table")
        assert alias in page.inner_text("#search-all-results")
        # The document view highlights the entity's mentions, linked to its page.
        page.goto(f"{url}/explore/documents/{doc_id}")
        marks = page.locator(".document-text mark.entity")
        assert marks.count() > 0
        linked = page.locator(f".document-text mark.entity a[href='/explore/entities/{entity_id}']")
        assert linked.count() >= 1
        assert "MONEY" in page.inner_text(".document-text") or "DATE" in page.inner_text(".document-text")
        # An export downloads: the entity's mentions as CSV.
        page.goto(f"{url}/explore/mentions?entity_id={entity_id}")
        page.check("input[name=_dl]")
        with page.expect_download() as download:
            page.click("form.advanced-export input[type=submit], .advanced-export button, .advanced-export input[type=submit]")
        csv = Path(download.value.path()).read_text(encoding="utf-8")
        assert csv.splitlines()[0].startswith("mention_id") and len(csv.splitlines()) > 1
        # A hostile article runs nothing: its pages, its row in tables, the search.
        from datasette.utils import tilde_encode

        for path in (f"/explore/documents/{tilde_encode(hostile_doc)}", "/explore/documents?_sort=title",
                     "/explore/sentences?_search=Mayor", "/-/search?q=Mayor", "/explore/mentions?_search=x"):
            page.goto(url + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__pwned") is None, path
        page.goto(f"{url}/explore/documents/{tilde_encode(hostile_doc)}")
        assert "<script>window.__pwned = 1</script>" in page.inner_text(".document-text")
    assert problems == []
    assert foreign(requests, {"127.0.0.1"}) == []

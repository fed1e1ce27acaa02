"""Bad input never stops the batch and never loses a good document (real flow, real files)."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from pipeline.ingest import BadInput, decode

ENGLISH = (
    "Police in Rotterdam arrested a 31-year-old man on Tuesday after a six-hour standoff at a "
    "jewellery shop on the Lijnbaan, the city's main shopping street. The suspect, who had "
    "threatened staff with a knife, surrendered shortly after 9 p.m., a spokeswoman for the "
    "Rotterdam police said. No one was injured, and the shop reopened on Wednesday morning.\n"
)
LATIN1 = (
    "Café owner José Pérez told reporters in Málaga on Monday that the façade of his restaurant "
    "had been damaged during the storm. The mayor, Señora Muñoz, promised compensation for "
    "businesses along the seafront before the summer season begins in June.\n"
)
CP1252 = (
    "“We were not prepared for this,” said Anne Dupont, a spokeswoman for the regional council in "
    "Lyon. The repairs will cost €4.5 million – more than the council’s entire budget for roads "
    "this year – and work is expected to start in September.\n"
)
DUTCH = (
    "De politie in Amsterdam heeft dinsdagavond een man aangehouden die urenlang mensen in een "
    "winkel aan het Leidseplein had gegijzeld. Volgens een woordvoerder van de politie raakte "
    "niemand gewond. De burgemeester sprak woensdag van een zeer ernstige gebeurtenis en bedankte "
    "de hulpdiensten voor hun snelle optreden in de binnenstad.\n"
)
ARTICLE_HTML = f"""<!doctype html><html><head><title>Standoff ends in Rotterdam | City News</title></head>
<body><nav><a href="/">Home</a> | <a href="/sport">Sport</a> | <a href="/weather">Weather</a></nav>
<article><h1>Standoff ends in Rotterdam</h1><p>{ENGLISH}</p>
<p>The shop's owner said he was grateful to the officers who negotiated with the man for hours.</p></article>
<footer>Subscribe to our newsletter. Cookie settings. Copyright City News 2024.</footer></body></html>"""
NAV_ONLY_HTML = "<html><head><title>Index</title></head><body><nav><a href='/'>Home</a></nav></body></html>"


@pytest.fixture(scope="module")
def bad_run(prefect_server, tmp_path_factory):
    from pipeline.flows import extract_corpus

    raw = tmp_path_factory.mktemp("raw")
    (raw / "good.txt").write_text(ENGLISH, encoding="utf-8")
    (raw / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "latin1.txt").write_bytes(LATIN1.encode("latin-1"))
    (raw / "cp1252.txt").write_bytes(CP1252.encode("cp1252"))
    (raw / "Überfall in der Straße – report 1.txt").write_text(ENGLISH, encoding="utf-8")
    (raw / "dutch.txt").write_text(DUTCH, encoding="utf-8")
    (raw / "article.html").write_text(ARTICLE_HTML, encoding="utf-8")
    (raw / "nav-only.html").write_text(NAV_ONLY_HTML, encoding="utf-8")
    lines = [
        json.dumps({"id": "wire-1", "text": ENGLISH, "published": "2024-03-05T10:00:00Z"}),
        '{"id": "wire-2", "text": "unterminated',
        json.dumps({"id": "wire-3", "text": LATIN1, "title": "Storm damage"}),
        json.dumps({"text": "no id here"}),
        "[" * 200_000,
    ]
    (raw / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(raw / "huge.txt", "wb") as f:  # 50 MB, sparse-free: real bytes on disk
        f.write(ENGLISH.encode() * (50 * 1024 * 1024 // len(ENGLISH) + 1))
    (raw / "notes.docx").write_bytes(b"PK\x03\x04 not an article")
    (raw / "sidecar-broken.txt").write_text(ENGLISH, encoding="utf-8")
    (raw / "sidecar-broken.meta.json").write_text("[" * 200_000, encoding="utf-8")
    # The last day of the calendar is a date like any other (issue 17, item 7); an instant past it
    # in UTC (the table stores published in UTC) cannot be stored: published is left empty.
    (raw / "far-future.txt").write_text(ENGLISH, encoding="utf-8")
    (raw / "far-future.meta.json").write_text(json.dumps({"published": "9999-12-31"}), encoding="utf-8")
    (raw / "past-utc.txt").write_text(ENGLISH, encoding="utf-8")
    (raw / "past-utc.meta.json").write_text(json.dumps({"published": "9999-12-31T23:00:00-05:00"}), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    summary = extract_corpus(raw, out, progress=False)
    docs = pd.read_parquet(out / "documents.parquet")
    errors = pd.read_parquet(out / "errors.parquet")
    return summary, docs, errors


def _reason(errors, source_path):
    rows = errors[errors.source_path == source_path]
    assert len(rows) == 1, (source_path, errors.to_dict("records"))
    return rows.iloc[0]


def test_good_documents_all_kept(bad_run):
    _, docs, _ = bad_run
    assert set(docs.doc_id) == {"good", "latin1", "cp1252", "Überfall in der Straße – report 1", "article", "wire-1",
                                "wire-3", "sidecar-broken", "far-future", "past-utc"}


def test_a_far_future_published_is_kept(bad_run):
    _, docs, errors = bad_run
    far = docs.set_index("doc_id").loc["far-future"]
    assert str(far.published) == "9999-12-31 00:00:00+00:00" and far.dct == "9999-12-31"
    assert errors[errors.source_path == "far-future.txt"].empty
    past = docs.set_index("doc_id").loc["past-utc"]
    assert pd.isna(past.published)
    assert "out of range" in _reason(errors, "past-utc.txt").reason and "published left empty" in _reason(errors, "past-utc.txt").reason


def test_each_bad_input_is_one_clear_error_row(bad_run):
    _, _, errors = bad_run
    assert "binary" in _reason(errors, "binary.txt").reason
    assert "empty" in _reason(errors, "empty.txt").reason
    assert "non-English" in _reason(errors, "dutch.txt").reason
    assert "'nl'" in _reason(errors, "dutch.txt").reason
    assert "no article text" in _reason(errors, "nav-only.html").reason
    assert "too large" in _reason(errors, "huge.txt").reason
    assert "unsupported file type" in _reason(errors, "notes.docx").reason
    wire = errors[errors.source_path == "wire.jsonl"].sort_values("reason")
    assert list(wire.reason.str.slice(0, 7)) == ["line 2:", "line 4:", "line 5:"]
    assert "malformed JSON" in wire.reason.iloc[0] and "missing 'id'" in wire.reason.iloc[1]
    assert "nested too deeply" in wire.reason.iloc[2]
    assert "sidecar ignored" in _reason(errors, "sidecar-broken.meta.json").reason
    assert set(errors.stage) == {"ingest"}
    assert len(errors) == 11


def test_legacy_encodings_decoded(bad_run):
    _, docs, _ = bad_run
    text = docs.set_index("doc_id").text
    assert text["latin1"] == LATIN1
    assert text["cp1252"] == CP1252


def test_html_main_text_without_boilerplate(bad_run):
    _, docs, _ = bad_run
    row = docs.set_index("doc_id").loc["article"]
    assert "six-hour standoff" in row.text
    assert "Cookie settings" not in row.text and "Weather" not in row.text
    assert row.title == "Standoff ends in Rotterdam"


def test_jsonl_metadata_kept(bad_run):
    _, docs, _ = bad_run
    row = docs.set_index("doc_id").loc["wire-1"]
    assert str(row.published) == "2024-03-05 10:00:00+00:00"
    assert docs.set_index("doc_id").loc["wire-3"].title == "Storm damage"


def test_published_keeps_the_local_date(bad_run):
    """The instant is stored in UTC; the article's own date (its DCT) is the one where it was published."""
    from pipeline.ingest import parse_published

    evening = parse_published("2022-02-22T21:30:00-05:00")
    assert evening.date().isoformat() == "2022-02-22"
    assert evening.utcoffset().total_seconds() == -5 * 3600
    assert parse_published("2022-02-22").tzinfo is not None


def test_decode_refuses_binary_and_empty():
    with pytest.raises(BadInput, match="binary"):
        decode(os.urandom(4096))
    with pytest.raises(BadInput, match="empty"):
        decode(b"   \n")
    assert decode("naïve café".encode("utf-8")) == "naïve café"
    assert decode(b"\xef\xbb\xbfhello world") == "hello world"


def test_jsonl_article_without_title_gets_its_first_line(tmp_path):
    from pipeline import ingest

    (tmp_path / "wire.jsonl").write_text(
        json.dumps({"id": "a", "text": "\n  Storm closes the harbour  \nThe harbour closed on Monday after a storm."}) + "\n"
        + json.dumps({"id": "b", "text": "The harbour reopened.", "title": "  "}) + "\n"
        + json.dumps({"id": "c", "text": "The harbour reopened.", "title": "Reopened"}) + "\n", encoding="utf-8")
    result = ingest.read_sources(ingest.discover(tmp_path), tmp_path)
    assert {d.doc_id: d.title for d in result.documents} == {
        "a": "Storm closes the harbour", "b": "The harbour reopened.", "c": "Reopened"}

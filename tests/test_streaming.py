"""Extraction starts while sources are still being read (a real flow on the sample articles)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_first_batch_is_extracted_before_every_source_is_read(prefect_server, tmp_path, monkeypatch):
    import pipeline.extract as extract
    from pipeline import ingest
    from pipeline.flows import extract_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted((ROOT / "raw").glob("*.txt")):
        (raw / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    events: list[str] = []
    read, annotate = ingest.read_source, extract.annotate
    monkeypatch.setattr(ingest, "read_source", lambda *a, **k: events.append("read") or read(*a, **k))
    monkeypatch.setattr(extract, "annotate", lambda texts, *a, **k: events.append("model") or annotate(texts, *a, **k))

    summary = extract_corpus(raw, tmp_path / "out", batch_docs=1, progress=False)
    assert summary.n_extracted == 3
    assert events.count("read") == 3 and events.count("model") == 3
    assert events.index("model") < len(events) - 1 - events[::-1].index("read"), \
        f"the model waited for every source to be read: {events}"

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
    read, annotate = ingest.read_source_parts, extract.annotate
    monkeypatch.setattr(ingest, "read_source_parts", lambda *a, **k: events.append("read") or read(*a, **k))
    monkeypatch.setattr(extract, "annotate", lambda texts, *a, **k: events.append("model") or annotate(texts, *a, **k))

    summary = extract_corpus(raw, tmp_path / "out", batch_docs=1, progress=False)
    assert summary.n_extracted == 3
    assert events.count("read") == 3 and events.count("model") == 3
    assert events.index("model") < len(events) - 1 - events[::-1].index("read"), \
        f"the model waited for every source to be read: {events}"


def test_a_large_jsonl_goes_to_the_model_before_it_is_read_to_its_end(prefect_server, tmp_path, monkeypatch):
    """One jsonl of many articles is read part by part: its first batch is extracted while its
    later lines are still unread, and the tables equal those of reading it whole."""
    import json

    import pipeline.extract as extract
    from pipeline import dataset, ingest
    from pipeline.flows import extract_corpus

    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "raw").glob("*.txt"))]
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = [{"id": f"d{i}", "text": texts[i % len(texts)] + f"\n\nCopy {i}."} for i in range(8)]
    (raw / "feed.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    whole = extract_corpus(raw, tmp_path / "whole", batch_docs=2, progress=False)

    events: list[str] = []
    make, annotate = ingest.make_document, extract.annotate
    monkeypatch.setattr(ingest, "PART_DOCS", 2)
    monkeypatch.setattr(ingest, "make_document", lambda *a, **k: events.append("read") or make(*a, **k))
    monkeypatch.setattr(extract, "annotate", lambda texts, *a, **k: events.append("model") or annotate(texts, *a, **k))
    parts = extract_corpus(raw, tmp_path / "parts", batch_docs=2, progress=False)

    assert parts.n_extracted == whole.n_extracted == 8
    assert events.count("read") == 8
    assert events.index("model") < len(events) - 1 - events[::-1].index("read"), \
        f"the model waited for the whole file to be read: {events}"
    for name in ("documents", "mentions", "entities", "dates", "money"):
        a = dataset.read(tmp_path / "whole", name).drop(columns=["extracted_at"], errors="ignore").astype(str)
        b = dataset.read(tmp_path / "parts", name).drop(columns=["extracted_at"], errors="ignore").astype(str)
        assert a.sort_values(list(a.columns)).reset_index(drop=True).equals(
            b.sort_values(list(b.columns)).reset_index(drop=True)), name

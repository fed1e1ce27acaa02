"""Identical texts (syndicated copies) go through the model once; every copy still gets its own rows.

The runs are real (Prefect test server, the model); the reference for a copy's rows is the same
document extracted on its own, in a corpus where it has no twin.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted((ROOT / "raw").glob("*.txt"))
# Columns that differ between two runs of the same document by design.
RUN_COLUMNS = {"extracted_at", "entity_id"}


def _write(raw: Path, name: str, text: str, published: str | None = None) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"{name}.txt").write_text(text, encoding="utf-8")
    if published:
        (raw / f"{name}.meta.json").write_text(json.dumps({"published": published}), encoding="utf-8")


def _rows(out: Path, table: str, doc_id: str) -> list[dict]:
    rows = [r for r in pq.read_table(out / f"{table}.parquet").to_pylist() if r["doc_id"] == doc_id]
    return sorted(({k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in rows), key=repr)


@pytest.fixture
def model_calls(monkeypatch):
    """Every text the model is given, in this process (small runs extract here, not on workers)."""
    import pipeline.extract as extract

    seen: list[str] = []
    real = extract.annotate

    def counting(texts, *args, **kwargs):
        seen.extend(texts)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(extract, "annotate", counting)
    return seen


def test_copies_are_read_by_the_model_once_and_get_rows_of_their_own(prefect_server, tmp_path, model_calls):
    from pipeline.flows import extract_corpus

    first, second = (p.read_text(encoding="utf-8") for p in ARTICLES[:2])
    raw, out = tmp_path / "raw", tmp_path / "out"
    _write(raw, "wire", first, published="2019-03-01T09:00:00")
    _write(raw, "wire_copy", first, published="2019-03-04T09:00:00")  # the same story, printed days later
    _write(raw, "other", second)
    summary = extract_corpus(raw, out, progress=False)
    assert (summary.n_extracted, summary.n_same_text) == (3, 1)
    assert sorted(model_calls) == sorted([first, second]), "a text went through the model twice"

    # A later run: a copy of a text read in the earlier run is not read again either.
    model_calls.clear()
    _write(raw, "other_copy", second)
    again = extract_corpus(raw, out, progress=False)
    assert (again.n_extracted, again.n_same_text) == (1, 1)
    assert model_calls == []

    # Each copy's rows are those of the same document extracted alone (provenance: its own doc_id).
    for name, text, published in (("wire_copy", first, "2019-03-04T09:00:00"), ("other_copy", second, None)):
        alone_raw, alone_out = tmp_path / f"alone-{name}" / "raw", tmp_path / f"alone-{name}" / "out"
        _write(alone_raw, name, text, published)
        extract_corpus(alone_raw, alone_out, progress=False)
        doc_id = name
        for table in ("dates", "money", "sentences"):
            assert _rows(out, table, doc_id) == _rows(alone_out, table, doc_id), (name, table)
        mentions = _rows(out, "mentions", doc_id)
        assert mentions and all(m["mention_id"].startswith(f"{doc_id}:") for m in mentions)
        model = [m for m in mentions if m["origin"] == "model"]
        assert model == [m for m in _rows(alone_out, "mentions", doc_id) if m["origin"] == "model"], name
        documents = _rows(out, "documents", doc_id)
        assert documents == _rows(alone_out, "documents", doc_id), name

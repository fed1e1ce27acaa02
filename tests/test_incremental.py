"""Incremental re-extraction: only new or changed documents are extracted; the tables stay whole.

Real flow, real model, real parquet. The strongest check is that an incremental run's tables equal
a from-scratch run over the same sources (``extracted_at`` aside, which must not change for
documents that were reused).
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

import duckdb
import pandas as pd
import pytest

from incremental_support import SEEDS, assert_same_tables, model_calls, run, tables
from pipeline.output.cache import CACHE_DIR, document_key, extraction_modules, extraction_version
from pipeline.ingest import make_document
from pipeline.schema import TABLES, validate
from pipeline.output.store import read_table

FIRE = (
    "Firefighters in Utrecht fought a blaze at a furniture warehouse on Monday night, the city's fire "
    "service said. Nobody was hurt, but the owner, Marieke Jansen, put the damage at €2 million. The "
    "warehouse on the Kanaalweg had reopened in March after a renovation, and Mayor Sharon Dijksma "
    "visited the site on Tuesday morning to thank the crews.\n"
)


def assert_same_as_full_run(raw, out, tmp_path) -> None:
    """The incremental tables equal a from-scratch run over the same sources."""
    fresh = tmp_path / "fresh"
    summary = run(raw, fresh, reuse=False)
    assert summary.n_reused == 0
    assert_same_tables(tables(out), tables(fresh))


@pytest.fixture
def corpus(prefect_server, tmp_path):
    """Two of the sample articles in a fresh raw dir, extracted once into a fresh out dir."""
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    for path in SEEDS[:2]:
        shutil.copy(path, raw / path.name)
    first = run(raw, out)
    assert (first.n_extracted, first.n_reused) == (2, 0)
    return raw, out


def test_rerun_with_nothing_changed_does_no_nlp_work(corpus):
    raw, out = corpus
    before, calls = tables(out), model_calls()
    summary = run(raw, out)
    assert (summary.n_extracted, summary.n_reused) == (0, 2)
    assert model_calls() == calls, "the spaCy model was used on a run with nothing to do"
    after = tables(out)
    for name in TABLES:  # extracted_at included: nothing was re-done
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)


def test_adding_a_document_extracts_only_that_document(corpus, tmp_path):
    raw, out = corpus
    old = tables(out)["documents"].set_index("doc_id").extracted_at
    shutil.copy(SEEDS[2], raw / SEEDS[2].name)
    summary = run(raw, out)
    assert (summary.n_extracted, summary.n_reused) == (1, 2)

    docs = tables(out)["documents"].set_index("doc_id").extracted_at
    new_id = SEEDS[2].stem
    assert docs.drop(new_id).equals(old), "reused documents must keep their extracted_at"
    assert docs[new_id] > old.max()
    mentions = tables(out)["mentions"]
    assert (mentions.doc_id == new_id).sum() > 0
    assert mentions.entity_id.notna().all()
    # The new article is about the same incident: alignment ran over the whole corpus again.
    entities = tables(out)["entities"]
    assert (entities.doc_ids.map(lambda ids: new_id in ids and len(ids) > 1)).any()
    assert_same_as_full_run(raw, out, tmp_path)


def test_changed_document_replaces_its_rows(corpus, tmp_path):
    raw, out = corpus
    changed = SEEDS[1].name
    (raw / changed).write_text(FIRE, encoding="utf-8")
    summary = run(raw, out)
    assert (summary.n_extracted, summary.n_reused) == (1, 1)

    t = tables(out)
    doc = t["documents"].set_index("doc_id").loc[SEEDS[1].stem]
    assert doc.text == FIRE
    mentions = t["mentions"][t["mentions"].doc_id == SEEDS[1].stem]
    assert len(mentions) and all(FIRE[r.start_char : r.end_char] == r.text for r in mentions.itertuples())
    assert "Utrecht" in set(mentions.text)
    assert not t["mentions"].mention_id.duplicated().any()
    assert_same_as_full_run(raw, out, tmp_path)


def test_changed_publication_date_reextracts_and_reresolves_dates(prefect_server, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    (raw / "fire.txt").write_text(FIRE, encoding="utf-8")
    sidecar = raw / "fire.meta.json"
    sidecar.write_text(json.dumps({"published": "2024-03-05"}))
    run(raw, out)
    before = tables(out)
    sidecar.write_text(json.dumps({"published": "2023-01-10"}))
    summary = run(raw, out)
    assert summary.n_extracted == 1, "published sets the reference date: a change must re-extract"
    after = tables(out)
    assert before["documents"].dct[0].startswith("2024-03-05") and after["documents"].dct[0].startswith("2023-01-10")
    # "on Monday night", "on Tuesday morning" are resolved against the new reference date
    assert len(before["dates"]) and not before["dates"].value.equals(after["dates"].value)


def test_deleted_document_rows_go(corpus, tmp_path):
    raw, out = corpus
    gone = SEEDS[1].stem
    (raw / SEEDS[1].name).unlink()
    summary = run(raw, out)
    assert (summary.n_extracted, summary.n_reused) == (0, 1)
    t = tables(out)
    for name in ("documents", "mentions", "dates", "money"):
        assert gone not in set(t[name].doc_id), name
    assert not t["entities"].doc_ids.map(lambda ids: gone in ids).any()
    assert len(list((out / CACHE_DIR).glob("*/*.pkl"))) == 1, "the deleted document's cache entry stays behind"
    assert_same_as_full_run(raw, out, tmp_path)


def test_partitioned_dataset_reads_as_one_table(corpus):
    raw, out = corpus
    single = tables(out)
    summary = run(raw, out, partitions=4)
    assert summary.n_extracted == 0
    for name in TABLES:
        path = out / name
        assert path.is_dir() and not (out / f"{name}.parquet").exists(), name
        df = pd.read_parquet(path)
        assert validate(name, read_table(out, name)) == []
        key = [c for c in ("mention_id", "doc_id", "entity_id", "start_char", "source_path") if c in df.columns]
        pd.testing.assert_frame_equal(
            df.sort_values(key).reset_index(drop=True), single[name].sort_values(key).reset_index(drop=True), obj=name)
    assert len(list((out / "mentions").glob("part-*.parquet"))) > 1
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{out}/mentions/*.parquet')").fetchone()[0]
    assert n == len(single["mentions"])

    run(raw, out, partitions=4)  # a second swap keeps one previous version for readers still on it
    assert len(list((out / ".data").iterdir())) == 2
    run(raw, out)  # and back to one file per table
    assert (out / "mentions.parquet").is_file() and not (out / "mentions").exists()
    assert_same_tables(tables(out), single)


def test_cache_key_covers_content_metadata_and_version():
    doc = lambda **kw: make_document("d1", "d1.txt", FIRE, **kw)  # noqa: E731
    key = document_key(doc(), "v1")
    assert document_key(doc(), "v1") == key
    assert document_key(doc(), "v2") != key
    assert document_key(doc(published="2024-03-05"), "v1") != key
    assert document_key(doc(title="Warehouse fire"), "v1") != key
    assert document_key(make_document("d1", "d1.txt", FIRE + "More.\n"), "v1") != key
    extracted = doc()
    extracted.dct, extracted.extracted_at = "2024-03-05", datetime.now(timezone.utc)
    assert document_key(extracted, "v1") == key, "fields the run writes are not inputs"


def test_code_fingerprint_follows_what_extraction_imports():
    modules = extraction_modules()
    assert {"pipeline.extract", "pipeline.extract.nlp", "pipeline.temporal", "pipeline.money"} <= modules
    assert not modules & {"pipeline.flows", "pipeline.cli", "pipeline.output.store", "pipeline.output.cache", "pipeline.runtime.serve"}
    version = extraction_version()
    assert version.startswith("0.") and "+" in version


def test_rule_files_are_part_of_the_fingerprint():
    """Editing the date rules must re-extract every document: the rule file is hashed like code."""
    from pipeline.output.cache import _data_files

    hashed = {path.name for _, path in _data_files()}
    assert "temporal_rules.toml" in hashed

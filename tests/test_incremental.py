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

from incremental_support import SEEDS, assert_same_tables, model_calls, run, same_entities_up_to_ids, tables
from pipeline import dataset, ingest
from pipeline.dataset import read_table
from pipeline.ingest import make_document
from pipeline.output.fingerprint import document_key, extraction_modules, extraction_version
from pipeline.schema import TABLES, validate

FIRE = (
    "Firefighters in Utrecht fought a blaze at a furniture warehouse on Monday night, the city's fire "
    "service said. Nobody was hurt, but the owner, Marieke Jansen, put the damage at €2 million. The "
    "warehouse on the Kanaalweg had reopened in March after a renovation, and Mayor Sharon Dijksma "
    "visited the site on Tuesday morning to thank the crews.\n"
)


def assert_same_as_full_run(raw, out, tmp_path) -> None:
    """The incremental tables equal a from-scratch run over the same sources (entity ids aside: an
    incremental run keeps an entity's id where a new document changes its most attested name)."""
    fresh = tmp_path / "fresh"
    summary = run(raw, fresh, reuse=False)
    assert summary.n_reused == 0
    want = tables(fresh)
    assert_same_tables(same_entities_up_to_ids(tables(out), want), want,
                       ignore=("entity_redirects", "conflicts"))


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
    assert_same_as_full_run(raw, out, tmp_path)


def test_every_table_is_a_directory_read_in_one_call(corpus):
    raw, out = corpus
    pinned = dataset.path(out)
    con = duckdb.connect()
    for name in TABLES:
        assert (out / f"{name}.parquet").is_dir(), name
        via_link = pd.read_parquet(out / f"{name}.parquet")
        assert list(via_link.columns) == list(read_table(out, name).schema.names)
        assert validate(name, read_table(out, name)) == []
        n = con.execute(f"select count(*) from read_parquet('{pinned}/{name}/*.parquet')").fetchone()[0]
        assert n == len(via_link) == read_table(out, name).num_rows, name


def test_unchanged_sources_are_not_opened(corpus, monkeypatch):
    """Change detection by stat: with nothing changed no source is read, and no snapshot is published."""
    raw, out = corpus
    before = dataset.path(out)
    opened = []
    real = ingest.read_source_parts
    monkeypatch.setattr(ingest, "read_source_parts", lambda path, raw_dir, *rest: opened.append(path.name) or real(path, raw_dir, *rest))
    summary = run(raw, out)
    assert opened == [] and summary.sources_read == 0 and not summary.published
    assert dataset.path(out) == before
    (raw / SEEDS[0].name).touch()  # a new mtime, the same bytes: hashed, not parsed
    summary = run(raw, out)
    assert opened == [] and summary.n_extracted == 0


def test_a_changed_jsonl_line_rereads_only_that_file(prefect_server, tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    lines = [{"id": f"a{i}", "text": FIRE.replace("Utrecht", city)} for i, city in enumerate(("Utrecht", "Leiden", "Delft"))]
    (raw / "a.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    (raw / "b.jsonl").write_text(json.dumps({"id": "b0", "text": FIRE.replace("Utrecht", "Gouda")}) + "\n")
    run(raw, out)
    opened = []
    real = ingest.read_source_parts
    monkeypatch.setattr(ingest, "read_source_parts", lambda path, raw_dir, *rest: opened.append(path.name) or real(path, raw_dir, *rest))
    lines[1]["text"] = FIRE.replace("Utrecht", "Haarlem")
    (raw / "a.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    summary = run(raw, out)
    assert opened == ["a.jsonl"] and summary.n_extracted == 1 and summary.n_reused == 3
    assert "Haarlem" in set(tables(out)["mentions"].text)
    assert_same_as_full_run(raw, out, tmp_path)


def test_yesterdays_dataset_stays_readable(corpus):
    """Every run is a snapshot; an older one is read as it was (time travel)."""
    raw, out = corpus
    first = dataset.snapshot(out)
    shutil.copy(SEEDS[2], raw / SEEDS[2].name)
    run(raw, out)
    assert dataset.snapshot(out).version != first.version
    old = dataset.read(out, "documents", as_of=first.created)
    assert len(old) == 2 and len(dataset.read(out, "documents")) == 3
    assert set(dataset.history(out).version) >= {first.version, dataset.snapshot(out).version}


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
    assert not modules & {"pipeline.flows", "pipeline.cli", "pipeline.output.store", "pipeline.output.corpus", "pipeline.runtime.serve"}
    version = extraction_version()
    assert version.startswith("0.") and "+" in version


def test_rule_files_are_part_of_the_fingerprint():
    """Editing the date rules must re-extract every document: the rule file is hashed like code."""
    from pipeline.output.fingerprint import _data_files

    hashed = {path.name for _, path in _data_files()}
    assert "temporal_rules.toml" in hashed


def test_realign_keeps_the_ids_analysts_hold(corpus, tmp_path):
    """``--realign`` rebuilds every entity from nothing, yet an entity keeps the id most of its
    documents' mentions had (as an incremental merge does), so ids kept by analysts survive it;
    the grouping is the from-scratch one."""
    raw, out = corpus
    shutil.copy(SEEDS[2], raw / SEEDS[2].name)
    run(raw, out)
    before = tables(out)["mentions"].set_index("mention_id").entity_id
    fresh = tmp_path / "fresh"
    run(raw, fresh, reuse=False)
    want = tables(fresh)
    # Rename every id in the state, as if the index had given them long ago: a realign that derived
    # ids anew would give the fresh ones back, not these.
    con = duckdb.connect()
    for table in ("mentions", "entities", "conflicts"):
        for path in (out / f"{table}.parquet").glob("*.parquet"):
            con.execute(f"copy (select * replace ('old-' || entity_id as entity_id) from read_parquet('{path}')) "
                        f"to '{path}.tmp' (format parquet)")
            path.unlink()
            (path.parent / f"{path.name}.tmp").rename(path)
    renamed = ("old-" + before).to_dict()

    summary = run(raw, out, realign=True)
    assert summary.published
    got = tables(out)
    after = got["mentions"].set_index("mention_id").entity_id
    assert after.to_dict() == renamed, "a realignment changed ids that the same mentions had"
    assert_same_tables(same_entities_up_to_ids(got, want), want, ignore=("entity_redirects", "conflicts"))


def test_mention_patch_writes_the_documents_whose_entity_or_label_changed():
    """The patch rewrites a document processed this run, or one whose rows show another entity or
    label than stored (a null and a value differ); one shown as stored is left in its file."""
    import pyarrow as pa

    from pipeline.align.index import _changed_docs

    before = pa.table({"doc_id": ["a", "a", "b", "c", "d", "e"], "entity_id": ["E1", None, "E2", "E3", None, "E5"],
                       "label": ["ORG", "ORG", "PERSON", "ORG", "ORG", "ORG"]})
    after = pa.table({"doc_id": ["a", "a", "b", "c", "d", "e"], "entity_id": ["E1", None, "E9", "E3", "E4", "E5"],
                      "label": ["ORG", "ORG", "PERSON", "GPE", "ORG", "ORG"]})
    ids, rows = _changed_docs(before, after, processed={"e"})
    assert ids == ["b", "c", "d", "e"]
    assert rows.column("doc_id").to_pylist() == ["b", "c", "d", "e"]
    assert rows.column("entity_id").to_pylist() == ["E9", "E3", "E4", "E5"]

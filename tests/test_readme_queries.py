"""The analyst queries in README.md, run against a real run's tables, each answer checked against an
independent computation in plain Python over the parquet rows (not only "it returned rows")."""

from __future__ import annotations

import ast
import re
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(section: str) -> list[str]:
    text = README.read_text(encoding="utf-8").split(section, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_has_setup_and_five_queries():
    assert len(_blocks("## Five analyst queries")) == 6  # the set-up block, then five queries


def _run_block(block: str, namespace: dict):
    """Run a block like a notebook cell: the value of its last expression (or last assignment)."""
    tree = ast.parse(block)
    *body, last = tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<readme>", "exec"), namespace)
    if isinstance(last, ast.Expr):
        result = eval(compile(ast.Expression(last.value), "<readme>", "eval"), namespace)
    else:
        exec(compile(ast.Module(body=[last], type_ignores=[]), "<readme>", "exec"), namespace)
        result = namespace[last.targets[0].id]
    return result.df() if hasattr(result, "df") else result


def _rows(out: Path, name: str) -> list[dict]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


@pytest.fixture(scope="module")
def answers(seed_run):
    _, out = seed_run
    setup, *queries = _blocks("## Five analyst queries")
    namespace: dict = {}
    exec(setup.replace('P = "processed"', f"P = {str(out)!r}"), namespace)
    results = []
    for block in queries:
        # Query 5 has two statements; keep both answers.
        if block.count("con.sql(") == 2:
            first, second = block.split("\ncon.sql(", 1)
            results.append((_run_block(first, namespace), _run_block("con.sql(" + second, namespace)))
        else:
            results.append(_run_block(block, namespace))
    return out, results


def test_query_1_every_document_of_a_person(answers):
    out, results = answers
    got = results[0]
    ids = {e["entity_id"] for e in _rows(out, "entities") if "Akkad" in e["aliases"] and e["label"] == "PERSON"}
    counts, forms = Counter(), defaultdict(set)
    for m in _rows(out, "mentions"):
        if m["entity_id"] in ids:
            counts[m["doc_id"]] += 1
            forms[m["doc_id"]].add(m["text"])
    assert counts, "the sample names Akkad"
    assert dict(zip(got.doc_id, got.mentions)) == dict(counts)
    assert {d: set(w) for d, w in zip(got.doc_id, got.written_as)} == forms


def test_query_2_money_beside_people_and_organisations_without_duplicates(answers):
    out, results = answers
    got = results[1]
    labels = {e["entity_id"]: (e["name"], e["label"]) for e in _rows(out, "entities")}
    in_sentence = defaultdict(set)
    for m in _rows(out, "mentions"):
        in_sentence[(m["doc_id"], m["sentence_index"])].add(m["entity_id"])
    sentences = {(s["doc_id"], s["sentence_index"]): s["text"] for s in _rows(out, "sentences")}
    expected = Counter()
    for y in _rows(out, "money"):
        for entity_id in in_sentence[(y["doc_id"], y["sentence_index"])]:
            name, label = labels[entity_id]
            if label in ("PERSON", "ORG"):
                expected[(name, y["doc_id"], y["text"], sentences[(y["doc_id"], y["sentence_index"])])] += 1
    rows = Counter(zip(got.name, got.doc_id, got.text, got.sentence))
    assert rows == expected and expected
    assert not got.duplicated().any()


def test_query_3_timeline_counts_days_not_years(answers):
    out, results = answers
    got = results[2]
    names = {e["entity_id"]: e["name"] for e in _rows(out, "entities")}
    in_sentence = defaultdict(set)
    for m in _rows(out, "mentions"):
        in_sentence[(m["doc_id"], m["sentence_index"])].add(names[m["entity_id"]])
    docs = defaultdict(set)
    for d in _rows(out, "dates"):
        if d["start"] is None or d["end"] - d["start"] > timedelta(days=1):
            continue
        for name in in_sentence[(d["doc_id"], d["sentence_index"])]:
            docs[(d["start"].date(), name)].add(d["doc_id"])
    assert {(r.day, r.name): r.documents for r in got.itertuples()} == {k: len(v) for k, v in docs.items()}
    assert all(r.day.month != 1 or r.day.day != 1 or (r.day, r.name) in docs for r in got.itertuples())
    assert list(got.day) == sorted(got.day)


def test_query_4_most_written_about(answers):
    out, results = answers
    got = results[3]
    rows = sorted(_rows(out, "entities"), key=lambda e: (-e["n_docs"], -e["n_mentions"]))
    assert list(got.n_docs) == [e["n_docs"] for e in rows[:20]]
    assert set(got.name) <= {e["name"] for e in rows if e["n_docs"] >= rows[min(19, len(rows) - 1)]["n_docs"]}


def test_query_5_errors_and_runs(answers):
    out, results = answers
    errors, runs = results[4]
    expected = Counter((e["stage"], e["reason"]) for e in _rows(out, "errors"))
    assert Counter({(r[0], r[1]): r[2] for r in errors.itertuples(index=False)}) == expected
    assert dict(zip(runs.extracted_at, runs.documents)) == Counter(d["extracted_at"] for d in _rows(out, "documents"))


def test_timestamp_rule_of_the_readme_holds_and_its_comparison_runs(seed_run):
    """Every timestamp column is UTC except dates.start/end (wall clock); the README's recipe compares them."""
    import pandas as pd
    import pyarrow as pa

    from pipeline.schema import SCHEMAS

    for table, schema in SCHEMAS.items():
        for f in schema:
            if pa.types.is_timestamp(f.type):
                wall_clock = (table, f.name) in {("dates", "start"), ("dates", "end")}
                assert f.type.tz == (None if wall_clock else "UTC"), f"{table}.{f.name}"
    _, out = seed_run
    (block,) = _blocks("**Timestamps**")
    namespace = {"P": str(out), "pd": pd}
    result = _run_block(block, namespace)
    dates, documents = namespace["dates"], namespace["documents"]
    assert len(result) == len(dates.merge(documents[["doc_id"]], on="doc_id"))
    assert result.after_publication.dtype == bool

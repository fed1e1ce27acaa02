"""The chains that move in a run (``pipeline.align.delta``): tallied as they arrive and kept slim.

Checked on the real ``_chains`` rows of the 400 ECB+ articles of the shared run, against the plain
computation over row dicts that the linker used before (every row held whole).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pipeline.align.delta import LINK_COLUMNS, Delta, Strings, slim_rows
from pipeline.align.index import SCHEMAS_STATE

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.model]

SCHEMA = SCHEMAS_STATE["_chains"]


@pytest.fixture(scope="module")
def chains(ecb400_run) -> pa.Table:
    files = sorted((ecb400_run / ".current" / "_chains").glob("*.parquet"))
    table = pq.read_table([str(f) for f in files], schema=SCHEMA)
    assert table.num_rows > 5_000
    return table


def reference_tallies(signed_rows) -> tuple[dict, Counter]:
    """Label votes and document frequencies the plain way: every row a dict, one loop."""
    votes: dict[str, Counter] = defaultdict(Counter)
    df: Counter = Counter()
    for sign, rows in signed_rows:
        per_doc: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            for k in r["mention_keys"]:
                votes[k][r["doc_label"]] += sign
            for k, v in zip(r["evidence_keys"] or (), r["evidence_votes"] or ()):
                votes[k][v] += sign
            per_doc[r["doc_id"]].add(r["head_key"])
        for keys in per_doc.values():
            for k in keys:
                df[k] += sign
    return votes, df


@pytest.mark.xdist_group("ecb400")
def test_tallies_of_real_chains_equal_the_row_by_row_count(chains):
    docs = sorted(set(chains.column("doc_id").to_pylist()))
    leaving = pa.array(docs[:50])
    minus = chains.filter(pc.is_in(chains.column("doc_id"), value_set=leaving))
    plus = chains.filter(pc.invert(pc.is_in(chains.column("doc_id"), value_set=leaving)))
    delta = Delta(SCHEMA)
    # Several batches of whole documents, one given as dicts (what a job run here returns).
    delta.add(-1, minus.to_pylist())
    half = docs[len(docs) // 2]
    first = pc.less(plus.column("doc_id"), half)
    delta.add(1, plus.filter(first))
    delta.add(1, plus.filter(pc.invert(first)))
    votes, df = reference_tallies([(-1, minus.to_pylist()), (1, plus.to_pylist())])
    assert {k: +v for k, v in delta.label_votes.items() if +v} == {k: +v for k, v in votes.items() if +v}
    assert {k: -v for k, v in delta.label_votes.items() if -v} == {k: -v for k, v in votes.items() if -v}
    assert +delta.df == +df and -delta.df == -df
    assert delta.new_mentions == sum(len(r["mention_ids"]) for r in plus.to_pylist())
    assert len(delta.plus) == plus.num_rows and len(delta.minus) == minus.num_rows


@pytest.mark.xdist_group("ecb400")
def test_a_batch_that_leaves_and_joins_again_tallies_nothing(chains):
    delta = Delta(SCHEMA)
    delta.add(-1, chains)
    delta.add(1, chains)
    assert not any(n for c in delta.label_votes.values() for n in c.values())
    assert not any(delta.df.values())


@pytest.mark.xdist_group("ecb400")
def test_slim_rows_are_the_linkers_columns_with_each_string_made_once(chains):
    rows = slim_rows(chains, Strings())
    assert rows == [{**{k: r[k] for k in LINK_COLUMNS}, "first_mention": r["mention_ids"][0]} for r in chains.to_pylist()]
    # A document's chains carry its context names: one object each, not one per chain.
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_doc[r["doc_id"]].append(r)
    shared = checked = 0
    for doc_rows in by_doc.values():
        objects: dict[str, int] = {}
        for r in doc_rows:
            for name in r["context"]:
                checked += 1
                shared += objects.setdefault(name, id(name)) == id(name)
    assert checked > 10_000 and shared == checked


def test_null_lists_and_strings_come_back_as_none():
    table = pa.table({"s": pa.array(["a", None, "a"]), "l": pa.array([["x", "y"], None, []], pa.list_(pa.string()))})
    strings = Strings()
    assert strings.column(table.column("s").combine_chunks()) == ["a", None, "a"]
    assert strings.lists(table.column("l").combine_chunks()) == [["x", "y"], None, []]
    assert strings.column(pa.array([], pa.string())) == []
    assert strings.column(pa.array(["only"])) == ["only"]

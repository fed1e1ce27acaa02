"""The keyed state tables: newest version of a key wins, tombstones delete, compaction changes nothing.

Checked against a plain dict that replays the same puts and deletes (an independent model).
"""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.output import store, tables
from pipeline.output.tables import MAX_KEYED_FILES, KeyedTable, Secondary, registered, strings

SCHEMA = pa.schema([pa.field("k", pa.string(), nullable=False), pa.field("v", pa.int64())])


def _live(table: KeyedTable) -> dict[str, int]:
    return {r["k"]: r["v"] for r in table.all().to_pylist()}


@pytest.mark.parametrize("small_rows, many_keys", [(0, 1_000), (50_000, 1_000), (0, 0)],
                         ids=["queries", "in-memory", "decoded-files"])
def test_many_runs_of_puts_and_deletes_read_back_as_a_dict_would(tmp_path, monkeypatch, small_rows, many_keys):
    """Every way of reading: queries over the files, a small table's rows held in memory, and
    lookups of many keys through the files' decoded rows."""
    monkeypatch.setattr(tables, "SMALL_KEYED_ROWS", small_rows)
    monkeypatch.setattr(tables, "MANY_KEYS", many_keys)
    rng = random.Random(7)
    model: dict[str, int] = {}
    base = None
    sizes_seen = []
    for run in range(6):  # each run a commit of its own, as the flow makes them
        commit = store.Commit(tmp_path, base)
        table = KeyedTable(commit, "_t", SCHEMA, ["k"])
        for _ in range(2 * MAX_KEYED_FILES):  # more flushes than files allowed: compaction must happen
            puts = {f"k{rng.randrange(3000):04d}": rng.randrange(1000) for _ in range(rng.randrange(1, 60))}
            table.put(pa.Table.from_pylist([{"k": k, "v": v} for k, v in puts.items()], schema=SCHEMA))
            gone = sorted({f"k{rng.randrange(3000):04d}" for _ in range(rng.randrange(0, 20))} - set(puts))
            table.delete(pa.table({"k": pa.array(gone, pa.string())}))
            table.flush()
            model.update(puts)
            for k in gone:
                model.pop(k, None)
            assert len(commit.tables["_t"]) <= MAX_KEYED_FILES
        sizes_seen.append(max(f.rows for f in commit.tables["_t"]))
        assert _live(table) == model
        some = sorted(rng.sample(sorted(model), 25)) + ["never-written"]
        got = {r["k"]: r["v"] for r in table.get(pa.table({"k": some})).to_pylist()}
        assert got == {k: model[k] for k in some if k in model}
        below = table.where("v < 500").to_pylist()
        assert [r["k"] for r in below] == sorted(k for k, v in model.items() if v < 500)
        assert all(model[r["k"]] == r["v"] for r in below)
        base = commit.commit({}, public=[])
    assert len(set(sizes_seen)) > 1, "the test never grew the large file"


def test_many_small_files_merge_without_rewriting_the_largest(tmp_path):
    commit = store.Commit(tmp_path, None)
    table = KeyedTable(commit, "_t", SCHEMA, ["k"])
    table.put(pa.Table.from_pylist([{"k": f"b{i:06d}", "v": i} for i in range(50_000)], schema=SCHEMA))
    table.flush()
    big = commit.tables["_t"][0].name
    for i in range(MAX_KEYED_FILES + 1):
        table.put(pa.Table.from_pylist([{"k": f"b{i:06d}", "v": -i}], schema=SCHEMA))
        table.delete(pa.table({"k": [f"b{40_000 + i:06d}"]}))
        table.flush()
    names = [f.name for f in commit.tables["_t"]]
    assert big in names and len(names) < MAX_KEYED_FILES, names
    live = _live(table)
    assert live["b000003"] == -3 and "b040003" not in live and live["b045000"] == 45_000
    assert len(live) == 50_000 - (MAX_KEYED_FILES + 1)


TAGGED = pa.schema([pa.field("k", pa.string(), nullable=False), pa.field("group", pa.string()),
                    pa.field("tags", pa.list_(pa.string()))])


def test_secondary_lookups_find_what_a_scan_of_every_file_finds(tmp_path, monkeypatch):
    """Rows move between groups and lose tags over many runs (stale entries pile up, folds drop
    them): a lookup through the secondaries returns exactly the rows the full scan returns (and so
    does the small table's in-memory copy)."""
    monkeypatch.setattr(tables, "SMALL_KEYED_ROWS", 0)
    rng = random.Random(11)
    secondary = {"group": Secondary('"group"'), "tag": Secondary("unnest(tags)", only="k like 'x%'")}
    base = None
    for run in range(4):
        commit = store.Commit(tmp_path, base)
        table = KeyedTable(commit, "_t", TAGGED, ["k"], secondary=secondary)
        for _ in range(MAX_KEYED_FILES + 3):
            rows = [{"k": f"{rng.choice('xy')}{rng.randrange(400):03d}", "group": f"g{rng.randrange(30)}",
                     "tags": sorted({f"t{rng.randrange(40)}" for _ in range(rng.randrange(0, 4))})}
                    for _ in range(rng.randrange(1, 80))]
            table.put(pa.Table.from_pylist(rows, schema=TAGGED))
            table.delete(pa.table({"k": pa.array(sorted({f"x{rng.randrange(400):03d}" for _ in range(5)}
                                                       - {r["k"] for r in rows}), pa.string())}))
            table.flush()
            groups, tags = {f"g{rng.randrange(30)}" for _ in range(4)}, {f"t{rng.randrange(40)}" for _ in range(4)}
            with registered(table.con, _g=strings("g", groups), _t=strings("t", tags)):
                cond = "\"group\" in (select g from _g) or (k like 'x%' and list_has_any(tags, (select list(t) from _t)))"
                scanned = table.where(cond).to_pylist()
                looked_up = table.where(cond, via={"group": groups, "tag": tags}).to_pylist()
                monkeypatch.setattr(tables, "SMALL_KEYED_ROWS", 50_000)
                in_memory = table.where(cond, via={"group": groups, "tag": tags}).to_pylist()
                monkeypatch.setattr(tables, "SMALL_KEYED_ROWS", 0)
                monkeypatch.setattr(tables, "MANY_KEYS", 0)
                decoded = table.where(cond, via={"group": groups, "tag": tags}).to_pylist()
                monkeypatch.setattr(tables, "MANY_KEYS", 1_000)
            assert looked_up == scanned == in_memory == decoded
            assert scanned, "the lookup found nothing: the test proves nothing"
        table.fold()
        assert len(commit.tables["_t__group"]) == 1
        base = commit.commit({}, public=[])


DOCS = pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("n", pa.int64())])


def test_removing_documents_spread_over_many_files_keeps_every_other_row(tmp_path, monkeypatch):
    """Documents leave many files at once (the files are read and rewritten a few at a time, on
    threads): every other row stays (checked against a list model), the untouched files stay as
    they were, and each rewritten file holds whole documents, at most FILE_ROWS rows of them."""
    monkeypatch.setattr(tables, "FILE_ROWS", 40)
    rng = random.Random(11)
    commit = store.Commit(tmp_path, None)
    table = tables.DocTable(commit, "_d", DOCS)
    files: dict[str, list[dict]] = {}  # the model: each file's rows
    for f in range(30):
        rows = [{"doc_id": f"d{f:02d}-{d:02d}", "n": i} for d in range(rng.randrange(5, 12)) for i in range(rng.randrange(1, 9))]
        files[table.add(pa.Table.from_pylist(rows, schema=DOCS))] = rows
    every = sorted({r["doc_id"] for rows in files.values() for r in rows})
    gone = set(rng.sample(every, 60))
    hit = {name for name, rows in files.items() if any(r["doc_id"] in gone for r in rows)}
    assert 2 * tables.WRITE_THREADS < len(hit) < len(files), "the test must span several windows of files, not all"
    removed = table.remove_docs(sorted(gone))
    assert removed == sum(1 for rows in files.values() for r in rows if r["doc_id"] in gone)
    expected = [r for rows in files.values() for r in rows if r["doc_id"] not in gone]
    key = lambda r: (r["doc_id"], r["n"])  # noqa: E731
    assert sorted(commit.read("_d", DOCS).to_pylist(), key=key) == sorted(expected, key=key)
    now = {p.name: pq.read_table(p).to_pylist() for p in table.files()}
    assert {n for n in now if n in files} == set(files) - hit
    assert all(now[n] == files[n] for n in set(files) - hit)
    for name, rows in now.items():
        if name in files:
            continue
        docs = [r["doc_id"] for r in rows]
        assert docs == sorted(docs) and (len(rows) <= 40 or len(set(docs)) == 1), name
        assert all(d not in gone for d in docs)


def test_rewriting_documents_window_by_window_gives_the_files_of_one_rewrite(tmp_path, monkeypatch):
    """``rewrite_docs`` (what the mention patch of a re-alignment does, every row of the corpus)
    asks for the new rows a window at a time and gives, file for file, what removing the documents
    and adding all their new rows at once gives; the rows it is asked for never exceed a window and
    a document."""
    monkeypatch.setattr(tables, "FILE_ROWS", 40)
    rng = random.Random(5)
    rows = [{"doc_id": f"d{f:02d}-{d:02d}", "n": i} for f in range(12) for d in range(rng.randrange(5, 12))
            for i in range(rng.randrange(1, 9))]
    every = sorted({r["doc_id"] for r in rows})
    redone = sorted(rng.sample(every, len(every) // 2))
    new_rows = {d: [{"doc_id": d, "n": 100 + i} for i in range(rng.randrange(1, 12))] for d in redone}

    def build(root):
        commit = store.Commit(root, None)
        table = tables.DocTable(commit, "_d", DOCS)
        for f in range(12):
            table.add(pa.Table.from_pylist([r for r in rows if r["doc_id"].startswith(f"d{f:02d}")], schema=DOCS))
        return commit, table

    one_commit, one = build(tmp_path / "one")
    one.remove_docs(redone)
    one.add_parts(pa.Table.from_pylist([r for d in redone for r in new_rows[d]], schema=DOCS))
    asked: list[list[str]] = []

    def rows_of(window):
        asked.append(list(window))
        return pa.Table.from_pylist([r for d in window for r in new_rows[d]], schema=DOCS)

    win_commit, windowed = build(tmp_path / "windowed")
    windowed.rewrite_docs(redone, rows_of, {d: len(new_rows[d]) for d in redone}, window_rows=50)
    assert len(asked) > 3 and [d for w in asked for d in w] == redone
    assert all(sum(len(new_rows[d]) for d in w[:-1]) < 50 for w in asked)
    files = lambda table: [pq.read_table(p).to_pylist() for p in table.files()]  # noqa: E731
    assert files(windowed) == files(one)
    assert [f.rows for f in win_commit.tables["_d"]] == [f.rows for f in one_commit.tables["_d"]]

"""Tables inside a commit, updated by what changed: per-document tables and keyed tables.

Two shapes cover every table the pipeline keeps (:mod:`pipeline.output.store` holds the files):

- :class:`DocTable`: rows that belong to one document (documents, mentions, dates, money, sentences,
  and the per-document alignment state). A run adds files for the documents it extracted and
  rewrites only the files that hold rows of documents it removed or changed.
- :class:`KeyedTable`: corpus-level facts found by a key (word and name tallies, name groups,
  entities). An update appends the new version of each changed row; a read takes the newest
  version per key; files are folded together when old versions pile up. This is how a run that
  touches 6,000 documents of a million writes a few megabytes, not the whole index.

Reads go through DuckDB over the parquet files, filtered by key, so no table is ever loaded whole
into Python to answer a question about a few keys.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.output.store import WRITE_THREADS, Commit, FileEntry

VERSION = "_v"  # the version of a keyed row: the commit that wrote it
DELETED = "_deleted"
# A keyed table is folded into one file when it has more files than this, or more stale rows than
# live ones: reads stay fast and the disk holds about one copy.
MAX_KEYED_FILES = 12
# Keyed files are sorted by key in row groups of this many rows: looking up the few keys an
# incremental run touches, DuckDB's join filter (the keys' min/max) skips most groups (measured on
# 5M rows: 10 keys in 0.1 s sorted, 0.76 s unsorted; a thousand random keys still read everything).
KEYED_ROW_GROUP = 65_536


# A keyed table of at most this many rows is looked up in memory (KeyedTable._in_memory).
SMALL_KEYED_ROWS = 50_000
# A lookup of more keys than this reads every row group of a large keyed file anyway (the keys a run
# asks for are spread over the whole key range, and row groups are pruned by min/max only), so it
# filters the file's rows decoded once per run instead of decoding them again per query
# (KeyedTable._get_many): at 100k documents a run looks up thousands of keys dozens of times.
MANY_KEYS = 1_000
# Decoded keyed files kept for those lookups (least recently used first out), up to this many bytes.
DECODED_BYTES = 1 << 30

# DuckDB's share of a run's memory: beyond it, it spills to disk instead of growing.
DUCKDB_MEMORY = "512MB"


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")
    return con


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **views: pa.Table) -> Iterator[None]:
    """Arrow tables as DuckDB views for the length of a query, gone after it (also on error): a
    query about a few thousand keys joins them instead of pasting them into its text."""
    for name, table in views.items():
        con.register(name, table)
    try:
        yield
    finally:
        for name in views:
            con.unregister(name)


def strings(column: str, values: Iterable[str]) -> pa.Table:
    """One string column, sorted: the keys a query looks up (see :func:`registered`)."""
    return pa.table({column: pa.array(sorted(values), pa.string())})


def _file_list(paths) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


# path -> the (min, max) of a key column in a file (None: unknown); files never change once written.
_KEY_RANGES: dict[tuple[str, str], tuple[str, str] | None] = {}


def _key_range(path, key: str) -> tuple[str, str] | None:
    """A file's smallest and largest ``key``, from its footer's statistics (exact ones only)."""
    memo = (str(path), key)
    if memo not in _KEY_RANGES:
        if len(_KEY_RANGES) > 200_000:
            _KEY_RANGES.clear()
        meta = pq.ParquetFile(path).metadata
        at = meta.schema.to_arrow_schema().get_field_index(key)
        lo = hi = None
        for i in range(meta.num_row_groups):
            st = meta.row_group(i).column(at).statistics if at >= 0 else None
            exact = getattr(st, "is_min_value_exact", True) and getattr(st, "is_max_value_exact", True)
            if st is None or not st.has_min_max or not exact:
                lo = hi = None
                break
            lo = st.min if lo is None else min(lo, st.min)
            hi = st.max if hi is None else max(hi, st.max)
        _KEY_RANGES[memo] = (lo, hi) if lo is not None and meta.num_row_groups else None
    return _KEY_RANGES[memo]


# path -> its rows decoded (files never change once written, and their names are never reused).
_DECODED: OrderedDict[str, pa.Table] = OrderedDict()


def _decoded(path, schema: pa.Schema) -> pa.Table:
    """A keyed file's rows in ``schema`` (a column the file lacks is null), decoded once while kept."""
    memo = str(path)
    table = _DECODED.pop(memo, None)
    if table is None:
        raw = pq.read_table(path)
        table = pa.table([raw.column(f.name).cast(f.type) if f.name in raw.column_names else pa.nulls(raw.num_rows, f.type)
                          for f in schema], schema=schema)
    _DECODED[memo] = table
    total = sum(t.nbytes for t in _DECODED.values())
    while total > DECODED_BYTES and len(_DECODED) > 1:
        total -= _DECODED.popitem(last=False)[1].nbytes
    return table


def files_holding(files: list, key: str, sorted_keys: list[str]) -> list:
    """The files whose key range holds one of these (sorted) keys: a per-document table has a file per
    written batch, so their number grows with the corpus, and opening each of them in every lookup
    of a few documents costs more than the lookup (0.5 s at 100k documents, 1,657 files)."""
    out = []
    for f in files:
        r = _key_range(f, key)
        if r is not None:
            i = bisect.bisect_left(sorted_keys, r[0])
            if i == len(sorted_keys) or sorted_keys[i] > r[1]:
                continue
        out.append(f)
    return out


def read_docs(con, files: list, schema: pa.Schema, doc_ids: Iterable[str], columns: list[str] | None = None,
              key: str = "doc_id") -> pa.Table:
    """The rows of these documents (keys) in these files (a commit's, or an older snapshot's)."""
    wanted = sorted(set(doc_ids))
    ids = pa.table({"k": pa.array(wanted, pa.string())})
    files = files_holding(files, key, wanted) if wanted else files
    if not files or ids.num_rows == 0:
        return _select(schema, columns).empty_table()
    cols = ", ".join(f'"{c}"' for c in (columns or schema.names))
    with registered(con, _ids=ids):
        # In a fixed order (key, then as written): DuckDB's parallel scan returns rows in any order,
        # and whatever iterates them (votes, phrases, chains) must not depend on that.
        return con.sql(
            f'select {cols} from read_parquet({_file_list(files)}, filename = true, file_row_number = true) '
            f'where "{key}" in (select k from _ids) order by "{key}", filename, file_row_number'
        ).to_arrow_table().cast(_select(schema, columns))


# Rows per file at most, where a table is written in parts (:meth:`DocTable.add_parts`).
FILE_ROWS = 50_000
# Rows a rewrite of many documents holds at once (DocTable.rewrite_docs): a few files' worth.
REWRITE_WINDOW_ROWS = 4 * FILE_ROWS


class DocTable:
    """Rows keyed by ``doc_id`` (or another ``key``); a document's rows are always in one file."""

    def __init__(self, commit: Commit, name: str, schema: pa.Schema, con: duckdb.DuckDBPyConnection | None = None,
                 key: str = "doc_id"):
        self.commit, self.name, self.schema, self.key = commit, name, schema, key
        self.con = con or connect()

    def files(self) -> list:
        return self.commit.files(self.name)

    def add(self, data: pa.Table) -> str | None:
        """Add rows as a new file; returns its name (None for no rows)."""
        return self.commit.write(self.name, data.cast(self.schema) if data.schema != self.schema else data)

    def read_docs(self, doc_ids: Iterable[str], columns: list[str] | None = None) -> pa.Table:
        """The rows of these documents."""
        return read_docs(self.con, self.files(), self.schema, doc_ids, columns, self.key)

    def add_parts(self, data: pa.Table) -> None:
        """Add rows as files of at most :data:`FILE_ROWS` rows each, cut between documents (each
        document's rows stay in one file; rows of a document that are not together are not cut).

        Who rewrites many documents' rows at once (the mention patch) writes this way: a file is
        read whole when one of its documents leaves or changes, and one file of every mention of the
        corpus cost every such run its whole size in memory (800 MB at 100k documents)."""
        self.commit.write_many(self.name, self._parts(data))

    def rewrite_docs(self, doc_ids: list[str], rows_of: Callable[[list[str]], pa.Table], rows_per_doc: dict[str, int],
                     window_rows: int | None = None) -> None:
        """These documents' rows replaced by ``rows_of(window)``, asked window by window of about
        ``window_rows`` rows (:data:`REWRITE_WINDOW_ROWS`; ``rows_per_doc`` says how many a document
        has), in ``doc_ids``' order.

        The result is :meth:`remove_docs` then :meth:`add_parts` of all the new rows at once, file for
        file, without holding them at once: a re-alignment rewrites every mention of the corpus (at
        100k documents 1.5M rows, a gigabyte and its sorted copy). Each window's files are written
        ahead and join the table after the old rows left; the last, unfinished part of a window is
        carried into the next, so the cuts are the ones one call would make."""
        window_rows = window_rows or REWRITE_WINDOW_ROWS
        staged: list[FileEntry] = []
        carry = None
        window: list[str] = []
        rows = 0

        def flush(last: bool) -> None:
            nonlocal carry
            pieces = [] if carry is None else [carry]  # (a part _parts cut: already of the schema)
            if window:
                data = rows_of(window)
                pieces.append(data.cast(self.schema) if data.schema != self.schema else data)
            if not pieces:
                return
            parts = self._parts(pa.concat_tables(pieces))
            carry = None if last else parts.pop()
            staged.extend(self.commit.stage_many(self.name, parts))

        for doc_id in doc_ids:
            window.append(doc_id)
            rows += rows_per_doc.get(doc_id, 0)
            if rows >= window_rows:
                flush(last=False)
                window, rows = [], 0
        flush(last=True)
        self.remove_docs(doc_ids)
        for entry in staged:
            self.commit.adopt(self.name, entry)

    def _parts(self, data: pa.Table) -> list[pa.Table]:
        """``data`` cut as :meth:`add_parts` writes it."""
        data = data.cast(self.schema) if data.schema != self.schema else data
        keys = data.column(self.key).to_pylist()
        starts = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
        if len(starts) != len(set(keys)) or data.num_rows <= FILE_ROWS:
            return [data]
        parts = []
        begin = last = 0
        for boundary in starts[1:] + [data.num_rows]:  # where each document's rows end
            if boundary - begin > FILE_ROWS and last > begin:
                parts.append(data.slice(begin, last - begin))
                begin = last
            last = boundary
        parts.append(data.slice(begin))
        return parts

    def read_rows(self, keys: pa.Table, columns: list[str] | None = None) -> pa.Table:
        """The rows whose values in the columns of ``keys`` (the document key first, e.g. ``doc_id``
        and ``chain``) are one of its rows, in the order :meth:`read_docs` gives: reading a few
        rows of many documents this way holds only those, not every row of the documents."""
        wanted = sorted(set(keys.column(self.key).to_pylist()))
        files = files_holding(self.files(), self.key, wanted)
        if not files or not wanted:
            return _select(self.schema, columns).empty_table()
        cols = ", ".join(f't."{c}"' for c in (columns or self.schema.names))
        on = " and ".join(f't."{c}" = k."{c}"' for c in keys.column_names)
        with registered(self.con, _keys=keys):
            return self.con.sql(
                f"select {cols} from read_parquet({_file_list(files)}, filename = true, file_row_number = true) t "
                f'semi join _keys k on {on} order by t."{self.key}", t.filename, t.file_row_number'
            ).to_arrow_table().cast(_select(self.schema, columns))

    def remove_docs(self, doc_ids: Iterable[str]) -> int:
        """Drop every row of these documents: each file holding one is rewritten without them."""
        ids = sorted(set(doc_ids))
        files = files_holding(self.files(), self.key, ids)
        if not ids or not files:
            return 0
        with registered(self.con, _ids=strings("k", ids)):
            hit = self.con.execute(
                f"select distinct filename from read_parquet({_file_list(files)}, filename = true) "
                f'where "{self.key}" in (select k from _ids)').fetchall()
        drop = pa.array(ids, pa.string())

        def without(filename: str) -> tuple[int, pa.Table]:
            table = pq.read_table(filename, schema=self.schema)
            kept = table.filter(pc.invert(pc.is_in(table.column(self.key), value_set=drop)))
            return table.num_rows - kept.num_rows, kept

        # A few files at a time, read and written on threads (pyarrow decodes, filters and
        # compresses outside the GIL), in the order one file at a time would give.
        removed = 0
        order = {str(f): i for i, f in enumerate(files)}
        filenames = sorted((f for (f,) in hit), key=order.__getitem__)  # (the query's order is DuckDB's)
        window = 2 * WRITE_THREADS
        with ThreadPoolExecutor(WRITE_THREADS) as pool:
            for at in range(0, len(filenames), window):
                names = filenames[at:at + window]
                results = list(pool.map(without, names))
                removed += sum(n for n, _ in results)
                self.commit.drop(self.name, [f.rsplit("/", 1)[-1] for f in names])
                self.commit.write_many(self.name, [p for _, kept in results for p in self._parts(kept)])
        return removed

    def replace_docs(self, doc_ids: Iterable[str], data: pa.Table) -> None:
        self.remove_docs(doc_ids)
        self.add(data)

    def scan(self, columns: list[str] | None = None, batch_rows: int = 65_536) -> Iterator[pa.RecordBatch]:
        """Every row, batch by batch (a full re-alignment streams through this)."""
        for path in self.files():
            yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns)

    def count(self) -> int:
        return sum(f.rows for f in self.commit.tables.get(self.name, []))


@dataclass(frozen=True)
class Secondary:
    """A lookup of a keyed table by something other than its key: an SQL expression over a row
    (``unnest(...)`` of a list column gives one entry per element), for the rows ``only`` admits.

    Its entries (value, key) live in their own table, sorted by value, appended at every write and
    never updated: an entry may be stale (the row's value changed since), never missing, so a lookup
    takes the keys it names and tests the condition again on their newest versions. Without it,
    finding rows by a column other than the key scans every file of the table, which grows with
    the corpus however few rows are wanted.
    """

    expr: str
    only: str | None = None


class KeyedTable:
    """Rows found by ``key`` columns; the newest version of a key wins, a tombstone deletes it."""

    def __init__(self, commit: Commit, name: str, schema: pa.Schema, key: list[str],
                 con: duckdb.DuckDBPyConnection | None = None, secondary: dict[str, Secondary] | None = None):
        self.commit, self.name, self.schema, self.key = commit, name, schema, key
        self.secondary = dict(secondary or {})
        # On disk every column but the key may be null: a tombstone carries the key alone.
        self.stored = pa.schema([f if f.name in key else f.with_nullable(True) for f in schema]
                                + [pa.field(VERSION, pa.string()), pa.field(DELETED, pa.bool_())])
        self._loose = pa.schema(list(self.stored)[:-2])
        self.con = con or connect()
        self._pending: list[pa.Table] = []
        self._small: tuple[tuple, pa.Table | None] = ((), None)  # (the files it was read from, live rows)

    def files(self) -> list:
        return self.commit.files(self.name)

    def _in_memory(self) -> pa.Table | None:
        """The live rows, read once while the table's files stay the same, when it is small
        (:data:`SMALL_KEYED_ROWS`); None otherwise. A lookup in a small table is then a filter in
        memory instead of a query over its files (~10 ms each: most of a small run's alignment)."""
        entries = self.commit.tables.get(self.name, [])
        if not entries or sum(f.rows for f in entries) > SMALL_KEYED_ROWS:
            return None
        signature = tuple(f.name for f in entries)
        if self._small[0] != signature:
            self._small = (signature, self.all())
        return self._small[1]

    def get(self, keys: pa.Table) -> pa.Table:
        """The live rows for these keys (``keys`` holds the key columns)."""
        files = self.files()
        if not files or keys.num_rows == 0:
            return self.schema.empty_table()
        small = self._in_memory() if len(self.key) == 1 else None
        if small is not None:  # the same rows in the same (key) order as the query's
            name = self.key[0]
            wanted = keys.column(name).cast(self.schema.field(name).type).combine_chunks()
            return small.filter(pc.is_in(small.column(name), value_set=wanted))
        if keys.num_rows > MANY_KEYS:
            return self._get_many(files, keys)
        with registered(self.con, _keys=keys.select(self.key)):
            return self._newest(files, "where (" + ", ".join(f'"{k}"' for k in self.key) + ") in "
                                f"(select ({', '.join(chr(34) + k + chr(34) for k in self.key)}) from _keys)")

    def _get_many(self, files, keys: pa.Table, after: str = "") -> pa.Table:
        """:meth:`get` for many keys (:data:`MANY_KEYS`), ``after`` as in :meth:`_newest`: each file's
        decoded rows filtered by the first key column in memory, then the newest version of each
        wanted key among those few rows."""
        first = self.key[0]
        wanted = pc.unique(keys.column(first).cast(self.schema.field(first).type).combine_chunks())
        parts = []
        for f in files:
            rows = _decoded(f, self.stored)
            parts.append(rows.filter(pc.is_in(rows.column(first), value_set=wanted)))
        names = ", ".join(f'"{k}"' for k in self.key)
        candidates = pa.concat_tables(parts)
        # The newest version of each key is found on the key, version and deleted columns alone, then
        # taken from the rows: the window carrying every column (a group's context lists) cost twice
        # as much (20,000 of 89,000 groups at 100k documents: 0.4 -> 0.17 s).
        slim = candidates.select([*self.key, VERSION, DELETED]).append_column(
            "_i", pa.array(range(candidates.num_rows), pa.int64()))
        with registered(self.con, _slim=slim, _keys=keys.select(self.key)):
            at = self.con.sql(self._newest_sql("_slim", f"_i, {names}", f"where ({names}) in (select ({names}) from _keys)",
                                               f"and not {DELETED}")).to_arrow_table().column("_i")
        newest = candidates.take(at).select(self.schema.names)
        if after:  # the condition on the newest versions, in key order as they are
            with registered(self.con, _newest=newest):
                newest = self.con.sql(f"select * from _newest where true {after} order by {names}").to_arrow_table()
        return newest.cast(self.schema)

    def where(self, condition: str, via: dict[str, Iterable[str]] | None = None) -> pa.Table:
        """The live rows matching an SQL condition over the table's columns (tested on the newest versions).

        Two passes, so that only candidate keys go through the newest-version window: the keys of
        any version matching the condition, then the newest versions of those keys, tested again.
        ``via`` (secondary name -> values) finds the candidates through :class:`Secondary` lookups
        instead of a scan of every file: the caller promises that a row matching ``condition``
        has one of those values in one of those secondaries.
        """
        files = self.files()
        if not files:
            return self.schema.empty_table()
        keys = ", ".join(f'"{k}"' for k in self.key)
        small = self._in_memory()
        if small is not None:  # its rows are the newest live versions already: one pass
            with registered(self.con, _small=small):
                return self.con.sql(f"select * from _small where {condition} order by {keys}").to_arrow_table().cast(self.schema)
        if via is not None:
            candidates = self._secondary_keys(via)
        else:
            candidates = self.con.sql(f"select distinct {keys} from read_parquet({_file_list(files)}, union_by_name = true) "
                                      f"where {condition}").to_arrow_table()
        if candidates.num_rows == 0:
            return self.schema.empty_table()
        if candidates.num_rows > MANY_KEYS:
            return self._get_many(files, candidates, f"and ({condition})")
        with registered(self.con, _cand=candidates):
            return self._newest(files, f"where ({keys}) in (select ({keys}) from _cand)", f"and ({condition})")

    def _secondary_keys(self, via: dict[str, Iterable[str]]) -> pa.Table:
        """The keys the secondaries name for these values (stale entries included)."""
        keys = ", ".join(f'"{k}"' for k in self.key)
        parts, views = [], {}
        for i, (name, values) in enumerate(sorted(via.items())):
            values = sorted(set(values))
            files = self.commit.files(self.secondary_table(name))
            if values and files:
                views[f"_sv{i}"] = pa.table({"v": pa.array(values, pa.string())})
                parts.append(f"select {keys} from read_parquet({_file_list(files)}) where v in (select v from _sv{i})")
        if not parts:
            return pa.table({k: pa.array([], self.schema.field(k).type) for k in self.key})
        with registered(self.con, **views):
            return self.con.sql(" union ".join(parts)).to_arrow_table()

    def secondary_table(self, name: str) -> str:
        return f"{self.name}__{name}"

    def secondary_missing(self) -> bool:
        """Whether the table has rows but a secondary has no file (written before it existed)."""
        return bool(self.files()) and any(not self.commit.files(self.secondary_table(n)) for n in self.secondary)

    def clear(self) -> None:
        """Every file of the table and its secondaries goes."""
        for name in [self.name, *map(self.secondary_table, self.secondary)]:
            self.commit.drop(name, [f.name for f in self.commit.tables.get(name, [])])

    def _write_secondary(self, data: pa.Table, rebuild: bool = False) -> None:
        """Entries for these row versions (``rebuild``: the secondaries become exactly these rows')."""
        keys = ", ".join(f'"{k}"' for k in self.key)
        for name, sec in self.secondary.items():
            table = self.secondary_table(name)
            with registered(self.con, _rows=data):
                only = f"and ({sec.only})" if sec.only else ""
                entries = self.con.sql(
                    f"select distinct v, {keys} from (select {sec.expr} as v, {keys} from _rows "
                    f"where not coalesce({DELETED}, false) {only}) where v is not null order by v, {keys}").to_arrow_table()
            entries = entries.cast(pa.schema([pa.field("v", pa.string())] + [self.schema.field(k) for k in self.key]))
            old = self.commit.tables.get(table, [])
            if rebuild:
                self.commit.drop(table, [f.name for f in old])
            self.commit.write(table, entries, keep_empty=rebuild or not old, row_group_rows=KEYED_ROW_GROUP)
            self._fold_secondary(table)

    def _fold_secondary(self, table: str) -> None:
        """As :meth:`_maybe_fold`: entries pile up file by file; many small files become one."""
        entries = self.commit.tables.get(table, [])
        if len(entries) <= MAX_KEYED_FILES:
            return
        largest = max(entries, key=lambda f: f.rows)
        small = [f for f in entries if f is not largest]
        names = {f.name for f in small}
        files = [p for p in self.commit.files(table) if p.name in names]
        keys = ", ".join(f'"{k}"' for k in self.key)
        data = self.con.sql(f"select distinct v, {keys} from read_parquet({_file_list(files)}) order by v, {keys}").to_arrow_table()
        self.commit.drop(table, names)
        self.commit.write(table, data, keep_empty=True, row_group_rows=KEYED_ROW_GROUP)

    def all(self) -> pa.Table:
        files = self.files()
        return self._newest(files, "") if files else self.schema.empty_table()

    def _newest(self, files, where: str, after: str = "") -> pa.Table:
        """Newest version per key; ``where`` may only test key columns (it runs first), ``after`` any column."""
        cols = ", ".join(f'"{c}"' for c in self.schema.names)
        return self.con.sql(self._newest_sql(files, cols, where, f"and not {DELETED} {after}")).to_arrow_table().cast(self.schema)

    def _newest_sql(self, files, cols: str, where: str = "", after: str = "") -> str:
        """Each key's newest version in ``files`` (tombstones too unless ``after`` drops them), in key order.
        ``files``: a list of paths, or the name of a registered view holding rows of them."""
        keys = ", ".join(f'"{k}"' for k in self.key)
        source = files if isinstance(files, str) else f"read_parquet({_file_list(files)}, union_by_name = true)"
        return (f"select {cols} from (select *, row_number() over (partition by {keys} order by {VERSION} desc) as _rn "
                f"from {source} {where}) "
                f"where _rn = 1 {after} order by {keys}")  # a fixed order, as read_docs

    def put(self, rows: pa.Table) -> None:
        """New versions of these rows (written at :meth:`flush`; the last put of a key wins)."""
        if rows.num_rows:
            rows = rows.select(self.schema.names).cast(self.schema).cast(self._loose)
            n = rows.num_rows
            self._pending.append(rows.append_column(VERSION, pa.nulls(n, pa.string()))
                                 .append_column(DELETED, pa.array([False] * n, pa.bool_())))

    def delete(self, keys: pa.Table) -> None:
        if keys.num_rows:
            n = keys.num_rows
            columns = {f.name: (keys.column(f.name) if f.name in self.key else pa.nulls(n, f.type)) for f in self.schema}
            rows = pa.table(columns, schema=self._loose)
            self._pending.append(rows.append_column(VERSION, pa.nulls(n, pa.string()))
                                 .append_column(DELETED, pa.array([True] * n, pa.bool_())))

    def flush(self) -> None:
        """Write this run's versions as one file (deduplicated: the last put of a key wins), then fold if due."""
        if not self._pending:
            return
        data = pa.concat_tables(self._pending)
        self._pending = []
        # Versions order every write of a key, across runs and within one: the commit's version, then
        # the file's place in the commit.
        version = f"{self.commit.version}.{self.commit.next_seq():06d}"
        data = data.set_column(data.schema.get_field_index(VERSION), VERSION, pa.array([version] * data.num_rows, pa.string()))
        with registered(self.con, _new=data):
            keys = ", ".join(f'"{k}"' for k in self.key)
            data = self.con.sql(
                f"select * exclude (_rn) from (select *, row_number() over (partition by {keys} "
                f"order by _ord desc) as _rn from (select *, row_number() over () as _ord from _new)) "
                f"where _rn = 1 order by {keys}").to_arrow_table().drop_columns(["_ord"]).cast(self.stored)
        self.commit.write(self.name, data, row_group_rows=KEYED_ROW_GROUP)
        if self.secondary:
            self._write_secondary(data)
        self._maybe_fold()

    def _maybe_fold(self) -> None:
        """Size-tiered, as log-structured stores compact: when the small files outweigh the largest,
        everything is rewritten (dead versions go); when there are merely many, the small ones become
        one and the largest is left alone (a run that adds one document must not rewrite the corpus).

        Small files as heavy as the largest fold too: a first run writes every key twice (members
        placed, then given their entity ids), and left as two equal files the table would be folded
        by the next run, however little that run adds (2.3M rows, ~6 s of adding 6,000 documents
        to 100k)."""
        entries = self.commit.tables.get(self.name, [])
        if len(entries) < 2:
            return
        total = sum(f.rows for f in entries)
        largest = max(entries, key=lambda f: f.rows)
        if total >= 2 * largest.rows and total - largest.rows > 100_000:
            self.fold()
        elif len(entries) > MAX_KEYED_FILES:
            self._merge([f for f in entries if f is not largest])

    def _merge(self, entries: list) -> None:
        """These files become one holding each key's newest version among them, tombstones included
        (an older version of the key may live in a file left out)."""
        names = {f.name for f in entries}
        files = [p for p in self.files() if p.name in names]
        data = self.con.sql(self._newest_sql(files, "* exclude (_rn)")).to_arrow_table() \
            .select(self.stored.names).cast(self.stored)
        self.commit.drop(self.name, names)
        self.commit.write(self.name, data, keep_empty=True, row_group_rows=KEYED_ROW_GROUP)

    def fold(self) -> None:
        """Rewrite the table as one file of its live rows."""
        live = self.all()
        live = live.sort_by([(k, "ascending") for k in self.key])
        n = live.num_rows
        version = f"{self.commit.version}.{self.commit.next_seq():06d}"
        live = live.cast(self._loose).append_column(VERSION, pa.array([version] * n, pa.string())) \
                   .append_column(DELETED, pa.array([False] * n, pa.bool_()))
        self.commit.drop(self.name, [f.name for f in self.commit.tables.get(self.name, [])])
        self.commit.write(self.name, live.cast(self.stored), keep_empty=True, row_group_rows=KEYED_ROW_GROUP)
        if self.secondary:  # the stale entries go with the dead versions
            self._write_secondary(live.cast(self.stored), rebuild=True)


def _select(schema: pa.Schema, columns: list[str] | None) -> pa.Schema:
    return schema if columns is None else pa.schema([schema.field(c) for c in columns])

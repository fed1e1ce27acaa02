"""The dataset on disk: immutable parquet files, one snapshot per run, published by one atomic swap.

Layout of ``processed/`` (dot-entries are the machinery; the rest is what readers use)::

    documents.parquet -> .current/documents          one directory of parquet files per table
    mentions.parquet  -> .current/mentions           (Spark's convention: a directory named *.parquet)
    ...
    .current          -> .lake/snapshots/<version>   the snapshot readers see: the commit point
    .lake/snapshots/<version>/manifest.json          which files make each table, and the run that made them
    .lake/snapshots/<version>/<table>/<file>.parquet hard links: a file is shared by every snapshot holding it
    .lake/staging/<id>/                              a run's new files, before its commit

Why this and not Delta Lake or DuckLake: readers need nothing but pandas or DuckDB (no extension,
no log-aware reader: ``pd.read_parquet`` on a Delta table silently reads removed files, DuckDB's
``delta``/``ducklake`` extensions are downloads this machine cannot make, and DuckLake's DuckDB
catalog admits one writer or many readers, not both), and one symlink swap publishes every table
at once, which neither format does across tables.

A run stages only what changed: new files, and the names of files it drops (rows of deleted or
re-extracted documents, mentions whose entity changed). :meth:`Commit.commit` builds the new
snapshot directory from hard links to the files it keeps plus the new ones, writes its manifest,
and swaps ``.current``. Files are never modified after they are written, so a reader that pinned a
snapshot (:func:`pipeline.dataset.path`) reads exactly one run for as long as the snapshot is kept;
older snapshots are kept a while (the last few and one a day, :func:`_retained`), which is also
what "the dataset as of yesterday" reads.

A run killed at any point leaves ``.current`` on the previous snapshot; :func:`recover` clears what
it left. A write that fails (a full disk, ...) raises :class:`~pipeline.refusals.OutputFailed`;
:meth:`Commit.abort` then removes every file the commit made, so the directory holds exactly what
the last good run left. Tables whose names start with ``_`` are internal state of the pipeline (source manifest,
per-document extraction rows, alignment index); they live in the same snapshots, so state and
tables always describe the same run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.refusals import output_failed

CURRENT = ".current"
LAKE = ".lake"
SNAPSHOTS = "snapshots"
STAGING = "staging"
MANIFEST = "manifest.json"
PUBLIC_SUFFIX = ".parquet"
# Snapshots kept besides the current one: the newest few, and the newest of each recent day.
KEEP_LAST = 3
KEEP_DAYS = 7
# Layouts of earlier versions of the pipeline, removed on first contact.
LEGACY_ENTRIES = (".data", ".cache")


@dataclass(frozen=True)
class FileEntry:
    name: str
    rows: int
    bytes: int


@dataclass
class Snapshot:
    """One published state of the dataset: every table as a list of immutable files."""

    root: Path
    version: str
    created: datetime
    tables: dict[str, list[FileEntry]] = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.root / LAKE / SNAPSHOTS / self.version

    def files(self, table: str) -> list[Path]:
        return [self.path / table / f.name for f in self.tables.get(table, [])]

    def rows(self, table: str) -> int:
        return sum(f.rows for f in self.tables.get(table, []))

    def read(self, table: str, schema: pa.Schema | None = None, columns: list[str] | None = None,
             filters=None) -> pa.Table | None:
        """The table as one Arrow table (``None`` when this snapshot has no such table)."""
        files = self.files(table)
        if not files:
            return None if schema is None else pa.schema([schema.field(c) for c in (columns or schema.names)]).empty_table()
        return pq.read_table([str(f) for f in files], schema=schema, columns=columns, filters=filters)


# Files one process writes at once (Commit.write_many): the cores of this machine, up to four.
WRITE_THREADS = min(4, os.cpu_count() or 1)


def write_file(path: Path, data: pa.Table, row_group_rows: int | None = None) -> int:
    """Write one table file as every table's files are written (zstd); returns its size. A file
    that fails part way is removed before the error goes on."""
    try:
        pq.write_table(data, path, compression="zstd", row_group_size=row_group_rows)
        return path.stat().st_size
    except OSError:
        path.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class TableView:
    """Some tables of a commit, frozen: what :class:`~pipeline.output.tables.DocTable` and
    :class:`~pipeline.output.tables.KeyedTable` read through (``files``, ``tables``), sent to a
    worker instead of the commit (which holds the run's bookkeeping and writes)."""

    tables: dict[str, list[FileEntry]]
    paths: dict[str, list[str]]

    def files(self, table: str) -> list[Path]:
        return [Path(p) for p in self.paths.get(table, [])]


def current(root: Path) -> Snapshot | None:
    """The snapshot readers see now, or ``None`` before the first run."""
    link = Path(root) / CURRENT
    if not link.is_symlink():
        return None
    return load(Path(root), Path(os.readlink(link)).name)


def load(root: Path, version: str) -> Snapshot | None:
    path = Path(root) / LAKE / SNAPSHOTS / version / MANIFEST
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    tables = {t: [FileEntry(**f) for f in files] for t, files in data["tables"].items()}
    return Snapshot(Path(root), version, datetime.fromisoformat(data["created"]), tables, data.get("info", {}))


def snapshots(root: Path) -> list[Snapshot]:
    """Every snapshot still on disk, oldest first."""
    base = Path(root) / LAKE / SNAPSHOTS
    found = [load(Path(root), p.name) for p in base.iterdir() if p.is_dir() and not p.name.endswith(".tmp")] \
        if base.is_dir() else []
    return sorted((s for s in found if s is not None), key=lambda s: s.version)


def snapshot_at(root: Path, as_of: datetime) -> Snapshot | None:
    """The snapshot that was current at ``as_of`` (the newest one created at or before it)."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=timezone.utc)
    before = [s for s in snapshots(root) if s.created <= as_of]
    return before[-1] if before else None


def recover(root: Path) -> None:
    """Clear what a killed run left (staging files, a half-built snapshot) and older layouts."""
    root = Path(root)
    shutil.rmtree(root / LAKE / STAGING, ignore_errors=True)
    base = root / LAKE / SNAPSHOTS
    for tmp in base.glob("*.tmp") if base.is_dir() else ():
        shutil.rmtree(tmp, ignore_errors=True)
    link = root / CURRENT
    if link.is_symlink() and not os.readlink(link).startswith(LAKE + os.sep):
        link.unlink()  # a link of an older layout (.data/<version>)
    for legacy in LEGACY_ENTRIES:
        shutil.rmtree(root / legacy, ignore_errors=True)
    for entry in root.glob(f"*{PUBLIC_SUFFIX}"):
        if entry.is_symlink() and not os.readlink(entry).startswith(CURRENT + os.sep):
            entry.unlink()
        elif entry.is_symlink() and Path(os.readlink(entry)).suffix == PUBLIC_SUFFIX:
            entry.unlink()  # .current/<table>.parquet: the single-file layout of older versions


class Commit:
    """One run's changes, staged beside the dataset and published together by :meth:`commit`.

    Hold the output directory's lock (:mod:`pipeline.output.lock`) while a commit is open: one
    writer per directory.
    """

    def __init__(self, root: Path, base: Snapshot | None):
        self.root = Path(root)
        self.base = base
        self.staging = self.root / LAKE / STAGING / secrets.token_hex(6)
        try:
            self.staging.mkdir(parents=True)
        except OSError as exc:
            raise output_failed(exc, f"write the tables in {self.root}", self.root) from None
        self.version = _new_version()
        self.tables: dict[str, list[FileEntry]] = {t: list(fs) for t, fs in (base.tables if base else {}).items()}
        self._new: dict[str, list[str]] = {}
        self._seq = 0
        self.bytes_written = 0

    def files(self, table: str) -> list[Path]:
        """The table's files as the commit stands (kept ones from the base, new ones in staging)."""
        out = []
        for f in self.tables.get(table, []):
            staged = self.staging / table / f.name
            out.append(staged if f.name in self._new.get(table, ()) else self.base.path / table / f.name)
        return out

    def read(self, table: str, schema: pa.Schema | None = None, columns: list[str] | None = None) -> pa.Table | None:
        files = self.files(table)
        if not files:
            return None if schema is None else pa.schema([schema.field(c) for c in (columns or schema.names)]).empty_table()
        return pq.read_table([str(f) for f in files], schema=schema, columns=columns)

    def next_seq(self) -> int:
        """A number that grows with every file this commit writes (orders writes within the commit)."""
        return self._seq + 1

    def write(self, table: str, data: pa.Table, keep_empty: bool = False, row_group_rows: int | None = None) -> str | None:
        """Add a file holding ``data`` to ``table``; nothing for no rows unless ``keep_empty``.

        ``row_group_rows`` makes smaller row groups, for files sorted by a key: a reader looking up
        a few keys then skips the groups whose min/max statistics exclude them.
        """
        if data.num_rows == 0 and not keep_empty:
            return None
        try:
            path = self.reserve(table)
            size = write_file(path, data, row_group_rows)
        except OSError as exc:  # a full disk, ...: the part written goes at once, the rest with abort()
            raise output_failed(exc, f"write the tables in {self.root}", self.root) from None
        return self.adopt(table, FileEntry(path.name, data.num_rows, size))

    def write_many(self, table: str, parts: Iterable[pa.Table]) -> list[str]:
        """Add several files to ``table`` at once, in the order given (as many :meth:`write` calls
        would), written :data:`WRITE_THREADS` at a time: pyarrow encodes and compresses outside the
        GIL, and a rewrite of the files 269 changed documents touch at 100k documents is ~100 files."""
        return [self.adopt(table, entry) for entry in self.stage_many(table, parts)]

    def stage_many(self, table: str, parts: Iterable[pa.Table]) -> list[FileEntry]:
        """:meth:`write_many`'s files, written but not yet the table's: each joins it once given to
        :meth:`adopt` (a file written ahead of a rewrite of the files it replaces)."""
        parts = [p for p in parts if p.num_rows]
        paths = [self.reserve(table) for _ in parts]
        try:
            with ThreadPoolExecutor(WRITE_THREADS) as pool:
                sizes = list(pool.map(write_file, paths, parts))
        except OSError as exc:  # the files written go at once (write_file removed the one that failed)
            for path in paths:
                path.unlink(missing_ok=True)
            raise output_failed(exc, f"write the tables in {self.root}", self.root) from None
        return [FileEntry(path.name, data.num_rows, size) for path, data, size in zip(paths, parts, sizes)]

    def reserve(self, table: str) -> Path:
        """A path in staging for the table's next file, for whoever writes it (this process, or a
        cluster worker that shares the output directory: :mod:`pipeline.align.scatter`); the file
        is the table's once :meth:`adopt` is told it was written."""
        self._seq += 1
        path = self.staging / table / f"{self.version}-{self._seq:05d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def adopt(self, table: str, entry: FileEntry) -> str:
        """A file written at a :meth:`reserve`d path joins the table (in the order adopted)."""
        self.bytes_written += entry.bytes
        self.tables.setdefault(table, []).append(entry)
        self._new.setdefault(table, []).append(entry.name)
        return entry.name

    def view(self, tables: Iterable[str]) -> TableView:
        """These tables as the commit stands now, for reading elsewhere (a cluster worker): file
        paths and entries only, so it pickles in bytes; it does not follow later writes."""
        tables = list(tables)
        return TableView({t: list(self.tables.get(t, [])) for t in tables},
                         {t: [str(p) for p in self.files(t)] for t in tables})

    def drop(self, table: str, names: Iterable[str]) -> None:
        """Files leave the table; one this commit wrote is deleted at once (the disk holds only what is used)."""
        names = set(names)
        self.tables[table] = [f for f in self.tables.get(table, []) if f.name not in names]
        staged = names & set(self._new.get(table, ()))
        for name in staged:
            (self.staging / table / name).unlink(missing_ok=True)
        if staged:
            self._new[table] = [n for n in self._new[table] if n not in staged]

    def replace(self, table: str, data: pa.Table) -> None:
        """The table becomes exactly ``data`` (one file, written even when empty)."""
        self.drop(table, [f.name for f in self.tables.get(table, [])])
        self.write(table, data, keep_empty=True)

    def changed(self) -> bool:
        if self.base is None:
            return True
        return self._new != {} or {t: [f.name for f in fs] for t, fs in self.tables.items()} != \
            {t: [f.name for f in fs] for t, fs in self.base.tables.items()}

    def commit(self, info: dict, public: Iterable[str]) -> Snapshot:
        """Publish: build the snapshot directory, then swap ``.current`` to it (the commit point).

        ``public`` tables get a fixed ``<table>.parquet`` link and always at least one file (an
        empty one with the table's columns if need be), so a plain reader finds every table.
        """
        snapshots_dir = self.root / LAKE / SNAPSHOTS
        tmp = snapshots_dir / f"{self.version}.tmp"
        made: list[Path] = []  # what this commit adds beside the snapshot, removed again if it fails
        try:
            tmp.mkdir(parents=True)
            for table, entries in self.tables.items():
                (tmp / table).mkdir()
                for f in entries:
                    if f.name in self._new.get(table, ()):
                        os.replace(self.staging / table / f.name, tmp / table / f.name)
                    else:
                        os.link(self.base.path / table / f.name, tmp / table / f.name)
            created = datetime.now(timezone.utc)
            manifest = {"version": self.version, "created": created.isoformat(), "info": info,
                        "tables": {t: [f.__dict__ for f in fs] for t, fs in sorted(self.tables.items())}}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str))
            _fsync([tmp / MANIFEST, *(tmp / t / n for t, names in self._new.items() for n in names)])
            os.replace(tmp, snapshots_dir / self.version)
            made.append(snapshots_dir / self.version)
            for table in public:  # fixed links, dangling until the first swap: harmless
                if _link(self.root / f"{table}{PUBLIC_SUFFIX}", Path(CURRENT) / table):
                    made.append(self.root / f"{table}{PUBLIC_SUFFIX}")
            _link(self.root / CURRENT, Path(LAKE) / SNAPSHOTS / self.version)  # the commit point
        except BaseException as exc:
            if _current_version(self.root) == self.version:
                raise  # interrupted just after the swap: published, nothing to undo
            shutil.rmtree(tmp, ignore_errors=True)
            for path in reversed(made):
                _remove(path)
            self.abort()
            if isinstance(exc, OSError):
                raise output_failed(exc, f"publish the tables in {self.root}", self.root) from None
            raise
        self.abort()  # the staging directory is empty now
        snapshot = load(self.root, self.version)
        _drop_old_snapshots(self.root, keep={self.version, self.base.version if self.base else None})
        return snapshot

    def abort(self) -> None:
        """Forget the staged files: the disk holds no more than before the run."""
        shutil.rmtree(self.staging, ignore_errors=True)


def _new_version() -> str:
    """Sortable and unique: when it was written, plus a random suffix."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"


def _link(path: Path, target: Path) -> bool:
    """Make ``path`` a symlink to ``target`` in one atomic step; False when it already was one.

    A failure leaves ``path`` as it was (and no temporary link).
    """
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return False
    if path.exists() and not path.is_symlink():
        if path.is_dir() or path.suffix != PUBLIC_SUFFIX:
            raise FileExistsError(f"{path} is not a link the pipeline made; move it away")
        path.unlink()  # a plain table file of a much older version: its data is re-derived
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.symlink_to(target)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def _current_version(root: Path) -> str | None:
    link = Path(root) / CURRENT
    return Path(os.readlink(link)).name if link.is_symlink() else None


def _remove(path: Path) -> None:
    """A link or a snapshot directory a failed commit made."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _retained(all_snapshots: list[Snapshot], now: datetime) -> set[str]:
    """The newest ``KEEP_LAST`` snapshots and, for each of the last ``KEEP_DAYS`` days, its newest one."""
    keep = {s.version for s in all_snapshots[-KEEP_LAST:]}
    newest_of_day: dict = {}
    for s in all_snapshots:
        if now - s.created <= timedelta(days=KEEP_DAYS):
            newest_of_day[s.created.date()] = s.version
    return keep | set(newest_of_day.values())


def _drop_old_snapshots(root: Path, keep: set[str | None]) -> None:
    every = snapshots(root)
    keep = keep | _retained(every, datetime.now(timezone.utc))
    for s in every:
        if s.version not in keep:
            shutil.rmtree(s.path, ignore_errors=True)


def _fsync(paths: Iterable[Path]) -> None:
    """New data on disk before the link that publishes it (a kill is safe without this; power loss is not)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

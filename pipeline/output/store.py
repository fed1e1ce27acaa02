"""Parquet in and out of ``processed/``: every run's tables appear at once, by one atomic rename.

Layout (``processed/`` shown; the dot-entries are the machinery, the rest is what readers use)::

    documents.parquet -> .current/documents.parquet      one file per table (default)
    mentions          -> .current/mentions               or one directory per table (partitioned)
    .current          -> .data/20261125T101500-1a2b3c    the run whose tables are visible
    .data/<version>/                                     each run's tables, complete before they are linked

A run writes all its tables into a staging directory, moves it to ``.data/<version>``, and then
swaps the ``.current`` link (``os.replace`` of a symlink: atomic). That swap is the only moment the
visible tables change, and it changes all of them together: a run killed at any point leaves the
previous tables as they were (a reader never sees half a run), and the next run clears what the
dead one left. The table entries themselves are fixed links into ``.current`` and never change
while a layout is in use. The previous version is kept until the next run, for readers still on it.

Partitioned layout (``partitions=N``, for corpora too large for one file): ``<table>/part-XXXXX.parquet``
with rows bucketed by a stable hash of ``doc_id`` (``entity_id`` for entities); one
``pandas.read_parquet("processed/mentions")`` or DuckDB ``read_parquet('processed/mentions/*.parquet')``
reads it whole, with the same columns as the single file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.refusals import output_failed
from pipeline.schema import SCHEMAS, TABLES, to_table

STAGING_PREFIX = ".staging-"
CURRENT = ".current"
DATA_DIR = ".data"
# Rows of a table are bucketed by this column in the partitioned layout (None: a single part).
PARTITION_KEYS = {"documents": "doc_id", "mentions": "doc_id", "dates": "doc_id", "money": "doc_id",
                  "entities": "entity_id", "errors": None}


def table_path(out_dir: Path, name: str) -> Path:
    """Where readers find a table: the ``.parquet`` file, or the dataset directory when partitioned."""
    dataset = Path(out_dir) / name
    return dataset if dataset.is_dir() else Path(out_dir) / f"{name}.parquet"


def write_tables(out_dir: Path, tables: dict[str, Iterable], partitions: int | None = None) -> dict[str, int]:
    """Write every table (rows as schema dataclasses) and make them visible together; returns row counts.

    Call with the run lock held (:mod:`pipeline.output.lock`): one writer per output directory.
    A failure to write (a full disk, ...) raises :class:`~pipeline.refusals.OutputFailed` and
    leaves the directory as the last good run left it: the tables it shows, and no more bytes
    (the staging directory and an unpublished version are removed).
    """
    out_dir = Path(out_dir)
    try:
        version = _write_version(out_dir, tables, partitions)
    except OSError as exc:
        raise output_failed(exc, f"write the tables in {out_dir}", out_dir) from None
    counts = version.counts
    entries = [f"{name}.parquet" if not partitions else name for name in tables]
    try:
        for entry in entries:  # dangling until the swap below when the layout is new: invisible, harmless
            _link(out_dir / entry, Path(CURRENT) / entry)
        previous = _current_version(out_dir)
        _link(out_dir / CURRENT, version.path)  # the commit point
    except OSError as exc:
        shutil.rmtree(out_dir / version.path, ignore_errors=True)
        _drop_other_layout(out_dir)  # links made above for a new layout, dangling: gone again
        raise output_failed(exc, f"publish the tables in {out_dir}", out_dir) from None
    try:  # published: what is left is tidying, which the next run redoes if it fails here
        _drop_other_layout(out_dir)
        _drop_versions(out_dir, keep={version.path.name, previous})
    except OSError:
        pass
    return counts


@dataclass
class _Version:
    path: Path  # relative to the output directory: .data/<version>
    counts: dict[str, int]


def _write_version(out_dir: Path, tables: dict[str, Iterable], partitions: int | None) -> _Version:
    """All tables into a staging directory, moved to ``.data/<version>`` when complete; nothing left on failure."""
    out_dir.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    staging = out_dir / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
    staging.mkdir()  # not mkdtemp: its 0700 would hide the tables from other readers
    counts = {}
    try:
        for name, rows in tables.items():
            table = to_table(name, rows)
            if partitions:
                write_partitioned(table, staging / name, PARTITION_KEYS.get(name), partitions)
            else:
                pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
            counts[name] = table.num_rows
        _fsync_tree(staging)
        version = Path(DATA_DIR) / _new_version()
        (out_dir / DATA_DIR).mkdir(exist_ok=True)
        os.replace(staging, out_dir / version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _Version(version, counts)


def recover(out_dir: Path) -> None:
    """Clear what a killed run left (its staging directory); adopt tables written before links existed."""
    out_dir = Path(out_dir)
    for staging in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(staging, ignore_errors=True)
    _adopt_plain_files(out_dir)
    _drop_other_layout(out_dir)


def _adopt_plain_files(out_dir: Path) -> None:
    """Plain ``<table>.parquet`` files (an older layout) become a version by hard links, then links replace them."""
    plain = [p for p in out_dir.glob("*.parquet") if p.is_file() and not p.is_symlink() and p.stem in TABLES]
    if not plain:
        return
    version = Path(DATA_DIR) / _new_version()
    target = out_dir / version
    target.mkdir(parents=True)
    if (out_dir / CURRENT).is_dir():  # a version exists: keep its other tables visible
        for entry in (out_dir / CURRENT).iterdir():
            if entry.is_file():
                os.link(entry, target / entry.name)
    for path in plain:
        os.link(path, target / path.name)
    _link(out_dir / CURRENT, version)
    for path in plain:  # same bytes behind the name before and after: readers see no change
        _link(path, Path(CURRENT) / path.name)


def _link(path: Path, target: Path) -> None:
    """Make ``path`` a symlink to ``target`` in one atomic step (a no-op when it already is one)."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    if path.exists() and not path.is_symlink() and path.is_dir():
        raise FileExistsError(f"{path} is a directory the pipeline did not write; move it away")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.symlink_to(target)
    os.replace(tmp, path)


def _current_version(out_dir: Path) -> str | None:
    current = Path(out_dir) / CURRENT
    return Path(os.readlink(current)).name if current.is_symlink() else None


def _drop_other_layout(out_dir: Path) -> None:
    """Table links that point at nothing in the current version (the layout changed) go."""
    for name in TABLES:
        for entry in (Path(out_dir) / name, Path(out_dir) / f"{name}.parquet"):
            if entry.is_symlink() and not entry.exists() and (Path(out_dir) / CURRENT).exists():
                entry.unlink()


def _drop_versions(out_dir: Path, keep: set[str | None]) -> None:
    data = Path(out_dir) / DATA_DIR
    for version in data.iterdir() if data.is_dir() else ():
        if version.name not in keep:
            shutil.rmtree(version, ignore_errors=True)


def _new_version() -> str:
    """Sortable and unique: when it was written, plus a random suffix."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"


def write_partitioned(table: pa.Table, directory: Path, key: str | None, partitions: int) -> None:
    """``table`` as ``part-XXXXX.parquet`` files, one per non-empty hash bucket of ``key``."""
    directory.mkdir(parents=True)
    if key is None or table.num_rows == 0:
        pq.write_table(table, directory / "part-00000.parquet", compression="zstd")
        return
    values = table.column(key).to_pylist()
    of = {v: bucket(v, partitions) for v in set(values)}
    buckets = pa.array([of[v] for v in values], pa.int32())
    for b in sorted(set(of.values())):
        pq.write_table(table.filter(pc.equal(buckets, b)), directory / f"part-{b:05d}.parquet", compression="zstd")


def bucket(value: str, partitions: int) -> int:
    """Stable across runs, machines and Python versions (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big") % partitions


def _fsync_tree(root: Path) -> None:
    """Data on disk before the link that publishes it (a kill is safe without this; power loss is not)."""
    for path in root.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def read_table(out_dir: Path, name: str) -> pa.Table | None:
    """One run's table, even while another run publishes: the ``.current`` link is resolved once,
    so every file of a partitioned table comes from the same run."""
    path = table_path(out_dir, name).resolve()
    if not path.exists():
        return None
    return pq.read_table(path, schema=SCHEMAS[name])

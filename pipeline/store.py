"""Parquet in and out of ``processed/``, replaced as one set.

A run writes every table into a hidden staging directory next to the outputs, then writes a
``COMMIT`` manifest into it (atomically), and only then moves each table into place with atomic
renames. What a kill leaves behind is therefore one of:

- a staging directory without ``COMMIT``: the run never reached its tables; the previous tables are
  untouched and :func:`recover` deletes the leftovers;
- a staging directory with ``COMMIT``: the new tables are complete; :func:`recover` finishes moving
  them (roll forward), so the set of tables is never left half old, half new past the next run.

Two layouts, both read with one ``pandas.read_parquet`` / DuckDB ``read_parquet`` call:

- one file per table, ``processed/<table>.parquet`` (the default, and the contract);
- ``partitions=N``: a directory per table, ``processed/<table>/part-XXXXX.parquet``, rows bucketed by
  a stable hash of ``doc_id`` (``entity_id`` for entities), for corpora too large for one file.
  A directory cannot be replaced atomically while readers may list it, so ``processed/<table>`` is a
  symbolic link to a versioned directory in ``processed/.data/``, and a run swaps the link (one
  atomic rename). The previous version is kept until the run after, for readers still on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.schema import SCHEMAS, to_table

STAGING_PREFIX = ".staging-"
COMMIT = "COMMIT"
DATA_DIR = ".data"
# Rows of a table are bucketed by this column in the partitioned layout (None: one part).
PARTITION_KEYS = {"documents": "doc_id", "mentions": "doc_id", "dates": "doc_id", "money": "doc_id",
                  "entities": "entity_id", "errors": None}


def table_path(out_dir: Path, name: str) -> Path:
    """Where readers find a table: the ``.parquet`` file, or the dataset directory when partitioned."""
    dataset = Path(out_dir) / name
    return dataset if dataset.is_dir() else Path(out_dir) / f"{name}.parquet"


def write_tables(out_dir: Path, tables: dict[str, Iterable], partitions: int | None = None) -> dict[str, int]:
    """Write every table (rows as schema dataclasses) and swap them all in; returns row counts."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    counts = {}
    try:
        for name, rows in tables.items():
            table = to_table(name, rows)
            if partitions:
                write_partitioned(table, staging / name, PARTITION_KEYS.get(name), partitions)
            else:
                pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
            counts[name] = table.num_rows
        manifest = {"tables": list(tables), "partitioned": bool(partitions), "version": staging.name[len(STAGING_PREFIX):]}
        previous = _linked_versions(out_dir)
        _fsync_tree(staging)
        _write_atomic(staging / COMMIT, json.dumps(manifest))
        _apply(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _drop_old_versions(out_dir, keep=previous | _linked_versions(out_dir))
    return counts


def recover(out_dir: Path) -> None:
    """Finish or discard what a killed run left. Call with the run lock held."""
    for staging in sorted(Path(out_dir).glob(STAGING_PREFIX + "*")):
        if (staging / COMMIT).exists():
            _apply(staging, Path(out_dir))
        shutil.rmtree(staging, ignore_errors=True)


def _apply(staging: Path, out_dir: Path) -> None:
    """Move a committed staging directory's tables into place. Idempotent: safe to repeat after a kill."""
    manifest = json.loads((staging / COMMIT).read_text())
    for name in manifest["tables"]:
        single, link = out_dir / f"{name}.parquet", out_dir / name
        if manifest["partitioned"]:
            version = f"{name}.{manifest['version']}"
            target = out_dir / DATA_DIR / version
            if (staging / name).exists():
                target.parent.mkdir(exist_ok=True)
                os.replace(staging / name, target)
            _swap_link(link, Path(DATA_DIR) / version)
            single.unlink(missing_ok=True)
        else:
            if (staging / f"{name}.parquet").exists():
                os.replace(staging / f"{name}.parquet", single)
            if link.is_symlink():
                link.unlink()


def _swap_link(link: Path, target: Path) -> None:
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} is a real directory, not a dataset written by the pipeline; move it away")
    tmp = link.with_name(f".{link.name}.link-tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)


def _linked_versions(out_dir: Path) -> set[str]:
    return {Path(os.readlink(p)).name for p in Path(out_dir).iterdir() if p.is_symlink()}


def _drop_old_versions(out_dir: Path, keep: set[str]) -> None:
    data = Path(out_dir) / DATA_DIR
    if data.is_dir():
        for version in data.iterdir():
            if version.name not in keep:
                shutil.rmtree(version, ignore_errors=True)


def write_partitioned(table: pa.Table, directory: Path, key: str | None, partitions: int) -> None:
    """``table`` as ``part-XXXXX.parquet`` files, one per non-empty hash bucket of ``key``."""
    directory.mkdir(parents=True)
    if key is None or table.num_rows == 0:
        pq.write_table(table, directory / "part-00000.parquet", compression="zstd")
        return
    values = table.column(key).to_pylist()
    of = {v: bucket(v, partitions) for v in set(values)}
    buckets = pa.array([of[v] for v in values], pa.int32())
    for b in sorted(set(buckets.to_pylist())):
        part = table.filter(pc.equal(buckets, b))
        pq.write_table(part, directory / f"part-{b:05d}.parquet", compression="zstd")


def bucket(value: str, partitions: int) -> int:
    """Stable across runs, machines and Python versions (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big") % partitions


def _fsync_tree(root: Path) -> None:
    """Data on disk before the manifest that promises it (a kill is safe without this; power loss is not)."""
    for path in root.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_table(out_dir: Path, name: str) -> pa.Table | None:
    path = table_path(out_dir, name)
    if not path.exists():
        return None
    return pq.read_table(path, schema=SCHEMAS[name])

"""Parquet in and out of ``processed/``.

A run stages every table in a hidden directory next to the outputs and only then moves each into
place with ``os.replace`` (atomic on POSIX), so a crash mid-write leaves the previous tables as they
were and a reader never sees a half-written file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import SCHEMAS, to_table


def table_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / f"{name}.parquet"


def write_tables(out_dir: Path, tables: dict[str, Iterable]) -> dict[str, int]:
    """Write every table (rows as schema dataclasses); returns row counts per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    counts = {}
    try:
        arrow = {name: to_table(name, rows) for name, rows in tables.items()}
        for name, table in arrow.items():
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
            counts[name] = table.num_rows
        for name in arrow:
            os.replace(staging / f"{name}.parquet", table_path(out_dir, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def read_table(out_dir: Path, name: str) -> pa.Table | None:
    path = table_path(out_dir, name)
    if not path.exists():
        return None
    return pq.read_table(path, schema=SCHEMAS[name])

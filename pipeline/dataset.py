"""Reading the dataset: one run's tables, now or as they were.

Every table is a directory of parquet files (``processed/mentions.parquet/``) that pandas and DuckDB
read in one call. A run publishes all tables at once by swapping one link, so to be certain that
several reads see the same run (or that a long read is not crossed by a publish), pin a snapshot
first and read from its path: its files never change and it stays on disk after later runs (the
last few snapshots, and one a day for a week)::

    from pipeline import dataset
    P = dataset.path("processed")                    # the current run, pinned
    mentions = pd.read_parquet(f"{P}/mentions")
    duckdb.sql(f"select count(*) from '{P}/entities/*.parquet'")
    Y = dataset.path("processed", as_of=datetime.now(timezone.utc) - timedelta(days=1))  # yesterday's
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline.output import store
from pipeline.schema import SCHEMAS


def snapshot(out_dir: str | Path = "processed", as_of: datetime | None = None) -> store.Snapshot:
    """The snapshot current now, or current at ``as_of``; ``LookupError`` if there is none."""
    found = store.current(Path(out_dir)) if as_of is None else store.snapshot_at(Path(out_dir), as_of)
    if found is None:
        when = "yet" if as_of is None else f"at {as_of.isoformat()}"
        raise LookupError(f"no dataset in {out_dir} {when}")
    return found


def path(out_dir: str | Path = "processed", as_of: datetime | None = None) -> Path:
    """The directory of one snapshot: ``<path>/<table>/`` holds that table's files."""
    return snapshot(out_dir, as_of).path


def read_table(out_dir: str | Path, name: str, as_of: datetime | None = None) -> pa.Table:
    """One table of one snapshot, with the table's exact schema."""
    return snapshot(out_dir, as_of).read(name, schema=SCHEMAS[name])


def read(out_dir: str | Path, name: str, as_of: datetime | None = None) -> pd.DataFrame:
    return read_table(out_dir, name, as_of).to_pandas()


def history(out_dir: str | Path = "processed") -> pd.DataFrame:
    """The snapshots still on disk: when each run published, and what it did."""
    rows = [{"version": s.version, "created": s.created, **{k: v for k, v in s.info.items() if not isinstance(v, dict)}}
            for s in store.snapshots(Path(out_dir))]
    return pd.DataFrame(rows)

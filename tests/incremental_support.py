"""Helpers shared by the incremental, safety and Dask tests: run the real flow, read back its tables."""

from __future__ import annotations

import pandas as pd

from conftest import RAW
from pipeline.extract import nlp
from pipeline.schema import TABLES
from pipeline.output.store import read_table

SEEDS = sorted(RAW.glob("*.txt"))


def run(raw, out, **kwargs):
    from pipeline.flows import extract_corpus

    return extract_corpus(raw, out, progress=False, **kwargs)


def tables(out) -> dict[str, pd.DataFrame]:
    return {name: read_table(out, name).to_pandas() for name in TABLES}


def assert_same_tables(got: dict, want: dict) -> None:
    """Equal row for row, ``extracted_at`` aside (it says when, not what)."""
    for name in TABLES:
        a, b = got[name], want[name]
        if name == "documents":
            a, b = a.drop(columns="extracted_at"), b.drop(columns="extracted_at")
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), obj=name)


def model_calls() -> int:
    """How often this process asked for the spaCy model: unchanged means no NLP ran here."""
    info = nlp.load_model.cache_info()
    return info.hits + info.misses

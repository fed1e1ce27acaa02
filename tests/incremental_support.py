"""Helpers shared by the incremental, safety and Dask tests: run the real flow, read back its tables."""

from __future__ import annotations

import pandas as pd

from conftest import RAW
from pipeline.extract import nlp
from pipeline.schema import TABLES
from pipeline.dataset import read_table

SEEDS = sorted(RAW.glob("*.txt"))


def run(raw, out, **kwargs):
    from pipeline.flows import extract_corpus

    return extract_corpus(raw, out, progress=False, **kwargs)


def tables(out) -> dict[str, pd.DataFrame]:
    return {name: read_table(out, name).to_pandas() for name in TABLES}


# Rows have no order across a table's files: compare them sorted by what identifies a row.
ROW_KEYS = {"documents": ["doc_id"], "mentions": ["mention_id"], "entities": ["entity_id"],
            "dates": ["doc_id", "start_char", "end_char"], "money": ["doc_id", "start_char", "end_char"],
            "errors": ["source_path", "doc_id", "reason"], "sentences": ["doc_id", "sentence_index"],
            "entity_redirects": ["old_entity_id", "run"], "conflicts": ["conflict_id", "doc_id", "start_char"]}


def sorted_rows(name: str, df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(ROW_KEYS[name]).reset_index(drop=True)


def assert_same_tables(got: dict, want: dict, ignore: tuple[str, ...] = ("entity_redirects",)) -> None:
    """Equal row for row, ``extracted_at`` aside (it says when, not what); redirects are history."""
    for name in TABLES:
        if name in ignore:
            continue
        a, b = sorted_rows(name, got[name]), sorted_rows(name, want[name])
        if name == "documents":
            a, b = a.drop(columns="extracted_at"), b.drop(columns="extracted_at")
        pd.testing.assert_frame_equal(a, b, obj=name)


def same_entities_up_to_ids(got: dict, want: dict) -> dict:
    """``got``'s tables with each entity id replaced by ``want``'s id for the same entity.

    An incremental run keeps an entity's id when a later document changes its most attested name
    (stable ids), where a from-scratch run derives the id from today's name: the same entities, told
    apart by the same mentions, may carry different ids. The map must be one to one.
    """
    a, b = got["mentions"], want["mentions"]
    pairs = a[["mention_id", "entity_id"]].merge(b[["mention_id", "entity_id"]], on="mention_id", suffixes=("", "_want"))
    pairs = pairs.dropna().drop_duplicates(["entity_id", "entity_id_want"])
    assert pairs.entity_id.is_unique and pairs.entity_id_want.is_unique, "the two runs group mentions differently"
    rename = dict(zip(pairs.entity_id, pairs.entity_id_want))
    out = dict(got)
    out["mentions"] = a.assign(entity_id=a.entity_id.map(lambda e: rename.get(e, e)))
    out["entities"] = got["entities"].assign(entity_id=got["entities"].entity_id.map(lambda e: rename.get(e, e)))
    if "conflicts" in got:
        out["conflicts"] = got["conflicts"].assign(entity_id=got["conflicts"].entity_id.map(lambda e: rename.get(e, e)))
    return out


def model_calls() -> int:
    """How often this process asked for the spaCy model: unchanged means no NLP ran here."""
    info = nlp.load_model.cache_info()
    return info.hits + info.misses

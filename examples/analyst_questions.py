"""Five questions an analyst asks of a run, answered with pandas and DuckDB over ``processed/``.

    python examples/analyst_questions.py [processed]

Each answer is a function returning a DataFrame, so a notebook can import and reuse them; run as a
script, it prints all five. Tables are read where the pipeline publishes them (one parquet file per
table, or a directory of parts with ``--partitioned``: ``read_parquet`` reads both).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
import pandas as pd


def table(out: Path, name: str) -> str:
    """The path DuckDB and pandas read a table from (resolved once: a later run cannot swap it mid-read)."""
    path = Path(out) / name
    return os.path.realpath(path) + "/*.parquet" if path.is_dir() else os.path.realpath(Path(out) / f"{name}.parquet")


def most_covered(out: Path, n: int = 10) -> pd.DataFrame:
    """1. Who and what is covered by the most sources, and under which names (pandas)."""
    entities = pd.read_parquet(table(out, "entities"))
    top = entities.sort_values(["n_docs", "n_mentions", "name"], ascending=[False, False, True]).head(n)
    return top.assign(aliases=top.aliases.map(lambda a: ", ".join(sorted(a))))[["name", "label", "n_docs", "n_mentions", "aliases"]]


def disagreements(out: Path) -> pd.DataFrame:
    """2. Which figures do sources report differently, side by side with their sentences (DuckDB)."""
    return duckdb.sql(f"""
        select entity, fact, currency, value, count(distinct doc_id) as documents,
               string_agg(distinct doc_id, ', ') as doc_ids, min(sentence) as sentence
        from read_parquet('{table(out, "conflicts")}')
        group by conflict_id, entity, fact, currency, value
        order by entity, fact, value""").df()


def days(out: Path) -> pd.DataFrame:
    """3. What happened on each day: expressions that pin down a day or less, with the entities beside them (DuckDB)."""
    return duckdb.sql(f"""
        select cast(d.start as date) as day, e.name, count(distinct d.doc_id) as documents
        from read_parquet('{table(out, "dates")}') d
        join read_parquet('{table(out, "mentions")}') m using (doc_id, sentence_index)
        join read_parquet('{table(out, "entities")}') e using (entity_id)
        where d.start is not null and d."end" - d.start <= interval 1 day
        group by all order by day, documents desc, e.name""").df()


def named_together(out: Path, n: int = 10) -> pd.DataFrame:
    """4. Which entities are named in the same sentence most often, and in how many documents (DuckDB)."""
    return duckdb.sql(f"""
        with m as (select distinct doc_id, sentence_index, entity_id from read_parquet('{table(out, "mentions")}'))
        select a.name as entity, b.name as with_entity, count(*) as sentences, count(distinct x.doc_id) as documents
        from m x join m y on x.doc_id = y.doc_id and x.sentence_index = y.sentence_index and x.entity_id < y.entity_id
        join read_parquet('{table(out, "entities")}') a on a.entity_id = x.entity_id
        join read_parquet('{table(out, "entities")}') b on b.entity_id = y.entity_id
        group by all order by sentences desc, entity, with_entity limit {n}""").df()


def unnamed_money(out: Path) -> pd.DataFrame:
    """5. Amounts whose sentence names no entity: only the sentences table says what they are about (pandas)."""
    money = pd.read_parquet(table(out, "money"))
    sentences = pd.read_parquet(table(out, "sentences"))
    named = pd.read_parquet(table(out, "mentions"))[["doc_id", "sentence_index"]].drop_duplicates()
    alone = money.merge(named, on=["doc_id", "sentence_index"], how="left", indicator=True)
    alone = alone[alone._merge == "left_only"].drop(columns="_merge")
    return alone.merge(sentences[["doc_id", "sentence_index", "text"]].rename(columns={"text": "sentence"}),
                       on=["doc_id", "sentence_index"])[["doc_id", "text", "amount", "currency", "sentence"]]


QUESTIONS = (most_covered, disagreements, days, named_together, unnamed_money)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "processed")
    if not (out / "documents.parquet").exists() and not (out / "documents").is_dir():
        print(f"error: no tables in {out}: run `make pipeline` first", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 160, "display.max_colwidth", 60, "display.max_rows", 30):
        for question in QUESTIONS:
            print(question.__doc__.splitlines()[0])
            print(question(out).to_string(index=False) or "(none)")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

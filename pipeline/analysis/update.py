"""Keeping the ``conflicts`` table current: figures are read per document, groups compared over the corpus.

A document's comparable figures (:func:`pipeline.analysis.conflicts.document_figures`) depend on the
document alone and on the entities its names link to, so they are kept in ``_figures`` and read
again only for documents this run extracted or relinked. The groups are then compared over all
figures, which are few (one per amount of money with an entity and a fact beside it).
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa

from pipeline.analysis.conflicts import Figure, conflicts_among, document_figures, named_entities
from pipeline.output.tables import DocTable
from pipeline.schema import SCHEMAS, Document, Mention, MoneyRow, to_table

FIGURES = pa.schema([*SCHEMAS["money"], pa.field("entity_id", pa.string()), pa.field("fact", pa.string()),
                     pa.field("low", pa.float64()), pa.field("high", pa.float64()), pa.field("sentence", pa.large_string())])
MONEY_FIELDS = SCHEMAS["money"].names
# Documents whose figures are read at once (their texts, sentences, mentions and amounts).
WINDOW_DOCS = 5_000


def update_conflicts(corpus, doc_ids: set[str]) -> int:
    """Figures of ``doc_ids`` read again (gone where a document went), then the conflicts table rebuilt."""
    figures = DocTable(corpus.commit, "_figures", FIGURES, corpus.con)
    ids = sorted(doc_ids)
    if ids:
        figures.remove_docs(ids)
        removed = corpus.removed()
        live = [d for d in ids if d not in removed]
        # Only documents with an amount have figures; they are read a window at a time (their text,
        # sentences and mentions: on a re-alignment every document of the corpus is relinked).
        with_money = set(corpus.doc_tables["money"].read_docs(live, ["doc_id"]).column("doc_id").to_pylist()) if live else set()
        live = [d for d in live if d in with_money]
        rows = [_row(f) for at in range(0, len(live), WINDOW_DOCS) for f in _figures_of(corpus, live[at:at + WINDOW_DOCS])]
        figures.add(pa.Table.from_pylist(rows, schema=FIGURES))
    every = [_figure(r) for r in (corpus.commit.read("_figures", schema=FIGURES) or FIGURES.empty_table()).to_pylist()]
    in_groups = defaultdict(set)
    for f in every:
        in_groups[(f.entity_id, f.fact, f.row.currency)].add(f.row.doc_id)
    docs = sorted({d for group in in_groups.values() if len(group) > 1 for d in group})
    grouped = set(docs)
    candidates = [f for f in every if f.row.doc_id in grouped]
    mentions = [Mention(**m) for m in corpus.mentions.read_docs(docs).to_pylist()]
    entity_ids = sorted({f.entity_id for f in candidates})
    names = _names(corpus, entity_ids)
    rows = conflicts_among(candidates, named_entities(mentions), names)
    corpus.commit.replace("conflicts", to_table("conflicts", rows))
    return len(rows)


def _figures_of(corpus, ids: list[str]) -> list[Figure]:
    if not ids:
        return []
    docs = [Document(doc_id=r["doc_id"], source_path="", text=r["text"])
            for r in corpus.doc_tables["documents"].read_docs(ids, ["doc_id", "text"]).to_pylist()]
    sentences: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r in sorted(corpus.doc_tables["sentences"].read_docs(ids, ["doc_id", "sentence_index", "start_char", "end_char"]).to_pylist(),
                    key=lambda r: (r["doc_id"], r["sentence_index"])):
        sentences[r["doc_id"]].append((r["start_char"], r["end_char"]))
    mentions = [Mention(**m) for m in corpus.mentions.read_docs(ids).to_pylist()]
    money = [MoneyRow(**m) for m in corpus.doc_tables["money"].read_docs(ids).to_pylist()]
    return document_figures(docs, sentences, mentions, money)


def _row(f: Figure) -> dict:
    return {**{k: getattr(f.row, k) for k in MONEY_FIELDS}, "entity_id": f.entity_id, "fact": f.fact,
            "low": f.low, "high": f.high, "sentence": f.sentence}


def _figure(r: dict) -> Figure:
    return Figure(MoneyRow(**{k: r[k] for k in MONEY_FIELDS}), r["entity_id"], r["fact"], r["low"], r["high"], r["sentence"])


def _names(corpus, entity_ids: list[str]) -> dict[str, str]:
    if not entity_ids:
        return {}
    table = corpus.commit.read("entities", columns=["entity_id", "name"])
    if table is None:
        return {}
    wanted = set(entity_ids)
    return {e: n for e, n in zip(table.column("entity_id").to_pylist(), table.column("name").to_pylist()) if e in wanted}

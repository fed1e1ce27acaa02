"""The one place that says what every output table looks like.

Writers build rows as the dataclasses below and turn them into Arrow tables with
:func:`to_table`, which casts to the explicit schema, so a table on disk never drifts from
this file. Readers and tests validate against :data:`SCHEMAS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
# Temporal values are calendar facts ("2022-02-22T17:30" as the article means it), not instants:
# no time zone is invented for them.
NAIVE_TS = pa.timestamp("us")

ENTITY_LABELS = (
    "PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE",
)


@dataclass
class Document:
    doc_id: str
    source_path: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    language: str | None = None
    dct: str | None = None
    dct_source: str = "none"
    n_chars: int = 0
    content_sha256: str = ""
    pipeline_version: str = ""
    extracted_at: datetime | None = None


@dataclass
class Mention:
    doc_id: str
    mention_id: str
    start_char: int
    end_char: int
    text: str
    label: str
    sentence: str
    sentence_index: int
    entity_id: str | None = None
    model_label: str | None = None  # the model's label; null for names found by the recall sweep
    origin: str = "model"  # "model" (spaCy) or "sweep" (a corpus name the model missed here)


def mention_id(doc_id: str, start: int, end: int) -> str:
    """Readable and stable: the same span of the same document always has the same id."""
    return f"{doc_id}:{start}-{end}"


@dataclass
class Entity:
    entity_id: str
    name: str
    label: str
    aliases: list[str] = field(default_factory=list)
    n_mentions: int = 0
    n_docs: int = 0
    doc_ids: list[str] = field(default_factory=list)
    # Places (GPE, LOC, FAC) resolved against the gazetteer; null when unresolved or not a place.
    country_code: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | None = None  # GeoNames admin1 code: "CA" (California), "08" (Ontario)
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_kind: str | None = None  # country, admin1, city, other


@dataclass
class DateRow:
    doc_id: str
    start_char: int
    end_char: int
    text: str
    type: str
    value: str | None
    start: datetime | None
    end: datetime | None
    anchor: str
    granularity: str | None = None
    mod: str | None = None
    sentence_index: int = 0


@dataclass
class MoneyValue:
    """The value of one money expression: what ``pipeline.money.normalize`` returns."""

    amount: float | None
    currency: str | None
    amount_min: float | None
    amount_max: float | None
    approximate: bool
    currency_inferred: bool = False


@dataclass(kw_only=True)
class MoneyRow(MoneyValue):
    """One row of ``money.parquet``: a :class:`MoneyValue` with its provenance."""

    doc_id: str
    start_char: int
    end_char: int
    text: str
    sentence_index: int = 0


@dataclass
class SentenceRow:
    """One sentence: every ``sentence_index`` in mentions, dates and money joins here on (doc_id, sentence_index)."""

    doc_id: str
    sentence_index: int
    start_char: int
    end_char: int
    text: str


@dataclass
class ConflictRow:
    """One figure of a group that sources report differently: the same entity, the same kind of fact.

    Every row of a group shares ``conflict_id``; ``value`` is this row's figure, ``spread`` the
    group's largest figure over its smallest, ``reason`` says what was compared and how it differs.
    """

    conflict_id: str
    entity_id: str
    kind: str  # what the figure is: "money"
    doc_id: str
    start_char: int
    end_char: int
    text: str
    value: float
    reason: str
    currency: str | None
    fact: str  # the kind of fact both sides state ("acquisition", "bail", ...): rules/money_facts.toml
    entity: str  # the entity's canonical name
    sentence_index: int
    sentence: str
    spread: float
    n_docs: int


@dataclass
class ErrorRow:
    source_path: str
    doc_id: str | None
    stage: str
    reason: str


@dataclass
class RedirectRow:
    """An entity id that stopped existing, and where its mentions went."""

    old_entity_id: str
    new_entity_id: str | None  # null: the entity's documents are gone
    run: datetime
    reason: str  # "merge", "split", "rename" or "deleted"


SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("url", pa.string()),
        pa.field("source", pa.string()),
        pa.field("language", pa.string()),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("published", TS),
        pa.field("dct", pa.string()),
        pa.field("dct_source", pa.string(), nullable=False),
        pa.field("n_chars", pa.int64(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("pipeline_version", pa.string(), nullable=False),
        pa.field("extracted_at", TS, nullable=False),
    ]),
    "mentions": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("mention_id", pa.string(), nullable=False),
        pa.field("start_char", pa.int64(), nullable=False),
        pa.field("end_char", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("sentence", pa.string(), nullable=False),
        pa.field("sentence_index", pa.int32(), nullable=False),
        pa.field("entity_id", pa.string()),
        pa.field("model_label", pa.string()),
        pa.field("origin", pa.string(), nullable=False),
    ]),
    "entities": pa.schema([
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("aliases", pa.list_(pa.string()), nullable=False),
        pa.field("n_mentions", pa.int64(), nullable=False),
        pa.field("n_docs", pa.int64(), nullable=False),
        pa.field("doc_ids", pa.list_(pa.string()), nullable=False),
        pa.field("country_code", pa.string()),
        pa.field("admin1", pa.string()),
        pa.field("geonames_id", pa.int64()),
        pa.field("latitude", pa.float64()),
        pa.field("longitude", pa.float64()),
        pa.field("place_kind", pa.string()),
    ]),
    "dates": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("start_char", pa.int64(), nullable=False),
        pa.field("end_char", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("value", pa.string()),
        pa.field("start", NAIVE_TS),
        pa.field("end", NAIVE_TS),
        pa.field("anchor", pa.string(), nullable=False),
        pa.field("granularity", pa.string()),
        pa.field("mod", pa.string()),
        pa.field("sentence_index", pa.int32(), nullable=False),
    ]),
    "money": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("start_char", pa.int64(), nullable=False),
        pa.field("end_char", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("amount", pa.float64()),
        pa.field("currency", pa.string()),
        pa.field("amount_min", pa.float64()),
        pa.field("amount_max", pa.float64()),
        pa.field("approximate", pa.bool_(), nullable=False),
        pa.field("currency_inferred", pa.bool_(), nullable=False),
        pa.field("sentence_index", pa.int32(), nullable=False),
    ]),
    "sentences": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("sentence_index", pa.int32(), nullable=False),
        pa.field("start_char", pa.int64(), nullable=False),
        pa.field("end_char", pa.int64(), nullable=False),
        pa.field("text", pa.large_string(), nullable=False),
    ]),
    "conflicts": pa.schema([
        pa.field("conflict_id", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("start_char", pa.int64(), nullable=False),
        pa.field("end_char", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("currency", pa.string()),
        pa.field("fact", pa.string(), nullable=False),
        pa.field("entity", pa.string(), nullable=False),
        pa.field("sentence_index", pa.int32(), nullable=False),
        pa.field("sentence", pa.large_string(), nullable=False),
        pa.field("spread", pa.float64(), nullable=False),
        pa.field("n_docs", pa.int64(), nullable=False),
    ]),
    "errors": pa.schema([
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("doc_id", pa.string()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
    ]),
}

SCHEMAS["entity_redirects"] = pa.schema([
    pa.field("old_entity_id", pa.string(), nullable=False),
    pa.field("new_entity_id", pa.string()),
    pa.field("run", TS, nullable=False),
    pa.field("reason", pa.string(), nullable=False),
])

ROW_TYPES: dict[str, type] = {
    "documents": Document,
    "mentions": Mention,
    "entities": Entity,
    "dates": DateRow,
    "money": MoneyRow,
    "sentences": SentenceRow,
    "conflicts": ConflictRow,
    "errors": ErrorRow,
    "entity_redirects": RedirectRow,
}

TABLES = tuple(SCHEMAS)

# Internal state, kept in the same snapshots as the tables (names start with "_"; no reader sees them).
STATE_SCHEMAS: dict[str, pa.Schema] = {
    # The source manifest: what each file of raw/ looked like when it was last read.
    "_sources": pa.schema([
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("inode", pa.int64(), nullable=False),
        pa.field("sidecar", pa.string()),  # size:mtime_ns:inode of the .meta.json sidecar, if any
        pa.field("sha256", pa.string(), nullable=False),  # of the file's bytes (and its sidecar's)
        pa.field("n_docs", pa.int64(), nullable=False),
    ]),
    # Every document's extraction key (pipeline.output.fingerprint.document_key) and where it came from.
    "_docs": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
    ]),
    # The model's mentions of each document, before alignment (the mentions schema, no entity yet).
    "_model_mentions": SCHEMAS["mentions"],
    # The model's output for each document's text (every entity label, sentence bounds): another
    # document with the same text (content_sha256) gets its rows from it, without the model.
    "_nlp": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("ents", pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()), ("label", pa.string())]))),
        pa.field("sentences", pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32())]))),
    ]),
}


def to_table(name: str, rows: Iterable[Any]) -> pa.Table:
    """Rows (dataclasses of the table's row type) to an Arrow table with the table's exact schema.

    Extra dataclass fields that the schema does not list are dropped; a missing column is an error,
    which is what we want: the schema and the row types must move together.
    """
    schema = SCHEMAS[name]
    rows = rows if isinstance(rows, list) else list(rows)
    # Column by column: a dict per row (``from_pylist``) costs ~5x as much for a batch's mentions.
    return pa.table([pa.array([getattr(r, f.name) for r in rows], type=f.type) for f in schema], schema=schema)


def validate(name: str, table: pa.Table) -> list[str]:
    """Differences between a table read back from disk and its schema (empty list when it conforms)."""
    expected = SCHEMAS[name]
    problems = []
    if table.schema.names != expected.names:
        problems.append(f"{name}: columns {table.schema.names} != {expected.names}")
    for f in expected:
        if f.name in table.schema.names:
            got = table.schema.field(f.name)
            if not got.type.equals(f.type):
                problems.append(f"{name}.{f.name}: type {got.type} != {f.type}")
            if not f.nullable and table.column(f.name).null_count:
                problems.append(f"{name}.{f.name}: {table.column(f.name).null_count} nulls in a required column")
    return problems

"""The chains that move in one alignment run, held as compactly as the linker allows.

A chain row (``_chains``) carries everything the per-document step found: its mentions' ids, keys
and texts, the label evidence, the document's context names. The linker reads only some of it
(:data:`LINK_COLUMNS`); the label votes and document frequencies the rest feeds are tallied the
moment a batch of rows arrives (:meth:`Delta.add`), so the rest is never held. On a re-alignment
every chain of the corpus moves: at 10k documents 116,415 rows of ~2.5 KB each as plain dicts,
two thirds of it the mention ids and keys, and strings repeated in every chain of a document (its
context names) or of a name (its aliases, its texts). Kept rows share one object per distinct
string (:class:`Strings`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

import pyarrow as pa
import pyarrow.compute as pc

# What the linker reads of a chain row (Linker, Aggregate.add, repaired_label), and the id of its
# first mention (``first_mention``: what a re-alignment finds the chain's old entity by). Rows that
# leave also carry where they were (``_gid``, ``_target``, ``_label``, ``_entity``: index._with_members).
LINK_COLUMNS = ("doc_id", "chain", "head_key", "short", "doc_label", "character", "own_labels", "own_counts",
                "aliases", "context", "texts", "place", "team")


class Strings:
    """One object per distinct string among the rows kept: a document's context names are in each
    of its chains, a common name's aliases and texts in thousands of chains."""

    def __init__(self):
        self._seen: dict[str, str] = {}

    def one(self, s):
        return s if s is None else self._seen.setdefault(s, s)

    def column(self, values: pa.Array) -> list:
        """A string column as Python strings, each distinct value made once (nulls are ``None``)."""
        if len(values) == 0:
            return []
        encoded = pc.dictionary_encode(values)
        distinct = [self.one(s) for s in encoded.dictionary.to_pylist()]
        if encoded.indices.null_count:
            return [None if i is None else distinct[i] for i in encoded.indices.to_pylist()]
        indices = encoded.indices.to_numpy()
        got = itemgetter(*indices)(distinct)
        return list(got) if len(indices) > 1 else [got]

    def lists(self, values: pa.Array) -> list:
        """A list-of-strings column as Python lists (a null list is ``None``)."""
        flat = self.column(values.flatten())
        lengths = pc.list_value_length(values).to_pylist()
        out, at = [], 0
        for n in lengths:
            if n is None:
                out.append(None)
            else:
                out.append(flat[at:at + n])
                at += n
        return out


def _is_strings(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def slim_rows(table: pa.Table, strings: Strings) -> list[dict]:
    """The linker's columns of chain rows, as dicts whose strings are shared."""
    columns = {}
    mention_ids = table.column("mention_ids").combine_chunks()
    firsts = [None] * table.num_rows
    head = pc.list_slice(mention_ids, 0, 1)
    for i, m in zip(pc.list_parent_indices(head).to_pylist(), head.flatten().to_pylist()):
        firsts[i] = m
    for name in LINK_COLUMNS:
        col = table.column(name).combine_chunks()
        if _is_strings(col.type):
            columns[name] = strings.column(col)
        elif pa.types.is_list(col.type) and _is_strings(col.type.value_type):
            columns[name] = strings.lists(col)
        else:
            columns[name] = col.to_pylist()
    columns["first_mention"] = firsts
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


@dataclass
class Delta:
    """Chains that leave (``minus``) and join (``plus``) the index this run, as the linker's columns
    of their ``_chains`` rows; and what the corpus-wide label votes and document frequencies
    gain and lose with them (:func:`~pipeline.align.index._update_labels_and_df` stores them)."""

    schema: pa.Schema  # of a ``_chains`` row (rows given as dicts are read with it)
    minus: list[dict] = field(default_factory=list)
    plus: list[dict] = field(default_factory=list)
    # Short chains of old documents swept again that came out as they were: they stay in the index,
    # but are placed again with this run's candidates, as a document swept again would have them.
    review: list[dict] = field(default_factory=list)
    label_votes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # name key -> label -> votes
    df: Counter = field(default_factory=Counter)  # name key -> documents whose chain heads it
    new_mentions: int = 0  # mentions of the chains that joined
    strings: Strings = field(default_factory=Strings, repr=False)

    def as_table(self, rows: pa.Table | list[dict]) -> pa.Table:
        """Chain rows as Arrow (a job run here returns dicts, one on a worker Arrow)."""
        return rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=self.schema)

    def add(self, sign: int, rows: pa.Table | list[dict]) -> list[dict]:
        """Rows of whole documents join (``sign`` 1) or leave (-1): tallied, then kept slim in
        ``plus`` or ``minus``; returns the kept rows (the caller may add where they were)."""
        table = self.as_table(rows)
        if table.num_rows == 0:
            return []
        self._tally(sign, table)
        kept = slim_rows(table, self.strings)
        (self.plus if sign > 0 else self.minus).extend(kept)
        if sign > 0:
            self.new_mentions += sum(len(r["texts"]) for r in kept)
        return kept

    def keep_for_review(self, rows: pa.Table | list[dict]) -> list[dict]:
        """Rows that stay in the index but are placed again (nothing tallied)."""
        table = self.as_table(rows)
        kept = slim_rows(table, self.strings) if table.num_rows else []
        self.review.extend(kept)
        return kept

    def _tally(self, sign: int, table: pa.Table) -> None:
        """Each mention's key votes for its chain's document label, each evidence key for its vote;
        each document counts once for each name key that heads one of its chains. A batch holds
        whole documents, so a document's keys are all in the one batch."""
        mention_keys = table.column("mention_keys").combine_chunks()
        labels = pc.take(table.column("doc_label").combine_chunks(), pc.list_parent_indices(mention_keys))
        evidence_keys = table.column("evidence_keys").combine_chunks()
        evidence_votes = table.column("evidence_votes").combine_chunks()
        pairs = pa.table({"k": pa.concat_arrays([mention_keys.flatten(), evidence_keys.flatten()]),
                          "v": pa.concat_arrays([labels, evidence_votes.flatten()])})
        counted = pairs.group_by(["k", "v"], use_threads=False).aggregate([([], "count_all")])
        for k, v, n in zip(*(counted.column(c).to_pylist() for c in ("k", "v", "count_all"))):
            self.label_votes[k][v] += sign * n
        heads = table.select(["doc_id", "head_key"]).group_by(["doc_id", "head_key"], use_threads=False).aggregate([])
        per_key = heads.group_by("head_key", use_threads=False).aggregate([([], "count_all")])
        for k, n in zip(per_key.column("head_key").to_pylist(), per_key.column("count_all").to_pylist()):
            self.df[k] += sign * n

"""The entity index: cross-document alignment that costs what changed.

Alignment's corpus-wide knowledge is kept as tables in the dataset's snapshot (internal names
``_t_*``, ``_chains``, ``_groups``, ``_members``, ``_entities``), and a run only updates them:

1. **Tallies** (added and subtracted per document): words the corpus writes in lowercase
   (``_t_lower``), words it writes inside names in ordinary lines (``_t_names``), the model's label
   votes per name (``_t_phrases``, the recall sweep's phrase list), label votes per name key for
   label repair (``_t_labels``) and document frequencies of name keys (``_t_df``, for context).
2. **Per document** (:func:`process_document`, a pure function of one document and the tallies):
   spans that are never names dropped (:mod:`pipeline.align.junk`, before the tallies count the
   document), headline words cut out, names of the corpus swept (and junk dropped again), chains
   built. Old documents are swept again only where a name new to the corpus occurs, found through
   the postings of capitalised words (``_postings``), never by rescanning the corpus.
3. **Groups and blocks** (:mod:`pipeline.align.groups`): a long chain joins the group of its exact
   name and kind; only the blocks whose groups changed are clustered again. A short chain attaches
   to the one long cluster it is an alias of and shares context with, or joins the leftover group of
   its name; short blocks are clustered again where they changed.
4. **Entities**: every cluster that changed gets its row recomputed and an id: the id most of its
   documents had (a merge keeps the bigger side's id), else one derived from its canonical key;
   ids that stop existing are written to ``entity_redirects``.

``realign=True`` clears the index and runs the same steps over every document: the reference the
incremental result is measured against (``make bench-scale``, tests).
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.align import groups as G
from pipeline.align.chains import Chain, doc_chains, mention_name, org_core
from pipeline.align.entities import canonical_name_from, entity_id_for
from pipeline.align.headlines import headline_words, name_words, split_mention, title_line_flags
from pipeline.align.junk import drop_junk
from pipeline.align.labels import Verdict, corpus_label, label_class, repaired
from pipeline.align.names import PERSON, fold
from pipeline.align.places import PLACE_LABELS, read_places, vote
from pipeline.align.sweep import (Sweeper, _LOWERCASE_WORD, first_tokens, merge_spans, phrase_votes,
                                  phrases_from_votes, TOKEN)
from pipeline.align.cluster import CONTEXT_MAX_DF_SHARE, CONTEXT_MIN_DF_FLOOR, MAX_CONTEXT_NAMES, initials_by_gazetteer
from pipeline.align.votes import majority
from pipeline.align import scatter
from pipeline.align.delta import Delta, slim_rows
from pipeline.output.store import FileEntry, TableView, write_file
from pipeline.output.tables import (DocTable, KeyedTable, Secondary, _file_list, connect, files_holding, read_docs,
                                    registered, strings)
from pipeline.schema import Document, Entity, Mention, RedirectRow, SCHEMAS, STATE_SCHEMAS, to_table

log = logging.getLogger(__name__)

# Documents handled together in the per-document step (memory holds one chunk of texts).
CHUNK_DOCS = 2_000
# Without a cluster, the per-document step goes to worker processes of this machine (one per core
# the run may use) when at least this many documents are stepped: below it, starting them (~1.4 s,
# imports and alignment's tables) costs more than the second core saves.
LOCAL_PROCESSES_MIN_DOCS = 2_000
# A name new to the corpus is looked for in at most this many old documents (through the postings).
MAX_RESWEEP_DOCS = 5_000

_COUNTS = [pa.field("labels", pa.list_(pa.string())), pa.field("counts", pa.list_(pa.int64()))]
SCHEMAS_STATE = {
    "_t_lower": pa.schema([pa.field("word", pa.string(), nullable=False), pa.field("n", pa.int64())]),
    "_t_names": pa.schema([pa.field("word", pa.string(), nullable=False), pa.field("n", pa.int64())]),
    "_t_phrases": pa.schema([pa.field("text", pa.string(), nullable=False), pa.field("first", pa.string()),
                             pa.field("last", pa.string()), *_COUNTS]),
    "_t_labels": pa.schema([pa.field("key", pa.string(), nullable=False), *_COUNTS]),
    "_t_df": pa.schema([pa.field("key", pa.string(), nullable=False), pa.field("n", pa.int64())]),
    "_postings": pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("token", pa.string())]),
    "_doc_phrases": pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("text", pa.string()),
                               pa.field("label", pa.string()), pa.field("n", pa.int64())]),
    "_chains": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False), pa.field("chain", pa.int32(), nullable=False),
        pa.field("head_key", pa.string()), pa.field("n_tokens", pa.int32()), pa.field("short", pa.bool_()),
        pa.field("doc_label", pa.string()), pa.field("character", pa.bool_()),
        pa.field("own_labels", pa.list_(pa.string())), pa.field("own_counts", pa.list_(pa.int64())),
        pa.field("keys", pa.list_(pa.string())), pa.field("aliases", pa.list_(pa.string())),
        pa.field("context", pa.list_(pa.string())), pa.field("mention_keys", pa.list_(pa.string())),
        pa.field("mention_ids", pa.list_(pa.string())), pa.field("texts", pa.list_(pa.string())),
        pa.field("place", pa.string()), pa.field("team", pa.bool_()),
        pa.field("evidence_keys", pa.list_(pa.string())), pa.field("evidence_votes", pa.list_(pa.string())),
    ]),
    "_groups": pa.schema([
        pa.field("gid", pa.string(), nullable=False), pa.field("block", pa.string()), pa.field("n", pa.int64()),
        pa.field("ctx_keys", pa.list_(pa.string())), pa.field("ctx_counts", pa.list_(pa.int64())),
        pa.field("alias_keys", pa.list_(pa.string())), pa.field("alias_counts", pa.list_(pa.int64())),
        pa.field("cluster", pa.string()),
    ]),
    # Where each chain is: its group (long chains, leftover shorts) or the long cluster it attached to.
    "_members": pa.schema([
        pa.field("doc_id", pa.string(), nullable=False), pa.field("chain", pa.int32(), nullable=False),
        pa.field("gid", pa.string()), pa.field("target", pa.string()), pa.field("label", pa.string()),
        pa.field("entity_id", pa.string()),
    ]),
    "_entities": pa.schema([
        pa.field("cluster", pa.string(), nullable=False), *SCHEMAS["entities"],
        pa.field("agg_labels", pa.list_(pa.string())), pa.field("agg_label_n", pa.list_(pa.int64())),
        pa.field("agg_keys", pa.list_(pa.string())), pa.field("agg_key_n", pa.list_(pa.int64())),
        pa.field("agg_surfaces", pa.list_(pa.string())), pa.field("agg_surface_n", pa.list_(pa.int64())),
        pa.field("agg_surface_docs", pa.list_(pa.int64())),
        pa.field("agg_docs", pa.list_(pa.string())), pa.field("agg_doc_n", pa.list_(pa.int64())),
        pa.field("agg_characters", pa.int64()),
        pa.field("agg_places", pa.list_(pa.string())), pa.field("agg_place_n", pa.list_(pa.int64())),
    ]),
}
KEYED = {"_t_lower": ["word"], "_t_names": ["word"], "_t_phrases": ["text"], "_t_labels": ["key"], "_t_df": ["key"],
         "_groups": ["gid"], "_members": ["doc_id", "chain"], "_entities": ["cluster"]}
PER_DOC = ("_postings", "_doc_phrases", "_chains")
# How the linker finds index rows by something other than their key (each a lookup of a few values
# that would otherwise scan the whole table, whose size grows with the corpus).
SECONDARY = {
    "_t_phrases": {"first": Secondary("first"), "last": Secondary("last")},
    "_groups": {"block": Secondary("block"), "cluster": Secondary("cluster"),
                "alias": Secondary("unnest(alias_keys)", only="gid like 'L:%'")},
    "_members": {"gid": Secondary("gid"), "target": Secondary("target"),
                 "short_name": Secondary("split_part(gid, ':', 4)", only="gid like 'S:%'")},
    "_entities": {"entity_id": Secondary("entity_id")},
}


# -- the per-document step (pure) ----------------------------------------------------------------

@dataclass
class DocInput:
    doc: Document
    mentions: list[Mention]  # the model's, sorted, junk dropped (pipeline.align.junk)
    sentences: list[tuple[int, int]]
    _flags: list[bool] | None = None

    @property
    def flags(self) -> list[bool]:
        """Per mention: is its line Title Case (computed once; every step asks)."""
        if self._flags is None:
            self._flags = title_line_flags([self.doc], self.mentions)
        return self._flags


@dataclass
class Contribution:
    """What one document adds to the corpus tallies (subtracted again when it goes)."""

    lower: set[str]
    names: set[str]


def contribution(d: DocInput) -> Contribution:
    return Contribution(set(_LOWERCASE_WORD.findall(d.doc.text)), name_words(d.mentions, d.flags))


def split_document(d: DocInput, common, known) -> list[Mention]:
    out = []
    for m, title in zip(d.mentions, d.flags):
        out.extend(split_mention(d.doc.text, m, common, known) if title else [m])
    return out


def process_document(d: DocInput, split: list[Mention], sweeper: Sweeper, common) -> tuple[list[Mention], list[Chain]]:
    """The document's mentions once swept, and its chains."""
    mentions = merge_spans(d.doc, split, sweeper, d.sentences or [(0, len(d.doc.text))])
    mentions = drop_junk(d.doc, mentions)  # what the sweep found passes the same test as the model's names
    chains = doc_chains(d.doc.doc_id, d.doc.text, mentions, common)
    read_places(chains)
    return mentions, chains


def document_context(chains: list[Chain]) -> set[str]:
    """The name keys of a document that its chains take as context: all of them, or none for a
    document naming more than :data:`~pipeline.align.cluster.MAX_CONTEXT_NAMES` distinct entities
    (a list, not a story, as in the batch :class:`~pipeline.align.cluster.Clusterer`; else each of
    its chains would store every name of it, quadratic in the size of the document)."""
    keys = {c.head.key for c in chains}
    return keys if len(keys) <= MAX_CONTEXT_NAMES else set()


def chain_row(c: Chain, number: int, doc_keys: set[str]) -> dict:
    """``doc_keys``: the document's context names (:func:`document_context`)."""
    own = c.head_votes
    head = c.head
    aliases = set(c.keys)
    if c.label == PERSON:
        aliases |= {" ".join(head.surname), head.tokens[-1]}
    if head.acronym:  # its initials, marked: evidence only with more (cluster.initials_evidence)
        aliases.add(G.INITIALS + fold(head.acronym))
    core = org_core(head.tokens) if c.label == "ORG" else None
    if core:
        aliases.add(core)
    return {
        "doc_id": c.doc_id, "chain": number, "head_key": head.key, "n_tokens": len(head.tokens),
        "short": len(head.tokens) == 1 or head.is_acronym, "doc_label": c.label, "character": c.character,
        "own_labels": list(own), "own_counts": list(own.values()), "keys": sorted(c.keys),
        "aliases": sorted(aliases), "context": sorted(doc_keys - c.keys),
        "mention_keys": [mention_name(m).key for m in c.mentions],
        "mention_ids": [m.mention_id for m in c.mentions], "texts": [m.text for m in c.mentions],
        "place": c.place, "team": c.team,
        "evidence_keys": [k for k, _ in c.evidence], "evidence_votes": [v for _, v in c.evidence],
    }


def repaired_label(row: dict, verdict: Verdict) -> str:
    """:func:`pipeline.align.labels.repair_labels` for one chain, given its name's corpus verdict."""
    return repaired(row["doc_label"], Counter(dict(zip(row["own_labels"], row["own_counts"]))), bool(row.get("team")),
                    verdict)


def clear_label(labels: list[str], counts: list[int]) -> Verdict:
    """:func:`pipeline.align.labels.corpus_label` of a stored tally."""
    return corpus_label(Counter(dict(zip(labels, counts))))


# -- the run -----------------------------------------------------------------------------------------

class Lookups:
    """Reading the index's keyed tables by key: what the per-document step asks of the corpus,
    on the coordinator (:class:`Index`) or on a worker (over a frozen view of the tables)."""

    def __init__(self, keyed: dict[str, KeyedTable], con):
        self.keyed, self.con = keyed, con

    @classmethod
    def of(cls, view: TableView, con) -> Lookups:
        return cls({n: KeyedTable(view, n, SCHEMAS_STATE[n], KEYED[n], con, SECONDARY.get(n)) for n in STEP_TALLIES}, con)

    def counts(self, table: str, keys: Iterable[str]) -> dict[str, int]:
        """The count of each of ``keys`` the table holds (in key order); what was asked before, of
        the same files, is not asked again (:func:`_memo`)."""
        name = KEYED[table][0]
        keys = set(keys)
        if not keys:
            return {}
        memo = _memo(self.keyed[table], "counts")
        missing = sorted(keys.difference(memo))
        if missing:
            t = self.keyed[table].get(pa.table({name: pa.array(missing, pa.string())}))
            found = dict(zip(t.column(name).to_pylist(), t.column("n").to_pylist()))
            for k in missing:
                memo[k] = found.get(k)
        return {k: n for k in sorted(keys) if (n := memo[k]) is not None}

    def votes(self, table: str, keys: Iterable[str]) -> dict[str, Counter]:
        name = KEYED[table][0]
        keys = sorted(set(keys))
        if not keys:
            return {}
        t = self.keyed[table].get(pa.table({name: pa.array(keys, pa.string())})).to_pylist()
        return {r[name]: Counter(dict(zip(r["labels"], r["counts"]))) for r in t}

    def common(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` the corpus writes in lowercase somewhere."""
        return set(self.counts("_t_lower", words))

    def known(self, words: Iterable[str]) -> set[str]:
        return set(self.counts("_t_names", words))

    def phrase_votes_for(self, tokens: set[str]) -> dict[str, Counter]:
        """The tally of every name whose first word (or, for surnames, last word) is one of ``tokens``."""
        table = self.keyed["_t_phrases"]
        if not tokens or not table.files():
            return {}
        memo = _memo(table, "by_token")  # token -> {text: votes} of the names it starts or ends
        missing = sorted(set(tokens).difference(memo))
        if missing:
            with registered(self.con, _tok=pa.table({"first": pa.array(missing, pa.string())})):
                rows = table.where("(first in (select first from _tok) or last in (select first from _tok))",
                                   via={"first": missing, "last": missing}).to_pylist()
            asked = set(missing)
            for t in missing:
                memo[t] = {}
            for r in rows:
                votes = Counter(dict(zip(r["labels"], r["counts"])))
                for t in {r["first"], r["last"]} & asked:
                    memo[t][r["text"]] = votes
        found = {}
        for t in tokens:
            found.update(memo[t])
        return dict(sorted(found.items()))


class Index(Lookups):
    """The alignment state of one commit."""

    def __init__(self, corpus, reset: bool):
        self.corpus = corpus
        commit, con = corpus.commit, corpus.con
        super().__init__(_keyed_tables(commit, con), con)
        if reset:
            for table in self.keyed.values():
                table.clear()
            for name in PER_DOC:
                commit.drop(name, [f.name for f in commit.tables.get(name, [])])
        self.per_doc = {n: DocTable(commit, n, SCHEMAS_STATE[n], con) for n in PER_DOC}
        self.n_docs = corpus.counts()["documents"]
        self.fresh_chain_files: set[str] = set()  # ``_chains`` files of this run's chains (all of them moving)
        # ``mentions`` files of this run's processed documents: their rows as swept now. Documents swept
        # again keep their old rows elsewhere until the mention rows are patched (one rewrite, not two).
        self.fresh_mention_files: set[str] = set()

    # tallies ------------------------------------------------------------------------------------

    def add_counts(self, table: str, delta: Counter) -> None:
        delta = {k: v for k, v in delta.items() if v}
        if not delta:
            return
        name = KEYED[table][0]
        now = self.counts(table, delta)
        rows = [{name: k, "n": now.get(k, 0) + v} for k, v in delta.items()]
        keep = [r for r in rows if r["n"] > 0]
        gone = [r[name] for r in rows if r["n"] <= 0]
        self.keyed[table].put(pa.Table.from_pylist(keep, schema=SCHEMAS_STATE[table]))
        if gone:
            self.keyed[table].delete(pa.table({name: pa.array(gone, pa.string())}))
        self.keyed[table].flush()

    def add_votes(self, table: str, delta: dict[str, Counter], extra=None) -> set[str]:
        """Add vote deltas; returns the keys whose majority (clear label for _t_labels) changed."""
        delta = {k: v for k, v in delta.items() if any(v.values())}
        if not delta:
            return set()
        name = KEYED[table][0]
        now = self.votes(table, delta)
        rows, gone, changed = [], [], set()
        for k, d in delta.items():
            old = now.get(k, Counter())
            new = Counter(old)
            new.update(d)
            new = +new
            if _verdict(table, old) != _verdict(table, new):
                changed.add(k)
            if not new:
                gone.append(k)
                continue
            row = {name: k, "labels": list(new), "counts": list(new.values())}
            if extra:
                row.update(extra(k))
            rows.append(row)
        self.keyed[table].put(pa.Table.from_pylist(rows, schema=SCHEMAS_STATE[table]))
        if gone:
            self.keyed[table].delete(pa.table({name: pa.array(gone, pa.string())}))
        self.keyed[table].flush()
        return changed

    def informative(self, keys: Iterable[str]) -> Informative:
        """A predicate: is a context name rare enough to be evidence (the batch rule, on today's counts)."""
        return Informative(self.counts("_t_df", keys), max(CONTEXT_MIN_DF_FLOOR, CONTEXT_MAX_DF_SHARE * max(self.n_docs, 1)))


@dataclass(frozen=True)
class Informative:
    """Is a context name rare enough to be evidence: its document frequency (``df``, for the names
    asked about) at most ``limit``. A value, not a closure, so that a job can carry it."""

    df: dict[str, int]
    limit: float

    def __call__(self, key: str) -> bool:
        return self.df.get(key, 0) <= self.limit

    def only(self, keys: Iterable[str]) -> Informative:
        return Informative({k: self.df[k] for k in keys if k in self.df}, self.limit)

    def frequent(self) -> set[str]:
        """The names asked about that are not evidence: ``set(names) - frequent`` keeps those that
        are, at C speed (a short chain's context is tens of names, and at 100k documents an
        add-6000 filters 200,000 of them)."""
        return {k for k, n in self.df.items() if n > self.limit}


# What this process looked up in a keyed table, kept while the table's files stay the same (a
# file never changes once written, so an answer stays right): a worker's chunks ask about mostly
# the same words and names, pass after pass (at 100k documents each chunk of an add-6000 asked
# for ~100,000 names' votes and tokenised them again). (table, kind) -> (its files, answers).
_MEMO: dict[tuple[str, str], tuple[tuple, dict]] = {}


def _memo(table: KeyedTable, kind: str) -> dict:
    signature = tuple(str(p) for p in table.files())
    held = _MEMO.get((table.name, kind))
    if held is None or held[0] != signature:
        held = _MEMO[(table.name, kind)] = (signature, {})
    return held[1]


def _keyed_tables(commit, con=None) -> dict[str, KeyedTable]:
    return {n: KeyedTable(commit, n, SCHEMAS_STATE[n], KEYED[n], con, SECONDARY.get(n)) for n in KEYED}


def _verdict(table: str, votes: Counter):
    if table == "_t_labels":
        return clear_label(list(votes), list(votes.values()))
    return majority(votes) if +votes else None


def align_corpus(corpus, realign: bool = False, dask_address: str | None = None, processes: int = 1,
                 storage: str | None = None) -> dict[str, int]:
    """Bring the index and the mention and entity tables up to date with this run's documents.

    With ``dask_address`` the per-document step runs on that Dask cluster
    (:mod:`pipeline.align.scatter`), its files exchanged through ``storage`` when given (an fsspec
    URL: :mod:`pipeline.runtime.storage`); without one, with ``processes`` > 1 and enough documents
    (:data:`LOCAL_PROCESSES_MIN_DOCS`), on that many worker processes here. The linking after it
    runs in this process. The tables are the same wherever the step ran.

    Python's cyclic garbage collector is off meanwhile: alignment holds hundreds of thousands of
    row dicts, mentions and chains at once, and each full collection walks all of them, so its
    cost grows with the size of the run (a quarter of the CPU of adding 6,000 documents to 10,000;
    memory 1% higher: what alignment builds is freed by reference counting, not left in cycles).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    from pipeline.align import load_tables  # (the package imports this module: not at the top)

    # Workers load alignment's tables at connect (~1 s, once per process) and drop the chunks they
    # kept when the run ends.
    stepped = corpus.counts()["documents"] if realign else len(corpus.extracted)
    processes = min(processes, os.cpu_count() or 1) if stepped >= LOCAL_PROCESSES_MIN_DOCS else 1
    runner = scatter.runner(dask_address, prepare=load_tables, release=forget_loaded, processes=processes,
                            storage=storage)
    try:
        stats = _align_corpus(corpus, realign, runner)
        if runner.storage is not None:  # the files the dataset dropped leave the shared storage too
            commit = corpus.commit
            runner.storage.keep([p for t in commit.tables for p in commit.files(t)])
        return stats
    finally:
        forget_loaded()  # the chunks kept between passes belong to this run only
        runner.close()
        if was_enabled:
            gc.enable()


def _align_corpus(corpus, realign: bool, runner) -> dict[str, int]:
    if not realign and _index_outdated(corpus):
        log.info("entity index written by an earlier version (columns missing): re-aligning the corpus")
        realign = True
    index = Index(corpus, reset=realign)
    G.COMPARISONS[0] = 0
    if realign:
        processed, leaving = set(_all_doc_ids(corpus)), set()
        for name in ("mentions", "entities"):
            corpus.commit.drop(name, [f.name for f in corpus.commit.tables.get(name, [])])
    else:
        processed = set(corpus.extracted)
        leaving = corpus.removed() | (processed & _stored_aligned(index))
    delta = Delta(SCHEMAS_STATE["_chains"])
    # 1. documents that leave: their chains, mention rows and tally contributions go (names only
    # they wrote leave the sweep, so the documents those names were swept in are swept again).
    phrase_changes = _subtract(index, corpus, leaving, delta)
    # 2. the tallies of the documents that join ... (each pass chunk by chunk, here or on the cluster)
    chunks = list(_chunks(sorted(processed), runner.chunk_docs(len(processed), CHUNK_DOCS)))
    jobs = _Jobs(index, corpus, runner)
    lower, names = Counter(), Counter()
    for chunk_lower, chunk_names in jobs.run(chunk_tallies, chunks, tables=()):
        lower.update(chunk_lower)
        names.update(chunk_names)
    index.add_counts("_t_lower", lower)
    index.add_counts("_t_names", names)
    votes = defaultdict(Counter)
    for files, chunk_votes in jobs.run(chunk_phrases, chunks, tables=("_doc_phrases",)):
        jobs.adopt(files)
        for text, c in chunk_votes.items():
            votes[text].update(c)
    phrase_changes |= index.add_votes("_t_phrases", votes, extra=_first_last)
    # 3. ... their per-document step, and again for old documents a name new to the sweep occurs in.
    candidates = _resweep_targets(index, phrase_changes, processed) if not realign else set()
    resweep = sorted(_confirm(jobs, candidates, phrase_changes))
    log.info("sweep: %d names changed, %d old documents hold their words, %d write one", len(phrase_changes),
             len(candidates), len(resweep))
    if log.isEnabledFor(logging.DEBUG):
        log.debug("changed names: %s", sorted(phrase_changes)[:200])
    jobs.chains(chunks, delta, postings=True)
    swept = len(resweep)
    resweep = _sweep_again(index, jobs, resweep, delta)
    log.info("sweep: %d of the %d old documents swept again changed", len(resweep), swept)
    # 4. label repair and document frequencies from the chains that moved.
    _update_labels_and_df(index, delta)
    # 5. groups, blocks, shorts, entities, ids, mention rows.
    result = Linker(index, corpus, delta, processed | set(resweep), realign, runner).run()
    for table in index.keyed.values():
        table.flush()
    return {**result, "documents_swept_again": swept, "documents_changed_by_sweep": len(resweep), "comparisons": G.COMPARISONS[0], "new_mentions": delta.new_mentions}  # "relinked": documents whose mention rows changed


def _index_outdated(corpus) -> bool:
    """Whether a table of the stored index (or the public entities) lacks a column this code writes:
    an index from an earlier version, which only a full re-alignment can bring up to date. One file
    footer per table is read."""
    import pyarrow.parquet as pq

    expected = {**SCHEMAS_STATE, "entities": SCHEMAS["entities"]}
    for name, schema in expected.items():
        files = corpus.commit.files(name)
        if files and not set(schema.names) <= set(pq.read_schema(files[0]).names):
            return True
    return any(t.secondary_missing() for t in _keyed_tables(corpus.commit).values())


def _first_last(text: str) -> dict:
    toks = TOKEN.findall(text)
    return {"first": toks[0] if toks else None, "last": toks[-1] if toks else None}


def _stored_aligned(index: Index) -> set[str]:
    """Documents the index holds chains of."""
    files = index.per_doc["_chains"].files()
    if not files:
        return set()
    return {r[0] for r in index.corpus.con.execute(
        f"select distinct doc_id from read_parquet({_file_list(files)})").fetchall()}


def _all_doc_ids(corpus) -> list[str]:
    t = corpus.commit.read("documents", columns=["doc_id"])
    return t.column("doc_id").to_pylist() if t is not None else []


def _chain_rows(index: Index, wanted: set[tuple], columns: list[str]) -> list[dict]:
    """The ``_chains`` rows of these (doc_id, chain) keys as dicts, in table order (read by key:
    at 100k documents they are a few chains each of most documents)."""
    keys = pa.table({"doc_id": pa.array([d for d, _ in wanted], pa.string()),
                     "chain": pa.array([c for _, c in wanted], pa.int32())})
    return index.per_doc["_chains"].read_rows(keys, columns).to_pylist()


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# Loaded chunks kept between the passes over them, up to this many documents: a run that adds up
# to one GDELT batch (~6,000) reads and filters each document once, not once per pass; larger runs
# keep the newest chunks and read the others again (memory holds at most this many texts). A
# cluster worker keeps the chunks it ran the same way (jobs of a chunk go back to its worker).
KEEP_LOADED_DOCS = 6_000
_LOADED: dict[tuple, list[DocInput]] = {}
# The tables the per-document step reads its documents from.
INPUT_TABLES = {"documents": ["doc_id", "source_path", "text"], "_model_mentions": None,
                "sentences": ["doc_id", "sentence_index", "start_char", "end_char"]}


def forget_loaded() -> None:
    _LOADED.clear()
    _MEMO.clear()


def _load_inputs(view: TableView, ids: list[str], con) -> list[DocInput]:
    """Documents with their model mentions and sentences, from the files of ``view``.

    Alignment passes over the same chunks three times (tallies, phrases, the per-document step):
    loaded chunks are kept while they hold at most :data:`KEEP_LOADED_DOCS` documents, keyed by
    the files they were read from (a file never changes once written).
    """
    if not ids:
        return []
    memo = (tuple(ids), *(tuple(view.paths.get(t, ())) for t in INPUT_TABLES))
    if memo in _LOADED:
        return _LOADED[memo]
    schemas = {**SCHEMAS, **STATE_SCHEMAS}
    value = _load_inputs_now(lambda name: read_docs(con, view.files(name), schemas[name], ids, INPUT_TABLES[name]), ids)
    _LOADED[memo] = value
    while len(_LOADED) > 1 and sum(len(v) for v in _LOADED.values()) > KEEP_LOADED_DOCS:
        del _LOADED[next(iter(_LOADED))]  # the oldest chunk
    return value


def _load_inputs_now(read, ids: list[str]) -> list[DocInput]:
    docs = read("documents").to_pylist()
    ments = read("_model_mentions")
    sents = read("sentences").to_pylist()
    by_doc: dict[str, list[Mention]] = defaultdict(list)
    # Column by column into the records (a dict per row first costs twice as much).
    for m in map(Mention, *(ments.column(f.name).to_pylist() for f in dataclasses.fields(Mention))):
        by_doc[m.doc_id].append(m)
    sent_by: dict[str, list] = defaultdict(list)
    for s in sorted(sents, key=lambda s: (s["doc_id"], s["sentence_index"])):
        sent_by[s["doc_id"]].append((s["start_char"], s["end_char"]))
    out = []
    for d in sorted(docs, key=lambda d: d["doc_id"]):
        doc = Document(doc_id=d["doc_id"], source_path=d["source_path"], text=d["text"])
        ms = sorted(by_doc[d["doc_id"]], key=lambda m: (m.start_char, m.end_char))
        # Spans that are never names (pipeline.align.junk) leave before any tally or step sees them.
        out.append(DocInput(doc, drop_junk(doc, ms), sent_by[d["doc_id"]]))
    return out


def _inputs_view(source, ids: list[str], files: dict[str, list] | None = None) -> TableView:
    """The files of the input tables (in ``source``: the commit, or the base snapshot) that hold
    these documents. ``files``: the tables' files (the input tables', and any other per-document
    table a job reads), when the caller has listed them already."""
    wanted = sorted(ids)
    files = files or {t: source.files(t) for t in INPUT_TABLES}
    paths = {t: [str(p) for p in files_holding(listed, "doc_id", wanted)] for t, listed in files.items()}
    return TableView({t: [] for t in files}, paths)


def _split_all(lookups: Lookups, inputs: list[DocInput]) -> list[list[Mention]]:
    words = set()
    for d in inputs:
        words |= headline_words(d.mentions, d.flags)
    common, known = lookups.common(words), lookups.known(words)
    return [split_document(d, common, known) for d in inputs]


# -- the per-document step as jobs (here, or on the cluster: pipeline.align.scatter) ----------------

# The tallies the per-document step looks up, frozen for a pass (with their secondaries).
STEP_TALLIES = ("_t_lower", "_t_names", "_t_phrases")


@dataclass(frozen=True)
class ChunkJob:
    """One chunk of a pass of the per-document step, as a worker gets it: file names, not rows."""

    ids: list[str]
    inputs: TableView  # the input tables' files that hold these documents
    tallies: TableView  # STEP_TALLIES as the pass starts
    out: dict[str, str]  # table -> the staging path of the file this job writes (none written for no rows)
    phrases: dict | None = None  # names a confirming job looks for (chunk_confirm)


def chunk_tallies(job: ChunkJob, lookups: Lookups | None = None) -> tuple[Counter, Counter]:
    """Pass 1: what the chunk adds to the lowercase-word and name-word tallies (documents per word)."""
    lower, names = Counter(), Counter()
    for d in _load_inputs(job.inputs, job.ids, _con(lookups)):
        c = contribution(d)
        lower.update(c.lower)
        names.update(c.names)
    return lower, names


def chunk_phrases(job: ChunkJob, lookups: Lookups | None = None) -> tuple[dict, dict[str, Counter]]:
    """Pass 2: the model's label votes per name, per document (written) and summed (returned)."""
    lookups = lookups or Lookups.of(job.tallies, _con(None))
    inputs = _load_inputs(job.inputs, job.ids, lookups.con)
    rows, votes = [], defaultdict(Counter)
    for d, split in zip(inputs, _split_all(lookups, inputs)):
        for text, c in phrase_votes(split).items():
            rows.extend({"doc_id": d.doc.doc_id, "text": text, "label": label, "n": n} for label, n in c.items())
            votes[text].update(c)
    return _written(job, {"_doc_phrases": pa.Table.from_pylist(rows, schema=SCHEMAS_STATE["_doc_phrases"])}), votes


def chunk_chains(job: ChunkJob, lookups: Lookups | None = None) -> tuple[dict, list[dict] | pa.Table]:
    """Pass 3: split, sweep with the corpus's phrases, chains. Writes the chains, the mention rows
    (entities come later) and, when asked, the postings; returns the chain rows, for the linker
    (as dicts here, as Arrow from a worker: it pickles as columns)."""
    local = lookups is not None
    lookups = lookups or Lookups.of(job.tallies, _con(None))
    inputs = _load_inputs(job.inputs, job.ids, lookups.con)
    if not inputs:
        return {}, []
    rows, mentions = _chunk_rows(lookups, inputs)
    tables = {"_chains": pa.Table.from_pylist(rows, schema=SCHEMAS_STATE["_chains"]),
              "mentions": to_table("mentions", mentions)}
    if "_postings" in job.out:
        tables["_postings"] = pa.Table.from_pylist(
            [{"doc_id": d.doc.doc_id, "token": t} for d in inputs for t in sorted(first_tokens(d.doc.text))],
            schema=SCHEMAS_STATE["_postings"])
    files = _written(job, tables)
    return files, rows if local else tables["_chains"]


def chunk_resweep(job: ChunkJob, lookups: Lookups | None = None) -> tuple[dict, list[str], list[dict] | pa.Table,
                                                                          list[dict] | pa.Table]:
    """Old documents swept again (:func:`_sweep_again`): each one's rows on the tallies as they are
    now, compared with its stored rows (``_chains`` and ``mentions``, in ``job.inputs``). Writes the
    chain and mention rows of the documents that changed; returns their ids, their new chain rows,
    and the stored chain rows the linker moves: those of the changed documents, and the short
    chains of the others."""
    local = lookups is not None
    lookups = lookups or Lookups.of(job.tallies, _con(None))
    con = lookups.con
    inputs = _load_inputs(job.inputs, job.ids, con)
    rows, mentions = _chunk_rows(lookups, inputs)
    stored = read_docs(con, job.inputs.files("_chains"), SCHEMAS_STATE["_chains"], job.ids)
    old_rows = stored.to_pylist()
    old_mentions = read_docs(con, job.inputs.files("mentions"), SCHEMAS["mentions"], job.ids, list(_COMPARED)).to_pylist()
    differ = _rows_differ(rows, mentions, old_rows, old_mentions)
    rows = [r for r in rows if r["doc_id"] in differ]
    moving = [r["doc_id"] in differ or r["short"] for r in old_rows]
    tables = {"_chains": pa.Table.from_pylist(rows, schema=SCHEMAS_STATE["_chains"]),
              "mentions": to_table("mentions", [m for m in mentions if m.doc_id in differ])}
    if local:
        return _written(job, tables), sorted(differ), rows, [r for r, m in zip(old_rows, moving) if m]
    return _written(job, tables), sorted(differ), tables["_chains"], stored.filter(pa.array(moving, pa.bool_()))


def _chunk_rows(lookups: Lookups, inputs: list[DocInput]) -> tuple[list[dict], list[Mention]]:
    """The chain rows and mention rows of a chunk's documents, on the tallies as they are.

    A document's rows depend on the chunk only through names its own words start or end, so a
    document gives the same rows in any chunk (checked: chunks of 2,000 and 500 give equal tables)."""
    splits = _split_all(lookups, inputs)
    tokens = set()
    for d in inputs:
        tokens |= first_tokens(d.doc.text)
    votes = lookups.phrase_votes_for(tokens)
    words = {t.lower() for text in votes for t in TOKEN.findall(text)}
    mention_words = {fold(t) for d in inputs for m in d.mentions for t in TOKEN.findall(m.text)}
    common = lookups.common(words | mention_words)
    sweeper = Sweeper(phrases_from_votes(votes, common, memo=_memo(lookups.keyed["_t_lower"], "sweepable")))
    rows, mentions = [], []
    for d, split in zip(inputs, splits):
        ms, chains = process_document(d, split, sweeper, common)
        mentions.extend(ms)
        doc_keys = document_context(chains)
        rows.extend(chain_row(c, i, doc_keys) for i, c in enumerate(chains))
    return rows, mentions


def _written(job: ChunkJob, tables: dict[str, pa.Table]) -> dict[str, FileEntry]:
    """Each table's rows to the job's path for it (none for no rows), as every commit file is written."""
    out = {}
    for name, data in tables.items():
        if data.num_rows:
            path = Path(job.out[name])
            out[name] = FileEntry(path.name, data.num_rows, write_file(path, data))
    return out


_PROCESS_CON = []


def _con(lookups: Lookups | None):
    """The coordinator's DuckDB connection, or this worker process's own."""
    if lookups is not None:
        return lookups.con
    if not _PROCESS_CON:
        _PROCESS_CON.append(connect())
    return _PROCESS_CON[0]


class _Jobs:
    """The passes of the per-document step, chunk by chunk on the run's runner (here, or on the
    Dask cluster), with the files the jobs write adopted into the commit in chunk order, so the
    tables are the same wherever the jobs ran."""

    def __init__(self, index: Index, corpus, runner):
        self.index, self.commit, self.runner = index, corpus.commit, runner
        self.here = isinstance(runner, scatter.Local)
        # Alignment does not change its input tables: their files are listed once, not per job.
        self.input_files = {t: self.commit.files(t) for t in INPUT_TABLES}

    def run(self, fn, chunks: list[list[str]], tables: Iterable[str], reads: Iterable[str] = (),
            phrases: dict | None = None) -> Iterator:
        """``fn`` over each chunk, results in chunk order. ``tables``: what a job writes (a staging
        path each); ``reads``: per-document tables a job reads besides the inputs (as they are now);
        ``phrases``: for :func:`chunk_confirm`."""
        tables = tuple(tables)
        tallies = self.commit.view([t for n in STEP_TALLIES for t in (n, *map(self.index.keyed[n].secondary_table,
                                                                               SECONDARY.get(n, {})))])
        files = {**self.input_files, **{t: self.commit.files(t) for t in reads}}
        jobs = (ChunkJob(ids, _inputs_view(self.commit, ids, files), tallies,
                         {t: str(self.commit.reserve(t)) for t in tables}, phrases) for ids in chunks)
        return self.runner.map(fn, jobs, *((self.index,) if self.here else ()))

    def adopt(self, files: dict[str, FileEntry]) -> dict[str, str]:
        return {t: self.commit.adopt(t, entry) for t, entry in files.items()}

    def chains(self, chunks: list[list[str]], delta: Delta, postings: bool) -> None:
        tables = ("_chains", "mentions", *(("_postings",) if postings else ()))
        for files, rows in self.run(chunk_chains, chunks, tables):
            self.adopt_chains(files, rows, delta)

    def adopt_chains(self, files: dict[str, FileEntry], rows: list[dict] | pa.Table, delta: Delta) -> None:
        """A job's chain and mention files join the commit; its chains join the index."""
        names = self.adopt(files)
        if "_chains" in names:
            self.index.fresh_chain_files.add(names["_chains"])
        if "mentions" in names:
            self.index.fresh_mention_files.add(names["mentions"])
        delta.add(1, rows)


def _subtract(index: Index, corpus, leaving: set[str], delta: Delta) -> set[str]:
    """Take the leaving documents out of the index; returns the names whose sweep entry changed."""
    if not leaving:
        return set()
    ids = sorted(leaving)
    old_inputs = _load_inputs(_inputs_view(corpus.base, ids), ids, corpus.con)
    lower, names = Counter(), Counter()
    for d in old_inputs:
        c = contribution(d)
        lower.update(c.lower)
        names.update(c.names)
    index.add_counts("_t_lower", Counter({k: -v for k, v in lower.items()}))
    index.add_counts("_t_names", Counter({k: -v for k, v in names.items()}))
    votes: dict[str, Counter] = defaultdict(Counter)
    for r in index.per_doc["_doc_phrases"].read_docs(ids).to_pylist():
        votes[r["text"]][r["label"]] -= r["n"]
    changed = index.add_votes("_t_phrases", votes, extra=_first_last)
    _with_members(index, delta.add(-1, index.per_doc["_chains"].read_docs(ids)))
    for name in PER_DOC:
        index.per_doc[name].remove_docs(ids)
    corpus.mentions.remove_docs(ids)
    return changed


def _with_members(index: Index, rows: list[dict]) -> list[dict]:
    """Chain rows with where they are now (group or target, label, entity)."""
    if not rows:
        return rows
    keys = pa.table({"doc_id": [r["doc_id"] for r in rows], "chain": pa.array([r["chain"] for r in rows], pa.int32())})
    members = {(m["doc_id"], m["chain"]): m for m in index.keyed["_members"].get(keys).to_pylist()}
    for r in rows:
        m = members.get((r["doc_id"], r["chain"]), {})
        r["_gid"], r["_target"], r["_label"], r["_entity"] = m.get("gid"), m.get("target"), m.get("label"), m.get("entity_id")
    return rows


def _resweep_targets(index: Index, texts: set[str], exclude: set[str]) -> set[str]:
    """Old documents in which a name whose sweep entry changed may occur: all its capitalised words are in them.

    A person's surname is swept on its own too, so a surname the sweep did not have before is
    looked for alone. One query over the postings for every name; a name found in more than
    ``MAX_RESWEEP_DOCS`` old documents is too common to be a name the model keeps missing, and is
    not swept there.
    """
    if not texts:
        return set()
    from pipeline.align.sweep import _sweepable

    words = {t.lower() for text in texts for t in TOKEN.findall(text)}
    common = index.common(words)
    needed: dict[str, list[str]] = {}
    surnames: dict[str, str] = {}
    for text in texts:
        toks = _sweepable(text, common)
        if not toks:
            continue
        caps = sorted({t for t in toks if first_tokens(t)})
        if caps:
            needed[text] = caps
        if len(toks) > 1 and first_tokens(toks[-1]):
            surnames[toks[-1]] = text
    for last in _known_surnames(index, set(surnames), texts):
        del surnames[last]
    needed.update({f"{text}\0{last}": [last] for last, text in surnames.items()})
    files = index.per_doc["_postings"].files()
    if not needed or not files:
        return set()
    con = index.corpus.con
    wanted = pa.table({"name": [n for n, toks in needed.items() for _ in toks],
                       "token": [t for toks in needed.values() for t in toks],
                       "n": pa.array([len(toks) for toks in needed.values() for _ in toks], pa.int64())})
    # A name's documents are those of its rarest word that hold its other words too: joining every
    # word's postings to every name it is in multiplies a common first name's documents by the names
    # it starts (with 6,000 names at 100k documents: 15 s; this way 4 s, three scans of 0.1 s each).
    postings = f"read_parquet({_file_list(files)})"
    with registered(con, _names=wanted):
        rows = con.sql(f"""
            with df as (select token, count(*) as df from {postings} where token in (select token from _names) group by token),
            rarest as (select w.name, w.n, arg_min(w.token, d.df) as token from _names w join df d using (token)
                       group by w.name, w.n having count(*) = w.n),
            candidates as (select r.name, r.n, p.doc_id from {postings} p join rarest r using (token)),
            found as (select c.name, c.doc_id from candidates c join _names w using (name)
                      join {postings} o on o.doc_id = c.doc_id and o.token = w.token
                      group by c.name, c.doc_id, c.n having count(distinct o.token) = c.n),
            sized as materialized (select name, doc_id, count(*) over (partition by name) as docs from found)
            select null as name, doc_id from sized where docs <= {MAX_RESWEEP_DOCS} group by doc_id
            union all select name, null from sized where docs > {MAX_RESWEEP_DOCS} group by name""").fetchall()
    found = {doc for name, doc in rows if name is None}
    too_common = {name for name, doc in rows if name is not None}
    for name in sorted(too_common):
        log.info("name %r occurs in more than %d old documents: not swept there", name, MAX_RESWEEP_DOCS)
    return found - exclude


def _confirm(jobs: _Jobs, candidates: set[str], texts: set[str]) -> set[str]:
    """The candidates in which one of the changed names is actually written (the postings only say
    its words are): read and searched in jobs (:func:`chunk_confirm`), as the documents are stepped."""
    if not candidates:
        return set()
    words = {t.lower() for text in texts for t in TOKEN.findall(text)}
    phrases = phrases_from_votes({t: Counter({"?": 1}) for t in texts}, jobs.index.common(words))
    if not phrases:
        return set()
    chunks = list(_chunks(sorted(candidates), jobs.runner.chunk_docs(len(candidates), CHUNK_DOCS)))
    return {d for hit in jobs.run(chunk_confirm, chunks, tables=(), phrases=phrases) for d in hit}


def chunk_confirm(job: ChunkJob, lookups: Lookups | None = None) -> list[str]:
    """Of the chunk's documents, those whose text holds one of ``job.phrases`` (:func:`_confirm`)."""
    sweeper = Sweeper(job.phrases)
    rows = read_docs(_con(lookups), job.inputs.files("documents"), SCHEMAS["documents"], job.ids, ["doc_id", "text"])
    return [d for d, text in zip(rows.column("doc_id").to_pylist(), rows.column("text").to_pylist())
            if sweeper.find(text, set())]


def _known_surnames(index: Index, lasts: set[str], changed: set[str]) -> set[str]:
    """Of these surnames, those the sweep had already: some other person's full name ends in them."""
    if not lasts:
        return set()
    con = index.corpus.con
    with registered(con, _lasts=strings("l", lasts)):
        rows = index.keyed["_t_phrases"].where("last in (select l from _lasts)", via={"last": lasts}).to_pylist()
    known = set()
    for r in rows:
        if r["text"] in changed:
            continue
        votes = Counter(dict(zip(r["labels"], r["counts"])))
        if votes and majority(votes) == PERSON and len(TOKEN.findall(r["text"])) > 1:
            known.add(r["last"])
    return known


def _sweep_again(index: Index, jobs: _Jobs, resweep: list[str], delta: Delta) -> list[str]:
    """Old documents swept again with the corpus's names as they are now; returns those whose rows changed.

    A document in which a changed name is written often comes out as it was (the model had tagged
    that very span, or the name was already swept there with the same label): such a document
    keeps its rows and its chains stay where they are, instead of leaving the index and joining it
    again (a rewrite of every ``_chains`` and ``mentions`` file it shares, and its chains moved
    through the linker). Only the documents whose chain or mention rows differ are replaced.
    They are stepped in jobs (:func:`chunk_resweep`) as the new documents are.
    """
    fresh: list[tuple[dict, list[dict] | pa.Table]] = []
    changed: list[str] = []
    chunks = list(_chunks(resweep, jobs.runner.chunk_docs(len(resweep), CHUNK_DOCS)))
    for files, differ, rows, old_rows in jobs.run(chunk_resweep, chunks, ("_chains", "mentions"),
                                                  reads=("_chains", "mentions")):
        changed.extend(differ)
        fresh.append((files, rows))
        old_rows = delta.as_table(old_rows)
        leaves = pc.is_in(old_rows.column("doc_id"), value_set=pa.array(differ, pa.string()))
        _with_members(index, delta.add(-1, old_rows.filter(leaves)))
        stays_short = pc.and_(pc.invert(leaves), old_rows.column("short"))
        _with_members(index, delta.keep_for_review(old_rows.filter(stays_short)))
    # Their old rows leave in one pass: they are spread over the whole corpus, so a pass per chunk
    # would rewrite nearly every file of the table once per chunk (their mention rows leave when the
    # linker patches mention rows: Linker._current_mention_rows).
    index.per_doc["_chains"].remove_docs(changed)
    for files, rows in fresh:
        jobs.adopt_chains(files, rows, delta)
    return changed


# What tells two mention rows of the same document apart: its span (in the id; text and sentence follow
# from it), how it was found, and the label the linker may rewrite (a stored row shows its entity's id
# and label, a fresh one neither).
_COMPARED = ("doc_id", "mention_id", "model_label", "origin", "entity_id", "label")


def _rows_differ(rows: list[dict], mentions: list[Mention], old_rows: list[dict], old_mentions: list[dict]) -> set[str]:
    """The documents whose new chain rows or mention rows are not the stored ones.

    Chain rows are compared whole (as written: through the table's schema). Mention rows are
    compared by span, origin and model label (the document's text and sentences did not change),
    and by label where the stored row has no entity (one with an entity shows the entity's label).
    """
    new_chains: dict[str, list] = defaultdict(list)
    for r in pa.Table.from_pylist(rows, schema=SCHEMAS_STATE["_chains"]).to_pylist():
        new_chains[r["doc_id"]].append(r)
    old_chains: dict[str, list] = defaultdict(list)
    for r in old_rows:
        old_chains[r["doc_id"]].append(r)

    def shown(m: dict, with_label: bool) -> tuple:
        return (m["mention_id"], m["model_label"], m["origin"]) + ((m["label"],) if with_label else ())

    old_m: dict[str, dict[str, dict]] = defaultdict(dict)
    for m in old_mentions:
        old_m[m["doc_id"]][m["mention_id"]] = m
    new_m: dict[str, dict[str, dict]] = defaultdict(dict)
    for m in to_table("mentions", mentions).to_pylist():
        new_m[m["doc_id"]][m["mention_id"]] = m
    differ = set()
    for doc in set(new_chains) | set(old_chains) | set(new_m) | set(old_m):
        if sorted(new_chains[doc], key=lambda r: r["chain"]) != sorted(old_chains[doc], key=lambda r: r["chain"]):
            differ.add(doc)
            continue
        old, new = old_m[doc], new_m[doc]
        if old.keys() != new.keys() or any(shown(new[k], old[k]["entity_id"] is None) !=
                                           shown(old[k], old[k]["entity_id"] is None) for k in new):
            differ.add(doc)
    return differ


def _update_labels_and_df(index: Index, delta: Delta) -> None:
    """The corpus's label votes and document frequencies, with what the chains that moved add and
    take away (tallied as they came: :meth:`~pipeline.align.delta.Delta.add`)."""
    index.changed_labels = index.add_votes("_t_labels", delta.label_votes)
    index.add_counts("_t_df", delta.df)


# -- linking: groups, blocks, shorts, entities -------------------------------------------------------

# Blocks are clustered in jobs on the cluster when a pass has at least this many groups in the
# blocks that changed (fewer cost more to send than to compare here).
REMOTE_BLOCK_GROUPS = 20_000


@dataclass(frozen=True)
class BlockJob:
    """Blocks to cluster on a worker: their groups (names, counts, context) and the rarity of their context names."""

    ids: list[str]  # the first group's gid (where the job ran is remembered by it)
    blocks: list[list[G.Group]]
    informative: Informative


def cluster_blocks(job: BlockJob, lookups: Lookups | None = None) -> tuple[list[dict[str, str]], int]:
    """Each block's clusters (:func:`~pipeline.align.groups.cluster_block`), and the pairs compared."""
    before = G.COMPARISONS[0]
    assigned = [G.cluster_block(groups, job.informative) for groups in job.blocks]
    return assigned, G.COMPARISONS[0] - before


@dataclass(frozen=True)
class _Surface:
    text: str
    doc_id: str


EMPTY = {"n": 0, "ctx": None, "alias": None}


class Linker:
    """Step 5 of :func:`align_corpus`: the chains that moved, linked into clusters and entities.

    A chain's *placement* is its long group (``L:`` gid), its leftover short group (``S:`` gid) or,
    for a short chain that attached, the gid of the long cluster it attached to (``target``). A
    placement's cluster is ``_groups.cluster`` of that gid. Entities are keyed by cluster.
    """

    def __init__(self, index: Index, corpus, delta: Delta, processed: set[str], realign: bool, runner=None):
        self.index, self.corpus, self.delta, self.processed, self.realign = index, corpus, delta, processed, realign
        self.runner = runner or scatter.Local()
        self.groups = index.keyed["_groups"]
        self.members = index.keyed["_members"]
        self.now = datetime.now(timezone.utc)
        self.touched: set[str] = set()  # cluster ids (old and new) whose entity must be recomputed
        self.structural: set[str] = set()  # clusters whose groups changed: their entity is rebuilt from its members
        self.placement: dict[tuple, dict] = {}  # (doc_id, chain) -> new _members row
        # Chains leaving a cluster (cluster known) and joining one (placement gid, resolved at the end).
        self.leaving: list[tuple[str, dict, str]] = []  # (cluster, chain row, label)
        self.joining: list[tuple[str, dict, str]] = []  # (placement gid, chain row, label)
        # gid -> its cluster when the run began, for groups that went or changed cluster: a short chain
        # reviewed later leaves the cluster it was in (its target group may be gone by then).
        self.cluster_before: dict[str, str] = {}
        # Aliases a long group gained or lost (not a count that changed): the short chains of that
        # name have a candidate more or fewer, and are placed again.
        self.aliases_changed: set[str] = set()
        # Groups that lost a context name (or went): a short chain attached to one may now fit
        # another candidate better. One that only gained names scores as high as before.
        self.context_lost: set[str] = set()

    # the run --------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        plus, minus = self._moves()
        old_clusters = self._clusters_of_gids({g for r in minus for g in (r["_gid"], r["_target"]) if g})
        self.touched |= set(old_clusters.values())
        for r in minus:
            cluster = old_clusters.get(r["_gid"] or r["_target"])
            if cluster:
                self.leaving.append((cluster, r, r["_label"]))
        # 1. long groups, and the blocks they are in, clustered again
        long_delta = defaultdict(lambda: {"n": 0, "ctx": Counter(), "alias": Counter()})
        for sign, rows in ((-1, minus), (1, plus)):
            for r in rows:
                gid = r["_gid"] if sign < 0 else self._long_gid(r)
                if gid and gid.startswith(G.LONG + ":"):
                    self._add(long_delta[gid], r, sign, alias=True)
        changed_groups = self._apply(long_delta)
        recluster = self._recluster(changed_groups)
        # 2. short chains: the new ones, and the old ones whose candidates may have changed
        aliases = {a.removeprefix(G.INITIALS) for a in self.aliases_changed}
        shorts = [r for r in plus if r["short"]] + self._shorts_to_review(aliases, set(recluster) | self.context_lost,
                                                                            {(r["doc_id"], r["chain"]) for r in plus + minus})
        short_delta = defaultdict(lambda: {"n": 0, "ctx": Counter(), "alias": Counter()})
        for r in minus:
            if r["_gid"] and r["_gid"].startswith(G.SHORT + ":"):
                self._add(short_delta[r["_gid"]], r, -1)
        self._place_shorts(shorts, short_delta)
        changed_short = self._apply(short_delta)
        self._recluster(changed_short)
        for r in plus:
            if not r["short"]:
                gid = self._long_gid(r)
                self.placement[(r["doc_id"], r["chain"])] = self._member(r, gid=gid)
                self.joining.append((gid, r, r["_label_new"]))
        # 3. members, entities, mention rows
        self.touched |= set(self._clusters_of_gids(
            {m["gid"] or m["target"] for m in self.placement.values()}).values())
        gone = [(r["doc_id"], r["chain"]) for r in minus if (r["doc_id"], r["chain"]) not in self.placement]
        return self._finish(gone)

    def _moves(self) -> tuple[list[dict], list[dict]]:
        """Chains joining and leaving; chains elsewhere whose name's corpus label changed move too."""
        plus, minus = list(self.delta.plus), list(self.delta.minus)
        moving = {(r["doc_id"], r["chain"]) for r in plus + minus}
        changed = getattr(self.index, "changed_labels", set())
        if changed and not self.realign:
            for r in self._chains_with_heads(changed):
                if (r["doc_id"], r["chain"]) not in moving:
                    minus.append(r)
                    plus.append(dict(r))
        keys = {r["head_key"] for r in plus}
        votes = self.index.votes("_t_labels", keys)
        clear = {k: clear_label(list(v), list(v.values())) for k, v in votes.items()}
        for r in plus:
            r["_label_new"] = repaired_label(r, clear.get(r["head_key"], Verdict(None)))
        return plus, minus

    def _chains_with_heads(self, keys: set[str]) -> list[dict]:
        """Chains of documents this run did not touch whose head is one of ``keys`` (the files this
        run wrote hold only chains that move anyway: on a first run, every file)."""
        files = [f for f in self.index.per_doc["_chains"].files() if f.name not in self.index.fresh_chain_files]
        if not files:
            return []
        con = self.corpus.con
        with registered(con, _heads=strings("k", keys)):
            rows = con.sql(f"select * from read_parquet({_file_list(files)}) where head_key in (select k from _heads)"
                           ).to_arrow_table()
        return _with_members(self.index, slim_rows(rows, self.delta.strings))

    # groups -----------------------------------------------------------------------------------------

    def _long_gid(self, r: dict) -> str | None:
        if r["short"]:
            return None
        return G.group_id(G.LONG, label_class(r["_label_new"]), r["character"], r["head_key"])

    @staticmethod
    def _add(d: dict, r: dict, sign: int, alias: bool = False) -> None:
        d["n"] += sign
        for counter, keys in ((d["ctx"], r["context"]), (d["alias"], r["aliases"] if alias else ())):
            for k in dict.fromkeys(keys):  # each key once, in order (Counter.update costs 3x this)
                counter[k] += sign

    @staticmethod
    def _block(gid: str) -> str:
        return G.block_of(gid)

    def _get_groups(self, gids: Iterable[str], columns: list[str] | None = None) -> dict[str, dict]:
        gids = sorted({g for g in gids if g})
        if not gids:
            return {}
        rows = self.groups.get(pa.table({"gid": pa.array(gids, pa.string())}))
        return {r["gid"]: r for r in (rows.select(columns) if columns else rows).to_pylist()}

    def _clusters_of_gids(self, gids: Iterable[str]) -> dict[str, str]:
        return {g: r["cluster"] for g, r in self._get_groups(gids, ["gid", "cluster"]).items()}

    def _apply(self, deltas: dict[str, dict]) -> set[str]:
        """Group rows updated by their deltas (a group whose count drops to zero goes); returns the gids."""
        deltas = {g: d for g, d in deltas.items() if d["n"] or any(d["ctx"].values()) or any(d["alias"].values())}
        if not deltas:
            return set()
        old = self._get_groups(deltas)
        rows, gone = [], []
        for gid, d in deltas.items():
            o = old.get(gid)
            n = (o["n"] if o else 0) + d["n"]
            if n <= 0:
                if o is not None:
                    gone.append(gid)
                    self.aliases_changed.update(o["alias_keys"])
                    self.context_lost.add(gid)
                    self.touched.add(o["cluster"])
                    self.cluster_before.setdefault(gid, o["cluster"])
                continue
            ctx = Counter(dict(zip(o["ctx_keys"], o["ctx_counts"]))) if o else Counter()
            ctx.update(d["ctx"])
            ctx = G.truncate(+ctx)
            if o is not None and not set(o["ctx_keys"]) <= ctx.keys():
                self.context_lost.add(gid)
            alias = Counter(dict(zip(o["alias_keys"], o["alias_counts"]))) if o else Counter()
            before = set(alias)
            alias.update(d["alias"])
            alias = +alias
            self.aliases_changed |= before ^ set(alias)
            rows.append({"gid": gid, "block": self._block(gid), "n": n, "ctx_keys": list(ctx),
                         "ctx_counts": list(ctx.values()), "alias_keys": list(alias),
                         "alias_counts": list(alias.values()), "cluster": o["cluster"] if o else gid})
            if o is not None:
                self.touched.add(o["cluster"])
        self.groups.put(pa.Table.from_pylist(rows, schema=SCHEMAS_STATE["_groups"]))
        if gone:
            self.groups.delete(pa.table({"gid": pa.array(gone, pa.string())}))
        self.groups.flush()
        return set(deltas)

    def _recluster(self, changed: set[str]) -> dict[str, tuple[str, str]]:
        """The blocks of the ``changed`` groups clustered again; returns gid -> (old cluster, new cluster)
        where it changed. Touched: the clusters of changed groups, and those a group left or joined."""
        blocks = {self._block(g) for g in changed}
        if not blocks:
            return {}
        con = self.corpus.con
        with registered(con, _blocks=strings("block", blocks)):
            rows = self.groups.where("block in (select block from _blocks)", via={"block": blocks}).to_pylist()
        informative = self.index.informative({k for r in rows for k in r["ctx_keys"]})
        by_block: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_block[r["block"]].append(r)
        changes, updates = {}, []
        for members, assign in zip(by_block.values(), self._cluster_blocks(by_block, informative)):
            for r in members:
                new = assign[r["gid"]]
                if r["gid"] in changed:
                    self.touched.add(new)
                if new != r["cluster"]:
                    self.cluster_before.setdefault(r["gid"], r["cluster"])
                    self.touched |= {r["cluster"], new}
                    self.structural |= {r["cluster"], new}
                    changes[r["gid"]] = (r["cluster"], new)
                    updates.append({**r, "cluster": new})
        if updates:
            self.groups.put(pa.Table.from_pylist(updates, schema=SCHEMAS_STATE["_groups"]))
            self.groups.flush()
        return changes

    def _cluster_blocks(self, by_block: dict[str, list[dict]], informative: Informative) -> Iterator[dict[str, str]]:
        """:func:`~pipeline.align.groups.cluster_block` of every block, in order: here, or in jobs
        on the cluster when there are enough groups to compare (blocking, candidate comparison and
        the connected components of each block are independent of every other block's)."""
        blocks = [[G.Group(r["gid"], r["n"], Counter(dict(zip(r["ctx_keys"], r["ctx_counts"])))) for r in members]
                  for members in by_block.values()]
        n_groups = sum(map(len, blocks))
        if isinstance(self.runner, scatter.Local) or n_groups < REMOTE_BLOCK_GROUPS:
            yield from (G.cluster_block(groups, informative) for groups in blocks)
            return
        size = self.runner.chunk_docs(n_groups, n_groups)
        jobs, job = [], []
        for groups in blocks:
            job.append(groups)
            if sum(map(len, job)) >= size:
                jobs.append(job)
                job = []
        jobs.append(job)
        keys = lambda job: {k for groups in job for g in groups for k in g.context}  # noqa: E731
        for assigned, compared in self.runner.map(cluster_blocks, (
                BlockJob([g.gid for groups in job[:1] for g in groups[:1]], job, informative.only(keys(job))) for job in jobs)):
            G.COMPARISONS[0] += compared
            yield from assigned

    # shorts -----------------------------------------------------------------------------------------

    def _shorts_to_review(self, aliases: set[str], changed_gids: set[str], moving: set[tuple]) -> list[dict]:
        """Short chains already placed whose candidates changed: their name became or stopped being
        an alias of a long group, or they attached to a group that changed cluster, lost context
        names or went (:func:`~pipeline.align.groups.attach` scores a candidate by the context names
        it shares with the chain: one that only gained names scores at least as before; a rival
        that gained names may now beat it, which only a full re-alignment sees).

        Not those whose name is an alias whose count changed only: at 100k documents those are most
        short chains of every common surname, and few of them move (at 10k, 3% of the moves of an
        add-6000 were missed this way, nearly all acronyms whose expansion's context grew: part of
        the gap to a full re-alignment that ``make bench-scale`` measures)."""
        if self.realign:
            return []
        given = [r for r in self.delta.review if (r["doc_id"], r["chain"]) not in moving and
                 (r["head_key"] in aliases or (r["_target"] or r["_gid"]) in changed_gids)]
        found = []
        if aliases or changed_gids:
            con = self.corpus.con
            with registered(con, _a=strings("a", aliases), _g=strings("g", changed_gids)):
                found = self.members.where("(gid like 'S:%' and split_part(gid, ':', 4) in (select a from _a)) "
                                           "or target in (select g from _g)",
                                           via={"short_name": aliases, "target": changed_gids}).to_pylist()
        wanted = {(m["doc_id"], m["chain"]) for m in found} - moving - {(r["doc_id"], r["chain"]) for r in given}
        rows = list(given)
        if wanted:
            # Only what placing them and moving them between entities reads: these are tens of thousands
            # of chains spread over nearly every file of the table at 100k documents.
            rows += _with_members(self.index, _chain_rows(self.index, wanted, REVIEW_COLUMNS))
        for r in rows:
            r["_label_new"] = r["_label"]
            r["_review"] = True
        return rows

    def _place_shorts(self, shorts: list[dict], short_delta: dict) -> None:
        """Each short chain to the long cluster it stands for, or to the leftover group of its name."""
        if not shorts:
            return
        by_name: dict[tuple, list[dict]] = defaultdict(list)
        for r in shorts:
            by_name[(label_class(r["_label_new"]), bool(r["character"]), r["head_key"])].append(r)
        candidates, expansions = self._candidates({a for _, _, k in by_name for a in (k, G.INITIALS + k)})
        informative = self.index.informative({k for r in shorts for k in r["context"]} |
                                             {k for c in candidates.values() for ctx in c.values() for k in ctx})
        frequent = informative.frequent()
        reviewed = self._clusters_of_gids({r["_gid"] or r["_target"] for r in shorts if r.get("_review")})
        reviewed.update(self.cluster_before)
        for (cls, character, key), rows in by_name.items():
            prefix = f"{G.LONG}:{cls}:{int(character)}:"
            options = {cid: ctx for cid, ctx in candidates.get(key, {}).items() if cid.startswith(prefix)}
            by_initials = {cid: ctx for cid, ctx in candidates.get(G.INITIALS + key, {}).items()
                           if cid.startswith(prefix) and cid not in options}
            # Initials candidates the gazetteer vouches for are open to every chain; the others
            # to a chain whose document writes the expansion (initials_evidence, split in two).
            spelled = {cid: expansions[(G.INITIALS + key, cid)] for cid in by_initials}
            gazetteer = {cid for cid, exps in spelled.items() if any(initials_by_gazetteer(key, e) for e in exps)}
            fixed = {**options, **{cid: by_initials[cid] for cid in gazetteer}}
            conditional = {cid: (ctx, spelled[cid]) for cid, ctx in by_initials.items() if cid not in gazetteer}
            owns = [set(r["context"]) - frequent for r in rows]
            attacher = G.Attacher(fixed, conditional, set().union(*owns))
            for r, own in zip(rows, owns):
                target = attacher.attach(own, r["context"])
                gid = None if target else G.group_id(G.SHORT, cls, character, key)
                if r.get("_review"):
                    if (target, gid) == (r["_target"], r["_gid"]):
                        continue
                    if r["_gid"]:
                        self._add(short_delta[r["_gid"]], r, -1)
                    old = reviewed.get(r["_gid"] or r["_target"])
                    if old:
                        self.touched.add(old)
                        self.leaving.append((old, r, r["_label"]))
                if gid:
                    self._add(short_delta[gid], r, 1)
                self.placement[(r["doc_id"], r["chain"])] = self._member(r, gid=gid, target=target)
                self.joining.append((gid or target, r, r["_label_new"]))

    def _candidates(self, keys: set[str]) -> tuple[dict[str, dict[str, set[str]]], dict[tuple, set[str]]]:
        """For each short name: the long clusters it is an alias of, with each cluster's context names;
        and per (initials alias, cluster), the names of the cluster's groups with those initials
        (for :func:`~pipeline.align.cluster.initials_evidence`)."""
        expansions: dict[tuple, set[str]] = defaultdict(set)
        if not keys:
            return {}, expansions
        con = self.corpus.con
        with registered(con, _k=strings("k", keys)):
            hits = self.groups.where("gid like 'L:%' and list_has_any(alias_keys, (select list(k) from _k))",
                                     via={"alias": keys}).select(["gid", "alias_keys", "cluster"]).to_pylist()
        clusters = {r["cluster"] for r in hits}
        ctx: dict[str, set[str]] = defaultdict(set)
        if clusters:
            with registered(con, _c=strings("c", clusters)):
                # (only the columns read: a group's context and alias lists are most of its row)
                found = self.groups.where("cluster in (select c from _c)", via={"cluster": clusters})
                for cluster, keys_of in zip(found.column("cluster").to_pylist(), found.column("ctx_keys").to_pylist()):
                    ctx[cluster].update(keys_of)
        out: dict[str, dict[str, set[str]]] = defaultdict(dict)
        for r in hits:
            for a in set(r["alias_keys"]) & keys:
                out[a][r["cluster"]] = ctx[r["cluster"]]
                if a.startswith(G.INITIALS):
                    expansions[(a, r["cluster"])].add(G.parse_group_id(r["gid"])[3])
        return out, expansions

    def _member(self, r: dict, gid: str | None = None, target: str | None = None) -> dict:
        return {"doc_id": r["doc_id"], "chain": r["chain"], "gid": gid, "target": target,
                "label": r["_label_new"], "entity_id": r.get("_entity")}

    # entities and mention rows ----------------------------------------------------------------------

    def _finish(self, gone: list[tuple]) -> dict:
        members = self.members
        if gone:
            members.delete(pa.table({"doc_id": [d for d, _ in gone], "chain": pa.array([c for _, c in gone], pa.int32())}))
        members.put(pa.Table.from_pylist(list(self.placement.values()), schema=SCHEMAS_STATE["_members"]))
        members.flush()
        moves = self._moves_by_cluster()
        clusters = sorted(c for c in self.touched | set(moves) if c)
        stored = {r["cluster"]: r for r in
                  self.index.keyed["_entities"].get(pa.table({"cluster": pa.array(clusters, pa.string())})).to_pylist()}
        # An entity whose groups did not change is updated by the chains that left and joined it;
        # one whose groups changed (a merge, a split) is rebuilt from its members.
        clusters = sorted(set(clusters) | set(moves))
        rebuilt = sorted(c for c in clusters if c in self.structural or
                         (c not in stored and any(sign < 0 for sign, _, _ in moves.get(c, ()))))
        entities: dict[str, Entity] = {}
        aggs: dict[str, Aggregate] = {}
        to_rebuild = set(rebuilt)
        for c in clusters:
            if c in to_rebuild:
                continue
            agg = Aggregate.of(stored.get(c))
            for sign, row, label in moves.get(c, ()):
                agg.add(row, label, sign)
            if agg.n_mentions > 0:
                aggs[c] = agg
                entities[c] = agg.entity(stored[c]["entity_id"] if c in stored else None)
        built, chains_of = self._rebuild(rebuilt)
        for c, (entity, agg) in built.items():
            entities[c], aggs[c] = entity, agg
        previous = self._previous_ids(moves) if self.realign else None
        redirects = self._assign_ids(rebuilt, entities, chains_of, stored, previous)
        relabel = [c for c in entities if c in stored and c not in chains_of and
                   (entities[c].label != stored[c]["label"] or entities[c].entity_id != stored[c]["entity_id"])]
        if relabel:  # every document of the entity shows its new label or id
            _, more = self._rebuild(relabel)
            chains_of.update(more)
        self._write_entities(clusters, entities, aggs, stored)
        docs = self._patch_members_and_mentions(entities, chains_of)
        if redirects:
            self.corpus.commit.write("entity_redirects", to_table("entity_redirects", redirects))
        return {"clusters_changed": len(entities), "clusters_rebuilt": len(rebuilt), "relinked": docs}

    def _moves_by_cluster(self) -> dict[str, list[tuple[int, dict, str]]]:
        final = self._clusters_of_gids({g for g, _, _ in self.joining})
        out: dict[str, list] = defaultdict(list)
        for cluster, row, label in self.leaving:
            out[cluster].append((-1, row, label))
        for gid, row, label in self.joining:
            cluster = final.get(gid)
            if cluster:
                out[cluster].append((1, row, label))
                self.touched.add(cluster)
        return out

    def _cluster_members(self, clusters: list[str]) -> dict[str, list[dict]]:
        """The member rows of these clusters (through their groups, and shorts attached to them)."""
        if not clusters:
            return {}
        con = self.corpus.con
        with registered(con, _c=strings("c", clusters)):
            found = self.groups.where("cluster in (select c from _c)", via={"cluster": clusters})
            gid_cluster = dict(zip(found.column("gid").to_pylist(), found.column("cluster").to_pylist()))
        if not gid_cluster:
            return {}
        with registered(con, _g=strings("g", gid_cluster)):
            rows = self.members.where("gid in (select g from _g) or target in (select g from _g)",
                                     via={"gid": gid_cluster, "target": gid_cluster}).to_pylist()
        out: dict[str, list[dict]] = defaultdict(list)
        for m in rows:
            out[gid_cluster[m["gid"] or m["target"]]].append(m)
        return out

    def _rebuild(self, clusters: list[str]) -> tuple[dict[str, tuple[Entity, Aggregate]], dict[str, list[dict]]]:
        """Entities built from all their members (their chain rows read back)."""
        by_cluster = self._cluster_members(clusters)
        wanted = {(m["doc_id"], m["chain"]) for ms in by_cluster.values() for m in ms}
        chain_rows = {(r["doc_id"], r["chain"]): r for r in _chain_rows(self.index, wanted, AGGREGATE_COLUMNS)}
        built, chains_of = {}, {}
        for cluster, ms in by_cluster.items():
            agg = Aggregate.of(None)
            kept = []
            for m in ms:
                row = chain_rows.get((m["doc_id"], m["chain"]))
                if row is not None:
                    agg.add(row, m["label"], 1)
                    kept.append(m)
            if agg.n_mentions:
                built[cluster] = (agg.entity(None), agg)
                chains_of[cluster] = kept
        return built, chains_of

    def _previous_ids(self, moves: dict[str, list[tuple[int, dict, str]]]) -> dict[str, Counter]:
        """For a re-alignment: old entity id -> cluster -> documents, from the last snapshot's mentions.

        A re-alignment rebuilds every entity from nothing; without this, every id an analyst kept
        would change. With it, an entity keeps the id most of its documents' mentions had, by the
        same rule as an incremental merge, and ids that disappear get redirects.
        """
        base = self.corpus.base
        files = base.files("mentions") if base is not None else []
        first = {}  # a chain's first mention -> (cluster, doc_id)
        for cluster, rows in moves.items():
            for sign, row, _ in rows:
                if sign > 0 and row.get("first_mention"):
                    first[row["first_mention"]] = (cluster, row["doc_id"])
        votes: dict[str, Counter] = defaultdict(Counter)
        if not files or not first:
            return votes
        con = self.corpus.con
        chains = pa.table({"m": list(first), "cluster": [c for c, _ in first.values()],
                           "doc_id": [d for _, d in first.values()]})
        with registered(con, _m=chains):  # documents per (old id, cluster), counted where the rows are
            counted = con.execute(
                f"select x.entity_id, m.cluster, count(distinct m.doc_id) from read_parquet({_file_list(files)}) x "
                "join _m m on x.mention_id = m.m where x.entity_id is not null group by all").fetchall()
        for eid, cluster, n in counted:
            votes[eid][cluster] = n
        return votes

    def _assign_ids(self, rebuilt: list[str], entities: dict[str, Entity], chains_of: dict[str, list[dict]],
                    stored: dict[str, dict], previous: dict[str, Counter] | None = None) -> list[RedirectRow]:
        """Ids for rebuilt and new entities: the id most of their documents had, else a new one.

        An entity updated in place keeps its id. Ids that stop existing become redirects.
        ``previous`` (a re-alignment) gives the documents each id had in the last snapshot.
        """
        rebuilt = set(rebuilt)
        old_ids = {stored[c]["entity_id"] for c in rebuilt | (set(stored) - set(entities)) if c in stored}
        docs_of_old: dict[str, Counter] = defaultdict(Counter, previous or {})  # old id -> cluster -> documents
        for cluster, ms in chains_of.items():
            seen = set()
            for m in ms:
                if m.get("entity_id") and (m["entity_id"], m["doc_id"]) not in seen:
                    seen.add((m["entity_id"], m["doc_id"]))
                    docs_of_old[m["entity_id"]][cluster] += 1
        kept = {e.entity_id for c, e in entities.items() if c not in rebuilt and c in stored}
        votes_of: dict[str, dict[str, int]] = defaultdict(dict)  # cluster -> old id -> documents
        for eid, cs in docs_of_old.items():
            for cluster, n in cs.items():
                votes_of[cluster][eid] = n
        claimed: dict[str, str] = {}
        order = sorted((c for c in entities if c in rebuilt or c not in stored), key=lambda c: (-entities[c].n_docs, c))
        for cluster in order:
            for eid, _ in sorted(votes_of.get(cluster, {}).items(), key=lambda kv: (-kv[1], kv[0])):
                if eid not in claimed and eid not in kept:
                    claimed[eid] = cluster
                    entities[cluster].entity_id = eid
                    break
        taken = set(claimed) | kept
        claimed_clusters = set(claimed.values())
        fresh = [c for c in order if c not in claimed_clusters]
        existing = self._live_ids({entities[c].entity_id for c in fresh}) - old_ids
        for cluster in fresh:
            e = entities[cluster]
            eid = e.entity_id
            if eid in taken or eid in existing:
                eid = entity_id_for("split", f"{eid}|{e.doc_ids[0]}")
            e.entity_id = eid
            taken.add(eid)
        if self.realign and previous is None:
            return []
        redirects = []
        new_of_cluster = {c: e.entity_id for c, e in entities.items()}
        for old in sorted(old_ids | set(docs_of_old)):
            if old in taken:
                continue
            holders = docs_of_old.get(old)
            if not holders:
                redirects.append(RedirectRow(old, None, self.now, "deleted"))
                continue
            cluster = max(holders.items(), key=lambda kv: (kv[1], kv[0]))[0]
            new = new_of_cluster.get(cluster)
            if new is None:
                continue
            reason = "merge" if new in claimed or new in kept else ("split" if len(holders) > 1 else "rename")
            redirects.append(RedirectRow(old, new, self.now, reason))
        return redirects

    def _live_ids(self, ids: set[str]) -> set[str]:
        if not ids:
            return set()
        return {r["entity_id"] for r in self._entities_by_id(ids)}

    def _write_entities(self, clusters: list[str], entities: dict[str, Entity], aggs: dict[str, Aggregate],
                        stored: dict[str, dict]) -> None:
        """The index's entity rows, and the public table's: only the rows of these clusters are rewritten."""
        table = self.index.keyed["_entities"]
        gone = [c for c in clusters if c not in entities]
        if gone:
            table.delete(pa.table({"cluster": pa.array(gone, pa.string())}))
        rows = [{"cluster": c, **e.__dict__, **aggs[c].columns()} for c, e in entities.items()]
        table.put(pa.Table.from_pylist(rows, schema=SCHEMAS_STATE["_entities"]))
        table.flush()
        public = DocTable(self.corpus.commit, "entities", SCHEMAS["entities"], self.corpus.con, key="entity_id")
        old_ids = {stored[c]["entity_id"] for c in clusters if c in stored}
        public.remove_docs(old_ids | {e.entity_id for e in entities.values()})
        fresh = sorted(entities.values(), key=lambda e: (-e.n_mentions, e.entity_id))
        public.add(to_table("entities", fresh))

    def _patch_members_and_mentions(self, entities: dict[str, Entity], chains_of: dict[str, list[dict]]) -> set[str]:
        """Members get their entity's id; the mention rows of documents where an entity or label changed are rewritten."""
        fix: dict[tuple, tuple[str, str]] = {}
        changed_docs = set(self.processed)
        updates = []
        entity_of_cluster = {c: (e.entity_id, e.label) for c, e in entities.items()}
        final = self._clusters_of_gids({m["gid"] or m["target"] for m in self.placement.values()})
        for key, m in self.placement.items():  # chains that moved: their documents show their new entity
            cluster = final.get(m["gid"] or m["target"])
            if cluster in entity_of_cluster:
                eid, label = entity_of_cluster[cluster]
                fix[key] = (eid, label)
                changed_docs.add(m["doc_id"])
                if m.get("entity_id") != eid:
                    m["entity_id"] = eid  # (the linker's own row: changed in place, not copied)
                    updates.append(m)
        for cluster, ms in chains_of.items():
            eid, label = entity_of_cluster[cluster]
            for m in ms:
                key = (m["doc_id"], m["chain"])
                if key in fix:
                    continue
                if m.get("entity_id") != eid or m.get("label") != label:
                    changed_docs.add(m["doc_id"])
                if m.get("entity_id") != eid:
                    m["entity_id"] = eid
                    updates.append(m)
                fix[key] = (eid, label)
        if updates:
            members = self.members
            members.put(pa.Table.from_pylist(updates, schema=SCHEMAS_STATE["_members"]))
            members.flush()
        if not changed_docs:
            return set()
        ids = sorted(changed_docs)
        # Column by column, not row dicts: on a re-alignment this is every chain and every mention of
        # the corpus (as dicts, 1.8 GB of the flow's peak at 100k documents).
        chains = self.index.per_doc["_chains"].read_docs(ids, ["doc_id", "chain", "mention_ids"])
        fixed = pa.table({"doc_id": pa.array([d for d, _ in fix], pa.string()),
                          "chain": pa.array([c for _, c in fix], pa.int32()),
                          "entity_id": pa.array([e for e, _ in fix.values()], pa.string()),
                          "label": pa.array([lab for _, lab in fix.values()], pa.string())})
        need = chains.select(["doc_id", "chain"]).join(fixed, ["doc_id", "chain"], join_type="left anti", use_threads=False)
        if need.num_rows:  # chains of these documents whose entity did not change: as they are
            kept = self.members.get(need).select(["doc_id", "chain", "entity_id"])
            kept = kept.append_column("label", pa.nulls(kept.num_rows, pa.string()))
            fixed = pa.concat_tables([fixed, kept.cast(fixed.schema)])
        by_mention = _by_mention(chains, fixed)
        mentions = self.corpus.mentions
        # First only the columns the patch changes; the whole rows of the documents it rewrites are
        # read after. At 100k documents an add-6000 rewrites 10,044 of the 12,102 documents it looks
        # at, so the rows are read nearly twice, but never held twice: the run's peak is ~200 MB lower.
        rows = self._current_mention_rows(ids, _PATCHED)
        found = _in_order(rows.select(["mention_id"]), by_mention, "mention_id")
        entity_ids, own_labels = found.column("entity_id").combine_chunks(), found.column("label").combine_chunks()
        wanted = pc.unique(pc.filter(entity_ids, pc.and_(pc.is_null(own_labels), pc.is_valid(entity_ids))))
        labels = self._labels_of(set(wanted.to_pylist()))
        distinct = pc.unique(entity_ids)
        looked_up = pa.array([labels.get(e) for e in distinct.to_pylist()], pa.string())
        by_entity = pc.take(looked_up, pc.index_in(entity_ids, value_set=distinct))
        new_labels = pc.coalesce(own_labels, by_entity)
        patched = rows.set_column(rows.schema.get_field_index("entity_id"), "entity_id", entity_ids)
        label_at = rows.schema.get_field_index("label")
        patched = patched.set_column(label_at, "label", pc.coalesce(new_labels, rows.column("label").combine_chunks()))
        ids, patched = _changed_docs(rows, patched, self.processed)
        if not ids:
            return set()
        docs = patched.column("doc_id")
        per_doc = dict(zip(*(c.to_pylist() for c in pc.value_counts(docs).flatten())))

        def rows_of(window: list[str]) -> pa.Table:
            """The window's rows, every column, as the patch leaves them (the same rows in the same
            order as the first read), sorted by document then span, stably (key, then file order)."""
            rows = self._current_mention_rows(window)
            mine = patched.filter(pc.is_in(docs, value_set=pa.array(window, pa.string())))
            if not rows.column("mention_id").equals(mine.column("mention_id")):
                raise RuntimeError("the mention rows read twice for the patch differ")
            for name in ("entity_id", "label"):
                rows = rows.set_column(rows.schema.get_field_index(name), name, mine.column(name))
            return rows.sort_by([("doc_id", "ascending"), ("start_char", "ascending"), ("end_char", "ascending")])

        mentions.rewrite_docs(ids, rows_of, per_doc)
        return set(ids)

    def _current_mention_rows(self, ids: list[str], columns: list[str] | None = None) -> pa.Table:
        """The mention rows of these documents as this run leaves them before patching: a document
        processed this run from the files this run wrote (one swept again still has its old rows in
        an older file), any other from the files holding it."""
        mentions = self.corpus.mentions
        files = mentions.files()
        fresh_names = self.index.fresh_mention_files - {None}
        if not fresh_names <= {f.name for f in files}:
            raise RuntimeError("a mentions file written by this run's per-document step was rewritten before the patch")
        fresh = [f for f in files if f.name in fresh_names]
        older = [f for f in files if f.name not in fresh_names]
        con = self.corpus.con
        new_ids = [i for i in ids if i in self.processed]
        old_ids = [i for i in ids if i not in self.processed]
        return pa.concat_tables([read_docs(con, fresh, mentions.schema, new_ids, columns),
                                 read_docs(con, older, mentions.schema, old_ids, columns)])

    def _labels_of(self, entity_ids: set[str]) -> dict[str, str]:
        if not entity_ids:
            return {}
        return {r["entity_id"]: r["label"] for r in self._entities_by_id(entity_ids)}

    def _entities_by_id(self, ids: set[str]) -> list[dict]:
        """The index's entity rows with these public ids (joined, not pasted into the query's text:
        an add-6000 at 100k asks for thousands)."""
        with registered(self.corpus.con, _ids=strings("i", ids)):
            return self.index.keyed["_entities"].where("entity_id in (select i from _ids)", via={"entity_id": ids}).to_pylist()


# The columns of a mention row the patch reads first (:meth:`Linker._patch_members_and_mentions`).
_PATCHED = ["doc_id", "mention_id", "entity_id", "label"]


def _by_mention(chains: pa.Table, fixed: pa.Table) -> pa.Table:
    """Each mention of these chains (``doc_id``, ``chain``, ``mention_ids``) with its chain's entity
    id and label in ``fixed`` (null where ``fixed`` has no row); a mention id listed twice keeps its
    last chain's, as a dict filled in chain order would."""
    ids = chains.column("mention_ids").combine_chunks()
    parents = pc.list_parent_indices(ids)
    exploded = pa.table({"mention_id": ids.flatten(), "doc_id": pc.take(chains.column("doc_id"), parents),
                         "chain": pc.take(chains.column("chain"), parents),
                         "_at": pa.array(range(len(parents)), pa.int64())})
    if pc.count_distinct(exploded.column("mention_id")).as_py() < exploded.num_rows:
        last = exploded.group_by("mention_id", use_threads=False).aggregate([("_at", "max")])
        exploded = exploded.take(last.column("_at_max"))
    joined = exploded.join(fixed, ["doc_id", "chain"], join_type="left outer", use_threads=False)  # (any order)
    return joined.select(["mention_id", "entity_id", "label"])


def _in_order(left: pa.Table, right: pa.Table, keys) -> pa.Table:
    """``left`` joined with ``right``'s other columns on ``keys``, in ``left``'s row order (a join
    does not keep it); ``right`` has at most one row per key, and a key it lacks gives nulls."""
    at = pa.array(range(left.num_rows), pa.int64())
    joined = left.append_column("_row", at).join(right, keys, join_type="left outer", use_threads=False)
    joined = joined.take(pc.sort_indices(joined.column("_row")))
    return joined.drop_columns(["_row"])


def _changed_docs(before: pa.Table, after: pa.Table, processed: set[str]) -> tuple[list[str], pa.Table]:
    """The documents whose mention rows the patch must write, and those rows: every document processed
    this run (its rows are new), and of the others only those whose rows' entity or label changed.

    A document left as it was is not rewritten: the files of old documents hold hundreds of thousands
    of rows each, and a chain that moved without changing entity (a short re-placed, a label
    re-voted to the same result) would otherwise rewrite every file it has a document in.
    """
    docs = after.column("doc_id")
    differs = pc.or_(pc.invert(_same(before.column("entity_id"), after.column("entity_id"))),
                     pc.invert(_same(before.column("label"), after.column("label"))))
    new = pc.is_in(docs, value_set=pa.array(sorted(processed), pa.string()))
    touched = pc.unique(pc.filter(docs, pc.or_(differs, new))).to_pylist()
    keep = pc.is_in(docs, value_set=pa.array(touched, pa.string()))
    return sorted(touched), after.filter(keep)


def _same(a, b):
    """Elementwise equality where two nulls are the same."""
    return pc.fill_null(pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b))), False)


AGGREGATE_COLUMNS = ["doc_id", "chain", "head_key", "character", "texts", "place"]
# What a short chain already placed needs to be placed again (Linker._place_shorts) and to move (Aggregate.add).
REVIEW_COLUMNS = AGGREGATE_COLUMNS + ["context"]


@dataclass
class Aggregate:
    """What an entity row is computed from, kept so that chains can be added and taken away."""

    labels: Counter = field(default_factory=Counter)  # label -> mentions
    keys: Counter = field(default_factory=Counter)  # head name key -> chains (documents: one chain per name a document)
    surfaces: Counter = field(default_factory=Counter)  # text as written -> mentions
    surface_docs: Counter = field(default_factory=Counter)  # text -> chains writing it
    docs: Counter = field(default_factory=Counter)  # doc_id -> chains
    characters: int = 0  # chains that are film roles
    places: Counter = field(default_factory=Counter)  # place reading -> chains (pipeline.align.places.vote)

    @property
    def n_mentions(self) -> int:
        return sum(self.surfaces.values())

    @classmethod
    def of(cls, row: dict | None) -> Aggregate:
        if row is None:
            return cls()
        pair = lambda a, b: Counter(dict(zip(row[a] or [], row[b] or [])))  # noqa: E731
        return cls(pair("agg_labels", "agg_label_n"), pair("agg_keys", "agg_key_n"), pair("agg_surfaces", "agg_surface_n"),
                   pair("agg_surfaces", "agg_surface_docs"), pair("agg_docs", "agg_doc_n"), row["agg_characters"] or 0,
                   pair("agg_places", "agg_place_n"))

    def add(self, chain: dict, label: str, sign: int) -> None:
        texts = chain["texts"]
        self.labels[label] += sign * len(texts)
        self.keys[chain["head_key"]] += sign
        for t in texts:
            self.surfaces[t] += sign
        for t in set(texts):
            self.surface_docs[t] += sign
        self.docs[chain["doc_id"]] += sign
        self.characters += sign * bool(chain["character"])
        place = chain.get("place")
        if place:
            self.places[place] += sign
        if sign < 0:  # what dropped to zero goes (only the keys this chain touched can have)
            for counter, keys in ((self.labels, (label,)), (self.keys, (chain["head_key"],)), (self.surfaces, texts),
                                  (self.surface_docs, texts), (self.docs, (chain["doc_id"],)),
                                  (self.places, (place,) if place else ())):
                for k in keys:
                    if counter.get(k, 1) <= 0:
                        del counter[k]

    def entity(self, entity_id: str | None) -> Entity:
        """:func:`pipeline.align.entities.make_entity` from the counts."""
        label = majority(self.labels)
        key = max(self.keys, key=lambda k: (self.keys[k], len(k.split()), k))
        doc_ids = sorted(self.docs)
        name = canonical_name_from(self.surfaces, self.surface_docs, label)
        found = vote(self.places, name) if label in PLACE_LABELS else None
        return Entity(
            entity_id=entity_id or entity_id_for(("character:" if self.characters else "") + label_class(label), key),
            name=name,
            label=label,
            aliases=sorted(self.surfaces),
            n_mentions=self.n_mentions,
            n_docs=len(doc_ids),
            doc_ids=doc_ids,
            **(asdict(found) if found else {}),
        )

    def columns(self) -> dict:
        surfaces = sorted(self.surfaces)
        return {"agg_labels": list(self.labels), "agg_label_n": list(self.labels.values()),
                "agg_keys": list(self.keys), "agg_key_n": list(self.keys.values()),
                "agg_surfaces": surfaces, "agg_surface_n": [self.surfaces[t] for t in surfaces],
                "agg_surface_docs": [self.surface_docs[t] for t in surfaces],
                "agg_docs": list(self.docs), "agg_doc_n": list(self.docs.values()), "agg_characters": self.characters,
                "agg_places": list(self.places), "agg_place_n": list(self.places.values())}

"""The dataset as one run sees and changes it: the last snapshot, plus this run's commit.

A run asks three questions of it, each answered without reading what did not change:

1. which sources changed? (:meth:`Corpus.plan_sources`: file stats against the source manifest;
   an unchanged file is not opened, a changed jsonl is the only file re-read);
2. which of the documents read are new or different? (:meth:`Corpus.triage`: each document's
   extraction key against the stored one);
3. what replaces them? (:meth:`Corpus.add_extracted`, :meth:`Corpus.stage_rows`: their rows
   in every per-document table, in files of their own).

:meth:`Corpus.publish` commits the lot as one snapshot (:mod:`pipeline.output.store`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import os
import secrets
import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.ingest import SourceStat
from pipeline.output import store
from pipeline.output.fingerprint import document_key, extraction_version
from pipeline.output.tables import DocTable, KeyedTable, connect, read_docs
from pipeline.refusals import output_failed
from pipeline.schema import SCHEMAS, STATE_SCHEMAS, TABLES, Document, ErrorRow, to_table
from pipeline.spans import NlpResult, Span

if TYPE_CHECKING:  # extraction's code is imported only by runs that extract
    from pipeline.extract import ExtractedDocument

# Per-document tables: a document's rows in each of them are replaced together.
DOC_TABLES = ("documents", "dates", "money", "sentences", "_model_mentions", "_nlp")
SPOOL = "spool"
# The manifest's sha256 of a source that is not a readable file (a pipe, a dangling link, a link out
# of raw/, ...): such a source is looked at again every run (it costs a stat, nothing is opened) and
# its error row goes with it when it leaves raw/.
UNREADABLE = ""


@dataclass
class SourcePlan:
    """What this run must read, and what it must forget."""

    to_read: list[tuple[Path, SourceStat]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # source paths gone from raw/
    unchanged: int = 0

    @property
    def bytes_to_read(self) -> int:
        return sum(st.size for _, st in self.to_read)


@dataclass
class _Triage:
    """A source being triaged part by part (:meth:`Corpus.triage`)."""

    stored: dict[str, dict]  # its documents as the last run left them
    seen: set[str] = field(default_factory=set)  # doc_ids read from it so far
    read_errors: list[ErrorRow] = field(default_factory=list)  # reading's error rows
    own_errors: list[ErrorRow] = field(default_factory=list)  # triage's (duplicates)


class Corpus:
    """One run's view of ``out_dir``: read the base snapshot, stage changes, publish them."""

    def __init__(self, out_dir: Path, reuse: bool = True):
        self.root = Path(out_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        store.recover(self.root)
        self.base = store.current(self.root)
        self.commit = store.Commit(self.root, self.base)
        self.con = connect()
        self.version = extraction_version()
        # A new extraction version (code, rules, model) invalidates every document's rows.
        self.stale = not reuse or self.base is None or self.base.info.get("extraction_version") != self.version
        schemas = {**SCHEMAS, **STATE_SCHEMAS}
        self.doc_tables = {name: DocTable(self.commit, name, schemas[name], self.con) for name in DOC_TABLES}
        self.mentions = DocTable(self.commit, "mentions", SCHEMAS["mentions"], self.con)
        self.sources = KeyedTable(self.commit, "_sources", STATE_SCHEMAS["_sources"], ["source_path"], self.con)
        self.docs = KeyedTable(self.commit, "_docs", STATE_SCHEMAS["_docs"], ["doc_id"], self.con)
        self.errors: list[ErrorRow] = []
        self._reread: set[str] = set()  # source paths whose error rows this run replaces
        self._moving: set[str] = set()  # sources re-read or gone: a doc_id may move between them
        self.removed_docs: set[str] = set()
        self.added_docs: set[str] = set()
        self.extracted: dict[str, str] = {}  # doc_id -> key of every document (re-)extracted this run
        self.spool = Spool(self.root / store.LAKE / SPOOL)
        self.resumed = 0
        self.text_reused = 0  # documents whose rows were made from the model's output for the same text
        self._run_texts: dict[str, Path] = {}  # content_sha256 -> spooled batch holding its model output
        self._base_errors: dict[str, list[tuple]] | None = None  # source_path -> its rows in the base snapshot
        self._known_sources: set[str] | None = None  # sources the manifest holds (None: not planned yet)
        self._triaging: dict[str, _Triage] = {}  # sources being triaged part by part

    # -- 1. sources --------------------------------------------------------------------------

    def plan_sources(self, stats: list[tuple[Path, SourceStat]]) -> SourcePlan:
        """Sources whose stat differs from the manifest (all of them when the rows are stale)."""
        plan = SourcePlan()
        known = {r["source_path"]: r for r in self.sources.all().to_pylist()} if not self.stale else {}
        seen = set()
        for path, st in stats:
            seen.add(st.source_path)
            old = known.get(st.source_path)
            if old and old["sha256"] != UNREADABLE and (old["size"], old["mtime_ns"], old["inode"], old["sidecar"]) == \
                    (st.size, st.mtime_ns, st.inode, st.sidecar):
                plan.unchanged += 1
            else:
                plan.to_read.append((path, st))
        stored = known if not self.stale else {r["source_path"] for r in self.sources.all().to_pylist()}
        self._known_sources = set(stored)
        plan.removed = sorted(set(stored) - seen)
        self._moving = {st.source_path for _, st in plan.to_read} | set(plan.removed)
        return plan

    def same_content(self, st: SourceStat, sha256: str) -> bool:
        """A source whose bytes did not change (touched, copied back): nothing to re-read."""
        return sha256 != UNREADABLE and sha256 == self.stored_sha256(st.source_path)

    def stored_sha256(self, source_path: str) -> str | None:
        """The content hash the manifest holds for a source whose rows can be kept (None: none)."""
        if self.stale:
            return None
        old = self.sources.get(pa.table({"source_path": [source_path]})).to_pylist()
        return old[0]["sha256"] if old else None

    def record_source(self, st: SourceStat, sha256: str, n_docs: int) -> None:
        self.sources.put(pa.Table.from_pylist([{**st.__dict__, "sha256": sha256, "n_docs": n_docs}],
                                              schema=STATE_SCHEMAS["_sources"]))

    def unchanged_refusal(self, source_path: str, documents: list[Document], errors: list[ErrorRow]) -> bool:
        """A source that was and still is :data:`UNREADABLE`, for the same reasons: nothing changes
        (a pipe in raw/ must not make every run publish a new snapshot)."""
        if documents or self.stale or self.base is None:
            return False
        old = self.sources.get(pa.table({"source_path": [source_path]})).to_pylist()
        if not old or old[0]["sha256"] != UNREADABLE:
            return False
        if self._base_errors is None:
            rows = self.base.read("errors", schema=SCHEMAS["errors"]).to_pylist()
            self._base_errors = {}
            for r in rows:
                self._base_errors.setdefault(r["source_path"], []).append((r["doc_id"] or "", r["stage"], r["reason"]))
        now = sorted((e.doc_id or "", e.stage, e.reason) for e in errors)
        return sorted(self._base_errors.get(source_path, [])) == now

    def keep_source(self, source_path: str) -> int:
        """A source re-stated but not changed: its documents stay as they are; returns how many."""
        old = self.sources.get(pa.table({"source_path": [source_path]})).to_pylist()
        kept = self.docs.where(f"source_path = {_sql_str(source_path)}").column("doc_id").to_pylist()
        self.added_docs.update(kept)
        return old[0]["n_docs"] if old else len(kept)

    def forget_sources(self, source_paths: list[str]) -> None:
        """Sources gone from raw/: their documents go too."""
        if not source_paths:
            return
        self.sources.delete(pa.table({"source_path": pa.array(source_paths, pa.string())}))
        self._reread.update(source_paths)
        gone = self.docs.where("source_path in (" + ", ".join(_sql_str(p) for p in source_paths) + ")")
        self.removed_docs.update(gone.column("doc_id").to_pylist())

    # -- 2. documents --------------------------------------------------------------------------

    def triage(self, source_path: str, documents: list[Document], errors: list[ErrorRow],
               more: bool = False) -> list[tuple[Document, str]]:
        """The documents of a re-read source that need extraction, with their keys.

        A document whose key is stored is reused as it is; documents the source no longer holds
        are removed; a doc_id already read from another source is a duplicate error row. A source
        read in parts (:func:`pipeline.ingest.read_source_parts`) is triaged part by part with
        ``more=True``, then ended with :meth:`end_source`.
        """
        if source_path not in self._triaging:
            self._reread.add(source_path)
            self._triaging[source_path] = _Triage(self._stored_docs(source_path))
        state = self._triaging[source_path]
        stored = state.stored
        state.read_errors.extend(errors)
        ids = [d.doc_id for d in documents]
        state.seen.update(ids)
        elsewhere = {r["doc_id"]: r["source_path"] for r in
                     self.docs.get(pa.table({"doc_id": pa.array(ids, pa.string())})).to_pylist()
                     if r["source_path"] != source_path}
        todo = []
        for doc in documents:
            other = elsewhere.get(doc.doc_id)
            if other is not None and other not in self._moving:
                state.own_errors.append(ErrorRow(source_path, doc.doc_id, "ingest",
                                                 f"duplicate doc_id {doc.doc_id!r}: already read from {other}; this copy is skipped"))
                continue
            if doc.doc_id in self.added_docs:
                state.own_errors.append(ErrorRow(source_path, doc.doc_id, "ingest",
                                                 f"duplicate doc_id {doc.doc_id!r}: already read in this run; this copy is skipped"))
                continue
            key = document_key(doc, self.version)
            old = stored.get(doc.doc_id)
            self.added_docs.add(doc.doc_id)
            if old is not None and old["key"] == key and not self.stale:
                continue
            if not self.take_spooled(doc, key):
                todo.append((doc, key))
        if not more:
            self.end_source(source_path)
        return todo

    def end_source(self, source_path: str) -> None:
        """The source has been triaged whole: the documents it no longer holds are removed, and its
        error rows join the run's (those of reading it first, as a whole read gives them)."""
        state = self._triaging.pop(source_path, None) or _Triage({})
        self.removed_docs.update(set(state.stored) - state.seen)
        self.errors.extend(state.read_errors + state.own_errors)

    def _stored_docs(self, source_path: str) -> dict[str, dict]:
        """The stored documents of a source (a source new to the manifest has none: not looked up,
        which would scan the document index once for each new file)."""
        if self._known_sources is not None and source_path not in self._known_sources:
            return {}
        return {r["doc_id"]: r for r in self.docs.where(f"source_path = {_sql_str(source_path)}").to_pylist()}

    # -- 3. rows ----------------------------------------------------------------------------------

    def add_extracted(self, results: list[ExtractedDocument], keys: dict[str, str]) -> None:
        """A batch of extracted documents, spooled at once: a run killed later resumes from it."""
        if not results:
            return
        from pipeline.extract.sentences import sentence_rows

        tables = {
            "documents": to_table("documents", [r.document for r in results]),
            "dates": to_table("dates", [x for r in results for x in r.extraction.dates]),
            "money": to_table("money", [x for r in results for x in r.extraction.money]),
            "sentences": to_table("sentences", [row for r in results for row in
                                                sentence_rows(r.document.doc_id, r.document.text, r.extraction.sentences)]),
            "_model_mentions": to_table("mentions", [m for r in results for m in r.extraction.mentions]),
            "_nlp": nlp_table([r for r in results if r.nlp is not None]),
            "_keys": pa.table({"doc_id": [r.document.doc_id for r in results],
                               "key": [keys[r.document.doc_id] for r in results],
                               "source_path": [r.document.source_path for r in results]}),
        }
        batch = self.spool.put(tables)
        for r in results:
            self.extracted[r.document.doc_id] = keys[r.document.doc_id]
            if r.nlp is not None:
                self._run_texts.setdefault(r.document.content_sha256, batch)

    # -- identical texts ---------------------------------------------------------------------------

    def known_texts(self, docs: list[Document]) -> dict[str, NlpResult]:
        """The model's output for the texts of ``docs`` that it has read: content_sha256 -> output."""
        wanted = {d.content_sha256 for d in docs}
        found: dict[str, NlpResult] = {}
        by_batch: dict[Path, set[str]] = {}
        for sha in wanted:
            if sha in self._run_texts:
                by_batch.setdefault(self._run_texts[sha], set()).add(sha)
        for batch, shas in by_batch.items():
            t = pq.read_table(batch / "_nlp.parquet")
            found.update(nlp_results(t.filter(pc.is_in(t.column("content_sha256"), value_set=pa.array(sorted(shas))))))
        rest = wanted - set(found)
        if rest and not self.stale:  # the base's output is of this extraction version (same model)
            table = self.doc_tables["_nlp"]
            found.update(nlp_results(read_docs(self.con, table.files(), table.schema, rest, key="content_sha256")))
        return found

    def take_spooled(self, doc: Document, key: str) -> bool:
        """A document a killed run extracted already (same key): its spooled rows are used as they are."""
        if self.spool.resumable.get(doc.doc_id) == key:
            self.extracted[doc.doc_id] = key
            self.resumed += 1
            return True
        return False

    def stage_rows(self) -> None:
        """Every extracted document's rows into the commit, replacing the rows it had."""
        gone = (self.removed_docs - self.added_docs) | (set(self.extracted) & self._stored_ids(list(self.extracted)))
        if gone:
            for table in self.doc_tables.values():
                table.remove_docs(gone)
        stored_gone = self.removed_docs - self.added_docs
        if stored_gone:
            self.docs.delete(pa.table({"doc_id": pa.array(sorted(stored_gone), pa.string())}))
        for batch in self.spool.batches(set(self.extracted), self.extracted):
            for name, data in batch.items():
                if name == "_keys":
                    self.docs.put(data.select(["doc_id", "source_path", "key"]).cast(STATE_SCHEMAS["_docs"]))
                else:
                    self.doc_tables[name].add(data)

    def _stored_ids(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self.docs.get(pa.table({"doc_id": pa.array(ids, pa.string())})).column("doc_id").to_pylist())

    def removed(self) -> set[str]:
        """Documents whose rows this run drops for good (their source, or the line in it, is gone)."""
        return self.removed_docs - self.added_docs

    # -- publishing ------------------------------------------------------------------------------

    def merged_errors(self) -> pa.Table:
        """The error rows of sources not re-read this run, and this run's."""
        old = self.base.read("errors", schema=SCHEMAS["errors"]) if self.base else SCHEMAS["errors"].empty_table()
        if self._reread and old.num_rows:
            old = old.filter(pc.invert(pc.is_in(old.column("source_path"), value_set=pa.array(sorted(self._reread)))))
        return pa.concat_tables([old, to_table("errors", self.errors)])

    def counts(self) -> dict[str, int]:
        return {name: sum(f.rows for f in self.commit.tables.get(name, [])) for name in TABLES}

    def changed(self) -> bool:
        return self.commit.changed() or bool(self.errors) or bool(self._reread) or \
            bool(self.sources._pending or self.docs._pending)

    def finalize(self) -> dict[str, int]:
        """Stage the last changes (state, error rows, empty tables); returns the row count of every table."""
        self.sources.flush()
        self.docs.flush()
        self.commit.replace("errors", self.merged_errors())
        for name in TABLES:  # every public table has at least an empty file with its columns
            if not self.commit.tables.get(name):
                self.commit.write(name, SCHEMAS[name].empty_table(), keep_empty=True)
        return self.counts()

    def publish(self, info: dict) -> store.Snapshot:
        snapshot = self.commit.commit({**info, "extraction_version": self.version}, public=TABLES)
        self.spool.clear()
        return snapshot

    def abort(self, keep_spool: bool = False) -> None:
        """A failed run leaves the disk as the last good run left it: no staged file, no spool.

        ``keep_spool``: an interrupted run (Ctrl-C) keeps the documents it extracted, as a killed
        one does, and the next run resumes from them.
        """
        self.commit.abort()
        if not keep_spool:
            self.spool.clear()


class Spool:
    """Extracted batches on disk before their commit, so that a killed run's NLP is not lost.

    One directory per batch, one parquet file per per-document table plus ``_keys`` (doc_id, key).
    A later run takes a spooled document when it needs that document with the same key.
    """

    def __init__(self, root: Path):
        self.root = root
        self.resumable: dict[str, str] = {}
        for keys in sorted(root.glob("*/_keys.parquet")) if root.is_dir() else ():
            try:
                t = pq.read_table(keys)
            except Exception:  # noqa: BLE001 - a batch cut short by the kill: not resumable
                shutil.rmtree(keys.parent, ignore_errors=True)
                continue
            self.resumable.update(zip(t.column("doc_id").to_pylist(), t.column("key").to_pylist()))

    def put(self, tables: dict[str, pa.Table]) -> Path:
        """One batch, whole or not at all (a failure to write, a full disk, leaves nothing of it); returns its directory."""
        tmp = self.root / f".{secrets.token_hex(6)}.tmp"
        try:
            tmp.mkdir(parents=True)
            for name, data in tables.items():
                pq.write_table(data, tmp / f"{name}.parquet", compression="zstd")
            os.replace(tmp, self.root / tmp.name[1:-4])  # whole batches only: a kill mid-write leaves a .tmp
            return self.root / tmp.name[1:-4]
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise output_failed(exc, f"write the documents extracted in {self.root}", self.root) from None

    def batches(self, wanted: set[str], keys: dict[str, str]):
        """Each spooled batch's tables, cut to the wanted documents with their wanted keys."""
        for batch in sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")) \
                if self.root.is_dir() else ():
            batch_keys = pq.read_table(batch / "_keys.parquet")
            ok = [d for d, k in zip(batch_keys.column("doc_id").to_pylist(), batch_keys.column("key").to_pylist())
                  if d in wanted and keys.get(d) == k]
            if not ok:
                continue
            wanted.difference_update(ok)  # a document spooled twice is taken once
            ids = pa.array(ok, pa.string())
            out = {}
            for path in sorted(batch.glob("*.parquet")):
                t = pq.read_table(path)
                out[path.stem] = t.filter(pc.is_in(t.column("doc_id"), value_set=ids))
            yield out

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def nlp_table(results: list[ExtractedDocument]) -> pa.Table:
    """The ``_nlp`` rows of extracted documents: the model's output, by document and text."""
    return pa.Table.from_pylist([
        {"doc_id": r.document.doc_id, "content_sha256": r.document.content_sha256,
         "ents": [{"start": e.start, "end": e.end, "label": e.label} for e in r.nlp.ents],
         "sentences": [{"start": a, "end": b} for a, b in r.nlp.sentences]}
        for r in results], schema=STATE_SCHEMAS["_nlp"])


def nlp_results(table: pa.Table) -> dict[str, NlpResult]:
    """``_nlp`` rows back to the model's output, by content_sha256 (copies of a text: any one of them)."""
    return {row["content_sha256"]: NlpResult([Span(e["start"], e["end"], e["label"]) for e in row["ents"]],
                                             [(x["start"], x["end"]) for x in row["sentences"]])
            for row in table.select(["content_sha256", "ents", "sentences"]).to_pylist()}

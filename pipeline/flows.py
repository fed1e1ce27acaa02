"""The flow: ``raw/`` in, the parquet dataset in ``processed/`` out, redoing only what changed.

    stat the sources against the manifest (unchanged files are not opened)
    -> read the changed ones -> triage: documents with a new extraction key
    -> per batch, sent as soon as it is full (here, on local workers or on Dask): spaCy NER + date
       and money rules; a text the model has read (a copy) gets the rules alone
    -> cross-document entity alignment (its per-document step on Dask too) -> conflicting figures
    -> one commit: every table's changes published at once

The whole run holds the output directory's lock (:mod:`pipeline.output.lock`); the tables and the
pipeline's own state are files of one snapshot (:mod:`pipeline.output.store`), read and changed
through :class:`pipeline.output.corpus.Corpus`.

Prefect tasks are whole stages or whole batches, never single documents: per-task overhead is
milliseconds, spaCy's per-document cost is too, so finer tasks would double the run time.
"""

from __future__ import annotations

from pipeline.settings import configure_prefect

configure_prefect()

import os  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path, PurePath  # noqa: E402
from typing import TYPE_CHECKING, Iterator  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from prefect import Flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from pipeline import ingest, settings  # noqa: E402
from pipeline.output.corpus import UNREADABLE, Corpus  # noqa: E402
from pipeline.output.lock import run_lock  # noqa: E402
from pipeline.refusals import BadArguments, OutputFailed, check_input_dir  # noqa: E402,F401 (check_input_dir: also public here)
from pipeline.schema import Document, ErrorRow  # noqa: E402
from pipeline.settings import PIPELINE_VERSION  # noqa: E402

if TYPE_CHECKING:
    from pipeline.extract import ExtractedDocument

# Imported where used: a run that extracts nothing (no change) needs neither the model's code nor
# alignment's (spaCy among them, ~2.5 s of imports), and the CLI starts the flow sooner without them.

BATCH_DOCS = 64
# Documents in flight at most (read, not yet extracted and spooled): memory holds these, not the corpus.
WINDOW_DOCS = 2_000
PROGRESS_MIN_DOCS = 10


@dataclass
class RunSummary:
    raw_dir: str
    out_dir: str
    counts: dict[str, int] = field(default_factory=dict)
    n_extracted: int = 0  # documents whose NLP was (re)done in this run
    n_same_text: int = 0  # of those, copies of a text the model had read: their rows made by the rules alone
    n_reused: int = 0  # documents whose rows were kept as they were
    n_resumed: int = 0  # documents a killed run had extracted: their rows taken from its spool
    n_removed: int = 0  # documents whose rows this run dropped
    sources_read: int = 0  # source files opened (unchanged ones are not)
    published: bool = False  # False: nothing changed, the last snapshot still stands
    version: str | None = None  # the snapshot the tables are in
    bytes_written: int = 0
    align_stats: dict = field(default_factory=dict)  # what linking cost: comparisons, new mentions, ...
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


# Inputs are large (whole corpora); Prefect must not hash them for cache keys.
stage = task(cache_policy=NONE, persist_result=False)

_PLAIN = (str, int, float, bool, type(None))


class _Flow(Flow):
    """A Prefect flow whose plain parameters (paths, numbers, flags: all this flow takes) are
    recorded as FastAPI's encoder would record them, without importing FastAPI: Prefect imports it
    for a flow run's first parameter, ~0.4 s of a small run (other values still go through it)."""

    def serialize_parameters(self, parameters: dict) -> dict:
        if all(type(v) in _PLAIN or isinstance(v, PurePath) for v in parameters.values()):
            return {k: str(v) if isinstance(v, PurePath) else v for k, v in parameters.items()}
        return super().serialize_parameters(parameters)


def flow(**options):
    """``prefect.flow`` with :class:`_Flow`."""
    return lambda fn: _Flow(fn=fn, **options)


@stage
def extract(batch: list[Document]) -> list[ExtractedDocument]:
    """One batch, in this process or on a Dask worker."""
    from pipeline.runtime import workers

    return workers.extract_documents(batch)


@stage
def extract_on_workers(batch: list[Document], n_workers: int) -> list[ExtractedDocument]:
    """One batch, handed to a warm local worker process (the task's thread just waits)."""
    from pipeline.runtime import workers

    return workers.submit(batch, n_workers).result()


@stage
def extract_copies(docs: list[Document], known: dict, errors: list[ErrorRow]) -> list[ExtractedDocument]:
    """Documents whose text the model has read: the rules alone, over that output, here.

    A copy whose first was not extracted after all (its batch failed) goes through the model."""
    from pipeline.extract import extract_with_known_text

    out = []
    for doc in docs:
        nlp = known.get(doc.content_sha256)
        if nlp is None:
            out.extend(_extract_safely(doc, errors))
            continue
        try:
            out.append(extract_with_known_text(doc, nlp))
        except Exception as exc:  # as in _extract_safely: one bad document costs only itself
            errors.append(ErrorRow(doc.source_path, doc.doc_id, "extract", f"{type(exc).__name__}: {exc}"))
    return out


@stage
def plan_sources(corpus: Corpus, raw_dir: Path, follow_symlinks: bool = False):
    """Which sources changed since the last run: file stats against the manifest, nothing opened."""
    return corpus.plan_sources(ingest.stat_sources(raw_dir, follow_symlinks))


@stage
def align_entities(corpus: Corpus, realign: bool, dask_address: str | None = None, processes: int = 1,
                   storage: str | None = None) -> dict:
    """Linking here; the per-document step on the Dask cluster's workers (their files through
    ``storage`` when given), or on ``processes`` local ones (pipeline.align.scatter)."""
    from pipeline import align

    return align.align_corpus(corpus, realign=realign, dask_address=dask_address, processes=processes,
                              storage=storage)


@stage
def flag_conflicts(corpus: Corpus, doc_ids: set[str]) -> int:
    from pipeline.analysis.update import update_conflicts

    return update_conflicts(corpus, doc_ids)


@stage
def publish(corpus: Corpus, info: dict):
    return corpus.publish(info)


@flow(name="extract-corpus", log_prints=False)
def extract_corpus(raw_dir: str | Path = "raw", out_dir: str | Path = "processed", *,
                   n_process: int = 1, batch_docs: int = BATCH_DOCS, progress: bool | None = None,
                   reuse: bool = True, realign: bool = False, dask_address: str | None = None,
                   lock_wait: float | None = None, follow_symlinks: bool = False) -> RunSummary:
    """Bring the tables in ``out_dir`` up to date with the sources under ``raw_dir``.

    Only sources whose stat changed are read, only documents whose extraction key changed (content,
    metadata, code, model) are extracted, in batches, here or on the Dask cluster at ``dask_address``
    (default: ``PIPELINE_DASK_ADDRESS``); the others keep their rows and ``extracted_at``. Alignment
    links what changed against the entity index; ``realign=True`` re-aligns the whole corpus.
    ``reuse=False`` re-extracts everything. One run at a time per ``out_dir``: another run's lock is
    waited for ``lock_wait`` seconds (default ``PIPELINE_LOCK_WAIT``). Symbolic links that lead out
    of ``raw_dir`` are error rows unless ``follow_symlinks``.

    A run that cannot go on raises a :class:`~pipeline.refusals.Refusal` (the input folder missing,
    the lock busy, the output unwritable) and leaves ``out_dir`` as the last good run left it.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    started = time.perf_counter()
    timer = _StageTimer()
    check_input_dir(raw_dir)
    try:
        config = settings.current()
    except ValueError as exc:  # a malformed PIPELINE_* variable
        raise BadArguments(str(exc)) from None
    dask_address = dask_address or config.dask_address
    summary = RunSummary(str(raw_dir), str(out_dir))

    with run_lock(out_dir, config.lock_wait if lock_wait is None else lock_wait):
        corpus = Corpus(out_dir, reuse=reuse)
        try:
            with timer("ingest"):
                plan = plan_sources(quote(corpus), raw_dir, follow_symlinks)
                corpus.forget_sources(plan.removed)
            if plan.to_read:  # alignment will run: its tables load while this thread reads and waits for the model
                _load_alignment_tables()
            extracted_at = datetime.now(timezone.utc)

            def keep(batch: list[ExtractedDocument], keys: dict[str, str]) -> None:
                for entry in batch:
                    entry.document.pipeline_version, entry.document.extracted_at = PIPELINE_VERSION, extracted_at
                corpus.add_extracted(batch, keys)
                summary.n_extracted += len(batch)

            # Sources are read on the workers when they see raw_dir at its path (no dask_storage).
            todo = _read_changed(corpus, plan, raw_dir, timer, summary, follow_symlinks,
                                 None if config.dask_storage else dask_address)
            with _progress(plan.bytes_to_read, progress) as bar, \
                    _Extraction(corpus, keep, bar, batch_docs, n_process, dask_address) as extraction:
                for doc, key in todo:  # sources are read as batches fill: the first batch starts early
                    with timer("extract"):
                        extraction.add(doc, key)
                with timer("extract"):
                    extraction.finish()
                summary.n_same_text = extraction.n_same_text
            with timer("stage"):
                corpus.stage_rows()
            summary.n_removed = len(corpus.removed())
            summary.n_resumed = corpus.resumed
            if not (corpus.changed() or realign):
                corpus.abort()
                summary.counts = corpus.base.info.get("counts", {}) if corpus.base else {}
                summary.version = corpus.base.version if corpus.base else None
                summary.n_reused = corpus.base.rows("documents") if corpus.base else 0
                return _finish(summary, started, timer)
            with timer("align"):
                linked = align_entities(quote(corpus), realign, dask_address, n_process, config.dask_storage)
                summary.align_stats = {k: v for k, v in linked.items() if isinstance(v, int)}
            with timer("conflicts"):
                flag_conflicts(quote(corpus), linked["relinked"] | corpus.removed())
            with timer("write"):
                summary.counts = corpus.finalize()
                summary.n_reused = summary.counts["documents"] - summary.n_extracted - summary.n_resumed
                snapshot = publish(quote(corpus), {"counts": summary.counts, "n_extracted": summary.n_extracted,
                                                   "n_removed": summary.n_removed, "raw_dir": str(raw_dir)})
            summary.published, summary.version = True, snapshot.version
            summary.bytes_written = corpus.commit.bytes_written
        except KeyboardInterrupt:
            corpus.abort(keep_spool=True)  # like a killed run: the next run resumes from its spool
            raise
        except OutputFailed as exc:
            corpus.abort()
            raise OutputFailed(f"{exc}; nothing was published: the tables of the last good run are unchanged "
                               "and this run's partial files were removed") from None
        except BaseException:
            corpus.abort()
            raise
    return _finish(summary, started, timer)


def _finish(summary: RunSummary, started: float, timer) -> RunSummary:
    summary.seconds = time.perf_counter() - started
    summary.stage_seconds = timer.seconds
    get_run_logger().info(f"{summary.counts.get('documents', 0)} documents ({summary.n_extracted} extracted, "
                          f"{summary.n_reused} reused, {summary.n_removed} removed); tables in {summary.out_dir}")
    return summary


# With a Dask cluster, sources up to this size are read (hashed, parsed, language-identified) on
# its workers, a few ahead of the one being triaged; larger ones are read here part by part, so
# that extraction starts on their first lines and no process holds a whole large file.
READ_REMOTE_MAX_BYTES = 64 << 20


def _read_changed(corpus: Corpus, plan, raw_dir: Path, timer, summary: RunSummary,
                  follow_symlinks: bool = False, dask_address: str | None = None) -> Iterator[tuple[Document, str]]:
    """The documents of changed sources that need extraction, with their keys, source by source.

    A source that is not a readable file (:func:`pipeline.ingest.content_hash` refuses it) is read
    anyway, for its error row, and goes into the manifest as :data:`UNREADABLE`; when that row is
    the one it had, nothing changes. With ``dask_address`` the sources are read on the cluster
    (:data:`READ_REMOTE_MAX_BYTES`) and triaged here, in the same order.
    """
    with ExitStack() as stack:
        remote = _remote_reads(corpus, plan, raw_dir, follow_symlinks, dask_address, stack)
        yield from _triage_sources(corpus, plan, raw_dir, timer, summary, follow_symlinks, remote)


def _remote_reads(corpus: Corpus, plan, raw_dir: Path, follow_symlinks: bool, dask_address: str | None,
                  stack: ExitStack):
    """The cluster's reads of the sources small enough to read there, in plan order (None: none)."""
    small = [(path, stat) for path, stat in plan.to_read if stat.size <= READ_REMOTE_MAX_BYTES]
    if not dask_address or not small:
        return None
    from pipeline.align import scatter

    runner = scatter.runner(dask_address)
    stack.callback(runner.close)
    if isinstance(runner, scatter.Local):
        return None  # the cluster cannot be reached: read here
    return runner.map(ingest.read_on_worker, (ingest.SourceJob(p, raw_dir, follow_symlinks,
                                                              corpus.stored_sha256(st.source_path)) for p, st in small))


def _triage_sources(corpus: Corpus, plan, raw_dir: Path, timer, summary: RunSummary, follow_symlinks: bool,
                    remote) -> Iterator[tuple[Document, str]]:
    for path, stat in plan.to_read:
        with timer("ingest"):
            read = next(remote) if remote is not None and stat.size <= READ_REMOTE_MAX_BYTES else None
            if read is not None:
                sha = read.sha256 or UNREADABLE
            else:
                try:
                    sha = ingest.content_hash(path, ingest.sidecar_of(path), raw_dir, follow_symlinks)
                except (ingest.BadInput, OSError):
                    sha = UNREADABLE
            if corpus.same_content(stat, sha):  # touched, not changed: keep its rows, note the new stat
                corpus.record_source(stat, sha, corpus.keep_source(stat.source_path))
                continue
            if sha == UNREADABLE:  # read whole: its error rows may be the ones it had
                documents, errors = ingest.read_source(path, raw_dir, follow_symlinks) if read is None else \
                    ingest.joined(read.parts)
                if corpus.unchanged_refusal(stat.source_path, documents, errors):
                    continue  # the same error row as last run: kept as it is
                parts = iter([(documents, errors)])
            else:
                parts = ingest.read_source_parts(path, raw_dir, follow_symlinks) if read is None else read.iter_parts()
            summary.sources_read += 1
        n_docs = 0
        while True:  # part by part: a large jsonl's first documents go to the model while the rest is read
            with timer("ingest"):
                try:
                    part = next(parts)
                except StopIteration as end:
                    corpus.end_source(stat.source_path)
                    # A source that failed part way is read again next run, whatever its stat says.
                    corpus.record_source(stat, sha if end.value is not False else UNREADABLE, n_docs)
                    break
                n_docs += len(part[0])
                todo = corpus.triage(stat.source_path, *part, more=True)
            yield from todo


class _Extraction:
    """Documents to the model batch by batch as they are read; results kept as they land, in order.

    A batch goes out as soon as it is full, so extraction starts before every source is read, and
    at most ``WINDOW_DOCS`` documents are in flight (memory holds those, not the corpus). Batches
    run on a Dask cluster (``dask_address``), on warm local workers, or here. Local workers pay off
    only with enough text (``workers.POOL_MIN_CHARS``: each loads the model and rule tables once,
    ~4 s), so batches wait until that much new text has come (then they go to the workers) or the
    sources end (then they run here).

    Each text goes through the model once: a document whose text the model has read, in this run
    or an earlier one (:meth:`Corpus.known_texts`), gets its rows from that output by the rules
    alone (:func:`extract_copies`); one whose first copy is still in flight waits for the end.
    """

    def __init__(self, corpus: Corpus, keep, bar, batch_docs: int, n_process: int, dask_address: str | None):
        from pipeline.runtime import workers

        self.corpus, self._keep, self.bar, self.batch_docs = corpus, keep, bar, batch_docs
        self.keys: dict[str, str] = {}  # doc_id -> extraction key, until the document's rows are kept
        self.pending: list[Document] = []  # the batch being filled
        self.waiting: list[list[Document]] = []  # full batches, until it is decided where they run
        self.in_flight: deque = deque()  # (batch, future or None), oldest first
        self.sent: set[str] = set()  # content hashes given to the model in this run
        self.later: list[Document] = []  # copies of a text still in flight
        self.n_same_text = 0
        self.window = max(2, WINDOW_DOCS // batch_docs)
        self.waiting_chars = 0
        self.min_pool_chars = workers.POOL_MIN_CHARS
        self.dask_address, self.runner = dask_address, None
        self._exit = ExitStack()
        if dask_address:
            self.mode = "dask"  # connected to when the first batch goes (a run with nothing new never does)
        elif n_process > 1 and workers.warm_size():
            self.mode, self.n_process = "workers", workers.warm_size()  # started by the command line, warm
        elif n_process > 1 and (os.cpu_count() or 1) > 1:
            self.mode, self.n_process = None, n_process  # decided on the text that comes
        else:
            self.mode = "here"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._exit.__exit__(*exc)

    def _dask(self):
        if self.runner is None:
            from prefect_dask import DaskTaskRunner

            self.runner = self._exit.enter_context(DaskTaskRunner(address=self.dask_address))
            self._exit.enter_context(temporary_settings({PREFECT_API_URL: _api_url_for_workers(self.dask_address)}))
        return self.runner

    def add(self, doc: Document, key: str) -> None:
        self.keys[doc.doc_id] = key
        self.pending.append(doc)
        if len(self.pending) >= self.batch_docs:
            self._dispatch(self.pending)
            self.pending = []

    def finish(self) -> None:
        if self.pending:
            self._dispatch(self.pending)
            self.pending = []
        if self.mode is None:
            self.mode = "here"  # less new text than workers pay off for
        self._send_waiting()
        while self.in_flight:
            self._collect_oldest()
        if self.later:
            self._copies(self.later, self.corpus.known_texts(self.later))

    def _dispatch(self, batch: list[Document]) -> None:
        known = self.corpus.known_texts(batch)
        fresh, copies = [], []
        for doc in batch:
            if doc.content_sha256 in known:
                copies.append(doc)
            elif doc.content_sha256 in self.sent:
                self.later.append(doc)
            else:
                self.sent.add(doc.content_sha256)
                fresh.append(doc)
        if copies:
            self._copies(copies, known)
        if not fresh:
            return
        self.waiting.append(fresh)
        self.waiting_chars += sum(d.n_chars for d in fresh)
        if self.mode is None and self.waiting_chars >= self.min_pool_chars:
            self.mode = "workers"
        if self.mode is not None:
            self._send_waiting()

    def _send_waiting(self) -> None:
        for batch in self.waiting:
            if self.mode == "dask":
                future = self._dask().submit(extract, {"batch": batch})
            elif self.mode == "workers":
                future = extract_on_workers.submit(quote(batch), self.n_process)
            else:
                future = None  # extracted here when collected
            self.in_flight.append((batch, future))
            while len(self.in_flight) > (0 if future is None else self.window):
                self._collect_oldest()
        self.waiting = []

    def _collect_oldest(self) -> None:
        """The oldest batch's results; a batch whose future failed (or that has none) is extracted here."""
        batch, future = self.in_flight.popleft()
        try:
            rows = future.result() if future is not None else extract(quote(batch))  # quoted: Prefect would walk every document
        except Exception:  # retried document by document, so one bad text costs only itself
            rows = [x for doc in batch for x in _extract_safely(doc, self.corpus.errors)]
        self._kept(rows, batch)

    def _copies(self, docs: list[Document], known: dict) -> None:
        rows = extract_copies(quote(docs), quote(known), quote(self.corpus.errors))  # quoted: the same list, not a copy
        self.n_same_text += sum(d.content_sha256 in known for d in docs)
        self._kept(rows, docs)

    def _kept(self, rows: list[ExtractedDocument], docs: list[Document]) -> None:
        self._keep(rows, self.keys)
        for doc in docs:
            self.keys.pop(doc.doc_id, None)
        self.bar.update(len(docs))


def _api_url_for_workers(dask_address: str) -> str | None:
    """The Prefect API that workers report task runs to: this run's.

    With a configured server that is ``PREFECT_API_URL``. Without one this run uses Prefect's
    temporary server, on loopback: workers on this machine are told where it is (else each would
    start a temporary server of its own, seconds per task); remote workers cannot reach it and do
    start their own, so with a remote cluster set ``PREFECT_API_URL`` to a server they can reach.
    """
    configured = PREFECT_API_URL.value()
    if configured:
        return configured
    host = urlsplit(dask_address if "://" in dask_address else f"tcp://{dask_address}").hostname or ""
    if host not in ("localhost", "::1") and not host.startswith("127."):
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance this process's client started
    return server.api_url if server.running else None


def _load_alignment_tables() -> None:
    import threading

    def load() -> None:
        try:
            from pipeline.align import load_tables

            load_tables()
        except Exception:  # a broken table fails alignment itself, which reports it: not twice
            pass

    threading.Thread(target=load, name="alignment-tables", daemon=True).start()


def _extract_safely(doc: Document, errors: list[ErrorRow]) -> list[ExtractedDocument]:
    try:
        return extract(quote([doc]))
    except Exception as exc:  # a bug or a pathological text: report it, keep the run going
        errors.append(ErrorRow(doc.source_path, doc.doc_id, "extract", f"{type(exc).__name__}: {exc}"))
        return []


def _progress(total_bytes: int, enabled: bool | None):
    """A progress bar over the documents extracted (shown from about ten articles' worth of sources)."""
    from tqdm import tqdm

    disable = (total_bytes < PROGRESS_MIN_DOCS * 4_000) if enabled is None else not enabled
    return tqdm(unit="doc", desc="extract", disable=disable, leave=False)


class _StageTimer:
    """Wall time per named stage, summed over repeated entries."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t

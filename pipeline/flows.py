"""The batch flow: ``raw/`` in, the parquet dataset in ``processed/`` out.

    discover sources -> read and decode -> reuse cached per-document results
    -> per batch of new or changed documents (here or on Dask): spaCy NER + date and money rules
    -> cross-document entity alignment -> write every table atomically

The whole run holds the output directory's lock (:mod:`pipeline.output.lock`); per-document results are
cached under ``processed/.cache/`` (:mod:`pipeline.output.cache`).

Prefect tasks are whole stages or whole batches, never single documents: per-task overhead is
milliseconds, spaCy's per-document cost is too, so finer tasks would double the run time.
"""

from __future__ import annotations

from pipeline.settings import configure_prefect

configure_prefect()

import os  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402
from tqdm import tqdm  # noqa: E402

from pipeline import align, ingest  # noqa: E402
from pipeline.output import store  # noqa: E402
from pipeline.runtime import workers  # noqa: E402
from pipeline.extract import ExtractedDocument  # noqa: E402
from pipeline.output.cache import CACHE_DIR, ExtractionCache, document_key  # noqa: E402
from pipeline.output.lock import run_lock  # noqa: E402
from pipeline.refusals import BadArguments, InputMissing, OutputFailed  # noqa: E402
from pipeline.schema import Document, ErrorRow  # noqa: E402
from pipeline import settings  # noqa: E402
from pipeline.settings import PIPELINE_VERSION  # noqa: E402

BATCH_DOCS = 64
PROGRESS_MIN_DOCS = 10


@dataclass
class RunSummary:
    raw_dir: str
    out_dir: str
    counts: dict[str, int] = field(default_factory=dict)
    n_extracted: int = 0  # documents whose NLP was (re)done in this run
    n_reused: int = 0  # documents whose cached result was reused as it was
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


# Inputs are large (whole corpora); Prefect must not hash them for cache keys.
stage = task(cache_policy=NONE, persist_result=False)


@stage
def discover_sources(raw_dir: Path, follow_symlinks: bool = False) -> list[Path]:
    return ingest.discover(raw_dir, follow_symlinks)


@stage
def read_sources(paths: list[Path], raw_dir: Path, follow_symlinks: bool = False) -> ingest.IngestResult:
    return ingest.read_sources(paths, raw_dir, follow_symlinks)


@stage
def extract(batch: list[Document]) -> list[ExtractedDocument]:
    """One batch, in this process or on a Dask worker."""
    return workers.extract_documents(batch)


@stage
def extract_on_workers(batch: list[Document], n_workers: int) -> list[ExtractedDocument]:
    """One batch, handed to a warm local worker process (the task's thread just waits)."""
    return workers.submit(batch, n_workers).result()


@stage
def align_entities(documents, mentions, sentences):
    return align.align(documents, mentions, sentences)


@stage
def write_dataset(out_dir: Path, tables: dict, partitions: int | None = None) -> dict[str, int]:
    return store.write_tables(out_dir, tables, partitions)


@stage
def lookup_cache(cache: ExtractionCache, documents: list[Document], reuse: bool) -> tuple[dict[str, str], dict[str, ExtractedDocument]]:
    """Each document's cache key, and the cached results that can be reused as they are."""
    keys = {doc.doc_id: document_key(doc) for doc in documents}
    return keys, (cache.get_many(keys.values()) if reuse else {})


@flow(name="extract-corpus", log_prints=False)
def extract_corpus(raw_dir: str | Path = "raw", out_dir: str | Path = "processed", *,
                   n_process: int = 1, batch_docs: int = BATCH_DOCS, progress: bool | None = None,
                   reuse: bool = True, dask_address: str | None = None, partitions: int | None = None,
                   lock_wait: float | None = None, follow_symlinks: bool = False) -> RunSummary:
    """Extract the corpus under ``raw_dir`` into the tables in ``out_dir``, redoing only what changed.

    Documents whose cached result matches (same content, metadata, code and model) are reused
    with their original ``extracted_at``; the others are extracted, in batches, here or on the Dask
    cluster at ``dask_address`` (default: ``PIPELINE_DASK_ADDRESS``). Alignment and the tables
    always cover the whole corpus. ``reuse=False`` re-extracts everything; ``partitions=N`` writes
    each table as a directory of N hash buckets. One run at a time per ``out_dir``: another run's
    lock is waited for ``lock_wait`` seconds (default ``PIPELINE_LOCK_WAIT``). Symbolic links that
    lead out of ``raw_dir`` are error rows unless ``follow_symlinks``.
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

    with run_lock(out_dir, config.lock_wait if lock_wait is None else lock_wait):
        with timer("ingest"):
            ingested = read_sources(discover_sources(raw_dir, follow_symlinks), raw_dir, follow_symlinks)
        documents, errors = ingested.documents, list(ingested.errors)

        cache = ExtractionCache(out_dir / CACHE_DIR)
        with timer("cache"):
            keys, results = lookup_cache(cache, quote(documents), reuse)
        todo = [d for d in documents if keys[d.doc_id] not in results]
        extracted_at = datetime.now(timezone.utc)
        n_extracted = 0
        added: list[str] = []  # cache entries this run created: removed again if it fails

        def keep(extracted: list[ExtractedDocument]) -> None:
            """Cache each batch as it lands: a killed run resumes where it stopped."""
            nonlocal n_extracted
            n_extracted += len(extracted)
            for entry in extracted:
                doc = entry.document
                doc.pipeline_version, doc.extracted_at = PIPELINE_VERSION, extracted_at
                key = keys[doc.doc_id]
                results[key] = entry
                if not cache.path(key).exists():
                    added.append(key)
                cache.put(key, entry)

        with _cleared_on_failure(cache, added):
            with timer("extract"), _progress(len(todo), progress) as bar:
                _extract_all(todo, batch_docs, n_process, dask_address, errors, keep, bar)
            counts = _align_and_write(documents, keys, results, errors, out_dir, partitions, timer)
            cache.prune(set(keys.values()))

    n_documents = counts.get("documents", 0)
    summary = RunSummary(str(raw_dir), str(out_dir), counts, n_extracted=n_extracted,
                         n_reused=n_documents - n_extracted,
                         seconds=time.perf_counter() - started, stage_seconds=timer.seconds)
    get_run_logger().info(f"{n_documents} documents ({n_extracted} extracted, {summary.n_reused} reused), "
                          f"{len(errors)} errors; tables in {out_dir}")
    return summary


def _align_and_write(documents: list[Document], keys: dict[str, str], results: dict[str, ExtractedDocument],
                     errors: list[ErrorRow], out_dir: Path, partitions: int | None, timer) -> dict[str, int]:
    """Alignment over every document that has its rows, then all tables at once; returns row counts."""
    done = [results[keys[d.doc_id]] for d in documents if keys[d.doc_id] in results]
    documents = [r.document for r in done]
    extractions = [r.extraction for r in done]

    with timer("align"):
        mentions, entities = align_entities(quote(documents), quote([m for x in extractions for m in x.mentions]),
                                            quote({x.doc_id: x.sentences for x in extractions}))

    with timer("write"):
        return write_dataset(out_dir, quote({
            "documents": documents,
            "mentions": mentions,
            "entities": entities,
            "dates": [r for x in extractions for r in x.dates],
            "money": [r for x in extractions for r in x.money],
            "errors": errors,
        }), partitions)


def check_input_dir(raw_dir: Path) -> None:
    """:class:`InputMissing` unless ``raw_dir`` is a directory this process can list."""
    if not raw_dir.exists():
        raise InputMissing(f"input folder not found: {raw_dir}")
    if not raw_dir.is_dir():
        raise InputMissing(f"input folder is not a directory: {raw_dir}")
    try:
        with os.scandir(raw_dir):
            pass
    except OSError as exc:
        raise InputMissing(f"cannot list the input folder {raw_dir}: {exc.strerror or exc}") from None


@contextmanager
def _cleared_on_failure(cache: ExtractionCache, added: list[str]):
    """A run that fails leaves the disk no fuller than the last good run: the cache entries it
    created go again (the tables were never touched: they change only when a run publishes).

    An interrupted run (Ctrl-C) keeps them, like a killed one: the next run resumes from them.
    """
    try:
        yield
    except Exception as exc:
        cache.discard(added)
        if isinstance(exc, OutputFailed):
            raise OutputFailed(f"{exc}; nothing was published: the tables of the last good run are unchanged "
                               "and this run's partial files were removed") from None
        raise


def _extract_all(docs: list[Document], batch_docs: int, n_process: int, dask_address: str | None,
                 errors: list[ErrorRow], keep, bar) -> None:
    """Extract ``docs`` batch by batch: here, on local worker processes, or on a Dask cluster.

    ``keep(results)`` is called for each batch as it lands, in order. Local workers pay off only
    with enough text (``workers.POOL_MIN_CHARS``): each loads the model and rule tables once (~4 s).
    """
    batches = [docs[i : i + batch_docs] for i in range(0, len(docs), batch_docs)]
    if dask_address:
        from prefect_dask import DaskTaskRunner

        runner = DaskTaskRunner(address=dask_address)
        with runner, temporary_settings({PREFECT_API_URL: _api_url_for_workers(dask_address)}):
            _collect(batches, [runner.submit(extract, {"batch": batch}) for batch in batches], errors, keep, bar)
    elif n_process > 1 and (os.cpu_count() or 1) > 1 and sum(d.n_chars for d in docs) >= workers.POOL_MIN_CHARS:
        _collect(batches, [extract_on_workers.submit(quote(batch), n_process) for batch in batches], errors, keep, bar)
    else:
        _collect(batches, [None] * len(batches), errors, keep, bar)


def _collect(batches: list[list[Document]], futures: list, errors: list[ErrorRow], keep, bar) -> None:
    """Results in batch order; a batch whose future failed (or that has none) is extracted here."""
    for batch, future in zip(batches, futures):
        try:
            rows = future.result() if future is not None else extract(batch)
        except Exception:  # retried document by document, so one bad text costs only itself
            rows = [x for doc in batch for x in _extract_safely(doc, errors)]
        keep(rows)
        bar.update(len(batch))


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


def _extract_safely(doc: Document, errors: list[ErrorRow]) -> list[ExtractedDocument]:
    try:
        return extract([doc])
    except Exception as exc:  # a bug or a pathological text: report it, keep the run going
        errors.append(ErrorRow(doc.source_path, doc.doc_id, "extract", f"{type(exc).__name__}: {exc}"))
        return []


def _progress(total: int, enabled: bool | None):
    disable = (total < PROGRESS_MIN_DOCS) if enabled is None else not enabled
    return tqdm(total=total, unit="doc", desc="extract", disable=disable, leave=False)


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

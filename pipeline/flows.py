"""The batch flow: ``raw/`` in, the parquet dataset in ``processed/`` out.

    discover sources -> read and decode -> per batch: spaCy NER + date and money rules
    -> cross-document entity alignment -> write every table atomically

Prefect tasks are whole stages or whole batches, never single documents: per-task overhead is
milliseconds, spaCy's per-document cost is too, so finer tasks would double the run time.
"""

from __future__ import annotations

from pipeline.settings import configure_prefect

configure_prefect()

import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from tqdm import tqdm  # noqa: E402

from pipeline import align, ingest, store  # noqa: E402
from pipeline.extract import DocExtraction, extract_batch  # noqa: E402
from pipeline.schema import Document, ErrorRow  # noqa: E402
from pipeline.settings import PIPELINE_VERSION  # noqa: E402

BATCH_DOCS = 64
PROGRESS_MIN_DOCS = 10


@dataclass
class RunSummary:
    raw_dir: str
    out_dir: str
    counts: dict[str, int] = field(default_factory=dict)
    n_extracted: int = 0  # documents whose NLP was (re)done in this run
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


# Inputs are large (whole corpora); Prefect must not hash them for cache keys.
stage = task(cache_policy=NONE, persist_result=False)


@stage
def discover_sources(raw_dir: Path) -> list[Path]:
    return ingest.discover(raw_dir)


@stage
def read_sources(paths: list[Path], raw_dir: Path) -> ingest.IngestResult:
    return ingest.read_sources(paths, raw_dir)


@stage
def extract(batch: list[Document], n_process: int) -> list[DocExtraction]:
    return extract_batch(batch, n_process=n_process)


@stage
def align_entities(documents, mentions, sentences):
    return align.align(documents, mentions, sentences)


@stage
def write_dataset(out_dir: Path, tables: dict) -> dict[str, int]:
    return store.write_tables(out_dir, tables)


@flow(name="extract-corpus", log_prints=False)
def extract_corpus(raw_dir: str | Path = "raw", out_dir: str | Path = "processed", *,
                   n_process: int = 1, batch_docs: int = BATCH_DOCS, progress: bool | None = None) -> RunSummary:
    """Extract the whole corpus under ``raw_dir`` into the tables in ``out_dir``."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    started = time.perf_counter()
    timer = _StageTimer()
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw directory not found: {raw_dir}")

    with timer("ingest"):
        ingested = read_sources(discover_sources(raw_dir), raw_dir)
    documents, errors = ingested.documents, list(ingested.errors)

    extractions: list[DocExtraction] = []
    with timer("extract"), _progress(len(documents), progress) as bar:
        for i in range(0, len(documents), batch_docs):
            batch = documents[i : i + batch_docs]
            extractions.extend(_extract_safely(batch, n_process, errors))
            bar.update(len(batch))

    extracted_at = datetime.now(timezone.utc)
    kept = {x.doc_id for x in extractions}
    documents = [d for d in documents if d.doc_id in kept]
    for doc in documents:
        doc.pipeline_version = PIPELINE_VERSION
        doc.extracted_at = extracted_at

    with timer("align"):
        mentions, entities = align_entities(documents, [m for x in extractions for m in x.mentions],
                                            {x.doc_id: x.sentences for x in extractions})

    with timer("write"):
        counts = write_dataset(out_dir, {
            "documents": documents,
            "mentions": mentions,
            "entities": entities,
            "dates": [r for x in extractions for r in x.dates],
            "money": [r for x in extractions for r in x.money],
            "errors": errors,
        })
    return RunSummary(str(raw_dir), str(out_dir), counts, n_extracted=len(extractions),
                      seconds=time.perf_counter() - started, stage_seconds=timer.seconds)


def _extract_safely(batch: list[Document], n_process: int, errors: list[ErrorRow]) -> list[DocExtraction]:
    """A batch that fails is retried document by document, so one bad text costs only itself."""
    try:
        return extract(batch, n_process)
    except Exception as exc:  # a bug or a pathological text: report it, keep the run going
        if len(batch) == 1:
            doc = batch[0]
            errors.append(ErrorRow(doc.source_path, doc.doc_id, "extract", f"{type(exc).__name__}: {exc}"))
            return []
    return [x for doc in batch for x in _extract_safely([doc], 1, errors)]


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

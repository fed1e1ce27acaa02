"""A pool of warm extraction processes on this machine.

NER is CPU-bound and holds the GIL, so a second core needs a second process. Each worker imports
only the extraction code (not Prefect) and loads the model and rule tables once, in its
initialiser. :func:`prestart` lets the command line start the workers before the flow, so their
start-up (~3 s) overlaps the Prefect server's; the flow's tasks then only hand batches over.

Workers are spawned (see :func:`prestart`), so a script that calls the flow on a large corpus must
guard its entry point with ``if __name__ == "__main__":``, the standard rule of Python's
multiprocessing; without it the workers die at start and the flow extracts everything itself
(correct, slower, with one failed task logged per batch).
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.runtime.process import die_with_parent, imports_done

if TYPE_CHECKING:  # the extraction code is imported by the workers (and by a run that extracts), not here
    from pipeline.extract import ExtractedDocument
    from pipeline.schema import Document

# New text below which worker processes cost more start-up than they save (~15 s of NER on one core).
POOL_MIN_CHARS = 700_000

_pool: ProcessPoolExecutor | None = None
_size = 0


def prestart(n_workers: int) -> ProcessPoolExecutor | None:
    """Start (and warm) ``n_workers`` processes now, unless a pool of that size is already up.

    One worker is a pool too: a small run starts one so that the model loads on a second core
    while this process imports Prefect and starts the flow (:func:`prestart_for_changes`).
    """
    global _pool, _size
    n_workers = min(n_workers, os.cpu_count() or 1)
    if n_workers < 1:
        return None
    if _pool is None or _size != n_workers:
        shutdown()
        # spawn, not fork: the parent runs Prefect's threads, and a forked copy of a lock held by one
        # of them would deadlock the child.
        _pool = ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker)
        _size = n_workers
        for _ in range(n_workers):  # the pool spawns lazily: one no-op per worker starts them all now
            _pool.submit(int)
    return _pool


def _init_worker() -> None:
    gc.disable()  # while the model and rule tables load (pipeline.runtime.process.imports_done)
    die_with_parent()  # a killed run must not leave workers finishing batches nobody will read
    from pipeline.extract import warm_up

    warm_up()
    imports_done()


def prestart_for_changes(raw_dir: Path, out_dir: Path, n_workers: int, everything: bool = False) -> int:
    """Start workers early when the sources changed since the last run.

    A guess from file sizes and times, made before the flow reads anything. With enough new text
    (:data:`POOL_MIN_CHARS`) all ``n_workers`` start; with less, one, whose start-up (the model and
    the rule tables, about two seconds) runs on a second core beside the flow's own start instead
    of after it, and the flow hands its batches to it (:func:`warm_size`). Nothing starts when
    nothing changed, or when the run may use one core only. The flow decides on the text it
    actually has to extract, so a wrong guess only costs idle start-up on a spare core.
    Returns the bytes that changed (by that guess). ``everything``: every source counts as
    changed (a run that re-extracts them all, ``--full``).
    """
    from pipeline.output.store import CURRENT

    last_run = 0.0 if everything else _mtime(Path(out_dir) / CURRENT)
    changed = sum(p.stat().st_size for p in Path(raw_dir).rglob("*") if p.is_file() and p.stat().st_mtime > last_run)
    if n_workers < 2 or (os.cpu_count() or 1) < 2:
        return changed
    if changed >= POOL_MIN_CHARS:
        prestart(n_workers)
    elif changed:
        prestart(1)
    return changed


def warm_size() -> int:
    """How many workers are up (0: none): the flow uses a warm pool of any size as it is."""
    return _size


def _mtime(path: Path) -> float:
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0.0


def submit(batch: list[Document], n_workers: int) -> Future:
    pool = prestart(n_workers)
    if pool is None:
        raise ValueError("a worker pool needs at least one worker")
    return pool.submit(extract_documents, batch)


def extract_documents(batch: list[Document]) -> list[ExtractedDocument]:
    """Rows and documents both: extraction fills ``dct`` in place, and in a worker that place is a copy."""
    from pipeline.extract import extract_documents as extract

    return extract(batch)


def shutdown(idle: bool = False) -> None:
    """Stop the workers. ``idle``: every batch's result has been collected, so they are ended
    (SIGTERM) rather than asked to exit: a worker's own exit unloads the model and takes ~0.3 s,
    which a run would wait for at its end."""
    global _pool, _size
    if _pool is not None:
        if idle:
            children = multiprocessing.active_children()  # the pool's processes: its only multiprocessing children
            for child in children:
                child.terminate()
            for child in children:
                child.join(1)  # reaped: no zombie left behind
        _pool.shutdown(wait=True, cancel_futures=True)
    _pool, _size = None, 0


atexit.register(shutdown)

"""Where alignment's per-document step runs: in the flow's process, on worker processes of this
machine (a run on several cores, :class:`OnProcesses`), or on the run's Dask cluster.

The per-document step (:mod:`pipeline.align.index`: tallies, phrase votes, split + sweep + chains)
is most of a full alignment's time (72% of re-aligning 10,000 documents) and needs nothing but one
chunk of documents and a few corpus tallies, so it is what scales out. A job carries file
*names*, never rows: a :class:`~pipeline.output.store.TableView` of the input tables (only the
files that hold its documents) and of the tallies, and the staging paths its output files go to.
The worker reads its inputs with DuckDB from the output directory, writes its files there, and
hands back what the coordinator must merge (counters, and the chain rows the linker reads, as
Arrow). Sending rows instead was measured: a 2,000-document chunk's inputs and results pickled
were 37 MB and a fifth of the step's own time on the coordinator.

Why Dask futures (``distributed.Client.submit``), not bags or DataFrames: a job is one opaque
Python function over a chunk, with results merged in order by a coordinator that must stay the
only writer of the commit; futures say exactly that, and the cluster is the one ``--dask`` names
(the same one extraction uses). Jobs of one pass go to the worker that ran the same chunk in the
pass before (a hint, not a rule), so its kept copy of the chunk's inputs is used again.

The storage they share is the output directory itself (on a loopback cluster a local folder; on
a real cluster a filesystem every worker mounts at the same path), or, when the setting
``dask_storage`` names one, an fsspec URL such as ``s3://bucket/prefix`` through which the files
travel (:mod:`pipeline.runtime.storage`; see the README). Nothing else is assumed shared: no
``/tmp``, no state in the scheduler.
"""

from __future__ import annotations

import gc
import logging
from collections import deque
from typing import Callable, Iterable, Iterator

log = logging.getLogger(__name__)

# Jobs in flight per worker: enough to keep each busy while the coordinator merges a result, few
# enough that finished results do not pile up in workers' memory.
JOBS_PER_WORKER = 2
# How long the cluster is tried before the jobs run here instead.
CONNECT_SECONDS = 10
# On a cluster a pass is cut into at least this many jobs per worker (so that they finish near
# together), of at least MIN_CHUNK_DOCS documents (a job's fixed cost, its lookups, ~0.1 s).
CHUNKS_PER_WORKER = 4
MIN_CHUNK_DOCS = 200


class Local:
    """The jobs run here, one after another (no cluster)."""

    n_workers = 1
    storage = None

    def chunk_docs(self, n_docs: int, largest: int) -> int:
        return largest

    def map(self, fn: Callable, jobs: Iterable, *args) -> Iterator:
        for job in jobs:
            yield fn(job, *args)

    def close(self) -> None:
        pass


class OnDask:
    """The jobs run on the Dask cluster at ``address``; results come back in the jobs' order.

    ``fn`` must be importable on the workers (a module-level function of the pipeline, which each
    worker has installed) and its job picklable and small. A job with ``ids`` (its documents) goes
    back, as a hint, to the worker that last ran a job with the same ones. ``args`` are for a local
    run only: on a worker the job reads what it needs itself (here they are dropped).
    """

    def __init__(self, address: str, prepare: Callable | None = None, release: Callable | None = None,
                 storage: str | None = None):
        from distributed import Client

        from pipeline.runtime.storage import Exchange

        self.storage = Exchange(storage) if storage else None
        self.client = Client(address, set_as_default=False, timeout=f"{CONNECT_SECONDS}s")
        self.n_workers = max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))
        self.release = release
        if prepare is not None:
            self.client.run(prepare)  # every worker at once, not each at its first job
        self._placed: dict[tuple, str] = {}  # a chunk's documents -> the worker that last ran them

    def chunk_docs(self, n_docs: int, largest: int) -> int:
        return _chunk_docs(n_docs, largest, self.n_workers)

    def map(self, fn: Callable, jobs: Iterable, *args) -> Iterator:
        window: deque = deque()
        limit = JOBS_PER_WORKER * self.n_workers
        for job in jobs:
            where = self._placed.get(_place_key(job))
            placed = {"workers": [where], "allow_other_workers": True} if where else {}
            key = f"{fn.__name__}-{_token()}"
            if self.storage is None:
                sent, future = job, self.client.submit(_run, fn, job, key=key, pure=False, **placed)
            else:
                sent = self.storage.send(job)
                future = self.client.submit(_run_through, fn, sent, self.storage.url, key=key, pure=False, **placed)
            window.append((job, sent, future))
            while len(window) >= limit:
                yield self._result(*window.popleft())
        while window:
            yield self._result(*window.popleft())

    def _result(self, job, sent, future):
        result = future.result()
        if self.storage is not None:
            self.storage.receive(job, sent)
        key = _place_key(job)
        if key is not None:  # a job of a later pass will hold the same documents
            who = self.client.who_has(future).get(future.key)
            if who:
                self._placed[key] = who[0]
        future.release()
        return result

    def close(self) -> None:
        try:
            if self.release is not None:
                self.client.run(self.release)
            if self.storage is not None:
                from pipeline.runtime.storage import clear_worker

                self.client.run(clear_worker)
        finally:
            self.client.close()


class OnProcesses:
    """The jobs run in ``n`` worker processes of this machine (no cluster: the second core).

    One single-process executor per worker (:class:`concurrent.futures.ProcessPoolExecutor`, the
    standard library's), so that a job goes to the worker that ran a job with the same documents
    in the pass before, as :class:`OnDask` does by hint: that worker kept the chunk it loaded. A
    new chunk goes to the worker with the fewest jobs in flight. Workers are spawned (the flow's
    process runs Prefect's threads, which a fork would copy mid-lock), die with the flow's process,
    run ``prepare`` once as they start, and end with the alignment (:meth:`close`): what they kept
    is this run's only. Results come back in the jobs' order.
    """

    storage = None

    def __init__(self, n_workers: int, prepare: Callable | None = None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        self.n_workers = n_workers
        self.executors = [ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker, initargs=(prepare,))
                          for _ in range(n_workers)]
        for executor in self.executors:  # spawned now, so they start while the flow goes on
            executor.submit(int)
        self._placed: dict[tuple, int] = {}
        self._busy = [0] * n_workers

    def chunk_docs(self, n_docs: int, largest: int) -> int:
        return _chunk_docs(n_docs, largest, self.n_workers)

    def map(self, fn: Callable, jobs: Iterable, *args) -> Iterator:
        window: deque = deque()
        limit = JOBS_PER_WORKER * self.n_workers
        for job in jobs:
            key = _place_key(job)
            worker = self._placed.get(key) if key is not None else None
            if worker is None:
                worker = min(range(self.n_workers), key=self._busy.__getitem__)
                if key is not None:
                    self._placed[key] = worker
            self._busy[worker] += 1
            window.append((worker, self.executors[worker].submit(_run, fn, job)))
            while len(window) >= limit:
                yield self._result(*window.popleft())
        while window:
            yield self._result(*window.popleft())

    def _result(self, worker: int, future):
        try:
            return future.result()
        finally:
            self._busy[worker] -= 1

    def close(self) -> None:
        for executor in self.executors:
            executor.shutdown(wait=True, cancel_futures=True)


def _chunk_docs(n_docs: int, largest: int, n_workers: int) -> int:
    """Documents per job on ``n_workers`` workers: ``largest`` (what one process's memory is sized
    for) or fewer, so that every worker gets several jobs. The tables do not depend on it: each
    document's step reads only its own text and the corpus tallies (a test compares chunkings)."""
    return max(MIN_CHUNK_DOCS, min(largest, -(-n_docs // (CHUNKS_PER_WORKER * n_workers))))


def _start_worker(prepare: Callable | None) -> None:
    from pipeline.runtime.process import die_with_parent

    die_with_parent()  # a killed run must not leave workers behind
    if prepare is not None:
        prepare()


def runner(dask_address: str | None, prepare: Callable | None = None, release: Callable | None = None,
           processes: int = 1, storage: str | None = None):
    """Jobs on the cluster at ``dask_address``, or here without one or when it cannot be reached
    (the run goes on, slower, as extraction does when its batches fail on the cluster).
    ``prepare`` runs on every worker at connect (what the jobs load on first use), ``release`` at
    close (what they kept for this run only). Without a cluster, ``processes`` > 1 runs the jobs
    in that many worker processes of this machine (:class:`OnProcesses`). ``storage``: the fsspec
    URL the cluster's jobs exchange their files through (:mod:`pipeline.runtime.storage`; none:
    the workers see the output directory at its path)."""
    if not dask_address:
        return OnProcesses(processes, prepare) if processes > 1 else Local()
    try:
        return OnDask(dask_address, prepare, release, storage)
    except (OSError, TimeoutError) as exc:
        log.warning("alignment: the Dask cluster at %s cannot be reached (%s); its jobs run here", dask_address, exc)
        return Local()


def _run(fn: Callable, job):
    """A job on a worker, with the cycle collector paused as alignment pauses it in the flow's
    process (:func:`pipeline.align.index.align_corpus`: the step makes no reference cycles, and
    full collections walking every object it holds cost a sixth of its time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(job)
    finally:
        if was_enabled:
            gc.enable()


def _run_through(fn: Callable, sent, storage: str):
    """A job whose files are in ``storage``: downloaded here, the job run on them, its own files sent back."""
    from pipeline.runtime.storage import on_worker

    exchange = on_worker(storage)
    local = exchange.localise(sent)
    result = _run(fn, local)
    exchange.upload_outputs(local, sent)
    return result


def _place_key(job) -> tuple | None:
    """The documents a job holds, when passes come back to them (alignment's chunks: ``ids``)."""
    ids = getattr(job, "ids", None)
    return tuple(ids) if ids is not None else None


def _token() -> str:
    import secrets

    return secrets.token_hex(8)

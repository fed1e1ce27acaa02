"""Storage the flow and its Dask workers share when they share no filesystem: an fsspec URL.

By default an alignment job (:mod:`pipeline.align.scatter`) names the commit's parquet files by
path, and the worker reads and writes them where they are: right for a loopback cluster, and for
a cluster whose machines all mount the output directory at the same path. With
``PIPELINE_DASK_STORAGE`` set to an fsspec URL (``s3://bucket/prefix``, ``gs://...``, or
``file:///mnt/x`` for a test), the files travel through that storage instead:

* before a job is sent, each file it reads is uploaded once, as ``files/<table>/<name>``. A commit
  file never changes once written (its name is new with every write), so a name already there is
  the same bytes, and an incremental run uploads only the files written since;
* the worker downloads the files a job names into its own local directory (kept by name for the
  jobs after it), runs the job on those, and uploads the files it wrote, as
  ``stage/<run>/<table>/<name>``;
* the flow downloads those into its staging folder and adopts them into the commit as before: it
  stays the only writer of the dataset, which never leaves its disk.

After the alignment (:meth:`Exchange.keep`), uploaded files the commit no longer holds are deleted,
and so is anything left in ``stage/`` (a run that was killed). Use one prefix per output directory:
that output directory's lock is what keeps two runs from pruning each other's files.

Credentials and endpoints are fsspec's own configuration, read by the flow and by every worker:
for S3 the usual ``AWS_*`` variables, and ``FSSPEC_S3_ENDPOINT_URL`` for a server other than AWS.
Why fsspec: it is what Dask and pandas already use for remote storage, and one URL names any store
whose fsspec package (``s3fs``, ``gcsfs``, ``adlfs``) is installed, on the flow and the workers.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from pipeline.output.store import TableView

FILES = "files"
STAGE = "stage"


class Exchange:
    """One storage URL, seen from the flow (:meth:`send`, :meth:`receive`, :meth:`keep`) or from
    a worker (:meth:`localise`, :meth:`upload_outputs`)."""

    def __init__(self, url: str):
        import fsspec

        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.root = self.root.rstrip("/")
        self._have: set[str] | None = None  # keys under files/ (the flow's view, listed once)
        self.uploaded = self.received = 0  # files the flow sent and got back (for tests and logs)
        self._cache: Path | None = None

    def _at(self, key: str) -> str:
        return f"{self.root}/{key}"

    # -- the flow's side --------------------------------------------------------------------------

    def send(self, job):
        """The job as a worker gets it: every path it names replaced by a key in the storage, its
        input files uploaded first (those not there yet)."""
        return _mapped(job, self._upload, lambda out: {t: staged_key(p) for t, p in out.items()})

    def receive(self, job, sent) -> None:
        """The files the worker wrote for ``sent`` (the storage's copy of ``job``), downloaded to
        the staging paths ``job`` reserved for them (a job writes none for a table without rows)."""
        for table, path in (getattr(job, "out", None) or {}).items():
            remote = self._at(sent.out[table])
            if self.fs.exists(remote):
                self.fs.get_file(remote, str(path))
                self.fs.rm_file(remote)
                self.received += 1

    def _upload(self, path: str) -> str:
        key = file_key(path)
        if self._have is None:
            base = self._at(FILES)
            found = self.fs.find(base) if self.fs.exists(base) else []
            self._have = {f"{FILES}/{p[len(base) + 1:]}" for p in found}
        if key not in self._have:
            self.fs.put_file(str(path), self._at(key))
            self._have.add(key)
            self.uploaded += 1
        return key

    def keep(self, paths) -> None:
        """Only these commit files stay in ``files/`` (the rest were dropped from the dataset); ``stage/`` empties."""
        wanted = {file_key(p) for p in paths}
        if self._have is not None:
            for key in sorted(self._have - wanted):
                self.fs.rm_file(self._at(key))
            self._have &= wanted
        if self.fs.exists(self._at(STAGE)):
            self.fs.rm(self._at(STAGE), recursive=True)

    # -- a worker's side --------------------------------------------------------------------------

    def localise(self, job):
        """The job with its keys replaced by local paths: inputs downloaded (kept for later jobs),
        outputs to be written in a fresh local folder (:meth:`upload_outputs` sends them)."""
        return _mapped(job, self._fetch, self._local_outputs)

    def _local_outputs(self, out: dict[str, str]) -> dict[str, str]:
        folder = self.cache() / "out" / secrets.token_hex(6)
        local = {t: folder / t / Path(key).name for t, key in out.items()}
        for path in local.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        return {t: str(p) for t, p in local.items()}

    def upload_outputs(self, local, sent) -> None:
        """The files the job wrote (``local``: as :meth:`localise` gave it), uploaded to the keys ``sent`` named."""
        out = getattr(local, "out", None) or {}
        try:
            for table, path in out.items():
                if Path(path).exists():
                    self.fs.put_file(path, self._at(sent.out[table]))
        finally:
            if out:
                shutil.rmtree(Path(next(iter(out.values()))).parent.parent, ignore_errors=True)

    def _fetch(self, key: str) -> str:
        local = self.cache() / key
        if not local.exists():
            local.parent.mkdir(parents=True, exist_ok=True)
            tmp = local.with_name(f".{local.name}.{secrets.token_hex(4)}.tmp")
            self.fs.get_file(self._at(key), str(tmp))
            os.replace(tmp, local)
        return str(local)

    def cache(self) -> Path:
        """This worker's own folder for the files (the Dask worker's local directory when there is one)."""
        if self._cache is None:
            try:
                from distributed import get_worker

                base = Path(get_worker().local_directory)
            except (ImportError, ValueError):
                base = Path(tempfile.gettempdir())
            self._cache = Path(tempfile.mkdtemp(prefix="pipeline-storage-", dir=base))
        return self._cache

    def clear(self) -> None:
        """This worker's downloaded files go (at the end of an alignment: the next run's files differ)."""
        if self._cache is not None:
            shutil.rmtree(self._cache, ignore_errors=True)
            self._cache = None


def _mapped(job, file: Callable[[str], str], outputs: Callable[[dict], dict]):
    """``job`` with each file of its table views through ``file`` and its ``out`` through ``outputs``."""
    changes = {f.name: TableView(v.tables, {t: [file(p) for p in paths] for t, paths in v.paths.items()})
               for f in dataclasses.fields(job) if isinstance(v := getattr(job, f.name), TableView)}
    if getattr(job, "out", None):
        changes["out"] = outputs(job.out)
    return dataclasses.replace(job, **changes) if changes else job


def file_key(path) -> str:
    """A commit file's key in the storage: its table (the folder it is in) and its name."""
    path = Path(path)
    return f"{FILES}/{path.parent.name}/{path.name}"


def staged_key(path) -> str:
    """Where a worker puts the file reserved at ``path`` (``<staging>/<table>/<name>``)."""
    path = Path(path)
    return f"{STAGE}/{path.parent.parent.name}/{path.parent.name}/{path.name}"


_WORKER: dict[str, Exchange] = {}


def on_worker(url: str) -> Exchange:
    """This process's exchange for ``url`` (one per worker process, kept between jobs)."""
    if url not in _WORKER:
        _WORKER[url] = Exchange(url)
    return _WORKER[url]


def clear_worker() -> None:
    for exchange in _WORKER.values():
        exchange.clear()

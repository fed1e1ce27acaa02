"""Dask workers that share no folder with the flow: alignment's files go through S3 (issue 12).

A real S3 protocol server (moto's, on loopback), s3fs on the flow and on two worker processes
configured only through the environment, as a real cluster's workers would be
(``PIPELINE_DASK_STORAGE``, ``FSSPEC_S3_ENDPOINT_URL``, ``AWS_*``). The tables must equal a run
without a cluster, new documents must go through the same path, and the bucket must end holding
only files the dataset still has.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket

import pytest

from conftest import RAW
from incremental_support import assert_same_tables, run, tables

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.model]

BUCKET = "pipeline-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """An S3 endpoint with an empty bucket; yields the environment a client needs to reach it."""
    pytest.importorskip("s3fs")
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    try:
        yield env
    finally:
        server.stop()


@pytest.fixture()
def s3fs_here(s3, monkeypatch):
    """This process configured as the workers are (fsspec reads its variables at import: set them too)."""
    import fsspec

    for k, v in s3.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": s3["FSSPEC_S3_ENDPOINT_URL"]})
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    if not fs.exists(BUCKET):
        fs.mkdir(BUCKET)
    return fs


@pytest.fixture(scope="module")
def cluster(s3):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=40, env=s3) as cluster:
        yield cluster


def _commit_keys(out) -> set[str]:
    manifest = json.loads((out / ".current" / "manifest.json").read_text())
    return {f"{table}/{f['name']}" for table, files in manifest["tables"].items() for f in files}


def test_alignment_through_s3_equals_a_local_run(prefect_server, s3fs_here, cluster, tmp_path, monkeypatch):
    from distributed import Client

    from pipeline.align import index, scatter

    fs = s3fs_here
    monkeypatch.setattr(scatter, "MIN_CHUNK_DOCS", 1)  # a job per document: several jobs per pass
    monkeypatch.setattr(index, "REMOTE_BLOCK_GROUPS", 1)
    prefix = f"{BUCKET}/{tmp_path.name}"
    seeds = sorted(RAW.glob("*.txt"))
    raw = {side: tmp_path / f"raw-{side}" for side in ("here", "dask")}
    for folder in raw.values():
        folder.mkdir()
        for seed in seeds[:-1]:
            shutil.copy(seed, folder / seed.name)

    def both(**kwargs):
        monkeypatch.delenv("PIPELINE_DASK_STORAGE", raising=False)
        here = run(raw["here"], tmp_path / "here", **kwargs)
        monkeypatch.setenv("PIPELINE_DASK_STORAGE", f"s3://{prefix}")
        there = run(raw["dask"], tmp_path / "dask", dask_address=cluster.scheduler_address, **kwargs)
        assert_same_tables(tables(tmp_path / "dask"), tables(tmp_path / "here"))
        assert there.align_stats == here.align_stats
        return here, there

    def stored() -> set[str]:
        return {p[len(prefix) + 1:] for p in fs.find(prefix)}

    # The first run: every input file goes up, and the jobs' files come back through the bucket.
    both()
    first = stored()
    assert first and all(k.startswith("files/") for k in first), first  # stage/ emptied
    assert {k.removeprefix("files/") for k in first} <= _commit_keys(tmp_path / "dask")
    assert {"documents", "_model_mentions", "sentences"} <= {k.split("/")[1] for k in first}
    # A worker's downloads are its own and go when the alignment ends.
    with Client(cluster) as client:
        cached = client.run(lambda: [str(e._cache) for e in __import__("pipeline.runtime.storage",
                                                                       fromlist=["_"])._WORKER.values()])
    assert any(cached.values()) and all(c == ["None"] for c in cached.values() if c), cached
    # A new document: linked against the index on the workers, through the bucket again.
    fs.invalidate_cache()
    for folder in raw.values():
        shutil.copy(seeds[-1], folder / seeds[-1].name)
    here, there = both()
    assert there.n_extracted == 1 and there.align_stats["new_mentions"] > 0
    fs.invalidate_cache()
    second = stored()
    assert second - first, "the new document's files were not uploaded"
    assert {k.removeprefix("files/") for k in second} <= _commit_keys(tmp_path / "dask"), \
        "files the dataset dropped stayed in the bucket"

"""Scale-out: the flow's extraction batches on a real Dask cluster (2 worker processes, loopback).

The output must equal the single-process run of the same sources, and the NLP must have run on
the workers, not here.
"""

from __future__ import annotations

import pytest

from conftest import RAW
from incremental_support import assert_same_tables, model_calls, run, tables

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.model]  # a real Dask cluster


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=40) as cluster:
        yield cluster


def test_dask_run_equals_local_run(seed_run, cluster, tmp_path):
    from distributed import Client

    _, local_out = seed_run
    calls = model_calls()
    summary = run(RAW, tmp_path / "out", dask_address=cluster.scheduler_address, batch_docs=1, reuse=False)
    assert summary.n_extracted == 3
    assert model_calls() == calls, "the model ran in the flow's process, not on the cluster"
    with Client(cluster) as client:
        loaded = client.run(lambda: __import__("importlib").import_module("pipeline.extract.nlp").load_model.cache_info().misses)
    assert sum(loaded.values()) >= 1, loaded
    assert_same_tables(tables(tmp_path / "out"), tables(local_out))


# Alignment's per-document step on the cluster (pipeline.align.scatter): the 400 ECB+ articles of
# the shared run, on a copy of its output; in jobs of 64 documents on the cluster (seven per
# pass), in one chunk here: the tables must not depend on where the documents went, or with whom;
# the blocks of name groups are clustered in jobs on the cluster too, and the sources read there.
@pytest.mark.xdist_group("ecb400")  # beside the tests that share the 400-article run (tests/conftest.py)
def test_dask_alignment_equals_local_alignment(ecb400_run, cluster, tmp_path, monkeypatch):
    import json
    import shutil

    from distributed import Client

    from pipeline.align import index, scatter

    monkeypatch.setattr(scatter, "MIN_CHUNK_DOCS", 64)
    monkeypatch.setattr(index, "REMOTE_BLOCK_GROUPS", 1)  # the blocks' clustering in jobs too, however few
    info = json.loads((ecb400_run / ".current" / "manifest.json").read_text())["info"]
    raw = {}
    for side in ("here", "dask"):
        raw[side] = tmp_path / f"raw-{side}"
        shutil.copytree(info["raw_dir"], raw[side])  # same bytes; a new mtime: the run re-reads, extracts nothing
        shutil.copytree(ecb400_run, tmp_path / side, symlinks=True)
    address = cluster.scheduler_address

    def both(**kwargs):
        here = run(raw["here"], tmp_path / "here", **kwargs)
        there = run(raw["dask"], tmp_path / "dask", dask_address=address, **kwargs)
        assert_same_tables(tables(tmp_path / "dask"), tables(tmp_path / "here"))
        return here, there

    # A full re-alignment (every document through the jobs) ...
    here, there = both(realign=True)
    assert there.align_stats == here.align_stats and here.align_stats["new_mentions"] > 5_000
    assert there.sources_read == here.sources_read == 0  # copied, not changed: hashed (on the workers), not read
    with Client(cluster) as client:
        ran = client.run(lambda: bool(__import__("pipeline.align.index", fromlist=["_"])._PROCESS_CON))
    assert all(ran.values()), f"not every worker ran alignment jobs: {ran}"
    assert not index._PROCESS_CON, "the flow's process ran a job meant for the cluster"
    # ... new documents linked against the index (extracted on the workers too) ...
    for side in raw.values():
        for seed in sorted(RAW.glob("*.txt")):
            shutil.copy(seed, side / seed.name)
    here, there = both()
    assert there.n_extracted == here.n_extracted == 3
    with Client(cluster) as client:  # the sources were read on the workers (language identification loaded there)
        read = client.run(lambda: __import__("pipeline.ingest", fromlist=["_"])._load_language_identifier.cache_info().misses)
    assert sum(read.values()) >= 1, read
    # ... and documents that leave (a source rewritten without its first 40 articles).
    for side in raw.values():
        source = side / "articles.jsonl"
        source.write_text("".join(source.read_text(encoding="utf-8").splitlines(keepends=True)[40:]), encoding="utf-8")
    here, there = both()
    assert there.n_removed == here.n_removed == 40


def test_alignment_jobs_run_here_when_the_cluster_cannot_be_reached(caplog, monkeypatch):
    from pipeline.align import scatter
    from pipeline.runtime.process import free_port

    monkeypatch.setattr(scatter, "CONNECT_SECONDS", 1)
    with caplog.at_level("WARNING", logger="pipeline.align.scatter"):
        runner = scatter.runner(f"tcp://127.0.0.1:{free_port()}")
    assert isinstance(runner, scatter.Local)
    assert "cannot be reached" in caplog.text
    assert list(runner.map(lambda job, extra: (job, extra), [1, 2], "here")) == [(1, "here"), (2, "here")]

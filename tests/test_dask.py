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

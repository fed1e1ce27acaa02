"""Alignment's per-document step on local worker processes (``pipeline.align.scatter.OnProcesses``):
what a run on two cores does with a large enough change. The tables must not depend on it.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ECB
from pipeline.analysis import update
from pipeline.output import tables as tables_module
from incremental_support import assert_same_tables, run, tables

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.model]


# The 400 ECB+ articles of the shared run, on two copies of its output: one aligned in this process,
# one with its jobs (64 documents each) on two worker processes; a full re-alignment, then 60 more
# ECB+ articles (whose names old documents are swept again for), then documents that leave.
@pytest.mark.xdist_group("ecb400")  # beside the tests that share the 400-article run (tests/conftest.py)
def test_alignment_on_local_processes_equals_alignment_here(ecb400_run, tmp_path, monkeypatch):
    from pipeline.align import index, scatter

    monkeypatch.setattr(scatter, "MIN_CHUNK_DOCS", 64)
    monkeypatch.setattr(index, "LOCAL_PROCESSES_MIN_DOCS", 1)
    jobs = []
    real_map = scatter.OnProcesses.map
    monkeypatch.setattr(scatter.OnProcesses, "map", lambda self, fn, *a: jobs.append(fn.__name__) or real_map(self, fn, *a))
    info = json.loads((ecb400_run / ".current" / "manifest.json").read_text())["info"]
    raw = {}
    for side in ("here", "processes"):
        raw[side] = tmp_path / f"raw-{side}"
        shutil.copytree(info["raw_dir"], raw[side])
        shutil.copytree(ecb400_run, tmp_path / side, symlinks=True)

    def both(on_processes=True, **kwargs):
        here = run(raw["here"], tmp_path / "here", n_process=1, **kwargs)
        n = len(jobs)
        # The other side also rewrites mention rows and reads figures in small windows (a re-alignment
        # relinks every document): the tables must not depend on it either.
        with monkeypatch.context() as small:
            small.setattr(tables_module, "REWRITE_WINDOW_ROWS", 500)
            small.setattr(update, "WINDOW_DOCS", 7)
            there = run(raw["processes"], tmp_path / "processes", n_process=2, **kwargs)
        assert (len(jobs) > n) == on_processes, jobs[n:]
        assert_same_tables(tables(tmp_path / "processes"), tables(tmp_path / "here"))
        assert there.align_stats == here.align_stats
        return here

    assert both(realign=True).align_stats["new_mentions"] > 5_000
    more = ECB.read_text(encoding="utf-8").splitlines(keepends=True)[400:460]  # the next ECB+ articles
    for side in raw.values():
        (side / "more.jsonl").write_text("".join(more), encoding="utf-8")
    here = both()
    assert here.n_extracted == 60 and here.align_stats["documents_changed_by_sweep"] > 0
    assert "chunk_resweep" in jobs
    for side in raw.values():
        source = side / "articles.jsonl"
        source.write_text("".join(source.read_text(encoding="utf-8").splitlines(keepends=True)[40:]), encoding="utf-8")
    assert both(on_processes=False).n_removed == 40  # no document to step: no processes started

"""`pipeline run` with a temporary Prefect server of its own (PIPELINE_SERVER_IDLE_TIMEOUT=0): quiet, nothing left behind."""

from __future__ import annotations

import pytest

import os
import subprocess
import sys
from pathlib import Path

import psutil

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.model]  # a real `pipeline run` subprocess

ROOT = Path(__file__).resolve().parents[1]


def test_cli_run_is_quiet_and_leaves_no_process(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    article = next((ROOT / "raw").glob("*.txt"))
    (raw / article.name).write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # no server: the CLI starts one
    # A temporary server of its own, not the local one later runs would reuse (tests/test_local_server.py).
    env.update(PIPELINE_SERVER_IDLE_TIMEOUT="0", PREFECT_HOME=str(tmp_path / "prefect-home"))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children: set[int] = set()
    while proc.poll() is None:  # the temporary server is a child of the run while it lasts
        try:
            children.update(c.pid for c in psutil.Process(proc.pid).children(recursive=True))
        except psutil.Error:
            pass
        try:
            proc.wait(0.2)
        except subprocess.TimeoutExpired:
            pass
    stdout, stderr = proc.communicate()
    assert proc.returncode == 0, stderr
    assert "documents        1" in stdout and "errors           0" in stdout
    assert "Traceback" not in stderr and "database is locked" not in stderr, stderr
    assert (out / "mentions.parquet").exists()
    assert children, "the run started no temporary server"
    # Helpers of the run (a warm extraction worker, multiprocessing's resource tracker) end when it
    # ends, a moment after: give them that moment, then nothing of the run may be alive.
    alive = []
    for pid in children:
        try:
            alive.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    _, left = psutil.wait_procs(alive, timeout=10)
    assert not [p.pid for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE], [p.cmdline() for p in left]

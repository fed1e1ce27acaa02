"""`pipeline serve` for real: it starts a Prefect server, schedules the flow, picks up new articles.

One test, end to end, in a child process as `make serve` runs it: a real server on a loopback port
(its own PREFECT_HOME), a deployment with a 3-second interval, an article dropped into raw/ while it
runs, and a clean stop on SIGINT (Ctrl-C) that leaves no server behind. Bounded: ~30-60 s.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pandas as pd
import pytest

from incremental_support import SEEDS
from pipeline.runtime.process import free_port, port_open

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.model]  # a real `pipeline serve` subprocess

STEP_TIMEOUT = 150  # seconds for each wait; a loaded 2-core CI machine is slow to start a server


def doc_ids(out) -> set[str]:
    try:
        return set(pd.read_parquet(out / "documents.parquet", columns=["doc_id"]).doc_id)
    except (OSError, ValueError):  # not written yet
        return set()


def wait_for(condition, what: str, proc, log) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"serve exited ({proc.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {STEP_TIMEOUT}s:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def api(port: int, path: str, body: dict):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_serve_runs_on_schedule_and_picks_up_new_articles(tmp_path):
    raw, out, log = tmp_path / "raw", tmp_path / "processed", tmp_path / "serve.log"
    raw.mkdir()
    shutil.copy(SEEDS[0], raw / SEEDS[0].name)
    port = free_port()
    # Nothing of this session's Prefect set-up (test server, switched-off services) leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    command = [sys.executable, "-m", "pipeline", "serve", "--raw", str(raw), "--out", str(out),
               "--interval", "3", "--port", str(port), "--no-ui"]
    with open(log, "wb") as sink:
        proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: doc_ids(out) == {SEEDS[0].stem}, "first scheduled run", proc, log)
        shutil.copy(SEEDS[1], raw / SEEDS[1].name)
        wait_for(lambda: SEEDS[1].stem in doc_ids(out), "run that picks up the new article", proc, log)

        # In the run history: the run at start and at least one from the schedule, all of the deployment.
        completed = lambda: api(port, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}})  # noqa: E731
        wait_for(lambda: any(r["auto_scheduled"] for r in completed()), "completed scheduled run", proc, log)
        assert all(r["deployment_id"] for r in completed())
        documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
        assert documents.extracted_at[SEEDS[1].stem] > documents.extracted_at[SEEDS[0].stem]

        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
        assert "serve: stopped" in log.read_text()
        assert not port_open("127.0.0.1", port), "the Prefect server is still listening"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # only the group this test started
            proc.wait()

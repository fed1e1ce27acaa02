"""The local Prefect server `pipeline run` starts and later runs reuse: real runs, real servers, real kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline.runtime import local_server
from pipeline.runtime.process import free_port, healthy, port_open

pytestmark = [pytest.mark.slow, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[1]
IDLE = 4.0


def _env(home: Path, idle: float = IDLE, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PIPELINE_SERVER_IDLE_TIMEOUT=str(idle), **extra)
    return env


def _one_article(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    article = next((ROOT / "raw").glob("*.txt"))
    (raw / article.name).write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    return raw


def _run(raw: Path, out: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out), "--json"],
                          cwd=raw.parent, env=env, capture_output=True, text=True, timeout=300)


def _gone_within(record: local_server.Record, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not local_server.keeper_alive(record) and not port_open("127.0.0.1", record.port):
            return True
        time.sleep(0.25)
    return False


@pytest.mark.model
def test_runs_reuse_one_server_that_stops_itself_when_idle(tmp_path):
    home, raw = tmp_path / "home", _one_article(tmp_path)
    first = _run(raw, tmp_path / "out", _env(home))
    assert first.returncode == 0, first.stderr
    record = local_server.read_record(home)
    assert record is not None and local_server.keeper_alive(record)
    assert record.api_url.startswith("http://127.0.0.1:"), "loopback only"
    assert healthy(f"{record.api_url}/health")

    second = _run(raw, tmp_path / "out", _env(home))
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["n_reused"] == 1
    assert local_server.read_record(home) == record, "the second run started a server of its own"

    assert _gone_within(record, IDLE + 20), "the idle server did not stop"
    assert local_server.read_record(home) is None
    assert "idle for" in (home / local_server.LOG).read_text()


@pytest.mark.model
def test_a_killed_run_leaves_no_server_that_never_dies(tmp_path):
    home, raw = tmp_path / "home", _one_article(tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(tmp_path / "out")],
                           cwd=tmp_path, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (record := local_server.read_record(home)) is None or not healthy(f"{record.api_url}/health"):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before its server answered"
        time.sleep(0.1)
    run.send_signal(signal.SIGKILL)  # no cleanup of any kind in the run
    run.wait()
    assert local_server.keeper_alive(record), "the server should outlive the run (later runs reuse it)"
    assert _gone_within(record, IDLE + 20), "a killed run left a server that does not stop"
    assert local_server.read_record(home) is None


def _acquire_in_subprocess(home: Path, env: dict) -> str:
    """``server_for_run`` in a process of its own (the lease is held until that process exits)."""
    code = ("import os; from pipeline.runtime.prefect_server import server_for_run; "
            "print(server_for_run()() is not False, os.environ.get('PREFECT_API_URL'))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_stale_record_is_replaced(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = local_server.Record(free_port(), "http://127.0.0.1:9/api", dead.pid, 1.0, time.time(), sys.executable,
                                local_server._prefect_version(), "stale")
    local_server._write_record(home, stale)
    ok, url = _acquire_in_subprocess(home, _env(home)).split()
    record = local_server.read_record(home)
    try:
        assert ok == "True" and record is not None and record.token != "stale" and url == record.api_url
        assert healthy(f"{record.api_url}/health")
    finally:
        if record is not None:
            local_server.stop(home, record)
    assert _gone_within(record, 20)


def test_an_explicit_api_url_wins(tmp_path):
    home = tmp_path / "home"
    out = _acquire_in_subprocess(home, _env(home, PREFECT_API_URL="http://127.0.0.1:9/api"))
    assert out == "True http://127.0.0.1:9/api"
    assert local_server.read_record(home) is None and not (home / local_server.LOG).exists()

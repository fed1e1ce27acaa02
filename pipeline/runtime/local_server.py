"""A Prefect server shared by the batch runs of one project: started on first use, stopped when idle.

A batch run without ``PREFECT_API_URL`` needs a Prefect API. Starting one per run costs seconds
(Prefect's server code, its database migrations, uvicorn), more than the three sample articles
take to extract. So the first ``pipeline run`` starts one, detached, on loopback, and later runs
use it while it answers. Its files live in ``PREFECT_HOME`` (project-local: ``.prefect/``):

``local-server.json``
    the record: port, API URL, the keeper's pid and start time, the Python and Prefect it runs.
``local-server.lease``
    every run using the server holds a shared ``flock`` on it while it runs; the lock goes with the
    process, so a killed run holds nothing.
``local-server.start``
    serialises the runs that start or replace the server (two runs never start two).
``local-server.log``
    what the server printed.

The server is the child of a small *keeper* process (``python -m pipeline.runtime.local_server``)
that enforces the idle period itself: when no lease has been held for ``idle`` seconds
(``PIPELINE_SERVER_IDLE_TIMEOUT``) it takes the lease exclusively (so no run can start using the
server meanwhile), removes the record and stops the server. It also stops when the server dies,
when the record no longer names it (``make clean``, a run that replaced it) or on SIGTERM; the
server dies with it even on SIGKILL (:func:`~pipeline.runtime.process.die_with_parent`). Nothing
depends on the next run coming: a killed run leaves a server that stops on its own.

A run checks the record before reuse: the keeper alive (pid and start time, so a reused pid is
not mistaken for it), the same Python and Prefect, and ``/api/health`` answering; a server
still booting is waited for. Anything else is stale: stopped and replaced.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.metadata
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from pipeline.runtime.process import die_with_parent, free_port, healthy, wait_until_healthy

RECORD = "local-server.json"
LEASE = "local-server.lease"
START_LOCK = "local-server.start"
LOG = "local-server.log"
HOST = "127.0.0.1"
KEEPER_POLL = 1.0
STOP_TIMEOUT = 10.0
RECORD_GRACE = 10.0

_lease_fd: int | None = None  # this process's lease, held until it exits


@dataclass(frozen=True)
class Record:
    port: int
    api_url: str
    keeper_pid: int
    keeper_started: float  # psutil's create_time of the keeper: tells it from a later process with its pid
    started: float  # wall clock when it was started (a server still booting is waited for)
    python: str
    prefect: str
    token: str  # names this record; the keeper stops when the record on disk is another one


def acquire(home: Path, idle: float, startup_timeout: float) -> Callable[[], bool]:
    """Point this process at the project's local server, starting it if need be; returns a wait.

    Sets ``PREFECT_API_URL`` now, so the caller can go on importing while a new server boots; the
    returned function waits until the server answers (True) or gives up (False: the variable is
    removed again and the server stopped, so Prefect falls back to its own temporary server).
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    take_lease(home)
    with _exclusive(home / START_LOCK):
        record = read_record(home)
        if record is not None and not usable(record, startup_timeout):
            stop(home, record)
            record = None
        if record is None:
            record = start(home, idle)
    os.environ["PREFECT_API_URL"] = record.api_url

    def wait() -> bool:
        if wait_until_healthy(f"{record.api_url}/health", startup_timeout, lambda: keeper_alive(record)):
            return True
        os.environ.pop("PREFECT_API_URL", None)
        with _exclusive(home / START_LOCK):
            if read_record(home) == record:
                stop(home, record)
        return False

    return wait


def take_lease(home: Path) -> None:
    """A shared lock on the lease file, held until this process exits: the keeper waits for it."""
    global _lease_fd
    if _lease_fd is None:
        fd = os.open(home / LEASE, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children
        fcntl.flock(fd, fcntl.LOCK_SH)
        _lease_fd = fd


def usable(record: Record, startup_timeout: float) -> bool:
    """Alive, of this Python and Prefect, and answering (or still within its start-up time)."""
    if (record.python, record.prefect) != (sys.executable, _prefect_version()) or not keeper_alive(record):
        return False
    return healthy(f"{record.api_url}/health", timeout=2) or time.time() - record.started < startup_timeout


def start(home: Path, idle: float) -> Record:
    """Start a keeper (and through it the server) detached from this run; record it."""
    port = free_port(HOST)
    token = secrets.token_hex(8)
    with open(home / LOG, "ab") as log:
        keeper = subprocess.Popen(
            [sys.executable, "-m", "pipeline.runtime.local_server", "--home", str(home), "--port", str(port),
             "--idle", str(idle), "--token", token],
            cwd=home, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C on the run's terminal does not reach it; it outlives the run
        )
    record = Record(port, f"http://{HOST}:{port}/api", keeper.pid, _create_time(keeper.pid), time.time(),
                    sys.executable, _prefect_version(), token)
    _write_record(home, record)
    return record


def stop(home: Path, record: Record) -> None:
    """Stop a recorded keeper (it stops its server) and remove the record."""
    if read_record(home) == record:
        (home / RECORD).unlink(missing_ok=True)
    if not keeper_alive(record):
        return
    import psutil

    try:
        keeper = psutil.Process(record.keeper_pid)
        keeper.terminate()
        keeper.wait(STOP_TIMEOUT)
    except psutil.TimeoutExpired:
        keeper.kill()  # its server gets SIGTERM from the kernel (die_with_parent)
    except psutil.Error:
        pass


def read_record(home: Path) -> Record | None:
    try:
        return Record(**json.loads((Path(home) / RECORD).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def keeper_alive(record: Record) -> bool:
    return _create_time(record.keeper_pid) == record.keeper_started


def _create_time(pid: int) -> float | None:
    import psutil

    try:
        process = psutil.Process(pid)
        return None if process.status() == psutil.STATUS_ZOMBIE else process.create_time()
    except psutil.Error:
        return None


def _write_record(home: Path, record: Record) -> None:
    tmp = home / f".{RECORD}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(json.dumps(asdict(record)), encoding="utf-8")
    os.replace(tmp, home / RECORD)


def _prefect_version() -> str:
    return importlib.metadata.version("prefect")


class _exclusive:
    """An exclusive ``flock`` on ``path`` for a ``with`` block."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)  # releases the lock


# --- the keeper -------------------------------------------------------------------------------------

def server_command(port: int) -> list[str]:
    """Prefect's temporary server, the way Prefect starts it itself: uvicorn on its app factory."""
    prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
    return [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent), "--factory",
            "prefect.server.api.server:create_app", "--host", HOST, "--port", str(port),
            "--log-level", "error", "--lifespan", "on"]


def server_env() -> dict[str, str]:
    return {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


def keep(home: Path, port: int, idle: float, token: str, poll: float = KEEPER_POLL) -> int:
    """Run the server until it has been idle ``idle`` seconds (no lease held), then stop it."""
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopping.append(True))
    env = server_env()
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(server_command(port), env=env, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
    lease = os.open(home / LEASE, os.O_RDWR | os.O_CREAT, 0o600)
    launched = last_busy = time.monotonic()
    seen = False  # the run that started us writes the record just after: give it a moment
    reason = "signal"
    try:
        while not stopping:
            if server.poll() is not None:
                reason = f"server exited with code {server.returncode}"
                break
            record = read_record(home)
            if record is not None and record.token == token:
                seen = True
            elif seen or time.monotonic() - launched > RECORD_GRACE:
                reason = "record removed or replaced"
                break
            try:
                fcntl.flock(lease, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a run holds a lease
                last_busy = time.monotonic()
            else:
                if time.monotonic() - last_busy >= idle:
                    # Still holding the lease exclusively: no run can start using the server now.
                    (home / RECORD).unlink(missing_ok=True)
                    reason = f"idle for {idle:g}s"
                    _stop_child(server)
                    break
                fcntl.flock(lease, fcntl.LOCK_UN)
            time.sleep(poll)
    finally:
        _stop_child(server)
        record = read_record(home)
        if record is not None and record.token == token:
            (home / RECORD).unlink(missing_ok=True)
        os.close(lease)
    print(f"local Prefect server on port {port} stopped: {reason}", flush=True)
    return 0


def _stop_child(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.runtime.local_server", description=keep.__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--idle", type=float, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args(argv)
    return keep(args.home, args.port, args.idle, args.token)


if __name__ == "__main__":
    raise SystemExit(main())

"""Prefect servers the pipeline starts itself: for batch runs, and a scheduling one for ``serve``.

- :func:`server_for_run`: what a batch run without ``PREFECT_API_URL`` needs: the project's local
  server, reused across runs and stopped when idle (:mod:`pipeline.runtime.local_server`), or with
  ``PIPELINE_SERVER_IDLE_TIMEOUT=0`` a temporary one of its own (:func:`start_temporary_server_early`).
- :class:`PrefectServer`: ``prefect server start`` for ``make serve`` (scheduling needs a real server).

The temporary server and ``serve``'s are children that die with the run; all are waited for on
``/api/health``.

The temporary server, started before the pipeline is imported:

Prefect starts its own temporary server when a flow is called without ``PREFECT_API_URL``, after
the caller has imported everything, Prefect's server code included. Starting the same server
(uvicorn on Prefect's app factory) first, in its own process, lets its boot overlap our imports and
the worker start-up: ``make pipeline`` on three articles takes ~6 s instead of ~9.5 s.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable

from pipeline import settings
from pipeline.runtime.process import die_with_parent, free_port, healthy, port_open, wait_until_healthy
from pipeline.settings import configure_prefect

SERVER_STOP_TIMEOUT = 20.0


class ServerError(RuntimeError):
    """The Prefect server could not be started."""


def server_for_run() -> Callable[[], None]:
    """Give this batch run a Prefect API now; returns a function that waits until it answers.

    An explicit ``PREFECT_API_URL`` wins (nothing is started). Otherwise the project's local
    server is reused or started (its boot then overlaps the caller's imports); with an idle
    timeout of 0, a temporary server lives and dies with this run.
    """
    configure_prefect()
    if os.environ.get("PREFECT_API_URL"):
        return lambda: None
    idle = settings.current().server_idle_timeout
    if idle <= 0:
        return start_temporary_server_early()
    from pipeline.runtime import local_server

    timeout = float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])
    return local_server.acquire(Path(os.environ["PREFECT_HOME"]), idle, timeout)  # on failure Prefect starts its own


def start_temporary_server_early() -> Callable[[], None]:
    """Start a temporary Prefect server now, in its own process; returns a function that waits for it.

    A run without ``PREFECT_API_URL`` needs one, and Prefect would start it only when the flow is
    called, after this process has imported everything (Prefect's server code included, ~1.4 s):
    starting it first, the way Prefect does (uvicorn on Prefect's app factory, loopback, a free
    port), lets its ~3 s boot overlap our imports and the worker start-up. It stops when we exit.
    """
    configure_prefect()
    if os.environ.get("PREFECT_API_URL"):
        return lambda: None
    from pipeline.runtime.local_server import server_command, server_env

    port = free_port()
    server = subprocess.Popen(server_command(port), env=server_env(), preexec_fn=die_with_parent)
    api_url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = api_url

    def stop() -> None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

    atexit.register(stop)

    def wait() -> None:
        timeout = float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])
        if wait_until_healthy(f"{api_url}/health", timeout, lambda: server.poll() is None):
            return
        # Let Prefect start (and report on) its own temporary server instead.
        stop()
        os.environ.pop("PREFECT_API_URL", None)

    return wait


class PrefectServer:
    """``prefect server start`` as a child process in its own session (Ctrl-C reaches us, not it)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 4200, ui: bool = True):
        self.host, self.port, self.ui = host, port, ui
        self.url = f"http://{host}:{port}"
        self.api_url = f"{self.url}/api"
        self.home = Path(os.environ.get("PREFECT_HOME") or Path.cwd() / ".prefect").resolve()
        self.log_path = self.home / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float | None = None) -> None:
        timeout = settings.current().server_start_timeout if timeout is None else timeout
        if port_open(self.host, self.port):
            raise ServerError(
                f"{self.host}:{self.port} is already in use. If a Prefect server is running there, use it "
                f"with PREFECT_API_URL={self.api_url}; otherwise pass another --port."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port)],
                env=server_environment(self.home, self.ui), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent,
            )
        if wait_until_healthy(f"{self.api_url}/health", timeout, lambda: self.process.poll() is None, poll=0.5):
            return
        if self.process.poll() is not None:
            raise ServerError(f"the Prefect server exited with code {self.process.returncode}; see {self.log_path}")
        self.stop()
        raise ServerError(f"the Prefect server did not answer within {timeout:.0f}s; see {self.log_path}")

    def healthy(self) -> bool:
        return healthy(f"{self.api_url}/health")

    def stop(self, timeout: float = SERVER_STOP_TIMEOUT) -> None:
        """SIGTERM to the server's process group (it has workers), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


def server_environment(home: Path, ui: bool) -> dict[str, str]:
    """The server's environment: ours, without the batch-run switches that would stop it scheduling.

    :func:`pipeline.settings.configure_prefect` turns the server services off for one-off batch runs
    on the temporary server; a process started from one (a test, a flow) inherits that, and a
    server without its scheduler never runs a schedule. This server runs Prefect's standard services.
    """
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PREFECT_SERVER_SERVICES_") and k.endswith("_ENABLED"))}
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_HOME"] = str(home)
    if not (env.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or env.get("PREFECT_API_DATABASE_CONNECTION_URL")):
        # Not the prefect.db that batch runs' temporary servers open: two servers on one SQLite file lock each other.
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{home / 'serve.db'}"
    env["PREFECT_SERVER_UI_ENABLED"] = "true" if ui else "false"
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    return env

"""A temporary Prefect server for one batch run, started before the pipeline is imported.

Prefect starts its own temporary server when a flow is called without ``PREFECT_API_URL``, after
the caller has imported everything, Prefect's server code included. Starting the same server
(uvicorn on Prefect's app factory) first, in its own process, lets its boot overlap our imports and
the worker start-up: ``make pipeline`` on three articles takes ~6 s instead of ~9.5 s.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable

from pipeline.settings import configure_prefect


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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent), "--factory",
         "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "error", "--lifespan", "on"],
        env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"},
        preexec_fn=die_with_parent,
    )
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
        deadline = time.monotonic() + float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"{api_url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        # Let Prefect start (and report on) its own temporary server instead.
        stop()
        os.environ.pop("PREFECT_API_URL", None)

    return wait


def die_with_parent() -> None:
    """Linux: the server gets SIGTERM if `serve` itself dies (even by SIGKILL), so it is never orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

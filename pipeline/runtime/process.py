"""Small process and network helpers every long-lived child of a run shares.

A run starts child processes (a Prefect server, extraction workers) that must never outlive it,
and servers on loopback ports that must be found free and then waited for.
"""

from __future__ import annotations

import gc
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from typing import Callable


def imports_done() -> None:
    """End of a process's start-up: what it imported and loaded is kept out of garbage collection
    from now on (``gc.freeze``), and collection, off while importing, is back on.

    Imports (Prefect, pydantic, pyarrow; in a worker spaCy and its model) make hundreds of thousands
    of objects that live as long as the process; each full collection walks them all. Off while
    importing: ~0.15 s of Prefect's ~1.1 s import; frozen after: later collections walk only what
    the run makes. Collection is off only where the entry point turned it off (``python -m
    pipeline``, a worker's initialiser).
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def die_with_parent() -> None:
    """Linux: this process gets SIGTERM when its parent dies (even by SIGKILL), so it is never orphaned.

    Meant as ``preexec_fn`` of a child process or as the first call of a worker's initialiser.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the kernel's choice); racy by nature, so bind soon after."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def healthy(url: str, timeout: float = 2.0) -> bool:
    """``GET url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_healthy(url: str, timeout: float, alive: Callable[[], bool], poll: float = 0.05) -> bool:
    """Poll ``url`` until it answers 200 (True), the process dies or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        if healthy(url, timeout=1):
            return True
        time.sleep(poll)
    return False

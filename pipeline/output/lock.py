"""One run at a time per output directory.

A run holds an OS file lock (``flock`` through filelock) on ``processed/.lock`` from before it reads
the extraction cache until its tables are in place. The kernel drops the lock when the holder's
process ends, however it ends (``SIGKILL`` included), so a killed run never leaves a stale lock;
the lock file itself stays, empty, and means nothing on its own.

A second run waits (``wait`` seconds, printing who holds the lock) and then gives up with
:class:`RunLocked`. ``flock`` is reliable on local disks; on NFS keep one writer per directory.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

from pipeline.refusals import RunLocked, output_failed

__all__ = ["RunLocked", "describe_holder", "run_lock"]

LOCK_NAME = ".lock"
OWNER_NAME = ".lock.owner"  # who holds the lock: for the waiting run's message only


@contextmanager
def run_lock(out_dir: Path, wait: float | None, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output directory's lock; ``wait=None`` waits for ever, ``0`` fails at once.

    Raises :class:`RunLocked` when another run holds it, :class:`OutputFailed` when the directory
    or its lock file cannot be made (a file in the way, no permission, a full disk).
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(out_dir / LOCK_NAME, thread_local=False)
        lock.acquire(timeout=0)
    except Timeout:
        holder = describe_holder(out_dir)
        if wait == 0:
            raise RunLocked(f"another run is writing {out_dir} ({holder}); try again when it has finished") from None
        (notify or _stderr)(f"waiting for another run writing {out_dir} ({holder}) ...")
        try:
            lock.acquire(timeout=-1 if wait is None else wait)
        except Timeout:
            raise RunLocked(
                f"gave up after {wait:.0f}s waiting for another run writing {out_dir} ({describe_holder(out_dir)})"
            ) from None
    except OSError as exc:  # after Timeout, which is an OSError too
        raise output_failed(exc, f"create and lock the output directory {out_dir}", out_dir) from None
    owner = out_dir / OWNER_NAME
    try:
        try:
            owner.write_text(json.dumps({
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }))
        except OSError as exc:
            raise output_failed(exc, f"write {owner}", out_dir) from None
        yield
    finally:
        try:
            owner.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only or vanished directory: the lock below still goes with the process
        lock.release()


def describe_holder(out_dir: Path) -> str:
    try:
        info = json.loads((Path(out_dir) / OWNER_NAME).read_text())
        return f"pid {info['pid']} on {info['host']}, running since {info['since']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

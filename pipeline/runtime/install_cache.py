"""Files that describe the installed environment, kept beside it (``<venv>/.cache/pipeline/``).

What is derived from the installed code and libraries alone (the extraction version, the built
gazetteer) is computed once per environment, not once per run. It never holds article data, and
every run works without it: a folder that is not writable only means computing again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

CACHE_DIR = Path(sys.prefix) / ".cache" / "pipeline"


def write_atomically(path: Path, write: Callable[[Path], None]) -> bool:
    """Write ``path`` through ``write(tmp)`` and a rename, so a reader sees the old file or the whole
    new one, never a part (two runs may build the same file at once). False when the folder is not
    writable: the caller goes on with what it computed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False

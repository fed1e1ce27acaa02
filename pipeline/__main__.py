"""``python -m pipeline``: the command line.

Once the command is done, the process exits without the interpreter's teardown (freeing every
module's objects one by one: ~0.7 s after a run, a sixth of a three-article run). Everything a
normal exit does that matters still happens first: Python joins the threads and drains Prefect's
event queue, and every exit handler runs (workers shut down, a temporary Prefect server stopped);
this handler, registered before anything else, runs last.
"""

import atexit
import gc
import os
import sys

gc.disable()  # while importing: see pipeline.runtime.process.imports_done, which turns it back on

_code = [1]  # until main() returns: an exception that escapes it is a failure


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, a closed stream: nothing more to write there
            pass
    os._exit(_code[0])


atexit.register(_exit_now)

from pipeline.cli import main  # noqa: E402

try:
    _code[0] = main()
except SystemExit as exc:  # argparse's --help and usage errors
    _code[0] = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    raise
raise SystemExit(_code[0])

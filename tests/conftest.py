"""Shared fixtures: one Prefect test server per session, one real run over the sample articles, a
scratch rules folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import configure_prefect

ROOT = Path(__file__).resolve().parents[1]
configure_prefect(ROOT / ".prefect")

# A copy of ../shared/gold/seeds.json (the gold of the sample articles in raw/), so the suite runs
# in any clone; the corpora in ../shared are only used by `make eval` and `make bench`.
GOLD_SEEDS = ROOT / "tests" / "gold" / "seeds.json"
RAW = ROOT / "raw"


def pytest_collection_modifyitems(items):
    """A test that runs a flow needs the server, loads the model, and takes seconds: mark it so.

    A module whose fixtures run the model names them in ``MODEL_FIXTURES``; its tests that use one
    are marked ``model``, the others stay in the fast lane.
    """
    for item in items:
        if "prefect_server" in item.fixturenames:
            for marker in ("server", "model", "slow"):
                item.add_marker(marker)
        if set(getattr(item.module, "MODEL_FIXTURES", ())) & set(item.fixturenames):
            item.add_marker("model")


@pytest.fixture(scope="session")
def prefect_server():
    """Prefect's own test server (temporary database), started once: each start costs seconds.

    Not autouse: tests of pure functions don't pay for it; anything that runs a flow asks for it.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def seed_run(prefect_server, tmp_path_factory):
    """The real flow over the three sample articles in raw/; returns (summary, out_dir)."""
    from pipeline.flows import extract_corpus

    out = tmp_path_factory.mktemp("processed")
    summary = extract_corpus(RAW, out, progress=False)
    return summary, out


@pytest.fixture(scope="session")
def gold():
    from pipeline.tools.metrics import load_gold

    return load_gold(GOLD_SEEDS)


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    """An empty rules folder in place of rules/: a test writes a malformed file there and loads it."""
    from pipeline import rulefiles

    monkeypatch.setattr(rulefiles, "RULES_DIR", tmp_path)
    rulefiles.read_toml.cache_clear()
    yield tmp_path
    rulefiles.read_toml.cache_clear()

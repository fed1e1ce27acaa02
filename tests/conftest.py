"""Shared fixtures: one Prefect test server per session, one real run over the sample articles, one
over 400 ECB+ articles and a hostile one, a scratch rules folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.settings import configure_prefect

ROOT = Path(__file__).resolve().parents[1]
# `make test` runs the suite in two pytest-xdist workers ("gw0", "gw1"). Each has a Prefect home of
# its own: the local server an in-process `pipeline run` starts, its lease and Prefect's files are
# not shared with the other worker's tests (set before anything imports Prefect).
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    home = Path(os.environ.get("PREFECT_HOME") or ROOT / ".prefect") / "workers" / WORKER
    home.mkdir(parents=True, exist_ok=True)  # Prefect makes the last folder only
    os.environ["PREFECT_HOME"] = str(home)
configure_prefect(ROOT / ".prefect")

# A copy of ../shared/gold/seeds.json (the gold of the sample articles in raw/), so the suite runs
# in any clone; the corpora in ../shared are only used by `make eval` and `make bench`.
GOLD_SEEDS = ROOT / "tests" / "gold" / "seeds.json"
RAW = ROOT / "raw"
# The corpora are beside the clone (../shared), not in it: tests that need them skip without them.
ECB = ROOT.parent / "shared" / "corpora" / "ecbplus" / "docs.jsonl"
# An article whose every field is markup that would run if a page did not escape it.
HOSTILE_TEXT = ('Mayor <script>window.__pwned = 1</script> Jane Doe of Springfield said on Monday the city paid '
                '$2 million. "><img src=x onerror="window.__pwned = 2"> Jane Doe left Springfield on Tuesday.')
HOSTILE = {"id": 'evil"><img src=x onerror="window.__pwned=3">', "title": '<script>window.__pwned=4</script>"><img src=x onerror="window.__pwned=5">',
           "text": HOSTILE_TEXT}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups into the node ids
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
    if WORKER:
        _schedule(items)


def _schedule(items) -> None:
    """How pytest-xdist (``--dist loadgroup --no-loadscope-reorder``) hands tests to its workers.

    A test keeps to its file's worker unless it names an ``xdist_group`` (the linear-time tests
    share one, "timing", and run one after another, not beside each other; the page tests share the
    400-article run, "ecb400"): a file's module fixtures are made once. The groups that hold slow
    tests are handed out first, so the run does not end with one worker alone on a slow file.
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
    group = {item: item.get_closest_marker("xdist_group").args[0] for item in items}
    first = {}
    for i, item in enumerate(items):
        first.setdefault(group[item], i)
    slow = {group[item] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (group[item] not in slow, first[group[item]]))


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


def run_articles(raw_files: list[Path], articles: list[dict], raw: Path, out: Path) -> Path:
    """The real flow over copies of ``raw_files`` and ``articles`` (one jsonl file) in ``raw``."""
    import json
    import shutil

    from pipeline.flows import extract_corpus

    for path in raw_files:
        shutil.copy(path, raw / path.name)
    with (raw / "articles.jsonl").open("w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(a) + "\n")
    extract_corpus(raw, out, progress=False)
    return out


@pytest.fixture(scope="session")
def ecb400_run(prefect_server, tmp_path_factory):
    """The real flow over the first 400 ECB+ articles and :data:`HOSTILE`: the scale at which the
    explorer and the report must stay usable (about 40 s: run once for both). The tables are not
    touched: the explorer adds its explore.db beside them, as `make explore` does; the report is
    written elsewhere."""
    import json

    if not ECB.exists():
        pytest.skip("ECB+ not found under ../shared/corpora")
    articles = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()[:400]] + [HOSTILE]
    return run_articles([], articles, tmp_path_factory.mktemp("ecb400-raw"), tmp_path_factory.mktemp("ecb400-processed"))


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

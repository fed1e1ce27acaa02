"""Runs that overlap or die: the lock holds, a killed run never damages the previous tables.

Kills are real ``SIGKILL``s of real processes; the lock is the real OS lock, held by another process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pandas as pd
import pyarrow as pa
import pytest

from incremental_support import SEEDS, run
from pipeline import cli, dataset
from pipeline.output import store
from pipeline.output.lock import RunLocked
from pipeline.schema import TABLES, validate

ARTICLE = (
    "The city council of {city} approved a budget of ${amount} million on {day} for a new tram line, "
    "the mayor, {person}, told reporters. Construction is due to start in {month} and the line should "
    "open to passengers two years later, according to the transport department.\n"
)
FILLERS = [
    dict(city="Leeds", amount=120, day="Monday", person="Alice Carter", month="May"),
    dict(city="Bristol", amount=85, day="Tuesday", person="Tom Evans", month="June"),
    dict(city="Glasgow", amount=240, day="Wednesday", person="Fiona Reid", month="July"),
    dict(city="Cardiff", amount=60, day="Thursday", person="Gareth Hughes", month="August"),
    dict(city="Belfast", amount=95, day="Friday", person="Niamh Kelly", month="September"),
    dict(city="Norwich", amount=45, day="Monday", person="Paul Wright", month="October"),
]


def snapshot(out) -> dict[str, str]:
    """Content hash of every file readers see: "intact" means byte for byte."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for table in sorted(out.glob("*.parquet")) for p in sorted(table.glob("*.parquet"))}


@pytest.fixture
def api_env(prefect_server):
    """Environment for a child process: it reports to the session's test server (no server start of its own)."""
    from prefect.settings import PREFECT_API_URL

    return dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value())


@pytest.fixture
def base(prefect_server, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    shutil.copy(SEEDS[0], raw / SEEDS[0].name)
    run(raw, out)
    return raw, out


HOLD_LOCK = textwrap.dedent("""
    import sys
    from pipeline.output.lock import run_lock
    with run_lock(sys.argv[1], 600):
        print("held", flush=True)
        sys.stdin.readline()
""")


def test_second_run_waits_for_the_lock_or_fails_clearly(base, capsys):
    raw, out = base
    before = snapshot(out)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLocked, match=f"another run is writing .*pid {holder.pid}"):
            run(raw, out, lock_wait=0)
        assert cli.main(["run", "--raw", str(raw), "--out", str(out), "--wait", "0", "--no-progress"]) == 3
        assert "another run is writing" in capsys.readouterr().err
        assert snapshot(out) == before

        release = threading.Timer(2.0, lambda: (holder.stdin.write("\n"), holder.stdin.flush()))
        release.start()
        started = time.monotonic()
        summary = run(raw, out, lock_wait=60)
        assert time.monotonic() - started >= 1.5, "the run did not wait for the holder"
        assert summary.counts["documents"] == 1
        assert "waiting for another run" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def test_killed_run_leaves_previous_tables_and_next_run_completes(base, api_env):
    raw, out = base
    before = snapshot(out)
    for i, fields in enumerate(FILLERS):
        (raw / f"tram-{i}.txt").write_text(ARTICLE.format(**fields), encoding="utf-8")
    for path in SEEDS[1:]:
        shutil.copy(path, raw / path.name)
    added = len(FILLERS) + len(SEEDS) - 1
    entries = lambda: len(list((out / store.LAKE / "spool").glob("*/_keys.parquet")))  # noqa: E731
    cached_before = entries()

    script = ("import sys; from pipeline.flows import extract_corpus; "
              "extract_corpus(sys.argv[1], sys.argv[2], batch_docs=1, progress=False)")
    child = subprocess.Popen([sys.executable, "-c", script, str(raw), str(out)], env=api_env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while entries() == cached_before:  # mid-extraction: one new document done, others not
            assert child.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run never got to extraction"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()

    assert snapshot(out) == before, "a killed run changed the previous tables"
    summary = run(raw, out, lock_wait=0)  # the dead run's lock is gone with its process
    assert summary.counts["documents"] == 1 + added
    assert summary.n_resumed > 0 and summary.n_extracted + summary.n_resumed == added, \
        "the next run should resume from what the killed run had extracted"
    assert not list((out / store.LAKE / "spool").glob("*")) and not list((out / store.LAKE / store.STAGING).glob("*"))
    for name in TABLES:
        assert validate(name, dataset.read_table(out, name)) == [], name


KILL_AFTER = textwrap.dedent("""
    import os, shutil, signal, sys
    import pyarrow as pa
    from pipeline.output import store
    out, tag, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    calls = [0]
    def killing(real):
        def step(*args, **kwargs):
            calls[0] += 1
            if calls[0] > after:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return step
    commit = store.Commit(out, store.current(out))
    for table in ("entities", "errors"):
        commit.replace(table, pa.table({"name": [tag]}))
    os.replace, os.link, shutil.rmtree = killing(os.replace), killing(os.link), killing(shutil.rmtree)
    commit.commit({}, public=("entities", "errors"))
""")


def write(out, tag: str) -> None:
    commit = store.Commit(out, store.current(out))
    for table in ("entities", "errors"):
        commit.replace(table, pa.table({"name": [tag]}))
    commit.commit({}, public=("entities", "errors"))


def visible(out) -> set[str]:
    """What a reader sees: {"old"} or {"new"}; both would be half a run."""
    return {pd.read_parquet(out / f"{t}.parquet").name[0] for t in ("entities", "errors")}


# The file-system steps of a commit, in order: move the new files into the snapshot being built
# (1, 2), move it into place (3), the table links (no-ops once they exist), swap .current (4: the
# commit); then staging and old snapshots are dropped. Killed before the swap: the old tables, untouched;
# after it: the new ones. Never a mix, with or without a recovery.
@pytest.mark.parametrize("after, expected", [(0, "old"), (1, "old"), (2, "old"), (3, "old"), (4, "new")])
def test_kill_at_any_step_of_the_commit(tmp_path, after, expected):
    out = tmp_path / "processed"
    for _ in range(2):  # two snapshots: the next commit has an old one to drop
        write(out, "old")
    child = subprocess.run([sys.executable, "-c", KILL_AFTER, str(out), "new", str(after)], capture_output=True)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    assert visible(out) == {expected}
    store.recover(out)
    assert visible(out) == {expected}
    assert not list((out / store.LAKE / store.STAGING).glob("*"))
    assert not list((out / store.LAKE / store.SNAPSHOTS).glob("*.tmp"))
    write(out, "new")
    assert visible(out) == {"new"}


def test_a_pinned_snapshot_outlives_later_runs(tmp_path):
    """A reader that pinned a snapshot reads it whole, whatever is published meanwhile."""
    out = tmp_path / "processed"
    write(out, "old")
    pinned = dataset.path(out)
    for _ in range(store.KEEP_LAST - 1):  # the last few snapshots are kept, whenever they were made
        write(out, "new")
    assert visible(out) == {"new"}
    assert pd.read_parquet(pinned / "entities").name[0] == "old"

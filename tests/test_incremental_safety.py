"""Runs that overlap or die: the lock holds, a killed run never damages the previous tables.

Kills are real ``SIGKILL``s of real processes; the lock is the real OS lock, held by another process.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from incremental_support import SEEDS, run
from pipeline import cli
from pipeline.output import store
from pipeline.output.cache import CACHE_DIR
from pipeline.output.lock import RunLocked
from pipeline.schema import Entity, ErrorRow, TABLES, validate

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
    """Content hash of every table file: "intact" means byte for byte."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.glob("*.parquet"))}


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
    entries = lambda: len(list((out / CACHE_DIR).glob("*/*.pkl")))  # noqa: E731
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
    assert 0 < summary.n_extracted < added, "the next run should resume from what the killed run cached"
    assert not list(out.glob(".staging-*"))
    for name in TABLES:
        assert validate(name, store.read_table(out, name)) == [], name


KILL_AFTER = textwrap.dedent("""
    import os, pickle, shutil, signal, sys
    from pipeline.output import store
    out, partitions, after = sys.argv[1], int(sys.argv[2]) or None, int(sys.argv[3])
    calls = [0]
    def killing(real):
        def step(*args, **kwargs):
            calls[0] += 1
            if calls[0] > after:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return step
    os.replace, shutil.rmtree = killing(os.replace), killing(shutil.rmtree)
    store.write_tables(out, pickle.loads(sys.stdin.buffer.read()), partitions)
""")


def tables_of(tag: str) -> dict:
    return {
        "entities": [Entity(f"E{tag}{i}", f"{tag} {i}", "ORG", [f"{tag} {i}"], 1, 1, [f"d{i}"]) for i in range(5)],
        "errors": [ErrorRow(f"{tag}.txt", None, "ingest", f"{tag} reason")],
    }


def visible(out) -> set[str]:
    """What a reader sees: {"old"} or {"new"}; both would be half a run."""
    columns = {"entities": "name", "errors": "source_path"}
    return {store.read_table(out, t).column(c)[0].as_py()[:3] for t, c in columns.items()}


# The file-system steps of a write, in order: move the staged version in (1), drop the staging
# name (2), swap the .current link (3: the commit), drop the oldest version (4). A layout change
# first adds one link per table, dangling until the swap. Killed before the swap: the old tables,
# untouched; after it: the new ones. Never a mix, with or without a recovery.
@pytest.mark.parametrize("old_parts, new_parts, after, expected", [
    (0, 0, 0, "old"), (0, 0, 1, "old"), (0, 0, 2, "old"), (0, 0, 3, "new"),
    (0, 3, 4, "old"), (0, 3, 5, "new"),  # switching to the partitioned layout
])
def test_kill_at_any_step_of_the_table_swap(tmp_path, old_parts, new_parts, after, expected):
    out = tmp_path / "processed"
    for _ in range(2):  # two versions: the next write has an old one to drop
        store.write_tables(out, tables_of("old"), old_parts or None)
    child = subprocess.run([sys.executable, "-c", KILL_AFTER, str(out), str(new_parts), str(after)],
                           input=pickle.dumps(tables_of("new")), capture_output=True)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    assert visible(out) == {expected}
    store.recover(out)
    assert visible(out) == {expected}
    assert not list(out.glob(".staging-*"))
    store.write_tables(out, tables_of("new"), new_parts or None)
    assert visible(out) == {"new"} and len(list((out / ".data").iterdir())) == 2


def test_plain_table_files_of_older_versions_are_adopted(tmp_path):
    import pyarrow.parquet as pq

    from pipeline.schema import to_table

    out = tmp_path / "processed"
    out.mkdir()
    for name, rows in tables_of("old").items():  # what the pipeline wrote before versions and links
        pq.write_table(to_table(name, rows), out / f"{name}.parquet")
    store.recover(out)
    assert all((out / f"{name}.parquet").is_symlink() for name in ("entities", "errors"))
    assert visible(out) == {"old"}
    store.write_tables(out, tables_of("new"))
    assert visible(out) == {"new"}

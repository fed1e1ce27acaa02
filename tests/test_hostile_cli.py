"""Every refusal of `pipeline run` is one `error:` line and its own exit code; a failed run leaves the
output directory as the last good run left it, byte for byte and no fuller.

The full disk is real where the test may mount a small tmpfs (root); a simulated ENOSPC in the
table writer runs everywhere.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli
from pipeline.refusals import REFUSALS

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted((ROOT / "raw").glob("*.txt"))[0]


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr and "ERROR" not in stderr
    return lines[0]


def refused(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(["run", *argv])
    return code, one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("argv, message", [
    (["--wait", "-1"], "argument --wait: '-1' must be a number >= 0"),
    (["--wait", "soon"], "argument --wait: 'soon' is not a number"),
    (["--processes", "0"], "argument --processes: '0' must be a number >= 1"),
    (["--processes", "two"], "argument --processes: 'two' is not an integer"),
    (["--wait", "nan"], "argument --wait: 'nan' must be a number >= 0"),
    (["--no-such-option"], "unrecognized arguments: --no-such-option"),
])
def test_bad_arguments_exit_2(capsys, tmp_path, argv, message):
    code, line = refused(capsys, "--raw", str(tmp_path), "--out", str(tmp_path / "out"), *argv)
    assert code == 2 and message in line
    assert not (tmp_path / "out").exists()


def test_a_malformed_setting_exits_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_LOCK_WAIT", "soon")
    code, line = refused(capsys, "--raw", str(tmp_path), "--out", str(tmp_path / "out"))
    assert (code, line) == (2, "error: PIPELINE_LOCK_WAIT='soon' is not a valid float")


def test_a_missing_input_folder_exits_4(capsys, tmp_path):
    assert refused(capsys, "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out")) == \
        (4, f"error: input folder not found: {tmp_path / 'nope'}")
    (tmp_path / "file").write_text("x")
    assert refused(capsys, "--raw", str(tmp_path / "file"), "--out", str(tmp_path / "out")) == \
        (4, f"error: input folder is not a directory: {tmp_path / 'file'}")


@pytest.mark.slow
def test_an_output_that_cannot_be_made_exits_5(prefect_server, capsys, tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "a-file").write_text("x")
    code, line = refused(capsys, "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "a-file" / "out"))
    assert code == 5 and line == f"error: cannot create and lock the output directory {tmp_path / 'a-file' / 'out'}: Not a directory"


def test_readme_lists_every_exit_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", readme.split("## Exit codes")[1].split("\n## ")[0], flags=re.M))
    for refusal in REFUSALS:
        assert table.get(str(refusal.exit_code)) == refusal.meaning, refusal.__name__
    assert {"0", "1", "130", "141"} <= set(table)


# --- real runs: a subprocess of `pipeline run`, reporting to the session's test server -------------------

@pytest.fixture
def api_env(prefect_server):
    from prefect.settings import PREFECT_API_URL

    return dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value())


def pipeline_run(env, raw, out, *extra, prelude: str = "") -> subprocess.CompletedProcess:
    """``python -m pipeline run`` in a child process; ``prelude`` runs first (to break the writer)."""
    script = prelude + "\nimport sys\nfrom pipeline.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", script, "run", "--raw", str(raw), "--out", str(out), "--no-progress",
                           *extra], env=env, capture_output=True, text=True, timeout=300)


def state(out: Path) -> dict[str, str]:
    """Every file and directory under ``out`` (the lock file aside), with a hash of its bytes."""
    found = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if rel in (".lock",):
            continue
        found[rel] = ("link:" + os.readlink(path)) if path.is_symlink() else (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir")
    return found


HOLD_LOCK = textwrap.dedent("""
    import sys
    from pipeline.output.lock import run_lock
    with run_lock(sys.argv[1], 600):
        print("held", flush=True)
        sys.stdin.readline()
""")


@pytest.mark.slow
def test_lock_busy_exits_3_with_one_line(api_env, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(SEED, raw / SEED.name)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        child = pipeline_run(api_env, raw, out, "--wait", "0")
    finally:
        holder.kill()
        holder.wait()
    assert child.returncode == 3, child.stderr
    assert one_error_line(child.stderr).startswith(f"error: another run is writing {out} (pid {holder.pid} on ")


# Every parquet write fails as on a full disk, after writing part of its file.
ENOSPC_IN_PARQUET_WRITER = textwrap.dedent("""
    import errno, os
    import pyarrow.parquet as pq
    real = pq.write_table
    def write_table(table, where, **kwargs):
        real(table.slice(0, 1), where, **kwargs)  # some bytes on disk, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    pq.write_table = write_table
""")

NOTHING_PUBLISHED = ("nothing was published: the tables of the last good run are unchanged and this run's "
                     "partial files were removed")


@pytest.mark.slow
def test_a_failing_write_exits_5_and_leaves_the_last_run(api_env, tmp_path):
    """The spool (a new article's extracted rows) and the staged table files (an article removed:
    files rewritten without it) each fail; the output directory stays the last good run's."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(SEED, raw / SEED.name)
    (raw / "second.txt").write_text(SEED.read_text(encoding="utf-8").replace("the", "a"), encoding="utf-8")
    assert pipeline_run(api_env, raw, out).returncode == 0
    before = state(out)

    (raw / "third.txt").write_text(SEED.read_text(encoding="utf-8").replace("the", "one"), encoding="utf-8")
    child = pipeline_run(api_env, raw, out, prelude=ENOSPC_IN_PARQUET_WRITER)
    assert child.returncode == 5, child.stderr
    line = one_error_line(child.stderr)
    assert line.startswith(f"error: cannot write the documents extracted in {out / '.lake' / 'spool'}: "
                           "disk full (No space left on device; "), line
    assert line.endswith(NOTHING_PUBLISHED)
    assert state(out) == before  # no staging, no spool, no new snapshot

    (raw / "third.txt").unlink()
    (raw / "second.txt").unlink()
    child = pipeline_run(api_env, raw, out, prelude=ENOSPC_IN_PARQUET_WRITER)
    assert child.returncode == 5, child.stderr
    line = one_error_line(child.stderr)
    assert line.startswith(f"error: cannot write the tables in {out}: disk full (No space left on device; "), line
    assert line.endswith(NOTHING_PUBLISHED)
    assert state(out) == before

    child = pipeline_run(api_env, raw, out)  # the writer works again: the removal is published
    assert child.returncode == 0, child.stderr
    assert set(pd.read_parquet(out / "documents.parquet").doc_id) == {SEED.stem}


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs, the real thing: mounting needs root (else the test skips)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", f"pipeline-test-{uuid.uuid4().hex[:6]}",
                             str(mount)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A file that leaves ``leave`` bytes free on ``disk``."""
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    free = shutil.disk_usage(disk).free
    with open(filler, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, max(free - leave, 1))
    return filler


@pytest.mark.slow
def test_a_full_disk_exits_5_and_leaves_the_disk_as_the_last_good_run(api_env, small_disk):
    raw, out = small_disk.parent / "raw", small_disk / "out"
    raw.mkdir()
    text = SEED.read_text(encoding="utf-8")
    shutil.copy(SEED, raw / SEED.name)
    (raw / "second.txt").write_text(text.replace("the", "a"), encoding="utf-8")
    assert pipeline_run(api_env, raw, out).returncode == 0
    before, used = state(out), shutil.disk_usage(small_disk).used

    # 1. New articles: their extracted rows (the spool) fill the disk.
    filler = fill(small_disk, leave=24 * 1024)  # room for the lock's note and a file or two, not for a batch
    used_full = shutil.disk_usage(small_disk).used
    for i in range(3):
        (raw / f"new-{i}.txt").write_text(text.replace("the", f"the{i}"), encoding="utf-8")
    child = pipeline_run(api_env, raw, out)
    assert child.returncode == 5, child.stderr
    line = one_error_line(child.stderr)
    assert line.startswith(f"error: cannot write the documents extracted in {out / '.lake' / 'spool'}: disk full"), line
    assert line.endswith(NOTHING_PUBLISHED)
    assert state(out) == before and shutil.disk_usage(small_disk).used == used_full

    # 2. Nothing new to extract, an article removed: the staged table files fill the disk.
    for i in range(3):
        (raw / f"new-{i}.txt").unlink()
    (raw / "second.txt").unlink()
    filler = fill(small_disk, leave=12 * 1024)
    used_full = shutil.disk_usage(small_disk).used
    child = pipeline_run(api_env, raw, out)
    assert child.returncode == 5, child.stderr
    line = one_error_line(child.stderr)
    assert line.startswith(f"error: cannot write the tables in {out}: disk full"), line
    assert state(out) == before and shutil.disk_usage(small_disk).used == used_full

    # Space again: the next run publishes, and the disk holds what a good run holds.
    filler.unlink()
    child = pipeline_run(api_env, raw, out)
    assert child.returncode == 0, child.stderr
    assert set(pd.read_parquet(out / "documents.parquet").doc_id) == {SEED.stem}
    assert shutil.disk_usage(small_disk).used <= used + 256 * 1024  # a new snapshot beside the last (kept a while)


# --- the commit itself fails (after the staged files are written) -----------------------------------

def _committed(root: Path, tables: dict) -> None:
    import pyarrow as pa

    from pipeline.output import store

    commit = store.Commit(root, store.current(root))
    for name, values in tables.items():
        commit.write(name, pa.table({"x": values}))
    commit.commit({}, public=list(tables))


@pytest.mark.parametrize("breaks", ["manifest", "b.parquet", ".current"])
def test_a_failing_commit_leaves_the_last_snapshot(tmp_path, monkeypatch, breaks):
    """Whatever step of publishing fails (writing the manifest, a new table's fixed link, the
    commit point), the directory is byte for byte the last good run's: the new snapshot, the new
    link and the temporary link are removed again."""
    import errno

    import pyarrow as pa

    from pipeline.output import store
    from pipeline.refusals import OutputFailed

    root = tmp_path / "out"
    _committed(root, {"a": [1, 2]})
    before = state(root)
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if breaks == "manifest":
        monkeypatch.setattr(store, "_fsync", lambda paths: (_ for _ in ()).throw(full))
    else:
        real_replace = os.replace

        def replace(src, dst):
            if Path(dst).name == breaks:
                raise full
            return real_replace(src, dst)
        monkeypatch.setattr(os, "replace", replace)
    commit = store.Commit(root, store.current(root))
    commit.write("a", pa.table({"x": [3]}))
    commit.write("b", pa.table({"x": [4]}))  # a new table: a new fixed link
    with pytest.raises(OutputFailed, match=r"cannot publish the tables in .*: disk full \(No space left on device; "):
        commit.commit({}, public=["a", "b"])
    assert state(root) == before
    assert store.current(root).rows("a") == 2

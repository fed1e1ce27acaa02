"""``python -m pipeline`` exits without the interpreter's teardown: what a normal exit does that
matters must still happen (exit codes, flushed output, exit handlers, threads joined)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def _run_main_with(body: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """``python -m pipeline`` with ``pipeline.cli.main`` replaced by ``body``'s ``main``."""
    script = textwrap.dedent("""
        import runpy, sys
        import pipeline.cli
    """) + textwrap.dedent(body) + textwrap.dedent("""
        pipeline.cli.main = main
        sys.argv = ["pipeline"]
        runpy.run_module("pipeline", run_name="__main__")
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)


def test_an_exception_escaping_main_is_a_failure(tmp_path):
    done = _run_main_with("""
        def main():
            raise RuntimeError("a bug")
    """, tmp_path)
    assert done.returncode == 1
    assert "RuntimeError: a bug" in done.stderr


def test_the_code_main_returns_is_the_exit_code(tmp_path):
    done = _run_main_with("""
        def main():
            return 3
    """, tmp_path)
    assert done.returncode == 3


def test_exit_handlers_threads_and_output_all_finish(tmp_path):
    done = _run_main_with("""
        import atexit, threading, time
        from pathlib import Path
        def main():
            atexit.register(lambda: Path("handler-ran").write_text("yes"))
            def late():
                time.sleep(0.3)
                Path("thread-ran").write_text("yes")
            threading.Thread(target=late).start()  # not a daemon: Python waits for it
            sys.stdout.write("x" * 200_000)  # buffered: flushed before the process ends
            return 0
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) == 200_000
    assert (tmp_path / "handler-ran").read_text() == "yes"
    assert (tmp_path / "thread-ran").read_text() == "yes"


def test_help_and_usage_errors_keep_their_codes(capsys):
    import pytest

    from pipeline.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    expected = capsys.readouterr().out
    help_run = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, timeout=60)
    assert help_run.returncode == 0
    assert help_run.stdout == expected  # all of it: written out before the quick exit
    bad = subprocess.run([sys.executable, "-m", "pipeline", "run", "--no-such-option"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2
    assert "--no-such-option" in bad.stderr


def test_collection_comes_back_on_after_imports_with_what_was_loaded_frozen():
    """``python -m pipeline`` imports with the cyclic collector off; imports_done() freezes what
    was loaded and turns it back on (a run must not go on without it: its memory would grow)."""
    import gc

    from pipeline.runtime.process import imports_done

    was = gc.get_freeze_count()
    gc.disable()
    try:
        imports_done()
        assert gc.isenabled() and gc.get_freeze_count() > was
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_run_from_the_command_line_has_the_collector_on_during_the_flow(tmp_path):
    code = ("import gc, sys; sys.argv = ['pipeline', 'run', '--raw', 'raw', '--out', sys.argv[1], '--no-progress']; "
            "import pipeline.flows as F; real = F.extract_corpus.fn; "
            "F.extract_corpus.fn = lambda *a, **k: print('gc', gc.isenabled()) or real(*a, **k); "
            "gc.disable(); from pipeline.cli import main; main()")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=300).stdout
    assert "gc True" in out

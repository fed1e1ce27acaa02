"""Command line: ``python -m pipeline run|serve|eval|bench|report`` (also the ``pipeline`` script)."""

from __future__ import annotations

import argparse
import gc
import dataclasses
import importlib
import json
import logging
import math
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from pipeline.refusals import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, REFUSALS, BadArguments, Refusal


_DELEGATED = (
    ("bench", "pipeline.tools.bench", "benchmarks: pipeline vs bare spaCy on 1M+ words (processed/bench/)"),
    ("bench-scale", "pipeline.tools.bench_scale", "the incremental path at 10k / 100k / 1M documents (processed/bench/scale.json)"),
    ("eval", "pipeline.tools.eval_suite", "score runs against every gold annotation (processed/eval/)"),
    ("report", "pipeline.tools.report", "static HTML report of the dataset (processed/report.html)"),
    ("explore", "pipeline.tools.explore", "interactive explorer of the dataset (Datasette on 127.0.0.1:8001)"),
)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one ``error:`` line and exit code 2, like every other refusal."""

    def error(self, message: str):
        raise BadArguments(f"{message} (see `{self.prog} --help`)")


def main(argv: list[str] | None = None) -> int:
    """Run a verb; a refusal (:mod:`pipeline.refusals`) is one ``error:`` line and its exit code."""
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except Refusal as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; the tables of the last good run are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `pipeline run | head -1`: the reader left; the run itself is done
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return EXIT_BROKEN_PIPE


def _main(argv: list[str]) -> int:
    parser = _Parser(prog="pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="extract raw/ into the parquet tables in processed/")
    run.add_argument("--raw", type=Path, default=Path("raw"), help="input directory (default: raw)")
    run.add_argument("--out", type=Path, default=Path("processed"), help="output directory (default: processed)")
    run.add_argument("--processes", type=_at_least(1, int), default=os.cpu_count() or 1,
                     help="worker processes for extraction (default: all cores; used when there are 700k+ characters of new text)")
    run.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    run.add_argument("--json", action="store_true", help="print the run summary as one JSON line")
    add_run_options(run)
    add_serve_command(sub)

    # Verbs with their own option parsers get everything after the verb.
    for verb, module, help_text in _DELEGATED:
        sub.add_parser(verb, help=help_text, add_help=False)
        if argv and argv[0] == verb:
            gc.enable()  # only `run` keeps collection off through its imports (runtime.process.imports_done)
            return importlib.import_module(module).main(argv[1:])

    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    gc.enable()
    if args.command == "serve":
        return _serve(args)
    parser.error(f"unknown command {args.command}")
    return 2


def _at_least(low: float, kind=float):
    """An argparse type: a finite number no smaller than ``low``."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a{'n integer' if kind is int else ' number'}") from None
        if not math.isfinite(value) or value < low:
            raise argparse.ArgumentTypeError(f"{text!r} must be a number >= {low:g}")
        return value
    return parse


def _run(args) -> int:
    """``pipeline run``: what can be refused is checked before anything starts (a server, workers)."""
    from pipeline import settings
    from pipeline.refusals import check_input_dir

    check_input_dir(args.raw)
    try:
        settings.current()
    except ValueError as exc:
        raise BadArguments(str(exc)) from None

    from pipeline.runtime.prefect_server import server_for_run

    server_ready = server_for_run()  # reused, or booting while the rest is imported
    if not args.dask:
        from pipeline.runtime import workers

        # Worker processes warm up (model, rule tables) while Prefect's server starts, and so
        # does the language identifier that reading new sources needs.
        try:
            if workers.prestart_for_changes(args.raw, args.out, args.processes, everything=args.full):
                from pipeline.ingest import warm_language_identifier

                warm_language_identifier()
        except OSError:
            pass  # a guess from file sizes (a file vanished under it): the flow decides anyway
    from prefect.settings import temporary_settings

    from pipeline.flows import extract_corpus
    from pipeline.runtime.process import imports_done

    imports_done()
    server_ready()
    # Prefect's flow-run heartbeats tell a server that a run whose process died is crashed; this
    # process reports the run's end itself, and its lock (pipeline.output.lock) is what a killed
    # run leaves. The heartbeat thread sleeps in one-second steps, and the flow waits for it at its
    # end: up to a second of a three-article run. Served runs (`pipeline serve`) keep heartbeats.
    with refusals_logged_quietly(), temporary_settings(updates={"flows.heartbeat_frequency": None}):
        summary = extract_corpus(args.raw, args.out, n_process=args.processes,
                                 progress=False if args.no_progress else None, **run_kwargs(args))
    if not args.dask:
        workers.shutdown(idle=True)  # the run is over: nothing is left in flight
    print(json.dumps(dataclasses.asdict(summary)) if args.json else format_summary(summary))
    return 0


@contextmanager
def refusals_logged_quietly():
    """Prefect logs every exception that ends a flow or task run, traceback and all; for a refusal
    the command prints one ``error:`` line instead. Bugs keep Prefect's report."""
    quiet = _DropRefusals()
    loggers = [logging.getLogger(name) for name in ("prefect.flow_runs", "prefect.task_runs")]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    except Refusal:
        # After a failed run Prefect flushes its queue of run events at exit, and says so
        # ("Still processing items"): noise under the one error line.
        logging.getLogger("EventsWorker").setLevel(logging.ERROR)
        raise
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


class _DropRefusals(logging.Filter):
    """Drops Prefect's reports of a run ended by a refusal: the traceback, and the final state."""

    ENDED_BY = tuple(f"exception {cls.__name__}:" for cls in REFUSALS)

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, Refusal):
            return False
        return not (record.levelno >= logging.ERROR and any(e in record.getMessage() for e in self.ENDED_BY))


# --- incremental runs, scale-out and `serve` (issue 6) ---------------------------------------------

def add_run_options(run: argparse.ArgumentParser) -> None:
    add_incremental_options(run)
    run.add_argument("--full", action="store_true", help="re-extract every document instead of reusing their rows")
    run.add_argument("--realign", action="store_true",
                     help="re-align the whole corpus from its documents' rows (the reference result) instead of "
                          "linking only what changed; each entity keeps the id most of its documents had")


def add_incremental_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `run` and `serve`."""
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="run extraction batches on the Dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786 "
                             "(default: $PIPELINE_DASK_ADDRESS, else in this process)")
    parser.add_argument("--wait", metavar="SECONDS", type=_at_least(0), default=None,
                        help="how long to wait for another run writing the same --out (default: 600; 0: fail at once)")
    parser.add_argument("--follow-symlinks", action="store_true",
                        help="read symbolic links that lead out of --raw (default: each is an error row)")


def run_kwargs(args) -> dict:
    """The keyword arguments of :func:`pipeline.flows.extract_corpus` that `run` and `serve` share."""
    kwargs = {"dask_address": args.dask, "reuse": not getattr(args, "full", False),
              "realign": getattr(args, "realign", False), "follow_symlinks": args.follow_symlinks}
    if args.wait is not None:
        kwargs["lock_wait"] = args.wait
    return kwargs


def add_serve_command(sub) -> None:
    serve = sub.add_parser("serve", help="scheduled re-extraction: a Prefect deployment that re-runs on an interval",
                           description="Serve the flow as a Prefect deployment with an interval schedule. Without "
                                       "PREFECT_API_URL, starts a Prefect server on loopback first (project-local "
                                       "PREFECT_HOME, SQLite) and stops it on Ctrl-C.")
    serve.add_argument("--raw", type=Path, default=Path("raw"), help="input directory (default: raw)")
    serve.add_argument("--out", type=Path, default=Path("processed"), help="output directory (default: processed)")
    serve.add_argument("--interval", type=_at_least(1), default=300, help="seconds between scheduled runs (default: 300)")
    serve.add_argument("--host", default="127.0.0.1", help="address of the Prefect server started here (default: 127.0.0.1)")
    serve.add_argument("--port", type=_at_least(1, int), default=4200, help="port of the Prefect server started here (default: 4200)")
    serve.add_argument("--no-ui", action="store_true", help="start the Prefect server without its web UI")
    add_incremental_options(serve)


def _serve(args) -> int:
    from pipeline.runtime.serve import ServeOptions, serve

    return serve(ServeOptions(raw=args.raw, out=args.out, interval=args.interval, host=args.host, port=args.port,
                              ui=not args.no_ui, run=run_kwargs(args)))


def format_summary(summary) -> str:
    c = summary.counts
    lines = [
        f"pipeline: {summary.raw_dir} -> {summary.out_dir}",
        f"  documents {c.get('documents', 0):>8,}   (extracted this run: {summary.n_extracted:,}, "
        f"reused: {summary.n_reused:,}, removed: {summary.n_removed:,})"
        + (f"\n            {summary.n_same_text:>8,}   copies of a text already read: rules only, no model" if summary.n_same_text else ""),
        f"  mentions  {c.get('mentions', 0):>8,}",
        f"  entities  {c.get('entities', 0):>8,}",
        f"  dates     {c.get('dates', 0):>8,}",
        f"  money     {c.get('money', 0):>8,}",
        f"  errors    {c.get('errors', 0):>8,}" + ("   (see errors.parquet)" if c.get("errors") else ""),
        "  stages    " + ", ".join(f"{k} {v:.2f}s" for k, v in summary.stage_seconds.items()),
        f"  snapshot  {summary.version or '(none)'}" + ("" if summary.published else "   (nothing changed: not republished)"),
        f"  wall time {summary.seconds:.2f}s (flow)",
    ]
    return "\n".join(lines)

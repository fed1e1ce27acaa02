"""Command line: ``python -m pipeline run|serve|eval|bench|report`` (also the ``pipeline`` script)."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys
from pathlib import Path


_DELEGATED = (
    ("bench", "pipeline.bench", "benchmarks: pipeline vs bare spaCy on 1M+ words (processed/bench/)"),
    ("eval", "pipeline.eval_suite", "score runs against every gold annotation (processed/eval/)"),
    ("report", "pipeline.report", "static HTML report of the dataset (processed/report.html)"),
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="extract raw/ into the parquet tables in processed/")
    run.add_argument("--raw", type=Path, default=Path("raw"), help="input directory (default: raw)")
    run.add_argument("--out", type=Path, default=Path("processed"), help="output directory (default: processed)")
    run.add_argument("--processes", type=int, default=1, help="spaCy worker processes for long inputs")
    run.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    run.add_argument("--json", action="store_true", help="print the run summary as one JSON line")

    # Verbs with their own option parsers get everything after the verb.
    for verb, module, help_text in _DELEGATED:
        sub.add_parser(verb, help=help_text, add_help=False)
        if argv and argv[0] == verb:
            return importlib.import_module(module).main(argv[1:])

    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    parser.error(f"unknown command {args.command}")
    return 2


def _run(args) -> int:
    from pipeline.flows import extract_corpus

    try:
        summary = extract_corpus(args.raw, args.out, n_process=args.processes,
                                 progress=False if args.no_progress else None)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(dataclasses.asdict(summary)) if args.json else format_summary(summary))
    return 0


def format_summary(summary) -> str:
    c = summary.counts
    lines = [
        f"pipeline: {summary.raw_dir} -> {summary.out_dir}",
        f"  documents {c.get('documents', 0):>8,}   (extracted this run: {summary.n_extracted:,})",
        f"  mentions  {c.get('mentions', 0):>8,}",
        f"  entities  {c.get('entities', 0):>8,}",
        f"  dates     {c.get('dates', 0):>8,}",
        f"  money     {c.get('money', 0):>8,}",
        f"  errors    {c.get('errors', 0):>8,}" + ("   (see errors.parquet)" if c.get("errors") else ""),
        "  stages    " + ", ".join(f"{k} {v:.2f}s" for k, v in summary.stage_seconds.items()),
        f"  wall time {summary.seconds:.2f}s (flow)",
    ]
    return "\n".join(lines)

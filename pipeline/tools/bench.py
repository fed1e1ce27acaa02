"""``make bench``: end-to-end speed of the pipeline against bare spaCy on 1M+ words of real news.

Each measured step runs in its own process, so its wall time includes start-up exactly as a user
sees it and its peak memory (the whole process tree, spaCy workers included) is its own.
Results go to ``processed/bench/bench.json`` and ``processed/bench/bench.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_SOURCE = Path("../shared/corpora/ecbplus/docs.jsonl")
MIN_WORDS = 1_000_000


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_rss_mb: float
    words: int
    detail: dict

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


def build_corpus(source: Path, raw_dir: Path, min_words: int = MIN_WORDS, distinct: bool = True) -> tuple[int, int]:
    """Repeat the source articles (ids suffixed ``~rN``) until the corpus has ``min_words`` words.

    Copy N has its sentences rotated by N (:func:`rotated`): the same words, the same amount of
    model work, but a different text, so the pipeline cannot skip it as a copy of a text it has
    read (it runs each distinct text through the model once) and the figure compares like with
    like. ``distinct=False`` repeats the texts as they are: a corpus with real duplicates.
    """
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    words_once = sum(len(r["text"].split()) for r in records)
    repeats = -(-min_words // words_once)
    raw_dir.mkdir(parents=True, exist_ok=True)
    target = raw_dir / "bench.jsonl"
    made: set[str] = set()
    with target.open("w", encoding="utf-8") as out:
        for k in range(repeats):
            for r in records:
                text = rotated(r["text"], k) if distinct else r["text"]
                if distinct and text in made:  # a short text whose rotations ran out: still a new text
                    text = text.rstrip() + "." * (k + 1)
                made.add(text)
                out.write(json.dumps({**r, "id": f"{r['id']}~r{k}", "text": text}, ensure_ascii=False) + "\n")
    return len(records) * repeats, words_once * repeats


def rotated(text: str, k: int) -> str:
    """``text`` with its sentences rotated by ``k`` (the words kept); ``k`` at or past the number of
    sentences reverses their order first, so short texts get new copies too. Copy 0 is the text itself."""
    if k == 0:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    n = len(sentences)
    if n < 2:
        return text.strip() + "." * k  # one sentence: trailing dots, no new word
    order = sentences[::-1] if k >= n else sentences
    k %= n
    return " ".join(order[k:] + order[:k])


def measure(name: str, argv: list[str], words: int, env: dict | None = None) -> Measurement:
    """Run ``argv`` to completion, sampling the RSS of its whole process tree; it prints JSON last."""
    import psutil

    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [ps, *ps.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}):\n{stderr[-3000:]}")
    detail = json.loads(stdout.strip().splitlines()[-1])
    return Measurement(name, seconds, peak / 2**20, words, detail)


def _measure_step(name: str, argv: list[str], words: int, env: dict | None = None) -> Measurement:
    print(f"  {name} ...", end="", flush=True)
    m = measure(name, argv, words, env)
    print(f" {m.seconds:.1f}s, {m.words_per_second:,.0f} words/s, peak {m.peak_rss_mb:,.0f} MB", flush=True)
    return m


# What the pipeline is measured against: spaCy's model with the components the pipeline's results
# depend on (tok2vec, senter, ner: what a bare script loads to get entities and sentences).
REFERENCE_EXCLUDE = ["parser", "tagger", "lemmatizer", "attribute_ruler"]
BARE_CONFIGS = ("reference", "pipeline", "full")


def bare_spacy(raw_dir: Path, n_process: int, config: str = "reference") -> dict:
    """Load the model, ``nlp.pipe`` every text, nothing else.

    ``config``: ``reference`` is tok2vec + senter + ner (the figure the ratio is taken against);
    ``pipeline`` is the pipeline's own load (:func:`pipeline.extract.nlp.load_model`, which leaves
    out the tok2vec nobody listens to); ``full`` is every pipe of en_core_web_sm.
    """
    import spacy

    from pipeline.extract.nlp import load_model
    from pipeline.settings import MODEL_NAME

    texts = [json.loads(line)["text"] for path in sorted(raw_dir.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [path.read_text(encoding="utf-8") for path in sorted(raw_dir.glob("*.txt"))]
    if config == "full":
        nlp = spacy.load(MODEL_NAME)
    elif config == "pipeline":
        nlp = load_model()
    else:
        nlp = spacy.load(MODEL_NAME, exclude=REFERENCE_EXCLUDE)
        nlp.enable_pipe("senter")
    n_ents = sum(len(doc.ents) for doc in nlp.pipe(texts, n_process=n_process, batch_size=64))
    return {"docs": len(texts), "ents": n_ents, "pipes": nlp.pipe_names}


def small_runs(raw_dir: Path, work: Path, repeats: int = 5) -> dict:
    """The sample articles: ``pipeline run`` (``--full``, and with nothing changed) against the bare
    script on the same texts, median wall seconds of ``repeats`` runs each, interleaved, warm (one
    run of each first; the local Prefect server is then up, as it is in everyday use)."""
    import statistics

    py, out = sys.executable, work / "processed-small"
    shutil.rmtree(out, ignore_errors=True)
    run = [py, "-m", "pipeline", "run", "--raw", str(raw_dir), "--out", str(out), "--json", "--no-progress"]
    steps = {"bare spaCy": [py, "-m", "pipeline.tools.bench", "_bare", str(raw_dir), "1", "reference"],
             "pipeline run --full": [*run, "--full"], "pipeline run, nothing changed": run}
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in raw_dir.glob("*.txt"))
    for argv in steps.values():
        measure("warm-up", argv, words)
    seconds = {name: [] for name in steps}
    for _ in range(repeats):
        for name, argv in steps.items():
            seconds[name].append(measure(name, argv, words).seconds)
    median = {name: statistics.median(v) for name, v in seconds.items()}
    bare = median["bare spaCy"]
    return {"documents": len(list(raw_dir.glob("*.txt"))), "words": words, "repeats": repeats,
            "median_seconds": median, "ratio_to_bare": {k: v / bare for k, v in median.items()}, "seconds": seconds}


def extraction_shares(raw_dir: Path, sample: int = 300) -> dict:
    """Seconds of each per-document stage on the first ``sample`` documents, in this process.

    The flow times extraction as one stage (it runs on worker processes); this splits it into the
    model and each rule stage, which is what shows whether the rules are noise beside the NER.
    """
    from pipeline import ingest, money, temporal
    from pipeline.extract import build_mentions, warm_up
    from pipeline.extract.nlp import annotate

    docs = ingest.read_sources(sorted(raw_dir.glob("*.jsonl")), raw_dir).documents[:sample]
    warm_up()
    started = time.perf_counter()
    results = annotate([d.text for d in docs])
    seconds = {"model (spaCy)": time.perf_counter() - started}
    stages = {
        "dates (temporal)": lambda d, r: temporal.extract_dates(d, r),
        "money": lambda d, r: money.extract_money(d, r.ents),
        "mentions": build_mentions,
    }
    for name, stage in stages.items():
        started = time.perf_counter()
        for doc, result in zip(docs, results):
            stage(doc, result)
        seconds[name] = time.perf_counter() - started
    total = sum(seconds.values())
    return {"documents": len(docs), "seconds": seconds, "share": {k: v / total for k, v in seconds.items()}}


def run_bench(source: Path, work: Path, out_dir: Path, processes: int, repeats: int = 3) -> dict:
    """The first run against bare spaCy ``repeats`` times, interleaved (each pair shares the machine's
    state of the moment), then once each: bare spaCy with other model configs, a no-change re-run,
    a first run reporting to a running Prefect server, the extraction stages, the small runs."""
    import statistics

    raw, processed = work / "raw", work / "processed"
    n_docs, words = build_corpus(source, raw)
    print(f"bench corpus: {n_docs:,} documents, {words:,} words ({source})", flush=True)
    py = sys.executable
    bare_cmd = [py, "-m", "pipeline.tools.bench", "_bare", str(raw), str(processes)]
    run_cmd = [py, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(processed),
               "--processes", str(processes), "--json", "--no-progress"]
    # What is built once per environment, as installing is (the gazetteer's table, the language
    # model's mapped copy, the extraction version: ~10 s in a fresh venv), and the local Prefect
    # server that batch runs share: there before the first measured run, as everyday use leaves them.
    print("  warm-up: one run on the sample articles (install caches, local Prefect server) ...", flush=True)
    measure("warm-up", [py, "-m", "pipeline", "run", "--raw", "raw", "--out", str(work / "processed-warm"),
                        "--json", "--no-progress"], 0)
    shutil.rmtree(work / "processed-warm", ignore_errors=True)
    pairs = []
    for k in range(repeats):
        shutil.rmtree(processed, ignore_errors=True)  # each first run starts from nothing
        pairs.append((_measure_step(f"bare spaCy (tok2vec, senter, ner), run {k + 1}", [*bare_cmd, "reference"], words),
                      _measure_step(f"pipeline, first run {k + 1}", run_cmd, words)))
    ratios = [first.words_per_second / bare.words_per_second for bare, first in pairs]
    median_pair = sorted(zip(ratios, pairs), key=lambda rp: rp[0])[len(pairs) // 2][1]
    bare, first = median_pair
    results = [m for pair in pairs for m in pair]
    bare_own, bare_full, rerun = (
        _measure_step("bare spaCy (the pipeline's load: senter, ner)", [*bare_cmd, "pipeline"], words),
        _measure_step("bare spaCy (full en_core_web_sm)", [*bare_cmd, "full"], words),
        _measure_step("pipeline, no-change re-run", run_cmd, words))
    results += [bare_own, bare_full, rerun]
    # Production runs report to a long-lived Prefect server (`make serve`, PREFECT_API_URL): the same
    # first run without the temporary server's start and stop shows what is Prefect's fixed cost.
    from pipeline.runtime.prefect_server import PrefectServer
    from pipeline.runtime.process import free_port

    server = PrefectServer(port=free_port(), ui=False)
    server.start()
    try:
        served = _measure_step("pipeline, first run, running Prefect server",
                               [py, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(work / "processed-served"),
                                "--processes", str(processes), "--json", "--no-progress"],
                               words, env={"PREFECT_API_URL": server.api_url})
    finally:
        server.stop()
        shutil.rmtree(work / "processed-served", ignore_errors=True)
    results.append(served)
    print("  extraction stages on a sample ...", flush=True)
    shares = extraction_shares(raw)
    print("  small runs: the sample articles in raw/ ...", flush=True)
    small = small_runs(Path("raw"), work)
    report = {
        "corpus": {"source": str(source), "documents": n_docs, "words": words,
                   "copies": "each repeat's sentences rotated: every text distinct"},
        "machine": {"cores": os.cpu_count(), "processes": processes, "python": platform.python_version()},
        "measurements": [{**asdict(m), "words_per_second": m.words_per_second} for m in results],
        "ratio_pipeline_to_bare": statistics.median(ratios),
        "ratio_pipeline_to_bare_runs": {"min": min(ratios), "median": statistics.median(ratios),
                                        "max": max(ratios), "each": ratios},
        "ratio_pipeline_to_bare_same_load": first.words_per_second / bare_own.words_per_second,
        "ratio_pipeline_to_bare_full_model": first.words_per_second / bare_full.words_per_second,
        "ratio_pipeline_running_server_to_bare": served.words_per_second / bare.words_per_second,
        "stage_seconds": first.detail.get("stage_seconds", {}),
        "no_change_rerun_seconds": rerun.seconds,
        "no_change_rerun_extracted": rerun.detail.get("n_extracted"),
        "extraction_shares": shares,
        "small_runs": small,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out_dir / "bench.md").write_text(format_markdown(report), encoding="utf-8")
    return report


def format_markdown(report: dict) -> str:
    c = report["corpus"]
    lines = [
        f"# Benchmark: {c['documents']:,} documents, {c['words']:,} words, "
        f"{report['machine']['processes']} processes on {report['machine']['cores']} cores",
        "",
        "| run | wall s | words/s | peak MB |",
        "| --- | ---: | ---: | ---: |",
    ]
    for m in report["measurements"]:
        lines.append(f"| {m['name']} | {m['seconds']:.1f} | {m['words_per_second']:,.0f} | {m['peak_rss_mb']:,.0f} |")
    lines += [
        "",
        "Pipeline / bare spaCy (tok2vec, senter, ner), first run, "
        f"min / median / max of {len(report['ratio_pipeline_to_bare_runs']['each'])}: "
        + " / ".join(f"{report['ratio_pipeline_to_bare_runs'][k]:.2f}" for k in ("min", "median", "max"))
        + f" (median **{report['ratio_pipeline_to_bare']:.2f}**); / bare with the pipeline's own load: "
        f"{report['ratio_pipeline_to_bare_same_load']:.2f}; "
        f"/ bare full model: {report['ratio_pipeline_to_bare_full_model']:.2f}; "
        f"with a running Prefect server: {report['ratio_pipeline_running_server_to_bare']:.2f}",
        f"No-change re-run: {report['no_change_rerun_seconds']:.1f}s "
        f"({report['no_change_rerun_extracted']} documents re-extracted)",
        "",
        "| stage | seconds |",
        "| --- | ---: |",
        *[f"| {k} | {v:.1f} |" for k, v in report["stage_seconds"].items()],
        "",
        f"Small runs ({report['small_runs']['documents']} sample articles, median of {report['small_runs']['repeats']}):",
        "",
        "| run | wall s | / bare |",
        "| --- | ---: | ---: |",
        *[f"| {k} | {v:.2f} | {report['small_runs']['ratio_to_bare'][k]:.2f} |"
          for k, v in report["small_runs"]["median_seconds"].items()],
        "",
        f"Inside extraction ({report['extraction_shares']['documents']} documents, one process):",
        "",
        "| part | seconds | share |",
        "| --- | ---: | ---: |",
        *[f"| {k} | {v:.2f} | {report['extraction_shares']['share'][k]:.1%} |"
          for k, v in report["extraction_shares"]["seconds"].items()],
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_bare":  # the bare-spaCy step, run in its own process by measure()
        raw, n_process = Path(argv[1]), int(argv[2])
        print(json.dumps(bare_spacy(raw, n_process, argv[3] if len(argv) > 3 else "reference")))
        return 0
    parser = argparse.ArgumentParser(prog="pipeline bench", description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"jsonl corpus the benchmark repeats to 1M+ words (default: {DEFAULT_SOURCE})")
    parser.add_argument("--work", type=Path, default=Path("processed/bench/work"),
                        help="scratch directory for the benchmark's inputs and runs (default: processed/bench/work)")
    parser.add_argument("--out", type=Path, default=Path("processed/bench"),
                        help="where the figures are written, bench.json and bench.md (default: processed/bench)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="extraction processes for the pipeline and bare-spaCy runs (default: all cores)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="first runs against bare spaCy, interleaved; the ratio's min/median/max (default: 3)")
    parser.add_argument("--skip-align", action="store_true", help="skip alignment at 1k/10k/100k documents")
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"error: benchmark corpus not found: {args.source}", file=sys.stderr)
        return 2
    run_bench(args.source, args.work, args.out, args.processes, args.repeats)
    if not args.skip_align:
        from pipeline.tools import bench_align

        print("alignment at scale (synthetic documents from real sentences):", flush=True)
        bench_align.main(["--source", str(args.source), "--out", str(args.out)])
        scale = json.loads((args.out / "align.json").read_text(encoding="utf-8"))
        with (args.out / "bench.md").open("a", encoding="utf-8") as md:
            md.write("\n| alignment: documents | mentions | seconds | peak RSS MB |\n| ---: | ---: | ---: | ---: |\n")
            for r in scale:
                md.write(f"| {r['documents']:,} | {r['mentions_in']:,} | {r['align_seconds']:.1f} | {r['peak_rss_mb']:,} |\n")
    print()
    print((args.out / "bench.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``make bench-scale``: what one run costs at 10k, 100k and 1M documents, on the incremental path.

The corpus is synthetic but made of real sentences (:mod:`pipeline.tools.bench_align`: a dozen
sentences of one ECB+ topic per document, 25-document stories whose people are renamed, so distinct
names grow with the corpus as in a news stream). NER is not what is measured here (``make bench``
measures it against bare spaCy), so extraction is *replayed*: every document's model mentions and
sentence bounds are rebuilt from its id, and the real flow does everything else — change detection,
reading the changed sources, the per-document tables, the entity index, the commit.

For each size, each step runs in its own process against one running Prefect server:

    (a 3-document corpus runs the first three only: what any run costs, whatever the corpus)
    build        the first run over N documents
    no-change    nothing touched
    add-1        one new source with one document
    add-6000     one new source with 6,000 documents (one GDELT batch)
    delete-100   one source rewritten without 100 of its documents
    realign      ``--realign``: the whole index rebuilt (the reference)

and reports wall seconds, peak RSS, bytes written, documents extracted, comparisons per new mention,
and how far the incremental state is from the realigned one (same ``entity_id``, B-cubed agreement).
Rows go to ``processed/bench/scale.json`` and a markdown table to ``processed/bench/scale.md``.

    python -m pipeline.tools.bench_scale [--sizes 10000 100000 1000000]
    python -m pipeline.tools.bench_scale --sizes 10000 --only realign --dask-workers 1 2 8

The second form re-aligns the corpus here, then again with alignment's jobs on a loopback Dask
cluster of 1, 2 and 8 worker processes (one thread and 1.5 GB each): wall seconds, the flow's and
the largest worker's peak RSS, and whether every public table equals the local re-alignment's.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import re

from pipeline.tools.bench_align import DEFAULT_SOURCE, DOCS_PER_STORY, SENTENCES_PER_DOC, _renamer, source_sentences

OUT = Path("processed/bench")
DOCS_PER_FILE = 5_000
GDELT_BATCH = 6_000
DELETED = 100
SMALL = 1_000  # corpora below this only get build, no-change and add-1 (the fixed cost of a run)


# -- the corpus -----------------------------------------------------------------------------------

class Pool:
    """The real sentences, by topic, with the model's mentions (relative offsets and labels)."""

    def __init__(self, cache: Path):
        self.topics = pickle.loads(cache.read_bytes())
        self.names = sorted(self.topics)
        self.surnames = sorted({t for sents in self.topics.values() for _, ms in sents for _, _, text, label in ms
                                if label == "PERSON" for t in text.split()[-1:] if t.isalpha() and t[0].isupper()})
        self._renames: dict[int, dict] = {}

    def compose(self, i: int) -> tuple[str, list[tuple[int, int, str]], list[tuple[int, int]]]:
        """Document ``i``: its text, its mentions (start, end, label) and its sentence bounds; the same every time."""
        story = i // DOCS_PER_STORY
        topic = self.names[story % len(self.names)]
        rename = self._rename(story) if story >= len(self.names) else {}
        rng = random.Random(i)
        sentences = self.topics[topic]
        parts, spans, bounds, pos = [], [], [], 0
        for text, ms in rng.sample(sentences, min(SENTENCES_PER_DOC, len(sentences))):
            text, ms = rename_people(rename, text, ms)
            spans.extend((pos + s, pos + e, label) for s, e, _, label in ms)
            bounds.append((pos, pos + len(text)))
            parts.append(text)
            pos += len(text) + 1
        return "\n".join(parts), spans, bounds

    def _rename(self, story: int) -> dict:
        if story not in self._renames:
            if len(self._renames) > 64:
                self._renames.clear()
            self._renames[story] = _renamer(self.surnames, story)
        return self._renames[story]


def rename_people(rename: dict[str, str], text: str, ms: list) -> tuple[str, list]:
    """A story's people renamed: surnames inside PERSON mentions only (organisations and places keep
    their names, as in a news stream where new people appear beside the same institutions)."""
    if not rename:
        return text, ms
    cuts = sorted({0, len(text), *(x for s, e, _, _ in ms for x in (s, e))})
    people = {(s, e) for s, e, _, label in ms if label == "PERSON"}
    new_pos, out = {}, []
    for a, b in zip(cuts, cuts[1:]):
        new_pos[a] = sum(map(len, out))
        inside = any(s <= a and b <= e for s, e in people)
        piece = text[a:b]
        out.append(re.sub(r"\b[A-Z][a-z]+\b", lambda w: rename.get(w.group(), w.group()), piece) if inside else piece)
    new_pos[len(text)] = sum(map(len, out))
    return "".join(out), [(new_pos[s], new_pos[e], None, label) for s, e, _, label in ms]


def doc_id(i: int) -> str:
    return f"syn{i:07d}"


def write_source(pool: Pool, path: Path, indices) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as f:
        for i in indices:
            text, _, _ = pool.compose(i)
            f.write(json.dumps({"id": doc_id(i), "text": text}) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


def write_corpus(pool: Pool, raw: Path, n_docs: int) -> None:
    for start in range(0, n_docs, DOCS_PER_FILE):
        write_source(pool, raw / f"part-{start // DOCS_PER_FILE:05d}.jsonl", range(start, min(start + DOCS_PER_FILE, n_docs)))


# -- the replayed extraction --------------------------------------------------------------------------

def install_replay(cache: Path) -> None:
    """Extraction rebuilt from each document's id instead of running the model (in this process)."""
    from pipeline.extract import DocExtraction, ExtractedDocument
    from pipeline.runtime import workers
    from pipeline.spans import make_mention

    pool = Pool(cache)

    def extract_documents(batch):
        out = []
        for doc in batch:
            _, spans, bounds = pool.compose(int(doc.doc_id[3:]))
            mentions = [make_mention(doc, s, e, label, bounds, model_label=label) for s, e, label in spans]
            out.append(ExtractedDocument(doc, DocExtraction(doc.doc_id, mentions=mentions, sentences=bounds)))
        return out

    workers.extract_documents = extract_documents
    # A run on several cores sends batches to its worker processes: replayed here instead (the
    # pool's own processes would run the model).
    workers.submit = lambda batch, n_workers: _done(extract_documents(batch))


def _done(value):
    from concurrent.futures import Future

    future = Future()
    future.set_result(value)
    return future


# A simulated cluster's workers: one thread each, and this much memory (Dask pauses a worker near
# it and restarts one past it), the ceiling the issue sets for a worker of a real cluster.
WORKER_MEMORY = "1.5GB"


def run_step(raw: Path, out: Path, cache: Path, realign: bool, dask_workers: int = 0) -> dict:
    """One flow run in this process, with replayed extraction; its summary, peak RSS and timing.

    The run may use every core, as ``pipeline run`` does by default (alignment's per-document
    step then runs on local worker processes: their largest peak is ``worker_peak_rss_mb``).
    ``dask_workers``: the run's alignment jobs go to a loopback Dask cluster of that many worker
    processes (a re-alignment only: replayed extraction exists in this process alone)."""
    install_replay(cache)
    from pipeline.flows import extract_corpus

    with ExitStack() as stack:
        address = None
        if dask_workers:
            from distributed import Client, LocalCluster

            cluster = stack.enter_context(LocalCluster(
                n_workers=dask_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, memory_limit=WORKER_MEMORY, silence_logs=40))
            client = stack.enter_context(Client(cluster))
            address = cluster.scheduler_address
        started = time.perf_counter()
        summary = extract_corpus(raw, out, n_process=os.cpu_count() or 1, progress=False, realign=realign,
                                 dask_address=address)
        seconds = time.perf_counter() - started
        workers = client.run(_peak_rss_mb) if dask_workers else {}
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # local workers (ended: reaped)
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(_peak_rss_mb()),
            **({"workers": dask_workers, "worker_peak_rss_mb": round(max(workers.values()))} if workers else
               {"worker_peak_rss_mb": round(children)} if children else {}),
            "bytes_written": summary.bytes_written, "extracted": summary.n_extracted,
            "removed": summary.n_removed, "corpus_documents": summary.counts.get("documents", 0),
            "mentions": summary.counts.get("mentions", 0), "entities": summary.counts.get("entities", 0),
            "stage_seconds": {k: round(v, 2) for k, v in summary.stage_seconds.items()},
            "align": summary.align_stats}


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def agreement(a: Path, b: Path) -> dict:
    """How far two runs' mention-to-entity assignments are apart, computed out of core by DuckDB."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"""create view j as select x.mention_id, coalesce(x.entity_id, '-') as ea, coalesce(y.entity_id, '-') as eb
        from read_parquet('{a}/mentions/*.parquet') x join read_parquet('{b}/mentions/*.parquet') y using (mention_id)""")
    n, same = con.execute("select count(*), sum(case when ea = eb then 1 else 0 end) from j").fetchone()
    con.execute("create table ab as select ea, eb, count(*) as n from j group by all")
    p, r = con.execute("""select sum(ab.n * ab.n / nb.n), sum(ab.n * ab.n / na.n) from ab
        join (select eb, sum(n) as n from ab group by eb) nb using (eb)
        join (select ea, sum(n) as n from ab group by ea) na using (ea)""").fetchone()
    p, r = p / n, r / n
    return {"mentions": n, "same_entity_id": round(same / n, 4), "bcubed": round(2 * p * r / (p + r), 4)}


# -- the benchmark ----------------------------------------------------------------------------------------

def measure_size(n_docs: int, work: Path, cache: Path, env: dict) -> list[dict]:
    pool = Pool(cache)
    raw, out = work / f"raw-{n_docs}", work / f"out-{n_docs}"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    write_corpus(pool, raw, n_docs)
    print(f"  {n_docs:,} documents written in {time.perf_counter() - started:.0f} s", flush=True)
    rows = []

    def step(name: str, realign: bool = False) -> dict:
        r = {"documents": n_docs, "operation": name, **_step_process(raw, out, cache, env, realign)}
        new_mentions = max(r["align"].get("new_mentions", 0), 1)
        r["comparisons_per_new_mention"] = round(r["align"].get("comparisons", 0) / new_mentions, 2)
        rows.append(r)
        print(f"  {name:>10}: {r['seconds']:>8.1f} s  peak {r['peak_rss_mb']:>6,} MB  written "
              f"{r['bytes_written'] / 2**20:>8.1f} MB  extracted {r['extracted']:>7,}  "
              f"comparisons/new mention {r['comparisons_per_new_mention']}", flush=True)
        return r

    step("build")
    step("no-change")
    write_source(pool, raw / "add-1.jsonl", [n_docs])
    step("add-1")
    if n_docs < SMALL:  # the reference the targets are relative to: what a run costs on a tiny corpus
        return rows
    write_source(pool, raw / "add-6000.jsonl", range(n_docs + 1, n_docs + 1 + GDELT_BATCH))
    step("add-6000")
    first = raw / "part-00000.jsonl"
    write_source(pool, first, range(DELETED, min(DOCS_PER_FILE, n_docs)))
    step("delete-100")
    incremental = work / f"incremental-{n_docs}"
    shutil.rmtree(incremental, ignore_errors=True)
    shutil.copytree(os.path.realpath(out / ".current"), incremental)
    r = step("realign", realign=True)
    r["agreement"] = agreement(incremental, Path(os.path.realpath(out / ".current")))
    print(f"  incremental vs realign: {r['agreement']}", flush=True)
    shutil.rmtree(incremental, ignore_errors=True)
    return rows


OPERATIONS = ("no-change", "add-1", "add-6000", "delete-100", "realign")


def measure_one(n_docs: int, operation: str, work: Path, cache: Path, env: dict) -> dict:
    """One operation on a fresh copy of the corpus as first built (built once, kept in ``work``):
    trying a change to the code costs that operation alone, from the same starting point each time.
    The index must be one the code reads as it is (else the run re-aligns: see ``align`` in the row)."""
    pool = Pool(cache)
    built, raw, out = work / f"built-{n_docs}", work / f"raw-{n_docs}", work / f"out-{n_docs}"
    if not (built / "out" / ".current").exists():
        shutil.rmtree(built, ignore_errors=True)
        write_corpus(pool, built / "raw", n_docs)
        print(json.dumps(_step_process(built / "raw", built / "out", cache, env, False)), flush=True)
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    # Hard links: the same inodes and mtimes, so the manifest sees the sources unchanged; a source an
    # operation rewrites is replaced (a new inode), never written through the link.
    subprocess.run(["cp", "-al", str(built / "raw"), str(raw)], check=True)
    shutil.copytree(built / "out", out, symlinks=True)
    if operation == "add-1":
        write_source(pool, raw / "add-1.jsonl", [n_docs])
    elif operation == "add-6000":
        write_source(pool, raw / "add-6000.jsonl", range(n_docs + 1, n_docs + 1 + GDELT_BATCH))
    elif operation == "delete-100":
        write_source(pool, raw / "part-00000.jsonl", range(DELETED, min(DOCS_PER_FILE, n_docs)))
    r = {"documents": n_docs, "operation": operation, **_step_process(raw, out, cache, env, operation == "realign")}
    r["comparisons_per_new_mention"] = round(r["align"].get("comparisons", 0) / max(r["align"].get("new_mentions", 0), 1), 2)
    return r


def measure_dask_realign(n_docs: int, workers: int, work: Path, cache: Path, env: dict) -> dict:
    """A re-alignment of the built corpus with its jobs on ``workers`` Dask workers, after
    :func:`measure_one` re-aligned it here (``WORK/out-N``): the row says whether every public
    table is the same as that run's."""
    built, local = work / f"built-{n_docs}", work / f"out-{n_docs}"
    raw, out = work / f"raw-{n_docs}", work / f"dask-{n_docs}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(built / "out", out, symlinks=True)
    r = {"documents": n_docs, "operation": f"realign-dask-{workers}",
         **_step_process(raw, out, cache, env, True, dask_workers=workers)}
    r["same_tables_as_local"] = same_tables(Path(os.path.realpath(local / ".current")), Path(os.path.realpath(out / ".current")))
    shutil.rmtree(out, ignore_errors=True)
    return r


def same_tables(a: Path, b: Path) -> bool:
    """Whether every public table holds the same rows in two snapshots (as multisets, out of core;
    the times a run stamps, ``extracted_at`` and redirects' ``run``, aside)."""
    import duckdb

    from pipeline.schema import TABLES

    con = duckdb.connect()
    for name in TABLES:
        fa, fb = sorted((a / name).glob("*.parquet")), sorted((b / name).glob("*.parquet"))
        cols = [c for c in con.sql(f"select * from read_parquet({[str(f) for f in fa]}) limit 0").columns
                if c not in ("extracted_at", "run")]
        q = ", ".join(f'"{c}"' for c in cols)
        diff = con.execute(f"""select count(*) from (
            (select {q} from read_parquet({[str(f) for f in fa]}) except all select {q} from read_parquet({[str(f) for f in fb]}))
            union all
            (select {q} from read_parquet({[str(f) for f in fb]}) except all select {q} from read_parquet({[str(f) for f in fa]})))""").fetchone()[0]
        if diff:
            return False
    return True


def _step_process(raw: Path, out: Path, cache: Path, env: dict, realign: bool, dask_workers: int = 0) -> dict:
    proc = subprocess.run([sys.executable, "-m", "pipeline.tools.bench_scale", "_step", str(raw), str(out), str(cache)]
                          + (["--realign"] if realign else []) + (["--dask-workers", str(dask_workers)] if dask_workers else []),
                          capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"{'realign' if realign else 'step'} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def markdown(rows: list[dict]) -> str:
    lines = ["| documents | operation | seconds | peak RSS MB | MB written | extracted | comparisons / new mention | agreement |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        a = r.get("agreement")
        lines.append(f"| {r['documents']:,} | {r['operation']} | {r['seconds']:.1f} | {r['peak_rss_mb']:,} | "
                     f"{r['bytes_written'] / 2**20:.1f} | {r['extracted']:,} | {r['comparisons_per_new_mention']} | "
                     + (f"same id {a['same_entity_id']}, B-cubed {a['bcubed']}" if a else "") + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_step":
        raw, out, cache = map(Path, argv[1:4])
        workers = int(argv[argv.index("--dask-workers") + 1]) if "--dask-workers" in argv else 0
        print(json.dumps(run_step(raw, out, cache, realign="--realign" in argv, dask_workers=workers)))
        return 0
    parser = argparse.ArgumentParser(prog="pipeline bench-scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 10_000, 100_000, 1_000_000],
                        help="corpus sizes to measure, in documents (the first, tiny one gives the fixed cost "
                             "of a run, which the targets at scale are relative to)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the real corpus whose sentences are used")
    parser.add_argument("--out", type=Path, default=OUT, help="where scale.json and scale.md are written")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder for the corpora (default: OUT/scale-work)")
    parser.add_argument("--only", choices=OPERATIONS, default=None,
                        help="run this operation alone, on a copy of each size's corpus as built (built once and "
                             "kept in WORK/built-N; delete it to build again); prints its row, writes no report")
    parser.add_argument("--dask-workers", type=int, nargs="+", default=None, metavar="N",
                        help="with --only realign: also re-align on a loopback Dask cluster of N workers (one thread, "
                             f"{WORKER_MEMORY} each) per N given, e.g. 1 2 8, and check each gives the local tables")
    args = parser.parse_args(argv)
    if args.dask_workers and args.only != "realign":
        parser.error("--dask-workers needs --only realign")
    cache = args.out / "align_source_sentences.pkl"
    source_sentences(args.source, cache)
    work = args.work or args.out / "scale-work"
    from pipeline.runtime.prefect_server import PrefectServer
    from pipeline.runtime.process import free_port

    server = PrefectServer(port=free_port(), ui=False)
    server.start()
    env = {**os.environ, "PREFECT_API_URL": server.api_url}
    rows: list[dict] = []
    try:
        for n in args.sizes:
            print(f"bench-scale: {n:,} documents", flush=True)
            if args.only:
                print(json.dumps(measure_one(n, args.only, work, cache, env)), flush=True)
                for workers in args.dask_workers or ():
                    print(json.dumps(measure_dask_realign(n, workers, work, cache, env)), flush=True)
                continue
            rows.extend(measure_size(n, work, cache, env))
            _write(args.out, rows)
        if args.only:
            return 0
    finally:
        server.stop()
    print(markdown(rows))
    return 0


def _write(out: Path, rows: list[dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    (out / "scale.md").write_text("# Incremental runs at scale\n\n" + markdown(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

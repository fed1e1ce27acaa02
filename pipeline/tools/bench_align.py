"""Alignment at scale: time and peak memory at 1k, 10k and 100k synthetic documents.

The documents are made of real sentences: the model runs once over a real corpus (ECB+ by
default), and each synthetic document is a dozen sentences of one topic, with the model's
mentions carried along. Each synthetic "story" (a topic copy) renames its people with surnames
drawn from the corpus, so the number of distinct people grows with the corpus as it would in a real
news stream (and same-surname, different-person cases multiply). Only :func:`pipeline.align.align`
is timed: NER cost is measured by ``make bench``'s pipeline benchmark.

Each size runs in its own process, so its peak RSS is its own. Results: ``processed/bench/align.json``.

    python -m pipeline.tools.bench_align [--sizes 1000 10000 100000] [--source ../shared/corpora/ecbplus/docs.jsonl]
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from pipeline.schema import Document, Mention, mention_id

DEFAULT_SOURCE = Path("../shared/corpora/ecbplus/docs.jsonl")
OUT = Path("processed/bench")
SENTENCES_PER_DOC = 12
DOCS_PER_STORY = 25


def source_sentences(source: Path, cache: Path) -> dict[str, list[tuple[str, list[tuple[int, int, str, str]]]]]:
    """Per topic: (sentence text, [(start, end, text, model label)]) from one model run, cached."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from pipeline.extract import build_mentions
    from pipeline.ingest import read_sources
    from pipeline.extract.nlp import annotate

    docs = read_sources([source], source.parent).documents
    topics: dict[str, list] = defaultdict(list)
    for doc, result in zip(docs, annotate([d.text for d in docs])):
        topic = doc.doc_id.split("_")[0]
        mentions = build_mentions(doc, result)
        for s, e in result.sentences:
            inside = [(m.start_char - s, m.end_char - s, m.text, m.label) for m in mentions
                      if s <= m.start_char and m.end_char <= e]
            topics[topic].append((doc.text[s:e], inside))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(dict(topics)))
    return dict(topics)


def synthetic_corpus(topics: dict, n_docs: int, seed: int = 0):
    """``n_docs`` documents of recombined real sentences, with mentions and sentence bounds."""
    rng = random.Random(seed)
    surnames = sorted({t for sents in topics.values() for _, ms in sents for _, _, text, label in ms
                       if label == "PERSON" for t in text.split()[-1:] if t.isalpha() and t[0].isupper()})
    names = sorted(topics)
    documents, mentions, sentences = [], [], {}
    for i in range(n_docs):
        story = i // DOCS_PER_STORY
        topic = names[story % len(names)]
        rename = _renamer(surnames, story) if story >= len(names) else {}
        doc_id = f"syn{i:06d}"
        parts, spans, bounds, pos = [], [], [], 0
        for text, ms in rng.sample(topics[topic], min(SENTENCES_PER_DOC, len(topics[topic]))):
            text, ms = _apply(rename, text, ms)
            for s, e, _, label in ms:
                spans.append((pos + s, pos + e, label))
            bounds.append((pos, pos + len(text)))
            parts.append(text)
            pos += len(text) + 1
        body = "\n".join(parts)
        documents.append(Document(doc_id, f"{doc_id}.txt", body, n_chars=len(body)))
        sentences[doc_id] = bounds
        for (s, e, label), (b_start, b_end) in ((sp, next(b for b in bounds if b[0] <= sp[0] < b[1])) for sp in spans):
            mentions.append(Mention(doc_id, mention_id(doc_id, s, e), s, e, body[s:e], label,
                                    body[b_start:b_end].strip(), 0, model_label=label))
    return documents, mentions, sentences


def _renamer(surnames: list[str], story: int) -> dict[str, str]:
    rng = random.Random(story)
    return {s: surnames[rng.randrange(len(surnames))] for s in surnames}


def _apply(rename: dict[str, str], text: str, ms: list) -> tuple[str, list]:
    """Rename surnames everywhere in a sentence and move the mention offsets with the text."""
    if not rename:
        return text, ms
    cuts = sorted({0, len(text), *(x for s, e, _, _ in ms for x in (s, e))})
    new_pos, out = {}, []
    for a, b in zip(cuts, cuts[1:]):
        new_pos[a] = sum(map(len, out))
        out.append(re.sub(r"\b[A-Z][a-z]+\b", lambda w: rename.get(w.group(), w.group()), text[a:b]))
    new_pos[len(text)] = sum(map(len, out))
    return "".join(out), [(new_pos[s], new_pos[e], None, label) for s, e, _, label in ms]


def measure(n_docs: int, cache: Path) -> dict:
    from pipeline.align import align

    topics = pickle.loads(cache.read_bytes())
    documents, mentions, sentences = synthetic_corpus(topics, n_docs)
    rss_before = _rss_mb()
    started = time.perf_counter()
    out_mentions, entities = align(documents, mentions, sentences)
    seconds = time.perf_counter() - started
    return {
        "documents": n_docs,
        "words": sum(len(d.text.split()) for d in documents),
        "mentions_in": len(mentions),
        "mentions_out": len(out_mentions),
        "entities": len(entities),
        "align_seconds": round(seconds, 2),
        "rss_before_align_mb": round(rss_before),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _peak_rss_mb() -> float:
    """VmHWM, not getrusage: ru_maxrss survives exec, so a child would report its parent's peak."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline bench-align", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: measure one size
    args = parser.parse_args(argv)
    cache = args.out / "align_source_sentences.pkl"
    if args.one:
        print(json.dumps(measure(args.one, cache)))
        return 0
    source_sentences(args.source, cache)
    results = []
    for n in args.sizes:
        proc = subprocess.run([sys.executable, "-m", "pipeline.tools.bench_align", "--one", str(n), "--out", str(args.out)],
                              capture_output=True, text=True, check=True)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(f"align {r['documents']:>7,} docs {r['mentions_in']:>9,} mentions: {r['align_seconds']:>7.1f} s, "
              f"peak RSS {r['peak_rss_mb']:>6,} MB (corpus in memory before align {r['rss_before_align_mb']:,} MB), "
              f"{r['entities']:,} entities", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "align.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scoring a run against gold annotations (``../shared/gold/seeds.json`` and the corpora's ``gold.json``).

Pure functions over plain rows, shared by the tests and ``make eval``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True)
class PRF:
    tp: int
    n_pred: int
    n_gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} (tp {self.tp}, pred {self.n_pred}, gold {self.n_gold})"


def load_gold(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def prf(pred: Iterable, gold: Iterable) -> PRF:
    pred, gold = set(pred), set(gold)
    return PRF(len(pred & gold), len(pred), len(gold))


def score_mentions(pred_rows: Iterable[dict], gold_rows: Iterable[dict], *, labeled: bool = True) -> PRF:
    """Exact span (and label) match of named-entity mentions."""
    def key(r):
        base = (r["doc_id"], int(r["start_char"]), int(r["end_char"]))
        return base + (r["label"],) if labeled else base

    return prf(map(key, pred_rows), map(key, gold_rows))


# -- alignment: B-cubed and cross-document pairwise links ----------------------------------------

@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    n: int  # mentions scored

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} (n {self.n})"


def matched_clusters(pred_rows: Iterable[dict], gold_rows: Iterable[dict],
                     cluster_of: str = "entity_id") -> list[tuple[str, str, str]]:
    """(doc_id, predicted cluster, gold cluster) for each predicted mention whose span is a gold mention's.

    Alignment is scored only where extraction found the gold span, so that these figures measure
    the clustering and not the NER (which :func:`score_mentions` measures).
    """
    gold = {(g["doc_id"], int(g["start_char"]), int(g["end_char"])): g["cluster"] for g in gold_rows}
    out = []
    for r in pred_rows:
        key = (r["doc_id"], int(r["start_char"]), int(r["end_char"]))
        if key in gold:
            out.append((r["doc_id"], r[cluster_of], gold[key]))
    return out


def bcubed(triples: list[tuple[str, str, str]]) -> Scores:
    """B-cubed (Bagga & Baldwin 1998) over mentions: per mention, how pure and complete its cluster is."""
    if not triples:
        return Scores(0.0, 0.0, 0)
    pred = Counter(p for _, p, _ in triples)
    gold = Counter(g for _, _, g in triples)
    both = Counter((p, g) for _, p, g in triples)
    n = len(triples)
    precision = sum(both[p, g] / pred[p] for _, p, g in triples) / n
    recall = sum(both[p, g] / gold[g] for _, p, g in triples) / n
    return Scores(precision, recall, n)


def crossdoc_pairwise(triples: list[tuple[str, str, str]]) -> PRF:
    """Links between mentions of different documents: predicted same entity vs gold same cluster.

    Counted per cluster (pairs = n^2 minus same-document pairs, halved), so it is linear, not quadratic.
    """
    def cross_pairs(cells: Counter, per_doc: Counter) -> int:
        within = Counter()
        for (cell, _doc), k in per_doc.items():
            within[cell] += k * k
        return sum((k * k - within[cell]) // 2 for cell, k in cells.items())

    pred = Counter(p for _, p, _ in triples)
    gold = Counter(g for _, _, g in triples)
    both = Counter((p, g) for _, p, g in triples)
    n_pred = cross_pairs(pred, Counter((p, d) for d, p, _ in triples))
    n_gold = cross_pairs(gold, Counter((g, d) for d, _, g in triples))
    tp = cross_pairs(both, Counter(((p, g), d) for d, p, g in triples))
    return PRF(tp, n_pred, n_gold)


def alignment_scores(pred_rows: list[dict], gold_rows: list[dict], cluster_of: str = "entity_id") -> dict:
    triples = matched_clusters(pred_rows, gold_rows, cluster_of)
    b3, pw = bcubed(triples), crossdoc_pairwise(triples)
    return {
        "mentions_scored": len(triples),
        "bcubed": {"precision": b3.precision, "recall": b3.recall, "f1": b3.f1},
        "pairwise": {"precision": pw.precision, "recall": pw.recall, "f1": pw.f1,
                     "tp": pw.tp, "pred_links": pw.n_pred, "gold_links": pw.n_gold},
    }


def run_alignment(corpus_dir: Path, gold_path: Path | None = None, *, batch_docs: int = 64) -> dict:
    """Extraction + alignment on ``corpus_dir/docs.jsonl`` (or ``raw``-style files) scored on its gold.

    ``gold_path`` defaults to ``corpus_dir/gold.json`` (the corpora's layout); for the sample
    articles: ``run_alignment(Path("raw"), Path("../shared/gold/seeds.json"))``.

    Bypasses Prefect (the flow's tasks call the very same functions): ingest, per-batch extraction,
    then :func:`pipeline.align.align` over the whole corpus. Figures, for gold mention subsets
    ``all``, ``named`` and ``scored``:
    - ``baseline``: the bare model's mentions grouped by exact name and label;
    - ``aligned``: the pipeline's mentions and entities;
    and labeled / span mention P/R/F1 before (bare model) and after (alignment's repairs).
    """
    import copy
    import time

    from pipeline import align, ingest
    from pipeline.extract import extract_batch

    corpus_dir = Path(corpus_dir)
    gold = load_gold(gold_path or corpus_dir / "gold.json")
    jsonl = corpus_dir / "docs.jsonl"
    paths = [jsonl] if jsonl.exists() else [p for p in ingest.discover(corpus_dir) if p.name != "gold.json"]
    documents = ingest.read_sources(paths, corpus_dir).documents
    started = time.perf_counter()
    extractions = []
    for i in range(0, len(documents), batch_docs):
        extractions.extend(extract_batch(documents[i : i + batch_docs]))
    extract_seconds = time.perf_counter() - started
    bare = [m for x in extractions for m in x.mentions]
    groups = align.exact_name_groups(bare)
    baseline_rows = [{**_row(m), "entity_id": groups[m.mention_id]} for m in bare]
    started = time.perf_counter()
    mentions, entities = align.align(documents, copy.deepcopy(bare), {x.doc_id: x.sentences for x in extractions})
    align_seconds = time.perf_counter() - started
    aligned_rows = [_row(m) for m in mentions]
    return figures(gold["mentions"], baseline_rows, aligned_rows) | {
        "documents": len(documents),
        "n_entities": len(entities),
        "n_mentions": len(mentions),
        "mentions_added_by_sweep": sum(m.origin == "sweep" for m in mentions),
        "seconds": {"extract": extract_seconds, "align": align_seconds},
    }


def figures(gold_mentions: list[dict], baseline_rows: list[dict], aligned_rows: list[dict]) -> dict:
    subsets = {
        "all": gold_mentions,
        "named": [g for g in gold_mentions if g.get("named", True)],
        "scored": [g for g in gold_mentions if g.get("scored", True)],
    }
    out: dict = {"mentions": {}, "alignment": {}}
    for name, rows in (("baseline", baseline_rows), ("aligned", aligned_rows)):
        labeled, spans = score_mentions(rows, gold_mentions), score_mentions(rows, gold_mentions, labeled=False)
        out["mentions"][name] = {
            "labeled": {"precision": labeled.precision, "recall": labeled.recall, "f1": labeled.f1},
            "spans": {"precision": spans.precision, "recall": spans.recall, "f1": spans.f1},
        }
        out["alignment"][name] = {subset: alignment_scores(rows, gold) for subset, gold in subsets.items()}
    return out


def _row(m) -> dict:
    return {"doc_id": m.doc_id, "start_char": m.start_char, "end_char": m.end_char, "label": m.label,
            "entity_id": m.entity_id, "text": m.text}

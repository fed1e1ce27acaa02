"""Scoring a run against gold annotations (``../shared/gold/seeds.json`` and the corpora's ``gold.json``).

Pure functions over plain rows, shared by the tests and ``make eval``.
"""

from __future__ import annotations

import json
import math
import re
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
        return f1(self.precision, self.recall)

    def __str__(self) -> str:
        return f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} (tp {self.tp}, pred {self.n_pred}, gold {self.n_gold})"


def f1(precision: float, recall: float) -> float:
    """Harmonic mean; 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def load_gold(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def prf(pred: Iterable, gold: Iterable) -> PRF:
    pred, gold = set(pred), set(gold)
    return PRF(len(pred & gold), len(pred), len(gold))


def score_mentions(pred_rows: Iterable[dict], gold_rows: Iterable[dict], *, labeled: bool = True,
                   texts: dict[str, str] | None = None) -> PRF:
    """Exact span (and label) match of named-entity mentions.

    With ``texts`` (document text by ``doc_id``) spans are compared after :func:`forgiven_span` on
    both sides, so that a leading "the" or a trailing possessive, which annotation guidelines
    include or leave out by convention, is not what is measured.
    """
    def key(r):
        start, end = int(r["start_char"]), int(r["end_char"])
        if texts is not None:
            start, end = forgiven_span(texts[r["doc_id"]], start, end)
        base = (r["doc_id"], start, end)
        return base + (r["label"],) if labeled else base

    return prf(map(key, pred_rows), map(key, gold_rows))


_FORGIVEN_LEADING = re.compile(r"(?i:the)\s+")
_FORGIVEN_TRAILING = re.compile(r"\s*['’]s?$")


def forgiven_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without a leading "the" and a trailing possessive ("the Pentagon's" -> "Pentagon").

    >>> forgiven_span("the Pentagon's budget", 0, 14)
    (4, 12)
    """
    span = text[start:end]
    lead = _FORGIVEN_LEADING.match(span)
    if lead and lead.end() < len(span):
        start += lead.end()
        span = span[lead.end():]
    trail = _FORGIVEN_TRAILING.search(span)
    if trail and trail.start() > 0:
        end = start + trail.start()
    return start, end


MONEY_VALUE_FIELDS = ("amount", "currency", "amount_min", "amount_max", "approximate")


def score_money(pred_rows: Iterable[dict], gold_rows: Iterable[dict]) -> dict:
    """Money rows against gold: exact-span P/R/F1, then, on the spans both agree on, how often
    each value field is right and how often all of them are ("strict" counts a row only when
    span and every value match).

    Amounts compare with a relative tolerance of 1e-9 (2.3 * 1e9 is not exactly 2300000000.0 in
    every computation); null only equals null.
    """
    def key(r):
        return (r["doc_id"], int(r["start_char"]), int(r["end_char"]))

    pred = {key(r): r for r in pred_rows}
    gold = {key(r): r for r in gold_rows}
    spans = prf(pred, gold)
    matched = sorted(set(pred) & set(gold))
    field_hits = {f: sum(_same(pred[k].get(f), gold[k].get(f)) for k in matched) for f in MONEY_VALUE_FIELDS}
    all_right = sum(all(_same(pred[k].get(f), gold[k].get(f)) for f in MONEY_VALUE_FIELDS) for k in matched)
    strict = PRF(all_right, len(pred), len(gold))
    n = len(matched)
    return {
        "span_precision": spans.precision, "span_recall": spans.recall, "span_f1": spans.f1,
        "n_pred": len(pred), "n_gold": len(gold), "n_span_matched": n,
        "value_accuracy": all_right / n if n else 0.0,
        **{f"{f}_accuracy": hits / n if n else 0.0 for f, hits in field_hits.items()},
        "strict_precision": strict.precision, "strict_recall": strict.recall, "strict_f1": strict.f1,
        "mismatches": [
            {"doc_id": k[0], "start_char": k[1], "end_char": k[2], "text": gold[k].get("text"),
             **{f: (pred[k].get(f), gold[k].get(f)) for f in MONEY_VALUE_FIELDS
                if not _same(pred[k].get(f), gold[k].get(f))}}
            for k in matched if not all(_same(pred[k].get(f), gold[k].get(f)) for f in MONEY_VALUE_FIELDS)
        ],
    }


def _same(a, b) -> bool:
    if _is_null(a) or _is_null(b):
        return _is_null(a) and _is_null(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _is_null(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))
# ----- dates (TempEval-3 style) -------------------------------------------------------------------

@dataclass(frozen=True)
class DateScores:
    """TempEval-3's figures: extraction with strict (same offsets) and relaxed (overlapping) spans,
    and value: a prediction counts when its TIMEX3 value string equals the gold's on a relaxed match."""

    strict: PRF
    relaxed: PRF
    value: PRF
    type: PRF


def match_spans(pred_rows: Iterable[dict], gold_rows: Iterable[dict]) -> list[tuple[dict, dict]]:
    """One-to-one pairs of overlapping spans in the same document, largest overlap first."""
    by_doc: dict[str, list[dict]] = {}
    for g in gold_rows:
        by_doc.setdefault(g["doc_id"], []).append(g)
    pairs = []
    for p in pred_rows:
        for g in by_doc.get(p["doc_id"], ()):
            overlap = min(int(p["end_char"]), int(g["end_char"])) - max(int(p["start_char"]), int(g["start_char"]))
            if overlap > 0:
                pairs.append((overlap, id(p), id(g), p, g))
    used_p, used_g, matched = set(), set(), []
    for _, ip, ig, p, g in sorted(pairs, key=lambda t: -t[0]):
        if ip not in used_p and ig not in used_g:
            used_p.add(ip)
            used_g.add(ig)
            matched.append((p, g))
    return matched


def score_dates(pred_rows: Iterable[dict], gold_rows: Iterable[dict]) -> DateScores:
    pred_rows, gold_rows = list(pred_rows), list(gold_rows)
    n_pred, n_gold = len(pred_rows), len(gold_rows)
    matched = match_spans(pred_rows, gold_rows)
    strict = sum(1 for p, g in matched if (int(p["start_char"]), int(p["end_char"])) == (int(g["start_char"]), int(g["end_char"])))
    value = sum(1 for p, g in matched if p.get("value") is not None and p.get("value") == g.get("value"))
    kind = sum(1 for p, g in matched if p.get("type") == g.get("type"))
    return DateScores(PRF(strict, n_pred, n_gold), PRF(len(matched), n_pred, n_gold), PRF(value, n_pred, n_gold),
                      PRF(kind, n_pred, n_gold))


# -- alignment: B-cubed and cross-document pairwise links ----------------------------------------

@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    n: int  # mentions scored

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

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


# -- places: geocoding against a hand-checked list of place mentions -------------------------------

def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def score_places(mention_rows: Iterable[dict], entity_rows: Iterable[dict], gold_rows: Iterable[dict]) -> dict:
    """Geocoding of the gold's place mentions (``tests/gold/ecbplus_places.jsonl``, README there).

    Each gold mention is looked up by its exact span; the entity of the run's mention there gives
    the predicted place. A resolution counts when its ``geonames_id`` is the gold's (or one of its
    ``alt_geonames_ids``). Precision is over the items resolved to an id (a resolved non-place, an
    undecidable item or a mention no longer found at that span, if resolved, counts as wrong);
    coverage is over the decidable places the gazetteer has an id for. Country codes are scored
    the same way on their own.
    """
    gold_rows = list(gold_rows)
    entity = {e["entity_id"]: e for e in entity_rows}
    at = {(m["doc_id"], int(m["start_char"]), int(m["end_char"])): m.get("entity_id") for m in mention_rows}
    resolved = correct = targets = countries = countries_right = metonyms = found = 0
    wrong = []
    for g in gold_rows:
        ids = {g.get("geonames_id"), *(g.get("alt_geonames_ids") or [])} - {None}
        target = bool(g["is_place"] and g["decidable"] and ids)
        targets += target
        eid = at.get((g["doc_id"], int(g["start_char"]), int(g["end_char"])))
        found += eid is not None
        e = entity.get(eid) if eid else None
        if e is None:
            continue
        if not _is_null(e.get("geonames_id")):
            resolved += 1
            ok = target and int(e["geonames_id"]) in ids
            correct += ok
            metonyms += bool(g.get("metonym")) and not g["is_place"]
            if not ok:
                wrong.append({"text": g["text"], "doc_id": g["doc_id"], "predicted": int(e["geonames_id"]),
                              "gold": sorted(ids), "note": g.get("note", "")})
        if not _is_null(e.get("country_code")):
            countries += 1
            countries_right += e["country_code"] == g.get("country_code")
    return {"resolved": resolved, "correct": correct, "targets": targets, "found": found, "n_gold": len(gold_rows),
            "precision": correct / resolved if resolved else 0.0, "coverage": correct / targets if targets else 0.0,
            "country_precision": countries_right / countries if countries else 0.0, "countries": countries,
            "metonyms_resolved": metonyms, "wrong": wrong}

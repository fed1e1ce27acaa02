"""Scoring a run against gold annotations (``../shared/gold/seeds.json`` and the corpora's ``gold.json``).

Pure functions over plain rows, shared by the tests and ``make eval``.
"""

from __future__ import annotations

import json
import math
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

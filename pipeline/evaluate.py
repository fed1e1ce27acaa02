"""Scoring a run against gold annotations (``../shared/gold/seeds.json`` and the corpora's ``gold.json``).

Pure functions over plain rows, shared by the tests and ``make eval``.
"""

from __future__ import annotations

import json
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

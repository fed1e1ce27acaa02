"""Majority votes and disjoint sets: the two small algorithms every alignment step shares.

One tie rule everywhere, and one that never depends on the order votes arrive in: among labels
with the most votes, the alphabetically last wins. Rows, documents and batches arrive in any order
(a re-run, a Dask cluster, an incremental run), and an entity's label must not change with it.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Mapping


def majority(votes: Mapping[str, int]) -> str:
    """The label with the most votes; ties go to the alphabetically last label.

    >>> majority({"ORG": 2, "PERSON": 2, "GPE": 1})
    'PERSON'
    """
    return max(votes.items(), key=lambda kv: (kv[1], kv[0]))[0]


class UnionFind:
    """Disjoint sets over hashable items; ``union(a, b)`` keeps ``a``'s root as the merged root.

    Callers choose the root on purpose (the longer name of a chain, the smaller index of a
    cluster), so the direction is part of the contract.
    """

    def __init__(self, items: Iterable[Hashable] = ()):
        self.parent: dict = {x: x for x in items}

    def add(self, x: Hashable) -> None:
        self.parent.setdefault(x, x)

    def find(self, x: Hashable) -> Hashable:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    def union(self, a: Hashable, b: Hashable) -> Hashable:
        """Merge the sets of ``a`` and ``b``; returns the root, which is ``a``'s."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
        return ra

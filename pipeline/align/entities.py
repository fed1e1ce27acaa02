"""Clusters of chains to entity rows: canonical name, label, stable id.

``entity_id`` is a hash of the entity's label class and its canonical key (the name key most of
its documents use in full), never of row order or run, so ids survive re-runs and additions.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

from pipeline.align.chains import Chain
from pipeline.align.labels import label_class
from pipeline.align.names import fold, is_well_formed, parse
from pipeline.align.votes import majority
from pipeline.schema import Entity, Mention


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name (the exact-name baseline's key)."""
    return re.sub(r"[^\w]+", " ", fold(text)).strip()


def entity_id_for(kind: str, key: str) -> str:
    """Derived from the canonical key alone, never from row order, so ids survive re-runs."""
    return "E" + hashlib.sha1(f"{kind}|{key}".encode("utf-8")).hexdigest()[:16]


def make_entity(chains: list[Chain]) -> Entity:
    mentions = [m for c in chains for m in c.mentions]
    labels = Counter()
    for c in chains:
        labels[c.label] += len(c.mentions)
    label = majority(labels)
    character = any(c.character for c in chains)
    doc_ids = sorted({m.doc_id for m in mentions})
    surface = Counter(m.text for m in mentions)
    return Entity(
        entity_id=entity_id_for(("character:" if character else "") + label_class(label), canonical_key(chains)),
        name=canonical_name(mentions, label),
        label=label,
        aliases=sorted(surface),
        n_mentions=len(mentions),
        n_docs=len(doc_ids),
        doc_ids=doc_ids,
    )


def canonical_key(chains: list[Chain]) -> str:
    """The name most documents use in full: the most stable choice as documents are added."""
    docs_per_key: dict[str, set[str]] = defaultdict(set)
    for c in chains:
        docs_per_key[c.head.key].add(c.doc_id)
    return max(docs_per_key, key=lambda k: (len(docs_per_key[k]), len(k.split()), k))


def canonical_name(mentions: list[Mention], label: str) -> str:
    """The most complete well-formed name, among those written in 2+ documents if any are.

    Requiring a second document keeps one article's odd span ("Colts QB Andrew Luck") from
    naming the entity; then the most frequent; mixed case over ALL CAPS.
    """
    surface = Counter(m.text for m in mentions)
    docs: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        docs[m.text].add(m.doc_id)
    return canonical_name_from(surface, {t: len(d) for t, d in docs.items()}, label)


def canonical_name_from(surface: dict[str, int], docs: dict[str, int], label: str) -> str:
    """:func:`canonical_name` from counts: mentions per text as written, and documents per text."""

    def rank(text: str):
        n = len(parse(text, label).tokens)
        shouting = text.isupper() and len(text) > 4
        return (is_well_formed(text), docs.get(text, 0) > 1, not shouting, n, surface[text], -len(text), text)

    return max(surface, key=rank)


def disambiguate_ids(entities: list[Entity], groups: list[list[Chain]]) -> None:
    """Two clusters kept apart can share a canonical key; the one seen in fewer documents gets a suffix."""
    seen: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entities):
        seen[e.entity_id].append(i)
    for eid, idx in seen.items():
        if len(idx) < 2:
            continue
        idx.sort(key=lambda i: (-entities[i].n_docs, entities[i].doc_ids[0]))
        for rank, i in enumerate(idx[1:], start=2):
            entities[i].entity_id = entity_id_for("split", f"{eid}|{entities[i].doc_ids[0]}")

"""Cross-document entity alignment: one stable ``entity_id`` per real-world entity.

First level (the alignment issue replaces it): mentions with the same label and the same
normalised name are one entity.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict

from pipeline.schema import Document, Entity, Mention


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", " ", text.casefold()).strip()


def entity_id_for(label: str, key: str) -> str:
    """Derived from the canonical key alone, never from row order, so ids survive re-runs."""
    return "E" + hashlib.sha1(f"{label}|{key}".encode("utf-8")).hexdigest()[:16]


def align(documents: list[Document], mentions: list[Mention]) -> tuple[list[Mention], list[Entity]]:
    groups: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[(m.label, name_key(m.text))].append(m)
    entities = []
    for (label, key), members in groups.items():
        eid = entity_id_for(label, key)
        for m in members:
            m.entity_id = eid
        surface = Counter(m.text for m in members)
        doc_ids = sorted({m.doc_id for m in members})
        entities.append(Entity(
            entity_id=eid,
            name=surface.most_common(1)[0][0],
            label=label,
            aliases=sorted(surface),
            n_mentions=len(members),
            n_docs=len(doc_ids),
            doc_ids=doc_ids,
        ))
    entities.sort(key=lambda e: (-e.n_mentions, e.entity_id))
    return mentions, entities

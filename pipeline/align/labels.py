"""Label repair across the corpus, and the label classes that may name one thing.

Each document already voted on its chains' labels (:mod:`pipeline.align.chains`); this step lets the
corpus outvote a document where the model was unsure there.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pipeline.align.chains import Chain, mention_name
from pipeline.align.votes import majority

# Labels that may name the same thing when the model hesitates between them.
LABEL_CLASS = {"PERSON": "PERSON", "NORP": "NORP", "GPE": "PLACE", "LOC": "PLACE"}
# A corpus majority this strong relabels a document's chain (unless the document is sure).
CORPUS_MAJORITY = 0.6


def label_class(label: str) -> str:
    return LABEL_CLASS.get(label, "THING")


def repair_labels(chains: list[Chain]) -> None:
    """Corpus step of label repair: a name the corpus tags one way takes that label everywhere.

    Each document already voted (a chain's label is its own majority); a chain is relabelled only
    if its name has a clear corpus majority and the model was not unanimous on 3+ mentions of the
    full name in that document: "Ford" that one article tags ORG six times stays the company there.
    """
    tally: dict[str, Counter] = defaultdict(Counter)
    for c in chains:
        for m in c.mentions:
            tally[mention_name(m).key][c.label] += 1
    clear: dict[str, str | None] = {}  # name key -> its label, where the corpus is clear about it
    for key, votes in tally.items():
        label = majority(votes)
        clear[key] = label if votes[label] >= CORPUS_MAJORITY * sum(votes.values()) else None
    for c in chains:
        label = clear[c.head.key]
        if label is None or label == c.label or c.team:
            continue  # a team named after its city is told apart by its own sentence, not the corpus
        own = c.head_votes
        if len(own) == 1 and c.label in own and own[c.label] >= 3:
            continue
        c.label = label

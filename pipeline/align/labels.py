"""Label repair across the corpus, and the label classes that may name one thing.

Each document already voted on its chains' labels (:mod:`pipeline.align.chains`); this step lets the
corpus outvote a document where the model was unsure there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

from pipeline.align.chains import PLURAL, THING_CUE, THING_LABELS, Chain, mention_name
from pipeline.align.names import PERSON
from pipeline.align.votes import majority

# Labels that may name the same thing when the model hesitates between them.
LABEL_CLASS = {"PERSON": "PERSON", "NORP": "NORP", "GPE": "PLACE", "LOC": "PLACE"}
# A corpus majority this strong relabels a document's chain (unless the document is sure).
CORPUS_MAJORITY = 0.6
# Share of a "person" name's mentions written as a thing (rules/thing_cues.toml) that makes it one.
THING_CUE_SHARE = 0.5


def label_class(label: str) -> str:
    return LABEL_CLASS.get(label, "THING")


class Verdict(NamedTuple):
    """What the corpus says a name key is: ``label`` (None where it is not clear), and whether that
    is a thing the model keeps calling a person (:func:`_thing_reading`), which overrules even a
    document unanimous on PERSON: that unanimity is the very error the corpus corrects."""

    label: str | None
    thing: bool = False


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
        for key, vote in c.evidence:
            tally[key][vote] += 1
    verdicts = {key: corpus_label(votes) for key, votes in tally.items()}
    for c in chains:
        c.label = repaired(c.label, c.head_votes, c.team, verdicts[c.head.key])


def repaired(label: str, own: Counter, team: bool, verdict: Verdict) -> str:
    """A chain's label after repair: its document's ``label`` (``own``: the model's votes on its
    most complete name there), or the corpus's where the corpus is clear and the document unsure."""
    if verdict.label is None or verdict.label == label or team:
        return label  # a team named after its city is told apart by its own sentence, not the corpus
    if len(own) == 1 and label in own and own[label] >= 3 and not (verdict.thing and label == PERSON):
        return label
    return verdict.label


def corpus_label(votes: Counter) -> Verdict:
    """The label the corpus gives a name key, or None where it is not clear.

    ``votes``: the documents' labels of its mentions, and evidence votes (``~...``, from
    :func:`pipeline.align.chains.label_evidence`). The label is the clear majority
    (:data:`CORPUS_MAJORITY`), except that a name the corpus calls a person is a thing
    (:func:`_thing_reading`) when the corpus says so in two independent ways.
    """
    labels = Counter({k: n for k, n in votes.items() if n > 0 and not k.startswith("~")})
    if not labels:
        return Verdict(None)
    label = majority(labels)
    if label == PERSON:
        thing = _thing_reading(votes, labels)
        if thing is not None:
            return Verdict(thing, thing=True)
    return Verdict(label if labels[label] >= CORPUS_MAJORITY * sum(labels.values()) else None)


def _thing_reading(votes: Counter, labels: Counter) -> str | None:
    """A "person" name that is a thing, on two independent signals: some document's model tagged
    it as a thing (``labels``), and either its plural is tagged as one at least as often as it is a
    person ("Oscar" PERSON 36 times, WORK_OF_ART twice; "Oscars" ORG 48: the award), or at least
    half its mentions are written as a thing ("said on Twitter", PERSON 18, PRODUCT twice).
    Returns the thing's label: the majority of those thing votes, the plural's included."""
    things = Counter({k: n for k, n in labels.items() if k in THING_LABELS})
    if not things:
        return None
    plural = Counter({k[len(PLURAL):]: n for k, n in votes.items() if k.startswith(PLURAL) and n > 0})
    if plural and sum(plural.values()) >= labels[PERSON]:
        return majority(plural + things)
    if votes.get(THING_CUE, 0) >= THING_CUE_SHARE * sum(labels.values()):
        return majority(things)
    return None

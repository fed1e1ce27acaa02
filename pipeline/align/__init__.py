"""Cross-document entity alignment: one stable ``entity_id`` per real-world entity.

    model mentions -> spans that are never names dropped (:mod:`pipeline.align.junk`)
    -> headline words cut out of names (:mod:`pipeline.align.headlines`)
    -> recall sweep (names found elsewhere, :mod:`pipeline.align.sweep`)
    -> per document: short forms join their full names, one label per chain (:mod:`pipeline.align.chains`)
    -> across the corpus: label repair by majority, then chains clustered into entities
    -> place entities geocoded: the vote of their chains' readings (:mod:`pipeline.align.places`)
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from pipeline.align.chains import doc_chains
from pipeline.align.cluster import Clusterer
from pipeline.align.entities import disambiguate_ids, entity_id_for, make_entity, name_key
from pipeline.align.headlines import split_headline_names
from pipeline.align.index import align_corpus
from pipeline.align.junk import drop_junk
from pipeline.align.labels import repair_labels
from pipeline.align.places import PLACE_LABELS, read_places, vote
from pipeline.align.sweep import lowercase_vocabulary, sweep
from pipeline.schema import Document, Entity, Mention

__all__ = ["Steps", "align", "align_corpus", "entity_id_for", "name_key", "load_tables"]


def load_tables() -> None:
    """Load what alignment reads on first use (the gazetteer, time-zone abbreviations from pytz,
    currency codes, calendar words, honorifics, the rule files): ~0.4 s, a tenth of a run on three
    articles. A run calls this on a thread while its extraction goes on (:mod:`pipeline.flows`)."""
    from pipeline.align import chains, gazetteer, junk
    from pipeline.align.sweep import guards  # (the package's name ``sweep`` is the step's function)

    for load in (junk.time_zones, junk.currency_codes, junk.calendar_words, junk.titles, junk.extra_words,
                 gazetteer.gazetteer, chains.role_cues, chains.team_cues, chains.place_cues,
                 chains.place_name_uses, guards):
        load()


@dataclass(frozen=True)
class Steps:
    """Which repair steps run: all of them in the product (and always in :func:`align_corpus`).
    ``make eval`` switches each off, and each on alone, in this batch :func:`align`, to measure what
    it does (a step stays only where it helps on corpora it was not tuned on)."""

    junk_filter: bool = True  # time zones, URL pieces, lone titles, quote characters, ... dropped
    headline_split: bool = True  # ordinary words of Title Case lines cut out of names
    sweep: bool = True  # names the model found elsewhere added where it missed them
    label_repair: bool = True  # corpus majority label over a document's
    chains: bool = True  # short forms joined to their full names within a document

    @classmethod
    def none(cls) -> Steps:
        return cls(junk_filter=False, headline_split=False, sweep=False, label_repair=False, chains=False)


def align(documents: list[Document], mentions: list[Mention],
          sentences: dict[str, list[tuple[int, int]]] | None = None,
          steps: Steps = Steps()) -> tuple[list[Mention], list[Entity]]:
    """Mentions (with names the model missed added) each with an ``entity_id``, and the entities.

    ``sentences`` gives each document's sentence bounds, for the provenance of added mentions.
    """
    with _cycle_collector_paused():
        return _align(documents, mentions, sentences, steps)


def _by_document(mentions: list[Mention]) -> dict[str, list[Mention]]:
    by_doc: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_doc[m.doc_id].append(m)
    return by_doc


def _without_junk(documents: list[Document], mentions: list[Mention]) -> list[Mention]:
    by_doc = _by_document(mentions)
    return [m for d in documents for m in drop_junk(d, by_doc.get(d.doc_id, []))]


def locate(entity: Entity, readings: Counter) -> None:
    """A place entity's geocoding columns from its chains' readings (left null when they do not decide)."""
    found = vote(readings, entity.name) if entity.label in PLACE_LABELS else None
    if found is not None:
        for column, value in asdict(found).items():
            setattr(entity, column, value)


@contextmanager
def _cycle_collector_paused():
    """Alignment only adds objects (chains, name sets, summaries: a few hundred thousand) and makes
    no reference cycles. CPython answers that growth with full collections, each walking the whole
    heap, the corpus's mentions included: about a sixth of alignment's time on ``make bench``'s
    corpus, to free nothing. Reference counting still frees everything as usual. The pause is
    process-wide, for the seconds alignment takes; the collector resumes after, as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _align(documents: list[Document], mentions: list[Mention],
           sentences: dict[str, list[tuple[int, int]]] | None, steps: Steps) -> tuple[list[Mention], list[Entity]]:
    common = lowercase_vocabulary(d.text for d in documents)
    if steps.junk_filter:
        mentions = _without_junk(documents, mentions)
    if steps.headline_split:
        mentions = split_headline_names(documents, mentions, common)
    if steps.sweep:
        mentions = sweep(documents, mentions, sentences or {}, common)
        if steps.junk_filter:  # what the sweep found passes the same test as the model's names
            mentions = _without_junk(documents, mentions)
    by_doc = _by_document(mentions)
    chains = []
    for d in documents:
        doc = doc_chains(d.doc_id, d.text, by_doc.get(d.doc_id, []), common, link=steps.chains)
        read_places(doc)
        chains.extend(doc)
    if steps.label_repair:
        repair_labels(chains)
    groups = Clusterer(chains, n_docs=len(documents)).run()
    entities = [make_entity(g) for g in groups]
    disambiguate_ids(entities, groups)
    for entity, group in zip(entities, groups):
        locate(entity, Counter(c.place for c in group if c.place))
    for entity, group in zip(entities, groups):
        for chain in group:
            for m in chain.mentions:
                m.entity_id = entity.entity_id
                m.label = entity.label
    entities.sort(key=lambda e: (-e.n_mentions, e.entity_id))
    mentions.sort(key=lambda m: (m.doc_id, m.start_char, m.end_char))
    return mentions, entities

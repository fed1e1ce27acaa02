"""Alignment on the sample articles with the real model and the real flow, scored against the gold."""

from __future__ import annotations

import pytest

import pandas as pd

from pipeline import align
from pipeline.tools.metrics import alignment_scores, score_mentions
from pipeline.extract import extract_batch
from pipeline.ingest import discover, read_sources

from conftest import RAW

pytestmark = pytest.mark.model

# The bare model with exact-name grouping on these articles (measured when alignment was written):
# labeled mention F1 0.498, B-cubed F1 0.916, cross-document pairwise F1 0.870.
BARE_LABELED_F1 = 0.498


def test_seeds_alignment_against_gold(seed_run, gold):
    _, out = seed_run
    mentions = pd.read_parquet(out / "mentions.parquet").to_dict("records")
    scores = alignment_scores(mentions, gold["mentions"])
    labeled = score_mentions(mentions, gold["mentions"])
    print(f"\nseeds alignment: B-cubed {scores['bcubed']}, pairwise {scores['pairwise']}, labeled {labeled}")
    assert scores["bcubed"]["f1"] >= 0.95
    assert scores["pairwise"]["f1"] >= 0.95
    assert labeled.f1 > BARE_LABELED_F1 + 0.05
    assert scores["mentions_scored"] >= 110  # of 125 gold mentions: the recall sweep found the missed ones


def test_seeds_entities_are_the_real_people(seed_run):
    _, out = seed_run
    entities = pd.read_parquet(out / "entities.parquet")
    people = entities[entities.label == "PERSON"].set_index("name")
    assert people.loc["Abdel Rahman Akkad", "n_docs"] == 2
    assert set(people.loc["Abdel Rahman Akkad", "aliases"]) == {"Abdel Rahman Akkad", "Akkad"}
    assert people.loc["Bobby Boermans", "n_docs"] == 3
    assert "Ammar Ajar" in people.index  # the film's character is not the gunman
    mentions = pd.read_parquet(out / "mentions.parquet")
    swept = mentions[mentions.origin == "sweep"]
    assert len(swept) and swept.model_label.isna().all()


def test_direct_run_equals_the_flow(seed_run):
    """Alignment called directly (as the alignment benchmark does) gives exactly what the flow writes."""
    _, out = seed_run
    documents = read_sources(discover(RAW), RAW).documents
    extractions = extract_batch(documents)
    mentions, entities = align.align(documents, [m for x in extractions for m in x.mentions],
                                     {x.doc_id: x.sentences for x in extractions})
    flow_mentions = pd.read_parquet(out / "mentions.parquet")
    assert sorted((m.mention_id, m.entity_id, m.label) for m in mentions) == sorted(
        flow_mentions[["mention_id", "entity_id", "label"]].itertuples(index=False, name=None))
    assert sorted(e.entity_id for e in entities) == sorted(pd.read_parquet(out / "entities.parquet").entity_id)

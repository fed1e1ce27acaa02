"""The model as the pipeline loads it: the pipes it drops change no entity and no sentence.

The claim behind :data:`pipeline.extract.nlp.EXCLUDED_PIPES` is structural (no kept pipe listens
to a dropped one) and observable (the same entities and sentences as spaCy's full pipeline with
senter on): both are checked here, the second on real articles of several kinds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import nlp as nlp_module
from pipeline.settings import MODEL_NAME

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "gum" / "docs.jsonl"


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "raw").glob("*.txt"))]
    texts.append(" ".join(texts))  # one long text across articles
    texts.append("WASHINGTON (AP) — The Senate voted 52-48 on Tuesday. Ms. Smith, 44, of Ohio, said no.\n\nBy JANE DOE")
    return texts


def _read(doc) -> tuple:
    return ([(e.start_char, e.end_char, e.label_) for e in doc.ents],
            [(s.start_char, s.end_char) for s in doc.sents])


@pytest.mark.model
def test_no_kept_pipe_listens_to_a_dropped_one():
    import spacy

    full = spacy.load(MODEL_NAME)
    kept = nlp_module.load_model()
    dropped = set(nlp_module.EXCLUDED_PIPES)
    for name in kept.pipe_names:
        layers = {node.name for node in full.get_pipe(name).model.walk()}
        assert not any("listener" in layer for layer in layers), (name, sorted(layers))
    # and the dropped embedding really is a listener source for the pipes we do not use
    assert "tok2vec" in dropped and any("listener" in n.name for n in full.get_pipe("tagger").model.walk())


@pytest.mark.model
def test_entities_and_sentences_equal_the_full_pipeline():
    import spacy

    full = spacy.load(MODEL_NAME)
    full.enable_pipe("senter")
    full.disable_pipe("parser")  # sentences from senter, as the pipeline's; the parser would set its own
    kept = nlp_module.load_model()
    texts = _texts()
    if CORPUS.is_file():  # beside the corpora: real texts of several genres too
        with CORPUS.open(encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line, _ in zip(lines, range(40))]
    want = [_read(d) for d in full.pipe(texts)]
    got = [_read(d) for d in kept.pipe(texts)]
    assert sum(len(ents) for ents, _ in want) > 100
    assert got == want

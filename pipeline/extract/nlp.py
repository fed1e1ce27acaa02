"""spaCy, loaded once, run in batches, its output turned into plain records (:mod:`pipeline.spans`).

The model is loaded with only what NER and sentence boundaries need: senter and ner. In
en_core_web_sm both carry their own embedding layer (neither listens to the shared ``tok2vec``
component, which only feeds the tagger and parser), so ``tok2vec`` is left out too: it would compute
vectors nobody reads, about a fifth of the model's time. Entities and sentences are those of the
full pipeline (``tests/test_nlp.py`` checks it on real articles, and that no kept pipe listens).
Its sentences are cut again at line breaks that end a line of their own (:mod:`pipeline.extract.sentences`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.settings import MODEL_NAME
from pipeline.extract.sentences import split_at_line_breaks
from pipeline.spans import NlpResult, Span

EXCLUDED_PIPES = ["tok2vec", "parser", "tagger", "lemmatizer", "attribute_ruler"]
# spaCy's memory grows with document length; longer texts are split at line breaks into chunks
# of about this size and the spans shifted back, so any article length works.
CHUNK_CHARS = 100_000


@lru_cache(maxsize=1)
def load_model():
    import spacy

    nlp = spacy.load(MODEL_NAME, exclude=EXCLUDED_PIPES)
    nlp.enable_pipe("senter")
    nlp.max_length = max(nlp.max_length, CHUNK_CHARS * 2)
    return nlp


def chunk_offsets(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """Cut ``text`` into pieces of at most ~``size`` chars, preferring paragraph, then line, then space breaks."""
    if len(text) <= size:
        return [(0, len(text))]
    pieces, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            window = text[start:end]
            for pattern in (r"\n\s*\n", r"\n", r"\s"):
                breaks = [m.end() for m in re.finditer(pattern, window)]
                if breaks and breaks[-1] > size // 2:
                    end = start + breaks[-1]
                    break
        pieces.append((start, end))
        start = end
    return pieces


def annotate(texts: list[str], batch_size: int = 32) -> list[NlpResult]:
    """Run the model over ``texts`` (in order) and return one :class:`NlpResult` per text.

    One process: parallelism is the caller's (worker processes or Dask, one batch each), so each
    worker keeps its model loaded across batches.
    """
    nlp = load_model()
    jobs: list[tuple[int, int]] = []  # (text index, chunk start)
    chunks: list[str] = []
    for i, text in enumerate(texts):
        for start, end in chunk_offsets(text):
            jobs.append((i, start))
            chunks.append(text[start:end])
    results = [NlpResult() for _ in texts]
    for (i, offset), doc in zip(jobs, nlp.pipe(chunks, batch_size=batch_size)):
        result = results[i]
        result.ents.extend(Span(e.start_char + offset, e.end_char + offset, e.label_) for e in doc.ents)
        result.sentences.extend((s.start_char + offset, s.end_char + offset) for s in doc.sents)
    for text, result in zip(texts, results):  # a line of its own (headline, dateline) is a sentence of its own
        result.sentences = split_at_line_breaks(text, result.sentences)
    return results

"""Per-document extraction: model output plus rules to mention, date and money rows.

Everything here depends on one document alone (its text, metadata and model output), which is
what makes the result cacheable per document and safe to run on any worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline import money, temporal
from pipeline.nlp import NlpResult, Span, annotate, sentence_of
from pipeline.schema import ENTITY_LABELS, DateRow, Document, Mention, MoneyRow, mention_id


@dataclass
class DocExtraction:
    doc_id: str
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateRow] = field(default_factory=list)
    money: list[MoneyRow] = field(default_factory=list)
    # Sentence bounds, kept so that alignment can give names it adds the same provenance.
    sentences: list[tuple[int, int]] = field(default_factory=list)


def warm_up() -> None:
    """Load the model and every rule table now, not inside the first batch (worker initialisers, the CLI)."""
    from pipeline import currencies
    from pipeline.nlp import load_model
    from pipeline.temporal import detect, lexicon

    load_model()
    currencies.table()
    money.grammar()
    lexicon.load()
    detect.dateparser_parser().get_date_data("22 February 2022")  # dateparser loads its data on first use


def extract_batch(docs: list[Document]) -> list[DocExtraction]:
    """Model and rules over a batch of documents; ``doc.dct`` is filled in place."""
    results = annotate([d.text for d in docs])
    return [extract_document(doc, result) for doc, result in zip(docs, results)]


def extract_document(doc: Document, nlp: NlpResult) -> DocExtraction:
    dates = temporal.extract_dates(doc, nlp)
    doc.dct, doc.dct_source = dates.dct, dates.dct_source
    amounts = money.extract_money(doc, nlp.ents)
    # Every row says which sentence it is in, so analysts can join a sum or a date to the names beside it.
    for row in (*dates.rows, *amounts):
        row.sentence_index = sentence_of(nlp.sentences, row.start_char)
    return DocExtraction(
        doc_id=doc.doc_id,
        mentions=build_mentions(doc, nlp),
        dates=dates.rows,
        money=amounts,
        sentences=list(nlp.sentences),
    )


_LEADING = re.compile(r"^(?:the|The|THE)\s+")
# Titles keep their article: "The Last of Us" is the name, "the Netherlands" is not.
_KEEPS_ARTICLE = {"WORK_OF_ART", "LAW", "EVENT"}
_TRAILING = re.compile(r"(?:['’]s?|\s+)$")


def trim_name(text: str, start: int, end: int, label: str = "") -> tuple[int, int]:
    """Shrink a name span to the proper name: no leading "the", no possessive, no edge spaces or punctuation."""
    leading = re.compile(r"^the\s+") if label in _KEEPS_ARTICLE else _LEADING
    while start < end:
        span = text[start:end]
        m = leading.match(span) or re.match(r"^[\s\"“‘'(\[]+", span)
        if m and m.end() < len(span):
            start += m.end()
            continue
        m = _TRAILING.search(span) or re.search(r"[\s\"”’',.;:)\]]+$", span)
        if m and m.start() > 0:
            end = start + m.start()
            continue
        break
    return start, end


def one_line(text: str, start: int, end: int) -> tuple[int, int]:
    """A name never runs across a line break: the model's "html\nEllen DeGeneres" is "Ellen DeGeneres".

    Of the lines the span covers, the one with most capitalised words is kept (the last on a tie:
    spans that cross a break usually start in the end of a URL or a headline above).
    """
    if "\n" not in text[start:end]:
        return start, end
    pieces = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\n]+", text[start:end])]
    return max(pieces, key=lambda p: (len(re.findall(r"\b[A-Z]", text[p[0]:p[1]])), p[0]))


def build_mentions(doc: Document, nlp: NlpResult) -> list[Mention]:
    mentions = []
    for span in nlp.ents:
        if span.label not in ENTITY_LABELS:
            continue
        start, end = trim_name(doc.text, *one_line(doc.text, span.start, span.end), span.label)
        if end > start:
            mentions.append(make_mention(doc, start, end, span.label, nlp.sentences,
                                         model_label=span.label))
    return mentions


def make_mention(doc: Document, start: int, end: int, label: str, sentences: list[tuple[int, int]], *,
                 model_label: str | None, origin: str = "model") -> Mention:
    """A mention row with its full provenance: offsets, exact text, and the sentence it is in."""
    index = sentence_of(sentences, start)
    s_start, s_end = sentences[index] if sentences else (0, len(doc.text))
    return Mention(
        doc_id=doc.doc_id,
        mention_id=mention_id(doc.doc_id, start, end),
        start_char=start,
        end_char=end,
        text=doc.text[start:end],
        label=label,
        sentence=doc.text[s_start:s_end].strip(),
        sentence_index=index,
        model_label=model_label,
        origin=origin,
    )

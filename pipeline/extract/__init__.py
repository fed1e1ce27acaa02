"""Per-document extraction: model output plus rules to mention, date and money rows.

Everything here depends on one document alone (its text, metadata and model output), which is
what makes the result cacheable per document and safe to run on any worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline import money, temporal
from pipeline.extract.nlp import annotate
from pipeline.schema import ENTITY_LABELS, DateRow, Document, Mention, MoneyRow
from pipeline.spans import NlpResult, make_mention, one_line, sentence_of, trim_name


@dataclass
class DocExtraction:
    """One document's rows before alignment."""

    doc_id: str
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateRow] = field(default_factory=list)
    money: list[MoneyRow] = field(default_factory=list)
    # Sentence bounds, kept so that alignment can give names it adds the same provenance.
    sentences: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class ExtractedDocument:
    """The unit that flows, workers and the store pass around: a document as extraction left it
    (``dct``, ``extracted_at``, ...) and its rows before alignment.

    ``nlp`` is the model's output the rows were made from, kept so that another document with the
    same text (a syndicated copy) gets its rows from it without running the model again."""

    document: Document
    extraction: DocExtraction
    nlp: NlpResult | None = None


def warm_up() -> None:
    """Load the model and every rule table now, not inside the first batch (worker initialisers, the CLI)."""
    from pipeline.money import currencies
    from pipeline.extract.nlp import load_model
    from pipeline.money import grammar
    from pipeline.temporal import detect, lexicon

    load_model()
    currencies.table()
    grammar.grammar()
    lexicon.load()
    detect.dateparser_parser().get_date_data("22 February 2022")  # dateparser loads its data on first use


def extract_batch(docs: list[Document]) -> list[DocExtraction]:
    """Model and rules over a batch of documents; ``doc.dct`` is filled in place."""
    return [x.extraction for x in extract_documents(docs)]


def extract_documents(docs: list[Document]) -> list[ExtractedDocument]:
    """Model and rules over a batch, with the model's output kept beside the rows."""
    results = annotate([d.text for d in docs])
    return [ExtractedDocument(doc, extract_document(doc, result), result) for doc, result in zip(docs, results)]


def extract_with_known_text(doc: Document, nlp: NlpResult) -> ExtractedDocument:
    """The rules alone, over the model's output for another document with the same text.

    The model reads the text only, so its output is the same; the rules also read the document's
    metadata (``published`` anchors relative dates, ...) and its ``doc_id`` is in every row, so
    they run again, for this document (a few percent of the model's time).
    """
    return ExtractedDocument(doc, extract_document(doc, nlp), nlp)


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

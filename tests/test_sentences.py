"""Sentence bounds at line breaks: a headline, a dateline or a URL line is a sentence of its own."""

from __future__ import annotations

import pytest

from pipeline.extract.sentences import line_break_cuts, split_at_line_breaks


def _sentences(text: str, bounds=None) -> list[str]:
    bounds = bounds if bounds is not None else [(0, len(text))]  # the model saw one sentence
    return [text[s:e] for s, e in split_at_line_breaks(text, bounds)]


def test_url_headline_dateline_and_first_sentence_are_four_sentences():
    text = ("http: / / example. com / 2013 / may / 03 / mill - fire\n"
            "Fire destroys historic mill\n"
            "May 03, 2013\n"
            "A fire broke out at the mill on Friday, officials said.")
    assert _sentences(text) == [
        "http: / / example. com / 2013 / may / 03 / mill - fire",
        "Fire destroys historic mill",
        "May 03, 2013",
        "A fire broke out at the mill on Friday, officials said.",
    ]


def test_paragraph_break_ends_a_sentence_and_bounds_are_trimmed():
    text = "  Culture > News\n\nThe council met on Monday.  \n\n"
    assert _sentences(text) == ["Culture > News", "The council met on Monday."]


def test_a_sentence_wrapped_onto_a_lowercase_line_stays_whole():
    text = "The mayor said the\ncouncil would meet again on Tuesday.\nHeadline Below"
    assert _sentences(text) == ["The mayor said the\ncouncil would meet again on Tuesday.", "Headline Below"]


def test_model_sentence_bounds_inside_a_line_are_kept():
    text = "First one. Second one.\nA headline"
    assert _sentences(text, [(0, 11), (11, len(text))]) == ["First one.", "Second one.", "A headline"]


def test_hard_wrapped_document_splits_only_at_paragraphs():
    # Text wrapped at a fixed width: most single line breaks fall inside sentences, so a capital
    # after a line break ("Police") is the wrap, not a new line of its own.
    text = ("The fire started in the basement of the old\n"
            "mill late on Friday and spread to the roof\n"
            "before firefighters arrived. Police said the\n"
            "cause was not yet known, and that the owner\n"
            "had been told. Witnesses saw smoke for\n"
            "miles around the valley that night.\n"
            "\n"
            "Second paragraph starts here.")
    cuts = line_break_cuts(text)
    assert cuts == [text.index("Second")]
    assert _sentences(text)[-1] == "Second paragraph starts here."


@pytest.mark.parametrize("text", ["\n\nOnly text\n", "No break at all."])
def test_edges(text):
    assert _sentences(text) == [text.strip()]


def test_offsets_between_sentences_map_to_the_one_before():
    from pipeline.spans import sentence_of

    text = "Headline\n\nBody text here."
    bounds = split_at_line_breaks(text, [(0, len(text))])
    assert bounds == [(0, 8), (10, len(text))]
    assert sentence_of(bounds, 9) == 0 and sentence_of(bounds, 10) == 1


@pytest.mark.model
def test_the_model_run_ends_sentences_at_a_headline_and_a_dateline():
    from pipeline.extract.nlp import annotate

    text = ("Fire destroys historic mill in Palmer\nMay 03, 2013\n"
            "A fire broke out at the Matanuska mill on Friday, officials said. Nobody was hurt.")
    (result,) = annotate([text])
    got = [text[s:e] for s, e in result.sentences]
    assert got[:2] == ["Fire destroys historic mill in Palmer", "May 03, 2013"]
    assert got[2].startswith("A fire broke out")

"""Conflicting figures: like compared with like, never a conversion, every rule's examples read as stated."""

from __future__ import annotations

import re

import pytest

from pipeline.analysis import conflicts as C
from pipeline.schema import Document, Entity, Mention, MoneyRow, mention_id

RULES = C.rules()


def _unmark(example: str) -> tuple[str, tuple[int, int] | None, tuple[int, int] | None]:
    """Text without marks; the [amount] span and the {restated amount} span."""
    text, spans, pos = "", {}, 0
    for m in re.finditer(r"\[([^\]]+)\]|\{([^}]+)\}", example):
        text += example[pos:m.start()]
        start = len(text)
        text += m.group(1) or m.group(2)
        spans["[" if m.group(1) else "{"] = (start, len(text))
        pos = m.end()
    text += example[pos:]
    return text, spans.get("["), spans.get("{")


@pytest.mark.parametrize("rule,example", [(r, e) for r in RULES.facts for e in r.examples], ids=lambda x: getattr(x, "name", x))
def test_fact_rule_reads_its_examples(rule, example):
    text, (start, end), _ = _unmark(example)
    assert C.fact_of(text, start, end, (0, len(text))) == rule.name


@pytest.mark.parametrize("rule,example", [(r, e) for r in RULES.qualifiers for e in r.examples], ids=lambda x: getattr(x, "name", x))
def test_qualifier_rule_reads_its_examples(rule, example):
    marked, expected = example.rsplit("|", 1)
    text, (start, end), _ = _unmark(marked)
    assert C.fact_of(text, start, end, (0, len(text))) == expected


@pytest.mark.parametrize("rule,example", [(r, e) for r in RULES.restatements for e in r.examples], ids=lambda x: getattr(x, "name", x))
def test_restatement_rule_reads_its_examples(rule, example):
    text, second, first = _unmark(example)
    assert rule.pattern.match(text[first[1]:second[0]]), f"{rule.name}: {example!r}"


def test_rounding_follows_the_written_digits():
    row = lambda text, amount, lo=None, hi=None: MoneyRow(amount, "USD", lo if lo else amount, hi if hi else amount, False,
                                                        doc_id="d", start_char=0, end_char=len(text), text=text)
    assert C.rounding(row("$7.7 billion", 7.7e9)) == pytest.approx(0.05e9)
    assert C.rounding(row("$200 million", 2e8)) == pytest.approx(0.5e6)
    assert C.rounding(row("$1, 199", 1199.0)) == pytest.approx(0.5)
    assert C.rounding(row("$140-150 million", 1.45e8, 1.4e8, 1.5e8)) == pytest.approx(0.5e6)


# --- the groups, on a small corpus made for them ------------------------------------------------------

def _corpus(articles: dict[str, str]):
    """Documents, one sentence a line, the names in braces as mentions of entities, the money in brackets."""
    from pipeline.money import normalize

    documents, sentences, mentions, money, entities = [], {}, [], [], {}
    for doc_id, marked in articles.items():
        text, pos, found = "", 0, []
        for m in re.finditer(r"\[([^\]]+)\]|\{([^}]+)\}", marked):
            text += marked[pos:m.start()]
            start = len(text)
            text += m.group(1) or m.group(2)
            found.append(("money" if m.group(1) else "name", start, len(text)))
            pos = m.end()
        text += marked[pos:]
        bounds = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
        sentences[doc_id] = bounds
        documents.append(Document(doc_id=doc_id, source_path=doc_id, text=text))
        index = lambda offset: max(i for i, (s, _) in enumerate(bounds) if s <= offset)  # noqa: E731
        for kind, start, end in found:
            if kind == "name":
                name = text[start:end]
                entities.setdefault(name, Entity("E" + name.replace(" ", ""), name, "ORG"))
                mentions.append(Mention(doc_id, mention_id(doc_id, start, end), start, end, name, "ORG", "",
                                        index(start), entity_id=entities[name].entity_id))
            else:
                v = normalize(text[start:end])
                money.append(MoneyRow(v.amount, v.currency, v.amount_min, v.amount_max, v.approximate,
                                      doc_id=doc_id, start_char=start, end_char=end, text=text[start:end],
                                      sentence_index=index(start)))
    return documents, sentences, mentions, list(entities.values()), money


SAME_STORY = "{Alpha Corp} and {Beta Inc} talks went on in {Springfield}.\n"


def test_two_sources_disagree_on_the_same_deal():
    rows = C.find_conflicts(*_corpus({
        "a": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$200 million].",
        "b": SAME_STORY + "{Alpha Corp} will acquire the rival for [$230 million].",
        "c": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$200 million].",
    }))
    assert {r.doc_id for r in rows} == {"a", "b", "c"}
    assert {r.fact for r in rows} == {"acquisition"} and len({r.conflict_id for r in rows}) == 1
    assert rows[0].spread == pytest.approx(1.15) and rows[0].n_docs == 3
    assert "USD 200 million (2 documents) vs USD 230 million (1 document)" in rows[0].reason
    assert all(r.sentence.startswith("Alpha Corp") for r in rows)


def test_a_conversion_in_the_same_sentence_is_not_a_conflict():
    assert C.find_conflicts(*_corpus({
        "a": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [€200 million] ([$230 million]).",
        "b": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$200 million].",
    })) == []


def test_rounding_and_approximation_agree():
    assert C.find_conflicts(*_corpus({
        "a": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$7.68 billion].",
        "b": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$7.7 billion].",
        "c": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [about $8 billion].",
    })) == []


def test_different_facts_of_one_entity_are_not_compared():
    assert C.find_conflicts(*_corpus({
        "a": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$200 million].",
        "b": SAME_STORY + "{Alpha Corp} reported revenue of [$260 million] last year.",
    })) == []


def test_different_stories_are_not_compared():
    # Alpha Corp buys one company in one story and another in a story that shares nothing else.
    assert C.find_conflicts(*_corpus({
        "a": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$200 million].",
        "b": "{Gamma Ltd} was sold in {Shelbyville}.\n{Alpha Corp} agreed to buy the chipmaker for [$300 million].",
    })) == []


def test_open_ended_and_far_apart_figures_are_not_conflicts():
    assert C.find_conflicts(*_corpus({
        "a": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [$200 million].",
        "b": SAME_STORY + "{Alpha Corp} agreed to buy the rival for [more than $150 million].",
        "c": SAME_STORY + "{Alpha Corp} buys the rival at [$25] a share.",
        "d": SAME_STORY + "{Alpha Corp} agreed to buy the rival's unit for [$9 million].",
    })) == []


def test_a_document_with_two_figures_for_one_key_is_left_out():
    # Document a prices two models; it cannot say which of its figures b disagrees with.
    assert C.find_conflicts(*_corpus({
        "a": SAME_STORY + "The {Alpha Phone} is priced at [$1,199].\nThe larger {Alpha Phone} is priced at [$1,499].",
        "b": SAME_STORY + "The {Alpha Phone} is priced at [$1,299].",
    })) == []

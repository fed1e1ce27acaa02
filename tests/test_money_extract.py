"""Money extraction with the real spaCy model: the sample articles against their gold, span
boundaries, what must not be extracted, and currencies read from document context."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.tools.metrics import score_money
from pipeline.money import extract_money
from pipeline.extract.nlp import annotate
from pipeline.schema import Document


def test_seeds_money_matches_gold(seed_run, gold):
    """The real flow over raw/: every gold amount found with its exact span and every value right."""
    _, out = seed_run
    pred = pd.read_parquet(out / "money.parquet").to_dict("records")
    scores = score_money(pred, gold["money"])
    print(f"\nseeds money: {scores}")
    assert scores["span_recall"] == 1.0, scores
    assert scores["value_accuracy"] == 1.0, scores["mismatches"]
    assert scores["strict_precision"] == 1.0, pred


def _extract(*texts: str) -> list[list]:
    docs = [Document(f"t{i}", "", text) for i, text in enumerate(texts)]
    results = annotate([d.text for d in docs])
    out = []
    for doc, nlp in zip(docs, results):
        rows = extract_money(doc, nlp.ents)
        for r in rows:
            assert doc.text[r.start_char:r.end_char] == r.text and r.text == r.text.strip()
        out.append(rows)
    return out


MODEL_FIXTURES = ("news",)


@pytest.fixture(scope="module")
def news():
    texts = {
        "bound": "Police said the man stormed into the shop demanding in excess of 200 million dollars' "
                 "worth of cryptocurrency before he surrendered.",
        "mixed": "The thieves made off with jewellery worth an estimated two million euros (£1.7 million), "
                 "while insurers put the total at between $2.5m and $3m. Rewards totalling $35,000 were offered.",
        "none": "About 5 million people voted, turnout rose 3 per cent, and the 2022 budget was approved "
                "by 45 votes. The suspect, weighing approximately 200 pounds, was last seen at 3 p.m.",
        "title": 'She starred in "Million Dollar Mermaid" and later in "Jupiter\'s Darling".',
        "canada": "Ontario's government said on Monday it would spend $1.2 billion on new hospitals. "
                  "Canada's health minister welcomed the plan, and Canadian unions said Ontario and "
                  "Quebec still needed more. Toronto will receive $300 million of it.",
        "us": "Apple said the new laptop will cost $999 in the United States when it ships in Texas "
              "and California stores next week, while a mention of Canada is incidental.",
        "norway": "Norway's wealth fund, the world's largest, lost 500 million kr in the quarter, the "
                  "Norwegian central bank in Oslo said. Norway's finance ministry declined to comment.",
    }
    return dict(zip(texts, _extract(*texts.values())))


def test_bound_is_one_span_with_its_qualifier(news):
    [row] = news["bound"]
    assert row.text == "in excess of 200 million dollars"
    assert (row.amount, row.currency, row.amount_min, row.amount_max) == (2e8, "USD", 2e8, None)


def test_several_amounts_and_a_range(news):
    got = {r.text: r for r in news["mixed"]}
    assert set(got) == {"an estimated two million euros", "£1.7 million", "between $2.5m and $3m", "$35,000"}
    assert got["an estimated two million euros"].approximate and got["an estimated two million euros"].amount == 2e6
    assert (got["between $2.5m and $3m"].amount_min, got["between $2.5m and $3m"].amount_max) == (2.5e6, 3e6)
    assert got["£1.7 million"].currency == "GBP" and got["£1.7 million"].amount == 1.7e6


def test_not_money(news):
    assert news["none"] == [], [r.text for r in news["none"]]
    assert news["title"] == [], [r.text for r in news["title"]]


def test_dollar_in_a_canadian_article_is_cad(news):
    assert {(r.text, r.currency, r.currency_inferred) for r in news["canada"]} == {
        ("$1.2 billion", "CAD", True), ("$300 million", "CAD", True)}


def test_dollar_stays_usd_without_strong_context(news):
    [row] = news["us"]
    assert (row.currency, row.currency_inferred) == ("USD", True)


def test_kr_near_norway_is_nok(news):
    [row] = news["norway"]
    assert (row.text, row.amount, row.currency, row.currency_inferred) == ("500 million kr", 5e8, "NOK", True)


def test_score_money_counts_spans_and_values():
    gold = [
        {"doc_id": "a", "start_char": 0, "end_char": 12, "text": "€200 million", "amount": 2e8, "currency": "EUR",
         "amount_min": 2e8, "amount_max": 2e8, "approximate": False},
        {"doc_id": "a", "start_char": 20, "end_char": 30, "text": "over $5m", "amount": 5e6, "currency": "USD",
         "amount_min": 5e6, "amount_max": None, "approximate": False},
    ]
    perfect = score_money(gold, gold)
    assert perfect["span_f1"] == perfect["strict_f1"] == perfect["value_accuracy"] == 1.0
    wrong_bound = [gold[0], {**gold[1], "amount_max": 5e6}, {**gold[0], "start_char": 40, "end_char": 45}]
    s = score_money(wrong_bound, gold)
    assert (s["span_recall"], s["span_precision"]) == (1.0, 2 / 3)
    assert s["value_accuracy"] == 0.5 and s["amount_accuracy"] == 1.0 and s["amount_max_accuracy"] == 0.5
    assert s["mismatches"] == [{"doc_id": "a", "start_char": 20, "end_char": 30, "text": "over $5m",
                                "amount_max": (5e6, None)}]

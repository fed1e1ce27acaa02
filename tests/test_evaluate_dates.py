"""score_dates(): TempEval-3's strict/relaxed extraction and value figures on hand-made rows."""

from __future__ import annotations

from pipeline.tools.metrics import match_spans, score_dates


def row(doc, start, end, value, kind="DATE"):
    return {"doc_id": doc, "start_char": start, "end_char": end, "value": value, "type": kind}


GOLD = [row("a", 0, 10, "2022-02-22"), row("a", 20, 27, "PT5H", "DURATION"), row("b", 5, 9, "2022")]


def test_perfect():
    s = score_dates(GOLD, GOLD)
    assert (s.strict.f1, s.relaxed.f1, s.value.f1, s.type.f1) == (1.0, 1.0, 1.0, 1.0)


def test_overlap_counts_for_relaxed_only():
    pred = [row("a", 4, 10, "2022-02-22"), row("a", 20, 27, "PT5H", "DURATION"), row("b", 5, 9, "2022")]
    s = score_dates(pred, GOLD)
    assert s.relaxed.tp == 3 and s.strict.tp == 2 and s.value.tp == 3


def test_value_needs_the_exact_string_and_a_match():
    pred = [row("a", 0, 10, "2022-02"), row("a", 20, 27, "PT5H", "DURATION"), row("b", 50, 54, "2022")]
    s = score_dates(pred, GOLD)
    assert (s.relaxed.tp, s.value.tp) == (2, 1)
    assert s.value.precision == 1 / 3 and s.value.recall == 1 / 3


def test_null_value_never_counts():
    s = score_dates([row("b", 5, 9, None)], [row("b", 5, 9, None)])
    assert s.relaxed.tp == 1 and s.value.tp == 0


def test_matching_is_one_to_one_and_per_document():
    # One long prediction over two gold expressions matches one of them; another document's span never.
    pred = [row("a", 0, 27, "2022-02-22"), row("c", 0, 10, "2022-02-22")]
    pairs = match_spans(pred, GOLD)
    assert len(pairs) == 1 and pairs[0][1]["start_char"] == 0
    s = score_dates(pred, GOLD)
    assert (s.relaxed.tp, s.relaxed.n_pred, s.relaxed.n_gold) == (1, 2, 3)

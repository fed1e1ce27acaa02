"""The date rule file as tested data: every rule's examples are found by that rule, every block's
examples are blocked, and a malformed rule file is refused with the rule and field named."""

from __future__ import annotations

import re

import pytest

from pipeline.spans import Span
from pipeline.temporal import lexicon
from pipeline.temporal.detect import find

LEX = lexicon.load()
RULE_EXAMPLES = [(r.name, e) for r in LEX.rules for e in r.examples]
BLOCK_EXAMPLES = [(b.name, e) for b in LEX.blocks for e in b.examples]


def _rules_of(candidate) -> set[str]:
    """A joined candidate ("month_day_year+clock_ampm", "x..y") was found by each of its rules."""
    return set(re.split(r"\+|\.\.", candidate.rule))


@pytest.mark.parametrize("rule, example", RULE_EXAMPLES, ids=[f"{r}:{e}" for r, e in RULE_EXAMPLES])
def test_each_example_is_found_by_its_own_rule(rule, example):
    # The model's DATE span over the whole example licenses the rules that need one (bare years),
    # and the example is read as normalize() reads one expression (composed: "Friday evening at 6").
    found = find(example, [Span(0, len(example), "DATE")], compose=True)
    by = [c for c in found if rule in _rules_of(c) or any(rule in _rules_of(p) for p in c.parts)]
    assert by, f"{example!r} found by {[c.rule for c in found]}, not by {rule}"


@pytest.mark.parametrize("block, example", BLOCK_EXAMPLES, ids=[f"{b}:{e}" for b, e in BLOCK_EXAMPLES])
def test_each_block_example_is_no_date(block, example):
    rule = next(b for b in LEX.blocks if b.name == block)
    m = rule.regex.search(example)
    assert m is not None, f"block {block} does not match its example {example!r}"
    found = find(example)
    assert not [c for c in found if c.start < m.end() and m.start() < c.end], found


def test_every_rule_has_examples_and_a_known_reading():
    from pipeline.temporal.readings import READINGS

    for r in LEX.rules:
        assert r.examples and r.reading in READINGS, r.name
    for b in LEX.blocks:
        assert b.examples, b.name


GOOD = '''
[vocab.month]
january = 1

[[rule]]
name = "month"
anchor = ["vocab:month"]
lead = 0
reading = "calendar"
examples = ["January"]
pattern = '(?P<month>{MONTH})'
'''


def _load(tmp_path, text):
    lexicon.load.cache_clear()
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    try:
        return lexicon.load(path)
    finally:
        lexicon.load.cache_clear()


def test_a_small_good_file_loads(tmp_path):
    lex = _load(tmp_path, GOOD)
    assert [r.name for r in lex.rules] == ["month"] and lex.rules[0].anchors == {"january"}


@pytest.mark.parametrize("change, message", [
    (('reading = "calendar"', 'reading = "calender"'), "rule 'month': reading 'calender' is not one of"),
    (('anchor = ["vocab:month"]', 'anchor = ["vocab:months"]'), "rule 'month': anchor 'vocab:months' names no vocabulary table"),
    (('lead = 0', 'lead = "0"'), "rule 'month': lead must be int"),
    (('lead = 0', 'lead = -1'), "rule 'month': lead must be 0 or more"),
    (('examples = ["January"]', 'examples = []'), "rule 'month': examples must be a non-empty list"),
    (('examples = ["January"]\n', ''), "rule 'month': missing field(s) ['examples']"),
    (("'(?P<month>{MONTH})'", "'(?P<month>{MONTHS})'"), "rule 'month': unknown macro {MONTHS}"),
    (("'(?P<month>{MONTH})'", "'(?P<month>{MONTH}'"), "rule 'month': pattern does not compile"),
    (('lead = 0', 'lead = 0\nneeds_modle = true'), "rule 'month': unknown field 'needs_modle'"),
    (('[vocab.month]', '[vocabulary.month]'), "unknown section(s) ['vocabulary']"),
])
def test_a_malformed_rule_is_refused_with_its_name(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(lexicon.RuleError, match=re.escape(message)):
        _load(tmp_path, GOOD.replace(old, new))


def test_a_name_used_twice_is_refused(tmp_path):
    rule = GOOD[GOOD.index("[[rule]]"):]
    with pytest.raises(lexicon.RuleError, match="rule 'month': the name is used twice"):
        _load(tmp_path, GOOD + "\n" + rule)


@pytest.mark.parametrize("words, rule", sorted(LEX.vocab["holiday"].items()))
def test_every_holiday_has_a_day_from_its_library(words, rule):
    """A typo in a library's holiday name would load as a holiday that never resolves."""
    from datetime import date

    from pipeline.temporal.holidays import holiday_date, holiday_last_day

    day = holiday_date(rule, 2022)
    assert isinstance(day, date) and day.year == 2022, (words, rule)
    if "/" in rule:
        last = holiday_last_day(rule, day)
        assert last is not None and 1 <= (last - day).days <= 60, (words, rule, day, last)


@pytest.mark.parametrize("words, rule", sorted((w, r) for w, r in LEX.vocab["holiday"].items() if "|hindu:" in r))
def test_each_computed_hindu_feast_gives_the_library_day_in_every_year_the_library_has(words, rule):
    """The lunisolar rule that dates a Hindu feast outside the ``holidays`` tables (2001-2035) gives
    the tables' own day in each of their 35 years, and it has a day in years they lack."""
    from pipeline.temporal.holidays import _one_day

    table, computed = rule.split("|")
    wrong = [(year, _one_day(table, year), _one_day(computed, year)) for year in range(2001, 2036)
             if _one_day(table, year) != _one_day(computed, year)]
    assert not wrong, (words, wrong)
    assert _one_day(table, 1990) is None and _one_day(rule, 1990) is not None


# ----- the word tables the readings interpret: each entry does what its table says ---------------

@pytest.mark.parametrize("cue", sorted(LEX.vocab["tense_future"]))
def test_each_future_cue_makes_a_weekday_the_coming_one(cue):
    from datetime import datetime

    from pipeline.schema import Document
    from pipeline.spans import NlpResult
    from pipeline.temporal import extract_dates

    # The DCT is Tuesday 2022-03-01: "Friday" is Feb. 25 in reported speech, March 4 after a future cue.
    text = f"They{cue} meet on Friday." if cue.startswith("'") else f"Officials {cue} meet on Friday."
    doc = Document("t", "t.txt", text, published=datetime(2022, 3, 1))
    rows = extract_dates(doc, NlpResult([], [(0, len(text))])).rows
    assert [(r.text, r.value) for r in rows] == [("Friday", "2022-03-04")], cue


@pytest.mark.parametrize("cue", sorted(LEX.vocab["tense_past"]))
def test_each_past_cue_makes_a_date_the_past_one(cue):
    from datetime import datetime

    from pipeline.schema import Document
    from pipeline.spans import NlpResult
    from pipeline.temporal import extract_dates

    # From 2022-03-01 a bare "March 20" is the coming one (19 days on); after a past cue, 2021's.
    text = f"The sales {cue} March 20."
    doc = Document("t", "t.txt", text, published=datetime(2022, 3, 1))
    rows = extract_dates(doc, NlpResult([], [(0, len(text))])).rows
    assert [(r.text, r.value) for r in rows] == [("March 20", "2021-03-20")], cue


@pytest.mark.parametrize("word, mod", sorted(LEX.vocab["approx_word"].items()))
def test_each_approximation_word_gives_its_mod(word, mod):
    from pipeline.temporal import normalize

    tv = normalize(f"{word} five hours")
    assert (tv.value, tv.mod) == ("PT5H", mod), word


@pytest.mark.parametrize("word, mod", sorted(LEX.vocab["mod_word"].items()))
def test_each_period_modifier_gives_its_mod(word, mod):
    from pipeline.temporal import normalize

    tv = normalize(f"{word} 2021" if word not in ("start", "beginning", "end", "middle", "turn") else f"the {word} of 2021")
    assert (tv.value, tv.mod) == ("2021", mod), word


@pytest.mark.parametrize("word", ["only", "just", "barely"])
def test_words_timeml_leaves_out_are_not_part_of_a_duration(word):
    from pipeline.temporal.detect import find

    text = f"it took {word} five hours"
    assert [text[c.start:c.end] for c in find(text)] == ["five hours"]


@pytest.mark.parametrize("word, n", sorted(LEX.vocab["relative"].items()))
def test_each_relative_word_counts_its_weeks(word, n):
    from datetime import datetime

    from pipeline.temporal import normalize

    week = 9 + n  # 2022-03-01 is in ISO week 9
    assert normalize(f"{word} week", datetime(2022, 3, 1)).value == f"2022-W{week:02d}", word


@pytest.mark.parametrize("words, n", sorted(LEX.vocab["direction"].items()))
def test_each_direction_word_moves_its_way(words, n):
    from datetime import datetime

    from pipeline.temporal.detect import find
    from pipeline.temporal.resolve import Context, resolve
    from pipeline.temporal.calendar import When

    text = f"two days {words}"  # "two days ago", "two days later"
    if words in ("that", "the same"):
        text = f"{words} day"
    if words in ("same", "previous", "preceding", "following", "next", "subsequent", "prior"):
        text = f"the {words} day"
    if words in ("before", "after"):
        text = f"the day {words}"
    found = [c for c in find(text) if c.reading.shift is not None]
    assert found, text
    value, _ = resolve(found[0].reading, Context(dct=When.of(datetime(2022, 3, 10), "day")))
    step = {0: 0, 1: 1, -1: -1}[n] * (1 if text.startswith(("the ", "that", "same")) else 2)
    assert value.value == f"2022-03-{10 + step:02d}", (text, value.value)

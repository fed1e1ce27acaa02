"""The money rule files are data, tested like data: every entry's examples mean what the entry
says, every word an entry lists occurs in one of its examples, and a malformed file fails at
load time with the file and the rule named."""

from __future__ import annotations

import math
import re
from collections import Counter
from decimal import Decimal

import pytest

from pipeline import rulefiles
from pipeline.money import currencies, document_evidence, extract_money, lexicon, normalize
from pipeline.money.reading import scan
from pipeline.schema import Document
from pipeline.spans import Span

LEX = lexicon.load()
ALIASES = currencies.aliases()


def _whole(expression: str):
    """The one expression scanned in ``expression``, which must cover all of it."""
    found = scan(expression)
    assert len(found) == 1, f"{expression!r}: {[(expression[f.start:f.end]) for f in found]}"
    f = found[0]
    assert (f.start, f.end) == (0, len(expression)), f"{expression!r}: read {expression[f.start:f.end]!r} only"
    return f


def _split(example: str) -> tuple[str, list[str]]:
    expression, _, expected = example.rpartition(" = ")
    return (expression, expected.split()) if expression else (example, [])


def _ids(pairs):
    return [f"{entry.name if hasattr(entry, 'name') else entry['name']}: {example}" for entry, example in pairs]


def _uses(word: str, examples, case_sensitive: bool = False) -> bool:
    flags = 0 if case_sensitive else re.I
    body = re.escape(word).replace(r"\ ", r"\s+").replace(r"\-", r"\s*-\s*")
    return any(re.search(rf"(?<![^\W\d]){body}(?![^\W\d])", e, flags) for e in examples)


# --- rules/money.toml ---------------------------------------------------------------------------

SHAPE = {  # kind -> (amount_min is the amount, amount_max is the amount, approximate)
    "lower": (True, False, False), "upper": (False, True, False), "nearly": (False, True, True),
    "just_over": (True, False, True), "approx": (False, False, True),
}
QUALIFIER_EXAMPLES = [(q, e) for q in LEX.qualifiers for e in q.examples]


@pytest.mark.parametrize("qualifier,example", QUALIFIER_EXAMPLES, ids=_ids(QUALIFIER_EXAMPLES))
def test_qualifier_gives_its_bounds(qualifier, example):
    f = _whole(example)
    low_is, high_is, approximate = SHAPE[qualifier.kind]
    assert (f.low == f.amount if low_is else f.low is None), (example, f)
    assert (f.high == f.amount if high_is else f.high is None), (example, f)
    assert f.approximate is approximate and f.amount is not None


@pytest.mark.parametrize("qualifier", LEX.qualifiers, ids=lambda q: q.name)
def test_every_qualifier_word_has_an_example(qualifier):
    missing = [w for w in qualifier.words if not any(lexicon.key(w) in lexicon.key(e) for e in qualifier.examples)]
    assert not missing, f"{qualifier.name}: no example for {missing}"


NUMBER_EXAMPLES = [(n, e) for n in LEX.numbers for e in n.examples]


@pytest.mark.parametrize("entry,example", NUMBER_EXAMPLES, ids=_ids(NUMBER_EXAMPLES))
def test_number_words_give_their_amount(entry, example):
    expression, expected = _split(example)
    f = _whole(expression)
    if expected:
        assert math.isclose(float(f.amount), float(expected[0]), rel_tol=1e-12), (example, f.amount)
    if entry.role == "approximate":
        assert f.approximate and f.low is None and f.high is None


@pytest.mark.parametrize("entry", LEX.numbers, ids=lambda n: n.name)
def test_every_number_word_has_an_example(entry):
    case_sensitive = entry.role in ("abbreviations", "short_forms")
    missing = []
    for word in entry.words:
        attached = [re.sub(r"(?<=\d)(?=[A-Za-z])", " ", e) for e in entry.examples]  # "$5m" -> "$5 m"
        if not _uses(word, attached, case_sensitive):
            missing.append(word)
    assert not missing, f"{entry.name}: no example for {missing}"


MAGNITUDE_EXAMPLES = [(m, e) for m in LEX.magnitudes for e in m.examples]


@pytest.mark.parametrize("magnitude,example", MAGNITUDE_EXAMPLES, ids=_ids(MAGNITUDE_EXAMPLES))
def test_vague_magnitude_gives_its_bounds(magnitude, example):
    found = [f for f in scan(example) if f.amount is None]
    assert len(found) == 1, example
    f = found[0]
    factor = Decimal(str(f.marker.reading.factor))
    assert (f.low, f.high) == (Decimal(10) ** magnitude.low * factor, Decimal(10) ** magnitude.high * factor)
    assert f.approximate


@pytest.mark.parametrize("magnitude", LEX.magnitudes, ids=lambda m: m.name)
def test_every_magnitude_word_has_an_example(magnitude):
    assert all(_uses(w, magnitude.examples) for w in magnitude.words), magnitude.name


@pytest.mark.parametrize("cue", LEX.changes, ids=lambda c: c.name)
def test_change_verbs_split_from_to_into_two_amounts(cue):
    for example in cue.examples:
        found = scan(example)
        assert len(found) == 2 and all(f.low == f.high for f in found), (example, found)
    for example in cue.counterexamples:
        [f] = scan(example)
        assert f.low < f.high and f.approximate, example


@pytest.mark.parametrize("modifier", LEX.modifiers, ids=lambda m: m.name)
def test_currency_names_as_modifiers_are_not_amounts(modifier):
    for example in modifier.examples:
        expression, expected = _split(example)
        assert math.isclose(normalize(expression).amount, float(expected[0])), example
    for example in modifier.counterexamples:
        assert normalize(example) is None, example
    missing = [h for h in modifier.words if not _uses(h, modifier.counterexamples)]
    assert not missing, f"no counterexample for {missing}"


@pytest.mark.parametrize("idiom", LEX.idioms, ids=lambda c: c.name)
def test_idioms_are_not_money(idiom):
    for example in idiom.examples:
        assert scan(example) == [], example
    for example in idiom.counterexamples:
        assert scan(example), example


@pytest.mark.parametrize("weight", LEX.weights, ids=lambda w: w.name)
def test_pounds_of_weight_are_not_money(weight):
    for example in weight.examples:
        assert scan(example) == [], example
    for example in weight.counterexamples:
        assert scan(example), example


@pytest.mark.parametrize("entry", LEX.phrase_end, ids=lambda p: p.name)
def test_a_finished_phrase_lets_subunits_and_weak_words_count(entry):
    for example in entry.examples:
        expression, expected = _split(example)
        value = normalize(expression)
        assert value is not None and math.isclose(value.amount, float(expected[0])), (example, value)
    for example in entry.counterexamples:
        assert normalize(example) is None, example
    missing = [w for w in entry.words if not any(re.search(rf"\d\s+\w+\s+(?:\w+\s+)?{re.escape(w)}\b|\w\s+{re.escape(w)}\b", e)
                                                 for e in entry.examples)]
    assert not missing, f"no example for {missing}"


@pytest.mark.parametrize("entry", LEX.attached_names, ids=lambda p: p.name)
def test_names_written_against_the_digits(entry):
    for example in entry.examples:
        expression, expected = _split(example)
        _whole(expression)
        assert math.isclose(normalize(expression).amount, float(expected[0])), example
    for example in entry.counterexamples:
        assert normalize(example) is None, example
    assert all(any(_split(e)[0].lower().startswith(w) and _split(e)[0][len(w)].isdigit() for e in entry.examples)
               for w in entry.words)


@pytest.mark.parametrize("entry", LEX.price_basis, ids=lambda p: p.name)
def test_a_year_after_a_price_basis_word_is_no_amount(entry):
    for example in entry.examples:
        assert normalize(example) is None, example
    for example in entry.counterexamples:
        assert normalize(example) is not None, example
    assert all(_uses(w, entry.examples) for w in entry.words)


# --- rules/currency_aliases.toml ----------------------------------------------------------------

ALIAS_EXAMPLES = [(r, e) for kind in ("symbol", "name", "code", "subunit") for r in ALIASES[kind] for e in r["examples"]]


@pytest.mark.parametrize("entry,example", ALIAS_EXAMPLES, ids=_ids(ALIAS_EXAMPLES))
def test_currency_alias_reads_as_its_currency(entry, example):
    expression, expected = _split(example)
    assert len(expected) == 2, f"{entry['name']}: write examples as 'expression = amount CODE': {example!r}"
    _whole(expression)
    value = normalize(expression)
    assert math.isclose(value.amount, float(expected[0]), rel_tol=1e-12) and value.currency == expected[1], \
        (example, value)


ALIAS_COUNTEREXAMPLES = [(r, e) for kind in ("symbol", "name", "code", "subunit") for r in ALIASES[kind]
                         for e in r["counterexamples"] or ()]


@pytest.mark.parametrize("entry,example", ALIAS_COUNTEREXAMPLES, ids=_ids(ALIAS_COUNTEREXAMPLES))
def test_currency_alias_counterexample_is_no_money_by_the_rules_alone(entry, example):
    rows = extract_money(Document("d", "", example), [])
    assert rows == [], [r.text for r in rows]


@pytest.mark.parametrize("entry", [r for kind in ("symbol", "name", "code", "subunit") for r in ALIASES[kind]],
                         ids=lambda r: r["name"])
def test_every_alias_form_has_an_example(entry):
    missing = [f for f in entry["forms"] if not any(f.lower() in _split(e)[0].lower() for e in entry["examples"])]
    assert not missing, f"{entry['name']}: no example for {missing}"


TERRITORY_EXAMPLES = [(r, e) for r in ALIASES["territory"] for e in r["examples"]]


@pytest.mark.parametrize("entry,example", TERRITORY_EXAMPLES, ids=_ids(TERRITORY_EXAMPLES))
def test_territory_alias_points_to_its_currency(entry, example):
    name, [code] = _split(example)
    assert document_evidence(name, [Span(0, len(name), "GPE")]) == Counter({code: 1})


@pytest.mark.parametrize("entry", ALIASES["territory"], ids=lambda r: r["name"])
def test_every_territory_alias_has_an_example(entry):
    assert set(entry["names"]) == {_split(e)[0] for e in entry["examples"]}


def test_every_ambiguous_marker_has_a_default():
    """An ambiguous marker always reads as some currency (currency_inferred = true), never as null."""
    t = currencies.table()
    no_default = [k for kind in ("symbols", "names", "codes") for k, r in getattr(t, kind).items()
                  if r.default is None]
    assert no_default == []


# --- malformed files ----------------------------------------------------------------------------

QUALIFIER = '[[qualifier]]\nname = "{name}"\nkind = "{kind}"\nwhere = "before"\nwords = [{words}]\nexamples = ["x"]\n'


@pytest.mark.parametrize("body,loader,message", [
    (QUALIFIER.format(name="q", kind="lowest", words='"over"'), lexicon._qualifiers, r"'q'.*kind = 'lowest'"),
    (QUALIFIER.format(name="a", kind="lower", words='"over"') + QUALIFIER.format(name="b", kind="upper", words='"over"'),
     lexicon._qualifiers, r"'b'.*'over' is also in 'a'"),
    ('[[numbers]]\nname = "n"\nrole = "units"\nwords = ["one"]\nexamples = ["x"]\n', lexicon._numbers,
     r"'n'.*number words belong in numbers.toml \[units\]"),
    ('[[numbers]]\nname = "n"\nrole = "dozens"\nexamples = ["x"]\n', lexicon._numbers,
     r"'n'.*role = 'dozens', expected one of"),
    ('[[numbers]]\nname = "n"\nrole = "units"\nexamples = ["x"]\n', lexicon._numbers,
     r"no \[\[numbers\]\] entry for role\(s\) \['abbreviations'"),
    ('[[magnitude]]\nname = "m"\nwords = ["lots"]\nlow = 6\nhigh = 3\nexamples = ["x"]\n', lexicon._magnitudes,
     r"'m'.*low < high"),
    ('[[change]]\nname = "c"\npattern = "(rose"\nexamples = ["x"]\n', lambda: lexicon._cues("change"),
     r"'c'.*does not compile"),
])
def test_malformed_money_rules_name_the_rule(rules_dir, body, loader, message):
    (rules_dir / "money.toml").write_text(body)
    with pytest.raises(rulefiles.RuleError, match=f"money.toml.*{message}"):
        loader()


@pytest.mark.parametrize("entry,message", [
    ('[[symbol]]\nname = "s"\nforms = ["Zz"]\ncodes = ["ZZZ"]\nexamples = ["x"]\n', r"'s'.*\['ZZZ'\] are not currencies"),
    ('[[symbol]]\nname = "s"\nforms = ["Qq"]\nexamples = ["x"]\n', r"'s'.*no currency"),
    ('[[name]]\nname = "n"\nforms = ["quux"]\nsame_as = "doubloon"\nexamples = ["x"]\n', r"'n'.*same_as 'doubloon'"),
    ('[[name]]\nname = "n"\nforms = ["frank"]\ndefault = "CHF"\nexamples = ["x"]\n', r"'n'.*'frank' is not a CLDR"),
    ('[[subunit]]\nname = "u"\nforms = ["bit"]\nfactor = 2.0\nexamples = ["x"]\n', r"'u'.*factor 2.0"),
    ('[[territory]]\nname = "t"\nexamples = ["x"]\n[territory.names]\nAtlantis = "QQ"\n', r"'t'.*'Atlantis'"),
])
def test_malformed_currency_aliases_name_the_rule(rules_dir, monkeypatch, entry, message):
    base = {"symbol": '[[symbol]]\nname = "ok"\nforms = ["$"]\nexamples = ["x"]\n',
            "name": '[[name]]\nname = "ok"\nforms = ["euro"]\nexamples = ["x"]\n',
            "code": '[[code]]\nname = "ok"\nforms = ["USD"]\nexamples = ["x"]\n',
            "subunit": '[[subunit]]\nname = "ok"\nforms = ["cent"]\nfactor = 0.01\nexamples = ["x"]\n',
            "territory": '[[territory]]\nname = "ok"\nexamples = ["x"]\n[territory.names]\nUS = "US"\n'}
    table = re.match(r"\[\[(\w+)\]\]", entry).group(1)
    body = "".join(entry if kind == table else text for kind, text in base.items())
    (rules_dir / "currency_aliases.toml").write_text(body)
    currencies.aliases.cache_clear()
    try:
        with pytest.raises(rulefiles.RuleError, match=f"currency_aliases.toml.*{message}"):
            currencies.build_table(currencies.date(2026, 11, 25))
    finally:
        currencies.aliases.cache_clear()

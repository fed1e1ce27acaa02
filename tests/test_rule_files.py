"""Rule files are data, tested like data: every rule's examples are found by that rule, and a
malformed file fails at load time with the file and rule named."""

from __future__ import annotations

import re

import pytest

from pipeline import rulefiles
from pipeline.align import chains
from pipeline.align.sweep import guarded, guards
from pipeline.schema import Mention, mention_id


def _marked(example: str) -> tuple[str, Mention, list[Mention]]:
    """Text with ``[role]`` and optional ``{person}`` marks removed; the role mention and all mentions."""
    mentions, text, pos = [], "", 0
    role = None
    for m in re.finditer(r"\[([^\]]+)\]|\{([^}]+)\}", example):
        text += example[pos:m.start()]
        name = m.group(1) or m.group(2)
        start = len(text)
        text += name
        mention = Mention("d", mention_id("d", start, len(text)), start, len(text), name, "PERSON", "", 0,
                          model_label="PERSON")
        mentions.append(mention)
        if m.group(1):
            role = mention
        pos = m.end()
    text += example[pos:]
    assert role is not None, f"example without a [role]: {example!r}"
    return text, role, mentions


CUES = chains.role_cues()


@pytest.mark.parametrize("cue,example", [(c, e) for c in CUES for e in c.examples], ids=lambda x: getattr(x, "name", x))
def test_role_cue_finds_its_examples(cue, example):
    text, role, mentions = _marked(example)
    assert chains.is_role(text, role, mentions), f"{cue.name} misses {example!r}"


@pytest.mark.parametrize("cue,example", [(c, e) for c in CUES for e in c.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_role_cue_ignores_its_counterexamples(cue, example):
    text, role, mentions = _marked(example)
    assert not chains.is_role(text, role, mentions), f"{cue.name} takes {example!r} for a role"


FIELDS = {"name": str, "where": str, "pattern": str, "examples": list}


@pytest.mark.parametrize("body,message", [
    ('[[cue]]\nname = "x"\nwhere = "before"\npattern = "a("\nexamples = ["a"]\n', "'x'.*pattern does not compile"),
    ('[[cue]]\nname = "x"\nwhere = "before"\nexamples = ["a"]\n', "'x'.*missing field 'pattern'"),
    ('[[cue]]\nname = "x"\nwhere = "before"\npattern = "a"\nexamples = "a"\n', "'x'.*'examples' must be a list"),
    ('[[cue]]\nname = "x"\nwhere = "before"\npattern = "a"\nexamples = ["a"]\nexampels = ["b"]\n', "'x'.*unknown field"),
    ('cue = 1 = 2', "not valid TOML"),
    ('# nothing\n', r"no \[\[cue\]\] entries"),
])
def test_malformed_rule_file_names_file_and_rule(rules_dir, body, message):
    (rules_dir / "bad.toml").write_text(body)
    with pytest.raises(rulefiles.RuleError, match=f"bad.toml.*{message}" if "TOML" not in message else message):
        rulefiles.records("bad.toml", "cue", FIELDS)


def test_one_cue_loader_reads_every_cue_file_with_its_own_sides_and_flags(rules_dir):
    (rules_dir / "cues.toml").write_text('[[cue]]\nname = "x"\nwhere = "after"\npattern = "^ jr"\nexamples = ["a"]\n'
                                         'label = "ORG"\n')
    (cue, record), = rulefiles.cues("cues.toml", ("after",), fields={"label": str})
    assert (cue.name, cue.where, cue.examples, cue.counterexamples, record["label"]) == ("x", "after", ("a",), (), "ORG")
    assert cue.pattern.match(" JR")  # case-insensitive unless the file's loader says otherwise
    assert not rulefiles.cues("cues.toml", ("after",), fields={"label": str}, flags=0)[0][0].pattern.match(" JR")
    with pytest.raises(rulefiles.RuleError, match="'x'.*where = 'after'"):
        rulefiles.cues("cues.toml", ("before",), fields={"label": str})
    with pytest.raises(rulefiles.RuleError, match="'x'.*unknown field.*label"):
        rulefiles.cues("cues.toml", ("after",))


def test_the_cue_files_share_one_record():
    assert all(isinstance(c, rulefiles.Cue) for c in (*guards(), *chains.role_cues(), *chains.place_cues(),
                                                        *chains.thing_cues(), *chains.team_cues(), *chains.place_name_uses()))


def test_choice_rejects_an_unknown_value():
    with pytest.raises(rulefiles.RuleError, match="'x'.*where = 'around'"):
        rulefiles.choice("roles.toml", {"name": "x", "where": "around"}, "where", chains.ROLE_WHERE)


# -- rules/not_names.toml: words that are never names on their own ----------------------------------

from pipeline.align import junk  # noqa: E402

WORD_LISTS = junk.extra_words()


def _junk_of(example: str) -> str | None:
    """The junk class of the ``[bracketed]`` mention of ``example`` (tagged ORG, as the model does)."""
    start = example.index("[")
    text = example.replace("[", "").replace("]", "")
    end = example.index("]") - 1
    m = Mention("d", mention_id("d", start, end), start, end, text[start:end], "ORG", "", 0, model_label="ORG")
    return junk.junk_class(text, m, junk.DocumentFacts.of(text, [m]))


@pytest.mark.parametrize("entry,example", [(w, e) for w in WORD_LISTS for e in w.examples], ids=lambda x: getattr(x, "name", x))
def test_not_names_examples_are_junk(entry, example):
    assert _junk_of(example) == entry.junk_class, f"{entry.name}: {example!r}"


@pytest.mark.parametrize("entry,example", [(w, e) for w in WORD_LISTS for e in w.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_not_names_counterexamples_are_not(entry, example):
    assert _junk_of(example) is None, f"{entry.name}: {example!r}"


# -- rules/team_cues.toml: a place name standing for a sports team ---------------------------------

TEAM_CUES = chains.team_cues()


def _place(example: str) -> tuple[str, Mention, set[int]]:
    """Text with the ``[place]`` and ``{person}`` marks removed, the place mention, and where the people end."""
    text, place, person_ends, pos = "", None, set(), 0
    for m in re.finditer(r"\[([^\]]+)\]|\{([^}]+)\}", example):
        text += example[pos:m.start()]
        start = len(text)
        text += m.group(1) or m.group(2)
        if m.group(1):
            place = Mention("d", mention_id("d", start, len(text)), start, len(text), m.group(1), "GPE", "", 0,
                            model_label="GPE")
        else:
            person_ends.add(len(text))
        pos = m.end()
    assert place is not None, f"example without a [place]: {example!r}"
    return text + example[pos:], place, person_ends


@pytest.mark.parametrize("cue,example", [(c, e) for c in TEAM_CUES for e in c.examples], ids=lambda x: getattr(x, "name", x))
def test_team_cue_finds_its_examples(cue, example):
    assert chains.is_team(*_place(example)), f"{cue.name} misses {example!r}"


@pytest.mark.parametrize("cue,example", [(c, e) for c in TEAM_CUES for e in c.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_team_cue_ignores_its_counterexamples(cue, example):
    assert not chains.is_team(*_place(example)), f"{cue.name} takes {example!r} for a team"


# -- rules/place_name_uses.toml: a place name that is part of another thing's name -------------------

USE_CUES = chains.place_name_uses()


@pytest.mark.parametrize("cue,example", [(c, e) for c in USE_CUES for e in c.examples], ids=lambda x: getattr(x, "name", x))
def test_place_name_use_cue_finds_its_examples(cue, example):
    assert chains.place_use(*_place(example)[:2], (cue,), _place(example)[2]) == cue.label, f"{cue.name} misses {example!r}"


@pytest.mark.parametrize("cue,example", [(c, e) for c in (*TEAM_CUES, *USE_CUES) for e in c.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_no_cue_takes_a_counterexample_for_another_use(cue, example):
    assert chains.place_use(*_place(example)[:2], None, _place(example)[2]) is None, f"{example!r} (a counterexample of {cue.name}) taken for another use"


# -- rules/place_cues.toml: a name written as a place -----------------------------------------------

PLACE_CUES = chains.place_cues()


@pytest.mark.parametrize("cue,example", [(c, e) for c in PLACE_CUES for e in c.examples], ids=lambda x: getattr(x, "name", x))
def test_place_cue_finds_its_examples(cue, example):
    assert chains.written_as_place(*_place(example)[:2]), f"{cue.name} misses {example!r}"


@pytest.mark.parametrize("cue,example", [(c, e) for c in PLACE_CUES for e in c.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_place_cue_ignores_its_counterexamples(cue, example):
    assert not chains.written_as_place(*_place(example)[:2]), f"{cue.name} takes {example!r} for a place"


# -- rules/thing_cues.toml: a one-word "person" written as a thing ----------------------------------

THING_CUES = chains.thing_cues()


@pytest.mark.parametrize("cue,example", [(c, e) for c in THING_CUES for e in c.examples], ids=lambda x: getattr(x, "name", x))
def test_thing_cue_finds_its_examples(cue, example):
    text, name, mentions = _marked(example)
    assert chains.thing_cued(text, name), f"{cue.name} misses {example!r}"


@pytest.mark.parametrize("cue,example", [(c, e) for c in THING_CUES for e in c.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_thing_cue_ignores_its_counterexamples(cue, example):
    text, name, mentions = _marked(example)
    assert not chains.thing_cued(text, name), f"{cue.name} takes {example!r} for a thing"


# -- rules/org_cores.toml: a public body's name without the words saying what kind it is ----------

DESIGNATORS = chains.core_designators()


@pytest.mark.parametrize("rule,example", [(d, e) for d in DESIGNATORS for e in d.examples], ids=lambda x: getattr(x, "name", x))
def test_org_core_finds_the_core_of_its_examples(rule, example):
    full, core = example.split(" = ")
    assert chains.org_core(chains.parse(full, "ORG").tokens) == chains.parse(core, "ORG").key, example


@pytest.mark.parametrize("rule,example", [(d, e) for d in DESIGNATORS for e in d.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_org_core_finds_no_core_in_its_counterexamples(rule, example):
    assert chains.org_core(chains.parse(example, "ORG").tokens) is None, example


# -- rules/sweep_guards.toml: where the recall sweep must not add a name ---------------------------

SWEEP_GUARDS = guards()


def _swept(example: str) -> tuple[str, int, int]:
    start = example.index("[")
    end = example.index("]") - 1
    return example.replace("[", "").replace("]", ""), start, end


@pytest.mark.parametrize("guard,example", [(g, e) for g in SWEEP_GUARDS for e in g.examples],
                         ids=lambda x: getattr(x, "name", x))
def test_sweep_guard_rejects_its_examples(guard, example):
    assert guarded(*_swept(example)) == guard.name, f"{guard.name} lets {example!r} through"


@pytest.mark.parametrize("guard,example", [(g, e) for g in SWEEP_GUARDS for e in g.counterexamples],
                         ids=lambda x: getattr(x, "name", x))
def test_sweep_guards_accept_the_counterexamples(guard, example):
    assert guarded(*_swept(example)) is None, f"a guard rejects {example!r} ({guard.name}'s counterexample)"

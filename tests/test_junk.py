"""Spans that never become entities, one test per junk class, each with the name it must not take.

The mentions are what spaCy gives on such text (its real mistakes on ECB+ and GUM: "GMT" ORG,
"html" PERSON, "Sgt" PERSON, "'" PERSON, "THURSDAY" PERSON, "DKK" ORG, "US $" GPE).
"""

from __future__ import annotations

import re

import pytest

from pipeline.align import align
from pipeline.align.junk import DocumentFacts, junk_class, time_zones, currency_codes, titles
from pipeline.ingest import make_document
from pipeline.schema import Mention, mention_id


def tagged(text: str, *spans: tuple[str, str]) -> tuple[object, list[Mention]]:
    d = make_document("d", "d.txt", text)
    out, pos = [], 0
    for surface, label in spans:
        m = re.compile(re.escape(surface)).search(text, pos)
        assert m, surface
        out.append(Mention("d", mention_id("d", m.start(), m.end()), m.start(), m.end(), surface, label, "", 0,
                           model_label=label))
        pos = m.end()
    return d, out


def classes(text: str, *spans: tuple[str, str]) -> list[str | None]:
    d, ms = tagged(text, *spans)
    facts = DocumentFacts.of(d.text, ms)
    return [junk_class(d.text, m, facts) for m in ms]


def test_lists_come_from_the_libraries():
    assert {"GMT", "UTC", "EST", "CEST", "IST"} <= time_zones() and "LMT" not in time_zones()
    assert {"USD", "EUR", "DKK"} <= currency_codes()
    assert {"sgt", "cpl", "dr"} <= titles() and not {"us", "uk"} & titles()


def test_quote_characters_and_common_nouns_are_not_names():
    text = "She wore navy pants. `` We are sad, '' she said. The navy said the ship was safe."
    assert classes(text, ("navy", "ORG"), ("``", "ORG"), ("'", "PERSON"), ("navy", "ORG")) == [
        "not_capitalised", "empty", "empty", "not_capitalised"]
    # In a document written all in lowercase a missing capital says nothing, but a quote is still no name.
    text = "she wore navy pants. `` we are sad, '' she said."
    assert classes(text, ("navy", "ORG"), ("``", "ORG"), ("'", "PERSON")) == [None, "empty", "empty"]
    # The same word capitalised is a name: "the Navy said"; a number alone names an event.
    assert classes("The Navy said. After 9 / 11 it grew.", ("Navy", "ORG"), ("9 / 11", "EVENT")) == [None, None]


def test_markup_and_url_fragments_are_not_names():
    text = ("http: / / www. nytimes. com / 2013 / 02 / 08 / movies / Ellen - DeGeneres - oscars. html? _ r=0\n"
            "Ellen DeGeneres will host the Oscars, People.com reported.")
    got = classes(text, ("Ellen - DeGeneres", "PERSON"), ("html", "PERSON"), ("Ellen DeGeneres", "PERSON"),
                  ("Oscars", "EVENT"), ("People.com", "ORG"))
    assert got == ["url", "not_capitalised", None, None, None]
    assert classes("Write to info@Example.dk for tickets.", ("info@Example.dk", "ORG")) == ["url"]


def test_time_zones_after_a_clock_time_are_not_names():
    text = "PUBLISHED: 22: 07 GMT, 7 July 2012. The quake struck at 1353 (1023 GMT) near Coordinated Universal Time (UTC)."
    assert classes(text, ("GMT", "ORG"), ("GMT", "ORG"), ("UTC", "ORG")) == ["time_zone"] * 3
    # Without a clock time the letters may be a name: HKT is also a Hong Kong telecom company.
    assert classes("HKT said its network was down.", ("HKT", "ORG")) == [None]


def test_weekdays_and_months_are_not_names_unless_someone_is_named_so():
    text = "THURSDAY, JUNE 30, 2005\nRIP deputy. MAR. 14, 2013 was the day."
    assert classes(text, ("THURSDAY", "PERSON"), ("MAR", "ORG")) == ["calendar", "calendar"]
    text = "Theresa May spoke on Monday. May said the vote would be held."
    assert classes(text, ("Theresa May", "PERSON"), ("May", "PERSON")) == [None, None]


def test_honorifics_and_ranks_alone_are_not_names():
    text = "He killed Sgt. Hoyt Teasley outside. Cpl Janice Leader, a dispatcher, called."
    got = classes(text, ("Sgt", "PERSON"), ("Hoyt Teasley", "PERSON"), ("Cpl", "ORG"), ("Janice Leader", "PERSON"))
    assert got == ["title", None, "title", None]
    # A surname that is also a title, a title ending a sentence, and Mississippi's abbreviation stay.
    text = "King decided to fire O'Brien. The fans cheered King. He lives in Jackson, Miss. Police said so."
    assert classes(text, ("King", "PERSON"), ("King", "PERSON"), ("Miss", "GPE"), ("Police", "ORG")) == [None] * 4


def test_currency_codes_next_to_an_amount_are_not_names():
    text = "Entry costs 75 DKK, and DKK 40 for children. The DKK is pegged to the euro. Tips in US $ only."
    assert classes(text, ("DKK", "ORG"), ("DKK", "ORG"), ("DKK", "ORG"), ("US $", "GPE")) == ["currency"] * 4
    # AMD is also the Armenian dram's code; a company written beside a year is not an amount.
    text = "On February 29, 2012, AMD announced a deal: AMD will pay $334 million."
    assert classes(text, ("AMD", "ORG"), ("AMD", "ORG")) == [None, None]


def test_junk_never_becomes_an_entity_and_every_mention_has_an_id():
    d, ms = tagged("Updated 0947 GMT. `` Sgt. Jason Tlusty said html pages were down, '' said Intel.",
                   ("GMT", "ORG"), ("``", "ORG"), ("Sgt", "PERSON"), ("Jason Tlusty", "PERSON"), ("html", "PERSON"),
                   ("'", "PERSON"), ("Intel", "ORG"))
    mentions, entities = align([d], ms, {"d": [(0, len(d.text))]})
    assert sorted(m.text for m in mentions) == ["Intel", "Jason Tlusty"]
    assert all(m.entity_id for m in mentions)
    assert sorted(e.name for e in entities) == ["Intel", "Jason Tlusty"]


@pytest.mark.parametrize("text", ["A fire broke out at 6:00 a.m. ET on Sunday.", "Doors open at 19:30 (CEST)."])
def test_time_zone_forms(text):
    zone = re.search(r"\b(ET|CEST)\b", text).group()
    assert classes(text, (zone, "ORG")) == ["time_zone"]


JUNK_ARTICLE = (
    "Storm closes schools\n"
    "PUBLISHED: 09:47 GMT, THURSDAY, 7 March 2013\n"
    "http: / / www. example. com / news / storm-closes-schools. html\n"
    "`` We are closing every school, '' Sgt. Jason Tlusty of the Denver Police Department said on Thursday. "
    "Repairs will cost 75 DKK per household, Tlusty said. The storm reached Denver at 06:10 GMT.\n"
)


def test_the_flow_keeps_junk_out_of_the_entity_index(prefect_server, tmp_path):
    """The incremental index (pipeline.align.index) drops the same junk as the batch ``align``:
    the flow's tables hold no junk entity and no mention without an entity."""
    from incremental_support import run, tables

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "storm.txt").write_text(JUNK_ARTICLE)
    run(raw, out)
    got = tables(out)
    assert got["mentions"].entity_id.notna().all()
    names = set(got["entities"].name)
    assert "Jason Tlusty" in names
    assert not names & {"GMT", "THURSDAY", "Thursday", "html", "Sgt", "DKK", "``", "'"}, names

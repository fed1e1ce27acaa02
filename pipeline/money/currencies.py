"""The currency table: ISO 4217 codes, symbols, English names and countries, all from CLDR via Babel.

Nothing here is a hand-kept list of codes. Babel ships the Unicode CLDR data that operating
systems and browsers use: which currencies are legal tender today in which territory, every
locale's symbol for each currency ("$" is USD in ``en``, CAD in ``en_CA``, AUD in ``en_AU``)
and the English names with plurals ("Swedish kronor"). From that we derive, once per process:

- which symbols and names are ambiguous (``$`` belongs to 26 current currencies, ``kr`` to three);
- the default reading of an ambiguous symbol: the currency that English CLDR writes with it
  (``$`` -> USD, ``£`` -> GBP, ``¥`` -> JPY), else a short editorial preference (:data:`PREFERRED`);
- the evidence a document's place names give (Canada -> CAD, "Swedish" -> SEK).

The only hand-written entries are the ones CLDR does not carry: a few editorial defaults, the
subunits (cents, pence), colloquial names ("bucks", "quid"), short country aliases ("U.S.",
"Britain") and bitcoin, which is not ISO 4217 but is reported in news as money.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pycountry
from babel import Locale, localedata
from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies

from pipeline.settings import RULES_DIR

TABLE_PATH = RULES_DIR / "currencies.json"

# Where CLDR's English locale does not say which currency owns an ambiguous symbol or name, the
# one that dominates English-language news. Document context still overrides these.
PREFERRED = {
    "kr": "SEK", "kr.": "DKK", "C$": "CAD", "Rs": "INR", "Rs.": "INR",
    "franc": "CHF", "krona": "SEK", "krone": "NOK", "peso": "MXN", "ruble": "RUB", "riyal": "SAR",
    "dirham": "AED",
}
# A bare "$" stays USD unless the document names another dollar country this many times more.
CLDR_PRIOR = 3
# Letter symbols common enough in English news to count on their own ("500 kr", "Rs 20").
STRONG_LETTER_SYMBOLS = {"kr", "kr.", "Rs", "Rs.", "Rp", "zł", "Ft", "Kč"}
# Not ISO 4217, but news reports amounts in it as money ("5,000 bitcoin", "BTC 2.3").
EXTRA_CODES = {"BTC": ("bitcoin", "bitcoins")}
# Colloquial or non-CLDR names: name -> the head word whose currencies they stand for.
ALIASES = {"buck": "dollar", "bucks": "dollar", "quid": "pound", "sterling": "pound",
           "renminbi": "yuan", "rmb": "yuan", "rouble": "ruble", "roubles": "ruble", "reais": "real"}
# Subunits: name -> (head word of the main unit, factor).
SUBUNITS = {"cent": ("dollar", 0.01), "cents": ("dollar", 0.01), "¢": ("dollar", 0.01),
            "penny": ("pound", 0.01), "pence": ("pound", 0.01), "p": ("pound", 0.01)}
# Country names news uses that CLDR's English territory list spells differently.
TERRITORY_ALIASES = {"U.S.": "US", "US": "US", "U.S.A.": "US", "USA": "US", "America": "US",
                     "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB",
                     "England": "GB", "Scotland": "GB", "Wales": "GB"}
# Head words that are also everyday English words: they count as a currency only with a
# scale word ("5 million real") or when the NER also calls the span MONEY.
WEAK_HEADS = {"pound", "pounds", "real", "reals", "rand", "won", "sol", "soles", "lek", "som", "tala",
              "lei", "leu", "lev", "leva", "kip", "dram", "drams"}
# Head words that stand for a currency only in the full name ("convertible marks", not "the $400
# million mark"; "Zimbabwean gold", not "gold").
FULL_NAME_ONLY = {"mark", "marks", "gold"}
# ISO codes that are also English words or acronyms in capitals ("TOP 10", "ALL 5").
WORDLIKE_CODES = {"ALL", "TOP", "CUP", "MOP", "BOB", "GEL", "PEN", "TRY", "MAD", "SOS", "BAM"}


@dataclass(frozen=True)
class Reading:
    """What a currency marker can mean: the candidate codes and the default among them."""

    codes: frozenset[str]
    default: str | None
    weak: bool = False
    factor: float = 1.0  # 0.01 for cents and pence
    # How many more document clues another candidate needs to displace the default: high where
    # CLDR English itself gives the symbol to one currency ("$" is USD), none for editorial picks.
    prior: int = 0

    @property
    def ambiguous(self) -> bool:
        return len(self.codes) > 1


@dataclass
class CurrencyTable:
    current: frozenset[str]
    symbols: dict[str, Reading] = field(default_factory=dict)  # "$", "US$", "€", "kr"
    codes: dict[str, Reading] = field(default_factory=dict)  # "USD", "BTC"
    names: dict[str, Reading] = field(default_factory=dict)  # "dollars", "swiss francs", "cents"
    territory_currency: dict[str, str] = field(default_factory=dict)  # "canada" -> "CAD"
    demonym_currency: dict[str, set[str]] = field(default_factory=dict)  # "canadian" -> {"CAD"}


def _is_weak_symbol(symbol: str) -> bool:
    """Latin-letter symbols ("R", "K", "KM", "SR") are also initials and units: weak, unless well known."""
    return bool(re.fullmatch(r"[A-Za-z]+\.?", symbol)) and symbol not in STRONG_LETTER_SYMBOLS


def _current_codes(today: date) -> frozenset[str]:
    codes = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=today, tender=True))
    return frozenset(codes)


def _english_locales() -> list[Locale]:
    return [Locale.parse(i) for i in localedata.locale_identifiers() if i == "en" or i.startswith("en_")]


def _reading(codes: set[str], key: str, en_symbols: dict[str, str], **kw) -> Reading:
    if len(codes) == 1:
        return Reading(frozenset(codes), next(iter(codes)), **kw)
    default, prior = PREFERRED.get(key, ""), 0
    if default == "":
        owners = [c for c in sorted(codes) if en_symbols.get(c) == key]
        generic = [c for c in sorted(codes) if len(en_symbols.get(c, "")) == 1 and not en_symbols[c].isalpha()]
        default, prior = (owners or generic or [None])[0], CLDR_PRIOR
    return Reading(frozenset(codes), default if default in codes else None, prior=prior, **kw)


@lru_cache(maxsize=1)
def table() -> CurrencyTable:
    """The shipped table (``rules/currencies.json``), else one built from the installed CLDR data.

    Building reads every locale's symbols (~1 s, in every process); the shipped file is that build,
    frozen on the date it records, so a run's readings do not drift with the calendar either.
    ``tests/test_money_normalize.py`` rebuilds it and fails when the file is stale.
    """
    if TABLE_PATH.exists():
        return from_json(json.loads(TABLE_PATH.read_text(encoding="utf-8")))
    return build_table(date.today())


def build_table(today: date) -> CurrencyTable:
    """The table from CLDR (Babel) and ISO 3166-2 (pycountry), with the currencies in use on ``today``."""
    current = _current_codes(today)
    en = Locale("en")
    en_symbols = dict(en.currency_symbols)
    t = CurrencyTable(current=current | frozenset(EXTRA_CODES))

    by_symbol: dict[str, set[str]] = {}
    for ident in localedata.locale_identifiers():
        for code, symbol in Locale.parse(ident).currency_symbols.items():
            if code in current and symbol != code:
                by_symbol.setdefault(symbol.strip(), set()).add(code)
    for symbol, codes in by_symbol.items():
        if not symbol.isprintable() or re.search(r"\d|\s", symbol) or len(symbol) > 4:
            continue  # formatting artefacts and long native-script abbreviations
        t.symbols[symbol] = _reading(codes, symbol, en_symbols, weak=_is_weak_symbol(symbol))

    for code in current:
        t.codes[code] = Reading(frozenset({code}), code, weak=code in WORDLIKE_CODES)
    for code, words in EXTRA_CODES.items():
        t.codes[code] = Reading(frozenset({code}), code)
        for word in words:
            t.names[word] = Reading(frozenset({code}), code)

    heads: dict[str, set[str]] = {}
    full: dict[str, set[str]] = {}
    plural_of: dict[str, str] = {}
    for loc in _english_locales():
        for code in current:
            forms = {get_currency_name(code, count=n, locale=loc) for n in (None, 1, 2)} - {code}  # code: no name
            singular = get_currency_name(code, count=1, locale=loc).lower().split()
            for form in filter(None, forms):
                words = form.lower().split()
                full.setdefault(" ".join(words), set()).add(code)
                heads.setdefault(words[-1], set()).add(code)
                if singular:
                    plural_of[words[-1]] = singular[-1]
                if len(words) > 1:  # "Canadian dollars": the adjective names the country
                    t.demonym_currency.setdefault(" ".join(words[:-1]), set()).add(code)
    for head, codes in heads.items():
        if head in FULL_NAME_ONLY:
            continue
        key = plural_of.get(head, head)
        t.names[head] = _reading(codes, key, en_symbols, weak=head in WEAK_HEADS)
    for name, codes in full.items():
        if " " in name:
            t.names[name] = _reading(codes, name, en_symbols)
    for alias, head in ALIASES.items():
        t.names[alias] = t.names[head]
    for sub, (head, factor) in SUBUNITS.items():
        base = t.names[head]
        reading = Reading(base.codes, base.default, weak=sub == "p", factor=factor)
        (t.symbols if sub == "¢" else t.names)[sub] = reading
    t.names["pounds sterling"] = t.names["pound sterling"] = Reading(frozenset({"GBP"}), "GBP")

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
    for alias, territory in TERRITORY_ALIASES.items():
        t.territory_currency[alias.lower()] = currency_of(territory)
    return t


def to_json(t: CurrencyTable, today: date) -> dict:
    return {
        "built": {"date": today.isoformat(), "babel": importlib.metadata.version("babel"),
                  "pycountry": importlib.metadata.version("pycountry")},
        "current": sorted(t.current),
        **{kind: {k: _reading_json(r) for k, r in sorted(getattr(t, kind).items())} for kind in _READING_TABLES},
        "territory_currency": dict(sorted(t.territory_currency.items())),
        "demonym_currency": {k: sorted(v) for k, v in sorted(t.demonym_currency.items())},
    }


def from_json(data: dict) -> CurrencyTable:
    t = CurrencyTable(current=frozenset(data["current"]))
    for kind in _READING_TABLES:
        getattr(t, kind).update({k: Reading(**{**r, "codes": frozenset(r["codes"])}) for k, r in data[kind].items()})
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

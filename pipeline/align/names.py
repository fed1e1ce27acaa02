"""What a name is made of: comparable tokens, keys, acronyms, surnames.

Alignment compares names, not strings: "Ms. Vargas", "VARGAS" and "Vargas's" must give the same
tokens, "U. S. Geological Survey" and "US Geological Survey" the same key, "Hewlett-Packard Co"
the same key as "Hewlett-Packard". Titles, name particles and generational suffixes come from
nameparser's lists, company legal forms from cleanco's: both are maintained for exactly this and
cover far more languages and forms than a list of our own would.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cleanco.termdata import terms_by_type
from nameparser.config import CONSTANTS


def _spacy_stop_words() -> frozenset[str]:
    """spaCy's English stop words (the model's own list). ``import spacy.lang.en`` imports all of
    spaCy first (about a second), which alignment's process otherwise never needs: extraction runs
    on workers, or not at all. The list is plain data in a module without imports, so it is read
    from spaCy's file directly; ``tests/test_align_rules.py`` checks it equals the imported one."""
    package = importlib.util.find_spec("spacy").submodule_search_locations[0]
    path = Path(package) / "lang" / "en" / "stop_words.py"
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 (spaCy's own data file)
    return frozenset(namespace["STOP_WORDS"])


STOP_WORDS = _spacy_stop_words()

PERSON = "PERSON"
# Labels whose names are people; titles and "Jr" are stripped only from these.
PERSON_LABELS = frozenset({PERSON})

WORD = re.compile(r"\w+", re.UNICODE)
# A nickname in quotes inside a name: Vincent "The Chin" Gigante, Vincent ``Chin'' Gigante.
_NICKNAME = re.compile(r"\s(?:\"[^\"]{1,30}\"|``[^`']{1,30}''|'[^']{1,30}'|“[^”]{1,30}”)\s")

# A title is stripped only when written capitalised ("Judge Smith", not "judge smith") and when
# it is not also an ordinary function word (nameparser lists "us", "her", "his" as titles).
_TITLES = frozenset(t.strip() for t in CONSTANTS.titles) - STOP_WORDS
TITLES = _TITLES  # folded honorifics and ranks ("mr", "president", "sgt")
_GENERATIONAL = frozenset(CONSTANTS.suffix_not_acronyms) | {"jr", "sr"}
PARTICLES = frozenset(CONSTANTS.prefixes) | frozenset(CONSTANTS.conjunctions)
# Only the legal forms written as one plain word ("Inc", "GmbH", "Corporation"); dotted and
# multi-word forms never survive word tokenisation anyway.
_LEGAL_FORMS = frozenset(
    term.strip().casefold() for terms in terms_by_type.values() for term in terms if term.strip().isalpha()
)


@lru_cache(maxsize=1_000_000)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Šehović" and "SEHOVIC" fold alike."""
    if text.isascii():  # nothing to decompose (the same result, without a pass per character)
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """Word tokens as written (punctuation dropped, so "Hewlett - Packard" == "Hewlett-Packard")."""
    return WORD.findall(_NICKNAME.sub(" ", f" {text} ").strip())


def join_initials(tokens: list[str]) -> list[str]:
    """"U S Geological Survey" -> "US Geological Survey": runs of single letters are one token."""
    out: list[str] = []
    run: list[str] = []
    for tok in tokens + [""]:
        if len(tok) == 1 and tok.isalpha():
            run.append(tok)
            continue
        if len(run) > 1:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if tok:
            out.append(tok)
    return out


@dataclass(frozen=True)
class Name:
    """A mention's name reduced to what identifies it."""

    tokens: tuple[str, ...]  # folded, no title / legal form / generational suffix
    acronym: str  # "AMD" for "Advanced Micro Devices"; "" when the name is one word
    is_acronym: bool  # the name itself is written as an acronym ("AMD", "U.S.")
    key: str = field(init=False, repr=False, compare=False)  # the tokens joined: names are grouped by it

    def __post_init__(self):
        object.__setattr__(self, "key", " ".join(self.tokens))

    @property
    def surname(self) -> tuple[str, ...]:
        """Last name with its particles: ("van", "dijk") for "Anna van Dijk"."""
        toks = self.tokens
        i = len(toks) - 1
        while i > 1 and toks[i - 1] in PARTICLES:
            i -= 1
        return toks[i:]


@lru_cache(maxsize=200_000)
def parse(text: str, label: str = "") -> Name:
    raw = words(text)
    if label in PERSON_LABELS:
        while len(raw) > 1 and raw[0][0].isupper() and fold(raw[0]) in _TITLES:
            raw = raw[1:]
        while len(raw) > 1 and fold(raw[-1]) in _GENERATIONAL:
            raw = raw[:-1]
    else:
        while len(raw) > 1 and fold(raw[-1]) in _LEGAL_FORMS:
            raw = raw[:-1]
    raw = join_initials(raw)
    tokens = tuple(fold(t) for t in raw)
    return Name(tokens, acronym_of(raw), is_acronym_form(text))


def acronym_of(raw_words: list[str]) -> str:
    """Initials of the capitalised words; an all-caps word gives all its letters (US Geological Survey -> USGS)."""
    if len(raw_words) < 2:
        return ""
    letters = []
    for w in raw_words:
        if w.isupper() and len(w) <= 4:
            letters.append(w)
        elif w[0].isupper():
            letters.append(w[0])
        elif "-" in w:
            letters.append(w[0].upper())
    return "".join(letters).upper() if len(letters) > 1 else ""


def is_acronym_form(text: str) -> bool:
    letters = re.sub(r"[.\s&-]", "", text)
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def is_well_formed(text: str) -> bool:
    """Fit to be a canonical name: every word capitalised (particles aside), no quotes or digits only."""
    ws = words(text)
    if not ws or any(ch in text for ch in "\"“”`") or all(w.isdigit() for w in ws):
        return False
    return all(w[0].isupper() or w[0].isdigit() or fold(w) in PARTICLES for w in ws)


def token_prefix_match(short: str, long: str) -> bool:
    """First names that may be the same: equal, an initial, or a short form ("Fred" / "Frederick")."""
    if short == long:
        return True
    a, b = sorted((short, long), key=len)
    return len(a) == 1 and b.startswith(a) or len(a) >= 3 and b.startswith(a)

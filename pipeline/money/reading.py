"""Reading the money grammar's matches: every expression of a text as a :class:`Found`.

:func:`scan` runs the regex of :mod:`pipeline.money.grammar` once over a text and reads each
match: its markers, its value (subunits included; the number itself read by :mod:`pipeline.numbers`),
its bounds from the qualifiers, whether two amounts make a range. What it gives is resolved against the document in :mod:`pipeline.money`.

It reads through invisible format characters (zero-width spaces, soft hyphens), and each check
after a match looks at a fixed window around it, so its cost is linear in the text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from pipeline.money.currencies import Reading, dollar_prefix, table
from pipeline import numbers
from pipeline.money.grammar import SP, context_patterns, grammar, word_tables
from pipeline.money.lexicon import key, load

# Invisible format characters a copy-paste leaves inside words and numbers ("$\u200b3 million").
INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060-\u2064\ufeff]")
# How many words before "from" a verb of change may stand ("cut the price of the phone from").
CHANGE_WORDS = 6
_YEAR = re.compile(r"(1[89]|20)\d\d")


@dataclass(frozen=True)
class Marker:
    """A currency marker as written, with what it can mean."""

    text: str
    reading: Reading
    is_name: bool = False  # a word ("dollars"), not a symbol or a code


def _of_demonym(words: str, base: Reading) -> Reading | None:
    """``base`` (the reading of "$", "shekels", "cents") narrowed to the one of its currencies that
    the country adjective ``words`` ("Australian", "New Zealand") points to, no longer ambiguous nor
    weak; None when the adjective points to none or several of them. A subunit keeps its factor
    ("37.5 Canadian cents" is 0.375 CAD)."""
    own = table().demonym_currency.get(" ".join(words.lower().split()), set()) & base.codes
    if len(own) != 1:
        return None
    return replace(base, codes=frozenset(own), default=next(iter(own)), weak=False, prior=0)


def _marker(text: str | None) -> Marker | None:
    if not text:
        return None
    t = table()
    raw = text.strip().rstrip("-").strip()
    if "$" in raw:
        letters = raw.replace("$", "").replace(" ", "")
        reading = (_of_demonym(raw.replace("$", ""), t.symbols["$"])
                   or (dollar_prefix(letters) if letters else None) or t.symbols["$"])
        return Marker(raw, reading)
    if raw in t.codes:  # before symbols: "NIS" is also some locale's symbol, but first a code
        return Marker(raw, t.codes[raw])
    if raw in t.symbols:
        return Marker(raw, t.symbols[raw])
    name = re.sub(r"\s+", " ", raw.lower())
    name = re.sub(r"^(\w)\.(\w)\. ", r"\1\2 ", name)
    if name not in t.names and " " in name:  # "israeli shekels": the country's own currency of that name
        demonym, _, head = name.rpartition(" ")
        for candidate in (head, head.rstrip("s")):
            reading = _of_demonym(demonym, t.names[candidate]) if candidate in t.names else None
            if reading is not None:
                return Marker(raw, reading, is_name=True)
    for candidate in (name, name.rstrip("s")):
        if candidate in t.names:
            reading = t.names[candidate]
            if reading.weak and not raw.islower() and len(raw) > 1:
                return None  # "1B Mark", "Real Madrid": a name, not a currency
            return Marker(raw, reading, is_name=len(raw) > 1)
    return None


@dataclass(frozen=True)
class Found:
    """One money expression in a text, before its currency is resolved against the document."""

    start: int
    end: int
    amount: Decimal | None
    low: Decimal | None
    high: Decimal | None
    approximate: bool
    marker: Marker
    has_scale: bool

    @property
    def weak(self) -> bool:
        return self.marker.reading.weak and not self.has_scale


@dataclass(frozen=True)
class _Part:
    """One amount of a match: where it ends (subunits included), its marker and value."""

    start: int
    end: int
    marker: Marker | None
    value: Decimal | None
    scaled: bool
    approx: bool
    plus: bool
    amount_text: str


def scan(text: str) -> list[Found]:
    """Every money expression in ``text``, in text order ("multimillion-dollar" before "million-dollar").

    Invisible format characters are read through: the scan runs on the text without them and each
    expression's offsets are mapped back, so ``text[f.start:f.end]`` is the document's own span.
    """
    if INVISIBLE.search(text) is None:
        return _scan(text)
    kept = [i for i, ch in enumerate(text) if not INVISIBLE.match(ch)]
    return [replace(f, start=kept[f.start], end=kept[f.end - 1] + 1) for f in _scan(INVISIBLE.sub("", text))]


def _scan(text: str) -> list[Found]:
    money_re, vague_re = grammar()
    vague = [f for f in map(_read_vague, vague_re.finditer(text)) if f is not None]
    vague_starts = [v.start for v in vague]
    found: list[Found] = list(vague)
    pos = 0
    while (m := money_re.search(text, pos)) is not None:
        item, resume = _read(m, text)
        if item is not None and not _overlaps(item, vague, vague_starts) and not _idiom_or_weight(item, text):
            found.append(item)
        pos = max(resume, m.start() + 1)
    return sorted(found, key=lambda f: f.start)


def _overlaps(item: Found, vague: list[Found], starts: list[int]) -> bool:
    """Does ``item`` overlap a vague match? They are sorted and disjoint, so only the last one that
    starts before ``item`` ends can."""
    i = bisect.bisect_left(starts, item.end) - 1
    return i >= 0 and vague[i].end > item.start


def _idiom_or_weight(f: Found, text: str) -> bool:
    context = context_patterns()
    lo, hi = max(0, f.start - 40), min(len(text), f.end + 40)
    if any(m.start() < f.end and f.start < m.end() for m in context.idioms.finditer(text, lo, hi)):
        return True
    if f.weak and "pound" in f.marker.text.lower():
        return any(w.before.search(text[lo:f.start]) or w.after.search(text[f.end:hi]) for w in context.weights)
    return False


def _read(m: re.Match, text: str) -> tuple[Found | None, int]:
    """The expression of one regex match, and where to resume scanning.

    A second amount that does not make a range ("$80 million and $25 million", "rose from $5 to
    $6") is cut off and scanned again on its own.
    """
    g = m.groupdict()
    after = bool(g["suf1"] or g["suf2"]) and not (g["pre1"] or g["pre2"])
    first = _part(m, 1, text, after)
    second = _part(m, 2, text, after) if g["amt2"] else None
    if second is not None and first.end < m.start("sep"):
        second = None  # the first amount's subunits were not valid: the rest is rescanned
    if second is None:
        if first.marker is None or first.value is None:
            return None, first.end if first.end > m.start() else m.start() + 1
        end = _with_post(m, text, first.end)
        return _build(m, text, end, first, None, first.end if end == first.end else end)
    if first.value is None or second.value is None or not (first.marker or second.marker):
        return None, m.end("amt1")
    low, high = first.value, second.value
    if not first.scaled and second.scaled:
        scaled = low * numbers.scale_of(second.amount_text)
        low = scaled if scaled < high else low
    if not _is_range(m, text) or low >= high:  # "rose from $5 to $6", "from $10 to $5": two amounts
        if first.marker is None:  # "fell from 40 to 30 dollars": the first is in dollars too
            if not m.group("between"):
                return None, second.start
            first = replace(first, marker=second.marker, value=low, scaled=first.scaled or second.scaled)
        return _build(m, text, first.end, first, None, second.start)
    marker = first.marker or second.marker
    end = _with_post(m, text, second.end)
    both = replace(first, marker=marker, scaled=first.scaled or second.scaled)
    return _build(m, text, end, both, (low, high), end)


def _part(m: re.Match, n: int, text: str, currency_after: bool) -> _Part:
    g = m.groupdict()
    pre, suf = _marker(g[f"pre{n}"]), _marker(g[f"suf{n}"])
    marker = pre or suf
    if pre and suf and pre.reading.ambiguous and not suf.reading.ambiguous and pre.reading.codes >= suf.reading.codes:
        marker = suf  # "$5 million USD": the code says which dollar
    amount_text = g[f"amt{n}"]
    start = m.start(f"pre{n}") if g[f"pre{n}"] else m.start(f"amt{n}")
    end = m.end(f"suf{n}") if g[f"suf{n}"] else m.end(f"amt{n}")
    parsed = numbers.read(amount_text, currency_after=currency_after)
    value, approx = (parsed.value, parsed.approximate) if parsed is not None else (None, False)
    scaled = numbers.scale_of(amount_text) > 1
    if g[f"art{n}"] and not (suf and suf.is_name and not pre):
        marker = None  # "a" counts as one only before a currency name: "a euro", not "a $5 bill"
    if suf is not None and suf.is_name and not pre:
        if context_patterns().modifier.match(text, end) or (g[f"art{n}"] and text[end:end + 1] == "-"):
            marker = None  # "a euro zone country", "a dollar-denominated bond"
    if g[f"sub{n}"] and marker is not None and value is not None:
        sub = _subunit(m, n, marker, value, scaled, bool(suf and not pre))
        if sub is not None:
            value, end = value + sub, m.end(f"sub{n}")
    if marker is suf and suf is not None and suf.is_name and suf.reading.weak and not scaled \
            and not context_patterns().phrase_end.match(text, end):
        marker = None  # "a real threat", "a grand conspiracy": the word is not a currency here
    return _Part(start, end, marker, value, scaled, approx, bool(g[f"plus{n}"]), amount_text)


def _subunit(m: re.Match, n: int, marker: Marker, value: Decimal, scaled: bool, suffixed: bool) -> Decimal | None:
    """The subunits after a main amount ("and 50 cents", "20"), in main units, or None if they do
    not belong to it: only after a whole amount without scale, in a main unit, and a bare number
    ("15 dollars 20") only after a currency written out."""
    subname, amount = m.group(f"subname{n}"), m.group(f"subamt{n}")
    if scaled or value != value.to_integral_value() or marker.reading.factor != 1:
        return None
    if subname is None and not suffixed:
        return None
    cents = numbers.parse(amount)
    if cents is None or cents >= 100:
        return None
    subunits = table().subunits
    info = subunits.get(subname) or subunits.get((subname or "").lower()) if subname else None
    return cents * Decimal(str(info["factor"] if info else 0.01))


def _with_post(m: re.Match, text: str, end: int) -> int:
    """Where the expression ends once a post-qualifier is taken in: only right after the last amount,
    and a phrase-final word ("plus", "minimum") only at the end of the phrase or hyphenated."""
    if not m.group("post") or end != m.start("post"):
        return end
    word = key(m.group("post").strip(" \t-\u00a0"))
    qualifier = word_tables().after.get(word)
    rest = text[m.end("post"):m.end("post") + 12]
    if qualifier is None or re.match(rf"{SP}+to\b", rest):
        return end  # "$5 and up to $10"
    if qualifier.ends_phrase and "-" not in m.group("post") and not re.match(rf"{SP}*(?:$|\n|[^\w\s$€£¥])", rest):
        return end  # "$5 plus tax", "$7.25 minimum wage"
    return m.end("post")


def _is_range(m: re.Match, text: str) -> bool:
    sep = re.sub(r"\s+", " ", (m.group("sep") or "").strip().lower())
    between = (m.group("between") or "").lower()
    if sep == "and":
        return between == "between"
    if sep == "up to":
        return between == "from"
    if between == "from":
        # "rose from $5 million to $6 million" is two amounts; "tickets cost from $30 to $40" a range.
        # The verb is among the last few words of the clause: "cut the price of the phone from".
        clause = re.split(r"[,.;:!?()\n]", text[max(0, m.start() - 80):m.start()])[-1]
        words = " ".join(clause.split()[-CHANGE_WORDS:])
        return not any(p.search(words) for p in context_patterns().changes)
    return True


def _build(m: re.Match, text: str, end: int, part: _Part, bounds: tuple[Decimal, Decimal] | None,
           resume: int) -> tuple[Found | None, int]:
    g = m.groupdict()
    marker, start = part.marker, m.start()
    kind = word_tables().before[key(g["qual"])].kind if g["qual"] else None
    if g["between"] and bounds is None:  # "from $5 million [to $6 million]": the first amount alone
        kind, start = None, part.start
    if g["post"] and end == m.end("post"):
        kind = word_tables().after[key(g["post"].strip(" \t-\u00a0"))].kind
    elif part.plus:
        kind = "lower"  # "$15+ MM"
    if marker is None or (bounds is None and part.value is None):
        return None, resume
    if marker.reading.weak and not part.scaled and (marker.text.isupper() or _hyphenated(m, marker)):
        return None, resume  # "TOP 10", "a 200-pound man"
    if bounds is None and _is_year(text, m, marker):
        return None, resume
    factor = Decimal(str(marker.reading.factor))
    if bounds is not None:
        low, high = bounds[0] * factor, bounds[1] * factor
        value, approx = (low + high) / 2, True
    else:
        value = part.value * factor
        if part.approx and kind is None:
            kind = "approx"  # "a couple of million dollars"
        low, high, approx = _bounds(value, kind)
        approx = approx or part.approx
    if g["neg"]:  # "-$20", "minus $300": a negative amount; its bounds swap ends
        value, low, high = -value, (-high if high is not None else None), (-low if low is not None else None)
    return Found(start, end, value, low, high, approx, marker, part.scaled), resume


def _hyphenated(m: re.Match, marker: Marker) -> bool:
    for n in (1, 2):
        if m.group(f"suf{n}") == marker.text and "-" in m.string[m.end(f"amt{n}"):m.start(f"suf{n}")]:
            return True
    return False


def _bounds(value: Decimal, kind: str | None) -> tuple[Decimal | None, Decimal | None, bool]:
    return {
        None: (value, value, False),
        "lower": (value, None, False),
        "upper": (None, value, False),
        "nearly": (None, value, True),
        "just_over": (value, None, True),
        "approx": (None, None, True),
    }[kind]


def _is_year(text: str, m: re.Match, marker: Marker) -> bool:
    """A year before a currency word or code is a price basis ("in 2006 dollars") or a date
    ("2012 AMD"), and after a name written against it a title ("Euro2012"), not an amount."""
    if not _YEAR.fullmatch(m.group("amt1")):
        return False
    if m.group("pre1"):
        return m.group("pre1").lower() in word_tables().attached_names
    if marker.text.isupper():
        return True
    before = re.search(r"([A-Za-z]+)\s+$", text[max(0, m.start() - 12):m.start()])
    return bool(before) and before.group(1).lower() in word_tables().price_basis


def _read_vague(m: re.Match) -> Found | None:
    bounds = load().magnitude().get(key(m.group("mag")))
    if bounds is None:
        return None
    name, adj = m.group("name"), m.group("adj")
    marker = (adj and _marker(f"{adj} {name}")) or _marker(name)
    if marker is None:
        return None
    factor = Decimal(str(marker.reading.factor))
    lo, hi = bounds
    return Found(m.start(), m.end(), None, Decimal(10) ** lo * factor, Decimal(10) ** hi * factor, True,
                 marker, True)

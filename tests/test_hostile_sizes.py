"""Pathological texts cost linear time in every rule stage that is not the NER model.

Each case is one document made of a piece repeated 10,000 and 40,000 times: amounts, one name,
many distinct capitalised names (in sentences, on one line, in quotes and brackets, run together
without spaces, sharing a surname), headline lines, possessives, film-role cues, acronyms and bare
punctuation. The model's part is played by :func:`stand_in_model` (capitalised word pairs are
names, ``$`` amounts are MONEY, sentences end at ". " and never run past the model's 100,000-
character chunks), so the timing is that of our code alone: money scan, mention building
(trimming, sentences), and alignment (headline split, sweep, per-document chains, clustering).

Four times the text must cost about four times the CPU time (the test allows 6); a stage that
compares every name with every other one costs sixteen. Dates are not here: their stage is
tested with the temporal rules.
"""

from __future__ import annotations

import gc
import re
import time

import pytest

from pipeline import align, money
from pipeline.extract import build_mentions
from pipeline.extract.nlp import CHUNK_CHARS
from pipeline.schema import Document
from pipeline.spans import NlpResult, Span

pytestmark = pytest.mark.slow  # about a minute: 2 sizes x 13 texts x 3 stages

SMALL, LARGE = 10_000, 40_000
MAX_RATIO = 6.0
# Below this much CPU time at the large size a stage is negligible, whatever the ratio says.
NEGLIGIBLE_SECONDS = 0.05

_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]


def names(n: int, offset: int = 0) -> list[str]:
    """``n`` distinct capitalised words, made of syllables ("Bacedi"): they share prefixes as real names do."""
    out = []
    for i in range(offset, offset + n):
        word = "".join(_SYLLABLES[(i // 90**k) % 90] for k in range(3))
        out.append(word.capitalize())
    return out


def pairs(n: int) -> list[tuple[str, str]]:
    return list(zip(names(n), names(n, 100_000)))


TEXTS = {
    "amounts and vague amounts": lambda n: "millions of dollars and $3 million; " * n,
    "one name on one line": lambda n: "John Smith " * n,
    "distinct names on one line": lambda n: " ".join(f"{a} {b}" for a, b in pairs(n)),
    "quotes and brackets": lambda n: " ".join(f'"{a}" [({b})]' for a, b in pairs(n)),
    "names without spaces": lambda n: "".join(f"{a}." for a in names(n)),
    "one word without spaces": lambda n: "JohnSmith" * n,
    "a shared surname": lambda n: " ".join(f"{a} {b} Smith and Smith." for a, b in pairs(n)),
    "headline lines": lambda n: "\n".join(f"{a} Buys {b} Corp" for a, b in pairs(n)),
    "possessives": lambda n: " ".join(f"{a}'s {b}" for a, b in pairs(n)),
    "role cues": lambda n: " ".join(f"{a} {b}, as {b} {a}," for a, b in pairs(n)),
    "acronyms": lambda n: " ".join(f"{a} {b} ({a[0]}{b[0]}) and" for a, b in pairs(n)),
    "punctuation": lambda n: "!?.,;:'\"()[]-" * n,
}


def stand_in_model(text: str) -> NlpResult:
    """What the NER model would give, by rule: capitalised word pairs are PERSON, single ones ORG,
    ``$`` amounts MONEY; sentences end at ". " and are at most one model chunk long."""
    ents = [Span(m.start(), m.end(), "PERSON" if " " in m.group() else "ORG")
            for m in re.finditer(r"[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)?", text)]
    ents += [Span(m.start(), m.end(), "MONEY") for m in re.finditer(r"\$\d+(?: million)?", text)]
    ents.sort(key=lambda s: (s.start, s.end))
    sentences, start = [], 0
    for m in re.finditer(r"[.!?] ", text):
        sentences.append((start, m.end()))
        start = m.end()
    if start < len(text):
        sentences.append((start, len(text)))
    chunked = []
    for s, e in sentences:
        while e - s > CHUNK_CHARS:
            chunked.append((s, s + CHUNK_CHARS))
            s += CHUNK_CHARS
        chunked.append((s, e))
    return NlpResult(ents, chunked)


def run_stages(text: str) -> tuple[dict[str, float], dict[str, int]]:
    """CPU seconds per stage, and how many rows each made (the work must grow with the text)."""
    doc = Document("d", "d.txt", text, n_chars=len(text))
    nlp = stand_in_model(text)
    seconds, rows = {}, {}
    gc.collect()
    gc.disable()  # the collector's passes over a growing heap are noise here, not our algorithms
    try:
        t = time.process_time()
        rows["money"] = len(money.extract_money(doc, nlp.ents))
        seconds["money"] = time.process_time() - t
        t = time.process_time()
        mentions = build_mentions(doc, nlp)
        seconds["mentions"] = time.process_time() - t
        rows["mentions"] = len(mentions)
        t = time.process_time()
        aligned, _ = align.align([doc], mentions, {doc.doc_id: nlp.sentences})
        seconds["align"] = time.process_time() - t
        rows["align"] = len(aligned)
    finally:
        gc.enable()
    return seconds, rows


@pytest.mark.parametrize("case", TEXTS)
def test_four_times_the_text_costs_about_four_times_the_time(case):
    small_text, large_text = TEXTS[case](SMALL), TEXTS[case](LARGE)
    small_seconds, small_rows = run_stages(small_text)
    large_seconds, large_rows = run_stages(large_text)
    for stage, rows in large_rows.items():  # the large text did four times the work
        assert rows >= 3 * small_rows[stage] or small_rows[stage] <= 1, (stage, small_rows[stage], rows)
    slow = {stage for stage in large_seconds if _too_slow(small_seconds[stage], large_seconds[stage])}
    if slow:  # the machine is shared: measure both sizes again before calling it quadratic
        small_again, _ = run_stages(small_text)
        large_again, _ = run_stages(large_text)
        small_seconds = {stage: max(small_seconds[stage], small_again[stage]) for stage in small_seconds}
        large_seconds = {stage: min(large_seconds[stage], large_again[stage]) for stage in large_seconds}
        slow = {stage for stage in slow if _too_slow(small_seconds[stage], large_seconds[stage])}
    report = {stage: f"{small_seconds[stage]:.3f}s -> {large_seconds[stage]:.3f}s" for stage in large_seconds}
    assert not slow, f"{case}: superlinear in {sorted(slow)}: {report}"


def _too_slow(small: float, large: float) -> bool:
    return large > NEGLIGIBLE_SECONDS and large > MAX_RATIO * max(small, NEGLIGIBLE_SECONDS / MAX_RATIO)


def test_stand_in_model_and_stages_see_names():
    """The stand-in model finds what the cases need, so the timings measure real work."""
    seconds, rows = run_stages(TEXTS["distinct names on one line"](50))
    assert rows["mentions"] == 50 and rows["align"] >= 50
    seconds, rows = run_stages(TEXTS["amounts and vague amounts"](5))
    assert rows["money"] == 10

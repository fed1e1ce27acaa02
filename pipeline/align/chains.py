"""Within one document: every short form joins the full name it stands for, and the chain gets one label.

A news article introduces a name in full once ("Maria Elena Vargas", "Advanced Micro Devices") and
then shortens it ("Vargas", "Ms. Vargas", "AMD"). Inside one document that is nearly always
unambiguous, which is why this is done per document before anything crosses documents: the chains
built here carry every form of the name to the cross-document step.

Rules, each from a short form S to a longer name L mentioned in the same document:
- person suffix: S is the end of L ("Vargas", "van Dijk"), titles ignored ("Ms. Vargas");
- person first name: S is L's first name and no other person in the document has it;
- person subset: same first and last name, S drops middle names ("Christopher Simpson");
- acronym: S is written as L's initials ("AMD", "USGS", "HP" for Hewlett-Packard);
- organisation suffix: S is the end of an organisation's name ("Saints");
- organisation designator: L is S plus words like "College", "Media" ("Emerson College").
Case variants and legal forms need no rule: they share the name key ("Apple store", "HP Co").
Two label rules look at the name itself: a name ending in a facility word ("Store", "Airport",
``rules/facility_heads.txt``) is a FAC whatever the model said; a "person" whose name is written
exactly as a gazetteer place's, and that the model tagged a place at least once here, is that place.

The chain's label is the majority model label of its most complete name's mentions (the model's
guess on "Jansen" alone may be NORP; on "Pieter Jansen" it is PERSON); where the sweep found that
name, the corpus majority label of it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.align.names import PERSON, Name, fold, parse, token_prefix_match
from pipeline.align.votes import UnionFind, majority
from pipeline.rulefiles import Cue, RuleError, choice, cues, records
from pipeline.schema import Mention
from pipeline.settings import RULES_DIR

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ORG_LABELS = frozenset({"ORG"})
# Labels of things a one-word "person" may really be (a service, an award, a product, an event).
THING_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "EVENT"})
# Evidence votes for label repair (never a label): see label_evidence.
PLURAL = "~plural:"
THING_CUE = "~thing_cue"

ROLE_CUES_FILE = "roles.toml"
ROLE_WHERE = ("before", "after", "after_person")
TEAM_CUES_FILE = "team_cues.toml"
TEAM_WHERE = ("before", "after", "after_person")
# A place name standing for a team is grouped under its name key plus this, apart from the place.
TEAM_KEY_SUFFIX = " (team)"
# Other things a place name is the name or a part of ("California and Dupont streets", "a Delhi-class
# destroyer", "Environment Canada"): each cue says what the mention is, by its label.
PLACE_USES_FILE = "place_name_uses.toml"
# Cues that a name is written as a place ("flew to Jordan"): see _rule's surname rule.
PLACE_CUES_FILE = "place_cues.toml"
# Cues that a one-word "person" is written as a thing ("said on Twitter"): evidence for label repair.
THING_CUES_FILE = "thing_cues.toml"
PLACE_USE_LABELS = ("ORG", "FAC", "PRODUCT", "WORK_OF_ART", "PERSON")
# How far from a name a role cue may lie (characters).
ROLE_WINDOW = 40
# How far the cues of another use of a place name may read (a list of clubs: "played with San
# Antonio, New York, Atlanta and New Jersey").
USE_WINDOW = 80
# More names than this sharing one word in one document is a list, not prose: see _WordIndex.
MAX_NAMES_PER_WORD = 500


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A one-word-a-line list from ``rules/`` (``#`` starts a comment line), folded."""
    lines = (RULES_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def role_cues() -> tuple[Cue, ...]:
    """Cues that a person's name is a role in a film or book (``rules/roles.toml``)."""
    return tuple(cue for cue, _ in cues(ROLE_CUES_FILE, ROLE_WHERE))


@dataclass(frozen=True)
class UseCue(Cue):
    """A cue that a place name stands for a team (``rules/team_cues.toml``) or is the name, or part
    of the name, of something else (``rules/place_name_uses.toml``)."""

    label: str = ""  # what the mention names: ORG for a team, FAC for a street, PRODUCT for a ship class, ...
    also_after: re.Pattern | None = None  # a "before" cue's condition on the text after the name
    kinds: frozenset[str] | None = None  # only names that may be a place of these kinds (gazetteer kinds)


def _use_cues(file: str, label: str | None) -> tuple[UseCue, ...]:
    """The cues of ``file``; ``label`` for all of them, or None when each names its own."""
    out = []
    for cue, r in cues(file, TEAM_WHERE, fields={} if label else {"label": str},
                       optional={"also_after": str, "kinds": list}):
        also = re.compile(r["also_after"], re.IGNORECASE) if r["also_after"] else None
        kinds = frozenset(r["kinds"]) if r["kinds"] else None
        if kinds and not kinds <= {"country", "admin1", "city", "other"}:
            raise RuleError(f"{file}: cue {r['name']!r}: unknown place kind in {sorted(kinds)}")
        out.append(UseCue(**vars(cue), label=label or choice(file, r, "label", PLACE_USE_LABELS),
                          also_after=also, kinds=kinds))
    return tuple(out)


@lru_cache(maxsize=1)
def team_cues() -> tuple[UseCue, ...]:
    """Cues that a place name stands for a sports team (``rules/team_cues.toml``)."""
    return _use_cues(TEAM_CUES_FILE, "ORG")


@lru_cache(maxsize=1)
def place_name_uses() -> tuple[UseCue, ...]:
    """Cues that a place name is part of another thing's name (``rules/place_name_uses.toml``)."""
    return _use_cues(PLACE_USES_FILE, None)


@lru_cache(maxsize=1)
def place_cues() -> tuple[Cue, ...]:
    """Cues that a name is written as a place (``rules/place_cues.toml``)."""
    return tuple(cue for cue, _ in cues(PLACE_CUES_FILE, ("before",)))


@lru_cache(maxsize=1)
def thing_cues() -> tuple[Cue, ...]:
    """Cues that a one-word name is written as a thing, not a person (``rules/thing_cues.toml``)."""
    return tuple(cue for cue, _ in cues(THING_CUES_FILE, ("before",)))


def thing_cued(text: str, m: Mention) -> bool:
    """Whether the words before mention ``m`` write it as a thing ("said on [Twitter]", "an [Oscar] win")."""
    before = text[max(0, m.start_char - ROLE_WINDOW) : m.start_char]
    return any(cue.pattern.search(before) for cue in thing_cues())


def written_as_place(text: str, m: Mention) -> bool:
    """Whether the words before mention ``m`` write it as a place ("flew to [Jordan]")."""
    before = text[max(0, m.start_char - ROLE_WINDOW) : m.start_char]
    return any(cue.pattern.search(before) for cue in place_cues())


def is_team(text: str, m: Mention, person_ends: set[int] = frozenset()) -> bool:
    """Whether a place-labelled mention stands for a team named after the place ("Denver beat Oakland")."""
    return place_use(text, m, team_cues(), person_ends) is not None


def place_use(text: str, m: Mention, cues: tuple[UseCue, ...] | None = None,
              person_ends: set[int] = frozenset()) -> str | None:
    """What a place-labelled mention names when it is not the place, as a label: ORG for a team
    (``rules/team_cues.toml``), the cue's label for the other uses of ``rules/place_name_uses.toml``;
    None when it is the place. ``cues``: only these (a test asks one file's cues at a time);
    ``person_ends``: where the document's person mentions end (for "after_person" cues).

    Only a name the gazetteer knows as a place can be one: "Netflix" tagged GPE is no team (and the
    gazetteer is asked only where a cue matched).
    """
    from pipeline.align.places import candidates

    if (m.model_label or m.label) not in ("GPE", "LOC"):
        return None
    offset = max(0, m.start_char - USE_WINDOW)
    before = text[offset : m.start_char]
    after = text[m.end_char : m.end_char + USE_WINDOW]
    for cue in cues if cues is not None else (*team_cues(), *place_name_uses()):
        if cue.where == "after":
            hit = cue.pattern.match(after)
        else:
            hit = cue.pattern.search(before)
            if hit and cue.where == "after_person" and offset + hit.start() not in person_ends:
                hit = None  # "Randy Wittman (Minnesota)": the pattern must open right after a person's name
        if hit and (cue.also_after is None or cue.also_after.match(after)):
            if any(cue.kinds is None or p.kind in cue.kinds for p in candidates(m.text)[0]):
                return cue.label
    return None


def org_designators() -> frozenset[str]:
    return word_list("org_designators.txt")


ORG_CORES_FILE = "org_cores.toml"


@dataclass(frozen=True)
class Designator:
    """Words naming the kind of public body a name is (``rules/org_cores.toml``)."""

    name: str
    words: frozenset[str]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def core_designators() -> tuple[Designator, ...]:
    return tuple(Designator(r["name"], frozenset(fold(w) for w in r["words"]), tuple(r["examples"]),
                            tuple(r["counterexamples"] or ()))
                 for r in records(ORG_CORES_FILE, "designator", {"name": str, "words": list, "examples": list},
                                  {"counterexamples": list}))


@lru_cache(maxsize=1)
def _core_words() -> frozenset[str]:
    return frozenset(w for d in core_designators() for w in d.words)


def org_core(tokens: tuple[str, ...]) -> str | None:
    """The key of an organisation's name without the words saying what kind of body it is:
    "interior department" and "department of the interior" -> "interior" (``rules/org_cores.toml``);
    None when the name has no such words, or nothing else."""
    words = _core_words()
    n = len(tokens)
    end = n
    while end > 0 and tokens[end - 1] in words:
        end -= 1
    if 0 < end < n:
        return " ".join(tokens[:end])
    if n >= 3 and tokens[0] in words and tokens[1] == "of":
        rest = tokens[3:] if tokens[2] == "the" else tokens[2:]
        if rest and not set(rest) & words:
            return " ".join(rest)
    return None


def head_noun_label(name: Name, label: str) -> str:
    """"Apple Store" is a facility even where the model says ORG: the last word decides."""
    if label in ("ORG", "GPE", "LOC") and len(name.tokens) > 1 and name.tokens[-1] in word_list("facility_heads.txt"):
        return "FAC"
    return label


def place_not_person(head: Name, mentions: list[Mention], label: str) -> str:
    """A chain the model called a person that is a place by its name and the document's own votes.

    The model takes unfamiliar place names for people ("Fort Lee", a foreign city) most of the
    time but not every time. Where it tagged one of the chain's mentions GPE or LOC, and the
    chain's most complete name is written exactly as a place's own name in the gazetteer (accents
    included: "Gloria" is not "Glória") with no title before it ("Mayor Fort Lee" would be a
    person), the place vote wins. A person named in full ("Paris Hilton") never heads such a chain.
    """
    if label != PERSON:
        return label
    places = Counter(m.model_label for m in mentions if m.model_label in ("GPE", "LOC"))
    if not places:
        return label
    from pipeline.align.places import candidates

    written = sorted({m.text for m in mentions if parse(m.text, PERSON).key == head.key})
    if any(len(w.split()) > len(head.tokens) for w in written):
        return label  # a title was stripped from one of its mentions ("Mr. Fort Lee"): a person's name
    found, primary = candidates(written[0])
    if not primary or not any(p.name in written for p in found):
        return label
    return majority(places)


@dataclass
class Chain:
    """One entity as one document names it."""

    doc_id: str
    mentions: list[Mention]
    head: Name  # the most complete name in the chain
    label: str
    keys: set[str] = field(default_factory=set)  # every name key in the chain ("lindsay lohan", "lohan")
    character: bool = False  # a role in a film or book, kept apart from real people of that name
    place: str | None = None  # where the document puts it, if a place (pipeline.align.places.reading)
    # A place name standing for something else (a sports team, a street, a ship class): not the
    # place, never geocoded, its label kept from the corpus's majority.
    team: bool = False
    # Votes this chain casts for label repair beyond its mentions' labels: (name key, evidence label),
    # see pipeline.align.labels.evidence.
    evidence: list[tuple[str, str]] = field(default_factory=list)

    @property
    def head_votes(self) -> Counter:
        """The model's labels on the chain's most complete name (short forms are where it errs)."""
        return Counter(m.model_label for m in self.mentions if m.model_label and mention_name(m).key == self.head.key)


@dataclass
class _Group:
    """Mentions of one document that share a name key."""

    key: str
    name: Name  # as its first mention writes it
    mentions: list[Mention]
    votes: Counter  # the model's labels on these mentions
    label: str
    located: bool = False  # one of them is written as a place ("flew to Jordan": written_as_place)

    @classmethod
    def of(cls, name: Name, mentions: list[Mention]) -> _Group:
        votes = Counter(m.model_label for m in mentions if m.model_label)
        label = majority(votes) if votes else majority(Counter(m.label for m in mentions))
        return cls(name.key, name, mentions, votes, label)

    @property
    def first(self) -> int:
        return self.mentions[0].start_char


def mention_name(m: Mention) -> Name:
    label = m.model_label or m.label
    return parse(m.text, label)


def doc_chains(doc_id: str, text: str, mentions: list[Mention], common: set[str] = frozenset(),
               link: bool = True) -> list[Chain]:
    """The chains of one document; ``common`` holds words the corpus writes in lowercase.

    ``link=False`` (measurement only) keeps every name key its own chain: no short form joins.
    """
    names: dict[str, Name] = {}
    by_key: dict[str, list[Mention]] = {}
    teams: dict[str, str] = {}  # group key -> label, for place names standing for something else
    person_ends = {o.end_char for o in mentions if (o.model_label or o.label) == PERSON}
    for m in sorted(mentions, key=lambda m: m.start_char):
        name = mention_name(m)
        if name.tokens:
            key = name.key
            # "Denver beat Oakland": the team, an organisation apart from the city; "California and
            # Dupont streets": a street, apart from the state.
            use = place_use(text, m, person_ends=person_ends)
            if use is not None:
                key += TEAM_KEY_SUFFIX if use == "ORG" else f" ({use.lower()})"
                teams[key] = use
            names.setdefault(key, name)
            by_key.setdefault(key, []).append(m)
    groups = {key: _Group.of(names[key], ms) for key, ms in by_key.items()}
    for key, use in teams.items():
        groups[key].key, groups[key].label = key, use
    for g in groups.values():
        g.located = g.label in PLACE_LABELS and any(written_as_place(text, m) for m in g.mentions)
    # Longest names first, so that every short form sees all its possible antecedents.
    ordered = sorted(groups.values(), key=lambda g: (-len(g.name.tokens), g.first))
    minus_lengths = [-len(g.name.tokens) for g in ordered]  # ascending, for bisect
    index = _WordIndex(ordered)
    sets = UnionFind(g.key for g in ordered)
    for position, short in enumerate(ordered if link else ()):
        n_longer = bisect_left(minus_lengths, -len(short.name.tokens))
        target = _antecedent(short, ordered, n_longer, common, index.candidates(position, n_longer))
        if target is not None:
            sets.union(target.key, short.key)  # the longer name heads the chain

    members: dict[str, list[_Group]] = {}
    for g in ordered:
        members.setdefault(sets.find(g.key), []).append(g)
    chains = []
    for head_key, gs in members.items():
        head = groups[head_key]
        chain_mentions = sorted((m for g in gs for m in g.mentions), key=lambda m: m.start_char)
        chains.append(Chain(
            doc_id=doc_id,
            mentions=chain_mentions,
            head=head.name,
            label=place_not_person(head.name, chain_mentions, head_noun_label(head.name, head.label)),
            keys={g.key for g in gs},
            team=head_key in teams,
        ))
    for chain in chains:
        chain.character = chain.label == PERSON and any(is_role(text, m, mentions, person_ends) for m in chain.mentions)
        chain.evidence = label_evidence(text, chain)
    return chains


def label_evidence(text: str, chain: Chain) -> list[tuple[str, str]]:
    """What the chain tells label repair about other forms of its names, as (name key, vote):

    - a plural name the document tags as a thing ("the Oscars", ORG) votes for its singular
      ("oscar") being that thing: :data:`PLURAL` + the label;
    - a one-word "person" (no full name in its document) written as a thing ("said on Twitter",
      ``rules/thing_cues.toml``) votes :data:`THING_CUE` for its name, once per such mention.
    """
    out = []
    if chain.label in THING_LABELS:
        for m in chain.mentions:  # one vote a mention, as the labels are counted
            singular = singular_key(mention_name(m).key)
            if singular:
                out.append((singular, PLURAL + chain.label))
    elif chain.label == PERSON and len(chain.head.tokens) == 1 and not chain.head.is_acronym:
        out.extend((chain.head.key, THING_CUE) for m in chain.mentions
                   if mention_name(m).key == chain.head.key and thing_cued(text, m))
    return out


def singular_key(key: str) -> str | None:
    """"oscars" -> "oscar", "golden globes" -> "golden globe": the key with its last word's plural
    "s" taken off; None when the last word does not end like an English plural ("ss", "us", "is")
    or is too short to tell ("bus", "CBS" folded)."""
    head, _, last = key.rpartition(" ")
    if len(last) < 5 or not last.endswith("s") or last.endswith(("ss", "us", "is")) or not last.isalpha():
        return None
    return f"{head} {last[:-1]}" if head else last[:-1]


def _antecedent(short: _Group, ordered: list[_Group], n_longer: int, common: set[str],
                positions: list[int] | None = None) -> _Group | None:
    """The longer name ``short`` stands for in this document, if exactly one fits.

    ``ordered[:n_longer]`` are the names with more words than ``short``; an acronym may also
    stand for a name no longer than itself that has initials. ``positions`` (from
    :class:`_WordIndex`) narrows them to the names that share a word or the initials with ``short``.
    """
    s = short.name
    if positions is not None:
        longs = [ordered[i] for i in positions]
    else:
        longs = ordered[:n_longer]
        if s.is_acronym:
            longs += [g for g in ordered[n_longer:] if g.name.acronym and g is not short]
    candidates = []
    for long in longs:
        if not _may_link(s, long.name):
            continue
        rule = _rule(short, long, common)
        if rule:
            candidates.append((rule, long))
    if not candidates:
        return None
    if any(r != "first_name" for r, _ in candidates):
        candidates = [(r, g) for r, g in candidates if r != "first_name"]
    elif len(candidates) > 1:
        return None  # a first name two people share says nothing
    longs = [g for _, g in candidates]
    # Several antecedents ("Bush" with "George Bush" and "Laura Bush"): the nearest one before it.
    before = [g for g in longs if g.first < short.first]
    return max(before, key=lambda g: g.first) if before else min(longs, key=lambda g: g.first)


class _WordIndex:
    """The names of one document by first word, last word and initials: where a short form's antecedents are.

    Every rule of :func:`_rule` needs a shared first or last word, or initials that spell the
    short form (:func:`_may_link`), so a short form is compared with those names only, not with
    every longer name of the document: linear time for the many distinct names of a list or a
    generated text. A word that more than :data:`MAX_NAMES_PER_WORD` names share (never in prose)
    links none of them.
    """

    def __init__(self, ordered: list[_Group]):
        self.by_first: dict[str, list[int]] = {}
        self.by_last: dict[str, list[int]] = {}
        self.by_initials: dict[str, list[int]] = {}
        self.ordered = ordered
        for i, g in enumerate(ordered):
            self.by_first.setdefault(g.name.tokens[0], []).append(i)
            self.by_last.setdefault(g.name.tokens[-1], []).append(i)
            if g.name.acronym:
                self.by_initials.setdefault(fold(g.name.acronym), []).append(i)

    def candidates(self, position: int, n_longer: int) -> list[int]:
        """Positions in ``ordered`` that :func:`_antecedent` would consider and :func:`_may_link` pass, in order."""
        s = self.ordered[position].name
        found: set[int] = set()
        for shared in (self.by_first.get(s.tokens[0], ()), self.by_last.get(s.tokens[-1], ())):
            if len(shared) > MAX_NAMES_PER_WORD:
                continue
            # Longer names; an acronym also looks at shorter names that have initials (as _antecedent does).
            found.update(i for i in shared
                         if i < n_longer or (s.is_acronym and i != position and self.ordered[i].name.acronym))
        if s.is_acronym:
            # Initials that spell something else can satisfy no rule: only these are compared.
            spelled = self.by_initials.get(s.key.replace(" ", ""), ())
            if len(spelled) <= MAX_NAMES_PER_WORD:
                found.update(i for i in spelled if i != position)
        return sorted(found)


def _may_link(s: Name, n: Name) -> bool:
    """What every rule of :func:`_rule` needs: a shared first or last word, or initials.

    Most pairs of names in a document share neither, and this cheap test spares them the rules.
    """
    return s.tokens[-1] == n.tokens[-1] or s.tokens[0] == n.tokens[0] or (s.is_acronym and bool(n.acronym))


def _rule(short: _Group, long: _Group, common: set[str]) -> str | None:
    s, n = short.name, long.name
    long_label = long.label
    if long_label == PERSON:
        said_as_place = bool(short.votes) and not short.votes.get(PERSON) and sum(short.votes.values()) >= 3 \
            and majority(short.votes) in PLACE_LABELS
        if n.tokens[-len(s.tokens):] == s.tokens and not all(len(t) == 1 for t in s.tokens):
            if said_as_place and short.located:
                return None  # "Washington" said three times as a place, once "in Washington", is the place, not George
            return "surname"
        if len(s.tokens) == 1 and s.tokens[0] == n.tokens[0] and len(s.tokens[0]) > 1:
            if said_as_place and n.tokens[-1] in common:
                # "Virginia" said three times as a place, and a "person" "Virginia Governors" ending
                # in an ordinary word: the model's PERSON there is the place beside a title, not
                # someone's full name ("Sydney" said as a place still joins "Sydney Flaherty").
                return None
            return "first_name"
        if len(s.tokens) >= 2 and s.tokens[-1] == n.tokens[-1] and token_prefix_match(s.tokens[0], n.tokens[0]) \
                and set(s.tokens[1:-1]) <= set(n.tokens[1:-1]):
            return "subset"
        return None
    if s.is_acronym and n.acronym and fold(n.acronym) == s.key.replace(" ", ""):
        return "acronym"
    if long_label in ORG_LABELS and short.label in ORG_LABELS:
        k = len(s.tokens)
        if n.tokens[-k:] == s.tokens and (k > 1 or s.tokens[0] not in common):
            return "org_suffix"
        if n.tokens[:k] == s.tokens and set(n.tokens[k:]) <= org_designators():
            return "org_designator"
        if k == 1 and org_core(n.tokens) == s.key:  # "Interior" for "Interior Department", "Department of the Interior"
            return "org_designator"  # (longer forms: "Staunton Police" / "... Department" join across documents by containment)
    return None


def is_role(text: str, m: Mention, mentions: list[Mention], person_ends: set[int] | None = None) -> bool:
    """Whether mention ``m`` names a role rather than a person, by the cues of ``rules/roles.toml``.

    ``person_ends``: where the PERSON mentions among ``mentions`` end (computed here when not
    given; a caller asking about every mention of a document gives it once).
    """
    before = text[max(0, m.start_char - ROLE_WINDOW) : m.start_char]
    after = text[m.end_char : m.end_char + ROLE_WINDOW]
    for cue in role_cues():
        if cue.where == "before" and cue.pattern.search(before):
            return True
        if cue.where == "after" and cue.pattern.match(after):
            return True
        if cue.where == "after_person" and (hit := cue.pattern.search(before)):
            cue_start = m.start_char - (len(before) - hit.start())
            if person_ends is None:
                person_ends = {o.end_char for o in mentions if (o.model_label or o.label) == PERSON}
            if cue_start in person_ends:
                return True
    return False

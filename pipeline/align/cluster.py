"""Chains to clusters across documents: exact keys, then blocked comparisons, then short forms.

Clustering never compares all pairs. Chains are grouped by exact name key; then only chains that
share a blocking key (a surname prefix, the first letters of a name, an alias a document wrote) are
compared. What decides a link beyond the exact name:
- label class: a person never joins an organisation or a place of the same name;
- name compatibility: same surname and compatible first names ("Fred"/"Frederick", "W. Mark"/"Mark"),
  one spelling away (rapidfuzz), the same letters ("SeaMicro"/"Sea Micro");
- context: a non-identical name joins only if the two share co-occurring entities (other names in
  their documents), so "Bush" in a football story finds Reggie Bush and not George W. Bush;
- completeness: two full names whose first names differ are never merged, whatever links them;
- places: one name inside the other ("San Diego" in "San Diego County") joins no two places the
  gazetteer tells apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Collection

from rapidfuzz.distance import Indel

from pipeline.align.chains import Chain, org_core, singular_key
from pipeline.align.labels import label_class
from pipeline.align.names import PERSON, fold, token_prefix_match
from pipeline.align.votes import UnionFind

FUZZY_MIN_SIMILARITY = 0.9
SURNAME_MIN_SIMILARITY = 0.85
# Context keys in more than this share of documents (and more than the floor) say nothing.
CONTEXT_MAX_DF_SHARE = 0.1
CONTEXT_MIN_DF_FLOOR = 20
# Blocks of similar-looking names larger than this are not compared pairwise (exact keys still join).
MAX_BLOCK = 200
# Distinct names in one document beyond which its names are no context (news articles name < 100).
MAX_CONTEXT_NAMES = 1000


@dataclass
class _Summary:
    """What a cluster of chains knows about its names, for the compatibility checks."""

    firsts: set[str] = field(default_factory=set)  # first names of its full person names
    surnames: set[str] = field(default_factory=set)
    context: set[str] = field(default_factory=set)  # name keys of its documents (see Clusterer.context)


class Clusterer:
    """Chains to clusters: exact keys, then blocked comparisons, then short forms by alias."""

    def __init__(self, chains: list[Chain], n_docs: int):
        self.chains = chains
        self.uf = UnionFind(range(len(chains)))
        df = Counter()
        doc_keys: dict[str, set[str]] = defaultdict(set)
        for c in chains:
            doc_keys[c.doc_id].add(c.head.key)
        for keys in doc_keys.values():
            df.update(keys)
        max_df = max(CONTEXT_MIN_DF_FLOOR, CONTEXT_MAX_DF_SHARE * n_docs)
        informative = {k for k, n in df.items() if n <= max_df}
        # A document naming more entities than MAX_CONTEXT_NAMES is a list, not a story: it gives
        # no context (and each of its chains would otherwise copy all its names, quadratic time).
        # The names each document writes (all of them: what :func:`initials_evidence` reads).
        self.doc_names = {doc_id: keys if len(keys) <= MAX_CONTEXT_NAMES else set() for doc_id, keys in doc_keys.items()}
        doc_context = {doc_id: keys & informative for doc_id, keys in self.doc_names.items()}
        # Per chain: the informative names of its document other than its own.
        self.context = [doc_context[c.doc_id] - c.keys for c in chains]
        self.short = [len(c.head.tokens) == 1 or c.head.is_acronym for c in chains]
        self._attached_ids: set[int] = set()
        # Summaries of merged clusters only: a chain on its own has its summary made when asked for
        # (most chains never merge, and keeping tens of thousands of small sets costs more than remaking a few).
        self.summary: dict[int, _Summary] = {}

    def kind(self, i: int) -> tuple[str, bool]:
        c = self.chains[i]
        return label_class(c.label), c.character

    def is_short(self, i: int) -> bool:
        return self.short[i]

    def run(self) -> list[list[Chain]]:
        n = len(self.chains)
        long_ids = [i for i in range(n) if not self.is_short(i)]
        short_ids = [i for i in range(n) if self.is_short(i)]
        self._group_exact(long_ids)
        self._merge_similar(long_ids, self._long_block)
        self._attach_short(short_ids)
        leftover = [i for i in short_ids if i not in self._attached_ids]
        self._group_exact(leftover)
        self._merge_similar(leftover, self._short_block)
        clusters: dict[int, list[Chain]] = defaultdict(list)
        for i, c in enumerate(self.chains):
            clusters[self.uf.find(i)].append(c)
        return list(clusters.values())

    def _summary_of(self, root: int) -> _Summary:
        """The summary of the cluster ``root`` heads, to read (a lone chain's shares its context set)."""
        s = self.summary.get(root)
        return s if s is not None else self._chain_summary(root, own_sets=False)

    def _chain_summary(self, i: int, own_sets: bool) -> _Summary:
        c = self.chains[i]
        person = c.label == PERSON and len(c.head.tokens) > 1
        return _Summary(firsts={c.head.tokens[0]} if person else set(),
                        surnames={c.head.tokens[-1]} if person else set(),
                        context=set(self.context[i]) if own_sets else self.context[i])

    def _take_summary(self, root: int) -> _Summary:
        """The summary of the cluster ``root`` heads, removed, to merge into another (so with sets of its own)."""
        s = self.summary.pop(root, None)
        return s if s is not None else self._chain_summary(root, own_sets=True)

    def _union(self, a: int, b: int) -> None:
        ra, rb = self.uf.find(a), self.uf.find(b)
        if ra == rb:
            return
        sa, sb = self._take_summary(ra), self._take_summary(rb)
        if len(sa.context) < len(sb.context):
            sa, sb = sb, sa  # the larger summary absorbs the smaller: merging stays linear overall
        root = self.uf.union(min(ra, rb), max(ra, rb))  # the smaller index stays root
        sa.firsts |= sb.firsts
        sa.surnames |= sb.surnames
        sa.context |= sb.context
        self.summary[root] = sa

    def _group_exact(self, ids: list[int]) -> None:
        first: dict[tuple, int] = {}
        for i in ids:
            key = (*self.kind(i), self.chains[i].head.key)
            if key in first:
                self._union(first[key], i)
            else:
                first[key] = i

    # -- similar names (blocked) --------------------------------------------------------------

    def _long_block(self, i: int) -> str:
        head = self.chains[i].head
        if self.chains[i].label == PERSON:
            return f"p:{head.tokens[-1][:3]}:{head.tokens[0][0]}"
        return "n:" + "".join(block_name(head.tokens))[:4]

    def _short_block(self, i: int) -> str:
        return "s:" + self.chains[i].head.key[:3]

    def _merge_similar(self, ids: list[int], block_of) -> None:
        blocks: dict[tuple, set[int]] = defaultdict(set)
        for i in ids:
            blocks[(*self.kind(i), block_of(i))].add(self.uf.find(i))
        for roots in blocks.values():
            if len(roots) > MAX_BLOCK:
                continue  # a prefix this common says too little to be worth n^2 comparisons
            roots = sorted(roots)
            if not any(self._summary_of(r).context for r in roots):
                self._merge_same_letters(roots)
                continue
            for x in range(len(roots)):
                for y in range(x + 1, len(roots)):
                    a, b = self.uf.find(roots[x]), self.uf.find(roots[y])
                    if a != b and self._similar(a, b):
                        self._union(a, b)

    def _merge_same_letters(self, roots: list[int]) -> None:
        """A block where no cluster has context: of :meth:`_similar`'s rules only "the same letters"
        can join two of them (no people: they need shared context), and joining adds no context.
        So this is the pairwise loop's outcome, grouped by letters in linear time (a document too
        full of names to give context, :data:`MAX_CONTEXT_NAMES`, makes such blocks large)."""
        first: dict[str, int] = {}
        for r in roots:
            c = self.chains[r]
            if c.label == PERSON:
                continue
            letters = "".join(c.head.tokens)
            if letters in first:
                self._union(first[letters], r)
            else:
                first[letters] = r

    def _similar(self, a: int, b: int) -> bool:
        ca, cb = self.chains[a], self.chains[b]
        return names_may_join(ca.head.tokens, cb.head.tokens, ca.head.key, cb.head.key,
                              ca.label == PERSON and cb.label == PERSON,
                              self._summary_of(self.uf.find(a)), self._summary_of(self.uf.find(b)),
                              things=self.kind(a)[0] == "THING")

    # -- short forms ----------------------------------------------------------------------------

    def _attach_short(self, short_ids: list[int]) -> None:
        """A chain named only by a short form ("Lohan", "AMD") joins the one full name it can stand for:
        a name some document wrote it beside (its chain's keys), or whose initials it is where
        :func:`initials_evidence` says so."""
        index: dict[tuple, set[int]] = defaultdict(set)
        initials: dict[tuple, set[int]] = defaultdict(set)  # chains, not roots: the evidence is per name
        for i, c in enumerate(self.chains):
            if self.is_short(i):
                continue
            root = self.uf.find(i)
            kind = self.kind(i)
            for k in c.keys:
                index[(*kind, k)].add(root)
            if c.label == PERSON:
                index[(*kind, " ".join(c.head.surname))].add(root)
                index[(*kind, c.head.tokens[-1])].add(root)
            if c.head.acronym:
                initials[(*kind, fold(c.head.acronym))].add(i)
            core = org_core(c.head.tokens) if c.label == "ORG" else None
            if core:
                index[(*kind, core)].add(root)
        for i in short_ids:
            c = self.chains[i]
            name = (*self.kind(i), c.head.key)
            candidates = {self.uf.find(r) for r in index.get(name, ())}
            by_initials = initials.get(name, ())
            if by_initials:
                names = self.doc_names[c.doc_id] - c.keys  # (what the entity index stores as its context)
                candidates |= {self.uf.find(j) for j in by_initials
                               if initials_evidence(c.head.key, self.chains[j].head.key, names)}
            if not candidates:
                continue
            scored = sorted(((self._overlap(i, r), r) for r in candidates), reverse=True)
            best, root = scored[0]
            if best >= 1 and (len(scored) == 1 or scored[1][0] < best):
                self._union(root, i)
                self._attached_ids.add(i)

    def _overlap(self, i: int, root: int) -> int:
        ctx = self._summary_of(root).context
        return sum(1 for k in self.context[i] if k in ctx)


def initials_evidence(acronym_key: str, expansion_key: str, doc_names: Collection[str]) -> bool:
    """May a short chain named ``acronym_key`` ("ama") stand for a name it is only the initials of
    (``expansion_key``, "american medical association"), in another document?

    Initials alone are no evidence: "AP" in a story is the news agency, not the film "American Pie"
    whose story shares a name with it. What is:
    - the expansion written in the short chain's own document (``doc_names``: the names its
      document writes), where the in-document acronym rule did not join them (the model labelled
      the expansion a person there, say);
    - the gazetteer: both are one place ("UK" / "United Kingdom", "NYC" / "New York City"), every
      place the acronym may be is one the expansion may be (its code table, not the letters).
    A document that writes the acronym with its expansion, right after it ("the American Medical
    Association (AMA)") or anywhere else in it, joined the two in one chain (:mod:`pipeline.align.chains`,
    the acronym rule): the acronym is then one of that chain's written forms, by which a document
    writing only "AMA" joins, as by any other form a document wrote -- not by initials.

    The one rule of the batch :class:`Clusterer` and of the entity index (:mod:`pipeline.align.index`).
    """
    return expansion_key in doc_names or initials_by_gazetteer(acronym_key, expansion_key)


def initials_by_gazetteer(acronym_key: str, expansion_key: str) -> bool:
    """The gazetteer's half of :func:`initials_evidence` (the same for every document)."""
    from pipeline.align.places import candidates

    short, long = candidates(acronym_key.upper())[0], candidates(expansion_key)[0]
    return bool(short) and set(short) <= set(long)


def names_may_join(ta: list[str], tb: list[str], key_a: str, key_b: str, people: bool,
                   sa: _Summary, sb: _Summary, things: bool = False) -> bool:
    """May two clusters be one entity, by their names (tokens, keys) and what their documents share?

    The one rule, for the batch :class:`Clusterer` (clusters of chains) and for the entity index
    (:func:`pipeline.align.groups.cluster_block`, clusters of name groups). ``people``: both are
    person names; ``things``: both are of the THING label class (organisations, works, products,
    events). Shared context is counted only when a rule asks for it.
    """
    shared = lambda: _shared(sa.context, sb.context)
    if people:
        return _compatible_people(ta, tb, sa, sb) and shared() >= 1
    if "".join(ta) == "".join(tb):
        return True
    if things and (singular_key(key_a) == key_b or singular_key(key_b) == key_a):
        # "Oscar" / "Oscars", "Golden Globe" / "Golden Globes": one thing where their documents
        # share names, as one name inside another must ("TIME" the magazine is not "the Times",
        # whose documents share one name with it); not places: "the Carolinas" are not Carolina.
        return shared() >= 2
    if things and _same_body(tb, ta):
        return shared() >= 1
    if len(ta) == 1 or len(tb) == 1:
        return min(len(ta[0]), len(tb[0])) >= 6 and _similarity(key_a, key_b) >= FUZZY_MIN_SIMILARITY and shared() >= 1
    if _similarity(key_a, key_b) >= FUZZY_MIN_SIMILARITY:
        return shared() >= 1
    (short, short_key), (long, long_key) = sorted(((ta, key_a), (tb, key_b)), key=lambda t: len(t[0]))
    contained = long[: len(short)] == short or long[-len(short):] == short
    return contained and shared() >= 2 and not _other_places(key_a, key_b) and not _place_as_modifier(short_key, long_key)


def _same_body(ta: list[str], tb: list[str]) -> bool:
    """"Interior Department" / "Department of the Interior": the same core name (:func:`org_core`)
    and the same designator words around it (an "Interior Ministry" is another country's)."""
    core_a, core_b = org_core(tuple(ta)), org_core(tuple(tb))
    if core_a is None or core_a != core_b:
        return False
    rest = lambda t, core: set(t) - set(core.split(" ")) - {"of", "the"}
    return rest(ta, core_a) == rest(tb, core_b)


def block_name(tokens) -> list[str]:
    """The words a non-person name is blocked by: its core where it has one (so that "Department of
    the Interior" is compared with "Interior Department")."""
    core = org_core(tuple(tokens))
    return core.split(" ") if core else list(tokens)


def _other_places(key_a: str, key_b: str) -> bool:
    """Whether two names are places the gazetteer tells apart: each is a place's name, and no place
    has both ("San Diego" the city and "San Diego County" the county; not "New York" and "New York
    City", which is also what "New York" may mean). One name inside the other is no evidence then."""
    from pipeline.align.places import candidates

    a, b = candidates(key_a)[0], candidates(key_b)[0]
    return bool(a) and bool(b) and not set(a) & set(b)


def _place_as_modifier(short_key: str, long_key: str) -> bool:
    """Whether the shorter name is a place's and the longer one no place's: the place then only
    says where the other thing is ("Washington" in "Washington Post", "Los Angeles" in "Los Angeles
    County Jail", "New York" in "New York Daily News"), and one name inside the other is no evidence."""
    from pipeline.align.places import candidates

    return bool(candidates(short_key)[0]) and not candidates(long_key)[0]


def _compatible_people(ta: list[str], tb: list[str], sa: _Summary, sb: _Summary) -> bool:
    """Two person clusters may be one: same surname (up to a typo), no clash of first or middle names."""
    if not sa.surnames or not sb.surnames:
        return False
    if not all(_same_word(x, y, SURNAME_MIN_SIMILARITY) for x in sa.surnames for y in sb.surnames):
        return False
    if not all(token_prefix_match(x, y) or _same_word(x, y, FUZZY_MIN_SIMILARITY) for x in sa.firsts for y in sb.firsts):
        return False
    short, long = sorted((ta, tb), key=len)
    middles = long[1:-1]
    return all(any(token_prefix_match(t, u) for u in middles) for t in short[1:-1])


def _shared(a: set[str], b: set[str]) -> int:
    if len(a) > len(b):
        a, b = b, a
    return sum(1 for k in a if k in b)


def _similarity(a: str, b: str) -> float:
    return Indel.normalized_similarity(a, b)


def _same_word(a: str, b: str, threshold: float) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and _similarity(a, b) >= threshold)

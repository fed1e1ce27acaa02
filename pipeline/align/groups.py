"""Name groups and the clustering of a block of them: the unit alignment reasons about across documents.

Every long chain (a name of two or more words, not an acronym) joins the group of its exact name
key and kind (label class, film role or not): the batch algorithm always merged those first, so a
group behaves as one chain whose context is the sum of its chains'. Groups are then merged inside
their *block* (a surname prefix and first initial for people, the first letters of the name
otherwise) when their names are compatible and their contexts agree, as
:class:`pipeline.align.cluster.Clusterer` does for chains; a block never sees another block, which
is what lets a run recluster only the blocks its documents touched.

Short chains (one word, or an acronym) either attach to the one long cluster their name is an
alias of and whose context they share (:func:`attach`), or group with the other leftovers of their
name, and those short groups are clustered in short blocks the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pipeline.align.cluster import MAX_BLOCK, _Summary, block_name, names_may_join
from pipeline.align.names import PERSON
from pipeline.align.votes import UnionFind

# How many co-occurring names a group's context keeps (the most frequent; a summary, not the union).
CONTEXT_SIZE = 256
LONG, SHORT = "L", "S"
# Marks an alias that is only a name's initials ("~i:amd"), apart from the forms documents wrote
# (an initials candidate needs evidence: pipeline.align.cluster.initials_evidence).
INITIALS = "~i:"


def group_id(size: str, cls: str, character: bool, key: str) -> str:
    """``L:PERSON:0:lindsay lohan``: stable, readable, sorted the same way in every run."""
    return f"{size}:{cls}:{int(character)}:{key}"


def parse_group_id(gid: str) -> tuple[str, str, bool, str]:
    size, cls, character, key = gid.split(":", 3)
    return size, cls, character == "1", key


def long_block(cls: str, key: str) -> str:
    tokens = key.split(" ")
    if cls == PERSON:
        return f"p:{tokens[-1][:3]}:{tokens[0][0]}"
    return "n:" + "".join(block_name(tokens))[:4]


def short_block(key: str) -> str:
    return "s:" + key[:3]


def block_of(gid: str) -> str:
    """The block a group is clustered in: its kind (never compared across kinds) and its name's prefix."""
    size, cls, character, key = parse_group_id(gid)
    prefix = long_block(cls, key) if size == LONG else short_block(key)
    return f"{size}:{cls}:{int(character)}:{prefix}"


def truncate(counts: Counter, size: int = CONTEXT_SIZE) -> Counter:
    if len(counts) <= size:
        return counts
    return Counter(dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]))


@dataclass
class Group:
    """A group's summary as its block's clustering needs it."""

    gid: str
    n: int
    context: Counter = field(default_factory=Counter)

    @property
    def cls(self) -> str:
        return parse_group_id(self.gid)[1]

    @property
    def key(self) -> str:
        return parse_group_id(self.gid)[3]

    @property
    def tokens(self) -> list[str]:
        return self.key.split(" ")


# Pairs of groups (and short chains against candidates) compared, for the benchmark's "comparisons per new mention".
COMPARISONS = [0]


def cluster_block(groups: list[Group], informative) -> dict[str, str]:
    """Clusters of one block's groups: gid -> cluster id (the smallest gid of its cluster).

    ``informative(key)`` says whether a context name is rare enough to count as evidence.
    Groups are taken in gid order, so the result does not depend on the order rows arrive in.
    """
    groups = sorted(groups, key=lambda g: g.gid)
    if len(groups) > MAX_BLOCK:  # a prefix this common says too little to be worth n^2 comparisons
        return {g.gid: g.gid for g in groups}
    summaries = {i: _summary_of(g, informative) for i, g in enumerate(groups)}
    if not any(s.context for s in summaries.values()):
        return _same_letters(groups)
    sets = UnionFind(range(len(groups)))
    COMPARISONS[0] += len(groups) * (len(groups) - 1) // 2
    for x in range(len(groups)):
        for y in range(x + 1, len(groups)):
            a, b = sets.find(x), sets.find(y)
            if a != b and _similar(groups[a], groups[b], summaries[a], summaries[b]):
                root = sets.union(min(a, b), max(a, b))
                other = b if root == a else a
                sa, sb = summaries[root], summaries.pop(other)
                sa.firsts |= sb.firsts
                sa.surnames |= sb.surnames
                sa.context |= sb.context
    return {g.gid: groups[sets.find(i)].gid for i, g in enumerate(groups)}


def _same_letters(groups: list[Group]) -> dict[str, str]:
    """:func:`cluster_block` for a block where no group has context, in linear time.

    Of :func:`_similar`'s rules only "the same letters" joins two groups without shared context
    (people never do), and joining adds none, so the pairwise loop's outcome is: groups of the same
    letters together, people alone. A document too full of names to give context
    (:data:`pipeline.align.cluster.MAX_CONTEXT_NAMES`) makes such blocks (as
    :meth:`pipeline.align.cluster.Clusterer._merge_same_letters`).
    """
    first: dict[str, str] = {}
    out = {}
    for g in groups:  # in gid order: a cluster's id is its smallest gid
        if g.cls == PERSON:
            out[g.gid] = g.gid
            continue
        out[g.gid] = first.setdefault("".join(g.tokens), g.gid)
    return out


def _summary_of(g: Group, informative) -> _Summary:
    person = g.cls == PERSON and len(g.tokens) > 1
    return _Summary(firsts={g.tokens[0]} if person else set(), surnames={g.tokens[-1]} if person else set(),
                    context={k for k in g.context if informative(k)})


def _similar(ga: Group, gb: Group, sa: _Summary, sb: _Summary) -> bool:
    """The batch algorithm's rule (:func:`pipeline.align.cluster.names_may_join`) on two clusters of groups."""
    return names_may_join(ga.tokens, gb.tokens, ga.key, gb.key, ga.cls == PERSON and gb.cls == PERSON, sa, sb,
                          things=ga.cls == "THING" and gb.cls == "THING")


def attach(context: list[str], candidates: dict[str, set[str]], informative) -> str | None:
    """The long cluster a short chain stands for: the one candidate whose context it shares most, if unique.

    ``candidates``: cluster id -> the cluster's context names, for the clusters the short name may
    stand for (a form a document wrote, or initials with evidence:
    :func:`pipeline.align.cluster.initials_evidence`). The rule as written; the entity index
    applies it through :class:`Attacher`, which gives the same answers for many chains of one name.
    """
    COMPARISONS[0] += len(candidates)
    own = {k for k in context if informative(k)}
    scored = sorted(((len(own & ctx), cid) for cid, ctx in candidates.items()), key=lambda x: (-x[0], x[1]))
    if not scored:
        return None
    best, cid = scored[0]
    if best >= 1 and (len(scored) == 1 or scored[1][0] < best):
        return cid
    return None


class Attacher:
    """:func:`attach` for the chains of one short name, against that name's candidates.

    ``fixed``: candidates every chain may attach to (cluster id -> context names). ``conditional``:
    initials candidates a chain may attach to only when its document writes one of their
    expansions (cluster id -> (context names, expansion keys)). ``wanted``: every context name the
    chains will be scored by.

    Why not :func:`attach` per chain: a common surname's chains number in the thousands at 100k
    documents, each with tens of candidates, and intersecting the chain's names with every
    candidate's context was a fifth of adding 6,000 documents' linking. Here each candidate's
    context is indexed once (only the names some chain holds), and a chain counts the candidates
    of its own names: the same scores, so the same answers (a test compares the two).
    """

    def __init__(self, fixed: dict[str, set[str]], conditional: dict[str, tuple[set[str], set[str]]], wanted: set[str]):
        self.fixed, self.conditional = fixed, conditional
        self.postings: dict[str, list[str]] = {}
        for cid, ctx in [*fixed.items(), *((cid, ctx) for cid, (ctx, _) in conditional.items())]:
            for k in ctx & wanted:
                self.postings.setdefault(k, []).append(cid)

    def attach(self, own: set[str], doc_names: list[str]) -> str | None:
        """The cluster a chain whose informative context names are ``own`` attaches to (its
        document writes ``doc_names``), or None."""
        admitted = set()
        if self.conditional:
            written = set(doc_names)
            admitted = {cid for cid, (_, expansions) in self.conditional.items() if not expansions.isdisjoint(written)}
        n_choices = len(self.fixed) + len(admitted)
        if not n_choices:
            return None
        COMPARISONS[0] += n_choices
        scores: dict[str, int] = {}
        for k in own:
            for cid in self.postings.get(k, ()):
                if cid in self.fixed or cid in admitted:
                    scores[cid] = scores.get(cid, 0) + 1
        if not scores:
            return None
        best = max(scores.values())
        winners = [cid for cid, n in scores.items() if n == best]
        return winners[0] if len(winners) == 1 else None

"""``make eval``: run the real flow on every annotated corpus and score each table against its gold.

Corpora: the sample articles (``raw/`` against ``seeds.json``) and every folder of
``../shared/corpora`` holding ``docs.jsonl`` + ``gold.json`` (ECB+, GUM, TempEval-3). Each corpus is
scored on the tables its gold annotates; a corpus whose documents have ``published`` is also run with
it hidden, to score the inferred DCT (accuracy and coverage). Named mentions are scored twice, the
flow's final mentions and bare spaCy on the same texts (the model's own spans and labels as
extraction trimmed them, before any alignment repair), with a leading "the" and a trailing
possessive forgiven on both sides.

Alignment's repair steps are then measured one by one on the same extraction, through the batch
:func:`pipeline.align.align` with :class:`pipeline.align.Steps`: all off, each off alone, each on
alone. A step earns its place by helping on corpora it was not tuned on; GUM's genres (biographies,
travel guides, interviews) make it the held-out one here.

Printed and written to ``processed/eval/``: the table of figures, the ablation table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd

from pipeline.tools import metrics as evaluate

SEEDS_GOLD = (Path("../shared/gold/seeds.json"), Path("tests/gold/seeds.json"))
CORPORA_ROOT = Path("../shared/corpora")
# Hand-checked place mentions with their GeoNames ids (tests/gold/*_places.README.md), per corpus.
PLACES_GOLD = {"ecbplus": Path("tests/gold/ecbplus_places.jsonl"), "gum": Path("tests/gold/gum_places.jsonl")}
# Corpora whose gold marks only some named mentions (ECB+: the participants of its events), so
# precision there is understated and recall is the figure to read.
PARTIAL_GOLD = {"ecbplus": "gold marks only mentions tied to its events: P understated, read R"}


@dataclass
class Score:
    corpus: str
    table: str
    metric: str
    precision: float | None
    recall: float | None
    f1: float | None
    support: int  # gold items the figure is computed over
    note: str = ""


@dataclass
class Corpus:
    name: str
    raw_dir: Path  # what the flow reads
    gold: dict


@dataclass
class AlignmentInputs:
    """What alignment was given in the flow's run: documents, the model's mentions, sentence bounds."""

    documents: list
    mentions: list
    sentences: dict[str, list[tuple[int, int]]]


@dataclass
class Ablation:
    """One configuration of alignment's steps on one corpus."""

    corpus: str
    variant: str  # "bare spaCy", "final", "none", "-sweep" (all but), "+sweep" (only)
    labeled: evaluate.PRF
    span: evaluate.PRF
    bcubed_f1: float | None = None
    pairwise_f1: float | None = None
    n_mentions: int = 0


@dataclass
class CorpusRun:
    tables: dict[str, pd.DataFrame]
    inputs: AlignmentInputs | None = None
    ablations: list[Ablation] = field(default_factory=list)


def discover_corpora(root: Path = CORPORA_ROOT) -> list[Corpus]:
    corpora = []
    seeds_gold = next((p for p in SEEDS_GOLD if p.exists()), None)
    if seeds_gold is not None:
        corpora.append(Corpus("seeds", Path("raw"), evaluate.load_gold(seeds_gold)))
    for docs in sorted(root.glob("**/docs.jsonl")):
        gold = docs.with_name("gold.json")
        if gold.exists():
            corpora.append(Corpus(docs.parent.relative_to(root).as_posix(), docs.parent, evaluate.load_gold(gold)))
    return corpora


def run_corpus(corpus: Corpus, work: Path) -> CorpusRun:
    """The real flow over the corpus: its tables as DataFrames, and what its alignment was given."""
    from pipeline.flows import extract_corpus

    raw = corpus.raw_dir
    if corpus.name != "seeds":  # read docs.jsonl only: the folder also holds gold.json and licences
        raw = work / corpus.name.replace("/", "_") / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        link = raw / "docs.jsonl"
        if not link.exists():
            link.symlink_to((corpus.raw_dir / "docs.jsonl").resolve())
    out = raw.parent / "processed" if corpus.name != "seeds" else work / "seeds" / "processed"
    # docs.jsonl is our own link to the corpus, out of the input folder: followed on purpose.
    extract_corpus(raw, out, progress=False, follow_symlinks=True)
    tables = {name: pd.read_parquet(out / f"{name}.parquet") for name in ("documents", "mentions", "entities", "dates", "money", "errors")}
    return CorpusRun(tables, alignment_inputs(out))


def alignment_inputs(out: Path) -> AlignmentInputs:
    """The run's extraction as alignment received it (documents, the model's mentions, sentence
    bounds), read back from the run's snapshot."""
    from pipeline import dataset
    from pipeline.schema import SCHEMAS, Document, Mention

    snap = dataset.snapshot(out)
    docs = snap.read("documents", columns=["doc_id", "source_path", "text"]).to_pylist()
    documents = [Document(doc_id=d["doc_id"], source_path=d["source_path"], text=d["text"])
                 for d in sorted(docs, key=lambda d: d["doc_id"])]
    mentions = sorted((Mention(**m) for m in snap.read("_model_mentions", schema=SCHEMAS["mentions"]).to_pylist()),
                      key=lambda m: (m.doc_id, m.start_char, m.end_char))
    sentences: dict[str, list[tuple[int, int]]] = {}
    rows = snap.read("sentences", columns=["doc_id", "sentence_index", "start_char", "end_char"]).to_pylist()
    for r in sorted(rows, key=lambda r: (r["doc_id"], r["sentence_index"])):
        sentences.setdefault(r["doc_id"], []).append((r["start_char"], r["end_char"]))
    return AlignmentInputs(documents, mentions, sentences)


def ablations(corpus: Corpus, inputs: AlignmentInputs, final: pd.DataFrame | None = None) -> list[Ablation]:
    """Bare spaCy, the flow's own mentions (``final``: the entity index), then the batch alignment
    with every step, none, every step but one ("-step") and one alone ("+step")."""
    from pipeline.align import Steps, align

    texts = {d.doc_id: d.text for d in inputs.documents}
    named = [m for m in corpus.gold.get("mentions", []) if m.get("named", True) and m["doc_id"] in texts]
    if not named:
        return []

    def scored(variant: str, rows: list[dict], clustered: bool) -> Ablation:
        a = evaluate.alignment_scores(rows, named) if clustered else None
        return Ablation(corpus.name, variant,
                        evaluate.score_mentions(rows, named, labeled=True, texts=texts),
                        evaluate.score_mentions(rows, named, labeled=False, texts=texts),
                        a and a["bcubed"]["f1"], a and a["pairwise"]["f1"], len(rows))

    out = [scored("bare spaCy", [asdict(m) for m in inputs.mentions], clustered=False)]
    if final is not None:
        out.append(scored("final (flow)", final.to_dict("records"), clustered=True))
    names = list(asdict(Steps()))
    variants = [("every step", Steps()), ("none", Steps.none())]
    variants += [(f"-{n}", replace(Steps(), **{n: False})) for n in names]
    variants += [(f"+{n}", replace(Steps.none(), **{n: True})) for n in names]
    for variant, steps in variants:
        mentions = [replace(m) for m in inputs.mentions]  # alignment sets labels and ids in place
        aligned, _ = align(inputs.documents, mentions, inputs.sentences, steps)
        out.append(scored(variant, [asdict(m) for m in aligned], clustered=True))
    return out


def score_corpus(corpus: Corpus, tables: dict[str, pd.DataFrame],
                 inputs: AlignmentInputs | None = None) -> list[Score]:
    """Every figure the corpus's gold supports, computed on the flow's own output tables.

    With ``inputs`` (what alignment was given), bare spaCy's mentions are scored beside the final ones.
    """
    gold, name = corpus.gold, corpus.name
    docs = set(tables["documents"].doc_id)
    texts = dict(zip(tables["documents"].doc_id, tables["documents"].text))
    scores: list[Score] = []
    mentions = tables["mentions"].to_dict("records")
    gold_mentions = [m for m in gold.get("mentions", []) if m["doc_id"] in docs]
    if gold_mentions:
        named = [m for m in gold_mentions if m.get("named", True)]
        partial = PARTIAL_GOLD.get(name, "")
        systems = [("final", mentions)]
        if inputs is not None:
            systems.insert(0, ("bare spaCy", [asdict(m) for m in inputs.mentions]))
        for labeled in (True, False):
            metric = "span+label" if labeled else "span"
            for system, rows in systems:
                prf = evaluate.score_mentions(rows, named, labeled=labeled, texts=texts)
                note = f"{system}, 'the'/possessive forgiven" + (f"; {partial}" if partial else "")
                scores.append(_score(name, "mentions", metric, prf, note))
            prf = evaluate.score_mentions(mentions, named, labeled=labeled)
            scores.append(_score(name, "mentions", f"{metric} (exact)", prf, "final" + (f"; {partial}" if partial else "")))
        bare = [asdict(m) for m in inputs.mentions] if inputs is not None else \
            tables["mentions"][tables["mentions"].origin == "model"].to_dict("records")
        baseline = exact_name_baseline(bare)
        for subset, rows in (("all", gold_mentions), ("named", named)):
            if subset == "named" and len(named) == len(gold_mentions):
                continue
            for system, pred in (("exact-name baseline", baseline), ("aligned", mentions)):
                a = evaluate.alignment_scores(pred, rows)
                b3, pw = a["bcubed"], a["pairwise"]
                where = f"{system}, gold {subset}, {a['mentions_scored']} matched mentions"
                scores.append(Score(name, "entities", "B-cubed", b3["precision"], b3["recall"], b3["f1"], len(rows), where))
                scores.append(Score(name, "entities", "cross-doc pairwise", pw["precision"], pw["recall"], pw["f1"],
                                    pw["gold_links"], where))
    places = PLACES_GOLD.get(name)
    if places is not None and places.exists():
        g = evaluate.score_places(mentions, tables["entities"].to_dict("records"), evaluate.load_jsonl(places))
        note = (f"P over {g['resolved']} resolved, R = coverage of {g['targets']} decidable gazetteer places; "
                f"{g['metonyms_resolved']} metonyms resolved; {g['found']} of {g['n_gold']} spans found")
        scores.append(Score(name, "entities", "geocoding (geonames id)", g["precision"], g["coverage"],
                            evaluate.f1(g["precision"], g["coverage"]), g["targets"], note))
        scores.append(Score(name, "entities", "geocoding (country code)", g["country_precision"], None, None,
                            g["countries"], "share of mentions given a country whose country is the gold's"))
    gold_dates = [d for d in gold.get("dates", []) if d["doc_id"] in docs]
    if gold_dates:
        d = evaluate.score_dates(tables["dates"].to_dict("records"), gold_dates)
        for metric, prf in (("relaxed span", d.relaxed), ("strict span", d.strict), ("value (TIMEX3)", d.value), ("type", d.type)):
            scores.append(_score(name, "dates", metric, prf))
    gold_money = [m for m in gold.get("money", []) if m["doc_id"] in docs]
    if gold_money:
        m = evaluate.score_money(tables["money"].to_dict("records"), gold_money)
        scores.append(Score(name, "money", "span", m["span_precision"], m["span_recall"], m["span_f1"], m["n_gold"]))
        scores.append(Score(name, "money", "span+all values", m["strict_precision"], m["strict_recall"],
                            m["strict_f1"], m["n_gold"], f"value accuracy on matched spans {m['value_accuracy']:.3f}"))
    return scores


def score_dct(corpus: Corpus, work: Path) -> list[Score]:
    """The DCT inferred by the real flow with ``published`` hidden, against ``published`` at month
    precision; twice: from the text alone (ids replaced, URLs dropped) and from all but ``published``.
    A corpus without ``published`` whose texts start with a dated URL line (web scrapes: ECB+) is
    measured against that URL's date, from the text with the URL line removed.

    P = accuracy of the inferred DCTs, R = coverage (documents given one), F1 their harmonic mean.
    """
    from pipeline.flows import extract_corpus
    from pipeline.schema import Document
    from pipeline.temporal.dct import URL_LINE, address_date

    if corpus.name == "seeds":
        return []
    lines = [json.loads(x) for x in (corpus.raw_dir / "docs.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    dated = [x for x in lines if x.get("published")]
    if dated:
        truth = {x["id"]: str(x["published"])[:7] for x in dated}
        runs = [("text only", False, dated), ("text, id and URL", True, dated)]
    else:  # the date in a URL on the text's first line stands for the publication date
        truth, dated = {}, []
        for x in lines:
            first = URL_LINE.match(x.get("text") or "")
            found = address_date(Document("x", "x.txt", first.group(0))) if first else None
            if found is not None:
                truth[x["id"]] = found.strftime("%Y-%m")
                dated.append({**x, "text": x["text"][first.end():].lstrip("\n")})
        if not dated:
            return []
        runs = [("text only, URL line removed, vs the URL's date", False, dated)]
    scores = []
    for label, keep_address, rows in runs:
        folder = work / ("dct-" + corpus.name.replace("/", "_") + ("-address" if keep_address else "-text"))
        (folder / "raw").mkdir(parents=True, exist_ok=True)
        hidden, real_id = [], {}
        for i, x in enumerate(rows):
            doc_id = x["id"] if keep_address else f"doc{i:05d}"
            real_id[doc_id] = x["id"]
            kept = {k: v for k, v in x.items() if k not in ("published", "id") and (keep_address or k != "url")}
            hidden.append(json.dumps({"id": doc_id, **kept}))
        (folder / "raw" / "docs.jsonl").write_text("\n".join(hidden) + "\n", encoding="utf-8")
        extract_corpus(folder / "raw", folder / "processed", progress=False)
        docs = pd.read_parquet(folder / "processed" / "documents.parquet", columns=["doc_id", "dct"])
        inferred = {real_id[r["doc_id"]]: r["dct"] for r in docs.to_dict("records") if isinstance(r["dct"], str)}
        right = sum(1 for doc_id, dct in inferred.items() if dct[:7] == truth[doc_id])
        accuracy = right / len(inferred) if inferred else None
        coverage = len(inferred) / len(rows)
        f1 = 2 * accuracy * coverage / (accuracy + coverage) if accuracy else None
        scores.append(Score(corpus.name, "documents", f"dct inferred ({label})", accuracy, coverage, f1, len(rows),
                            f"published hidden; P = accuracy at month precision, R = coverage; "
                            f"{right} right of {len(inferred)} inferred"))
    return scores


def exact_name_baseline(model_mentions: list[dict]) -> list[dict]:
    """The comparison point for alignment: the model's own mentions and labels, grouped by exact name."""
    from pipeline.align import entity_id_for, name_key

    return [{**r, "label": r["model_label"], "entity_id": entity_id_for(r["model_label"], name_key(r["text"]))}
            for r in model_mentions]


def _score(corpus: str, table: str, metric: str, prf, note: str = "") -> Score:
    return Score(corpus, table, metric, prf.precision, prf.recall, prf.f1, prf.n_gold, note)


def format_ablations(rows: list[Ablation]) -> str:
    """One line per configuration: labeled P/R/F1 and span F1 ("the"/possessive forgiven), B-cubed, pairwise."""
    fmt = lambda v: "" if v is None else f"{v:.3f}"  # noqa: E731
    lines = ["| corpus | steps | mentions | labeled P | labeled R | labeled F1 | span F1 | B-cubed F1 | pairwise F1 |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for a in rows:
        lines.append(f"| {a.corpus} | {a.variant} | {a.n_mentions} | {fmt(a.labeled.precision)} | {fmt(a.labeled.recall)} "
                     f"| {fmt(a.labeled.f1)} | {fmt(a.span.f1)} | {fmt(a.bcubed_f1)} | {fmt(a.pairwise_f1)} |")
    return "\n".join(lines)


def format_table(scores: list[Score]) -> str:
    lines = ["| corpus | table | metric | P | R | F1 | gold n | note |", "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for s in scores:
        fmt = lambda v: "" if v is None else f"{v:.3f}"  # noqa: E731
        lines.append(f"| {s.corpus} | {s.table} | {s.metric} | {fmt(s.precision)} | {fmt(s.recall)} | {fmt(s.f1)} | {s.support} | {s.note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline eval", description=__doc__)
    parser.add_argument("--corpora", type=Path, default=CORPORA_ROOT,
                        help=f"folder of corpora, each a docs.jsonl + gold.json (default: {CORPORA_ROOT})")
    parser.add_argument("--out", type=Path, default=Path("processed/eval"),
                        help="where the scores are written, eval.json and eval.md (default: processed/eval)")
    parser.add_argument("--only", nargs="*", help="corpus names to run (default: all)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    corpora = [c for c in discover_corpora(args.corpora) if not args.only or c.name in args.only]
    if not corpora:
        print(f"error: no corpora found under {args.corpora}", file=sys.stderr)
        return 2
    scores: list[Score] = []
    steps: list[Ablation] = []
    timings = {}
    with tempfile.TemporaryDirectory(prefix="pipeline-eval-") as tmp:
        for corpus in corpora:
            started = time.perf_counter()
            print(f"eval: {corpus.name} ...", flush=True)
            run = run_corpus(corpus, Path(tmp))
            scores.extend(score_corpus(corpus, run.tables, run.inputs))
            scores.extend(score_dct(corpus, Path(tmp)))
            if run.inputs is not None:
                steps.extend(ablations(corpus, run.inputs, run.tables["mentions"]))
            timings[corpus.name] = time.perf_counter() - started
    table, steps_table = format_table(scores), format_ablations(steps)
    print(table)
    print()
    print(steps_table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval.json").write_text(json.dumps({"scores": [asdict(s) for s in scores],
                                                    "ablations": [_ablation_json(a) for a in steps],
                                                    "seconds": timings}, indent=2))
    (args.out / "eval.md").write_text("# Evaluation\n\n" + table + "\n\n## Alignment steps\n\n" + steps_table + "\n")
    return 0


def _ablation_json(a: Ablation) -> dict:
    prf = lambda p: {"precision": p.precision, "recall": p.recall, "f1": p.f1, "tp": p.tp,  # noqa: E731
                     "n_pred": p.n_pred, "n_gold": p.n_gold}
    return {"corpus": a.corpus, "variant": a.variant, "labeled": prf(a.labeled), "span": prf(a.span),
            "bcubed_f1": a.bcubed_f1, "pairwise_f1": a.pairwise_f1, "n_mentions": a.n_mentions}

"""``make eval``: run the real flow on every annotated corpus and score each table against its gold.

Corpora: the sample articles (``raw/`` against ``seeds.json``) and every folder of
``../shared/corpora`` holding ``docs.jsonl`` + ``gold.json``. Each corpus is scored on the tables
its gold annotates; a corpus whose documents have ``published`` is also run with it hidden, to
score the inferred DCT (accuracy and coverage). One table of figures is printed and written to ``processed/eval/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from pipeline.tools import metrics as evaluate

SEEDS_GOLD = (Path("../shared/gold/seeds.json"), Path("tests/gold/seeds.json"))
CORPORA_ROOT = Path("../shared/corpora")


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


def run_corpus(corpus: Corpus, work: Path) -> dict[str, pd.DataFrame]:
    """The real flow over the corpus; its tables as DataFrames."""
    from pipeline.flows import extract_corpus

    raw = corpus.raw_dir
    if corpus.name != "seeds":  # read docs.jsonl only: the folder also holds gold.json and licences
        raw = work / corpus.name.replace("/", "_") / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        link = raw / "docs.jsonl"
        if not link.exists():
            link.symlink_to((corpus.raw_dir / "docs.jsonl").resolve())
    out = raw.parent / "processed" if corpus.name != "seeds" else work / "seeds" / "processed"
    extract_corpus(raw, out, progress=False)
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in ("documents", "mentions", "entities", "dates", "money", "errors")}


def score_corpus(corpus: Corpus, tables: dict[str, pd.DataFrame]) -> list[Score]:
    """Every figure the corpus's gold supports, computed on the flow's own output tables."""
    gold, name = corpus.gold, corpus.name
    docs = set(tables["documents"].doc_id)
    scores: list[Score] = []
    mentions = tables["mentions"].to_dict("records")
    gold_mentions = [m for m in gold.get("mentions", []) if m["doc_id"] in docs]
    if gold_mentions:
        named = [m for m in gold_mentions if m.get("named", True)]
        partial = "" if name == "seeds" else "gold marks only mentions tied to its events: P understated"
        for labeled in (False, True):
            prf = evaluate.score_mentions(mentions, named, labeled=labeled)
            scores.append(_score(name, "mentions", "span+label" if labeled else "span", prf, partial))
        baseline = exact_name_baseline(tables["mentions"])
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


def exact_name_baseline(mentions: pd.DataFrame) -> list[dict]:
    """The comparison point for alignment: the model's own mentions and labels, grouped by exact name."""
    from pipeline.align import entity_id_for, name_key

    model = mentions[mentions.origin == "model"]
    return [{**r, "label": r["model_label"], "entity_id": entity_id_for(r["model_label"], name_key(r["text"]))}
            for r in model.to_dict("records")]


def _score(corpus: str, table: str, metric: str, prf, note: str = "") -> Score:
    return Score(corpus, table, metric, prf.precision, prf.recall, prf.f1, prf.n_gold, note)


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
    timings = {}
    with tempfile.TemporaryDirectory(prefix="pipeline-eval-") as tmp:
        for corpus in corpora:
            started = time.perf_counter()
            print(f"eval: {corpus.name} ...", flush=True)
            tables = run_corpus(corpus, Path(tmp))
            scores.extend(score_corpus(corpus, tables))
            scores.extend(score_dct(corpus, Path(tmp)))
            timings[corpus.name] = time.perf_counter() - started
    table = format_table(scores)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "eval.json").write_text(json.dumps({"scores": [asdict(s) for s in scores], "seconds": timings}, indent=2))
    (args.out / "eval.md").write_text("# Evaluation\n\n" + table + "\n")
    return 0

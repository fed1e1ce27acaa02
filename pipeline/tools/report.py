"""``make report``: one static HTML page an analyst can open offline.

A timeline of the dated events, the aligned entities, money per entity and document with
conflicting figures across sources flagged, and per-document extraction counts. Charts are Plotly
with its JavaScript inlined once, so the file needs no network.
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from pipeline.dataset import read_table

CONTEXT_CHARS = 90
# Two figures for the same thing disagree when they differ by more than this (relative), or in currency.
CONFLICT_TOLERANCE = 0.01
SUBJECT_LABELS = ("PERSON", "ORG", "GPE", "NORP", "FAC")
# Beyond this many documents one row per document is unreadable: the timeline becomes a histogram.
TIMELINE_MAX_DOCUMENTS = 30
TABLE_MAX_ROWS = 500


@dataclass
class Dataset:
    documents: pd.DataFrame
    mentions: pd.DataFrame
    entities: pd.DataFrame
    dates: pd.DataFrame
    money: pd.DataFrame
    errors: pd.DataFrame


def load(out_dir: Path) -> Dataset:
    try:
        return Dataset(**{name: read_table(out_dir, name).to_pandas() for name in Dataset.__dataclass_fields__})
    except LookupError:
        raise FileNotFoundError(f"no dataset in {out_dir}: run `make pipeline` first") from None


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The span with some text either side, on one line, for hover labels and tables."""
    left = text[max(0, start - width):start].split("\n")[-1]
    right = text[end:end + width].split("\n")[0]
    return f"…{left}[{text[start:end]}]{right}…"


def timeline_rows(ds: Dataset) -> pd.DataFrame:
    """Dated events: DATE and TIME expressions that resolved to an interval, with their context."""
    dates = ds.dates[ds.dates.type.isin(["DATE", "TIME"]) & ds.dates.start.notna()].copy()
    docs = ds.documents.set_index("doc_id")
    dates["document"] = [_doc_label(docs, d) for d in dates.doc_id]
    dates["context"] = [context(docs.text[r.doc_id], r.start_char, r.end_char) for r in dates.itertuples()]
    return dates.sort_values("start")


def money_subjects(ds: Dataset) -> pd.DataFrame:
    """Each money row with the entity it is about: the nearest person/organisation/place mentioned in its sentence."""
    rows = []
    mentions = ds.mentions.merge(ds.entities[["entity_id", "name"]], on="entity_id", how="left")
    by_doc = {doc_id: group for doc_id, group in mentions.groupby("doc_id")}
    docs = ds.documents.set_index("doc_id")
    for m in ds.money.itertuples():
        candidates = by_doc.get(m.doc_id)
        subject = None
        if candidates is not None:
            same_sentence = candidates[(candidates.sentence_index == m.sentence_index)
                                       & candidates.label.isin(SUBJECT_LABELS)]
            if len(same_sentence):
                rank = same_sentence.label.map(SUBJECT_LABELS.index) * 10_000 + (same_sentence.start_char - m.start_char).abs()
                subject = same_sentence.loc[rank.idxmin()]
        rows.append({
            "doc_id": m.doc_id, "document": _doc_label(docs, m.doc_id), "text": m.text,
            "amount": m.amount, "currency": m.currency, "amount_min": m.amount_min, "amount_max": m.amount_max,
            "approximate": m.approximate,
            "entity_id": None if subject is None else subject.entity_id,
            "entity": None if subject is None else subject["name"],
            "context": context(docs.text[m.doc_id], m.start_char, m.end_char),
        })
    table = pd.DataFrame(rows, columns=["doc_id", "document", "text", "amount", "currency", "amount_min", "amount_max",
                                        "approximate", "entity_id", "entity", "context"])
    table["conflict"] = flag_conflicts(table)
    return table


def flag_conflicts(money: pd.DataFrame) -> pd.Series:
    """True where sources disagree about the sum tied to the same entity (other currency or other amount)."""
    flags = pd.Series(False, index=money.index)
    for _, group in money[money.entity_id.notna()].groupby("entity_id"):
        if group.doc_id.nunique() < 2:
            continue
        figures = list(zip(group.currency.fillna("?"), group.amount))
        base_currency, base_amount = figures[0]
        differs = any(c != base_currency or abs(a - base_amount) > CONFLICT_TOLERANCE * max(abs(base_amount), 1)
                      for c, a in figures[1:])
        if differs:
            flags[group.index] = True
    return flags


def document_counts(ds: Dataset) -> pd.DataFrame:
    counts = ds.documents[["doc_id", "title"]].copy()
    for name in ("mentions", "dates", "money"):
        table = getattr(ds, name)
        counts[name] = counts.doc_id.map(table.groupby("doc_id").size()).fillna(0).astype(int)
    counts["entities"] = counts.doc_id.map(ds.mentions.groupby("doc_id").entity_id.nunique()).fillna(0).astype(int)
    return counts


def render(ds: Dataset) -> str:
    import plotly.express as px
    import plotly.io as pio

    figures = []
    timeline = timeline_rows(ds)
    if len(timeline) and timeline.document.nunique() > TIMELINE_MAX_DOCUMENTS:
        # A few expressions resolve centuries away ("in 1066"); the axis shows where 98% of them fall.
        low, high = timeline.start.quantile([0.01, 0.99])
        shown = timeline[timeline.start.between(low, high)]
        fig = px.histogram(shown, x="start", color="type",
                           title=f"Dated events over time (number of expressions; {len(timeline) - len(shown)} outliers not shown)")
        figures.append(("timeline", fig))
    elif len(timeline):
        fig = px.scatter(timeline, x="start", y="document", color="type", hover_name="text",
                         hover_data={"value": True, "context": True, "start": False, "document": False, "type": False},
                         title="Timeline of dated events (by the date each expression resolves to)")
        fig.update_traces(marker={"size": 11})
        fig.update_layout(height=max(300, 60 * timeline.document.nunique() + 160), yaxis_title=None, xaxis_title=None)
        figures.append(("timeline", fig))
    counts = document_counts(ds)
    if len(counts):
        long = counts.melt(id_vars=["doc_id"], value_vars=["mentions", "dates", "money"], var_name="table", value_name="rows")
        fig = px.bar(long, x="rows", y="doc_id", color="table", orientation="h", title="Rows extracted per document")
        fig.update_layout(height=max(300, 28 * len(counts) + 160), yaxis_title=None)
        figures.append(("per-document", fig))

    charts = {}
    for i, (key, fig) in enumerate(figures):
        charts[key] = pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0), div_id=f"chart-{key}",
                                  config={"displaylogo": False})

    money = money_subjects(ds)
    entities = ds.entities.sort_values(["n_docs", "n_mentions"], ascending=False)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        _HEAD,
        f"<h1>News dataset report</h1><p class='meta'>Generated {generated}. "
        f"{len(ds.documents)} documents, {len(ds.mentions)} mentions of {len(ds.entities)} entities, "
        f"{len(ds.dates)} temporal expressions, {len(ds.money)} amounts of money, {len(ds.errors)} input errors.</p>",
        "<h2 id='timeline'>Timeline</h2>",
        charts.get("timeline", "<p>No dated events.</p>"),
        "<h2 id='money'>Money</h2>",
        "<p>Each amount with the entity it is about (the nearest person, organisation or place in its sentence). "
        "<span class='conflict'>Flagged</span> rows: sources disagree on the figure for the same entity.</p>",
        _table(money, ["entity", "document", "text", "amount", "currency", "amount_min", "amount_max", "approximate", "context"],
               highlight=money.conflict),
        "<h2 id='entities'>Entities</h2>",
        _table(entities, ["name", "label", "aliases", "n_mentions", "n_docs", "entity_id"]),
        "<h2 id='documents'>Documents</h2>",
        charts.get("per-document", ""),
        _table(counts, ["doc_id", "title", "mentions", "entities", "dates", "money"]),
    ]
    if len(ds.errors):
        parts += ["<h2 id='errors'>Input errors</h2>", _table(ds.errors, ["source_path", "doc_id", "stage", "reason"])]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out_dir: Path, target: Path | None = None) -> Path:
    target = target or Path(out_dir) / "report.html"
    page = render(load(Path(out_dir)))
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target


def _doc_label(docs: pd.DataFrame, doc_id: str) -> str:
    title = docs.title.get(doc_id)
    return f"{doc_id}: {title[:50]}" if isinstance(title, str) and title else doc_id


def _table(df: pd.DataFrame, columns: list[str], highlight: pd.Series | None = None) -> str:
    if df.empty:
        return "<p>None.</p>"
    note = f"<p class='meta'>First {TABLE_MAX_ROWS} of {len(df)} rows.</p>" if len(df) > TABLE_MAX_ROWS else ""
    df = df.head(TABLE_MAX_ROWS)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for idx, row in df.iterrows():
        cls = " class='conflict'" if highlight is not None and bool(highlight.get(idx)) else ""
        cells = "".join(f"<td>{_cell(row[c])}</td>" for c in columns)
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"{note}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(value) -> str:
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist") and not isinstance(value, str):
        value = ", ".join(map(str, list(value)))
    elif isinstance(value, float):
        value = "" if pd.isna(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
    elif value is None or (not isinstance(value, str) and pd.isna(value)):
        value = ""
    return html.escape(str(value))


_HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>News dataset report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin-bottom: 2rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
tr.conflict td, span.conflict { background: #ffe3e3; }
.meta { color: #666; }
</style></head><body>"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline report", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("processed"), help="directory holding the tables")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        target = write_report(args.out)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {target}")
    return 0

"""``make report``: one static HTML page an analyst can open offline, at any corpus size.

- a timeline of every dated expression, drawn as the interval it means ("2022" a bar over the year,
  "5:30 p.m." a minute), one lane per granularity, its sentence and entities in the hover, filterable
  by entity;
- conflicting figures (the ``conflicts`` table), each group's sides next to each other;
- entities, money, documents and errors as paged tables (25 rows a page), so the page keeps its size.

Every string that comes from an article (ids, titles, text, sentences, names) is escaped before it
reaches the page, Plotly labels and hover text included: Plotly renders a subset of HTML in labels
(links, styles), which would make an article's markup live and let the "offline" page make requests.
Plotly's JavaScript is inlined once; the page loads nothing from the network.
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

PAGE_ROWS = 25
TABLE_MAX_ROWS = 10_000  # beyond this a table says how many rows it left out (the explorer has them all)
FILTER_ENTITIES = 300  # entities offered by the timeline's filter: those named beside most dates
LANES = ("century", "decade", "year", "half", "quarter", "season", "month", "week", "day", "part_of_day", "hour", "minute", "second")
SENTENCE_CHARS = 240
COLORS = {"DATE": "#636efa", "TIME": "#ef553b", "DURATION": "#00cc96", "SET": "#ab63fa"}


@dataclass
class Dataset:
    documents: pd.DataFrame
    mentions: pd.DataFrame
    entities: pd.DataFrame
    dates: pd.DataFrame
    money: pd.DataFrame
    sentences: pd.DataFrame
    conflicts: pd.DataFrame
    errors: pd.DataFrame


def load(out_dir: Path) -> Dataset:
    try:
        return Dataset(**{name: read_table(out_dir, name).to_pandas() for name in Dataset.__dataclass_fields__})
    except LookupError:
        raise FileNotFoundError(f"no dataset in {out_dir}: run `make pipeline` first") from None


def esc(value) -> str:
    """Text for the page or for a Plotly label: every character of article text shown, none live."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def timeline_rows(ds: Dataset) -> pd.DataFrame:
    """Every resolved expression with its interval, lane, sentence and the entities named in it."""
    dates = ds.dates[ds.dates.start.notna() & ds.dates.end.notna()].copy()
    if dates.empty:
        return dates.assign(lane=[], sentence=[], entity_ids=[], names=[], document=[])
    sentences = ds.sentences.set_index(["doc_id", "sentence_index"]).text
    named = ds.mentions.merge(ds.entities[["entity_id", "name"]], on="entity_id")
    by_sentence = named.groupby(["doc_id", "sentence_index"]).agg(entity_ids=("entity_id", lambda s: sorted(set(s))),
                                                                    names=("name", lambda s: sorted(set(s))))
    dates = dates.join(by_sentence, on=["doc_id", "sentence_index"])
    dates["entity_ids"] = [v if isinstance(v, list) else [] for v in dates.entity_ids]
    dates["names"] = [v if isinstance(v, list) else [] for v in dates.names]
    keys = list(zip(dates.doc_id, dates.sentence_index))
    dates["sentence"] = [sentences.get(k, "") for k in keys]
    dates["lane"] = dates.granularity.fillna(dates.type.str.lower())
    titles = ds.documents.set_index("doc_id").title
    dates["document"] = [_doc_label(titles, d) for d in dates.doc_id]
    return dates.sort_values("start")


def timeline_figure(rows: pd.DataFrame):
    """Horizontal bars from start to end, one lane per granularity; escaped hover text."""
    import plotly.graph_objects as go

    if rows.empty:
        return None
    # The axis opens where nine in ten expressions fall (a few are centuries away); zoom and pan for the rest.
    low, high = rows.start.quantile(0.05), rows.end.quantile(0.95)
    if high - low < pd.Timedelta(days=2):
        low, high = low - pd.Timedelta(days=1), high + pd.Timedelta(days=1)
    lanes = [g for g in LANES if g in set(rows.lane)] + sorted(set(rows.lane) - set(LANES))
    fig = go.Figure()
    for kind, group in rows.groupby("type", sort=True):
        span_ms = (group.end - group.start).dt.total_seconds() * 1000
        fig.add_bar(
            name=esc(kind), orientation="h", y=group.lane, base=group.start.dt.strftime("%Y-%m-%dT%H:%M:%S"), x=span_ms,
            customdata=[" ".join(ids) for ids in group.entity_ids],
            hovertext=[hover(r) for r in group.itertuples()], hoverinfo="text",
            marker={"color": COLORS.get(kind, "#888"), "line": {"width": 1, "color": COLORS.get(kind, "#888")}},
            width=0.6, legendgroup=esc(kind),
        )
        # A day is narrower than a pixel on an axis of years: a month or less also gets a tick mark.
        short = group[(group.end - group.start) <= pd.Timedelta(days=31)]
        fig.add_scatter(
            name=esc(kind), mode="markers", y=short.lane, x=short.start.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            marker={"symbol": "line-ns-open", "size": 14, "line": {"width": 2, "color": COLORS.get(kind, "#888")}},
            legendgroup=esc(kind), showlegend=False,
            customdata=[" ".join(ids) for ids in short.entity_ids],
            hovertext=[hover(r) for r in short.itertuples()], hoverinfo="text",
        )
    fig.update_layout(
        barmode="overlay", height=140 + 42 * len(lanes), margin={"l": 90, "r": 20, "t": 40, "b": 40},
        title="Dated expressions, each drawn over the interval it means (hover for its sentence)",
        xaxis={"type": "date", "range": [low, high]}, yaxis={"categoryorder": "array", "categoryarray": lanes[::-1]},
        hoverlabel={"align": "left"}, legend={"orientation": "h", "y": -0.15},
    )
    return fig


def hover(r) -> str:
    sentence = r.sentence if len(r.sentence) <= SENTENCE_CHARS else r.sentence[:SENTENCE_CHARS] + "…"
    names = ", ".join(r.names[:8]) + (" …" if len(r.names) > 8 else "")
    # Plotly breaks lines at <br>: the only markup in a label, added here, after escaping.
    parts = (f"{r.text} = {r.value}", r.document, _wrap(sentence), f"named: {names}" if names else "")
    return "<br>".join(esc(x).replace("\n", "<br>") for x in parts if x)


def _wrap(text: str, width: int = 90) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join(lines + [line])


def filter_entities(rows: pd.DataFrame, ds: Dataset) -> list[tuple[str, str, int]]:
    """The entities named beside most dated expressions: (entity_id, name, count)."""
    counts = rows.explode("entity_ids").entity_ids.dropna().value_counts().head(FILTER_ENTITIES)
    names = ds.entities.set_index("entity_id").name
    return [(e, names.get(e, e), int(n)) for e, n in counts.items()]


def conflict_sides(ds: Dataset) -> pd.DataFrame:
    """One row per conflict: its reason and each side (figure, documents, one sentence) next to each other."""
    if ds.conflicts.empty:
        return pd.DataFrame(columns=["conflict_id", "entity", "fact", "reason", "sides"])
    rows = []
    for cid, group in ds.conflicts.groupby("conflict_id", sort=False):
        sides = [{"text": g.text.iloc[0], "value": value, "documents": sorted(set(g.doc_id)), "sentence": g.sentence.iloc[0]}
                 for value, g in group.groupby("value")]
        rows.append({"conflict_id": cid, "entity": group.entity.iloc[0], "fact": group.fact.iloc[0],
                     "reason": group.reason.iloc[0], "sides": sides})
    return pd.DataFrame(rows)


def money_rows(ds: Dataset) -> pd.DataFrame:
    """Each amount with its sentence and the entities named in it (co-occurrence, not "about")."""
    named = ds.mentions.merge(ds.entities[["entity_id", "name"]], on="entity_id")
    names = named.groupby(["doc_id", "sentence_index"]).name.agg(lambda s: ", ".join(sorted(set(s))))
    money = ds.money.join(names.rename("named in the sentence"), on=["doc_id", "sentence_index"])
    sentences = ds.sentences.set_index(["doc_id", "sentence_index"]).text
    money["sentence"] = [sentences.get(k, "") for k in zip(money.doc_id, money.sentence_index)]
    return money


def document_counts(ds: Dataset) -> pd.DataFrame:
    counts = ds.documents[["doc_id", "title"]].copy()
    for name in ("mentions", "dates", "money", "conflicts"):
        table = getattr(ds, name)
        counts[name] = counts.doc_id.map(table.groupby("doc_id").size()).fillna(0).astype(int)
    counts["entities"] = counts.doc_id.map(ds.mentions.groupby("doc_id").entity_id.nunique()).fillna(0).astype(int)
    return counts


def render(ds: Dataset) -> str:
    import plotly.io as pio

    rows = timeline_rows(ds)
    fig = timeline_figure(rows)
    timeline = ("<p>No dated expressions.</p>" if fig is None else
                _entity_filter(filter_entities(rows, ds)) +
                pio.to_html(fig, full_html=False, include_plotlyjs=True, div_id="chart-timeline",
                            config={"displaylogo": False, "responsive": True}))
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entities = ds.entities.sort_values(["n_docs", "n_mentions"], ascending=False)
    parts = [
        _HEAD,
        "<h1>News dataset report</h1>",
        f"<p class='meta'>Generated {generated}. {len(ds.documents):,} documents, {len(ds.mentions):,} mentions of "
        f"{len(ds.entities):,} entities, {len(ds.dates):,} temporal expressions, {len(ds.money):,} amounts of money, "
        f"{ds.conflicts.conflict_id.nunique():,} conflicting figures, {len(ds.errors):,} input errors. "
        "For search, entity pages and exports: <code>make explore</code>.</p>",
        "<nav><a href='#timeline'>Timeline</a> · <a href='#conflicts'>Conflicts</a> · <a href='#entities'>Entities</a> · "
        "<a href='#money'>Money</a> · <a href='#documents'>Documents</a>"
        + (" · <a href='#errors'>Errors</a>" if len(ds.errors) else "") + "</nav>",
        "<h2 id='timeline'>Timeline</h2>", timeline,
        "<h2 id='conflicts'>Conflicting figures</h2>",
        "<p>Figures that sources give differently for the same entity and the same kind of fact (see README, "
        "\"Conflicting figures\"); each side with its documents and a sentence.</p>",
        _conflicts(conflict_sides(ds)),
        "<h2 id='entities'>Entities</h2>",
        _table("entities", entities, ["name", "label", "aliases", "n_mentions", "n_docs", "entity_id"]),
        "<h2 id='money'>Money</h2>",
        "<p>Each amount with its sentence and the entities named in it (they share the sentence; the figure need not be about them).</p>",
        _table("money", money_rows(ds), ["doc_id", "text", "amount", "currency", "amount_min", "amount_max",
                                         "approximate", "named in the sentence", "sentence"]),
        "<h2 id='documents'>Documents</h2>",
        _table("documents", document_counts(ds), ["doc_id", "title", "mentions", "entities", "dates", "money", "conflicts"]),
    ]
    if len(ds.errors):
        parts += ["<h2 id='errors'>Input errors</h2>", _table("errors", ds.errors, ["source_path", "doc_id", "stage", "reason"])]
    parts += [_SCRIPT, "</body></html>"]
    return "\n".join(parts)


def write_report(out_dir: Path, target: Path | None = None) -> Path:
    target = Path(target) if target else Path(out_dir) / "report.html"
    page = render(load(Path(out_dir)))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target


def _doc_label(titles: pd.Series, doc_id: str) -> str:
    title = titles.get(doc_id)
    return f"{doc_id}: {title[:60]}" if isinstance(title, str) and title else doc_id


def _entity_filter(entities: list[tuple[str, str, int]]) -> str:
    options = "".join(f"<option value='{esc(e)}'>{esc(name)} ({n})</option>" for e, name, n in entities)
    return ("<p><label>Only expressions in a sentence naming <select id='timeline-entity'>"
            f"<option value=''>any entity</option>{options}</select></label> "
            "<span class='meta' id='timeline-count'></span></p>")


def _conflicts(sides: pd.DataFrame) -> str:
    if sides.empty:
        return "<p>None.</p>"
    rows = []
    for r in sides.itertuples():
        cells = "".join(
            f"<td><b>{esc(s['text'])}</b> in {esc(', '.join(s['documents']))}<br><span class='sentence'>{esc(s['sentence'])}</span></td>"
            for s in r.sides)
        rows.append(f"<tr><td>{esc(r.entity)}<br><span class='meta'>{esc(r.fact)}</span></td>{cells}</tr>")
    widest = max(len(s) for s in sides.sides)
    head = "<th>entity, fact</th>" + "".join(f"<th>side {i + 1}</th>" for i in range(widest))
    return _paged("conflicts", f"<thead><tr>{head}</tr></thead>", rows)


def _table(name: str, df: pd.DataFrame, columns: list[str]) -> str:
    if df.empty:
        return "<p>None.</p>"
    note = f"<p class='meta'>First {TABLE_MAX_ROWS:,} of {len(df):,} rows.</p>" if len(df) > TABLE_MAX_ROWS else ""
    head = "<thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr></thead>"
    body = ["<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
            for row in df.head(TABLE_MAX_ROWS)[columns].itertuples(index=False)]
    return note + _paged(name, head, body)


def _paged(name: str, head: str, rows: list[str]) -> str:
    """A table shown ``PAGE_ROWS`` rows at a time (the script below pages it; without script, all rows)."""
    return (f"<div class='paged' data-page-rows='{PAGE_ROWS}'><table id='table-{name}'>{head}<tbody>{''.join(rows)}"
            f"</tbody></table><p class='pager'></p></div>")


def _cell(value) -> str:
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist") and not isinstance(value, str):
        return esc(", ".join(map(str, list(value))))
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return esc(value)


_HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>News dataset report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td { max-width: 40rem; overflow-wrap: anywhere; }
.meta, .sentence { color: #666; }
.pager { margin: 0.3rem 0 2rem; }
.pager button { margin-right: 0.4rem; }
</style></head><body>"""

# Paging and the timeline filter: plain DOM and Plotly.restyle over data already in the page.
_SCRIPT = """<script>
(function () {
  document.querySelectorAll("div.paged").forEach(function (box) {
    var size = +box.dataset.pageRows, rows = box.querySelectorAll("tbody tr"), pager = box.querySelector(".pager");
    var pages = Math.ceil(rows.length / size), page = 0;
    if (pages < 2) return;
    function show() {
      rows.forEach(function (r, i) { r.style.display = Math.floor(i / size) === page ? "" : "none"; });
      pager.querySelector("span").textContent = "page " + (page + 1) + " of " + pages + " (" + rows.length + " rows)";
    }
    [["« first", function () { page = 0; }], ["‹ previous", function () { page = Math.max(0, page - 1); }],
     ["next ›", function () { page = Math.min(pages - 1, page + 1); }], ["last »", function () { page = pages - 1; }]]
      .forEach(function (b) {
        var button = document.createElement("button");
        button.textContent = b[0];
        button.addEventListener("click", function () { b[1](); show(); });
        pager.appendChild(button);
      });
    pager.appendChild(document.createElement("span"));
    show();
  });
  var chart = document.getElementById("chart-timeline"), select = document.getElementById("timeline-entity");
  if (!chart || !select || !chart.data) return;
  var full = chart.data.map(function (t) { return {x: t.x, y: t.y, base: t.base, hovertext: t.hovertext, customdata: t.customdata}; });
  select.addEventListener("change", function () {
    var wanted = select.value, shown = 0;
    var update = {x: [], y: [], base: [], hovertext: [], customdata: []};
    full.forEach(function (t) {
      var keep = [];
      for (var i = 0; i < t.customdata.length; i++) {
        if (!wanted || (" " + t.customdata[i] + " ").indexOf(" " + wanted + " ") >= 0) keep.push(i);
      }
      shown += keep.length;
      ["x", "y", "base", "hovertext", "customdata"].forEach(function (k) {
        update[k].push(t[k] ? keep.map(function (i) { return t[k][i]; }) : null);
      });
    });
    Plotly.restyle(chart, update);
    document.getElementById("timeline-count").textContent = wanted ? shown + " expressions" : "";
  });
})();
</script>"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("processed"),
                        help="directory holding the tables, as `pipeline run --out` (default: processed)")
    parser.add_argument("--html", type=Path, default=None, help="where the report is written (default: OUT/report.html)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        target = write_report(args.out, args.html)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {target}")
    return 0

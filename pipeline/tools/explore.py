"""``make explore``: the dataset in Datasette, on 127.0.0.1, with no network.

Why Datasette: it is what data journalists already use to explore tables (faceting, filtering,
sorting, SQL, CSV/JSON export of every view, full-text search), well kept, and it needs no web code
of ours beyond two page templates. Streamlit or Panel would mean writing every widget and export by
hand. The tables are copied into an SQLite file (``processed/explore.db``, rebuilt when the tables
changed) with sqlite-utils, which adds the full-text indexes and foreign keys that Datasette turns
into search boxes and links:

- ``sentences`` and ``aliases`` are full-text searchable (and ``/-/search`` searches both at once,
  datasette-search-all);
- an entity's page (``/explore/entities/<entity_id>``) lists its aliases, documents, co-occurring
  entities, money, dates, places and conflicts (:mod:`pipeline.tools.explore_site`);
- a document's page shows its text with mentions, dates and amounts highlighted by spaCy's displaCy
  (which escapes every character of the article) and linked to their entities;
- ``conflict_sides`` shows each conflicting group one side per row;
- ``places`` (entities with coordinates, when the entities table has latitude/longitude) is drawn
  by datasette-cluster-map, on blank tiles: no tile server is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from pipeline.dataset import read_table

DB_NAME = "explore"
SITE_DIR = Path(__file__).with_name("explore_site")
HIGHLIGHT_COLORS = {"MONEY": "#e4e7d2", "DATE": "#bfe1d9", "TIME": "#bfe1d9", "DURATION": "#d9e1bf", "SET": "#d9e1bf"}
# A 1x1 transparent PNG: the map's tiles, so that the map page contacts no tile server.
BLANK_TILE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
GEO_COLUMNS = ("latitude", "longitude")
SOURCE_TABLES = ("documents", "mentions", "entities", "dates", "money", "sentences", "conflicts", "errors")


def highlight(text: str, spans: list[dict]) -> str:
    """displaCy markup of ``text`` with ``spans`` ({start, end, label, kb_id?}) highlighted.

    displaCy draws no overlapping spans, so where spans overlap the earlier (then longer) one wins.
    Every character of the text is escaped by displaCy; labels are ours, entity ids are hex.
    """
    from spacy import displacy

    kept, last_end = [], 0
    for span in sorted(spans, key=lambda s: (s["start"], -(s["end"] - s["start"]))):
        if span["start"] >= last_end and span["end"] > span["start"]:
            kept.append(span)
            last_end = span["end"]
    ents = [{"start": s["start"], "end": s["end"], "label": s["label"],
             **({"kb_id": s["kb_id"], "kb_url": f"/{DB_NAME}/entities/{s['kb_id']}"} if s.get("kb_id") else {})}
            for s in kept]
    return displacy.render({"text": text, "ents": ents, "title": None}, style="ent", manual=True, page=False,
                           options={"colors": HIGHLIGHT_COLORS})


def cooccurrence(mentions: list[dict]) -> list[dict]:
    """Pairs of entities named in the same sentence: in how many sentences and documents."""
    by_sentence: dict[tuple[str, int], set[str]] = defaultdict(set)
    for m in mentions:
        if m["entity_id"]:
            by_sentence[(m["doc_id"], m["sentence_index"])].add(m["entity_id"])
    sentences, docs = defaultdict(int), defaultdict(set)
    for (doc_id, _), ids in by_sentence.items():
        for a, b in combinations(sorted(ids), 2):
            for pair in ((a, b), (b, a)):
                sentences[pair] += 1
                docs[pair].add(doc_id)
    return [{"entity_id": a, "other_entity_id": b, "n_sentences": n, "n_docs": len(docs[(a, b)])}
            for (a, b), n in sorted(sentences.items())]


def build_database(out_dir: Path, db_path: Path) -> Path:
    """The tables of ``out_dir`` as one SQLite file for Datasette, with search indexes and foreign keys."""
    import sqlite_utils

    try:
        tables = {name: read_table(out_dir, name).to_pylist() for name in SOURCE_TABLES}
    except LookupError:
        raise FileNotFoundError(f"no dataset in {out_dir}: run `make pipeline` first") from None
    tmp = db_path.with_name(f".{db_path.name}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite_utils.Database(tmp)
    docs = tables["documents"]
    text_of = {d["doc_id"]: d["text"] for d in docs}

    db["documents"].insert_all(
        ({k: _plain(d.get(k)) for k in ("doc_id", "title", "source", "url", "published", "dct", "dct_source",
                                          "n_chars", "language", "source_path", "extracted_at", "text")} for d in docs),
        pk="doc_id", alter=True)
    entities = tables["entities"]
    db["entities"].insert_all(({k: _plain(v) for k, v in e.items() if k != "doc_ids"} for e in entities),
                              pk="entity_id", alter=True)
    db["aliases"].insert_all(({"entity_id": e["entity_id"], "alias": a, "name": e["name"], "label": e["label"]}
                              for e in entities for a in e["aliases"]),
                             foreign_keys=[("entity_id", "entities", "entity_id")], alter=True)
    db["aliases"].enable_fts(["alias", "name"], create_triggers=False)
    mentions = tables["mentions"]
    db["mentions"].insert_all(({k: m[k] for k in ("mention_id", "doc_id", "entity_id", "text", "label", "start_char",
                                                   "end_char", "sentence_index", "origin", "model_label")}
                               for m in mentions), pk="mention_id", alter=True,
                              foreign_keys=[("doc_id", "documents", "doc_id"), ("entity_id", "entities", "entity_id")])
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for m in mentions:
        if m["entity_id"]:
            counts[(m["entity_id"], m["doc_id"])] += 1
    db["entity_documents"].insert_all(({"entity_id": e, "doc_id": d, "mentions": n} for (e, d), n in sorted(counts.items())),
                                      alter=True, foreign_keys=[("entity_id", "entities", "entity_id"),
                                                                ("doc_id", "documents", "doc_id")])
    db["cooccurrence"].insert_all(cooccurrence(mentions), alter=True,
                                  foreign_keys=[("entity_id", "entities", "entity_id"),
                                                ("other_entity_id", "entities", "entity_id")])
    db["sentences"].insert_all(tables["sentences"], pk=("doc_id", "sentence_index"), alter=True,
                               foreign_keys=[("doc_id", "documents", "doc_id")])
    db["sentences"].enable_fts(["text"], create_triggers=False)
    for name in ("dates", "money"):
        _create(db, name, [("doc_id", "documents", "doc_id")])
        db[name].insert_all(({k: _plain(v) for k, v in r.items()} for r in tables[name]), alter=True,
                            foreign_keys=[("doc_id", "documents", "doc_id")])
    _create(db, "conflicts", [("doc_id", "documents", "doc_id"), ("entity_id", "entities", "entity_id")])
    db["conflicts"].insert_all(tables["conflicts"], alter=True)
    _create(db, "errors", [])
    db["errors"].insert_all(tables["errors"], alter=True)
    if entities and all(c in entities[0] for c in GEO_COLUMNS):
        db["places"].insert_all(({k: e.get(k) for k in ("entity_id", "name", "label", "country_code", "latitude",
                                                        "longitude", "n_docs")}
                                 for e in entities if e.get("latitude") is not None and e.get("longitude") is not None),
                                pk="entity_id", alter=True, foreign_keys=[("entity_id", "entities", "entity_id")])
    spans: dict[str, list[dict]] = defaultdict(list)
    for m in mentions:
        spans[m["doc_id"]].append({"start": m["start_char"], "end": m["end_char"], "label": m["label"], "kb_id": m["entity_id"]})
    for r in tables["dates"]:
        spans[r["doc_id"]].append({"start": r["start_char"], "end": r["end_char"], "label": r["type"]})
    for r in tables["money"]:
        spans[r["doc_id"]].append({"start": r["start_char"], "end": r["end_char"], "label": "MONEY"})
    db["document_html"].insert_all(({"doc_id": d, "html": highlight(text, spans.get(d, []))} for d, text in text_of.items()),
                                   pk="doc_id", foreign_keys=[("doc_id", "documents", "doc_id")])
    db.create_view("conflict_sides", """
        select conflict_id, entity_id, entity, fact, currency, value, count(distinct doc_id) as n_docs,
               group_concat(distinct doc_id) as documents, min(text) as written, min(sentence) as example_sentence, reason
        from conflicts group by conflict_id, value order by conflict_id, value""")
    for table, columns in (("mentions", ["entity_id"]), ("mentions", ["doc_id"]), ("entity_documents", ["entity_id"]),
                           ("cooccurrence", ["entity_id"]), ("dates", ["doc_id", "sentence_index"]),
                           ("money", ["doc_id", "sentence_index"]), ("mentions", ["doc_id", "sentence_index"])):
        db[table].create_index(columns, if_not_exists=True)
    db.conn.commit()
    db.close()
    os.replace(tmp, db_path)
    return db_path


def _create(db, name: str, foreign_keys: list) -> None:
    """An empty table with the parquet table's columns, so that pages and views work with no rows."""
    import pyarrow as pa

    from pipeline.schema import SCHEMAS

    def kind(t):
        return int if pa.types.is_integer(t) or pa.types.is_boolean(t) else float if pa.types.is_floating(t) else str

    db[name].create({f.name: kind(f.type) for f in SCHEMAS[name]}, foreign_keys=foreign_keys, if_not_exists=True)


def metadata() -> dict:
    """Datasette metadata: labels, facets, default sorts, search, and the map's blank tiles."""
    return {
        "title": "News dataset explorer",
        "description": "Search sentences and aliases, open an entity or a document, filter, sort and export any table.",
        "databases": {DB_NAME: {"tables": {
            "documents": {"label_column": "title", "facets": ["source", "dct_source"]},
            "entities": {"label_column": "name", "sort_desc": "n_docs", "facets": ["label"]},
            "aliases": {"sort": "alias", "facets": ["label"]},
            "mentions": {"facets": ["label", "origin"]},
            "entity_documents": {"sort_desc": "mentions"},
            "cooccurrence": {"sort_desc": "n_sentences"},
            "sentences": {"sort": "doc_id"},
            "dates": {"facets": ["type", "anchor", "granularity"]},
            "money": {"facets": ["currency", "approximate"]},
            "conflicts": {"facets": ["fact", "currency"], "sort": "conflict_id"},
            "document_html": {"hidden": True},
        }}},
        "plugins": {"datasette-cluster-map": {"tile_layer": BLANK_TILE, "tile_layer_options": {"maxZoom": 18}}},
    }


def needs_rebuild(out_dir: Path, db_path: Path) -> bool:
    """The SQLite copy is stale when any table is newer (the tables are links into the current run)."""
    if not db_path.exists():
        return True
    built = db_path.stat().st_mtime
    current = Path(out_dir) / ".current"
    sources = [current] if current.exists() else [p for p in Path(out_dir).glob("*.parquet")]
    return any(os.stat(p).st_mtime > built for p in sources)


def serve(db_path: Path, host: str, port: int) -> None:
    """Datasette on ``host:port`` (loopback by default), our templates and entity/document pages."""
    import asyncio

    import uvicorn
    from datasette.app import Datasette
    from datasette.plugins import pm

    from pipeline.tools.explore_site import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="pipeline-explore")
    ds = Datasette([str(db_path)], immutables=[], metadata=metadata(), template_dir=str(SITE_DIR / "templates"),
                   settings={"sql_time_limit_ms": 5000, "facet_time_limit_ms": 1000, "default_page_size": 50,
                             "allow_download": False, "truncate_cells_html": 300})
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline explore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("processed"), help="directory holding the tables (default: processed)")
    parser.add_argument("--db", type=Path, default=None, help="the SQLite copy to build and serve (default: OUT/explore.db)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on (default: 8001)")
    parser.add_argument("--build-only", action="store_true", help="build the SQLite copy and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    db_path = args.db or args.out / f"{DB_NAME}.db"
    try:
        if needs_rebuild(args.out, db_path):
            print(f"explore: building {db_path} ...", flush=True)
            build_database(args.out, db_path)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.build_only:
        print(f"explore: {db_path}")
        return 0
    print(f"explore: http://{args.host}:{args.port}/  (Ctrl-C stops)", flush=True)
    serve(db_path, args.host, args.port)
    return 0


def _plain(value):
    """Timestamps as ISO strings, lists as JSON: what SQLite and Datasette show as they are."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    return value

"""Datasette hook: the sections of an entity's page and the highlighted text of a document's page.

Only data goes to the templates; Jinja escapes every value. The one piece of markup, a document's
highlighted text, was made by displaCy when the database was built, from escaped article text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from markupsafe import Markup

DB = "explore"
LIMIT = 200


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[dict]] = field(default_factory=list)
    more: str | None = None  # the full table, filtered: sort, facet, export there


def _link(table: str, pk: str) -> str:
    return f"/{DB}/{table}/{tilde_encode(str(pk))}"


def _cells(row, links: dict[int, str]) -> list[dict]:
    return [{"text": "" if v is None else v, "href": _link(links[i], v) if i in links and v is not None else None}
            for i, v in enumerate(row)]


async def _section(db, title: str, sql: str, params: dict, links: dict[int, str] | None = None,
                   more: str | None = None) -> Section:
    result = await db.execute(sql + f" limit {LIMIT}", params)
    return Section(title, list(result.columns), [_cells(r, links or {}) for r in result.rows], more)


async def entity_sections(db, entity_id: str) -> list[Section]:
    p = {"id": entity_id}
    in_sentences = "(select distinct doc_id, sentence_index from mentions where entity_id = :id)"
    has_places = "places" in await db.table_names()
    place_sql = ("select c.other_entity_id as entity_id, e.name, e.label, c.n_sentences, "
                 + ("p.country_code, p.latitude, p.longitude " if has_places else "null as country_code ")
                 + "from cooccurrence c join entities e on e.entity_id = c.other_entity_id "
                 + ("left join places p on p.entity_id = e.entity_id " if has_places else "")
                 + "where c.entity_id = :id and e.label in ('GPE', 'LOC', 'FAC') order by c.n_sentences desc")
    enc = tilde_encode(entity_id)
    return [
        await _section(db, "Aliases", "select alias from aliases where entity_id = :id order by alias", p,
                       more=f"/{DB}/aliases?entity_id={enc}"),
        await _section(db, "Documents", "select ed.doc_id, d.title, ed.mentions from entity_documents ed "
                       "join documents d using (doc_id) where ed.entity_id = :id order by ed.mentions desc, ed.doc_id",
                       p, {0: "documents"}, more=f"/{DB}/entity_documents?entity_id={enc}"),
        await _section(db, "Named in the same sentences", "select c.other_entity_id as entity_id, e.name, e.label, "
                       "c.n_sentences, c.n_docs from cooccurrence c join entities e on e.entity_id = c.other_entity_id "
                       "where c.entity_id = :id order by c.n_sentences desc, e.name", p, {0: "entities"},
                       more=f"/{DB}/cooccurrence?entity_id={enc}&_sort_desc=n_sentences"),
        await _section(db, "Money in its sentences", "select y.doc_id, y.text, y.amount, y.currency, s.text as sentence "
                       f"from money y join {in_sentences} using (doc_id, sentence_index) "
                       "join sentences s using (doc_id, sentence_index) order by y.doc_id, y.start_char", p, {0: "documents"}),
        await _section(db, "Dates in its sentences", "select y.doc_id, y.text, y.value, y.type, s.text as sentence "
                       f"from dates y join {in_sentences} using (doc_id, sentence_index) "
                       "join sentences s using (doc_id, sentence_index) order by y.value, y.doc_id", p, {0: "documents"}),
        await _section(db, "Places in its sentences", place_sql, p, {0: "entities"}),
        await _section(db, "Conflicting figures", "select conflict_id, fact, value, currency, doc_id, text, reason "
                       "from conflicts where entity_id = :id order by conflict_id, value", p, {4: "documents"},
                       more=f"/{DB}/conflicts?entity_id={enc}"),
    ]


async def document_sections(db, doc_id: str) -> list[Section]:
    p = {"id": doc_id}
    enc = tilde_encode(doc_id)
    return [
        await _section(db, "Mentions", "select m.entity_id, e.name, m.text, m.label, m.sentence_index from mentions m "
                       "join entities e using (entity_id) where m.doc_id = :id order by m.start_char", p, {0: "entities"},
                       more=f"/{DB}/mentions?doc_id={enc}"),
        await _section(db, "Dates", "select text, type, value, anchor, sentence_index from dates where doc_id = :id "
                       "order by start_char", p, more=f"/{DB}/dates?doc_id={enc}"),
        await _section(db, "Money", "select text, amount, currency, amount_min, amount_max, sentence_index from money "
                       "where doc_id = :id order by start_char", p, more=f"/{DB}/money?doc_id={enc}"),
    ]


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    if view_name != "row" or database != DB or table not in ("entities", "documents"):
        return {}

    async def inner():
        pk = urlsafe_components(request.url_vars["pks"])[0]
        db = datasette.get_database(database)
        if table == "entities":
            return {"entity_sections": await entity_sections(db, pk)}
        html = await db.execute("select html from document_html where doc_id = :id", {"id": pk})
        return {"document_html": Markup(html.rows[0][0]) if html.rows else "",
                "document_sections": await document_sections(db, pk)}

    return inner

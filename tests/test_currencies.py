"""The shipped currency table is exactly what CLDR (the installed Babel) gives on its build date."""

from __future__ import annotations

import json
from datetime import date

from pipeline.money import currencies


def test_shipped_table_matches_a_fresh_build():
    shipped = json.loads(currencies.TABLE_PATH.read_text(encoding="utf-8"))
    built_on = date.fromisoformat(shipped["built"]["date"])
    fresh = currencies.to_json(currencies.build_table(built_on), built_on)
    assert fresh == shipped, "models/currencies.json is stale: run `python -m pipeline.money.currencies`"


def test_loaded_table_reads_like_the_build():
    t = currencies.table()
    assert t.symbols["$"].default == "USD" and t.symbols["$"].ambiguous
    assert t.symbols["€"].codes == frozenset({"EUR"})
    assert t.names["cents"].factor == 0.01
    assert t.territory_currency["canada"] == "CAD"
    assert "CAD" in t.demonym_currency["canadian"]

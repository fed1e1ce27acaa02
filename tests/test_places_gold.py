"""Geocoding scored on both hand-checked place lists (tests/gold/*_places.README.md): the real flow
on the documents the lists come from, each list's figures asserted.

The ECB+ list is where the geocoder's rules were tuned; the GUM list (other genres: biographies,
interviews, travel guides) was built afterwards to check that they hold on text they were not
developed on. Runs spaCy and the flow on 360 documents: about a minute of CPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.tools.metrics import load_jsonl, score_places

pytestmark = pytest.mark.slow

GOLD = Path(__file__).parent / "gold"
# The corpora beside the clone (../shared, as make eval reads them); absent there, the test skips.
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
LISTS = {"ecbplus": (GOLD / "ecbplus_places.jsonl", CORPORA / "ecbplus" / "docs.jsonl"),
         "gum": (GOLD / "gum_places.jsonl", CORPORA / "gum" / "docs.jsonl")}
# What the geocoder reaches on each list's documents (run on those documents only: ECB+ 0.957 at coverage
# 0.894, GUM 0.977 at 0.914 on branch places2); the targets of
# issue 13 are precision 0.95 at coverage 0.8.
FLOOR = {"ecbplus": (0.95, 0.85), "gum": (0.95, 0.85)}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_geocoding_precision_and_coverage_on_the_hand_checked_lists(name, prefect_server, tmp_path):
    from incremental_support import run, tables

    gold_path, docs_path = LISTS[name]
    if not docs_path.exists():
        pytest.skip(f"corpus not present: {docs_path}")
    gold = load_jsonl(gold_path)
    wanted = {g["doc_id"] for g in gold}
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = [line for line in docs_path.read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["id"] in wanted]
    (raw / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run(raw, tmp_path / "out")
    t = tables(tmp_path / "out")
    s = score_places(t["mentions"].to_dict("records"), t["entities"].to_dict("records"), gold)
    precision, coverage = FLOOR[name]
    assert s["found"] >= 0.95 * s["n_gold"], s  # the spans are still the pipeline's
    assert s["precision"] >= precision and s["coverage"] >= coverage, \
        {k: v for k, v in s.items() if k != "wrong"} | {"wrong": [w["text"] for w in s["wrong"]]}

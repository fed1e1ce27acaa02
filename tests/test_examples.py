"""examples/analyst_questions.py runs on a real run and its answers match plain Python over the rows."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "analyst_questions.py"


def _module():
    spec = importlib.util.spec_from_file_location("analyst_questions", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(out, name):
    return pq.read_table(out / f"{name}.parquet").to_pylist()


def test_script_prints_five_answers(seed_run):
    _, out = seed_run
    done = subprocess.run([sys.executable, str(SCRIPT), str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for question in _module().QUESTIONS:
        assert question.__doc__.splitlines()[0] in done.stdout


def test_answers_match_the_rows(seed_run):
    _, out = seed_run
    q = _module()
    entities = _rows(out, "entities")
    top = sorted(entities, key=lambda e: (-e["n_docs"], -e["n_mentions"], e["name"]))[:10]
    assert list(q.most_covered(out).name) == [e["name"] for e in top]

    conflicts = _rows(out, "conflicts")
    assert len(q.disagreements(out)) == len({(c["conflict_id"], c["value"]) for c in conflicts})

    names = {e["entity_id"]: e["name"] for e in entities}
    in_sentence = defaultdict(set)
    for m in _rows(out, "mentions"):
        in_sentence[(m["doc_id"], m["sentence_index"])].add(m["entity_id"])
    days = defaultdict(set)
    for d in _rows(out, "dates"):
        if d["start"] is not None and d["end"] - d["start"] <= timedelta(days=1):
            for e in in_sentence[(d["doc_id"], d["sentence_index"])]:
                days[(d["start"].date(), names[e])].add(d["doc_id"])
    got = q.days(out)
    got_days = {(getattr(r.day, "date", lambda: r.day)(), r.name): r.documents for r in got.itertuples()}
    assert got_days == {k: len(v) for k, v in days.items()} != {}

    pairs = defaultdict(int)
    for ids in in_sentence.values():
        for a in ids:
            for b in ids:
                if a < b:
                    pairs[(names[a], names[b])] += 1
    top_pair = q.named_together(out).iloc[0]
    assert top_pair.sentences == max(pairs.values())

    alone = [y for y in _rows(out, "money") if not in_sentence[(y["doc_id"], y["sentence_index"])]]
    assert sorted(q.unnamed_money(out).text) == sorted(y["text"] for y in alone)

"""Draw the GUM place-mention sample for hand geocoding (tests/gold/gum_places.README.md).

Pool: every mention a pipeline run on GUM labelled GPE, LOC or FAC (argv[1]: the run's output
folder, default /tmp/places_runs/gum0). A seeded shuffle, then at most 2 mentions per surface name
(case-folded, a leading "the" dropped) and 3 per document; the first 190 are kept, sorted by
document and offset. Nothing here decides an item: that is decisions.py, by hand.
"""
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

SEED, SIZE, MAX_PER_NAME, MAX_PER_DOC = 13, 190, 2, 3
OUT = Path(__file__).with_name("sample.jsonl")


def norm(s: str) -> str:
    return re.sub(r"[\s.'`’]", "", re.sub(r"^the\s+", "", s.casefold().strip()))


def main(run: Path) -> None:
    m = pd.read_parquet(run / "mentions.parquet")
    pool = m[m.label.isin(["GPE", "LOC", "FAC"])].sort_values(["doc_id", "start_char"]).to_dict("records")
    random.Random(SEED).shuffle(pool)
    names, docs, out = Counter(), Counter(), []
    for r in pool:
        if names[norm(r["text"])] >= MAX_PER_NAME or docs[r["doc_id"]] >= MAX_PER_DOC:
            continue
        names[norm(r["text"])] += 1
        docs[r["doc_id"]] += 1
        out.append({k: r[k] for k in ("doc_id", "start_char", "end_char", "text", "label", "model_label", "origin")})
        if len(out) == SIZE:
            break
    out.sort(key=lambda r: (r["doc_id"], r["start_char"]))
    OUT.write_text("".join(json.dumps({**r, "start_char": int(r["start_char"]), "end_char": int(r["end_char"])}) + "\n"
                           for r in out))
    print(len(out), "items,", len({r["doc_id"] for r in out}), "documents,", len(pool), "in the pool")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/places_runs/gum0"))

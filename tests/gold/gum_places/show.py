"""Reading aid for deciding sample items: the span in context, GUM's own annotation at that span
(its entity type and Wikipedia identity), and the gazetteer entries of that name.

usage: show.py [FIRST [LAST]] [--wide]
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
GUM = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "gum"  # ../shared beside the clone
sys.path.insert(0, str(HERE.parents[2]))
from pipeline.align.gazetteer import gazetteer  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    wide = 400 if "--wide" in sys.argv else 160
    items = [json.loads(x) for x in (HERE / "sample.jsonl").read_text().splitlines()]
    texts = {d["id"]: d["text"] for d in map(json.loads, (GUM / "docs.jsonl").read_text().splitlines())}
    gold = json.loads((GUM / "gold.json").read_text())["mentions"]
    first = int(args[0]) if args else 0
    last = int(args[1]) if len(args) > 1 else len(items) - 1
    g = gazetteer()
    for i in range(first, last + 1):
        r = items[i]
        t = texts[r["doc_id"]]
        s, e = r["start_char"], r["end_char"]
        ctx = (t[max(0, s - wide):s] + "[[" + t[s:e] + "]]" + t[e:e + wide]).replace("\n", " / ")
        ann = [f"{m['text']!r}:{m['gum_type']}:{m.get('identity') or '-'}" for m in gold
               if m["doc_id"] == r["doc_id"] and m["start_char"] < e and s < m["end_char"]]
        cands = [f"{p.place.geonames_id}|{p.place.name}|{p.place.kind}|{p.place.country_code}|{p.place.admin1}|"
                 f"{p.place.population}{'' if p.primary else '|alt'}" for p in g.lookup(r["text"], as_code=True)][:8]
        print(f"#{i} {r['doc_id']} {r['text']!r} {r['label']}/{r['model_label']}\n   {ctx}\n   GUM: {ann}\n   GAZ: {cands}")


if __name__ == "__main__":
    main()

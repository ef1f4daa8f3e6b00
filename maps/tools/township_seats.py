#!/usr/bin/env python3
"""Write maps/xishuangbanna/township_seats.geojson from the reference data: one Point per township
of townships.csv (42 rows, NBS 2023 codes).

* The 28 rows of township_seats.csv keep their coordinates, CRS note, stated precision and source
  (approximate = false).
* The 14 townships without coordinates are placed AT THEIR COUNTY SEAT (places.geojson, same
  county_adcode), approximate = true, precision_m = null: never a guessed position.

Run from the repository root:  python3 maps/tools/township_seats.py [SOURCE_DIR]
packaging/build-xsbn-pack.py runs this and records the sha256 in the manifest.
"""
import csv
import json
import os
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/xishuangbanna"
OUT = "maps/xishuangbanna/township_seats.geojson"

with open(os.path.join(SRC, "townships.csv"), encoding="utf-8") as f:
    townships = list(csv.DictReader(f))
with open(os.path.join(SRC, "township_seats.csv"), encoding="utf-8") as f:
    seats = {r["code"]: r for r in csv.DictReader(f)}
with open(os.path.join(SRC, "places.geojson"), encoding="utf-8") as f:
    county_seat = {
        str(p["properties"]["adcode"]): p
        for p in json.load(f)["features"]
        if p["properties"].get("kind") == "county_seat"
    }

features = []
for t in townships:
    code, county = t["nbs_code"], t["county_adcode"]
    s = seats.get(code)
    props = {
        "name_zh": t["name_zh"],
        "kind": "township",  # not "*_seat": dispatch counts only county/prefecture seats as urban
        "adcode": code,
        "county_adcode": county,
        "township_kind": t["kind"],
    }
    if s is not None:
        lonlat = [float(s["lon"]), float(s["lat"])]
        props.update({
            "name_en": s["name_en"],
            "approximate": False,
            "precision_m": int(s["precision_m"]),
            "crs_note": s["crs"],
            "coord_source": s["source"],
            "coord_source_detail": s["source_detail"],
            "label_zh": t["name_zh"],
            "label_en": s["name_en"],
        })
    else:
        seat = county_seat[county]
        lonlat = seat["geometry"]["coordinates"]
        props.update({
            "name_en": t["name_pinyin_machine"],
            "approximate": True,
            "precision_m": None,
            "coord_source": "no coordinates found for this township: the county seat is used "
                            f"({seat['properties']['name_zh']}, places.geojson) - approximate, not its position",
            "label_zh": t["name_zh"] + "（近似）",
            "label_en": t["name_pinyin_machine"] + " (approx.)",
        })
    features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": lonlat},
                     "properties": props})

doc = {
    "type": "FeatureCollection",
    "name": "xishuangbanna_township_seats",
    "crs_note": "WGS-84 lon/lat (EPSG:4326)",
    "onemap_note": "Built by maps/tools/township_seats.py from townships.csv, township_seats.csv and "
                   "places.geojson: 28 seats with their stated precision; 14 at their county seat, "
                   "approximate = true",
    "features": features,
}
with open(OUT, "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(OUT, len(features), "features,", sum(1 for x in features if x["properties"]["approximate"]), "approximate")

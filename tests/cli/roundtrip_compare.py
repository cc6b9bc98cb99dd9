#!/usr/bin/env python3
"""Compares a synth folder (the import source) with gridkit's exports of the same layers:
every row present once, every attribute equal, every coordinate within 1e-7 degrees.
Usage: roundtrip_compare.py SOURCE_DIR EXPORT_DIR LAYER..."""
import csv, json, sys, os

TOL = 1e-7

def flat(coords):
    if isinstance(coords, (int, float)):
        return None
    if coords and isinstance(coords[0], (int, float)):
        return [tuple(coords[:2])]
    out = []
    for c in coords:
        out.extend(flat(c))
    return out

def key_of(props):
    for k in ("code", "id_number", "uscc"):
        if props.get(k):
            return props[k]
    return None

def load_geojson(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    rows = {}
    for i, feat in enumerate(doc["features"]):
        props = {k: ("" if v is None else str(v)) for k, v in feat["properties"].items()}
        k = key_of(props) or props.get("name", "") + "#" + str(i)
        rows[k] = (props, flat(feat["geometry"]["coordinates"]) if feat.get("geometry") else [])
    return rows

def load_csv(path, encoding):
    with open(path, encoding=encoding, newline="") as f:
        rows = {}
        for r in csv.DictReader(f):
            r = {k.lstrip("\ufeff"): v for k, v in r.items()}
            pts = []
            x = r.pop("lng", r.pop("X", None)); y = r.pop("lat", r.pop("Y", None))
            if x not in (None, ""):
                pts = [(float(x), float(y))]
            rows[key_of(r)] = (r, pts)
        return rows

def norm(v):
    v = "" if v is None else str(v)
    try:
        f = float(v)
        return repr(round(f, 6))
    except ValueError:
        return v

failures = 0
src_dir, exp_dir, layers = sys.argv[1], sys.argv[2], sys.argv[3:]
for layer in layers:
    if os.path.exists(os.path.join(src_dir, layer + ".geojson")):
        src = load_geojson(os.path.join(src_dir, layer + ".geojson"))
        exp = load_geojson(os.path.join(exp_dir, layer + ".geojson"))
    else:
        src = load_csv(os.path.join(src_dir, layer + ".csv"), "gb18030")
        exp = load_csv(os.path.join(exp_dir, layer + ".csv"), "utf-8-sig")
    if len(src) != len(exp):
        print(f"FAIL: {layer}: {len(src)} source rows, {len(exp)} exported"); failures += 1
    worst = 0.0
    for k, (props, pts) in src.items():
        if k not in exp:
            print(f"FAIL: {layer}: row {k} lost"); failures += 1; continue
        eprops, epts = exp[k]
        for name, value in props.items():
            if name in eprops and norm(value) != norm(eprops[name]):
                print(f"FAIL: {layer} {k}: {name} {value!r} became {eprops[name]!r}"); failures += 1
        if len(pts) != len(epts):
            print(f"FAIL: {layer} {k}: {len(pts)} vertices became {len(epts)}"); failures += 1; continue
        for (x1, y1), (x2, y2) in zip(pts, epts):
            worst = max(worst, abs(x1 - x2), abs(y1 - y2))
    ok = worst <= TOL
    print(f"{layer}: {len(src)} rows, worst coordinate difference {worst:.2e} degrees" + ("" if ok else " FAIL"))
    failures += 0 if ok else 1
print(f"{0 if failures else len(layers)} passed, {failures} failed")
sys.exit(1 if failures else 0)

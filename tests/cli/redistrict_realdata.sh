#!/usr/bin/env bash
# gridkit redistrict on real building footprints (../shared/data/buildings_maptalks_nanshan, Shenzhen
# Nanshan, GCJ-02): a grid drawn around a few hundred of them, the roads as barriers.
#
# The data has footprints and heights but no households, so they are derived (documented in
# docs/cli/gridkit-redistrict.md): floors = max(1, round(height / 3 m)); households =
# floor(footprint area x floors x 0.75 / 90 m²) - three quarters of the floor area is dwellings of
# 90 m². Towers then hold hundreds of households: they must come out as micro-grids of their own,
# reported as atom_over_max.
source "$(dirname "$0")/lib.sh"
need_shared
need_command assign
SRC="$SHARED/buildings_maptalks_nanshan"
[ -f "$SRC/nanshan-building.geojson" ] || { echo "SKIP: $SRC absent"; exit 77; }

python3 - "$SRC" "$T" <<'PY'
import json, math, sys
src, out = sys.argv[1], sys.argv[2]
data = json.load(open(src + "/nanshan-building.geojson", encoding="utf-8"))
polys = []
for f in data["features"]:
    height = float(f["properties"].get("height") or 3)
    g = f["geometry"]
    parts = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
    for p in parts:
        ring = p[0]
        lon0, lat0 = ring[0]
        kx = 111320.0 * math.cos(math.radians(lat0)); ky = 110540.0
        a = 0.0
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            a += (x1 - lon0) * kx * (y2 - lat0) * ky - (x2 - lon0) * kx * (y1 - lat0) * ky
        area = abs(a) / 2
        cx = sum(x for x, _ in ring[:-1]) / (len(ring) - 1); cy = sum(y for _, y in ring[:-1]) / (len(ring) - 1)
        floors = max(1, round(height / 3))
        polys.append((cx, cy, p, area, floors, height))
# The densest spot next to a road (so that the roads are barriers inside the grid): among the
# buildings within 40 m of a road vertex, the one with most neighbours within 300 m; then the
# square around it holding about 300 buildings.
polys.sort(key=lambda t: (t[0], t[1]))
kx = 111320.0 * math.cos(math.radians(22.5)); ky = 110540.0
road = []
for r in (1, 2, 3):
    for f in json.load(open(src + "/nanshan-road%d.geojson" % r, encoding="utf-8"))["features"]:
        g = f["geometry"]
        for line in (g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]):
            road += line
near = [i for i in range(0, len(polys), 3)
        if any(abs(x - polys[i][0]) * kx < 40 and abs(y - polys[i][1]) * ky < 40 for x, y in road)]
best = max(near, key=lambda i: sum(1 for q in polys if abs(q[0] - polys[i][0]) * kx < 300 and abs(q[1] - polys[i][1]) * ky < 300))
cx, cy = polys[best][0], polys[best][1]
r = 50.0
while True:
    sel = [t for t in polys if abs(t[0] - cx) * kx < r and abs(t[1] - cy) * ky < r]
    if len(sel) >= 300 or r > 3000:
        break
    r *= 1.1
feats = []
for i, (x, y, p, area, floors, height) in enumerate(sel):
    hh = int(area * floors * 0.75 / 90)
    feats.append({"type": "Feature", "properties": {"name": "N%d" % i, "floors": floors, "households": hh}, "geometry": {"type": "Polygon", "coordinates": p}})
json.dump({"type": "FeatureCollection", "features": feats}, open(out + "/buildings.geojson", "w"))
m = r + 20.0
box = [[cx - m / kx, cy - m / ky], [cx + m / kx, cy - m / ky], [cx + m / kx, cy + m / ky], [cx - m / kx, cy + m / ky], [cx - m / kx, cy - m / ky]]
json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "440305001001001", "name": "realdata grid"}, "geometry": {"type": "Polygon", "coordinates": [box]}}]}, open(out + "/grid.geojson", "w"))
print(len(sel), "buildings,", sum(int(t[3] * t[4] * 0.75 / 90) for t in sel), "households")
PY

WS="$T/ws.sqlite"
gk 0 init "$WS"
gk 0 import "$WS" "$T/grid.geojson" --layer grid --src-crs gcj02
gk 0 import "$WS" "$T/buildings.geojson" --layer building --src-crs gcj02 --new-codes 440305001001
for r in 1 2 3; do
  gk 0 import "$WS" "$SRC/nanshan-road$r.geojson" --layer road --src-crs gcj02 --field kind=highway
done
gk 0 assign "$WS"

gk 1 redistrict "$WS" --grid 440305001001001 --barriers road --json -o "$T/plan.gpkg"
expect_eq "buildings in the grid" "$([ "$(jqv '.grids[0].buildings')" -ge 250 ] && echo yes)" yes
expect_eq "every building in one micro-grid" "$(jqv '.grids[0].buildings - ([.grids[0].zones[].buildings] | add)')" 0
expect_eq "tiling exact" "$(jqv '.grids[0].tiling.ok')" true
expect_eq "zones single polygons" "$(jqv '.grids[0].tiling.zones_in_pieces')" 0
expect_eq "footprints inside their zones" "$(jqv '.grids[0].tiling.footprints_outside')" 0
expect_eq "contiguity" "$(jqv '.grids[0].contiguity_pct')" 100
# Every zone outside the bounds is a listed violation; the towers are atom_over_max.
expect_eq "violations explain the zones outside the bounds" \
  "$(jqv '[.grids[0].violations[] | select(.hard)] | length')" "$(jqv '.summary.zones_outside_bounds')"
expect_eq "towers reported" "$(jqv '[.grids[0].violations[] | select(.kind == "atom_over_max")] | length > 0')" true
expect_eq "most zones within bounds" \
  "$(jqv '([.grids[0].zones[] | select(.households >= 50 and .households <= 100)] | length) * 2 > (.grids[0].zones | length)')" true
expect_eq "roads cross the grid" "$(sqlite3 "$WS" "SELECT load_extension('mod_spatialite'); SELECT count(*) > 0 FROM road r, grid g WHERE Intersects(r.geom, g.geom);" 2>/dev/null | tail -1)" 1
jq -r '.grids[0] | "realdata: \(.buildings) buildings, \(.households) households -> \(.zone_count) micro-grids, PP mean \(.polsby_popper_mean), \(.violations | length) violations, \(.barrier_crossings) barrier crossings, \(.seconds) s"' "$OUT"
run 0 ogrinfo -so -q "$T/plan.gpkg"
expect_out "microgrid_plan"

finish

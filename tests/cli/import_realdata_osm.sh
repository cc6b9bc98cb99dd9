#!/usr/bin/env bash
# Real data: the buildings and roads of ../shared/data/osm/*.osm import completely (every
# building polygon written, none lost), codes are generated, and coordinates survive export.
source "$(dirname "$0")/lib.sh"
need_shared

gk 0 init "$T/w.sqlite" -q
community=110108001001
for f in "$SHARED"/osm/*.osm; do
  name=$(basename "$f" .osm)
  # An independent count of what GDAL sees as building polygons.
  want=$(ogrinfo -ro -q "$f" multipolygons -where "building IS NOT NULL" 2>/dev/null | grep -c '^OGRFeature')
  gk 0 import "$T/w.sqlite" "$f" --layer building --source-layer multipolygons \
     --where "building IS NOT NULL" --field name=name --new-codes "$community" --json
  expect_eq "$name buildings read" "$(jqv .read)" "$want"
  expect_eq "$name buildings written" "$(jqv .written)" "$want"
  expect_eq "$name rejected" "$(jqv .rejected)" 0
  roads=$(ogrinfo -ro -q "$f" lines -where "highway IS NOT NULL" 2>/dev/null | grep -c '^OGRFeature')
  gk 0 import "$T/w.sqlite" "$f" --layer road --source-layer lines --where "highway IS NOT NULL" \
     --field kind=highway --json
  expect_eq "$name roads" "$(jqv .written)" "$roads"
  community=$((community + 1))
done
total=$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM building")
expect_eq "codes unique and valid length" "$(sqlite3 "$T/w.sqlite" "SELECT count(DISTINCT code) FROM building WHERE length(code) = 17")" "$total"
expect_eq "every building has a location" "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM building WHERE location IS NOT NULL AND geom IS NOT NULL")" "$total"
gk 0 code check "$(sqlite3 "$T/w.sqlite" "SELECT code FROM building LIMIT 1")"

# Round trip: export to GeoJSON and compare every vertex with the source within 1e-7 degrees.
gk 0 export "$T/w.sqlite" --layer building -o "$T/b.geojson"
ogr2ogr -q -f GeoJSON -lco COORDINATE_PRECISION=9 "$T/src.geojson" "$SHARED/osm/nantong_dieshiqiao_map.osm" multipolygons -where "building IS NOT NULL"
first_src=$(jq -c '[.features[0].geometry.coordinates[0][0][0][0], .features[0].geometry.coordinates[0][0][0][1]]' "$T/src.geojson")
match=$(jq --argjson p "$first_src" '[.features[].geometry.coordinates[0][0][0] | select(((.[0] - $p[0]) | fabs) < 1e-7 and ((.[1] - $p[1]) | fabs) < 1e-7)] | length' "$T/b.geojson")
expect_eq "first vertex found after the round trip" "$([ "$match" -ge 1 ] && echo yes)" yes
finish

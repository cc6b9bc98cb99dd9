#!/usr/bin/env bash
# gridkit validate on real outlines: the DataV district outlines of Taizhou (321200) and Nantong
# (320600), GCJ-02, imported as divisions and validated as a coverage.
#
# DataV gives no city outline, so each city's outline is made from its districts: their union
# with every hole filled. Within a city the check then finds what matters for a coverage: two
# districts overlapping, or a hole among them (it would be a gap in the filled outline). The two
# cities' files were cut separately: between them, under the province 32 (no outline here),
# validate reports their overlaps and the holes enclosed along their common border. The counts
# and areas are checked against SpatiaLite's own computation on the same geometries, and the
# report is the same with 1 and 2 threads.
source "$(dirname "$0")/lib.sh"
need_shared
need_command validate
SRC="$SHARED/admin_boundaries/datav_GeoMapData_CN"
for f in citys_321200_taizhou.json citys_320600_nantong.json; do
  [ -f "$SRC/$f" ] || { echo "SKIP: $SRC/$f absent"; exit 77; }
done

WS="$T/ws.sqlite"
gk 0 init "$WS"
sql() { spatialite -silent "$WS" "$1" 2>/dev/null; }

# Districts: code = adcode, the name; level (3) and parent (the city, 3212 / 3206) come from the code.
for f in citys_321200_taizhou.json citys_320600_nantong.json; do
  jq '.features |= map(.properties |= {code: (.adcode | tostring), name})' "$SRC/$f" >"$T/$f"
  n=$(jq '.features | length' "$T/$f")
  gk 0 import "$WS" "$T/$f" --layer division --src-crs gcj02 --json
  expect_eq "$f: every district written" "$(jqv .written)" "$n"
done
expect_eq "districts" "$(sqlite3 "$WS" "SELECT group_concat(parent_code || ':' || n) FROM (SELECT parent_code, count(*) n FROM division WHERE level = 3 GROUP BY parent_code ORDER BY parent_code)")" \
  "3206:8,3212:6"

# The city outlines: the union of their districts, holes filled (exterior rings only).
for city in "3212 泰州市" "3206 南通市"; do
  set -- $city
  sql "WITH RECURSIVE u(g) AS (SELECT ST_Union(geom) FROM division WHERE parent_code = '$1'),
       part(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM part WHERE i < (SELECT ST_NumGeometries(g) FROM u))
       INSERT INTO division (code, name, level, parent_code, geom)
       SELECT '$1', '$2', 2, '32', CastToMultiPolygon(ST_Union(MakePolygon(ExteriorRing(GeometryN((SELECT g FROM u), i)))))
       FROM part" >/dev/null
done
expect_eq "city outlines" "$(sqlite3 "$WS" "SELECT count(*) FROM division WHERE level = 2 AND geom IS NOT NULL")" 2

gk 1 validate "$WS" --threads 1 --json
cp "$OUT" "$T/report1.json"
jq -r '.overview.by_code[] | "  \(.code) \(.name): \(.count)"' "$T/report1.json"
jq -r '.errors[] | select(.code == 201) | "  \(.message)"' "$T/report1.json"
jq -r '[.errors[] | select(.code == 202) | .area_m2] | "  202: \(length) gaps, \(add | round) m² in all, largest \(max | round) m², smallest \(min * 10 | round / 10) m²"' "$T/report1.json"

expect_eq "districts and cities checked" "$(jqv .overview.features.division)" 16
expect_eq "the only findings: overlaps and gaps" "$(jqv '[.overview.by_code[].code] | map(select(. != 201 and . != 202)) | length')" 0
# Within each city: no overlap and no gap (the districts tile the city).
expect_eq "nothing inside a city" "$(jqv '[.errors[] | select(.id != "3206" and .id != "3212" and .id != "32")] | length')" 0

# The reference: the same quantities computed by SpatiaLite on the same geometries, in the same
# metric CRS (the report's metric_crs), parts wider than the tolerance (2 area / perimeter) only.
# (Not in degrees: a straight 4 km edge in degrees bows by decimetres in metres, which changes
# the area of the thinnest slivers several times over.)
METRIC=$(jqv '.parameters.metric_crs | sub("EPSG:"; "")')
TOL=$(jqv .parameters.tolerance_m)
cp "$WS" "$T/ref.sqlite"
ref() { spatialite -silent "$T/ref.sqlite" "SELECT InsertEpsgSrid($METRIC); $1" 2>/dev/null | tail -1; }
# parts_sql GEOMETRY_SQL: "count area" of the polygons of a geometry wider than the tolerance.
parts_sql() {
  echo "WITH RECURSIVE u(g) AS ($1), p(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM p WHERE k < (SELECT ST_NumGeometries(g) FROM u)),
        a(x, w) AS (SELECT ST_Area(GeometryN((SELECT g FROM u), k)), 2 * ST_Area(GeometryN((SELECT g FROM u), k)) / ST_Perimeter(GeometryN((SELECT g FROM u), k)) FROM p)
        SELECT count(*) || ' ' || sum(x) FROM a WHERE w > $TOL"
}
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; print (b > 0 && d < 0.001 * b) ? "ok" : a " vs " b }'; }

# 201: Nantong and Taizhou overlap along their border.
expect_eq "one overlapping pair" "$(jqv '[.errors[] | select(.code == 201)] | map([.id, .related_id] | sort | join(" ")) | join(",")')" "3206 3212"
overlap=$(jqv '.errors[] | select(.code == 201) | .area_m2')
places=$(jqv '.errors[] | select(.code == 201) | .message | capture("in (?<n>[0-9]+) places").n')
read -r n area <<<"$(ref "$(parts_sql "SELECT ST_Intersection(ST_Transform(a.geom, $METRIC), ST_Transform(b.geom, $METRIC)) FROM division a, division b WHERE a.code = '3206' AND b.code = '3212'")")"
echo "  SpatiaLite: overlap in $n places, $area m²"
expect_eq "overlap places" "$places" "$n"
expect_eq "overlap area" "$(close "$overlap" "$area")" ok
read -r X Y <<<"$(jqv '.errors[] | select(.code == 201) | .location.coordinates | map(tostring) | join(" ")')"
expect_eq "overlap located in both cities" "$(sql "SELECT sum(ST_Distance(MakePoint($X, $Y, 4490), geom) < 1e-7) FROM division WHERE code IN ('3206', '3212')")" 2

# 202: gaps enclosed between the two cities (the province has no outline): the holes of their union.
ngaps=$(jqv '[.errors[] | select(.code == 202)] | length')
gap_area=$(jqv '[.errors[] | select(.code == 202) | .area_m2] | add')
holes="WITH RECURSIVE u(g) AS (SELECT ST_Union(ST_Transform(geom, $METRIC)) FROM division WHERE code IN ('3206', '3212')),
    p(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM p WHERE k < (SELECT ST_NumGeometries(g) FROM u)),
    r(k, i) AS (SELECT k, 1 FROM p WHERE NumInteriorRings(GeometryN((SELECT g FROM u), k)) > 0
                UNION ALL SELECT k, i + 1 FROM r WHERE i < NumInteriorRings(GeometryN((SELECT g FROM u), k)))
    SELECT CastToMultiPolygon(ST_Collect(MakePolygon(InteriorRingN(GeometryN((SELECT g FROM u), k), i)))) FROM r"
read -r nholes hole_area <<<"$(ref "$(parts_sql "$holes")")"
echo "  SpatiaLite: $nholes holes wider than $TOL m in the union of the two cities, $hole_area m²"
expect_eq "gaps are reported under the province" "$(jqv '[.errors[] | select(.code == 202) | .layer + " " + .id] | unique | join(",")')" "division 32"
expect_eq "gap count" "$ngaps" "$nholes"
expect_eq "gap area" "$(close "$gap_area" "$hole_area")" ok
expect_eq "gaps found" "$([ "$ngaps" -gt 0 ] && echo yes)" yes
# Every gap lies on the border: within 1 km (0.01 degree) of both cities.
jqv '.errors[] | select(.code == 202) | .location.coordinates | map(tostring) | join(" ")' >"$T/gaps.txt"
on_border=0
while read -r X Y; do
  on_border=$((on_border + $(sql "SELECT sum(ST_Distance(MakePoint($X, $Y, 4490), geom) < 0.01) = 2 FROM division WHERE code IN ('3206', '3212')")))
done <"$T/gaps.txt"
expect_eq "gaps on the Taizhou-Nantong border" "$on_border" "$ngaps"

# Stable: the same findings with 2 threads, and the same again.
gk 1 validate "$WS" --threads 2 --json
expect_eq "same findings with 2 threads" "$(jq -c .errors "$OUT" | md5sum)" "$(jq -c .errors "$T/report1.json" | md5sum)"
gk 1 validate "$WS" --threads 2 --json
expect_eq "same findings again" "$(jq -c .errors "$OUT" | md5sum)" "$(jq -c .errors "$T/report1.json" | md5sum)"

# The error GeoPackage holds the overlap and every gap polygon.
gk 1 validate "$WS" --errors "$T/errors.gpkg" -q
run 0 ogrinfo -so "$T/errors.gpkg" error_areas
expect_out "Feature Count: $((ngaps + 1))$"

finish

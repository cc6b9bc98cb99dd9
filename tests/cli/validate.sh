#!/usr/bin/env bash
# gridkit validate on a synthetic workspace: clean data gives no finding at all (exit 0, text and
# JSON); faults planted with SQL are each reported with the right code, feature id and a location
# at the planted place (exit 1); --errors writes a GeoPackage that ogrinfo opens, holding the gap
# and overlap polygons; --only, --grid and --format select what is checked and printed; bad
# options exit 2 and a workspace or --errors file it cannot use exits 3, each with one line.
source "$(dirname "$0")/lib.sh"
need_command validate

gk 0 validate --help
expect_out "Usage: gridkit validate"

WS="$T/clean.sqlite"
gk 0 synth "$WS" --households 3000 --seed 7 -q

# sql WS SQL: SpatiaLite SQL on a workspace, the value(s) on stdout.
sql() { spatialite -silent "$1" "$2" 2>/dev/null; }
# near WS X Y GEOMETRY_SQL: 1 when the point lies on the geometry (within 1e-7 degree, about 1 cm).
near() { sql "$1" "SELECT ST_Distance(MakePoint($2, $3, 4490), ($4)) < 1e-7"; }

# --- clean: no finding, in text and JSON -----------------------------------------------------
gk 0 validate "$WS"
expect_out "^result: valid \(0 errors, 0 warnings\)"
expect_out "^households in the checked micro-grids: 3000$"
gk 0 validate "$WS" --format json
cp "$OUT" "$T/clean.json"
expect_eq "clean: type" "$(jqv .type)" gridkit_validation_report
expect_eq "clean: valid" "$(jqv .valid)" true
expect_eq "clean: no error" "$(jqv '.errors | length')" 0
expect_eq "clean: no code counted" "$(jqv '.overview.by_code | length')" 0
expect_eq "clean: households" "$(jqv .overview.households)" 3000
expect_eq "clean: micro-grids checked" "$(jqv .overview.features.microgrid)" "$(sqlite3 "$WS" "SELECT count(*) FROM microgrid")"
expect_eq "clean: all four checks" "$(jqv '.parameters.only | join(",")')" "geometry,coverage,codes,households"
gk 0 validate "$WS" --json
expect_eq "--json is --format json" "$(jqv .valid)" true

# --- faults, planted with SQL on a copy ------------------------------------------------------
F="$T/faults.sqlite"
cp "$WS" "$F"
G1=$(sqlite3 "$F" "SELECT min(code) FROM grid")
G2=$(sqlite3 "$F" "SELECT min(code) FROM grid WHERE code > '$G1'")
G3=$(sqlite3 "$F" "SELECT min(code) FROM grid WHERE code > '$G2'")
M1=$(sqlite3 "$F" "SELECT min(code) FROM microgrid WHERE grid_code = '$G1'")
# M2: a micro-grid of G1 sharing an edge with M1; M3: another one of G1, where a building is moved.
M2=$(sql "$F" "SELECT b.code FROM microgrid a, microgrid b WHERE a.code = '$M1' AND b.grid_code = '$G1' AND b.code <> a.code
               AND ST_Length(ST_Intersection(a.geom, b.geom)) > 0 ORDER BY b.code LIMIT 1")
# (Households go with a building: the one moved is M1's smallest, to M3, G1's least full, so that
# both stay within 50-100 and the move is only a wrong micro-grid.)
HH="SELECT b.code AS building, b.microgrid_code AS micro, count(*) AS n FROM building b JOIN address a ON a.building_code = b.code
    JOIN house h ON h.address_code = a.code WHERE h.use = '住宅' AND h.occupied = 1 GROUP BY b.code"
M3=$(sqlite3 "$F" "SELECT micro FROM ($HH) WHERE micro LIKE '$G1%' AND micro NOT IN ('$M1', '$M2') GROUP BY micro ORDER BY sum(n), micro LIMIT 1")
MGAP=$(sqlite3 "$F" "SELECT max(code) FROM microgrid WHERE grid_code = '$G3'")
MFULL=$(sqlite3 "$F" "SELECT max(code) FROM microgrid WHERE grid_code = '$G2'")
B=$(sqlite3 "$F" "SELECT building FROM ($HH) WHERE micro = '$M1' ORDER BY n, building LIMIT 1")
expect_eq "the planted features exist" "$(for v in "$G3" "$M2" "$M3" "$MGAP" "$MFULL" "$B"; do [ -n "$v" ] && echo -n x; done)" xxxxxx

# 1. A building moved onto another micro-grid's ground (its codes still say M1) -> 406.
sql "$F" "UPDATE building SET
    geom = ShiftCoords(geom, (SELECT X(PointOnSurface(geom)) FROM microgrid WHERE code = '$M3') - X(location),
                             (SELECT Y(PointOnSurface(geom)) FROM microgrid WHERE code = '$M3') - Y(location)),
    location = (SELECT PointOnSurface(geom) FROM microgrid WHERE code = '$M3') WHERE code = '$B'" >/dev/null
read -r BX BY <<<"$(sql "$F" "SELECT X(location) || ' ' || Y(location) FROM building WHERE code = '$B'")"
# 2. A micro-grid deleted: a gap in its grid -> 202 (and its buildings, addresses, houses -> 404).
gap_area=$(sql "$F" "SELECT ST_Area(geom, 1) FROM microgrid WHERE code = '$MGAP'")
in_gap=$(sqlite3 "$F" "SELECT (SELECT count(*) FROM building WHERE microgrid_code = '$MGAP') +
                              (SELECT count(*) FROM address WHERE microgrid_code = '$MGAP') +
                              (SELECT count(*) FROM house WHERE microgrid_code = '$MGAP')")
sqlite3 "$F" "DELETE FROM microgrid WHERE code = '$MGAP'"
# 3. M1 grown 3 m into its neighbour M2 -> 201.
sql "$F" "UPDATE microgrid SET geom = CastToMultiPolygon(ST_Union(geom, ST_Intersection(
    (SELECT geom FROM microgrid WHERE code = '$M2'), ST_Buffer(geom, 0.00003)))) WHERE code = '$M1'" >/dev/null
overlap_area=$(sql "$F" "SELECT ST_Area(ST_Intersection(a.geom, b.geom), 1) FROM microgrid a, microgrid b
                         WHERE a.code = '$M1' AND b.code = '$M2'")
# 4. A mistyped digit in a resident ID: the check character no longer fits -> 302, the ID masked.
PID=$(sqlite3 "$F" "SELECT min(id) FROM person")
sqlite3 "$F" "UPDATE person SET id_number = substr(id_number, 1, 16) ||
    CASE substr(id_number, 17, 1) WHEN '0' THEN '1' ELSE '0' END || substr(id_number, 18) WHERE id = $PID"
BADID=$(sqlite3 "$F" "SELECT id_number FROM person WHERE id = $PID")
# 5. Rooms let to more households: MFULL ends with 105 households -> 402.
hh=$(sqlite3 "$F" "SELECT count(*) FROM house WHERE microgrid_code = '$MFULL' AND use = '住宅' AND occupied = 1")
extra=$((105 - hh))
ADDR=$(sqlite3 "$F" "SELECT min(address_code) FROM house WHERE microgrid_code = '$MFULL' AND use = '住宅'")
sqlite3 "$F" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $extra)
    INSERT INTO house (code, address_code, use, occupied, status, grid_code, microgrid_code)
    SELECT '$ADDR-' || i, '$ADDR', '住宅', 1, '出租', '$G2', '$MFULL' FROM n"

gk 1 validate "$F" --json
cp "$OUT" "$T/faults.json"
expect_eq "faults: not valid" "$(jqv .valid)" false
expect_eq "faults: the codes found are the planted ones" "$(jqv '[.overview.by_code[].code] | map(tostring) | join(",")')" \
  "201,202,302,402,404,406"
expect_eq "faults: errors = findings" "$(jqv .overview.errors)" "$(jqv '.errors | length')"
# 406: the moved building, recorded in M1, found in M3 at its new place.
expect_eq "406 id" "$(jqv "[.errors[] | select(.code == 406)] | map(.layer + \" \" + .id) | join(\",\")")" "building $B"
expect_eq "406 names the micro-grid it lies in" "$(jqv '.errors[] | select(.code == 406) | .message' | grep -c "in micro-grid $M1 but lies in micro-grid $M3")" 1
read -r X Y <<<"$(jqv '.errors[] | select(.code == 406) | .location.coordinates | map(tostring) | join(" ")')"
expect_eq "406 location = the building's new place" "$(near "$F" "$X" "$Y" "MakePoint($BX, $BY, 4490)")" 1
# 202: the gap in G3, where the micro-grid was, with its area.
expect_eq "202 id" "$(jqv "[.errors[] | select(.code == 202)] | map(.layer + \" \" + .id) | join(\",\")")" "grid $G3"
read -r X Y <<<"$(jqv '.errors[] | select(.code == 202) | .location.coordinates | map(tostring) | join(" ")')"
expect_eq "202 location in the deleted micro-grid" "$(near "$WS" "$X" "$Y" "SELECT geom FROM microgrid WHERE code = '$MGAP'")" 1
expect_eq "202 area = the deleted micro-grid's (0.5%)" \
  "$(jqv ".errors[] | select(.code == 202) | (.area_m2 - $gap_area) | fabs < $gap_area * 0.005")" true
expect_eq "404: every building, address and house of the deleted micro-grid" "$(jqv '[.errors[] | select(.code == 404)] | length')" "$in_gap"
expect_eq "404 only in G3" "$(jqv "[.errors[] | select(.code == 404) | .message | contains(\"in grid $G3 \")] | all")" true
# 201: M1 overlaps M2, located in the overlap, with its area.
expect_eq "201 pair" "$(jqv '.errors[] | select(.code == 201) | .id + " " + .related_id')" "$M1 $M2"
read -r X Y <<<"$(jqv '.errors[] | select(.code == 201) | .location.coordinates | map(tostring) | join(" ")')"
expect_eq "201 location in the overlap" "$(near "$F" "$X" "$Y" "SELECT ST_Intersection(a.geom, b.geom) FROM microgrid a, microgrid b WHERE a.code = '$M1' AND b.code = '$M2'")" 1
expect_eq "201 area (1%)" "$(jqv ".errors[] | select(.code == 201) | (.area_m2 - $overlap_area) | fabs < $overlap_area * 0.01")" true
# 302: the resident by row id; the ID itself appears nowhere.
expect_eq "302 id" "$(jqv '.errors[] | select(.code == 302) | .layer + " " + .id')" "person #$PID"
expect_eq "resident ID not in the JSON report" "$(grep -c "$BADID" "$T/faults.json")" 0
# 402: MFULL with its 105 households, located in it.
expect_eq "402" "$(jqv '.errors[] | select(.code == 402) | .id + " " + (.households | tostring)')" "$MFULL 105"
read -r X Y <<<"$(jqv '.errors[] | select(.code == 402) | .location.coordinates | map(tostring) | join(" ")')"
expect_eq "402 location in the micro-grid" "$(near "$F" "$X" "$Y" "SELECT geom FROM microgrid WHERE code = '$MFULL'")" 1
expect_eq "every finding has the report's keys" \
  "$(jqv '[.errors[] | has("code") and has("name") and has("severity") and has("layer") and has("id") and has("message") and has("location")] | all')" true

# The same in text: a line per code with its count, the first examples, the verdict.
gk 1 validate "$F" --examples 1
expect_out "^  201  SIBLING_OVERLAP +1 "
expect_out "^  404  IN_NO_MICROGRID +$in_gap "
expect_out "^       micro-grid $M1 overlaps micro-grid $M2 by [0-9.]+ m² at 1[0-9.]+, 3[0-9.]+$"
expect_out "^       \.\.\. $((in_gap - 1)) more"
expect_out "^result: NOT VALID \($(jq .overview.errors "$T/faults.json") errors, 0 warnings\)"
expect_eq "resident ID not in the text report" "$(grep -c "$BADID" "$OUT")" 0

# --- JSON against its schema -----------------------------------------------------------------
SCHEMA="$GRIDKIT_SOURCE_DIR/schemas/validation_report.schema.json"
# jsonschema: Debian's python3-jsonschema (scripts/setup installs it).
for r in clean faults; do
  run 0 python3 -c "import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))" "$SCHEMA" "$T/$r.json"
done
for r in clean faults; do
  expect_eq "$r.json has the schema's required keys" \
    "$(jq --slurpfile s "$SCHEMA" '. as $d | [$s[0].required[] | . as $k | $d | has($k)] | all' "$T/$r.json")" true
  expect_eq "$r.json errors have the schema's required keys" \
    "$(jq --slurpfile s "$SCHEMA" '[.errors[] as $e | $s[0].properties.errors.items.required[] | . as $k | $e | has($k)] | all' "$T/$r.json")" true
done

# --- --errors GeoPackage ---------------------------------------------------------------------
gk 1 validate "$F" --errors "$T/errors.gpkg" --format json
located=$(jqv '[.errors[] | select(.location != null)] | length')
run 0 ogrinfo -so "$T/errors.gpkg" error_areas
expect_out "Geometry: Multi Polygon"
expect_out "Feature Count: 2$"
run 0 ogrinfo -so "$T/errors.gpkg" error_locations
expect_out "Feature Count: $located$"
run 0 ogrinfo -q "$T/errors.gpkg" -sql "SELECT code, feature_id, related_id, area_m2 FROM error_areas ORDER BY code"
expect_eq "error_areas: the overlap and the gap" "$(grep -E '^  (code|feature_id) ' "$OUT" | sed 's/.* = //' | paste -sd' ')" \
  "201 $M1 202 $G3"
# The gap polygon is the deleted micro-grid (its area, measured by SpatiaLite on the geometry).
run 0 ogrinfo -q "$T/errors.gpkg" -dialect sqlite -sql "SELECT ST_Area(geom, 1) AS a FROM error_areas WHERE code = 202"
a=$(sed -n 's/^  a (Real) = //p' "$OUT")
expect_eq "gap polygon area (0.5%)" "$(awk -v a="$a" -v b="$gap_area" 'BEGIN { d = a - b; if (d < 0) d = -d; print (d < b * 0.005) ? "ok" : a }')" ok
# Refused without --overwrite (exit 3, before validating), replaced with it.
gk 3 validate "$F" --errors "$T/errors.gpkg"
expect_err "^gridkit validate: .*errors\.gpkg: already exists"
expect_one_line_error
gk 1 validate "$F" --errors "$T/errors.gpkg" --overwrite --only coverage
run 0 ogrinfo -so "$T/errors.gpkg" error_locations
expect_out "Feature Count: 2$"
expect_eq "no temporary file left" "$(find "$T" -maxdepth 1 -name '.gridkit-*' | wc -l)" 0

# --- --only, --grid, --min/--max ---------------------------------------------------------------
gk 1 validate "$F" --only coverage --json
expect_eq "--only coverage" "$(jqv '[.overview.by_code[].code] | map(tostring) | join(",")')" "201,202"
gk 1 validate "$F" --only codes,geometry --json
expect_eq "--only codes,geometry" "$(jqv '[.overview.by_code[].code] | map(tostring) | join(",")')" "302"
expect_eq "--only in the parameters" "$(jqv '.parameters.only | join(",")')" "geometry,codes"
gk 0 validate "$F" --only geometry
expect_out "checks geometry$"
# The deleted micro-grid's ground marked as an allowed gap (a river): no longer a 202.
cp "$F" "$T/allowed.sqlite"
sql "$T/allowed.sqlite" "ATTACH '$WS' AS clean; INSERT INTO allowed_gap (name, reason, geom)
    SELECT '河道', 'river', geom FROM clean.microgrid WHERE code = '$MGAP'" >/dev/null
gk 1 validate "$T/allowed.sqlite" --only coverage --json
expect_eq "an allowed gap is not reported" "$(jqv '[.overview.by_code[].code] | map(tostring) | join(",")')" "201"
expect_eq "allowed gaps counted" "$(jqv .overview.features.allowed_gap)" 1
gk 1 validate "$F" --grid "$G1" --json
expect_eq "--grid G1: its overlap and its moved building" "$(jqv '[.errors[] | "\(.code) \(.id)"] | join(",")')" "201 $M1,406 $B"
expect_eq "--grid in the parameters" "$(jqv .parameters.grid)" "$G1"
gk 1 validate "$F" --grid "$G2" --json
expect_eq "--grid G2: the full micro-grid only" "$(jqv '[.errors[] | "\(.code) \(.id)"] | join(",")')" "402 $MFULL"
gk 0 validate "$WS" --grid "$G2"
expect_out "grid $G2"
# Tighter household limits on the clean data: exactly the micro-grids outside them.
gk 1 validate "$WS" --min 80 --max 90 --only households --json
low=$(jqv '[.errors[] | select(.code == 401 and .households < 80)] | length')
high=$(jqv '[.errors[] | select(.code == 402 and .households > 90)] | length')
expect_eq "--min/--max: every finding outside the limits" "$((low + high))" "$(jqv '.errors | length')"
expect_eq "--min/--max: micro-grids inside the limits not reported" "$(jqv '.overview.features.microgrid - (.errors | length)')" \
  "$(sqlite3 "$WS" "SELECT count(*) FROM (SELECT microgrid_code, count(*) n FROM house WHERE use = '住宅' AND occupied = 1 GROUP BY microgrid_code) WHERE n BETWEEN 80 AND 90")"

# --- bad input: one line, the right status -----------------------------------------------------
gk 3 validate "$T/missing.sqlite"
expect_err "^gridkit validate: .*missing\.sqlite: no such workspace"
expect_one_line_error
echo "not a database" >"$T/text.sqlite"
gk 3 validate "$T/text.sqlite"
expect_err "not a gridkit workspace"
expect_one_line_error
sqlite3 "$T/other.sqlite" "CREATE TABLE t (x)"
gk 3 validate "$T/other.sqlite"
expect_err "not a gridkit workspace"
expect_one_line_error
gk 2 validate "$WS" --only foo
expect_err "^gridkit validate: --only: unknown check 'foo'"
expect_one_line_error
gk 2 validate "$WS" --only ""
expect_err "^gridkit validate: --only"
expect_one_line_error
gk 2 validate "$WS" --grid 321202007999999
expect_err "^gridkit validate: --grid 321202007999999: no such grid"
expect_one_line_error
gk 2 validate "$WS" --min 100 --max 50
expect_err "^gridkit validate: --min 100 --max 50: need 0 <= min <= max"
expect_one_line_error
gk 2 validate "$WS" --tolerance -1
expect_err "^gridkit validate: --tolerance: must be 0 or more, got -1$"
expect_one_line_error
gk 2 validate "$WS" --format xml
expect_one_line_error
gk 3 validate "$WS" --errors "$T/no/such/folder/e.gpkg"
expect_err "folder .* does not exist"
expect_one_line_error
gk 2 validate

finish

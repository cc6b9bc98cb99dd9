#!/usr/bin/env bash
# gridkit map: options, exit codes, HTML without a browser, PNG/SVG pictures that are not blank.
# (tests/cli/map_browser.sh opens the HTML in headless chromium.)
. "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"

gk 0 map --help
expect_out "Usage: .*map"
expect_out "--grid"
expect_out "--errors"

WS="$T/ws.sqlite"
gk 0 synth "$WS" --households 1200 --seed 5 -q
microgrids=$(sqlite3 "$WS" "SELECT count(*) FROM microgrid")
grid=$(sqlite3 "$WS" "SELECT grid_code FROM microgrid GROUP BY grid_code HAVING count(*) >= 3 ORDER BY grid_code LIMIT 1")
grid_microgrids=$(sqlite3 "$WS" "SELECT count(*) FROM microgrid WHERE grid_code = '$grid'")

# --- usage errors: exit 2, one line, nothing written ---------------------------------------
gk 2 map "$WS" -o "$T/x.pdf"
expect_err "unknown map format"
expect_one_line_error
gk 2 map "$WS" --grid "$grid" --bbox 1,2,3,4 -o "$T/x.png"
gk 2 map "$WS" --bbox 1,2,3 -o "$T/x.png"
expect_err "not 4"
gk 2 map "$WS" --min 100 --max 50 -o "$T/x.png"
expect_err "larger than --max"
gk 2 map "$WS" --min -5 -o "$T/x.png"
expect_err "^gridkit map: --min -5 is negative$"
expect_one_line_error
gk 2 map "$WS" --grid 999999999999999 -o "$T/x.png"
expect_err "no such grid"
gk 2 map "$WS" --plan 42 -o "$T/x.png"
expect_err "no such plan"
gk 2 map "$WS" --bbox 0,0,1,1 -o "$T/x.png"
expect_err "holds no grid"
gk 2 map "$WS" --width 10 -o "$T/x.png"
gk 2 map "$WS"
expect_eq "nothing written after usage errors" "$(ls "$T"/x.* 2>/dev/null | wc -l)" 0
gk 3 map "$T/missing.sqlite" -o "$T/x.png"
expect_one_line_error

# --- PNG of the whole workspace ---------------------------------------------------------------
gk 0 map "$WS" -o "$T/all.png" --width 900 --height 700 --json
expect_eq "zones drawn" "$(jqv .zones)" "$microgrids"
expect_eq "bands add up" "$(jqv '.zones_under + .zones_within + .zones_over')" "$microgrids"
expect_eq "png width" "$(jqv .width)" 900
expect_out '"projection":"EPSG:4528'
stats=$(python3 "$HERE/png_stats.py" "$T/all.png" "#f3f2ed")
echo "whole workspace PNG: $stats"
expect_eq "png size" "$(jq -r '"\(.width)x\(.height)"' <<<"$stats")" "900x700"
# Not blank: many colours, and a good part of the picture is neither white nor the background.
expect_eq "png has many colours" "$(jq '.distinct_colours > 200' <<<"$stats")" true
expect_eq "png has ink" "$(jq '.ink_share > 0.15' <<<"$stats")" true

# Refuses to replace a file without --overwrite, and leaves it as it was.
before=$(sha1sum "$T/all.png")
gk 3 map "$WS" -o "$T/all.png"
expect_err "already exists"
expect_err "--overwrite"
expect_eq "existing file untouched" "$(sha1sum "$T/all.png")" "$before"
gk 0 map "$WS" -o "$T/all.png" --overwrite -q

# --- one grid, as PNG (default size) and SVG --------------------------------------------------
gk 0 map "$WS" --grid "$grid" -o "$T/grid.png" --json
expect_eq "grid zones" "$(jqv .zones)" "$grid_microgrids"
expect_eq "grid labels: every micro-grid labelled" "$(jqv .labels)" "$grid_microgrids"
# Every band colour seen in the picture is the colour of a band that has zones (alpha 0.7 on #f3f2ed).
stats=$(python3 "$HERE/png_stats.py" "$T/grid.png" "#88b9de" "#c8e3bb" "#e88667")
echo "grid PNG: $stats"
expect_eq "default size" "$(jq -r '"\(.width)x\(.height)"' <<<"$stats")" "1600x1200"
for band in under within over; do
  n=$(jqv ".zones_$band")
  case $band in under) c="#88b9de" ;; within) c="#c8e3bb" ;; over) c="#e88667" ;; esac
  seen=$(jq --arg c "$c" '.near[$c] > 0.005' <<<"$stats")
  expect_eq "band $band colour present iff zones in it ($n)" "$seen" "$([ "$n" -gt 0 ] && echo true || echo false)"
done
gk 0 map "$WS" --grid "$grid" -o "$T/grid.svg" --width 1000 --height 800
expect_err "wrote .*grid.svg"
expect_eq "svg root" "$(grep -c '<svg' "$T/grid.svg")" 1
expect_eq "svg width" "$(grep -o 'width="1000px"' "$T/grid.svg" | head -1)" 'width="1000px"'

# --- bounds: everything within when the bounds are wide --------------------------------------
gk 0 map "$WS" --grid "$grid" --min 0 --max 100000 -o "$T/wide.png" --json
expect_eq "all within" "$(jqv .zones_within)" "$grid_microgrids"

# --- HTML: self-contained, data for every micro-grid -----------------------------------------
gk 0 map "$WS" -o "$T/all.html" --json
expect_out '"leaflet":\{"license":"BSD-2-Clause","version":"1\.9\.4"\}'
expect_eq "no <script src>" "$(grep -c '<script[^>]* src=' "$T/all.html")" 0
expect_eq "no <link>" "$(grep -c '<link' "$T/all.html")" 0
expect_eq "no http(s) url()" "$(grep -cE 'url\((["'"'"'])?https?:' "$T/all.html")" 0
expect_eq "features in the page" \
  "$(sed -n 's/.*<script type="application\/json" id="gridkit-data">\(.*\)<\/script>.*/\1/p' "$T/all.html" | jq '.zones.features | length')" \
  "$microgrids"

# --- validation report as markers ------------------------------------------------------------
"$GRIDKIT" validate "$WS" --format json >"$T/report.json" 2>/dev/null
expect_eq "validate wrote a report" "$(jq -r .type "$T/report.json")" gridkit_validation_report
# Plus two findings of our own: one at a micro-grid of the grid, one far away.
mcode=$(sqlite3 "$WS" "SELECT code FROM microgrid WHERE grid_code = '$grid' ORDER BY code LIMIT 1")
jq --arg m "$mcode" '.errors += [
  {"code": 402, "name": "TOO_MANY_HOUSEHOLDS", "severity": "error", "layer": "microgrid", "id": $m,
   "message": "planted", "location": null},
  {"code": 403, "name": "IN_NO_GRID", "severity": "error", "layer": "building", "id": "x",
   "message": "planted far away", "location": {"type": "Point", "coordinates": [100.0, 20.0]}}]' \
  "$T/report.json" >"$T/report2.json"
gk 0 map "$WS" --grid "$grid" --errors "$T/report2.json" -o "$T/errors.png" --json
expect_eq "planted marker drawn" "$(jq '.errors >= 1' "$OUT")" true
expect_eq "far finding counted elsewhere" "$(jq '.errors_elsewhere >= 1' "$OUT")" true
stats=$(python3 "$HERE/png_stats.py" "$T/errors.png" "#c8102e")
expect_eq "red markers in the picture" "$(jq '.near["#c8102e"] > 0.0001' <<<"$stats")" true
echo '{"type": "something"}' >"$T/bad.json"
gk 3 map "$WS" --errors "$T/bad.json" -o "$T/bad.png"
expect_err "not a gridkit validation report"

# --- a plan (rows written the way redistrict stores them) ------------------------------------
if sqlite3 -cmd ".load mod_spatialite" "$WS" "SELECT 1" >/dev/null 2>&1; then
  sqlite3 -cmd ".load mod_spatialite" "$WS" "
    INSERT INTO plan (id, created_at, command, grid_code, parameters, result)
      VALUES (3, '2026-01-01T00:00:00Z', 'test', '$grid', '{\"min_households\": 50, \"max_households\": 100}', '{}');
    INSERT INTO plan_zone (plan_id, code, grid_code, households, members, geom)
      SELECT 3, code, grid_code, 75, '[]', geom FROM microgrid WHERE grid_code = '$grid';"
  gk 0 map "$WS" --plan 3 -o "$T/plan.png" --json
  expect_eq "plan zones" "$(jqv .zones)" "$grid_microgrids"
  expect_eq "plan zones within" "$(jqv .zones_within)" "$grid_microgrids"
  expect_eq "plan view" "$(jqv .view.zone_layer)" plan_zone
  gk 2 map "$WS" --plan 3 --grid 999999999999999 -o "$T/plan2.png"
else
  echo "note: sqlite3 cannot load mod_spatialite; --plan CLI case skipped (unit tests cover it)"
fi


# --- the example data (examples/district, as scripts/demo imports it) --------------------------
EX="$GRIDKIT_SOURCE_DIR/examples/district"
gk 0 init "$T/ex.sqlite" -q
for layer in division grid microgrid road compound building; do
  gk 0 import "$T/ex.sqlite" "$EX/$layer.geojson" --layer "$layer" -q
done
for layer in address house person org; do
  gk 0 import "$T/ex.sqlite" "$EX/$layer.csv" --layer "$layer" -q
done
gk 0 map "$T/ex.sqlite" -o "$T/example.png" --json
expect_eq "example: every micro-grid drawn" "$(jqv .zones)" "$(sqlite3 "$T/ex.sqlite" 'SELECT count(*) FROM microgrid')"
expect_eq "example: every building drawn" "$(jqv .buildings)" "$(sqlite3 "$T/ex.sqlite" 'SELECT count(*) FROM building')"
stats=$(python3 "$HERE/png_stats.py" "$T/example.png" "#c8e3bb")
echo "example district PNG: $stats"
expect_eq "example png has many colours" "$(jq '.distinct_colours > 200' <<<"$stats")" true
expect_eq "example png has ink" "$(jq '.ink_share > 0.15' <<<"$stats")" true
expect_eq "example png shows micro-grids within the bounds" "$(jq '.near["#c8e3bb"] > 0.2' <<<"$stats")" true
finish

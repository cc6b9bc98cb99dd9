#!/usr/bin/env bash
# gridkit map -o X.html opened in Debian's headless chromium with the network off (driven over the
# DevTools protocol by map_browser.mjs): the map gets ready, draws one SVG path per micro-grid,
# no request leaves the page (file: and data: only), no script error; a screenshot is saved.
# Skipped (77) when chromium or node is missing: scripts/setup installs both.
. "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM not installed (scripts/setup installs it)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }
# Node 20 has WebSocket behind a flag; newer releases have it by default.
NODE=(node)
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null || NODE=(node --experimental-websocket)
"${NODE[@]}" -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null ||
  { echo "SKIP: this node has no WebSocket client"; exit 77; }

# Where the screenshots go (kept after the test for people to look at).
SHOTS="${GRIDKIT_MAP_SHOTS:-$T}"
mkdir -p "$SHOTS"

WS="$T/ws.sqlite"
gk 0 synth "$WS" --households 1500 --seed 2 -q
microgrids=$(sqlite3 "$WS" "SELECT count(*) FROM microgrid WHERE geom IS NOT NULL")
grids=$(sqlite3 "$WS" "SELECT count(*) FROM grid WHERE geom IS NOT NULL")
grid=$(sqlite3 "$WS" "SELECT grid_code FROM microgrid GROUP BY grid_code HAVING count(*) >= 3 ORDER BY grid_code LIMIT 1")
grid_microgrids=$(sqlite3 "$WS" "SELECT count(*) FROM microgrid WHERE grid_code = '$grid'")

# browse HTML SCREENSHOT: runs the driver, leaves its JSON in $OUT.
browse() { run 0 "${NODE[@]}" "$HERE/map_browser.mjs" "$1" "$2" 1400 1000; }

# --- the whole workspace ------------------------------------------------------------------------
gk 0 map "$WS" -o "$T/all.html" -q
browse "$T/all.html" "$SHOTS/map-all.png"
echo "whole workspace: $(jq -c '{ready, renderer, counts, zonePaths, zonePathsByBand, gridPaths, buildingPaths, labels, external, consoleErrors, exceptions}' "$OUT")"
expect_eq "map ready" "$(jqv .ready)" true
expect_eq "renderer" "$(jqv .renderer)" svg
expect_eq "one SVG path per micro-grid" "$(jqv .zonePaths)" "$microgrids"
expect_eq "micro-grid layers" "$(jqv .counts.zones)" "$microgrids"
expect_eq "grid outlines" "$(jqv .gridPaths)" "$grids"
expect_eq "bands add up" "$(jqv '.zonePathsByBand.under + .zonePathsByBand.within + .zonePathsByBand.over')" "$microgrids"
expect_eq "no request left the page" "$(jqv '.external | length')" 0
expect_eq "only file: and data: requests" "$(jqv '[.requests[] | select(startswith("file:") or startswith("data:") | not)] | length')" 0
expect_eq "the page itself was loaded" "$(jqv '[.requests[] | select(startswith("file:"))] | length')" 1
expect_eq "no script exceptions" "$(jqv '.exceptions | length')" 0
expect_eq "no console errors (CSP violations would be)" "$(jqv '.consoleErrors | length')" 0
expect_eq "no tiles" "$(jqv .tiles)" 0
expect_eq "legend shown" "$(jqv '.legend | test("微网格户数")')" true
expect_eq "attribution names Leaflet and its licence" "$(jqv '.attribution | test("Leaflet 1\\.9\\.4 \\(BSD-2-Clause\\)")')" true
expect_eq "popup with attributes on click" "$(jqv '.popup | test("微网格编码")')" true
expect_eq "screenshot saved" "$(head -c 4 "$SHOTS/map-all.png" | tail -c 3)" PNG

# --- one grid with validation markers -----------------------------------------------------------
"$GRIDKIT" validate "$WS" --format json >"$T/report.json" 2>/dev/null
mcode=$(sqlite3 "$WS" "SELECT code FROM microgrid WHERE grid_code = '$grid' ORDER BY code LIMIT 1")
jq --arg m "$mcode" '.errors += [{"code": 402, "name": "TOO_MANY_HOUSEHOLDS", "severity": "error",
  "layer": "microgrid", "id": $m, "message": "planted", "location": null}]' "$T/report.json" >"$T/report2.json"
gk 0 map "$WS" --grid "$grid" --errors "$T/report2.json" -o "$T/grid.html" --json
markers=$(jqv .errors)
browse "$T/grid.html" "$SHOTS/map-grid.png"
echo "one grid: $(jq -c '{ready, counts, zonePaths, errorMarkers, labels, external}' "$OUT")"
expect_eq "grid map ready" "$(jqv .ready)" true
expect_eq "one path per micro-grid of the grid" "$(jqv .zonePaths)" "$grid_microgrids"
expect_eq "error markers drawn" "$(jqv .errorMarkers)" "$markers"
expect_eq "labels shown when zoomed to a grid" "$(jqv .labels)" "$grid_microgrids"
expect_eq "no request left the grid page" "$(jqv '.external | length')" 0
expect_eq "no script exceptions (grid)" "$(jqv '.exceptions | length')" 0

echo "screenshots: $SHOTS/map-all.png $SHOTS/map-grid.png"
finish

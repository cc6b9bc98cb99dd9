#!/usr/bin/env bash
# gridkit redistrict and gridkit plan on a synthetic workspace: dry run writes nothing, --apply
# replaces micro-grids within the bounds and records plans, a re-run keeps them, restore undoes,
# -o writes a GeoPackage, --preview a picture of before and after, bad options exit 2 (a read-only
# workspace 3) with one line, the same seed gives the same plan.
source "$(dirname "$0")/lib.sh"

for c in "redistrict" "plan list" "plan show" "plan restore"; do
  # shellcheck disable=SC2086
  gk 0 $c --help
done
expect_out "Usage: gridkit plan restore"

need_command synth
WS="$T/ws.sqlite"
gk 0 -q synth "$WS" --households 2500 --seed 5 || { finish; exit 1; }
grid=$(sqlite3 "$WS" "SELECT code FROM grid ORDER BY code LIMIT 1" 2>/dev/null)
if [ -z "$grid" ]; then
  gk 0 info "$WS" --json
  grid=$(jqv '.grids[0].code')
fi
expect_eq "a grid to cut" "$([ -n "$grid" ] && echo yes)" yes
before=$("$GRIDKIT" info "$WS" --json | jq -c '[.microgrids[] | {code, households}]')

# Dry run (the default): a plan within the bounds, tiling exact, nothing written.
gk 0 redistrict "$WS" --all --min 30 --max 60 --json
expect_eq "dry run" "$(jqv .dry_run)" true
expect_eq "zones outside bounds" "$(jqv .summary.zones_outside_bounds)" 0
expect_eq "every grid feasible" "$(jqv '[.grids[].feasible] | all')" true
expect_eq "every tiling exact" "$(jqv '[.grids[].tiling.ok] | all')" true
expect_eq "contiguity" "$(jqv '[.grids[].contiguity_pct] | min')" 100
expect_eq "zones within bounds" "$(jqv '[.grids[].zones[].households | select(. < 30 or . > 60)] | length')" 0
expect_eq "buildings each in one zone" "$(jqv '[.grids[] | (.buildings - ([.zones[].buildings] | add))] | add')" 0
expect_eq "per-zone fields" "$(jqv '.grids[0].zones[0] | has("code") and has("area_m2") and has("polsby_popper")')" true
first=$(jq -c '[.grids[].zones[] | {code, members}]' "$OUT")
expect_eq "dry run wrote no plan" "$(sqlite3 "$WS" 'SELECT count(*) FROM plan' 2>/dev/null || echo 0)" 0
expect_eq "micro-grids untouched" "$("$GRIDKIT" info "$WS" --json | jq -c '[.microgrids[] | {code, households}]')" "$before"

# Same seed, same plan (and another thread count does not matter).
gk 0 redistrict "$WS" --all --min 30 --max 60 --json --threads 1
expect_eq "deterministic" "$(jq -c '[.grids[].zones[] | {code, members}]' "$OUT")" "$first"

# A plan file for QGIS; an existing file needs --overwrite.
gk 0 redistrict "$WS" --grid "$grid" --min 30 --max 60 -o "$T/plan.gpkg"
expect_eq "plan file" "$([ -s "$T/plan.gpkg" ] && echo yes)" yes
if command -v ogrinfo >/dev/null; then
  run 0 ogrinfo -so -q "$T/plan.gpkg"
  expect_out "microgrid_plan"
  expect_out "plan_violation"
fi
gk 3 redistrict "$WS" --grid "$grid" --min 30 --max 60 -o "$T/plan.gpkg"
expect_err "overwrite"
gk 0 redistrict "$WS" --grid "$grid" --min 30 --max 60 -o "$T/plan.gpkg" --overwrite

# --preview: the current micro-grids and the plan side by side in one picture (a dry run still).
gk 0 redistrict "$WS" --grid "$grid" --min 30 --max 60 --preview "$T/preview.png" --json
expect_eq "preview named in JSON" "$(jqv .preview)" "$T/preview.png"
expect_eq "preview written" "$([ -s "$T/preview.png" ] && echo yes)" yes
stats=$(python3 "$(dirname "$0")/png_stats.py" "$T/preview.png" "#c8e3bb")
echo "preview PNG: $stats"
expect_eq "preview size" "$(jq -r '"\(.width)x\(.height)"' <<<"$stats")" "1600x1200"
expect_eq "preview has many colours" "$(jq '.distinct_colours > 200' <<<"$stats")" true
expect_eq "preview has ink" "$(jq '.ink_share > 0.15' <<<"$stats")" true
expect_eq "preview shows zones within the bounds" "$(jq '.near["#c8e3bb"] > 0.01' <<<"$stats")" true
expect_eq "preview is a dry run" "$(sqlite3 "$WS" 'SELECT count(*) FROM plan' 2>/dev/null || echo 0)" 0
gk 3 redistrict "$WS" --grid "$grid" --min 30 --max 60 --preview "$T/preview.png"
expect_one_line_error
gk 0 redistrict "$WS" --grid "$grid" --min 30 --max 60 --preview "$T/preview.svg"
expect_out "wrote .*preview.svg"
expect_eq "svg preview" "$(grep -c '<svg' "$T/preview.svg")" 1
gk 2 redistrict "$WS" --grid "$grid" --preview "$T/preview.html"
expect_one_line_error
expect_err "preview"
expect_eq "no html preview written" "$([ -e "$T/preview.html" ] && echo yes || echo no)" no

# Apply: micro-grids replaced within the bounds, plans recorded (a snapshot and the plan per grid).
gk 0 redistrict "$WS" --all --min 30 --max 60 --apply --json
expect_eq "applied" "$(jqv .dry_run)" false
expect_eq "plan ids" "$(jqv '[.grids[].plan_id | numbers] | length')" "$(jqv '.grids | length')"
gk 0 info "$WS" --json
expect_eq "micro-grids within bounds after apply" "$(jqv '[.microgrids[].households | select(. < 30 or . > 60)] | length')" 0
gk 0 plan list "$WS" --json
expect_eq "plans recorded" "$(jqv '[.plans[] | select(.applied)] | length')" "$(jqv '[.plans[] | select(.applied | not)] | length')"
plan_id=$(jqv '[.plans[] | select(.applied and .grid_code == "'"$grid"'")][0].id')
snapshot_id=$(jqv '[.plans[] | select((.applied | not) and .grid_code == "'"$grid"'")][0].id')
gk 0 plan list "$WS" --grid "$grid"
expect_out "applied"
expect_out "snapshot"
gk 0 plan show "$WS" "$plan_id" --json
expect_eq "plan show grid" "$(jqv .grid_code)" "$grid"
expect_eq "plan show result" "$(jqv '.result.tiling.ok')" true

# Re-running on the applied plan keeps it: nobody moves.
gk 0 redistrict "$WS" --all --min 30 --max 60 --json --seed 9
expect_eq "kept on re-run" "$(jqv '[.grids[].kept_current] | all')" true
expect_eq "moved on re-run" "$(jqv .summary.moved_households)" 0

# Restore the snapshot: the grid's micro-grids are back as they were.
gk 0 plan restore "$WS" "$snapshot_id" --json
expect_eq "restored from" "$(jqv .restored)" "$snapshot_id"
gk 0 info "$WS" --json
expect_eq "grid restored" "$(jq -c '[.microgrids[] | select(.grid_code == "'"$grid"'") | {code, households}]' "$OUT")" \
  "$(echo "$before" | jq -c '[.[] | select(.code | startswith("'"$grid"'"))]')"

# Bad options and unknown names: exit 2 (3 when the workspace cannot be used), one line each.
gk 2 redistrict "$WS"
expect_one_line_error
gk 2 redistrict "$WS" --grid 999999999999999
expect_err "no grid 999999999999999"
expect_one_line_error
gk 2 redistrict "$WS" --grid "$grid" --min 120 --max 100
expect_err "min 120"
expect_one_line_error
gk 2 redistrict "$WS" --grid "$grid" --lock 999999999999999999
expect_err "999999999999999999"
expect_one_line_error
other=$(sqlite3 "$WS" "SELECT microgrid_code FROM building WHERE grid_code <> '$grid' AND microgrid_code IS NOT NULL LIMIT 1" 2>/dev/null)
if [ -n "$other" ]; then
  gk 2 redistrict "$WS" --grid "$grid" --lock "$other"
  expect_err "--lock $other"
  expect_one_line_error
fi
gk 2 redistrict "$WS" --grid "$grid" --barriers nosuchlayer
expect_err "nosuchlayer"
expect_one_line_error
gk 2 redistrict "$WS" --grid "$grid" --all
expect_one_line_error
gk 2 redistrict "$WS" --grid "$grid" --apply --dry-run
expect_one_line_error
gk 2 plan show "$WS" 999999
expect_one_line_error
gk 3 redistrict "$T/missing.sqlite" --all
expect_one_line_error
# A read-only workspace file: a dry run works, --apply refuses and changes nothing. Root ignores
# permissions, so as root run gridkit as user nobody. (The folder stays writable: SQLite reads a
# WAL-mode file only where it can create the -shm file beside it.)
AS=()
[ "$(id -u)" -eq 0 ] && AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
mkdir -p "$T/ro" && cp "$WS" "$T/ro/ws.sqlite" && chmod 755 "$T" && chmod 777 "$T/ro" && chmod 444 "$T/ro/ws.sqlite"
ro_before=$(sha1sum < "$T/ro/ws.sqlite")
run 0 "${AS[@]}" "$GRIDKIT" redistrict "$T/ro/ws.sqlite" --grid "$grid" --min 30 --max 60 -q
run 3 "${AS[@]}" "$GRIDKIT" redistrict "$T/ro/ws.sqlite" --grid "$grid" --min 30 --max 60 --apply
expect_err "read-only"
expect_one_line_error
expect_eq "read-only workspace unchanged" "$(sha1sum < "$T/ro/ws.sqlite")" "$ro_before"
chmod 755 "$T/ro"

finish

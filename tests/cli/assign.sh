#!/usr/bin/env bash
# gridkit assign: a synth workspace is placed as synth made it; cleared codes come back; a
# feature in no micro-grid is reported (exit 1); --dry-run writes nothing; bad options exit 2;
# a workspace it cannot use exits 3.
source "$(dirname "$0")/lib.sh"

gk 0 assign --help
expect_out "Usage: gridkit assign"
expect_out "--dry-run"

WS="$T/ws.sqlite"
gk 0 synth "$WS" --households 400 --seed 5 -q

# Synth writes the codes it planned: assign finds every feature where synth put it.
gk 0 assign "$WS" --dry-run --json
expect_eq "all placed" "$(jqv .all_placed)" true
expect_eq "layers" "$(jqv '[.layers[].layer] | join(",")')" "building,address,house"
expect_eq "nothing changes" "$(jqv '[.layers[].rows_changed] | add')" 0
expect_eq "no findings" "$(jqv '.findings | length')" 0
expect_eq "dry run" "$(jqv .written)" false
rows=$(jqv '[.layers[].rows] | add')
expect_eq "rows read" "$([ "$rows" -gt 500 ] && echo yes)" yes

# Cleared codes are written back, in one transaction with one audit row.
sqlite3 "$WS" "UPDATE building SET grid_code = NULL, microgrid_code = NULL; UPDATE house SET microgrid_code = NULL;"
audit=$(sqlite3 "$WS" "SELECT count(*) FROM audit")
gk 0 assign "$WS" --dry-run
expect_out "^building: [0-9]+ rows, [0-9]+ placed; [0-9]+ changed"
nb=$(sqlite3 "$WS" "SELECT count(*) FROM building")
expect_eq "dry run writes nothing" "$(sqlite3 "$WS" "SELECT count(*) FROM building WHERE grid_code IS NULL")" "$nb"
gk 0 assign "$WS" --json
expect_eq "buildings changed = buildings" "$(jqv '.layers[0].rows_changed')" "$nb"
expect_eq "newly assigned" "$(jqv '.layers[0].newly_assigned')" "$nb"
expect_eq "houses: only the micro-grid changed" "$(jqv '.layers[2].grid_changed')" 0
expect_eq "written" "$(jqv .written)" true
expect_eq "no building left without grid" "$(sqlite3 "$WS" "SELECT count(*) FROM building WHERE grid_code IS NULL OR microgrid_code IS NULL")" 0
expect_eq "one audit row" "$(sqlite3 "$WS" "SELECT count(*) FROM audit")" "$((audit + 1))"
expect_eq "audit names the layers" "$(sqlite3 "$WS" "SELECT layer FROM audit ORDER BY id DESC LIMIT 1")" "building,address,house"

# --layer restricts the layers.
gk 0 assign "$WS" --layer address,house --dry-run --json
expect_eq "two layers" "$(jqv '[.layers[].layer] | join(",")')" "address,house"

# A micro-grid removed: its features are in no micro-grid (exit 1), with the nearest one and a distance.
micro=$(sqlite3 "$WS" "SELECT microgrid_code FROM building ORDER BY code LIMIT 1")
sqlite3 "$WS" "DELETE FROM microgrid WHERE code = '$micro'"
gk 1 assign "$WS" --layer building --json
expect_eq "not all placed" "$(jqv .all_placed)" false
expect_eq "finding kind" "$(jqv '[.findings[].issue] | unique | join(",")')" "no_microgrid"
n=$(jqv '.layers[0].no_microgrid')
expect_eq "buildings of that micro-grid" "$n" "$(sqlite3 "$WS" "SELECT count(*) FROM building WHERE microgrid_code = '$micro'")"
expect_eq "distance in metres to a neighbour" "$(jqv '[.findings[] | select(.distance_m >= 0 and .distance_m < 500 and (.nearest | length) == 18)] | length')" "$n"
expect_eq "codes kept where unplaced" "$(sqlite3 "$WS" "SELECT count(*) FROM building WHERE microgrid_code = '$micro'")" "$n"
gk 1 assign "$WS" --layer building
expect_err "gridkit assign: building [0-9]{17}: in no micro-grid \(nearest [0-9]{18}, [0-9.]+ m away\)"

# Usage errors: exit 2.
gk 2 assign "$WS" --layer person
gk 2 assign "$WS" --threads 0
gk 2 assign
# Could not run: exit 3, one line.
gk 3 assign "$T/missing.sqlite"
expect_one_line_error
gk 0 init "$T/empty.sqlite"
gk 3 assign "$T/empty.sqlite"
expect_err "no grid or micro-grid outline"
finish

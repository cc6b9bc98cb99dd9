#!/usr/bin/env bash
# Benchmark (run by hand, not by CI): import N address rows (code, text, lng, lat) from CSV with
# `gridkit import` (codes checked, spatial index) and with `ogr2ogr -f SQLite -dsco SPATIALITE=YES`
# on the same file, side by side, with wall time and peak memory.
# Usage: tests/bench/import_vs_ogr2ogr.sh [N] [build dir]
set -euo pipefail
N=${1:-1000000}
BUILD=${2:-build}
G=$(readlink -f "$BUILD/gridkit")
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
awk -v n="$N" 'BEGIN { print "code,text,lng,lat";
  for (i = 0; i < n; i++) {
    b = int(i / 500) + 1; c = int(b / 99999); b = b % 99999 + 1
    printf "321202%03d%03d%05d%03d%04d,江苏省泰州市海陵区迎春东路%d号%d幢%d单元%d室,%.7f,%.7f\n",
      7, c + 1, b, i % 5 + 1, i % 500 + 1, i % 300 + 1, b, i % 5 + 1, i % 500 + 1,
      119.85 + (i % 1000) * 1e-4, 32.40 + int(i / 1000) * 1e-4 } }' > "$D/addr.csv"
echo "rows: $N ($(du -h "$D/addr.csv" | cut -f1) CSV)"

"$G" init "$D/g.sqlite" -q
/usr/bin/time -f "gridkit import: %e s wall, %U s user, peak RSS %M KB" \
  "$G" -q import "$D/g.sqlite" "$D/addr.csv" --layer address --json > "$D/g.json"
jq -c '{read, written, rejected}' "$D/g.json"

/usr/bin/time -f "ogr2ogr:        %e s wall, %U s user, peak RSS %M KB" \
  ogr2ogr -f SQLite -dsco SPATIALITE=YES "$D/o.sqlite" "$D/addr.csv" -nln address \
  -oo X_POSSIBLE_NAMES=lng -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4490
echo "ogr2ogr rows: $(sqlite3 "$D/o.sqlite" 'SELECT count(*) FROM address')"

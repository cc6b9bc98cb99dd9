#!/usr/bin/env bash
# A large import (over 20,000 rows: triggers and indexes set aside, the R-tree packed at the end)
# leaves a spatial index SpatiaLite and QGIS accept: every row in it, at its place; again after an
# upsert that moves every point.
source "$(dirname "$0")/lib.sh"

rows() { # rows N DX: N addresses in a 1 km square, shifted east by DX degrees
  awk -v n="$1" -v dx="$2" 'BEGIN { print "code,text,lng,lat";
    for (i = 0; i < n; i++)
      printf "321202007004%05d%03d%04d,地址%d,%.7f,%.7f\n", int(i / 1000) + 1, 0, i % 1000 + 1, i,
        119.90 + dx + (i % 160) * 6e-5, 32.45 + int(i / 160) * 6e-5 }'
}
rows 25000 0 > "$T/a.csv"
rows 25000 0.01 > "$T/b.csv"
gk 0 init "$T/w.sqlite" -q
gk 0 import "$T/w.sqlite" "$T/a.csv" --layer address --json
expect_eq "all written" "$(jqv .written)" 25000

check_index() { # what: the R-tree holds every row at its point, and SpatiaLite says it is sound
  expect_eq "$1: CheckSpatialIndex" "$(spatialite -silent "$T/w.sqlite" "SELECT CheckSpatialIndex('address', 'geom')" 2>/dev/null)" 1
  expect_eq "$1: one index entry per row" "$(sqlite3 "$T/w.sqlite" 'SELECT count(*) FROM idx_address_geom')" 25000
  expect_eq "$1: index entries at the rows' points" \
    "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM address a JOIN idx_address_geom i ON i.pkid = a.id
       WHERE abs(i.xmin - $2 - 119.90 - ((a.id - 1) % 160) * 6e-5) < 1e-5")" 25000
  # A window query through the index finds what a scan of the table finds.
  local q="BuildMbr(119.905 + $2, 32.455, 119.906 + $2, 32.456)"
  expect_eq "$1: window query via the index = table scan" \
    "$(spatialite -silent "$T/w.sqlite" "SELECT count(*) FROM address WHERE id IN (SELECT rowid FROM SpatialIndex WHERE f_table_name = 'address' AND search_frame = $q)" 2>/dev/null)" \
    "$(spatialite -silent "$T/w.sqlite" "SELECT count(*) FROM address WHERE MbrIntersects(geom, $q)" 2>/dev/null)"
}
check_index "insert" 0
# Triggers and indexes are back: a row added by SQL gets its index entry.
expect_eq "triggers restored" "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'address'")" \
  "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'grid'")"

gk 0 import "$T/w.sqlite" "$T/b.csv" --layer address --mode upsert --json
expect_eq "all updated" "$(jqv .updated)" 25000
check_index "upsert moving every point 0.01° east" 0.01
finish

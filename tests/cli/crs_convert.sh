#!/usr/bin/env bash
# gridkit crs convert: one point, stdin lines like cs2cs, precision, errors and exit codes.
source "$(dirname "$0")/lib.sh"

gk 0 crs convert --help
expect_out "--src-crs"
expect_out "--precision"

# The vectors of design/CODES.md (116.404, 39.915), 9 decimals for degrees.
gk 0 crs convert --src-crs wgs84 --dst-crs gcj02 116.404 39.915
expect_eq "wgs84 -> gcj02" "$(cat "$OUT")" "116.410244499 39.916404282"
gk 0 crs convert --src-crs GCJ-02 --dst-crs BD-09 116.404 39.915
expect_eq "gcj02 -> bd09" "$(cat "$OUT")" "116.410369494 39.921336994"
gk 0 crs convert --src-crs gcj02 --dst-crs EPSG:4326 116.41024449916938 39.91640428150164
expect_eq "gcj02 -> wgs84" "$(cat "$OUT")" "116.404000000 39.915000000"

# Metres: 3 decimals; lng/lat order whatever EPSG says; Gauss-Kruger zone 40 (120 E).
gk 0 crs convert --src-crs 4490 --dst-crs EPSG:4528 120 30
expect_eq "4490 -> 4528" "$(cat "$OUT")" "40500000.000 3320113.398"
gk 0 crs convert --src-crs EPSG:4528 --dst-crs EPSG:4490 --precision 6 40500000 3320113.398
expect_eq "4528 -> 4490" "$(cat "$OUT")" "120.000000 30.000000"
gk 0 crs convert --src-crs wgs84 --dst-crs EPSG:3857 -- -73.9 40.7
expect_out "^-8226510\.[0-9]{3} 4968191\.[0-9]{3}$"

# stdin: whitespace or comma, extra columns passed through, comments and blank lines copied.
printf '116.404 39.915 天安门\n# comment\n\n116.404,39.915,a,b\r\n' |
  gk 0 crs convert --src-crs wgs84 --dst-crs gcj02 --precision 5
expect_eq "stdin lines" "$(cat "$OUT")" "$(printf '116.41024 39.91640 天安门\n# comment\n\n116.41024,39.91640,a,b')"

# A bad line: '* *' in its place, stderr names the line, exit 1; the other lines convert.
printf '116.404 39.915\nabc 39.9\n116.404 39.915\n' | gk 1 crs convert --src-crs wgs84 --dst-crs gcj02
expect_eq "line count" "$(wc -l <"$OUT" | tr -d ' ')" 3
expect_eq "bad line output" "$(sed -n 2p "$OUT")" "* *"
expect_err "line 2: .*abc.*not a number"
expect_err "1 of 3 lines"
printf '116.404\n' | gk 1 crs convert --src-crs wgs84 --dst-crs gcj02
expect_err "line 1"
# Out of range (swapped x y): a data error, not inf.
printf '39.915 116.404\n' | gk 1 crs convert --src-crs wgs84 --dst-crs EPSG:3857
expect_err "line 1: .*swapped"
if grep -qi "inf" "$OUT"; then echo "FAIL: inf printed" >&2; FAILS=$((FAILS + 1)); else PASSES=$((PASSES + 1)); fi
gk 1 crs convert --src-crs wgs84 --dst-crs EPSG:3857 116.404 95
expect_eq "bad point" "$(cat "$OUT")" "* *"

# Usage errors: exit 2, one line plus a hint.
gk 2 crs convert --src-crs nonsense --dst-crs gcj02 1 2
expect_err "unknown CRS 'nonsense'"
expect_one_line_error
gk 2 crs convert --src-crs EPSG:99999 --dst-crs gcj02 1 2
expect_err "EPSG:99999"
expect_one_line_error
gk 2 crs convert --src-crs wgs84 --dst-crs gcj02 116.404
expect_one_line_error
gk 2 crs convert --src-crs wgs84 --dst-crs gcj02 abc 39.9
expect_err "'abc' is not a number"
gk 2 crs convert --dst-crs gcj02 1 2
gk 2 crs convert --src-crs wgs84 --dst-crs gcj02 --precision 99 1 2

finish

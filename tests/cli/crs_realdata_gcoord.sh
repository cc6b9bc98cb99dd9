#!/usr/bin/env bash
# gridkit crs convert against the real-world pairs of 664 Chinese cities (gcoord fixtures):
# WGS84 -> GCJ02, GCJ02 -> WGS84, GCJ02 -> BD09, BD09 -> GCJ02, WGS84 -> EPSG:3857.
# The pairs sit 0.5-0.7 m off the textbook formulas (data/README.md), so the tolerance is 1 m.
source "$(dirname "$0")/lib.sh"
need_shared
FILE="$SHARED/gcoord-china-cities.json"
[ -f "$FILE" ] || { echo "SKIP: $FILE not present"; exit 77; }

TOLERANCE_M=1.0
expect_eq "cities" "$(jq length "$FILE")" 664

# check FROM TO SRC_CRS DST_CRS UNIT: converts the FROM pairs of every city on stdin and
# compares them with the TO pairs, in metres.
check() {
  local from=$1 to=$2 src=$3 dst=$4 unit=$5
  jq -r --arg k "$from" '.[] | .coords[$k] | "\(.[0]) \(.[1])"' "$FILE" >"$T/$from.in"
  jq -r --arg k "$to" '.[] | .coords[$k] | "\(.[0]) \(.[1])"' "$FILE" >"$T/$to.want"
  run 0 "$GRIDKIT" crs convert --src-crs "$src" --dst-crs "$dst" <"$T/$from.in" || return
  cp "$OUT" "$T/$from-$to.got"
  local summary
  summary=$(paste -d' ' "$T/$from-$to.got" "$T/$to.want" | awk -v unit="$unit" -v tol="$TOLERANCE_M" '
    { if (unit == "deg") {
        dx = ($1 - $3) * 111320 * cos($4 * 3.14159265358979 / 180); dy = ($2 - $4) * 110574
      } else { dx = $1 - $3; dy = $2 - $4 }
      d = sqrt(dx * dx + dy * dy); n++; sum += d; if (d > max) max = d; if (d > tol) bad++ }
    END { printf "%d %d %.3f %.3f", n, bad + 0, max, sum / n }')
  read -r n bad max mean <<<"$summary"
  echo "$from -> $to: $n points, max $max m, mean $mean m, over ${TOLERANCE_M} m: $bad"
  expect_eq "$from -> $to points" "$n" 664
  expect_eq "$from -> $to points over ${TOLERANCE_M} m" "$bad" 0
}

check WGS84 GCJ02 wgs84 gcj02 deg
check GCJ02 WGS84 gcj02 wgs84 deg
check GCJ02 BD09 gcj02 bd09 deg
check BD09 GCJ02 bd09 gcj02 deg
check WGS84 EPSG3857 wgs84 EPSG:3857 m

finish

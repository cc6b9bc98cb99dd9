#!/usr/bin/env bash
# gridkit synth folder -> gridkit import (no mapping) gives the rows and coordinates that
# gridkit synth writes straight into a workspace: every row written, nothing rejected.
source "$(dirname "$0")/lib.sh"

gk 0 synth "$T/dist" --households 1500 --seed 5 -q
gk 0 synth "$T/direct.sqlite" --households 1500 --seed 5 -q
gk 0 init "$T/ws.sqlite" -q
for layer in division grid microgrid road compound building; do
  gk 0 import "$T/ws.sqlite" "$T/dist/$layer.geojson" --layer "$layer" --json
  expect_eq "$layer rejected" "$(jqv .rejected)" "0"
done
for layer in address house person org; do
  gk 0 import "$T/ws.sqlite" "$T/dist/$layer.csv" --layer "$layer" --json
  expect_eq "$layer rejected" "$(jqv .rejected)" "0"
  expect_eq "$layer encoding" "$(jqv .encoding)" "GB18030"
done

# Same rows, same coordinates (the files hold the 9-decimal values the workspace holds).
same() {
  local what=$1 sql=$2
  expect_eq "$what" "$(spatialite -silent "$T/ws.sqlite" "$sql" 2>/dev/null | md5sum)" \
    "$(spatialite -silent "$T/direct.sqlite" "$sql" 2>/dev/null | md5sum)"
}
same "divisions" "SELECT code, name, level, parent_code, urban_rural, AsWkt(geom, 9) FROM division ORDER BY code"
same "grids" "SELECT code, name, kind, community_code, leader, leader_phone, AsWkt(geom, 9) FROM grid ORDER BY code"
same "micro-grids" "SELECT code, grid_code, name, AsWkt(geom, 9) FROM microgrid ORDER BY code"
same "buildings" "SELECT code, name, compound, floors, units, households, use, grid_code, microgrid_code, AsWkt(geom, 9), AsWkt(location, 9) FROM building ORDER BY code"
same "addresses" "SELECT code, text, road, number, unit, floor, room, level, building_code, AsWkt(geom, 9) FROM address ORDER BY code"
same "houses" "SELECT code, address_code, use, rental, area, status, occupied, grid_code, microgrid_code FROM house ORDER BY code"
same "residents" "SELECT id_number, name, phone, house_code, kind, tenant FROM person ORDER BY id_number"
same "organisations" "SELECT uscc, name, address_code, type, contact, phone FROM org ORDER BY uscc"
same "roads" "SELECT name, kind, AsWkt(geom, 9) FROM road ORDER BY name"
gk 0 info "$T/ws.sqlite" --json
expect_eq "households" "$(jqv .households)" "1500"
finish

#!/usr/bin/env bash
# gridkit code check: kinds, parents, validity, exit codes, JSON, masking of resident IDs.
source "$(dirname "$0")/lib.sh"

gk 0 code check --help
expect_out "--kind"
expect_out "--json"

# The examples of design/CODES.md.
gk 0 code check 11010519491231002X
expect_out "resident_id"
expect_out "110105\*{8}002X"
expect_out "sex=female"
# The ID itself and its birth date never appear in clear.
if grep -q "11010519491231002X\|1949-12-31\|19491231" "$OUT" "$ERR"; then
  echo "FAIL: resident ID or birth date printed in clear" >&2; FAILS=$((FAILS + 1))
else
  PASSES=$((PASSES + 1))
fi

gk 0 code check --json 91350100M000100Y43
expect_eq "uscc kind" "$(jqv .kind)" uscc
expect_eq "uscc valid" "$(jqv .valid)" true
expect_eq "uscc org code" "$(jqv .fields.org_code)" M000100Y4
expect_eq "uscc org check" "$(jqv .fields.org_code_check)" ok

# A changed digit: invalid, exit 1.
gk 1 code check 11010519491231003X
expect_out "INVALID"
gk 1 code check --json 91350100M000100Y44
expect_eq "changed USCC" "$(jqv .valid)" false

# The division chain: one line per code, parents, township type.
gk 0 code check --json 32 3212 321202 321202007 321202007004
expect_eq "lines" "$(wc -l <"$OUT" | tr -d ' ')" 5
expect_eq "kinds" "$(jqv .kind | paste -sd, -)" "province,city,county,township,community"
expect_eq "parents" "$(jqv .parent | paste -sd, -)" ",32,3212,321202,321202007"
expect_eq "township type" "$(jq -r 'select(.kind=="township") | .fields.township_type_zh' "$OUT")" "街道"

# Grid, micro-grid, building, address.
gk 0 code check --json 321202007004001 321202007004001002 32120200700400017 321202007004000170020501
expect_eq "kinds" "$(jqv .kind | paste -sd, -)" "grid,microgrid,building,address"
expect_eq "address level" "$(jq -r 'select(.kind=="address") | .fields.level' "$OUT")" room
expect_eq "micro-grid parent" "$(jq -r 'select(.kind=="microgrid") | .parent' "$OUT")" 321202007004001
gk 1 code check 321202007004000
expect_out "grid.*INVALID"

# One invalid among valid ones: exit 1, every code still reported.
gk 1 code check 32 12345 3212
expect_eq "lines" "$(wc -l <"$OUT" | tr -d ' ')" 3
expect_out "^12345	unknown	INVALID"

# --kind forces the reading.
gk 0 code check --kind county 321202
gk 1 code check --kind township 321202
gk 1 code check --kind resident_id 321202007004001002
gk 2 code check --kind nonsense 32
expect_one_line_error
gk 2 code check
expect_one_line_error

# An 18-digit string that could be an ID with a typo is masked, whatever it reads as.
gk 0 code check 110105194912310021
expect_out "110105\*{8}0021"
expect_out "also=resident_id"
if grep -q "110105194912310021" "$OUT"; then echo "FAIL: possible ID printed in clear" >&2; FAILS=$((FAILS + 1)); else PASSES=$((PASSES + 1)); fi
gk 0 code check --unmask 110105194912310021
expect_out "^110105194912310021"
gk 0 code check --unmask --json 11010519491231002X
expect_eq "unmasked birth date" "$(jqv .fields.birth_date)" 1949-12-31

# Codes from stdin with '-'.
printf '32\n\n3212\r\n' | gk 0 code check --json -
expect_eq "stdin codes" "$(jqv .code | paste -sd, -)" "32,3212"

finish

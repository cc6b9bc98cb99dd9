#!/usr/bin/env bash
# gridkit address parse: components, JSON lines, stdin, bad rows, encodings.
source "$(dirname "$0")/lib.sh"

gk 0 address parse --help
expect_out "Usage: gridkit address parse"

# One address on the command line, no division table.
gk 0 address parse --divisions none "江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3栋2单元501室"
expect_out "^standard=江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3幢2单元501室"
expect_out "	building=3幢	unit=2单元	room=501室"

# JSON: components with spans (byte offsets) and normalised values.
gk 0 address parse --divisions none --json "翠竹苑１号楼２单元３０１室"
expect_eq "building" "$(jqv '.components.building.value')" "1幢"
expect_eq "building text" "$(jqv '.components.building.text')" "１号楼"
expect_eq "span" "$(jqv '.components.compound.span | join(",")')" "0,9"
expect_eq "standard" "$(jqv '.standard')" "翠竹苑1幢2单元301室"
expect_eq "no error" "$(jqv 'has("error")')" "false"

# --building-suffix
gk 0 address parse --divisions none --building-suffix 栋 "翠竹苑3号楼"
expect_out "building=3栋"

# stdin: one output line per input line; a bad line gives exit 1 and a message naming the line.
printf '翠竹苑3栋\n\n一品小区2幢\n' >"$T/in.txt"
gk 1 address parse --divisions none --json - <"$T/in.txt"
expect_eq "lines" "$(wc -l <"$OUT")" 3
expect_eq "line 2 error" "$(sed -n 2p "$OUT" | jq -r .error)" "empty address"
expect_eq "line 3" "$(sed -n 3p "$OUT" | jq -r .components.compound.value)" "一品小区"
expect_err "line 2: empty address"
gk 1 address parse --divisions none <"$T/in.txt"
expect_out "^error=empty address"

# GB18030 bytes passed as UTF-8: a clear error and the option that fixes it.
printf '\xcc\xa9\xd6\xdd\xca\xd0\xba\xa3\xc1\xea\xc7\xf8\n' >"$T/gb.txt"
gk 1 address parse --divisions none --json <"$T/gb.txt"
expect_err "looks like GB18030"
expect_err "--encoding GB18030"
gk 0 address parse --divisions none --encoding GB18030 --json <"$T/gb.txt"
expect_eq "gb18030 county" "$(jqv '.components.county.value')" "海陵区"

# Invalid UTF-8, an overlong line, emoji: per-line errors or rest, never a crash.
printf 'ab\xff\xfe\n' >"$T/bad.txt"
gk 1 address parse --divisions none --json <"$T/bad.txt"
expect_err "invalid UTF-8"
expect_eq "input kept as valid JSON" "$(jqv '.input')" "ab��"
long=$(printf '路%.0s' $(seq 1 2000))
gk 1 address parse --divisions none "$long"
expect_err "limit is 512"
gk 0 address parse --divisions none --json "翠竹苑3栋😀"
expect_eq "emoji in rest" "$(jqv '.components.rest.value')" "😀"

# Mixed scripts and symbols: parsed, what no rule takes goes to rest, never a crash.
gk 0 address parse --divisions none --json "Москва ул. Тверская 翠竹苑3栋 عنوان ☎"
expect_eq "compound among other scripts" "$(jqv '.components.compound.value')" "翠竹苑"
expect_eq "other scripts in rest" "$(jqv '.components.rest.value | test("Москва") and test("عنوان")')" true
# An empty argument, and a bulk stream mixing every bad kind: one output line per input line,
# each bad line an error naming its line number, the good ones parsed.
gk 1 address parse --divisions none ""
expect_out "^error=empty address"
{
  echo "翠竹苑3栋"
  echo ""
  printf '路%.0s' $(seq 1 2000); echo
  printf 'ab\xff\xfe\n'
  printf '\xcc\xa9\xd6\xdd\xca\xd0\n'
  echo "😀😀"
  echo "一品小区2幢"
} >"$T/mixed.txt"
gk 1 address parse --divisions none --json - <"$T/mixed.txt"
expect_eq "one line out per line in" "$(wc -l <"$OUT")" 7
expect_eq "errors per line" "$(jq -r '.error // "ok"' "$OUT" | sed 's/byte [0-9]*/byte N/' | paste -sd'|')" \
  "ok|empty address|address is 2000 characters long; the limit is 512|invalid UTF-8 at byte N|not UTF-8 (byte N); it looks like GB18030|ok|ok"
expect_eq "last line parsed" "$(tail -1 "$OUT" | jq -r .components.building.value)" "2幢"
expect_err "line 2: empty address"
expect_err "line 3: address is 2000 characters long"
expect_err "line 4: invalid UTF-8"
expect_err "line 5: .*GB18030"

# Usage errors.
gk 2 address parse --encoding KOI8-R "x"
expect_one_line_error
gk 3 address parse --divisions "$T/no-such-folder" "x"
expect_err "no-such-folder"
finish

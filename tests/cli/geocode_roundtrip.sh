#!/usr/bin/env bash
# gridkit geocode round trip: EVERY standard address of a synth workspace (3,000 households,
# seed 7), rewritten in three styles -- without the province and city, 栋 for 幢, full-width
# digits -- matches back to its own code (the "done when" of issue 4).
source "$(dirname "$0")/lib.sh"

WS="$T/w.sqlite"
gk 0 synth "$WS" --households 3000 --seed 7 -q
sqlite3 -separator , "$WS" "SELECT code, text FROM address ORDER BY code" >"$T/all.csv"
n=$(wc -l <"$T/all.csv")
expect_eq "synth wrote addresses" "$([ "$n" -gt 3000 ] && echo yes)" yes
expect_eq "every text has the province and city" "$(grep -vc ',江苏省泰州市' "$T/all.csv")" 0
expect_eq "the 幢 style is there to rewrite" "$(grep -c '幢' "$T/all.csv" | awk -v n="$n" '{print ($1 > n / 2) ? "yes" : "no"}')" yes

fullwidth() { sed 's/0/０/g; s/1/１/g; s/2/２/g; s/3/３/g; s/4/４/g; s/5/５/g; s/6/６/g; s/7/７/g; s/8/８/g; s/9/９/g'; }
# Each style: the code column is kept for the comparison, the text column is rewritten.
style_no_prefix() { sed 's/,江苏省泰州市/,/'; }
style_dong() { sed 's/幢/栋/g'; }

for style in no_prefix dong fullwidth; do
  {
    echo "code,地址"
    case $style in
      no_prefix) style_no_prefix <"$T/all.csv" ;;
      dong) style_dong <"$T/all.csv" ;;
      # Full-width digits in the address only, not in the code column.
      fullwidth) while IFS=, read -r code text; do printf '%s,%s\n' "$code" "$(printf '%s' "$text" | fullwidth)"; done <"$T/all.csv" ;;
    esac
  } >"$T/$style.csv"
  expect_eq "$style: rewritten rows" "$(($(wc -l <"$T/$style.csv") - 1))" "$n"
  changed=$(tail -n +2 "$T/$style.csv" | paste -d'\n' - "$T/all.csv" | paste - - | awk -F'\t' '$1 != $2' | wc -l)
  expect_eq "$style: most rows rewritten" "$([ "$changed" -gt $((n / 2)) ] && echo yes)" yes
  gk 0 geocode "$WS" "$T/$style.csv" --text-column 地址 --json
  expect_eq "$style: every row matched" "$(jqv '.counts | "\(.rows) \(.matched)"')" "$n $n"
  # Row i of the output is row i of the input: its code must be the one it was rewritten from.
  jqv '.rows[].address_code' >"$T/$style.got"
  cut -d, -f1 "$T/all.csv" >"$T/want"
  bad=$(paste -d' ' "$T/want" "$T/$style.got" | awk '$1 != $2' | wc -l)
  expect_eq "$style: rows matched to another code" "$bad" 0
  if [ "$bad" -ne 0 ]; then
     tail -n +2 "$T/$style.csv" | paste -d' ' "$T/want" "$T/$style.got" - | awk '$1 != $2' | head -5 | sed 's/^/  /' >&2
  fi
done
finish

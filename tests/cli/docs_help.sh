#!/usr/bin/env bash
# Every command has a docs/cli page, and the page's Options block is exactly its --help output.
source "$(dirname "$0")/lib.sh"
DOCS="$GRIDKIT_SOURCE_DIR/docs/cli"

# Commands as the binary lists them: top-level, and the subcommands of groups.
commands=()
top=$("$GRIDKIT" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}')
for c in $top; do
  subs=$("$GRIDKIT" "$c" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}')
  if [ -n "$subs" ]; then
    for s in $subs; do commands+=("$c $s"); done
  else
    commands+=("$c")
  fi
done
expect_eq "commands found" "$([ ${#commands[@]} -ge 6 ] && echo yes)" yes

for cmd in "${commands[@]}"; do
  page="$DOCS/gridkit-${cmd// /-}.md"
  if [ ! -f "$page" ]; then
    echo "FAIL: no docs page $page for 'gridkit $cmd'" >&2; FAILS=$((FAILS + 1)); continue
  fi
  # shellcheck disable=SC2086
  gk 0 $cmd --help
  want=$(awk '/<!-- help:begin -->/{on=1; next} /<!-- help:end -->/{on=0} on' "$page" | sed '/^```/d')
  got=$(cat "$OUT")
  if [ "$want" == "$got" ]; then
    PASSES=$((PASSES + 1))
  else
    echo "FAIL: $page: Options block differs from 'gridkit $cmd --help' (run scripts/update-docs)" >&2
    diff <(echo "$want") <(echo "$got") | head -10 >&2
    FAILS=$((FAILS + 1))
  fi
  for section in "## Synopsis" "## Options" "## Exit status"; do
    if grep -q "^$section" "$page"; then PASSES=$((PASSES + 1)); else echo "FAIL: $page lacks '$section'" >&2; FAILS=$((FAILS + 1)); fi
  done
done
# And every page documents a command the binary has (a command left out of the registry shows here).
for page in "$DOCS"/gridkit-*.md; do
  name=$(basename "$page" .md); name=${name#gridkit-}
  found=no
  for cmd in "${commands[@]}" $top; do [ "${cmd// /-}" == "$name" ] && found=yes; done
  expect_eq "$(basename "$page") documents a command gridkit has" "$found" yes
done
finish

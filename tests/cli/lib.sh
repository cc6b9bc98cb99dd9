# Helpers for CLI tests: source this from tests/cli/<name>.sh.
# Each test runs the real gridkit binary ($GRIDKIT) and asserts on exit status and output.
set -u
: "${GRIDKIT:?GRIDKIT must point at the gridkit binary}"
: "${GRIDKIT_SOURCE_DIR:?}"
SHARED="${GRIDKIT_SHARED_DATA:-$GRIDKIT_SOURCE_DIR/../shared/data}"
T="${GRIDKIT_TEST_TMP:-$(mktemp -d)}"
rm -rf "$T" && mkdir -p "$T"
FAILS=0
PASSES=0
OUT="$T/.out"
ERR="$T/.err"

# run EXPECTED_STATUS cmd args...: runs the command, keeps stdout in $OUT and stderr in $ERR.
run() {
  local want=$1; shift
  "$@" >"$OUT" 2>"$ERR"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: expected exit $want, got $got: $*" >&2
    sed 's/^/  stderr: /' "$ERR" | head -20 >&2
    FAILS=$((FAILS + 1)); return 1
  fi
  PASSES=$((PASSES + 1)); return 0
}
# gk EXPECTED_STATUS args...: run gridkit.
gk() { local want=$1; shift; run "$want" "$GRIDKIT" "$@"; }
# expect_out REGEX / expect_err REGEX: grep -E on the last stdout / stderr.
expect_out() { if grep -qE -- "$1" "$OUT"; then PASSES=$((PASSES + 1)); else echo "FAIL: stdout lacks /$1/" >&2; head -20 "$OUT" | sed 's/^/  stdout: /' >&2; FAILS=$((FAILS + 1)); fi; }
expect_err() { if grep -qE -- "$1" "$ERR"; then PASSES=$((PASSES + 1)); else echo "FAIL: stderr lacks /$1/" >&2; head -20 "$ERR" | sed 's/^/  stderr: /' >&2; FAILS=$((FAILS + 1)); fi; }
expect_no_err() { if grep -qE -- "$1" "$ERR"; then echo "FAIL: stderr has /$1/" >&2; FAILS=$((FAILS + 1)); else PASSES=$((PASSES + 1)); fi; }
# expect_eq WHAT GOT WANT
expect_eq() { if [ "$2" == "$3" ]; then PASSES=$((PASSES + 1)); else echo "FAIL: $1: got '$2', want '$3'" >&2; FAILS=$((FAILS + 1)); fi; }
# expect_one_line: a usage/run error is one line (plus an optional indented hint line).
expect_one_line_error() {
  local n; n=$(grep -cv '^  ' "$ERR")
  expect_eq "unindented stderr lines" "$n" 1
}
# jqv FILTER: evaluate jq on the last stdout.
jqv() { jq -r "$1" "$OUT"; }
# need_shared: skip (77) when ../shared/data is absent.
need_shared() { [ -d "$SHARED" ] || { echo "SKIP: $SHARED not present"; exit 77; }; }
# need_command WORDS...: skip (77) when this build has no `gridkit WORDS` (a command still in progress).
# (An unknown command's --help prints the top-level usage, so look for the command's own usage line.)
need_command() { "$GRIDKIT" "$@" --help 2>/dev/null | grep -q "^Usage: gridkit $* " || { echo "SKIP: needs 'gridkit $*', which this build does not have"; exit 77; }; }
# finish: summary line and status.
finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}

#!/usr/bin/env bash
# An import killed with SIGKILL half way leaves the workspace exactly as it was.
source "$(dirname "$0")/lib.sh"

gk 0 init "$T/w.sqlite" -q
printf 'code,text,lng,lat\n321202007004999990000000,before,119.9,32.4\n' > "$T/first.csv"
gk 0 import "$T/w.sqlite" "$T/first.csv" --layer address
before=$(sqlite3 "$T/w.sqlite" "SELECT count(*) || '/' || (SELECT count(*) FROM audit) FROM address")

awk 'BEGIN { print "code,text,lng,lat";
  for (i = 0; i < 400000; i++) {
    printf "321202007004%05d001%04d,泰州市海陵区迎春东路%d号,%.6f,%.6f\n", int(i / 1000) + 1, i % 1000 + 1, i, 119.9 + (i % 997) * 1e-5, 32.4 + int(i / 997) * 1e-5 } }' > "$T/big.csv"

"$GRIDKIT" -q import "$T/w.sqlite" "$T/big.csv" --layer address > /dev/null 2>&1 &
pid=$!
# Wait until the import is writing (its WAL grows), then kill it.
for _ in $(seq 1 200); do
  size=$(stat -c %s "$T/w.sqlite-wal" 2>/dev/null || echo 0)
  [ "$size" -gt 4000000 ] && break
  sleep 0.05
done
if kill -0 "$pid" 2>/dev/null; then
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  PASSES=$((PASSES+1))
else
  echo "FAIL: the import finished before it could be killed; make the file larger" >&2
  FAILS=$((FAILS+1))
fi

after=$(sqlite3 "$T/w.sqlite" "SELECT count(*) || '/' || (SELECT count(*) FROM audit) FROM address")
expect_eq "rows and audit after kill -9" "$after" "$before"
expect_eq "integrity" "$(sqlite3 "$T/w.sqlite" "PRAGMA integrity_check")" ok
gk 0 info "$T/w.sqlite" --json
expect_eq "workspace still opens" "$(jqv .layers.address)" 1
# The spatial index is intact too: the same import now runs to the end.
gk 0 import "$T/w.sqlite" "$T/big.csv" --layer address --json
expect_eq "full import after the kill" "$(jqv .written)" 400000
expect_eq "spatial index rows" "$(sqlite3 "$T/w.sqlite" "SELECT count(*) FROM idx_address_geom")" 400001
finish

#!/usr/bin/env bash
# gridkit key gen: mode 0600 whatever the umask, never overwritten without --overwrite, key id
# checked, public key file without secrets, key material never printed.
source "$(dirname "$0")/lib.sh"

gk 0 key gen --help
expect_out "Usage: gridkit key gen"

gk 0 key gen -o "$T/plates.key"
expect_eq "mode" "$(stat -c %a "$T/plates.key")" "600"
expect_eq "format line" "$(grep -c '^gridkit-doorplate-key 1$' "$T/plates.key")" "1"
secret=$(awk '$1 == "hmac-sha256" {print $2}' "$T/plates.key")
expect_eq "secret is 32 bytes" "${#secret}" "64"
kid=$(awk '$1 == "kid" {print $2}' "$T/plates.key")
expect_err "wrote key $kid"
expect_no_err "$secret"
grep -q "$secret" "$OUT" && { echo "FAIL: secret on stdout" >&2; FAILS=$((FAILS + 1)); } || PASSES=$((PASSES + 1))

# Never replaced without --overwrite: the old key stays as it was.
before=$(sha256sum <"$T/plates.key")
gk 3 key gen -o "$T/plates.key"
expect_err "already exists"
expect_err "--overwrite"
expect_one_line_error
expect_eq "unchanged" "$(sha256sum <"$T/plates.key")" "$before"
chmod 644 "$T/plates.key"
gk 0 key gen -o "$T/plates.key" --overwrite
expect_eq "mode after overwrite" "$(stat -c %a "$T/plates.key")" "600"
[ "$(sha256sum <"$T/plates.key")" != "$before" ] && PASSES=$((PASSES + 1)) || { echo "FAIL: not replaced" >&2; FAILS=$((FAILS + 1)); }

# 0600 even with a permissive umask; two keys never share a secret.
(umask 000 && "$GRIDKIT" key gen -o "$T/loose.key" 2>/dev/null)
expect_eq "mode under umask 000" "$(stat -c %a "$T/loose.key")" "600"
[ "$(awk '$1 == "hmac-sha256" {print $2}' "$T/loose.key")" != "$(awk '$1 == "hmac-sha256" {print $2}' "$T/plates.key")" ] &&
  PASSES=$((PASSES + 1)) || { echo "FAIL: two keys share a secret" >&2; FAILS=$((FAILS + 1)); }

# --kid, --json, --public.
gk 0 key gen -o "$T/k7.key" --kid K7 --public "$T/k7.pub" --json
expect_eq "kid" "$(jqv .kid)" "K7"
expect_eq "public file" "$(jqv .public_file)" "$T/k7.pub"
expect_eq "public has no secret" "$(grep -c -E '^(hmac-sha256|ed25519-secret) ' "$T/k7.pub")" "0"
expect_eq "public has the public key" "$(grep -c '^ed25519-public ' "$T/k7.pub")" "1"

# Usage errors: bad key id, no -o; a missing folder cannot run.
gk 2 key gen -o "$T/bad.key" --kid k7
expect_one_line_error
[ ! -e "$T/bad.key" ] && PASSES=$((PASSES + 1)) || { echo "FAIL: a refused key gen left a file" >&2; FAILS=$((FAILS + 1)); }
gk 2 key gen
gk 3 key gen -o "$T/no/such/folder/x.key"
expect_one_line_error
finish

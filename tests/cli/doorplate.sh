#!/usr/bin/env bash
# gridkit doorplate WS and doorplate verify: plates from a small workspace made here, every QR of
# the PDF / PNG / SVG output decoded (zbarimg, binary mode) and equal to its payload byte for byte,
# the MAC checked against openssl, verification exit codes, warnings, no personal data out.
source "$(dirname "$0")/lib.sh"

gk 0 doorplate --help
expect_out "Usage: gridkit doorplate"
gk 0 doorplate verify --help
expect_out "Usage: gridkit doorplate verify"

# A workspace: one grid with its worker, one micro-grid with its leader, addresses and houses.
WS="$T/ws.sqlite"
gk 0 init "$WS"
spatialite "$WS" >/dev/null <<'SQL'
INSERT INTO grid (code, name, leader, leader_phone) VALUES ('320506004011001', '龙西社区第一网格', '王晓明', '0512-65281234');
INSERT INTO grid (code, name, leader, leader_phone) VALUES ('320506004011002', '龙西社区第二网格', '李红', '0512-65285678');
INSERT INTO microgrid (code, grid_code, name, leader, leader_phone) VALUES ('320506004011001001', '320506004011001', '一号微网格', '赵微', '0512-65280001');
INSERT INTO address (code, text, grid_code, microgrid_code) VALUES
  ('320506004011000010010101', '苏州市吴中区长桥街道龙西社区龙西路8号1幢1单元101室', '320506004011001', '320506004011001001'),
  ('320506004011000010010102', '苏州市吴中区长桥街道龙西社区龙西路8号1幢1单元102室', '320506004011001', NULL),
  ('320506004011000010010201', '苏州市吴中区长桥街道龙西社区㙟村路8号1幢1单元201室', '320506004011001', NULL),
  ('320506004011000020010101', '苏州市吴中区长桥街道龙西社区𡌶里路2号101室', '320506004011002', NULL),
  ('320506004011000020010102', '苏州市吴中区长桥街道龙西社区𡌶里路2号102室', '320506004011002', NULL);
INSERT INTO house (code, address_code, use, rental) VALUES
  ('H1', '320506004011000010010101', '住宅', 1),
  ('H2', '320506004011000010010102', '住宅', 1),
  ('H2B', '320506004011000010010102', '住宅', 1),
  ('H3', '320506004011000010010201', '商业', 1),
  ('H4', '320506004011000020010101', '住宅', 1),
  ('H5', '320506004011000020010102', '住宅', 0),
  ('H6', NULL, '住宅', 1),
  ('H7', '320506004011000099990101', '住宅', 1);
INSERT INTO person (id_number, name, phone, house_code, tenant) VALUES ('11010519491231002X', '张三', '13800138000', 'H1', 1);
SQL
gk 0 key gen -o "$T/plates.key" --kid K1 -q
KEY="$T/plates.key"

# PDF sheets: 4 addresses get plates (H2 and H2B share one); H6 and H7 are listed, not made: exit 1.
gk 1 doorplate "$WS" --rental --key "$KEY" -o "$T/plates.pdf" --size small --page A4 --json
expect_eq "houses" "$(jqv .houses)" "7"
expect_eq "made" "$(jqv .counts.made)" "4"
expect_eq "not made" "$(jqv .counts.not_made)" "2"
expect_eq "no standard address" "$(jqv .counts.warnings.no_standard_address)" "2"
expect_eq "shared address" "$(jqv '.plates[] | select(.address_code == "320506004011000010010102") | .houses | join(",")')" "H2,H2B"
expect_eq "rare glyphs present" "$(jqv '.counts.warnings.missing_glyph // 0')" "0"
expect_eq "pages" "$(jqv .page.pages)" "$(( (4 + $(jqv .page.plates_per_page) - 1) / $(jqv .page.plates_per_page) ))"
jqv '.plates[] | select(.made) | .payload' | sort >"$T/payloads.txt"
expect_eq "payload lines" "$(wc -l <"$T/payloads.txt")" "4"
cp "$OUT" "$T/report.json"
# The grid worker is the micro-grid leader where there is one; phones never go into the report.
for phone in 13800138000 0512-65281234 0512-65280001; do
  grep -q -- "$phone" "$T/report.json" "$T/payloads.txt" && { echo "FAIL: $phone in the report" >&2; FAILS=$((FAILS + 1)); } || PASSES=$((PASSES + 1))
done
pdffonts "$T/plates.pdf" >"$T/fonts.txt"
grep -q "NotoSansCJK" "$T/fonts.txt" && PASSES=$((PASSES + 1)) || { echo "FAIL: Noto Sans CJK not embedded" >&2; FAILS=$((FAILS + 1)); }

# Every QR of every page decodes to exactly the payloads (zbarimg in binary mode prints the raw
# bytes of each symbol with nothing between them: split at the scheme).
pdftoppm -r 150 -png "$T/plates.pdf" "$T/page"
for f in "$T"/page*.png; do zbarimg --raw -q --nodbus -Sdisable -Sqrcode.enable -Sbinary "$f"; done |
  sed 's#HTTPS://#\nHTTPS://#g' | sed '/^$/d' | sort >"$T/decoded.txt"
expect_eq "PDF decodes to the payloads" "$(cat "$T/decoded.txt")" "$(cat "$T/payloads.txt")"

# The payloads verify; the MAC is HMAC-SHA256(v1|code|kid) truncated to 80 bits, as openssl says.
gk 0 doorplate verify $(cat "$T/payloads.txt") --key "$KEY"
expect_eq "valid lines" "$(grep -c '^valid' "$OUT")" "4"
p1=$(head -1 "$T/payloads.txt")
code=$(echo "$p1" | cut -d/ -f5)
secret=$(awk '$1 == "hmac-sha256" {print $2}' "$KEY")
hmac=$(printf 'v1|%s|K1' "$code" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$secret" | awk '{print $NF}')
mac=$(python3 -c "import base64,sys; print(base64.b32encode(bytes.fromhex(sys.argv[1])[:10]).decode())" "$hmac")
expect_eq "MAC as openssl computes it" "$p1" "HTTPS://GRID.EXAMPLE.GOV.CN/H/$code/K1/$mac"

# A changed digit, another key with the same id, an unknown key id, garbage: exit 1.
changed="${p1/$code/${code:0:23}$(( (${code: -1} + 1) % 10 ))}"
gk 1 doorplate verify "$changed" --key "$KEY"
expect_out "INVALID  bad_mac"
gk 0 key gen -o "$T/other.key" --kid K1 -q
gk 1 doorplate verify "$p1" --key "$T/other.key" --json
expect_eq "wrong key" "$(jqv .status)" "bad_mac"
gk 0 key gen -o "$T/k2.key" --kid K2 -q
gk 1 doorplate verify "$p1" --key "$T/k2.key"
expect_out "unknown_key"
gk 0 doorplate verify "$p1" --key "$T/k2.key" --key "$KEY"
gk 1 doorplate verify "$p1" "HELLO" --key "$KEY"
expect_out "^valid"
expect_out "INVALID  malformed"
printf '%s\n%s\n' "$p1" "$changed" | "$GRIDKIT" doorplate verify - --key "$KEY" >"$OUT" 2>"$ERR"
expect_eq "stdin exit" "$?" "1"
expect_eq "stdin lines" "$(wc -l <"$OUT")" "2"

# Bad key files: exit 3 with one line; loose permissions: a warning, still works.
printf 'gridkit-doorplate-key 1\nkid K1\nhmac-sha256 zz\n' >"$T/bad.key"
gk 3 doorplate verify "$p1" --key "$T/bad.key"
expect_one_line_error
expect_err "bad.key"
gk 3 doorplate verify "$p1" --key "$T/missing.key"
expect_one_line_error
gk 3 doorplate "$WS" --rental --key "$T/bad.key" -o "$T/x.pdf"
expect_one_line_error
cp "$KEY" "$T/loose.key" && chmod 644 "$T/loose.key"
gk 0 doorplate verify "$p1" --key "$T/loose.key"
expect_err "warning: .*loose.key.*chmod 600"

# Never overwritten without --overwrite.
gk 3 doorplate "$WS" --rental --key "$KEY" -o "$T/plates.pdf" --size small
expect_err "already exists"
expect_one_line_error
gk 1 doorplate "$WS" --rental --key "$KEY" -o "$T/plates.pdf" --size medium --overwrite
expect_out "4 medium plate"

# PNG folder: one file per plate named by address code, each decoding to its payload.
gk 1 doorplate "$WS" --rental --key "$KEY" -o "$T/png" --format png --dpi 150 --json
for code in $(jqv '.plates[] | select(.made) | .address_code'); do
  want=$(jq -r --arg c "$code" '.plates[] | select(.address_code == $c) | .payload' "$OUT")
  got=$(zbarimg --raw -q --nodbus -Sdisable -Sqrcode.enable -Sbinary "$T/png/$code.png")
  expect_eq "PNG $code" "$got" "$want"
done
expect_eq "PNG files" "$(ls "$T/png" | wc -l)" "4"

# SVG folder, signed payloads (Ed25519), rasterised with rsvg-convert.
gk 1 doorplate "$WS" --rental --key "$KEY" -o "$T/svg" --format svg --size label --sign ed25519 --json
cp "$OUT" "$T/svg.json"
for code in $(jq -r '.plates[] | select(.made) | .address_code' "$T/svg.json"); do
  want=$(jq -r --arg c "$code" '.plates[] | select(.address_code == $c) | .payload' "$T/svg.json")
  rsvg-convert -d 300 -p 300 -o "$T/svg-$code.png" "$T/svg/$code.svg"
  got=$(zbarimg --raw -q --nodbus -Sdisable -Sqrcode.enable -Sbinary "$T/svg-$code.png")
  expect_eq "SVG $code" "$got" "$want"
  gk 0 doorplate verify "$got" --key "$KEY" --json
  expect_eq "signature checked" "$(jqv .signature_checked)" "true"
done

# Selections: a grid or micro-grid, --where; bad ones are usage errors.
gk 0 doorplate "$WS" --rental --grid 320506004011001001 --key "$KEY" -o "$T/g.pdf" --json
expect_eq "micro-grid plates" "$(jqv .counts.made)" "1"
gk 0 doorplate "$WS" --grid 320506004011002 --where "house.use = '住宅'" --key "$KEY" -o "$T/g2.pdf" --json
expect_eq "grid 2 plates" "$(jqv .counts.made)" "2"
gk 2 doorplate "$WS" --grid 320506004011999 --key "$KEY" -o "$T/g3.pdf"
expect_one_line_error
gk 2 doorplate "$WS" --where "no_such_column = 1" --key "$KEY" -o "$T/g4.pdf"
expect_one_line_error
expect_err "where"
gk 0 doorplate "$WS" --where "house.code = 'nobody'" --key "$KEY" -o "$T/none.pdf"
expect_err "nothing written"
[ ! -e "$T/none.pdf" ] && PASSES=$((PASSES + 1)) || { echo "FAIL: empty selection wrote a file" >&2; FAILS=$((FAILS + 1)); }

# Usage errors: no key, no output, a folder without --format, bad size.
gk 2 doorplate "$WS" -o "$T/y.pdf"
expect_one_line_error
gk 2 doorplate "$WS" --key "$KEY"
gk 2 doorplate "$WS" --key "$KEY" -o "$T/folder"
expect_err "--format"
gk 2 doorplate "$WS" --key "$KEY" -o "$T/y.pdf" --size huge
gk 3 doorplate "$T/missing.sqlite" --key "$KEY" -o "$T/y.pdf"
expect_one_line_error
finish

// Doorplate payloads: base32, the MAC (known answers computed with openssl), verification of
// good, changed and foreign payloads, Ed25519 signatures, URL templates.
#include "libgrid/doorplate.hpp"
#include "libgrid/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

using namespace grid::doorplate;

namespace {

std::string b32(std::string_view s) { return base32_encode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

/// RFC 4231 test case 1 key (20 bytes of 0x0b); HMAC pads shorter keys with zeros, so the same
/// key as libsodium's 32-byte key is 0x0b x 20 followed by 12 zero bytes.
Key rfc4231_key(const std::string& kid) {
    Key key;
    key.kid = kid;
    key.has_hmac = true;
    std::fill(key.hmac.begin(), key.hmac.begin() + 20, 0x0b);
    return key;
}

const std::string code = "110105001001000010010101";

} // namespace

TEST_CASE("base32 encodes the RFC 4648 test vectors without padding") {
    CHECK(b32("") == "");
    CHECK(b32("f") == "MY");
    CHECK(b32("fo") == "MZXQ");
    CHECK(b32("foo") == "MZXW6");
    CHECK(b32("foob") == "MZXW6YQ");
    CHECK(b32("fooba") == "MZXW6YTB");
    CHECK(b32("foobar") == "MZXW6YTBOI");
}

TEST_CASE("base32 decoding is strict and round-trips") {
    std::vector<std::uint8_t> out;
    REQUIRE(base32_decode("MZXW6YTBOI", out));
    CHECK(std::string(out.begin(), out.end()) == "foobar");
    for (int n = 0; n < 70; ++n) {
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i * 37 + n);
        }
        REQUIRE(base32_decode(base32_encode(bytes.data(), bytes.size()), out));
        CHECK(out == bytes);
    }
    CHECK_FALSE(base32_decode("mzxw6ytboi", out)); // lower case
    CHECK_FALSE(base32_decode("MZXW6YTBO1", out)); // 1 is not in the alphabet
    CHECK_FALSE(base32_decode("MY======", out));   // no padding
    CHECK_FALSE(base32_decode("MZ", out));         // trailing bits not zero: not canonical
    CHECK_FALSE(base32_decode("MZX", out));        // a length no byte count gives
}

TEST_CASE("the MAC is HMAC-SHA256 over v1|code|kid, 80 bits, base32 (known answers)") {
    // RFC 4231 case 1 through the same key layout: HMAC-SHA256(0x0b x 20, "Hi There") starts b0344c61d8db38535ca8.
    // The payload MAC below was computed independently:
    //   printf 'v1|110105001001000010010101|K1' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0b..0b(20)00..00(12)
    //   = 6de01579bca96e95fcae7b51...; its first 10 bytes in base32 = NXQBK6N4VFXJL7FO
    const Key key = rfc4231_key("K1");
    CHECK(signed_message(code, "K1") == "v1|110105001001000010010101|K1");
    CHECK(payload_mac(key, code) == "NXQBK6N4VFXJL7FO");
    const std::uint8_t first10[] = {0x6d, 0xe0, 0x15, 0x79, 0xbc, 0xa9, 0x6e, 0x95, 0xfc, 0xae};
    CHECK(payload_mac(key, code) == base32_encode(first10, sizeof first10));
    CHECK(make_payload(key, code) == "HTTPS://GRID.EXAMPLE.GOV.CN/H/110105001001000010010101/K1/NXQBK6N4VFXJL7FO");
}

TEST_CASE("the default payload is upper-case QR alphanumeric text") {
    const Key key = generate_key();
    const std::string p = make_payload(key, code);
    CHECK(qr_alphanumeric(p));
    CHECK(p.find(code) != std::string::npos);
    CHECK(payload_mac(key, code).size() == 16);
    CHECK_FALSE(qr_alphanumeric("https://grid.example.gov.cn/"));
}

TEST_CASE("a payload made with a key verifies with it") {
    const Key key = generate_key();
    const Verification v = verify(make_payload(key, code), {key});
    CHECK(v.valid());
    CHECK(v.status == VerifyStatus::valid);
    CHECK(v.address_code == code);
    CHECK(v.kid == key.kid);
    CHECK(v.mac_checked);
    CHECK_FALSE(v.signature_checked);
}

TEST_CASE("changing any digit of the address code fails verification") {
    const Key key = generate_key();
    const std::string payload = make_payload(key, code);
    const std::size_t at = payload.find(code);
    for (std::size_t i = 0; i < code.size(); ++i) {
        std::string changed = payload;
        changed[at + i] = changed[at + i] == '9' ? '0' : static_cast<char>(changed[at + i] + 1);
        const Verification v = verify(changed, {key});
        CHECK_MESSAGE(v.status == VerifyStatus::bad_mac, "digit " << i);
        CHECK_FALSE(v.reason.empty());
    }
}

TEST_CASE("changing the MAC, a wrong key, an unknown key id and a dropped digit fail") {
    const Key key = generate_key("A1");
    const std::string payload = make_payload(key, code);
    std::string changed = payload;
    changed.back() = changed.back() == 'A' ? 'B' : 'A';
    CHECK(verify(changed, {key}).status == VerifyStatus::bad_mac);

    const Key same_id_other_secret = generate_key("A1");
    CHECK(verify(payload, {same_id_other_secret}).status == VerifyStatus::bad_mac);
    CHECK(verify(payload, {generate_key("B2")}).status == VerifyStatus::unknown_key);
    // Any of several keys may match (key rotation).
    CHECK(verify(payload, {generate_key("B2"), key}).valid());

    std::string shorter = payload;
    shorter.erase(payload.find(code), 1);
    CHECK(verify(shorter, {key}).status == VerifyStatus::bad_code);
}

TEST_CASE("payloads that do not match the template are malformed") {
    const Key key = generate_key();
    const std::string payload = make_payload(key, code);
    CHECK(verify("", {key}).status == VerifyStatus::malformed);
    CHECK(verify("hello", {key}).status == VerifyStatus::malformed);
    std::string other_host = payload;
    other_host.replace(8, 4, "EVIL");
    CHECK(verify(other_host, {key}).status == VerifyStatus::malformed);
    CHECK(verify(payload + "/", {key}).status == VerifyStatus::malformed);
    CHECK(verify(payload.substr(0, payload.size() - 1), {key}).status == VerifyStatus::malformed);
}

TEST_CASE("Ed25519 signatures round-trip and check offline with the public key only") {
    const Key key = generate_key();
    const std::string payload = make_payload(key, code, default_url_template, Signature::ed25519);
    CHECK(qr_alphanumeric(payload));
    const std::string sig = payload.substr(payload.rfind('/') + 1);
    CHECK(sig.size() == 103);

    const Verification full = verify(payload, {key});
    CHECK(full.valid());
    CHECK(full.mac_checked);
    CHECK(full.signature_checked);

    Key pub;
    pub.kid = key.kid;
    pub.has_sign_public = true;
    pub.sign_public = key.sign_public;
    const Verification offline = verify(payload, {pub});
    CHECK(offline.valid());
    CHECK_FALSE(offline.mac_checked);
    CHECK(offline.signature_checked);

    // A changed signature character or code fails; an unsigned payload cannot be checked offline.
    std::string bad = payload;
    bad[bad.size() - 10] = bad[bad.size() - 10] == 'A' ? 'B' : 'A';
    CHECK(verify(bad, {pub}).status == VerifyStatus::bad_signature);
    std::string changed_code = payload;
    changed_code[payload.find(code) + 23] = '7';
    CHECK(verify(changed_code, {pub}).status == VerifyStatus::bad_signature);
    CHECK(verify(make_payload(key, code), {pub}).status == VerifyStatus::cannot_verify);
}

TEST_CASE("URL templates: placeholders checked, {sig} added when signing, custom templates verify") {
    CHECK_THROWS_AS(effective_url_template("HTTPS://X/{code}/{kid}", Signature::none), grid::usage_error);
    CHECK_THROWS_AS(effective_url_template("HTTPS://X/{code}/{kid}/{mac}/{code}", Signature::none),
                    grid::usage_error);
    CHECK_THROWS_AS(effective_url_template("HTTPS://X/{code}/{kid}/{mac}/{who}", Signature::none),
                    grid::usage_error);
    CHECK_THROWS_AS(effective_url_template("HTTPS://X/{code}{kid}/{mac}", Signature::none), grid::usage_error);
    CHECK_THROWS_AS(effective_url_template("HTTPS://X/{code}A{kid}/{mac}", Signature::none), grid::usage_error);
    CHECK_THROWS_AS(effective_url_template("HTTPS://X/{code/{kid}/{mac}", Signature::none), grid::usage_error);
    CHECK(effective_url_template("HTTPS://X/{code}/{kid}/{mac}", Signature::ed25519) ==
          "HTTPS://X/{code}/{kid}/{mac}/{sig}");

    const Key key = generate_key();
    const std::string tpl = "HTTPS://WG.EXAMPLE.CN/Q?C={code}&K={kid}&M={mac}";
    const std::string payload = make_payload(key, code, tpl);
    CHECK(payload.rfind("HTTPS://WG.EXAMPLE.CN/Q?C=" + code + "&K=" + key.kid + "&M=", 0) == 0);
    CHECK(verify(payload, {key}, tpl).valid());
    CHECK(verify(payload, {key}).status == VerifyStatus::malformed); // another template
    CHECK_THROWS_AS(make_payload(key, "12345"), grid::usage_error);
}

TEST_CASE("key ids: random by default, checked when given") {
    const Key a = generate_key();
    CHECK(a.kid.size() == 4);
    CHECK(qr_alphanumeric(a.kid));
    CHECK(generate_key("K7").kid == "K7");
    CHECK_THROWS_AS(generate_key("k7"), grid::usage_error);
    CHECK_THROWS_AS(generate_key("TOOLONGID"), grid::usage_error);
    CHECK(generate_key().hmac != generate_key().hmac);
}

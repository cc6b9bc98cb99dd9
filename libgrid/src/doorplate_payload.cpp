// Doorplate payloads: base32, the MAC and signature over "v1|<code>|<kid>", URL templates and
// verification of a scanned payload (docs/doorplate.md, "Payload").
#include "libgrid/doorplate.hpp"

#include "libgrid/error.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace grid::doorplate {

namespace {

constexpr char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t mac_bytes = 10; // 80 bits
constexpr std::size_t mac_chars = 16;
constexpr std::size_t sig_chars = 103; // 64 bytes

int base32_value(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= '2' && c <= '7') {
        return c - '2' + 26;
    }
    return -1;
}

void init_sodium() {
    if (sodium_init() < 0) {
        throw error("libsodium could not be initialised", "check that the system has a working random source");
    }
}

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A URL template split into literal text and placeholders.
struct TemplatePart {
    bool placeholder = false;
    std::string text; ///< the literal, or the placeholder name (code, kid, mac, sig)
};

std::vector<TemplatePart> split_template(std::string_view tpl) {
    std::vector<TemplatePart> parts;
    std::size_t i = 0;
    while (i < tpl.size()) {
        const std::size_t open = tpl.find('{', i);
        const std::size_t close_stray = tpl.find('}', i);
        if (close_stray != std::string_view::npos && (open == std::string_view::npos || close_stray < open)) {
            throw usage_error("URL template '" + std::string(tpl) + "' has a '}' without '{'",
                              "placeholders are {code}, {kid}, {mac} and {sig}");
        }
        if (open == std::string_view::npos) {
            parts.push_back({false, std::string(tpl.substr(i))});
            break;
        }
        if (open > i) {
            parts.push_back({false, std::string(tpl.substr(i, open - i))});
        }
        const std::size_t close = tpl.find('}', open);
        if (close == std::string_view::npos) {
            throw usage_error("URL template '" + std::string(tpl) + "' has a '{' without '}'",
                              "placeholders are {code}, {kid}, {mac} and {sig}");
        }
        const std::string name(tpl.substr(open + 1, close - open - 1));
        if (name != "code" && name != "kid" && name != "mac" && name != "sig") {
            throw usage_error("URL template has an unknown placeholder {" + name + "}",
                              "placeholders are {code}, {kid}, {mac} and {sig}");
        }
        parts.push_back({true, name});
        i = close + 1;
    }
    return parts;
}

/// A placeholder value is a run of letters and digits; what it must be is checked after matching.
bool placeholder_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::string substitute(const std::vector<TemplatePart>& parts, const std::string& code, const std::string& kid,
                       const std::string& mac, const std::string& sig) {
    std::string out;
    for (const auto& part : parts) {
        if (!part.placeholder) {
            out += part.text;
        } else if (part.text == "code") {
            out += code;
        } else if (part.text == "kid") {
            out += kid;
        } else if (part.text == "mac") {
            out += mac;
        } else {
            out += sig;
        }
    }
    return out;
}

/// Matches a payload against the template; fills the placeholder values. False if it does not match.
bool match_template(const std::vector<TemplatePart>& parts, std::string_view payload,
                    std::vector<std::pair<std::string, std::string>>& values) {
    std::size_t pos = 0;
    for (const auto& part : parts) {
        if (!part.placeholder) {
            if (payload.substr(pos, part.text.size()) != part.text) {
                return false;
            }
            pos += part.text.size();
        } else {
            std::size_t end = pos;
            while (end < payload.size() && placeholder_char(payload[end])) {
                ++end;
            }
            if (end == pos) {
                return false; // every placeholder has a value
            }
            values.emplace_back(part.text, std::string(payload.substr(pos, end - pos)));
            pos = end;
        }
    }
    return pos == payload.size();
}

} // namespace

std::string base32_encode(const std::uint8_t* data, std::size_t size) {
    std::string out;
    out.reserve((size * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            out += base32_alphabet[(buffer >> (bits - 5)) & 31U];
            bits -= 5;
        }
    }
    if (bits > 0) {
        out += base32_alphabet[(buffer << (5 - bits)) & 31U];
    }
    return out;
}

bool base32_decode(std::string_view text, std::vector<std::uint8_t>& out) {
    out.clear();
    // Lengths that no byte count produces (1, 3, 6 mod 8) are not canonical.
    const std::size_t rest = text.size() % 8;
    if (rest == 1 || rest == 3 || rest == 6) {
        return false;
    }
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int v = base32_value(c);
        if (v < 0) {
            return false;
        }
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xFFU));
            bits -= 8;
        }
        buffer &= (1U << bits) - 1U;
    }
    return buffer == 0; // unused trailing bits must be zero
}

std::string signed_message(std::string_view address_code, std::string_view kid) {
    return "v1|" + std::string(address_code) + "|" + std::string(kid);
}

std::string payload_mac(const Key& key, std::string_view address_code) {
    if (!key.has_hmac) {
        throw usage_error("key " + key.kid + " has no HMAC secret (a public key file cannot make plates)",
                          "use the key file written by 'gridkit key gen -o KEYFILE'");
    }
    init_sodium();
    const std::string msg = signed_message(address_code, key.kid);
    std::array<std::uint8_t, crypto_auth_hmacsha256_BYTES> full{};
    crypto_auth_hmacsha256(full.data(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                           key.hmac.data());
    return base32_encode(full.data(), mac_bytes);
}

std::string payload_signature(const Key& key, std::string_view address_code) {
    if (!key.has_sign_secret) {
        throw usage_error("key " + key.kid + " has no Ed25519 secret key", "use a key file from 'gridkit key gen'");
    }
    init_sodium();
    const std::string msg = signed_message(address_code, key.kid);
    std::array<std::uint8_t, crypto_sign_ed25519_BYTES> sig{};
    crypto_sign_ed25519_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                 key.sign_secret.data());
    return base32_encode(sig.data(), sig.size());
}

std::string effective_url_template(std::string_view url_template, Signature sign) {
    for (char c : url_template) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) {
            throw usage_error("URL template must be printable ASCII",
                              "e.g. HTTPS://GRID.EXAMPLE.GOV.CN/H/{code}/{kid}/{mac}");
        }
    }
    const auto parts = split_template(url_template);
    int code = 0, kid = 0, mac = 0, sig = 0;
    for (const auto& p : parts) {
        if (p.placeholder) {
            code += p.text == "code";
            kid += p.text == "kid";
            mac += p.text == "mac";
            sig += p.text == "sig";
        }
    }
    if (code != 1 || kid != 1 || mac != 1 || sig > 1) {
        throw usage_error("URL template '" + std::string(url_template) +
                              "' must contain {code}, {kid} and {mac} once each ({sig} at most once)",
                          "e.g. HTTPS://GRID.EXAMPLE.GOV.CN/H/{code}/{kid}/{mac}");
    }
    // Two placeholders side by side could not be told apart when verifying.
    for (std::size_t i = 1; i < parts.size(); ++i) {
        if (parts[i].placeholder && parts[i - 1].placeholder) {
            throw usage_error("URL template has {" + parts[i - 1].text + "}{" + parts[i].text +
                                  "} with nothing between them",
                              "separate placeholders with '/' or another character that is not a letter or digit");
        }
    }
    // A placeholder value runs until the first character that is not a letter or digit, so the
    // text right after a placeholder must start with one.
    for (std::size_t i = 1; i < parts.size(); ++i) {
        if (!parts[i].placeholder && parts[i - 1].placeholder &&
            std::isalnum(static_cast<unsigned char>(parts[i].text.front())) != 0) {
            throw usage_error("URL template has '" + parts[i].text.substr(0, 1) + "' right after {" +
                                  parts[i - 1].text + "}",
                              "follow a placeholder with '/', '?', '&', '.' or another non-alphanumeric character");
        }
    }
    std::string out(url_template);
    if (sign == Signature::ed25519 && sig == 0) {
        out += "/{sig}";
    }
    return out;
}

bool qr_alphanumeric(std::string_view text) {
    static constexpr std::string_view extra = " $%*+-./:";
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || extra.find(c) != std::string_view::npos;
    });
}

std::string make_payload(const Key& key, std::string_view address_code, std::string_view url_template,
                         Signature sign) {
    if (address_code.size() != 24 || !all_digits(address_code)) {
        throw usage_error("address code '" + std::string(address_code) + "' is not 24 digits",
                          "a standard-address code has 24 digits (docs/codes.md)");
    }
    const auto parts = split_template(effective_url_template(url_template, sign));
    const std::string mac = payload_mac(key, address_code);
    const std::string sig = sign == Signature::ed25519 ? payload_signature(key, address_code) : std::string();
    return substitute(parts, std::string(address_code), key.kid, mac, sig);
}

std::string_view status_name(VerifyStatus status) noexcept {
    switch (status) {
    case VerifyStatus::valid: return "valid";
    case VerifyStatus::malformed: return "malformed";
    case VerifyStatus::bad_code: return "bad_code";
    case VerifyStatus::unknown_key: return "unknown_key";
    case VerifyStatus::bad_mac: return "bad_mac";
    case VerifyStatus::bad_signature: return "bad_signature";
    case VerifyStatus::cannot_verify: return "cannot_verify";
    }
    return "unknown";
}

Verification verify(std::string_view payload, const std::vector<Key>& keys, std::string_view url_template) {
    Verification v;
    auto fail = [&v](VerifyStatus status, std::string reason) {
        v.status = status;
        v.reason = std::move(reason);
        return v;
    };
    const std::string tpl = effective_url_template(url_template, Signature::none);
    std::vector<std::pair<std::string, std::string>> values;
    bool matched = match_template(split_template(tpl), payload, values);
    if (!matched && tpl.find("{sig}") == std::string::npos) {
        values.clear();
        matched = match_template(split_template(tpl + "/{sig}"), payload, values);
    }
    if (!matched) {
        return fail(VerifyStatus::malformed, "does not match the URL template " + tpl);
    }
    std::string mac, sig;
    for (const auto& [name, value] : values) {
        if (name == "code") {
            v.address_code = value;
        } else if (name == "kid") {
            v.kid = value;
        } else if (name == "mac") {
            mac = value;
        } else {
            sig = value;
        }
    }
    if (v.address_code.size() != 24 || !all_digits(v.address_code)) {
        return fail(VerifyStatus::bad_code, "address code '" + v.address_code + "' is not 24 digits: it was changed");
    }
    std::vector<std::uint8_t> mac_bin, sig_bin;
    if (mac.size() != mac_chars || !base32_decode(mac, mac_bin)) {
        return fail(VerifyStatus::malformed, "MAC '" + mac + "' is not 16 base32 characters");
    }
    const bool has_sig = !sig.empty();
    if (has_sig && (sig.size() != sig_chars || !base32_decode(sig, sig_bin) || sig_bin.size() != 64)) {
        return fail(VerifyStatus::malformed, "signature is not 103 base32 characters");
    }
    const auto key = std::find_if(keys.begin(), keys.end(), [&v](const Key& k) { return k.kid == v.kid; });
    if (key == keys.end()) {
        return fail(VerifyStatus::unknown_key, "key id '" + v.kid + "' is not the id of any key given");
    }
    init_sodium();
    const std::string msg = signed_message(v.address_code, v.kid);
    if (key->has_hmac) {
        std::array<std::uint8_t, crypto_auth_hmacsha256_BYTES> full{};
        crypto_auth_hmacsha256(full.data(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                               key->hmac.data());
        v.mac_checked = true;
        if (sodium_memcmp(full.data(), mac_bin.data(), mac_bytes) != 0) {
            return fail(VerifyStatus::bad_mac, "MAC does not match address code " + v.address_code + " and key " +
                                                   v.kid + ": the code or MAC was changed, or another key made it");
        }
    }
    if (has_sig) {
        if (!key->has_sign_public) {
            return fail(VerifyStatus::cannot_verify, "key " + v.kid + " has no Ed25519 public key");
        }
        v.signature_checked = true;
        if (crypto_sign_ed25519_verify_detached(sig_bin.data(), reinterpret_cast<const unsigned char*>(msg.data()),
                                                msg.size(), key->sign_public.data()) != 0) {
            return fail(VerifyStatus::bad_signature, "Ed25519 signature does not match address code " +
                                                         v.address_code + " and key " + v.kid);
        }
    }
    if (!v.mac_checked && !v.signature_checked) {
        return fail(VerifyStatus::cannot_verify, "key " + v.kid +
                                                     " is a public key file and the payload carries no signature");
    }
    v.status = VerifyStatus::valid;
    return v;
}

} // namespace grid::doorplate

// QR doorplates (二维码门牌) for houses, rental houses above all (design/DOORPLATE.md, docs/doorplate.md):
// doorplate keys, the signed QR payload keyed by the 24-digit standard-address code, its
// verification, and plates rendered with cairo + pango + libqrencode to PDF sheets or to one
// SVG / PNG per plate. No personal data goes into a payload, a warning or an error message.
#pragma once

#include "libgrid/progress.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::doorplate {

// ---------------------------------------------------------------------------------------------
// Base32 (RFC 4648 alphabet A-Z 2-7, upper case, no padding): every character is in the QR
// alphanumeric set, so MACs and signatures do not force the QR into byte mode.

std::string base32_encode(const std::uint8_t* data, std::size_t size);
/// Strict decoding: only A-Z and 2-7, no padding, and the unused trailing bits must be zero (so
/// every byte string has exactly one encoding). Returns false on anything else.
bool base32_decode(std::string_view text, std::vector<std::uint8_t>& out);

// ---------------------------------------------------------------------------------------------
// Keys

/// A doorplate key: a key id (printed into every payload so keys can be rotated), an HMAC-SHA256
/// secret and an Ed25519 key pair. A public key file holds the id and the Ed25519 public key only
/// (enough to check signed plates offline). The secrets are wiped when the object is destroyed.
class Key {
public:
    Key() = default;
    Key(const Key& other) = default;
    Key& operator=(const Key& other) = default;
    ~Key();

    std::string kid;                          ///< 1-8 characters of 0-9 A-Z
    bool has_hmac = false;                    ///< hmac holds the secret
    bool has_sign_secret = false;             ///< sign_secret holds the Ed25519 secret key
    bool has_sign_public = false;             ///< sign_public holds the Ed25519 public key
    std::array<std::uint8_t, 32> hmac{};      ///< HMAC-SHA256 secret
    std::array<std::uint8_t, 32> sign_public{};
    std::array<std::uint8_t, 64> sign_secret{}; ///< libsodium layout: seed followed by the public key
};

/// A new key from libsodium's randombytes. `kid` empty: 4 random base32 characters.
/// Throws usage_error when kid is not 1-8 characters of 0-9 A-Z.
Key generate_key(const std::string& kid = {});

/// Writes the key file with mode 0600. Without `overwrite` the file is created with O_EXCL and an
/// existing file is an io_error; with it, the file is replaced atomically (write + rename).
/// `public_only`: writes the id and the Ed25519 public key only (for offline verifiers).
void write_key_file(const Key& key, const std::string& path, bool overwrite, bool public_only = false);

struct KeyFile {
    Key key;
    std::vector<std::string> warnings; ///< e.g. "KEYFILE is readable by group or others (mode 0644): chmod 600 KEYFILE"
};

/// Reads a key file. Missing / unreadable: io_error; malformed: parse_error naming the file and
/// line (never its content). A key file readable by group or others gives a warning, not an error.
KeyFile read_key_file(const std::string& path);

// ---------------------------------------------------------------------------------------------
// Payload

inline constexpr std::string_view default_url_template = "HTTPS://GRID.EXAMPLE.GOV.CN/H/{code}/{kid}/{mac}";

enum class Signature { none, ed25519 };

/// The text every MAC and signature covers: "v1|<address code>|<serial>", where the serial is
/// the key id (docs/doorplate.md says why).
std::string signed_message(std::string_view address_code, std::string_view kid);

/// HMAC-SHA256 of signed_message(), truncated to 80 bits, base32 (16 characters).
/// Throws usage_error when the key has no HMAC secret.
std::string payload_mac(const Key& key, std::string_view address_code);

/// Ed25519 signature of signed_message(), base32 (103 characters).
std::string payload_signature(const Key& key, std::string_view address_code);

/// Checks a URL template: it must contain {code}, {kid} and {mac} once each, may contain {sig},
/// no other braces, and only printable ASCII. Throws usage_error otherwise. Returns the template
/// to use with `sign` (with "/{sig}" appended when signing and the template has no {sig}).
std::string effective_url_template(std::string_view url_template, Signature sign);

/// True when every character is in the QR alphanumeric set (0-9 A-Z space $ % * + - . / :),
/// so the QR code stays small.
bool qr_alphanumeric(std::string_view text);

/// The payload of one plate. `address_code` must be 24 digits (usage_error otherwise).
std::string make_payload(const Key& key, std::string_view address_code,
                         std::string_view url_template = default_url_template, Signature sign = Signature::none);

enum class VerifyStatus {
    valid,
    malformed,     ///< does not match the URL template, or bad base32 / lengths
    bad_code,      ///< the address code is not 24 digits
    unknown_key,   ///< no key with the payload's key id was given
    bad_mac,       ///< the MAC does not match: the code, key id or MAC was changed, or another key
    bad_signature, ///< the Ed25519 signature does not match
    cannot_verify, ///< the key has no HMAC secret and the payload carries no signature
};
std::string_view status_name(VerifyStatus status) noexcept;

struct Verification {
    VerifyStatus status = VerifyStatus::malformed;
    std::string reason;       ///< one line; empty when valid
    std::string address_code; ///< as read from the payload (may be empty when malformed)
    std::string kid;
    bool mac_checked = false;
    bool signature_checked = false;
    bool valid() const noexcept { return status == VerifyStatus::valid; }
};

/// Checks a scanned payload against the keys (any whose id matches). The template is the one the
/// plates were made with; a payload with a trailing "/<signature>" also matches a template
/// without {sig}. Checks the MAC when the key has the HMAC secret and the signature when the
/// payload carries one; valid only when every check made passed and at least one was made.
Verification verify(std::string_view payload, const std::vector<Key>& keys,
                    std::string_view url_template = default_url_template);

// ---------------------------------------------------------------------------------------------
// Plates

enum class PlateSize { large, medium, small, label };
enum class Page { a4, a3 };
enum class OutputFormat { pdf, svg, png };

/// The geometry of a plate size (millimetres). qr_mm is the side of the QR symbol itself; the
/// 4-module quiet zone comes on top of it, on the white patch.
struct PlateSpec {
    PlateSize size;
    std::string_view name;
    double width_mm;
    double height_mm;
    double qr_mm;
    char ec_level;          ///< 'H' or 'Q'
    double min_address_mm;  ///< the address text is shrunk to fit, down to this size before a warning
};
const PlateSpec& plate_spec(PlateSize size) noexcept;
PlateSize plate_size_from_name(std::string_view name);   ///< usage_error on an unknown name
Page page_from_name(std::string_view name);              ///< "A4" / "A3" (any case)
OutputFormat format_from_name(std::string_view name);    ///< "pdf" / "svg" / "png"
std::string_view page_name(Page page) noexcept;
std::string_view format_name(OutputFormat format) noexcept;

/// What one plate shows. The grid worker's phone is a public service contact printed on the
/// plate; it never goes into the QR code, the report or a message.
struct PlateData {
    std::string address_code;        ///< 24 digits; empty: the house has no standard address
    bool address_found = true;       ///< false: the code is not in the address layer (no plate made)
    std::string address_text;        ///< the canonical standard address
    /// Its components in order (province .. room), when known: lines break between them, not
    /// inside a name. Ignored unless those the text holds spell it, in order, whole.
    std::vector<std::string> address_parts;
    std::string grid_name;
    std::string worker_name;
    std::string worker_phone;
    std::vector<std::string> houses; ///< the house codes on this address (for the report)
};

enum class WarningKind {
    missing_glyph,       ///< a character no installed font has: the plate would print a box
    small_module,        ///< QR module under 1.0 mm
    address_too_long,    ///< address shrunk below the plate's minimum size, or cut off
    no_standard_address, ///< the house has no standard address (no plate made)
    missing_field,       ///< no grid name / worker, no address text for the code
};
std::string_view warning_name(WarningKind kind) noexcept;

struct PlateWarning {
    WarningKind kind;
    std::string message; ///< one line, names the address code or house; never a phone number
};

struct PlateResult {
    std::string address_code;
    std::vector<std::string> houses;
    bool made = false;       ///< false: listed but not rendered (no standard address)
    std::string payload;     ///< empty when not made
    std::string file;        ///< SVG / PNG file, or the PDF
    int page = 0;            ///< 1-based page of the PDF (0 for SVG / PNG)
    int qr_version = 0;
    double module_mm = 0.0;
    double address_mm = 0.0; ///< the address text size used
    std::vector<PlateWarning> warnings;
};

struct RenderOptions {
    PlateSize size = PlateSize::medium;
    Page page = Page::a4;
    OutputFormat format = OutputFormat::pdf;
    std::string title = "出租房屋";
    std::string url_template = std::string(default_url_template);
    Signature sign = Signature::none;
    double dpi = 300.0;  ///< PNG only
    int threads = 0;     ///< PNG / SVG workers; 0: one per core
    bool overwrite = false;
    progress_fn progress;
};

struct RenderReport {
    std::vector<PlateResult> plates;
    std::string output;
    OutputFormat format = OutputFormat::pdf;
    PlateSize size = PlateSize::medium;
    int pages = 0;             ///< PDF pages
    int plates_per_page = 0;
    double page_width_mm = 0.0;
    double page_height_mm = 0.0;
    std::vector<std::string> notes; ///< about the whole run (e.g. plate larger than the page)
    std::size_t made() const;
    std::size_t with_warnings() const;
};

/// Frees the process-wide font caches (pango's font map of the calling thread, cairo's static
/// data, fontconfig's configuration) so a leak checker sees nothing left at exit. Only for the end
/// of a process, when no thread renders plates any more; rendering afterwards still works.
void release_font_caches();

/// Sheet geometry: bleed around each plate and the crop marks outside it.
inline constexpr double bleed_mm = 3.0;
inline constexpr double crop_mark_mm = 5.0;   ///< crop mark length, outside the bleed
inline constexpr double page_margin_mm = 5.0; ///< unprintable border of office printers

/// Renders every plate. PDF: `output` is the file (written to a temporary name and renamed, so
/// a failed run leaves nothing behind); SVG / PNG: `output` is a folder (created if needed), one
/// file per plate named <address code>.svg|png. Plates without a standard address are listed
/// with a warning and not made. Existing output needs `overwrite` (io_error otherwise).
RenderReport render_plates(const std::vector<PlateData>& plates, const Key& key, const RenderOptions& options,
                           const std::string& output);

// ---------------------------------------------------------------------------------------------
// Reading plates from a workspace

/// Which houses get plates. Both filters given: both apply.
struct PlateQuery {
    bool rental_only = false; ///< house.rental = 1
    std::string where;        ///< an SQL condition over house, address, grid and microgrid (read-only)
    std::string grid_code;    ///< 15-digit grid or 18-digit micro-grid code; empty: all
};

/// One PlateData per standard address of the selected houses (houses sharing an address share a
/// plate), ordered by address code, then one per house without a usable standard address. The
/// grid worker is the micro-grid's leader where there is one, else the grid's. Throws
/// usage_error for a bad `where` or an unknown grid code.
std::vector<PlateData> plates_from_workspace(const Workspace& ws, const PlateQuery& query);

} // namespace grid::doorplate

// Codes of grid management (design/CODES.md, docs/codes.md): NBS division codes, grid,
// micro-grid, building and standard-address codes, resident IDs (GB 11643) and unified
// social credit codes (GB 32100), with their check digits; masking of personal data.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace grid::codes {

enum class CodeKind {
    unknown,
    province,    ///< 2 digits
    city,        ///< 4 digits
    county,      ///< 6 digits
    township,    ///< 9 digits (街道 / 镇 / 乡)
    community,   ///< 12 digits (居委会 / 村委会)
    grid,        ///< 15 digits: community + 3-digit sequence
    microgrid,   ///< 18 digits: grid + 3-digit sequence
    building,    ///< 17 digits: community + 5-digit sequence
    address,     ///< 24 digits: building + 3-digit unit + 4-digit room
    resident_id, ///< 18 characters, GB 11643
    uscc,        ///< 18 characters, GB 32100
};

/// "province", "grid", "resident_id", ...
std::string_view kind_name(CodeKind kind) noexcept;
/// Inverse of kind_name; unknown for anything else.
CodeKind kind_from_name(std::string_view name) noexcept;

/// What a code is and whether it is valid.
struct CodeInfo {
    std::string code;
    CodeKind kind = CodeKind::unknown;
    bool valid = false;
    std::string message;                       ///< why invalid, or a one-line description when valid
    std::string parent;                        ///< the parent code (prefix), empty if none
    std::map<std::string, std::string> fields; ///< parts: e.g. "sequence", "township_type", "birth_date", "sex"
    std::vector<CodeKind> alternatives;        ///< other kinds the same string could also be
};

/// Says what a code is. An 18-character string is taken as a resident ID or USCC when its check
/// character fits, else as a micro-grid code; `alternatives` lists the other readings.
CodeInfo explain(std::string_view code);
/// Checks a code as a given kind (format, check characters, internal rules).
CodeInfo check(std::string_view code, CodeKind kind);

/// Check characters.
char resident_id_check_char(std::string_view first17);  ///< '0'..'9' or 'X'
char uscc_check_char(std::string_view first17);         ///< one of 0-9 A-Y without I O S V Z
char org_code_check_char(std::string_view first8);      ///< GB 11714: '0'..'9' or 'X'
bool valid_resident_id(std::string_view id);            ///< format, date, check character
bool valid_uscc(std::string_view code);                 ///< format, alphabet, check characters

/// The parent code of a grid/micro-grid/building/address/division code ("" for a province).
std::string parent_code(std::string_view code, CodeKind kind);

/// Builders: throw grid::usage_error on an out-of-range sequence or malformed parent.
std::string make_grid_code(std::string_view community12, int sequence);      ///< 001..999
std::string make_microgrid_code(std::string_view grid15, int sequence);      ///< 001..999
std::string make_building_code(std::string_view community12, int sequence);  ///< 00001..99999
std::string make_address_code(std::string_view building17, int unit, int room); ///< unit 000-999, room 0000-9999

/// Masking for exports and messages: 110105********002X; 138****5678. Anything that does not
/// look like an ID or phone is masked all but its last 2 characters.
std::string mask_resident_id(std::string_view id);
std::string mask_phone(std::string_view phone);
/// The masking for a workspace field holding personal data: mask_phone for the phone fields
/// (their names contain "phone"), mask_resident_id for the others. Export, the rejects file and
/// every other output mask through this one choice.
std::string mask_field(std::string_view field, std::string_view value);

} // namespace grid::codes

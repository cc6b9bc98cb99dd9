// Codes of grid management: what a code is, whether it is valid, check characters, masking.
// Rules and sources: design/CODES.md and docs/codes.md. Messages never contain a resident ID.
#include "libgrid/codes.hpp"

#include "libgrid/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <initializer_list>
#include <vector>

namespace grid::codes {

namespace {

constexpr std::array<std::pair<CodeKind, std::string_view>, 12> k_kind_names{{
    {CodeKind::unknown, "unknown"},
    {CodeKind::province, "province"},
    {CodeKind::city, "city"},
    {CodeKind::county, "county"},
    {CodeKind::township, "township"},
    {CodeKind::community, "community"},
    {CodeKind::grid, "grid"},
    {CodeKind::microgrid, "microgrid"},
    {CodeKind::building, "building"},
    {CodeKind::address, "address"},
    {CodeKind::resident_id, "resident_id"},
    {CodeKind::uscc, "uscc"},
}};

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool all_zero(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

int to_int(std::string_view digits) {
    int v = 0;
    for (char c : digits) {
        v = v * 10 + (c - '0');
    }
    return v;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::string pad(int value, int width) {
    std::string s = std::to_string(value);
    return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

// --- divisions -------------------------------------------------------------------------------

// Digit boundaries of the division levels: 2 province, 4 city, 6 county, 9 township, 12 village.
constexpr std::array<std::size_t, 5> k_level_len{2, 4, 6, 9, 12};
constexpr std::array<CodeKind, 5> k_level_kind{CodeKind::province, CodeKind::city, CodeKind::county,
                                               CodeKind::township, CodeKind::community};
constexpr std::array<const char*, 5> k_level_field{"province", "city", "county", "township", "village"};

bool known_province(int p) {
    // GB/T 2260 provincial codes (stable since 1997; 71 Taiwan, 81 Hong Kong, 82 Macao).
    static constexpr std::array<int, 34> k{11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42,
                                           43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
    return std::find(k.begin(), k.end(), p) != k.end();
}

// A named range of township (digits 7-9) or village (digits 10-12) numbers.
struct NumberRange {
    int lo;
    int hi;
    const char* name;
    const char* name_zh;
};

constexpr std::array<NumberRange, 3> k_township_types{{
    {1, 99, "subdistrict", "街道"},
    {100, 199, "town", "镇"},
    {200, 399, "township", "乡"},
}};
// Real data also numbers villages 4xx/5xx: those are "other", never rejected.
constexpr std::array<NumberRange, 2> k_village_types{{
    {1, 199, "residents_committee", "居委会"},
    {200, 399, "villagers_committee", "村委会"},
}};
constexpr NumberRange k_other_type{0, 0, "other", "其他"};

template <std::size_t N>
const NumberRange& classify(const std::array<NumberRange, N>& ranges, int number) {
    for (const NumberRange& r : ranges) {
        if (number >= r.lo && number <= r.hi) {
            return r;
        }
    }
    return k_other_type;
}

// The nearest ancestor of a division code that is not a zero group (东莞 4419 has no county:
// the parent of 441900003 is 4419). `level` is the level of `code`; returns "" for a province.
std::string division_parent(std::string_view code, int level) {
    for (int l = level - 1; l >= 0; --l) {
        const std::size_t from = l == 0 ? 0 : k_level_len[static_cast<std::size_t>(l - 1)];
        const std::size_t to = k_level_len[static_cast<std::size_t>(l)];
        if (l == 0 || !all_zero(code.substr(from, to - from))) {
            return std::string(code.substr(0, to));
        }
    }
    return {};
}

// Analyses a division code of 2/4/6/9/12 digits, including the zero-padded 6-digit (GB/T 2260)
// and 12-digit (NBS) forms of shorter levels. Fills info.kind/valid/message/parent/fields.
void explain_division(std::string_view code, CodeInfo& info) {
    int written_level = -1;
    for (std::size_t i = 0; i < k_level_len.size(); ++i) {
        if (code.size() == k_level_len[i]) {
            written_level = static_cast<int>(i);
        }
    }
    if (written_level < 0 || !all_digits(code)) {
        info.kind = CodeKind::unknown;
        info.valid = false;
        info.message = "not a division code (2, 4, 6, 9 or 12 digits)";
        return;
    }
    // Trailing zero groups in the 6- and 12-digit forms are padding of a shorter level.
    int level = written_level;
    if (code.size() == 6 || code.size() == 12) {
        while (level > 0) {
            const std::size_t from = k_level_len[static_cast<std::size_t>(level - 1)];
            if (!all_zero(code.substr(from, k_level_len[static_cast<std::size_t>(level)] - from))) {
                break;
            }
            --level;
        }
    }
    const std::string_view effective = code.substr(0, k_level_len[static_cast<std::size_t>(level)]);
    info.kind = k_level_kind[static_cast<std::size_t>(level)];
    if (level != written_level) {
        info.fields["padded_from"] = std::string(effective);
    }
    for (int l = 0; l <= level; ++l) {
        const std::size_t from = l == 0 ? 0 : k_level_len[static_cast<std::size_t>(l - 1)];
        info.fields[k_level_field[static_cast<std::size_t>(l)]] =
            std::string(effective.substr(from, k_level_len[static_cast<std::size_t>(l)] - from));
    }
    info.parent = division_parent(effective, level);

    const int province = to_int(effective.substr(0, 2));
    if (!known_province(province)) {
        info.valid = false;
        info.message = "province digits " + std::string(effective.substr(0, 2)) +
                       " are not a GB/T 2260 province (11-65, 71, 81, 82)";
        return;
    }
    if (level >= 2 && effective.substr(2, 2) == "00") {
        info.valid = false;
        info.message = "city digits 00 but lower digits set: no such division";
        return;
    }
    if (level == 1 && effective.substr(2, 2) == "00") {
        info.valid = false;
        info.message = "city digits 00: this is the province " + std::string(effective.substr(0, 2));
        return;
    }
    if (level == 2 && effective.substr(4, 2) == "00") {
        info.valid = false;
        info.message = "county digits 00: this is the city " + std::string(effective.substr(0, 4));
        return;
    }
    if (level == 3 && effective.substr(6, 3) == "000") {
        info.valid = false;
        info.message = "township digits 000: this is the county " + std::string(effective.substr(0, 6));
        return;
    }
    if (level == 4 && effective.substr(6, 3) == "000") {
        info.valid = false;
        info.message = "township digits 000 but village digits set: no such division";
        return;
    }
    info.valid = true;
    const std::string padded = level != written_level
                                   ? std::string(" (") + std::to_string(code.size()) + "-digit form of " +
                                         std::string(effective) + ")"
                                   : std::string();
    switch (level) {
    case 0:
        info.message = "province" + padded;
        break;
    case 1:
        info.message = "city (地级) in province " + info.parent + padded;
        break;
    case 2:
        info.message = "county (县级) in city " + info.parent + padded;
        break;
    case 3: {
        const NumberRange& type = classify(k_township_types, to_int(effective.substr(6, 3)));
        info.fields["township_type"] = type.name;
        info.fields["township_type_zh"] = type.name_zh;
        info.message = std::string(type.name_zh) + " (" + type.name + ") in " + info.parent + padded;
        if (effective.substr(4, 2) == "00") {
            info.message += "; county digits 00: a city without counties";
        }
        break;
    }
    default: {
        const NumberRange& type = classify(k_village_types, to_int(effective.substr(9, 3)));
        info.fields["village_type"] = type.name;
        info.fields["village_type_zh"] = type.name_zh;
        info.message = std::string(type.name_zh) + " (" + type.name + ") " +
                       std::string(effective.substr(9, 3)) + " in township " + info.parent;
        break;
    }
    }
}

// A 12-digit community code inside a longer code: must be a valid village-level division.
bool check_community_part(std::string_view community, CodeInfo& info) {
    CodeInfo div;
    explain_division(community, div);
    if (!div.valid) {
        info.valid = false;
        info.message = "community part " + std::string(community) + ": " + div.message;
        return false;
    }
    if (div.kind != CodeKind::community) {
        info.valid = false;
        info.message = "community part " + std::string(community) + " is a " + std::string(kind_name(div.kind)) +
                       " code padded to 12 digits; grid and building codes hang on a community (village digits 001-999)";
        return false;
    }
    info.fields["community"] = std::string(community);
    return true;
}

// --- grid, micro-grid, building, address -----------------------------------------------------

bool check_length(std::string_view code, std::size_t want, CodeInfo& info) {
    if (code.size() != want || !all_digits(code)) {
        info.valid = false;
        info.message = std::string(info.kind == CodeKind::address ? "an " : "a ") + std::string(kind_name(info.kind)) + " code has " + std::to_string(want) +
                       " digits; this has " + std::to_string(code.size()) + " characters" +
                       (all_digits(code) ? "" : " and not only digits");
        return false;
    }
    return true;
}

// A sequence inside a grid/micro-grid/building/address code: digits [from, from + len).
struct Sequence {
    std::size_t from;
    std::size_t len;
    const char* what;
};

// The rules shared by the codes that hang on a community: the 12-digit community part must be a
// village-level division, and no sequence may be all zeros (0 is never a grid or building number).
bool check_community_and_sequences(std::string_view code, std::initializer_list<Sequence> sequences,
                                   CodeInfo& info) {
    if (!check_community_part(code.substr(0, 12), info)) {
        return false;
    }
    for (const Sequence& seq : sequences) {
        if (all_zero(code.substr(seq.from, seq.len))) {
            info.valid = false;
            info.message = std::string(seq.what) + " sequence " + std::string(seq.len, '0') + ": sequences run " +
                           std::string(seq.len - 1, '0') + "1-" + std::string(seq.len, '9');
            return false;
        }
    }
    info.valid = true;
    return true;
}

void explain_grid(std::string_view code, CodeInfo& info) {
    info.kind = CodeKind::grid;
    if (!check_length(code, 15, info)) {
        return;
    }
    info.parent = std::string(code.substr(0, 12));
    info.fields["sequence"] = std::string(code.substr(12, 3));
    if (check_community_and_sequences(code, {{12, 3, "grid"}}, info)) {
        info.message = "grid " + std::string(code.substr(12, 3)) + " of community " + info.parent;
    }
}

void explain_microgrid(std::string_view code, CodeInfo& info) {
    info.kind = CodeKind::microgrid;
    if (!check_length(code, 18, info)) {
        return;
    }
    info.parent = std::string(code.substr(0, 15));
    info.fields["grid"] = info.parent;
    info.fields["sequence"] = std::string(code.substr(15, 3));
    if (check_community_and_sequences(code, {{12, 3, "grid"}, {15, 3, "micro-grid"}}, info)) {
        info.message = "micro-grid " + std::string(code.substr(15, 3)) + " of grid " + info.parent;
    }
}

void explain_building(std::string_view code, CodeInfo& info) {
    info.kind = CodeKind::building;
    if (!check_length(code, 17, info)) {
        return;
    }
    info.parent = std::string(code.substr(0, 12));
    info.fields["sequence"] = std::string(code.substr(12, 5));
    if (check_community_and_sequences(code, {{12, 5, "building"}}, info)) {
        info.message = "building " + std::string(code.substr(12, 5)) + " of community " + info.parent;
    }
}

void explain_address(std::string_view code, CodeInfo& info) {
    info.kind = CodeKind::address;
    if (!check_length(code, 24, info)) {
        return;
    }
    info.parent = std::string(code.substr(0, 17));
    info.fields["building"] = info.parent;
    const std::string unit(code.substr(17, 3));
    const std::string room(code.substr(20, 4));
    info.fields["unit"] = unit;
    info.fields["room"] = room;
    const bool whole_building = all_zero(unit);
    const bool no_room = all_zero(room);
    info.fields["level"] = !no_room ? "room" : (whole_building ? "building" : "unit");
    if (!check_community_and_sequences(code, {{12, 5, "building"}}, info)) {
        return;
    }
    if (!no_room) {
        info.message = "room " + room + (whole_building ? "" : ", unit " + unit) + " of building " + info.parent;
    } else if (!whole_building) {
        info.message = "unit " + unit + " of building " + info.parent;
    } else {
        info.message = "the building " + info.parent + " itself";
    }
}

// --- resident ID (GB 11643) ------------------------------------------------------------------

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr std::array<int, 12> k{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : k[static_cast<std::size_t>(m - 1)];
}

int today_yyyymmdd() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

enum class DateProblem { none, not_a_date, future };

// `yyyymmdd` is 8 digits.
DateProblem check_birth_date(std::string_view yyyymmdd) {
    const int y = to_int(yyyymmdd.substr(0, 4));
    const int m = to_int(yyyymmdd.substr(4, 2));
    const int d = to_int(yyyymmdd.substr(6, 2));
    // GB 11643 IDs were issued from 1999 (18-digit form); the oldest holders were born after 1850.
    if (y < 1850 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
        return DateProblem::not_a_date;
    }
    if (to_int(yyyymmdd) > today_yyyymmdd()) {
        return DateProblem::future;
    }
    return DateProblem::none;
}

// 17 digits + [0-9X]; lowercase x is accepted as X (it is common in typed data).
bool resident_id_format(std::string_view id) {
    if (id.size() != 18 || !all_digits(id.substr(0, 17))) {
        return false;
    }
    const char c = id[17];
    return (c >= '0' && c <= '9') || c == 'X' || c == 'x';
}

void explain_resident_id(std::string_view id, CodeInfo& info) {
    info.kind = CodeKind::resident_id;
    if (!resident_id_format(id)) {
        info.valid = false;
        info.message = "a resident ID has 18 characters: 17 digits and a check digit or X (this has " +
                       std::to_string(id.size()) + ")";
        return;
    }
    info.fields["division"] = std::string(id.substr(0, 6));
    const std::string_view date = id.substr(6, 8);
    const DateProblem problem = check_birth_date(date);
    if (problem == DateProblem::none) {
        info.fields["birth_date"] =
            std::string(date.substr(0, 4)) + "-" + std::string(date.substr(4, 2)) + "-" + std::string(date.substr(6, 2));
    }
    info.fields["sex"] = (id[16] - '0') % 2 == 1 ? "male" : "female";
    if (problem == DateProblem::not_a_date) {
        info.valid = false;
        info.message = "resident ID: digits 7-14 are not a calendar birth date";
        return;
    }
    if (problem == DateProblem::future) {
        info.valid = false;
        info.message = "resident ID: the birth date lies in the future";
        return;
    }
    const char want = resident_id_check_char(id.substr(0, 17));
    const char got = static_cast<char>(std::toupper(static_cast<unsigned char>(id[17])));
    if (want != got) {
        // The expected character is not printed: it would complete a mistyped ID in a log.
        info.valid = false;
        info.message = "resident ID: the check character does not fit the first 17 digits (a digit is mistyped)";
        return;
    }
    info.valid = true;
    info.message = "resident ID (GB 11643), check character fits";
}

// --- USCC (GB 32100) and organisation code (GB 11714) ----------------------------------------

constexpr std::string_view k_uscc_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

int uscc_value(char c) {
    const auto pos = k_uscc_alphabet.find(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// GB 11714 body characters: digits and capital letters (A = 10 ... Z = 35).
int org_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    return -1;
}

std::string uscc_authority(char c) {
    switch (c) {
    case '1': return "机构编制";
    case '2': return "外交";
    case '3': return "司法行政";
    case '4': return "文化";
    case '5': return "民政";
    case '6': return "旅游";
    case '7': return "宗教";
    case '8': return "工会";
    case '9': return "工商 (市场监管)";
    case 'A': return "中央军委改革和编制办公室";
    case 'N': return "农业";
    case 'Y': return "其他";
    default: return {};
    }
}

std::string uscc_type(char authority, char type) {
    // GB 32100-2015 Annex A, the common authorities.
    if (authority == '9') {
        switch (type) {
        case '1': return "企业";
        case '2': return "个体工商户";
        case '3': return "农民专业合作社";
        default: return {};
        }
    }
    if (authority == '1') {
        switch (type) {
        case '1': return "机关";
        case '2': return "事业单位";
        case '3': return "中央编办直接管理机构编制的群众团体";
        case '9': return "其他";
        default: return {};
        }
    }
    if (authority == '5') {
        switch (type) {
        case '1': return "社会团体";
        case '2': return "民办非企业单位";
        case '3': return "基金会";
        case '9': return "其他";
        default: return {};
        }
    }
    return {};
}

void explain_uscc(std::string_view code, CodeInfo& info) {
    info.kind = CodeKind::uscc;
    const std::string c = upper(code);
    if (c.size() != 18) {
        info.valid = false;
        info.message = "a unified social credit code has 18 characters; this has " + std::to_string(c.size());
        return;
    }
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (uscc_value(c[i]) < 0) {
            info.valid = false;
            info.message = "character " + std::to_string(i + 1) + " '" + std::string(1, c[i]) +
                           "' is not in the GB 32100 alphabet (digits and capitals without I O S V Z)";
            return;
        }
    }
    info.fields["authority"] = std::string(1, c[0]);
    info.fields["type"] = std::string(1, c[1]);
    if (const std::string a = uscc_authority(c[0]); !a.empty()) {
        info.fields["authority_name"] = a;
    }
    if (const std::string t = uscc_type(c[0], c[1]); !t.empty()) {
        info.fields["type_name"] = t;
    }
    info.fields["division"] = c.substr(2, 6);
    info.fields["org_code"] = c.substr(8, 9);
    if (!all_digits(c.substr(2, 6))) {
        info.valid = false;
        info.message = "characters 3-8 must be the 6-digit division code of the registering authority";
        return;
    }
    const char want = uscc_check_char(c.substr(0, 17));
    if (want != c[17]) {
        info.valid = false;
        info.message = std::string("check character is ") + c[17] + ", the first 17 characters give " + want;
        return;
    }
    info.valid = true;
    // Individual businesses (92...) and some others carry a 9-character part that is not a
    // GB 11714 organisation code: a mismatch is reported as a field, not as invalid.
    const char org_want = org_code_check_char(c.substr(8, 8));
    info.fields["org_code_check"] = org_want == c[16] ? "ok" : "mismatch";
    info.message = "unified social credit code (GB 32100), check character fits";
    if (org_want != c[16]) {
        info.message += "; characters 9-17 are not a GB 11714 organisation code (normal for individual businesses)";
    }
}

CodeInfo explain_as(std::string_view code, CodeKind kind) {
    CodeInfo info;
    info.code = std::string(code);
    info.kind = kind;
    switch (kind) {
    case CodeKind::province:
    case CodeKind::city:
    case CodeKind::county:
    case CodeKind::township:
    case CodeKind::community:
        explain_division(code, info);
        break;
    case CodeKind::grid:
        explain_grid(code, info);
        break;
    case CodeKind::microgrid:
        explain_microgrid(code, info);
        break;
    case CodeKind::building:
        explain_building(code, info);
        break;
    case CodeKind::address:
        explain_address(code, info);
        break;
    case CodeKind::resident_id:
        explain_resident_id(code, info);
        break;
    case CodeKind::uscc:
        explain_uscc(code, info);
        break;
    case CodeKind::unknown:
        info.valid = false;
        info.message = "unknown kind";
        break;
    }
    return info;
}

// True when an 18-character string could be a resident ID: the format and a real past birth date.
bool plausible_resident_id(std::string_view code) {
    return resident_id_format(code) && check_birth_date(code.substr(6, 8)) == DateProblem::none;
}

bool plausible_uscc(std::string_view code) {
    return code.size() == 18 && std::all_of(code.begin(), code.end(), [](char c) { return uscc_value(c) >= 0; }) &&
           all_digits(code.substr(2, 6));
}

} // namespace

std::string_view kind_name(CodeKind kind) noexcept {
    for (const auto& [k, name] : k_kind_names) {
        if (k == kind) {
            return name;
        }
    }
    return "unknown";
}

CodeKind kind_from_name(std::string_view name) noexcept {
    for (const auto& [k, n] : k_kind_names) {
        if (n == name) {
            return k;
        }
    }
    return CodeKind::unknown;
}

char resident_id_check_char(std::string_view first17) {
    static constexpr std::array<int, 17> k_weights{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static constexpr std::string_view k_check = "10X98765432";
    if (first17.size() != 17 || !all_digits(first17)) {
        throw usage_error("resident ID check: need the first 17 digits");
    }
    int s = 0;
    for (std::size_t i = 0; i < 17; ++i) {
        s += (first17[i] - '0') * k_weights[i];
    }
    return k_check[static_cast<std::size_t>(s % 11)];
}

char uscc_check_char(std::string_view first17) {
    static constexpr std::array<int, 17> k_weights{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (first17.size() != 17) {
        throw usage_error("USCC check: need the first 17 characters");
    }
    int s = 0;
    for (std::size_t i = 0; i < 17; ++i) {
        const int v = uscc_value(first17[i]);
        if (v < 0) {
            throw usage_error("USCC check: character " + std::to_string(i + 1) + " is not in the GB 32100 alphabet");
        }
        s += v * k_weights[i];
    }
    const int c = 31 - s % 31;
    return k_uscc_alphabet[static_cast<std::size_t>(c == 31 ? 0 : c)];
}

char org_code_check_char(std::string_view first8) {
    static constexpr std::array<int, 8> k_weights{3, 7, 9, 10, 5, 8, 4, 2};
    if (first8.size() != 8) {
        throw usage_error("organisation code check: need the first 8 characters");
    }
    int s = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        const int v = org_value(static_cast<char>(std::toupper(static_cast<unsigned char>(first8[i]))));
        if (v < 0) {
            throw usage_error("organisation code check: character " + std::to_string(i + 1) +
                              " is not a digit or capital letter");
        }
        s += v * k_weights[i];
    }
    const int c = 11 - s % 11;
    return c == 10 ? 'X' : (c == 11 ? '0' : static_cast<char>('0' + c));
}

bool valid_resident_id(std::string_view id) { return explain_as(id, CodeKind::resident_id).valid; }

bool valid_uscc(std::string_view code) { return explain_as(code, CodeKind::uscc).valid; }

CodeInfo check(std::string_view code, CodeKind kind) {
    code = trim(code);
    if (kind == CodeKind::unknown) {
        return explain(code);
    }
    CodeInfo info = explain_as(code, kind);
    if (info.kind != kind) {
        // A division code of another level (e.g. a padded township checked as a community).
        std::string message = "not a " + std::string(kind_name(kind)) + " code";
        if (info.kind == CodeKind::unknown) {
            message += ": " + info.message;
        } else {
            message += ": it reads as a " + std::string(kind_name(info.kind)) + " code";
        }
        info.valid = false;
        info.message = message;
        info.kind = kind;
    }
    return info;
}

CodeInfo explain(std::string_view code) {
    code = trim(code);
    const std::size_t n = code.size();
    if (n == 18) {
        const bool digits17 = all_digits(code.substr(0, 17));
        const bool id_like = plausible_resident_id(code);
        const bool uscc_like = plausible_uscc(upper(code));
        const bool id_fits = id_like && explain_as(code, CodeKind::resident_id).valid;
        const bool uscc_fits = uscc_like && explain_as(code, CodeKind::uscc).valid;
        CodeKind kind = CodeKind::microgrid;
        if (id_fits) {
            kind = CodeKind::resident_id;
        } else if (uscc_fits) {
            kind = CodeKind::uscc;
        } else if (!all_digits(code)) {
            // Letters: an ID ending in X, or a USCC with a wrong check character.
            kind = digits17 && (code[17] == 'X' || code[17] == 'x') ? CodeKind::resident_id : CodeKind::uscc;
        }
        CodeInfo info = explain_as(code, kind);
        const auto add = [&](CodeKind k, bool possible) {
            if (possible && k != kind) {
                info.alternatives.push_back(k);
            }
        };
        add(CodeKind::resident_id, id_like);
        // Most 18-character strings have the USCC format; only a fitting check character makes it a reading.
        add(CodeKind::uscc, uscc_fits);
        add(CodeKind::microgrid, all_digits(code));
        return info;
    }
    if (all_digits(code)) {
        switch (n) {
        case 2:
        case 4:
        case 6:
        case 9:
        case 12:
            return explain_as(code, CodeKind::community); // any division level
        case 15:
            return explain_as(code, CodeKind::grid);
        case 17:
            return explain_as(code, CodeKind::building);
        case 24:
            return explain_as(code, CodeKind::address);
        default:
            break;
        }
    }
    CodeInfo info;
    info.code = std::string(code);
    info.kind = CodeKind::unknown;
    info.valid = false;
    info.message = std::to_string(n) + " characters" + (all_digits(code) ? " of digits" : "") +
                   ": not a code gridkit knows (divisions 2/4/6/9/12 digits, grid 15, building 17, micro-grid 18, "
                   "address 24, resident ID and USCC 18 characters)";
    return info;
}

std::string parent_code(std::string_view code, CodeKind kind) {
    if (kind == CodeKind::resident_id || kind == CodeKind::uscc) {
        return {};
    }
    const CodeInfo info = explain_as(trim(code), kind);
    const bool is_province = info.kind == CodeKind::province;
    if (info.kind == CodeKind::unknown || (info.parent.empty() && !is_province)) {
        throw usage_error("parent code: not a " + std::string(kind_name(kind)) + " code: " + info.message);
    }
    return info.parent;
}

std::string make_grid_code(std::string_view community12, int sequence) {
    CodeInfo info;
    info.kind = CodeKind::grid;
    if (community12.size() != 12 || !all_digits(community12) || !check_community_part(community12, info)) {
        throw usage_error("grid code: '" + std::string(community12) + "' is not a 12-digit community code" +
                          (info.message.empty() ? "" : ": " + info.message));
    }
    if (sequence < 1 || sequence > 999) {
        throw usage_error("grid code: sequence " + std::to_string(sequence) + " is outside 1-999",
                          "a community holds at most 999 grids; codes of deleted grids are retired, not reused");
    }
    return std::string(community12) + pad(sequence, 3);
}

std::string make_microgrid_code(std::string_view grid15, int sequence) {
    const CodeInfo info = explain_as(grid15, CodeKind::grid);
    if (!info.valid) {
        throw usage_error("micro-grid code: '" + std::string(grid15) + "' is not a grid code: " + info.message);
    }
    if (sequence < 1 || sequence > 999) {
        throw usage_error("micro-grid code: sequence " + std::to_string(sequence) + " is outside 1-999",
                          "a grid holds at most 999 micro-grids; codes of deleted micro-grids are retired");
    }
    return std::string(grid15) + pad(sequence, 3);
}

std::string make_building_code(std::string_view community12, int sequence) {
    CodeInfo info;
    info.kind = CodeKind::building;
    if (community12.size() != 12 || !all_digits(community12) || !check_community_part(community12, info)) {
        throw usage_error("building code: '" + std::string(community12) + "' is not a 12-digit community code" +
                          (info.message.empty() ? "" : ": " + info.message));
    }
    if (sequence < 1 || sequence > 99999) {
        throw usage_error("building code: sequence " + std::to_string(sequence) + " is outside 1-99999");
    }
    return std::string(community12) + pad(sequence, 5);
}

std::string make_address_code(std::string_view building17, int unit, int room) {
    const CodeInfo info = explain_as(building17, CodeKind::building);
    if (!info.valid) {
        throw usage_error("address code: '" + std::string(building17) + "' is not a building code: " + info.message);
    }
    if (unit < 0 || unit > 999) {
        throw usage_error("address code: unit " + std::to_string(unit) + " is outside 0-999 (0 = whole building)");
    }
    if (room < 0 || room > 9999) {
        throw usage_error("address code: room " + std::to_string(room) + " is outside 0-9999 (0 = no room)");
    }
    return std::string(building17) + pad(unit, 3) + pad(room, 4);
}

namespace {

// Masks every UTF-8 character but the last `keep`.
std::string mask_all_but_last(std::string_view s, std::size_t keep) {
    std::vector<std::string_view> chars;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= 0xF0) {
            len = 4;
        } else if (b >= 0xE0) {
            len = 3;
        } else if (b >= 0xC0) {
            len = 2;
        }
        len = std::min(len, s.size() - i);
        chars.push_back(s.substr(i, len));
        i += len;
    }
    std::string out;
    for (std::size_t i = 0; i < chars.size(); ++i) {
        if (i + keep >= chars.size()) {
            out += chars[i];
        } else {
            out += '*';
        }
    }
    return out;
}

} // namespace

std::string mask_resident_id(std::string_view id) {
    id = trim(id);
    if (resident_id_format(id)) {
        return std::string(id.substr(0, 6)) + "********" + std::string(id.substr(14, 4));
    }
    if (id.size() == 15 && all_digits(id)) {
        // First-generation 15-digit ID (6 address + YYMMDD + 3 sequence): hide the birth date.
        return std::string(id.substr(0, 6)) + "******" + std::string(id.substr(12, 3));
    }
    return mask_all_but_last(id, 2);
}

std::string mask_field(std::string_view field, std::string_view value) {
    return field.find("phone") != std::string_view::npos ? mask_phone(value) : mask_resident_id(value);
}

std::string mask_phone(std::string_view phone) {
    phone = trim(phone);
    std::string digits;
    bool only_phone_chars = true;
    for (char c : phone) {
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c != ' ' && c != '-' && !(c == '+' && digits.empty())) {
            only_phone_chars = false;
        }
    }
    if (only_phone_chars) {
        std::string prefix;
        if (digits.size() == 13 && digits.compare(0, 2, "86") == 0) {
            prefix = "+86 ";
            digits.erase(0, 2);
        } else if (digits.size() == 15 && digits.compare(0, 4, "0086") == 0) {
            prefix = "+86 ";
            digits.erase(0, 4);
        }
        if (digits.size() == 11 && digits[0] == '1') {
            return prefix + digits.substr(0, 3) + "****" + digits.substr(7, 4);
        }
    }
    return mask_all_but_last(phone, 2);
}

} // namespace grid::codes

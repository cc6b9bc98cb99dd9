// The division table of the address parser: official names, short aliases and the name index (detail/address_index.hpp).
#include "detail/address_index.hpp"
#include "detail/address_text.hpp"

#include "libgrid/error.hpp"

#include <algorithm>
#include <array>

namespace grid::address::detail {

void NameIndex::add(std::u32string_view key, std::uint32_t payload, std::uint64_t hash) {
    if (key.empty()) {
        return;
    }
    m_entries.push_back(Entry{hash, static_cast<std::uint32_t>(m_keys.size()),
                              static_cast<std::uint32_t>(key.size()), payload});
    m_keys += key;
}

void NameIndex::build() {
    const std::u32string_view keys(m_keys);
    auto key_of = [&](std::uint32_t off, std::uint32_t len) { return keys.substr(off, len); };
    // By hash, then payload: cheap to compare. Two keys sharing a 64-bit hash are rare; such a
    // run is ordered by key as well before it is cut into groups.
    std::sort(m_entries.begin(), m_entries.end(), [](const Entry& a, const Entry& b) {
        return a.hash != b.hash ? a.hash < b.hash : a.payload < b.payload;
    });
    const auto key_less = [&](const Entry& a, const Entry& b) {
        return key_of(a.key_off, a.key_len) < key_of(b.key_off, b.key_len);
    };
    const auto same_key = [&](const Entry& a, const Entry& b) {
        return a.key_len == b.key_len && key_of(a.key_off, a.key_len) == key_of(b.key_off, b.key_len);
    };
    m_groups.clear();
    m_values.clear();
    std::size_t prefixes = 0;
    const auto begin = m_entries.begin();
    for (std::size_t i = 0; i < m_entries.size();) {
        std::size_t run_end = i + 1;
        bool one_key = true;
        while (run_end < m_entries.size() && m_entries[run_end].hash == m_entries[i].hash) {
            one_key = one_key && same_key(m_entries[run_end], m_entries[i]);
            ++run_end;
        }
        if (!one_key) {
            std::stable_sort(begin + static_cast<std::ptrdiff_t>(i), begin + static_cast<std::ptrdiff_t>(run_end), key_less);
        }
        for (std::size_t j = i; j < run_end;) {
            const Entry& first = m_entries[j];
            Group g{first.hash, first.key_off, first.key_len, static_cast<std::uint32_t>(m_values.size()), 0};
            std::size_t k = j;
            for (; k < run_end && (one_key || same_key(m_entries[k], first)); ++k) {
                if (m_values.size() == g.val_off || m_values.back() != m_entries[k].payload) {
                    m_values.push_back(m_entries[k].payload);
                }
            }
            g.val_count = static_cast<std::uint32_t>(m_values.size() - g.val_off);
            m_groups.push_back(g);
            m_max_len = std::max<std::size_t>(m_max_len, first.key_len);
            prefixes += first.key_len;
            j = k;
        }
        i = run_end;
    }
    m_entries.clear();
    m_entries.shrink_to_fit();
    std::size_t cap = 16;
    while (cap < m_groups.size() * 2) {
        cap <<= 1;
    }
    m_slots.assign(cap, 0);
    for (std::size_t gi = 0; gi < m_groups.size(); ++gi) {
        std::size_t s = m_groups[gi].hash & (cap - 1);
        while (m_slots[s] != 0) {
            s = (s + 1) & (cap - 1);
        }
        m_slots[s] = (m_groups[gi].hash & ~0xffffffffull) | (gi + 1);
    }
    // Bloom bits of every prefix: ~8 bits per prefix, at most 2^27 bits (16 MB).
    std::uint64_t bits = 1024;
    while (bits < prefixes * 8 && bits < (1ull << 27)) {
        bits <<= 1;
    }
    m_prefix_mask = bits - 1;
    m_prefix_bits.assign(bits / 64, 0);
    for (const Group& g : m_groups) {
        std::uint64_t h = k_fnv_offset;
        for (std::uint32_t k = 0; k < g.key_len; ++k) {
            h = hash_step(h, keys[g.key_off + k]);
            const std::uint64_t bit = (h >> 7) & m_prefix_mask;
            m_prefix_bits[bit >> 6] |= 1ull << (bit & 63);
        }
    }
}

std::pair<const std::uint32_t*, const std::uint32_t*> NameIndex::find(std::uint64_t h,
                                                                      std::u32string_view key) const noexcept {
    if (m_slots.empty()) {
        return {nullptr, nullptr};
    }
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t s = h & mask;; s = (s + 1) & mask) {
        const std::uint64_t slot = m_slots[s];
        if (slot == 0) {
            return {nullptr, nullptr};
        }
        if ((slot ^ h) >> 32 != 0) {
            continue; // another key: its hash's upper half differs, its group is not read
        }
        const Group& g = m_groups[(slot & 0xffffffffull) - 1];
        if (g.hash == h && g.key_len == key.size() &&
            std::u32string_view(m_keys).substr(g.key_off, g.key_len) == key) {
            const std::uint32_t* b = m_values.data() + g.val_off;
            return {b, b + g.val_count};
        }
    }
}

namespace {

std::u32string to_u32(std::string_view s) {
    std::vector<Char> chars;
    decode_utf8(s, chars);
    std::u32string out;
    out.reserve(chars.size());
    for (const Char& c : chars) {
        out.push_back(c.cp);
    }
    return out;
}

std::string from_u32(std::u32string_view s) {
    std::string out;
    for (char32_t c : s) {
        append_utf8(out, c);
    }
    return out;
}

bool ends_with(std::u32string_view s, std::u32string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_placeholder(std::u32string_view name) {
    return name == U"市辖区" || name == U"县" || name == U"省直辖县级行政区划" || name == U"自治区直辖县级行政区划" ||
           name.empty();
}

// The level-5 name as the parser writes it: 十里铺社区居民委员会 -> 十里铺社区, 新桥村村民委员会 -> 新桥村.
std::u32string normalise_village(std::u32string_view name) {
    static constexpr std::array<std::pair<std::u32string_view, std::u32string_view>, 7> rules{{
        {U"社区居民委员会", U"社区"},
        {U"社区居委会", U"社区"},
        {U"村民委员会", U"村"},
        {U"村委会", U"村"},
        {U"居民委员会", U"社区"},
        {U"居委会", U"社区"},
        {U"社区委员会", U"社区"},
    }};
    for (const auto& [suffix, replacement] : rules) {
        if (ends_with(name, suffix) && name.size() > suffix.size()) {
            std::u32string base(name.substr(0, name.size() - suffix.size()));
            if (!ends_with(base, replacement)) {
                base += replacement;
            }
            return base;
        }
    }
    return std::u32string(name);
}

// Short forms people write: 江苏 for 江苏省, 泰州 for 泰州市, 海陵 for 海陵区, 京泰路 for 京泰路街道.
std::vector<std::u32string> aliases(std::u32string_view name, int level) {
    std::vector<std::u32string> out;
    auto strip = [&](std::initializer_list<std::u32string_view> suffixes, std::size_t min_left) {
        for (std::u32string_view s : suffixes) {
            if (ends_with(name, s) && name.size() >= s.size() + min_left) {
                out.emplace_back(name.substr(0, name.size() - s.size()));
                return true;
            }
        }
        return false;
    };
    switch (level) {
    case 1:
        strip({U"维吾尔自治区", U"壮族自治区", U"回族自治区", U"自治区", U"特别行政区", U"省", U"市"}, 2);
        break;
    case 2:
        if (ends_with(name, U"自治州") && name.size() > 4) {
            out.emplace_back(name.substr(0, 2));
        } else {
            strip({U"地区", U"市", U"盟"}, 2);
        }
        break;
    case 3:
        if ((ends_with(name, U"自治县") || ends_with(name, U"自治旗")) && name.size() > 4) {
            out.emplace_back(name.substr(0, 2));
        } else {
            strip({U"新区", U"区", U"县", U"市", U"旗"}, 2);
        }
        break;
    case 4:
        strip({U"街道办事处", U"街道", U"镇", U"乡", U"地区办事处"}, 2);
        break;
    case 5:
        strip({U"社区", U"村"}, 2);
        break;
    default:
        break;
    }
    return out;
}

} // namespace
} // namespace grid::address::detail

namespace grid::address {

void DivisionTable::Impl::index() {
    by_code.clear();
    by_code.reserve(records.size());
    padded_codes.clear();
    padded_codes.reserve(records.size());
    for (std::uint32_t i = 0; i < records.size(); ++i) {
        auto& r = records[i];
        // (key 0: the code is not 1..15 digits; such codes would all share it: not indexed)
        if (const std::uint64_t key = detail::code_key(r.division.code); key != 0) {
            by_code.emplace(key, i);
            if (padded_codes.size() == i) {
                padded_codes.push_back(padded_code(key));
            }
        }
        const std::u32string name = detail::to_u32(r.division.name);
        if (detail::is_placeholder(name)) {
            r.normalised = r.division.name;
            continue;
        }
        const std::u32string norm = r.division.level == 5 ? detail::normalise_village(name) : name;
        r.normalised = detail::from_u32(norm);
        const std::uint32_t payload = i << 4 | static_cast<std::uint32_t>(r.division.level) << 1;
        names.add(norm, payload);
        if (norm != name) {
            names.add(name, payload);
        }
        for (const std::u32string& a : detail::aliases(norm, r.division.level)) {
            names.add(a, payload | 1u);
        }
    }
    if (padded_codes.size() != records.size()) {
        padded_codes.clear(); // some code is not 1..15 digits: is_under compares the strings
    }
    names.build();
    value_codes.clear();
    if (!padded_codes.empty()) {
        value_codes.reserve(names.values_size());
        for (std::size_t k = 0; k < names.values_size(); ++k) {
            value_codes.push_back(padded_codes[record_of(names.values_data()[k])]);
        }
    }
}

DivisionTable::DivisionTable() : m_impl(std::make_unique<Impl>()) {}

DivisionTable::DivisionTable(std::vector<Division> divisions) : m_impl(std::make_unique<Impl>()) {
    if (divisions.size() >= (1u << 28)) { // the name index keeps a record's number in 28 bits
        throw usage_error(std::to_string(divisions.size()) + " divisions are too many for one table",
                          "China has under 700,000; load one table, not many copies of it");
    }
    m_impl->records.reserve(divisions.size());
    for (Division& d : divisions) {
        if (d.level < 1 || d.level > 5) {
            throw usage_error("division " + d.code + " has level " + std::to_string(d.level),
                              "levels are 1 province .. 5 community");
        }
        m_impl->records.push_back(detail::DivisionRecord{std::move(d), {}});
    }
    m_impl->index();
}

DivisionTable::~DivisionTable() = default;
DivisionTable::DivisionTable(DivisionTable&&) noexcept = default;
DivisionTable& DivisionTable::operator=(DivisionTable&&) noexcept = default;

std::size_t DivisionTable::size() const noexcept { return m_impl->records.size(); }

const Division* DivisionTable::find_code(std::string_view code) const noexcept {
    const auto it = m_impl->by_code.find(detail::code_key(code));
    return it == m_impl->by_code.end() ? nullptr : &m_impl->records[it->second].division;
}

std::vector<const Division*> DivisionTable::find_name(std::string_view name) const {
    std::vector<const Division*> out;
    const auto [b, e] = m_impl->names.find(detail::to_u32(name));
    for (const std::uint32_t* p = b; p != e; ++p) {
        out.push_back(&m_impl->records[Impl::record_of(*p)].division);
    }
    return out;
}

std::string DivisionTable::normalised_name(const Division& d) const {
    if (const auto it = m_impl->by_code.find(detail::code_key(d.code)); it != m_impl->by_code.end()) {
        return m_impl->records[it->second].normalised;
    }
    return d.level == 5 ? detail::from_u32(detail::normalise_village(detail::to_u32(d.name))) : d.name;
}

} // namespace grid::address

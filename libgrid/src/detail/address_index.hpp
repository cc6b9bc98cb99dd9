// Private: the name index of the division table and of the gazetteer. Keys are UTF-32 strings;
// the table is open-addressed on a 64-bit FNV-1a hash computed incrementally, so the parser can
// try every length at a position with one hash step and one probe per length.
#pragma once

#include "libgrid/address.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace grid::address::detail {

inline constexpr std::uint64_t k_fnv_offset = 1469598103934665603ull;
inline std::uint64_t hash_step(std::uint64_t h, char32_t c) noexcept {
    return (h ^ static_cast<std::uint64_t>(c)) * 1099511628211ull;
}
inline std::uint64_t hash_of(std::u32string_view s) noexcept {
    std::uint64_t h = k_fnv_offset;
    for (char32_t c : s) {
        h = hash_step(h, c);
    }
    return h;
}

/// A multimap from UTF-32 keys to 32-bit payloads, built once, read by many threads. Besides
/// the keys it keeps a Bloom bitset of every key prefix, so a scanner extending a run of
/// characters can stop as soon as no key starts that way.
class NameIndex {
public:
    void add(std::u32string_view key, std::uint32_t payload) { add(key, payload, hash_of(key)); }
    /// As add(), with the key's hash given: lets tests make two keys share a hash.
    void add(std::u32string_view key, std::uint32_t payload, std::uint64_t hash);
    /// Freezes the index; add() must not be called afterwards.
    void build();
    /// The payloads of the key whose hash is `h` and text is `key`; empty when absent.
    std::pair<const std::uint32_t*, const std::uint32_t*> find(std::uint64_t h, std::u32string_view key) const noexcept;
    std::pair<const std::uint32_t*, const std::uint32_t*> find(std::u32string_view key) const noexcept {
        return find(hash_of(key), key);
    }
    /// False when no key starts with the characters whose running hash is `h`.
    bool may_have_prefix(std::uint64_t h) const noexcept {
        if (m_prefix_bits.empty()) {
            return false;
        }
        const std::uint64_t bit = (h >> 7) & m_prefix_mask;
        return (m_prefix_bits[bit >> 6] >> (bit & 63)) & 1u;
    }
    std::size_t max_key_length() const noexcept { return m_max_len; }
    /// Every payload, grouped by key: find() returns ranges of it.
    const std::uint32_t* values_data() const noexcept { return m_values.data(); }
    std::size_t values_size() const noexcept { return m_values.size(); }
    bool empty() const noexcept { return m_groups.empty(); }

private:
    struct Entry {
        std::uint64_t hash;
        std::uint32_t key_off, key_len, payload;
    };
    struct Group {
        std::uint64_t hash;
        std::uint32_t key_off, key_len, val_off, val_count;
    };
    std::vector<Entry> m_entries;
    std::u32string m_keys;
    std::vector<std::uint32_t> m_values;
    std::vector<Group> m_groups;
    std::vector<std::uint64_t> m_slots; // upper half of the key's hash | group index + 1; 0 = empty
    std::vector<std::uint64_t> m_prefix_bits;
    std::uint64_t m_prefix_mask = 0;
    std::size_t m_max_len = 0;
};

/// Division codes as integers: digits and length (2..12) in one key.
inline std::uint64_t code_key(std::string_view code) noexcept {
    std::uint64_t v = 0;
    for (char c : code) {
        if (c < '0' || c > '9') {
            return 0;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return code.empty() || code.size() > 15 ? 0 : v * 16 + code.size();
}

/// 10^0 .. 10^15.
inline constexpr std::array<std::uint64_t, 16> k_pow10 = [] {
    std::array<std::uint64_t, 16> p{};
    p[0] = 1;
    for (std::size_t k = 1; k < p.size(); ++k) {
        p[k] = p[k - 1] * 10;
    }
    return p;
}();

/// A decoded division with its UTF-32 code prefix data for fast consistency checks.
struct DivisionRecord {
    Division division;
    std::string normalised; ///< what the parser outputs
};

} // namespace grid::address::detail

namespace grid::address {

struct DivisionTable::Impl {
    std::vector<detail::DivisionRecord> records;
    std::unordered_map<std::uint64_t, std::uint32_t> by_code; ///< code_key -> record
    /// payload = record index << 4 | level << 1 | alias flag (1 = short alias, needs context), so
    /// the parser can weigh a name's divisions by level without reading their records.
    detail::NameIndex names;
    /// Per record, its code as a number padded to 15 digits (32 -> 320000000000000) << 4 | its
    /// length, so "a's code starts with b's" is a range test on 8 contiguous bytes: the parser
    /// asks it for every division a name could be. Left empty when a code is not 1..15 digits.
    std::vector<std::uint64_t> padded_codes;
    void index();

    static std::uint32_t record_of(std::uint32_t payload) noexcept { return payload >> 4; }
    static int level_of(std::uint32_t payload) noexcept { return static_cast<int>((payload >> 1) & 7u); }
    static bool alias_of(std::uint32_t payload) noexcept { return (payload & 1u) != 0; }
    /// For each payload of `names`, in the same order, the padded code of its record: a name's
    /// divisions are read in one sequential sweep, not one cache miss each (empty with padded_codes).
    std::vector<std::uint64_t> value_codes;
    /// The padded code of the record behind the payload at `p` (a pointer from names.find()).
    std::uint64_t padded_code_at(const std::uint32_t* p) const noexcept {
        return value_codes[static_cast<std::size_t>(p - names.values_data())];
    }
    /// True when padded code `child` is longer than `up` and starts with it.
    static bool code_under(std::uint64_t child, std::uint64_t up) noexcept {
        const std::uint64_t ulen = up & 15u;
        // The codes under `up` share its first ulen digits: they lie within 10^(15 - ulen) of it.
        return (child & 15u) > ulen && (child >> 4) >= (up >> 4) && (child >> 4) - (up >> 4) < detail::k_pow10[15 - ulen];
    }
    /// The padded code of a code_key() (not 0): its value times 10^(15 - length), then the length.
    static std::uint64_t padded_code(std::uint64_t key) noexcept {
        const std::uint64_t length = key & 15u;
        return (key >> 4) * detail::k_pow10[15 - length] << 4 | length;
    }
    /// True when record `child`'s code is longer than record `up`'s and starts with it.
    bool is_under(std::uint32_t child, std::uint32_t up) const noexcept {
        if (padded_codes.empty()) {
            const std::string& c = records[child].division.code;
            const std::string& u = records[up].division.code;
            return c.size() > u.size() && c.compare(0, u.size(), u) == 0;
        }
        return code_under(padded_codes[child], padded_codes[up]);
    }
};

} // namespace grid::address

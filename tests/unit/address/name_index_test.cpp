// The name index behind the division table and the gazetteer (libgrid/src/detail/address_index.hpp).
#include "detail/address_index.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using grid::address::detail::NameIndex;

namespace {

std::vector<std::uint32_t> payloads(const NameIndex& index, std::uint64_t hash, std::u32string_view key) {
    const auto [b, e] = index.find(hash, key);
    return {b, e};
}

} // namespace

TEST_CASE("name index: each key finds its own payloads, once each and in order") {
    NameIndex index;
    index.add(U"新村", 7);
    index.add(U"海陵区", 3);
    index.add(U"新村", 2);
    index.add(U"新村", 7); // the same payload twice is kept once
    index.add(U"海陵", 9);
    index.build();
    CHECK(payloads(index, grid::address::detail::hash_of(U"新村"), U"新村") == std::vector<std::uint32_t>{2, 7});
    CHECK(payloads(index, grid::address::detail::hash_of(U"海陵区"), U"海陵区") == std::vector<std::uint32_t>{3});
    CHECK(payloads(index, grid::address::detail::hash_of(U"海陵"), U"海陵") == std::vector<std::uint32_t>{9});
    CHECK(payloads(index, grid::address::detail::hash_of(U"海"), U"海").empty());
    CHECK(payloads(index, grid::address::detail::hash_of(U"新村村"), U"新村村").empty());
    CHECK(index.max_key_length() == 3);
    // Every prefix of a key is known to the prefix filter.
    std::uint64_t h = grid::address::detail::k_fnv_offset;
    for (char32_t c : std::u32string_view(U"海陵区")) {
        h = grid::address::detail::hash_step(h, c);
        CHECK(index.may_have_prefix(h));
    }
}

TEST_CASE("name index: two keys sharing a hash stay apart") {
    // A 64-bit hash shared by different keys is rare but possible: each key keeps its payloads,
    // whatever order they were added in.
    constexpr std::uint64_t shared = 0x1234567890abcdefull;
    NameIndex index;
    index.add(U"东村", 5, shared);
    index.add(U"西村", 1, shared);
    index.add(U"东村", 2, shared);
    index.add(U"西村", 8, shared);
    index.add(U"南村", 4, shared);
    index.add(U"北村", 6);
    index.build();
    CHECK(payloads(index, shared, U"东村") == std::vector<std::uint32_t>{2, 5});
    CHECK(payloads(index, shared, U"西村") == std::vector<std::uint32_t>{1, 8});
    CHECK(payloads(index, shared, U"南村") == std::vector<std::uint32_t>{4});
    CHECK(payloads(index, shared, U"中村").empty());
    CHECK(payloads(index, grid::address::detail::hash_of(U"北村"), U"北村") == std::vector<std::uint32_t>{6});
}

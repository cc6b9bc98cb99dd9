// Private helpers of the redistrict module: a portable PRNG and integer quantisation, so that the
// plan depends only on the input and the seed, never on the machine.
#pragma once

#include "libgrid/redistrict.hpp"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace grid::redistrict::detail {

/// splitmix64: seeds xoshiro and derives sub-seeds.
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// xoshiro256** (Blackman & Vigna): the same sequence on every platform.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept {
        std::uint64_t s = seed;
        for (auto& word : m_s) {
            word = splitmix64(s);
        }
    }
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    /// Uniform in [0, n) without modulo bias (n > 0).
    std::uint64_t below(std::uint64_t n) noexcept {
        const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
        std::uint64_t r = next();
        while (r >= limit) {
            r = next();
        }
        return r % n;
    }
    template <class T> void shuffle(std::vector<T>& v) noexcept {
        for (std::size_t i = v.size(); i > 1; --i) {
            const std::size_t j = static_cast<std::size_t>(below(i));
            std::swap(v[i - 1], v[j]);
        }
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_s[4];
};

/// Rounds v * factor to the nearest integer (a single IEEE multiplication and llround: exact
/// and the same on every platform).
inline std::int64_t quantise(double v, double factor) noexcept {
    if (!std::isfinite(v)) {
        return 0;
    }
    return std::llround(v * factor);
}

/// Whether the graph carries cell areas or shared lengths. Without them every cell counts as
/// 1 m² and every shared boundary as 1 m, so compactness becomes a cut-edge measure.
inline bool has_geometry(const AtomGraph& g) noexcept {
    for (const Atom& a : g.atoms) {
        if (a.cell_area > 0) {
            return true;
        }
    }
    for (const Edge& e : g.edges) {
        if (e.shared_length > 0) {
            return true;
        }
    }
    return false;
}

} // namespace grid::redistrict::detail

// A portable random generator for deterministic output (synth, redistrict): xoshiro256**
// (Blackman & Vigna) seeded with splitmix64, and uniform helpers written out here, because
// std::uniform_int_distribution and friends give different sequences on different libraries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace grid::detail {

/// splitmix64: advances `state` and returns the next output (also a good 64-bit mix).
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// xoshiro256**: the same sequence on every platform.
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
    /// Uniform integer in [lo, hi].
    int range(int lo, int hi) noexcept { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1))); }
    /// Uniform in [0, 1), 53 bits.
    double real() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * real(); }
    bool chance(double p) noexcept { return real() < p; }
    /// An index drawn with the given (non-negative) weights.
    std::size_t weighted(const std::vector<double>& weights) noexcept {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double r = real() * total;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.empty() ? 0 : weights.size() - 1;
    }
    /// Fisher-Yates.
    template <class T>
    void shuffle(std::vector<T>& v) noexcept {
        for (std::size_t i = v.size(); i > 1; --i) {
            const std::size_t j = static_cast<std::size_t>(below(i));
            std::swap(v[i - 1], v[j]);
        }
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t m_s[4];
};

} // namespace grid::detail

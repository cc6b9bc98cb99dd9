// Private helpers of the redistrict module: the portable PRNG and integer quantisation, so that the
// plan depends only on the input and the seed, never on the machine.
#pragma once

#include "libgrid/redistrict.hpp"

#include "detail/random.hpp"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace grid::redistrict::detail {

/// The portable generator (xoshiro256** seeded with splitmix64) of detail/random.hpp, shared
/// with synth: the same sequences as before.
using grid::detail::Rng;

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

// Synthetic atom graphs for the redistrict tests: square cells of a lattice, any shape (a mask),
// household counts from a seeded generator, optional barrier lines between columns or rows.
#pragma once

#include "detail/redistrict_internal.hpp"
#include "libgrid/redistrict.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace redistrict_test {

namespace rd = grid::redistrict;

/// The module's own portable PRNG, with a range helper for the fixtures.
struct Gen {
    grid::redistrict::detail::Rng rng;
    explicit Gen(std::uint64_t seed) : rng(seed) {}
    std::uint64_t next() { return rng.next(); }
    std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
    }
    double real() { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; }
};

struct Lattice {
    rd::AtomGraph graph;
    std::vector<int> col, row;             ///< per atom
    std::map<std::pair<int, int>, std::size_t> index; ///< (col,row) -> atom
};

/// Cells of `side` metres at (c, r) for c < w, r < h where mask(c, r) is true.
/// barrier(c1, r1, c2, r2) marks edges between neighbouring cells.
inline Lattice make_lattice(int w, int h, const std::function<bool(int, int)>& mask,
                            const std::function<std::int64_t(int, int)>& households,
                            const std::function<bool(int, int, int, int)>& barrier = {}, double side = 10.0) {
    Lattice l;
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            if (!mask(c, r)) {
                continue;
            }
            rd::Atom a;
            a.id = "B" + std::to_string(c) + "_" + std::to_string(r);
            a.households = households(c, r);
            a.x = (c + 0.5) * side;
            a.y = (r + 0.5) * side;
            a.cell_area = side * side;
            l.index[{c, r}] = l.graph.atoms.size();
            l.col.push_back(c);
            l.row.push_back(r);
            l.graph.atoms.push_back(a);
        }
    }
    for (std::size_t i = 0; i < l.graph.atoms.size(); ++i) {
        const int c = l.col[i];
        const int r = l.row[i];
        const int dc[4] = {1, -1, 0, 0};
        const int dr[4] = {0, 0, 1, -1};
        for (int d = 0; d < 4; ++d) {
            auto it = l.index.find({c + dc[d], r + dr[d]});
            if (it == l.index.end()) {
                l.graph.atoms[i].outer_length += side;
                continue;
            }
            if (it->second < i) {
                continue;
            }
            rd::Edge e;
            e.a = i;
            e.b = it->second;
            e.shared_length = side;
            e.barrier = barrier ? barrier(c, r, c + dc[d], r + dr[d]) : false;
            l.graph.edges.push_back(e);
        }
    }
    return l;
}

inline bool full(int, int) { return true; }

/// Copies a plan's zones into the atoms' current_zone as codes "Z<n>" (or given codes).
inline void apply_as_current(rd::AtomGraph& g, const rd::Plan& plan, const std::vector<std::string>& codes = {}) {
    for (std::size_t i = 0; i < g.atoms.size(); ++i) {
        const std::size_t z = plan.zone_of[i];
        g.atoms[i].current_zone = codes.empty() ? "Z" + std::to_string(z) : codes[z];
    }
}

} // namespace redistrict_test

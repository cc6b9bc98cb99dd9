// The redistricting partitioner (design/REDISTRICT.md, rules 1-6 and 9) on an atom graph.
//
// Outline:
//  1. Fixed zones: locked current micro-grids, and atoms holding more than max households.
//  2. A start: the current plan (split into connected pieces, unassigned atoms attached to a
//     neighbouring zone), or, where there is none, a construction: the atoms are cut into
//     barrier-free regions (too-small regions merged with a neighbour), each region is bisected
//     recursively (straight cuts along four axes, the shortest feasible one; random spanning-tree
//     cuts as a fallback) into about H / ((min + max) / 2) zones.
//  3. Repair: single-atom moves, merges, splits and local re-partitions that reduce the households
//     outside the bounds, contiguity kept at every step.
//  4. Optimisation: threshold accepting over single-atom moves between neighbouring zones, bounds
//     and contiguity hard; objective = sum of (1 - Polsby-Popper) per zone + barrier penalty +
//     moved-household penalty + balance penalty; the best plan seen is kept.
// Everything is integer arithmetic on quantised inputs plus our own PRNG, so plans are the same on
// every machine.
#include "libgrid/redistrict.hpp"

#include "detail/redistrict_internal.hpp"
#include "libgrid/error.hpp"

#include <algorithm>
#include <climits>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>

namespace grid::redistrict {

using detail::quantise;
using detail::Rng;

namespace {

using i64 = std::int64_t;
__extension__ typedef __int128 i128;

constexpr i64 k_scale = 1000000;           // compactness unit: 1e-6 Polsby-Popper
constexpr i64 k_four_pi_scaled = 12566371;         // 4π × k_scale, rounded
constexpr i64 k_small_area = 700000000000LL;       // cm² (70 km²): area × 4π·1e6 fits in 63 bits
constexpr i64 k_small_perimeter = 3000000000LL;    // cm (30,000 km): perimeter² fits in 63 bits

/// The atom graph in integer form: CSR adjacency sorted by neighbour, lengths in cm, areas in cm².
struct Problem {
    int n = 0;
    std::vector<int> off;
    std::vector<int> adj;
    std::vector<i64> len;
    std::vector<unsigned char> bar;
    std::vector<i64> hh;
    std::vector<i64> area;
    std::vector<i64> cell_per; ///< full perimeter of the cell: shared lengths + outer length
    std::vector<i64> x;
    std::vector<i64> y;
    std::vector<int> home; ///< index into home_names, -1 for none
    std::vector<std::string> home_names;
    std::vector<unsigned char> locked;
    i64 min = 50;
    i64 max = 100;
    i64 w_bar = 0;
    i64 w_move = 0;
    i64 w_bal = 0;
    i64 threshold = 0;
    int sweeps = 0;
    bool keep_feasible = true;
    const AtomGraph* graph = nullptr;
};

Problem make_problem(const AtomGraph& g, const Options& o) {
    if (o.min_households < 0 || o.max_households < 1 || o.max_households < o.min_households) {
        throw usage_error("redistrict: bounds min " + std::to_string(o.min_households) + ", max " +
                              std::to_string(o.max_households) + " are not usable",
                          "give 0 <= --min <= --max and --max >= 1 (default 50 and 100)");
    }
    if (o.sweeps < 0) {
        throw usage_error("redistrict: sweeps must be >= 0");
    }
    Problem p;
    p.graph = &g;
    p.n = static_cast<int>(g.atoms.size());
    if (g.atoms.size() > static_cast<std::size_t>(INT_MAX / 4)) {
        throw usage_error("redistrict: too many atoms in one grid");
    }
    p.min = o.min_households;
    p.max = o.max_households;
    p.w_bar = quantise(o.barrier_penalty, static_cast<double>(k_scale));
    p.w_move = quantise(o.move_penalty, static_cast<double>(k_scale));
    p.w_bal = quantise(o.balance_penalty, static_cast<double>(k_scale));
    p.threshold = k_scale / 40;
    p.sweeps = o.sweeps;
    p.keep_feasible = o.keep_feasible_current;

    const bool geometry = detail::has_geometry(g);

    std::map<std::string, int> homes; // sorted: indices independent of atom order
    for (const Atom& a : g.atoms) {
        if (!a.current_zone.empty()) {
            homes.emplace(a.current_zone, 0);
        }
    }
    int next = 0;
    for (auto& [name, index] : homes) {
        index = next++;
        p.home_names.push_back(name);
    }
    p.hh.resize(p.n);
    p.area.resize(p.n);
    p.x.resize(p.n);
    p.y.resize(p.n);
    p.home.resize(p.n);
    p.locked.resize(p.n);
    std::vector<i64> outer(p.n);
    for (int i = 0; i < p.n; ++i) {
        const Atom& a = g.atoms[i];
        if (a.households < 0) {
            throw usage_error("redistrict: atom " + a.id + " has " + std::to_string(a.households) + " households",
                              "household counts must be >= 0");
        }
        p.hh[i] = a.households;
        p.area[i] = geometry ? std::max<i64>(0, quantise(a.cell_area, 1e4)) : 10000;
        outer[i] = geometry ? std::max<i64>(0, quantise(a.outer_length, 100.0)) : 0;
        p.x[i] = quantise(a.x, 100.0);
        p.y[i] = quantise(a.y, 100.0);
        p.home[i] = a.current_zone.empty() ? -1 : homes.at(a.current_zone);
        p.locked[i] = a.locked ? 1 : 0;
        if (a.locked && a.current_zone.empty()) {
            throw usage_error("redistrict: atom " + a.id + " is locked but is in no micro-grid",
                              "lock micro-grids (--lock CODE), not loose buildings");
        }
    }

    struct E {
        int a, b;
        i64 len;
        unsigned char bar;
    };
    std::vector<E> edges;
    edges.reserve(g.edges.size());
    for (const Edge& e : g.edges) {
        if (e.a >= g.atoms.size() || e.b >= g.atoms.size()) {
            throw usage_error("redistrict: an edge refers to atom " + std::to_string(std::max(e.a, e.b)) + " of " +
                              std::to_string(g.atoms.size()));
        }
        if (e.a == e.b) {
            continue;
        }
        const int a = static_cast<int>(std::min(e.a, e.b));
        const int b = static_cast<int>(std::max(e.a, e.b));
        const i64 l = geometry ? std::max<i64>(0, quantise(e.shared_length, 100.0)) : 100;
        edges.push_back({a, b, l, static_cast<unsigned char>(e.barrier ? 1 : 0)});
    }
    std::sort(edges.begin(), edges.end(), [](const E& l, const E& r) { return std::tie(l.a, l.b) < std::tie(r.a, r.b); });
    std::vector<E> merged;
    for (const E& e : edges) {
        if (!merged.empty() && merged.back().a == e.a && merged.back().b == e.b) {
            merged.back().len += e.len;
            merged.back().bar |= e.bar;
        } else {
            merged.push_back(e);
        }
    }
    std::vector<int> degree(p.n, 0);
    for (const E& e : merged) {
        ++degree[e.a];
        ++degree[e.b];
    }
    p.off.assign(p.n + 1, 0);
    for (int i = 0; i < p.n; ++i) {
        p.off[i + 1] = p.off[i] + degree[i];
    }
    p.adj.resize(p.off[p.n]);
    p.len.resize(p.off[p.n]);
    p.bar.resize(p.off[p.n]);
    std::vector<int> fill(p.off.begin(), p.off.end() - 1);
    for (const E& e : merged) {
        const int k = fill[e.a]++;
        p.adj[k] = e.b;
        p.len[k] = e.len;
        p.bar[k] = e.bar;
    }
    for (const E& e : merged) {
        const int k = fill[e.b]++;
        p.adj[k] = e.a;
        p.len[k] = e.len;
        p.bar[k] = e.bar;
    }
    for (int i = 0; i < p.n; ++i) {
        // Each atom's neighbours in ascending order, so that every scan is machine-independent.
        std::vector<std::tuple<int, i64, unsigned char>> row;
        for (int k = p.off[i]; k < p.off[i + 1]; ++k) {
            row.emplace_back(p.adj[k], p.len[k], p.bar[k]);
        }
        std::sort(row.begin(), row.end());
        for (int k = p.off[i]; k < p.off[i + 1]; ++k) {
            std::tie(p.adj[k], p.len[k], p.bar[k]) = row[k - p.off[i]];
        }
    }
    p.cell_per.resize(p.n);
    for (int i = 0; i < p.n; ++i) {
        i64 s = outer[i];
        for (int k = p.off[i]; k < p.off[i + 1]; ++k) {
            s += p.len[k];
        }
        p.cell_per[i] = s;
    }
    return p;
}

std::string list_ids(const AtomGraph& g, const std::vector<std::size_t>& atoms) {
    std::string s;
    const std::size_t shown = std::min<std::size_t>(atoms.size(), 8);
    for (std::size_t i = 0; i < shown; ++i) {
        s += (i ? ", " : "") + g.atoms[atoms[i]].id;
    }
    if (atoms.size() > shown) {
        s += " and " + std::to_string(atoms.size() - shown) + " more";
    }
    return s;
}

class Partitioner {
public:
    Partitioner(const Problem& p, std::uint64_t seed) : P(p), m_rng(seed) {
        m_mark.assign(P.n, 0);
        m_side.assign(P.n, 0);
        zone.assign(P.n, -1);
    }

    Plan run();

private:
    const Problem& P;
    Rng m_rng;

    // State.
    std::vector<int> zone;
    std::vector<i64> m_zhh, m_zarea, m_zper;
    std::vector<int> m_zsize;
    std::vector<unsigned char> m_zfixed;
    std::vector<int> m_zorigin;
    std::vector<unsigned char> m_oversize; ///< per atom
    std::vector<unsigned char> m_free;     ///< per atom: not in a fixed zone

    // Scratch.
    std::vector<unsigned> m_mark;
    unsigned m_stamp = 0;
    std::vector<signed char> m_side;
    std::vector<int> m_queue;
    i64 m_budget = 0; ///< build calls left for trying further cuts
    bool m_random_cuts = false; ///< restarts: random spanning-tree cuts before straight ones
    i64 m_count_shift = 0;      ///< restarts: zones per region this many more (or fewer) than preferred

    unsigned next_stamp() {
        if (++m_stamp == 0) {
            std::fill(m_mark.begin(), m_mark.end(), 0);
            m_stamp = 1;
        }
        return m_stamp;
    }

    // ---- costs ----
    i64 compact_cost(i64 area, i64 per) const {
        if (per <= 0) {
            return 0;
        }
        i64 q;
        if (area < k_small_area && per < k_small_perimeter) {
            // 64-bit arithmetic (fast) where it cannot overflow: 4π × 1e6 rounded to an integer.
            q = area * k_four_pi_scaled / (per * per);
        } else {
            const i128 wide = static_cast<i128>(area) * k_four_pi_scaled / (static_cast<i128>(per) * per);
            q = wide > k_scale ? k_scale : static_cast<i64>(wide);
        }
        return k_scale - std::min(q, k_scale);
    }
    i64 balance_cost(i64 h) const {
        const i64 w = P.max - P.min;
        if (w <= 0 || P.w_bal == 0) {
            return 0;
        }
        i64 d = 2 * h - P.min - P.max;
        d = std::max<i64>(-4 * w, std::min<i64>(4 * w, d));
        return static_cast<i64>(static_cast<i128>(P.w_bal) * d * d / (static_cast<i128>(w) * w));
    }
    i64 zone_cost(i64 area, i64 per, i64 h, int size) const {
        return size == 0 ? 0 : compact_cost(area, per) + balance_cost(h);
    }
    i64 viol(i64 h, int size) const {
        if (size == 0) {
            return 0;
        }
        return std::max<i64>(0, P.min - h) + std::max<i64>(0, h - P.max);
    }
    i64 zone_viol(int z) const { return m_zfixed[z] ? 0 : viol(m_zhh[z], m_zsize[z]); }
    i64 zone_cost_of(int z) const { return zone_cost(m_zarea[z], m_zper[z], m_zhh[z], m_zsize[z]); }

    static std::pair<i64, i64> count_range(i64 h, i64 mn, i64 mx) {
        const i64 lo = std::max<i64>(1, (h + mx - 1) / mx);
        const i64 hi = mn == 0 ? std::max<i64>(lo, h) : h / mn;
        return {lo, hi};
    }
    bool count_feasible(i64 h) const {
        const auto [lo, hi] = count_range(h, P.min, P.max);
        return lo <= hi;
    }
    /// The preferred number of zones for h households: nearest to h / middle of the bounds.
    i64 preferred_count(i64 h) const {
        const auto [lo, hi] = count_range(h, P.min, P.max);
        const i64 s = P.min + P.max;
        i64 c = (4 * h + s) / (2 * s);
        if (lo > hi) {
            return lo;
        }
        return std::max(lo, std::min(hi, c));
    }

    // ---- zones ----
    int add_zone(int origin, bool fixed) {
        m_zhh.push_back(0);
        m_zarea.push_back(0);
        m_zper.push_back(0);
        m_zsize.push_back(0);
        m_zfixed.push_back(fixed ? 1 : 0);
        m_zorigin.push_back(origin);
        return static_cast<int>(m_zhh.size()) - 1;
    }
    void recompute() {
        std::fill(m_zhh.begin(), m_zhh.end(), 0);
        std::fill(m_zarea.begin(), m_zarea.end(), 0);
        std::fill(m_zper.begin(), m_zper.end(), 0);
        std::fill(m_zsize.begin(), m_zsize.end(), 0);
        for (int a = 0; a < P.n; ++a) {
            const int z = zone[a];
            if (z < 0) {
                continue;
            }
            m_zhh[z] += P.hh[a];
            m_zarea[z] += P.area[a];
            m_zsize[z] += 1;
            i64 per = P.cell_per[a];
            for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                if (zone[P.adj[k]] == z) {
                    per -= P.len[k];
                }
            }
            m_zper[z] += per;
        }
    }
    std::vector<int> members(int z) const {
        std::vector<int> m;
        for (int a = 0; a < P.n; ++a) {
            if (zone[a] == z) {
                m.push_back(a);
            }
        }
        return m;
    }

    i64 total_objective() const {
        i64 total = 0;
        for (std::size_t z = 0; z < m_zhh.size(); ++z) {
            total += zone_cost_of(static_cast<int>(z));
        }
        for (int a = 0; a < P.n; ++a) {
            for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                if (P.bar[k] && P.adj[k] > a && zone[P.adj[k]] == zone[a]) {
                    total += P.w_bar;
                }
            }
            if (P.home[a] >= 0 && m_zorigin[zone[a]] != P.home[a]) {
                total += P.w_move * P.hh[a];
            }
        }
        return total;
    }
    i64 total_violation() const {
        i64 v = 0;
        for (std::size_t z = 0; z < m_zhh.size(); ++z) {
            v += zone_viol(static_cast<int>(z));
        }
        return v;
    }

    // ---- moves ----
    struct Eval {
        i64 dviol = 0;
        i64 dobj = 0;
    };
    Eval eval_move(int a, int to) const {
        const int from = zone[a];
        i64 s_from = 0;
        i64 s_to = 0;
        int b_from = 0;
        int b_to = 0;
        for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
            const int zb = zone[P.adj[k]];
            if (zb == from) {
                s_from += P.len[k];
                b_from += P.bar[k];
            } else if (zb == to) {
                s_to += P.len[k];
                b_to += P.bar[k];
            }
        }
        const i64 h = P.hh[a];
        const i64 fa = m_zarea[from] - P.area[a];
        const i64 fp = m_zper[from] - P.cell_per[a] + 2 * s_from;
        const i64 fh = m_zhh[from] - h;
        const int fs = m_zsize[from] - 1;
        const i64 ta = m_zarea[to] + P.area[a];
        const i64 tp = m_zper[to] + P.cell_per[a] - 2 * s_to;
        const i64 th = m_zhh[to] + h;
        const int ts = m_zsize[to] + 1;
        Eval e;
        e.dobj = zone_cost(fa, fp, fh, fs) + zone_cost(ta, tp, th, ts) - zone_cost_of(from) - zone_cost_of(to) +
                 P.w_bar * (b_to - b_from);
        if (P.home[a] >= 0) {
            const int before = m_zorigin[from] != P.home[a] ? 1 : 0;
            const int after = m_zorigin[to] != P.home[a] ? 1 : 0;
            e.dobj += P.w_move * h * (after - before);
        }
        e.dviol = viol(fh, fs) + viol(th, ts) - zone_viol(from) - zone_viol(to);
        return e;
    }
    void move(int a, int to) {
        const int from = zone[a];
        i64 s_from = 0;
        i64 s_to = 0;
        for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
            const int zb = zone[P.adj[k]];
            if (zb == from) {
                s_from += P.len[k];
            } else if (zb == to) {
                s_to += P.len[k];
            }
        }
        m_zhh[from] -= P.hh[a];
        m_zarea[from] -= P.area[a];
        m_zper[from] += -P.cell_per[a] + 2 * s_from;
        m_zsize[from] -= 1;
        m_zhh[to] += P.hh[a];
        m_zarea[to] += P.area[a];
        m_zper[to] += P.cell_per[a] - 2 * s_to;
        m_zsize[to] += 1;
        zone[a] = to;
    }
    /// True when zone(a) stays in one piece without a (or a is its only atom).
    bool connected_without(int a) {
        const int z = zone[a];
        int first = -1;
        int targets = 0;
        for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
            if (zone[P.adj[k]] == z) {
                ++targets;
                if (first < 0) {
                    first = P.adj[k];
                }
            }
        }
        if (targets <= 1) {
            return true;
        }
        const unsigned s = next_stamp();
        m_mark[a] = s;
        m_mark[first] = s;
        m_queue.clear();
        m_queue.push_back(first);
        int found = 1;
        for (std::size_t qi = 0; qi < m_queue.size(); ++qi) {
            const int u = m_queue[qi];
            for (int k = P.off[u]; k < P.off[u + 1]; ++k) {
                const int v = P.adj[k];
                if (zone[v] != z || m_mark[v] == s) {
                    continue;
                }
                m_mark[v] = s;
                // Is v one of a's neighbours?
                for (int j = P.off[a]; j < P.off[a + 1]; ++j) {
                    if (P.adj[j] == v) {
                        if (++found == targets) {
                            return true;
                        }
                        break;
                    }
                }
                m_queue.push_back(v);
            }
        }
        return false;
    }

    // ---- construction ----
    /// Connected components of `set` (atoms), edges within the set; barrier edges skipped when asked.
    std::vector<std::vector<int>> components(const std::vector<int>& set, bool skip_barriers) {
        const unsigned in = next_stamp();
        for (int a : set) {
            m_mark[a] = in;
        }
        const unsigned seen = next_stamp();
        std::vector<std::vector<int>> comps;
        for (int a : set) {
            if (m_mark[a] == seen) {
                continue;
            }
            std::vector<int> comp{a};
            m_mark[a] = seen;
            for (std::size_t qi = 0; qi < comp.size(); ++qi) {
                const int u = comp[qi];
                for (int k = P.off[u]; k < P.off[u + 1]; ++k) {
                    const int v = P.adj[k];
                    if (m_mark[v] != in || (skip_barriers && P.bar[k])) {
                        continue;
                    }
                    m_mark[v] = seen;
                    comp.push_back(v);
                }
            }
            std::sort(comp.begin(), comp.end());
            comps.push_back(std::move(comp));
        }
        std::sort(comps.begin(), comps.end(), [](const auto& l, const auto& r) { return l.front() < r.front(); });
        return comps;
    }

    i64 households(const std::vector<int>& set) const {
        i64 h = 0;
        for (int a : set) {
            h += P.hh[a];
        }
        return h;
    }

    /// The piece holding the most households (then the most atoms, then the first).
    std::size_t largest_piece(const std::vector<std::vector<int>>& pieces) const {
        std::size_t keep = 0;
        i64 keep_h = -1;
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            const i64 h = households(pieces[i]);
            if (h > keep_h || (h == keep_h && pieces[i].size() > pieces[keep].size())) {
                keep = i;
                keep_h = h;
            }
        }
        return keep;
    }

    struct Split {
        std::vector<int> a;
        std::vector<int> b;
        i64 ha = 0;
        i64 hb = 0;
        i64 cut = 0;
        bool feasible = false;
    };

    /// Makes both sides of a split connected (the set itself is connected): the pieces of A other
    /// than its largest go to B, then the pieces of B other than its largest go to A. Each moved
    /// piece borders the receiving side, so both sides end connected.
    void fix_sides(const std::vector<int>& set) {
        for (signed char side : {static_cast<signed char>(1), static_cast<signed char>(0)}) {
            std::vector<int> part;
            for (int a : set) {
                if (m_side[a] == side) {
                    part.push_back(a);
                }
            }
            if (part.empty()) {
                continue;
            }
            auto comps = components(part, false);
            if (comps.size() <= 1) {
                continue;
            }
            const std::size_t keep = largest_piece(comps);
            for (std::size_t i = 0; i < comps.size(); ++i) {
                if (i != keep) {
                    for (int a : comps[i]) {
                        m_side[a] = static_cast<signed char>(1 - side);
                    }
                }
            }
        }
    }

    Split collect_split(const std::vector<int>& set) {
        Split s;
        const unsigned in = next_stamp();
        for (int a : set) {
            m_mark[a] = in;
        }
        for (int a : set) {
            if (m_side[a] == 1) {
                s.a.push_back(a);
                s.ha += P.hh[a];
                for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                    const int v = P.adj[k];
                    if (m_mark[v] == in && m_side[v] == 0) {
                        s.cut += P.len[k] + (P.bar[k] ? 0 : 1);
                    }
                }
            } else {
                s.b.push_back(a);
                s.hb += P.hh[a];
            }
        }
        s.feasible = !s.a.empty() && !s.b.empty() && count_feasible(s.ha) && count_feasible(s.hb);
        return s;
    }

    /// Straight cut across one of four axes (x, y, x+y, x-y), the prefix nearest the share k1 / k.
    Split axis_split(const std::vector<int>& set, int axis, i64 k, i64 k1, i64 total) {
        std::vector<std::pair<i64, int>> keyed;
        keyed.reserve(set.size());
        for (int a : set) {
            const i64 key = axis == 0 ? P.x[a] : axis == 1 ? P.y[a] : axis == 2 ? P.x[a] + P.y[a] : P.x[a] - P.y[a];
            keyed.emplace_back(key, a);
        }
        std::sort(keyed.begin(), keyed.end());
        std::size_t best_p = 1;
        i128 best_d = -1;
        i64 prefix = 0;
        for (std::size_t p = 1; p < keyed.size(); ++p) {
            prefix += P.hh[keyed[p - 1].second];
            i128 d = static_cast<i128>(prefix) * k - static_cast<i128>(total) * k1;
            if (d < 0) {
                d = -d;
            }
            if (best_d < 0 || d < best_d) {
                best_d = d;
                best_p = p;
            }
        }
        for (std::size_t p = 0; p < keyed.size(); ++p) {
            m_side[keyed[p].second] = p < best_p ? 1 : 0;
        }
        fix_sides(set);
        return collect_split(set);
    }

    /// Cut of a random spanning tree whose two sides both admit a feasible zone count, nearest the
    /// proportional share; a.empty() when none of the tries finds one.
    Split tree_split(const std::vector<int>& set, i64 k, i64 total, int tries) {
        const unsigned in = next_stamp();
        for (int a : set) {
            m_mark[a] = in;
        }
        std::vector<std::pair<int, int>> edges;
        for (int a : set) {
            for (int j = P.off[a]; j < P.off[a + 1]; ++j) {
                if (P.adj[j] > a && m_mark[P.adj[j]] == in) {
                    edges.emplace_back(a, P.adj[j]);
                }
            }
        }
        std::map<int, int> local;
        for (std::size_t i = 0; i < set.size(); ++i) {
            local[set[i]] = static_cast<int>(i);
        }
        const int m = static_cast<int>(set.size());
        for (int t = 0; t < tries; ++t) {
            m_rng.shuffle(edges);
            std::vector<int> parent_uf(m);
            std::iota(parent_uf.begin(), parent_uf.end(), 0);
            auto find = [&](int x) {
                while (parent_uf[x] != x) {
                    parent_uf[x] = parent_uf[parent_uf[x]];
                    x = parent_uf[x];
                }
                return x;
            };
            std::vector<std::vector<int>> tree(m);
            for (const auto& [u, v] : edges) {
                const int lu = local[u];
                const int lv = local[v];
                const int ru = find(lu);
                const int rv = find(lv);
                if (ru != rv) {
                    parent_uf[ru] = rv;
                    tree[lu].push_back(lv);
                    tree[lv].push_back(lu);
                }
            }
            std::vector<int> order{0};
            std::vector<int> parent(m, -1);
            parent[0] = 0;
            for (std::size_t qi = 0; qi < order.size(); ++qi) {
                for (int v : tree[order[qi]]) {
                    if (parent[v] < 0) {
                        parent[v] = order[qi];
                        order.push_back(v);
                    }
                }
            }
            if (static_cast<int>(order.size()) != m) {
                return {}; // not connected: no tree
            }
            std::vector<i64> sub(m, 0);
            for (int i = m - 1; i >= 0; --i) {
                const int v = order[i];
                sub[v] += P.hh[set[v]];
                if (i > 0) {
                    sub[parent[v]] += sub[v];
                }
            }
            int best_v = -1;
            i128 best_d = -1;
            for (int i = 1; i < m; ++i) {
                const int v = order[i];
                if (!count_feasible(sub[v]) || !count_feasible(total - sub[v])) {
                    continue;
                }
                // Distance to the nearest proportional share k1 / k.
                const i128 share = static_cast<i128>(sub[v]) * k;
                const i128 k1 = std::max<i128>(1, std::min<i128>(k - 1, (2 * share + total) / (2 * total)));
                i128 d = share - static_cast<i128>(total) * k1;
                if (d < 0) {
                    d = -d;
                }
                if (best_d < 0 || d < best_d) {
                    best_d = d;
                    best_v = v;
                }
            }
            if (best_v < 0) {
                continue;
            }
            for (int a : set) {
                m_side[a] = 0;
            }
            std::vector<int> stack{best_v};
            while (!stack.empty()) {
                const int v = stack.back();
                stack.pop_back();
                m_side[set[v]] = 1;
                for (int w : tree[v]) {
                    if (w != parent[v]) {
                        stack.push_back(w);
                    }
                }
            }
            return collect_split(set);
        }
        return {};
    }

    /// Cuts a connected set into about k zones (appended to out); returns the households outside the
    /// bounds over the zones made. While a cut leads to zones outside the bounds, further cuts are
    /// tried (the other straight cuts, then random spanning-tree cuts), within a budget of calls.
    i64 build(const std::vector<int>& set, i64 k, std::vector<std::vector<int>>& out) {
        m_budget = 4 * k + 200;
        return build_rec(set, k, out);
    }

    i64 build_rec(const std::vector<int>& set, i64 k, std::vector<std::vector<int>>& out) {
        if (set.empty()) {
            return 0;
        }
        const i64 total = households(set);
        if (k <= 1 || set.size() == 1) {
            out.push_back(set);
            return viol(total, 1);
        }
        --m_budget;
        std::vector<Split> cands;
        for (int axis = 0; axis < 4; ++axis) {
            for (i64 k1 : {k / 2, k - k / 2}) {
                Split sp = axis_split(set, axis, k, k1, total);
                const bool seen = std::any_of(cands.begin(), cands.end(), [&](const Split& c) { return c.a == sp.a; });
                if (!seen && !sp.a.empty() && !sp.b.empty()) {
                    cands.push_back(std::move(sp));
                }
                if (k % 2 == 0) {
                    break;
                }
            }
        }
        std::stable_sort(cands.begin(), cands.end(), [](const Split& l, const Split& r) {
            return std::make_pair(!l.feasible, l.cut) < std::make_pair(!r.feasible, r.cut);
        });
        auto share_count = [&](i64 h) {
            const auto [lo, hi] = count_range(h, P.min, P.max);
            i64 c = total > 0 ? static_cast<i64>((2 * static_cast<i128>(h) * k + total) / (2 * total)) : 1;
            c = std::max<i64>(1, c);
            return lo <= hi ? std::max(lo, std::min(hi, c)) : lo;
        };
        i64 best_v = std::numeric_limits<i64>::max();
        std::vector<std::vector<int>> best_out;
        auto attempt = [&](const Split& sp) {
            std::vector<std::vector<int>> tmp;
            const i64 v = build_rec(sp.a, share_count(sp.ha), tmp) + build_rec(sp.b, share_count(sp.hb), tmp);
            if (v < best_v) {
                best_v = v;
                best_out = std::move(tmp);
            }
            return best_v == 0;
        };
        bool done = false;
        if (m_random_cuts) {
            const Split ts = tree_split(set, k, total, 16);
            if (!ts.a.empty() && !ts.b.empty()) {
                done = attempt(ts);
            }
        }
        for (std::size_t ci = 0; !done && ci < cands.size(); ++ci) {
            const Split& sp = cands[ci];
            if (!sp.feasible && !best_out.empty()) {
                break; // infeasible straight cuts are a last resort, after the tree cuts
            }
            if (attempt(sp) || m_budget <= 0) {
                done = true;
                break;
            }
        }
        for (int t = 0; !done && t < 8 && m_budget > 0; ++t) {
            const Split ts = tree_split(set, k, total, 16);
            if (ts.a.empty() || ts.b.empty()) {
                break;
            }
            done = attempt(ts);
        }
        if (!done && best_out.empty() && !cands.empty()) {
            attempt(cands.front());
        }
        if (best_out.empty()) {
            out.push_back(set);
            return viol(total, 1);
        }
        for (auto& z : best_out) {
            out.push_back(std::move(z));
        }
        return best_v;
    }

    /// Constructs zones for free atoms (no current plan): barrier regions, merged where too small.
    void construct(const std::vector<int>& atoms) {
        auto regions = components(atoms, true);
        // Merge regions that admit no feasible zone count into a neighbour across a barrier:
        // smallest first, preferring a neighbour that is too small too, then the longest boundary.
        std::vector<int> region_of(P.n, -1);
        for (std::size_t r = 0; r < regions.size(); ++r) {
            for (int a : regions[r]) {
                region_of[a] = static_cast<int>(r);
            }
        }
        std::vector<i64> rh(regions.size());
        for (std::size_t r = 0; r < regions.size(); ++r) {
            rh[r] = households(regions[r]);
        }
        std::vector<unsigned char> alive(regions.size(), 1);
        std::vector<unsigned char> stuck(regions.size(), 0);
        while (true) {
            int pick = -1;
            for (std::size_t r = 0; r < regions.size(); ++r) {
                if (alive[r] && !stuck[r] && !count_feasible(rh[r]) && (pick < 0 || rh[r] < rh[pick])) {
                    pick = static_cast<int>(r);
                }
            }
            if (pick < 0) {
                break;
            }
            std::map<int, i64> shared;
            for (int a : regions[pick]) {
                for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                    const int r = region_of[P.adj[k]];
                    if (r >= 0 && r != pick) {
                        shared[r] += P.len[k] + 1;
                    }
                }
            }
            int target = -1;
            for (const auto& [r, l] : shared) {
                if (target < 0) {
                    target = r;
                    continue;
                }
                const bool small_r = !count_feasible(rh[r]);
                const bool small_t = !count_feasible(rh[target]);
                if ((small_r && !small_t) || (small_r == small_t && l > shared[target])) {
                    target = r;
                }
            }
            if (target < 0) {
                stuck[pick] = 1;
                continue;
            }
            for (int a : regions[pick]) {
                region_of[a] = target;
            }
            regions[target].insert(regions[target].end(), regions[pick].begin(), regions[pick].end());
            std::sort(regions[target].begin(), regions[target].end());
            regions[pick].clear();
            rh[target] += rh[pick];
            rh[pick] = 0;
            alive[pick] = 0;
        }
        std::vector<std::vector<int>> ordered;
        for (std::size_t r = 0; r < regions.size(); ++r) {
            if (alive[r] && !regions[r].empty()) {
                ordered.push_back(regions[r]);
            }
        }
        std::sort(ordered.begin(), ordered.end(), [](const auto& l, const auto& r) { return l.front() < r.front(); });
        for (const auto& region : ordered) {
            std::vector<std::vector<int>> out;
            const i64 h = households(region);
            const auto [lo, hi] = count_range(h, P.min, P.max);
            const i64 k = preferred_count(h);
            build(region, lo <= hi ? std::max(lo, std::min(hi, k + m_count_shift)) : k, out);
            for (const auto& z : out) {
                const int id = add_zone(-1, false);
                for (int a : z) {
                    zone[a] = id;
                }
            }
        }
    }

    /// Starts from the current plan; returns true when it is intact (every free atom in a current
    /// micro-grid, each in one piece, no atom over max sharing one).
    bool start_from_current(const std::vector<int>& free_atoms) {
        bool intact = true;
        std::vector<std::vector<int>> by_home(P.home_names.size());
        std::vector<int> loose;
        for (int a : free_atoms) {
            if (P.home[a] >= 0) {
                by_home[P.home[a]].push_back(a);
            } else {
                loose.push_back(a);
            }
        }
        // Oversize singletons already have fixed zones; they compete for their home's origin.
        std::vector<std::vector<int>> oversize_by_home(P.home_names.size());
        for (int a = 0; a < P.n; ++a) {
            if (m_oversize[a] && P.home[a] >= 0) {
                oversize_by_home[P.home[a]].push_back(a);
            }
        }
        for (std::size_t h = 0; h < by_home.size(); ++h) {
            auto pieces = by_home[h].empty() ? std::vector<std::vector<int>>{} : components(by_home[h], false);
            for (int a : oversize_by_home[h]) {
                pieces.push_back({a});
            }
            if (pieces.size() > 1) {
                intact = false;
            }
            const std::size_t keep = largest_piece(pieces);
            for (std::size_t i = 0; i < pieces.size(); ++i) {
                const int origin = i == keep ? static_cast<int>(h) : -1;
                if (pieces[i].size() == 1 && m_oversize[pieces[i][0]]) {
                    m_zorigin[zone[pieces[i][0]]] = origin;
                    continue;
                }
                const int id = add_zone(origin, false);
                for (int a : pieces[i]) {
                    zone[a] = id;
                }
            }
        }
        if (!loose.empty()) {
            intact = false;
        }
        // Attach loose atoms to the neighbouring zone with the longest shared boundary.
        bool changed = true;
        while (changed) {
            changed = false;
            for (int a : loose) {
                if (zone[a] >= 0) {
                    continue;
                }
                int best = -1;
                i64 best_len = -1;
                std::map<int, i64> shared;
                for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                    const int z = zone[P.adj[k]];
                    if (z >= 0 && !m_zfixed[z]) {
                        shared[z] += P.len[k] + 1;
                    }
                }
                for (const auto& [z, l] : shared) {
                    if (l > best_len) {
                        best = z;
                        best_len = l;
                    }
                }
                if (best >= 0) {
                    zone[a] = best;
                    changed = true;
                }
            }
        }
        std::vector<int> rest;
        for (int a : loose) {
            if (zone[a] < 0) {
                rest.push_back(a);
            }
        }
        if (!rest.empty()) {
            construct(rest);
        }
        return intact;
    }

    // ---- repair ----
    bool try_single_move(int z) {
        struct Cand {
            i64 dviol, dobj;
            int a, to;
        };
        std::vector<Cand> cands;
        for (int a = 0; a < P.n; ++a) {
            const int za = zone[a];
            if (za < 0 || m_zfixed[za]) {
                continue;
            }
            if (za == z) {
                int seen[64];
                int nseen = 0;
                for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                    const int z2 = zone[P.adj[k]];
                    if (z2 == z || m_zfixed[z2] || std::find(seen, seen + nseen, z2) != seen + nseen) {
                        continue;
                    }
                    if (nseen < 64) {
                        seen[nseen++] = z2;
                    }
                    const Eval e = eval_move(a, z2);
                    if (e.dviol < 0) {
                        cands.push_back({e.dviol, e.dobj, a, z2});
                    }
                }
            } else {
                bool touches = false;
                for (int k = P.off[a]; k < P.off[a + 1] && !touches; ++k) {
                    touches = zone[P.adj[k]] == z;
                }
                if (touches) {
                    const Eval e = eval_move(a, z);
                    if (e.dviol < 0) {
                        cands.push_back({e.dviol, e.dobj, a, z});
                    }
                }
            }
        }
        std::sort(cands.begin(), cands.end(), [](const Cand& l, const Cand& r) {
            return std::tie(l.dviol, l.dobj, l.a, l.to) < std::tie(r.dviol, r.dobj, r.a, r.to);
        });
        for (const Cand& c : cands) {
            if (connected_without(c.a)) {
                move(c.a, c.to);
                return true;
            }
        }
        return false;
    }

    /// Zones neighbouring zone z (not fixed), ascending.
    std::vector<int> neighbour_zones(const std::vector<int>& zs) {
        std::vector<int> out;
        for (int a = 0; a < P.n; ++a) {
            if (zone[a] < 0 || !std::binary_search(zs.begin(), zs.end(), zone[a])) {
                continue;
            }
            for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                const int z2 = zone[P.adj[k]];
                if (z2 >= 0 && !m_zfixed[z2] && !std::binary_search(zs.begin(), zs.end(), z2)) {
                    out.push_back(z2);
                }
            }
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    bool try_merge(int z) {
        if (m_zhh[z] >= P.min) {
            return false;
        }
        int best = -1;
        i64 best_v = 0;
        i64 best_len = -1;
        for (int z2 : neighbour_zones({z})) {
            const i64 before = zone_viol(z) + zone_viol(z2);
            const i64 after = viol(m_zhh[z] + m_zhh[z2], 1);
            if (after >= before) {
                continue;
            }
            i64 shared = 0;
            for (int a = 0; a < P.n; ++a) {
                if (zone[a] == z) {
                    for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                        if (zone[P.adj[k]] == z2) {
                            shared += P.len[k] + 1;
                        }
                    }
                }
            }
            const i64 dv = after - before;
            if (best < 0 || dv < best_v || (dv == best_v && shared > best_len)) {
                best = z2;
                best_v = dv;
                best_len = shared;
            }
        }
        if (best < 0) {
            return false;
        }
        const bool keep_z = m_zhh[z] > m_zhh[best];
        const int origin = keep_z ? m_zorigin[z] : m_zorigin[best];
        for (int a = 0; a < P.n; ++a) {
            if (zone[a] == z) {
                zone[a] = best;
            }
        }
        m_zorigin[best] = origin;
        recompute();
        return true;
    }

    /// Replaces the zones `ids` (their atoms form the connected set `set`) by `parts`, reusing ids
    /// by largest household overlap so that origins follow the households.
    void apply_parts(const std::vector<int>& ids, const std::vector<std::vector<int>>& parts) {
        std::vector<std::tuple<i64, int, int>> overlaps; // (-households, part, old id)
        for (std::size_t p = 0; p < parts.size(); ++p) {
            std::map<int, i64> ov;
            for (int a : parts[p]) {
                ov[zone[a]] += P.hh[a] * 4 + 1;
            }
            for (const auto& [z, h] : ov) {
                overlaps.emplace_back(-h, static_cast<int>(p), z);
            }
        }
        std::sort(overlaps.begin(), overlaps.end());
        std::vector<int> part_id(parts.size(), -1);
        std::vector<int> used;
        for (const auto& [h, p, z] : overlaps) {
            (void)h;
            if (part_id[p] >= 0 || std::find(used.begin(), used.end(), z) != used.end()) {
                continue;
            }
            part_id[p] = z;
            used.push_back(z);
        }
        for (std::size_t p = 0; p < parts.size(); ++p) {
            if (part_id[p] < 0) {
                part_id[p] = add_zone(-1, false);
            }
            for (int a : parts[p]) {
                zone[a] = part_id[p];
            }
        }
        (void)ids;
        recompute();
    }

    bool try_split(int z) {
        if (m_zhh[z] <= P.max) {
            return false;
        }
        const std::vector<int> set = members(z);
        const i64 k = preferred_count(m_zhh[z]);
        if (k < 2) {
            return false;
        }
        std::vector<std::vector<int>> parts;
        build(set, k, parts);
        if (parts.size() < 2) {
            return false;
        }
        i64 after = 0;
        for (const auto& part : parts) {
            after += viol(households(part), static_cast<int>(part.size()));
        }
        if (after >= zone_viol(z)) {
            return false;
        }
        apply_parts({z}, parts);
        return true;
    }

    bool try_repartition(int z) {
        std::vector<int> ids{z};
        for (int ring = 0; ring < 3; ++ring) {
            const std::vector<int> nb = neighbour_zones(ids);
            if (nb.empty()) {
                return false;
            }
            ids.insert(ids.end(), nb.begin(), nb.end());
            std::sort(ids.begin(), ids.end());
            std::vector<int> set;
            i64 before = 0;
            for (int a = 0; a < P.n; ++a) {
                if (zone[a] >= 0 && std::binary_search(ids.begin(), ids.end(), zone[a])) {
                    set.push_back(a);
                }
            }
            for (int id : ids) {
                before += zone_viol(id);
            }
            const i64 h = households(set);
            if (!count_feasible(h)) {
                continue;
            }
            const auto [lo, hi] = count_range(h, P.min, P.max);
            const i64 k = std::max(lo, std::min<i64>(hi, static_cast<i64>(ids.size())));
            for (int attempt = 0; attempt < 4; ++attempt) {
                std::vector<std::vector<int>> parts;
                build(set, k, parts);
                i64 after = 0;
                for (const auto& part : parts) {
                    after += viol(households(part), static_cast<int>(part.size()));
                }
                if (after < before) {
                    apply_parts(ids, parts);
                    return true;
                }
            }
        }
        return false;
    }

    void repair() {
        for (int round = 0; round < 200; ++round) {
            std::vector<int> bad;
            for (std::size_t z = 0; z < m_zhh.size(); ++z) {
                if (zone_viol(static_cast<int>(z)) > 0) {
                    bad.push_back(static_cast<int>(z));
                }
            }
            if (bad.empty()) {
                return;
            }
            bool progress = false;
            for (int z : bad) {
                if (zone_viol(z) == 0) {
                    continue;
                }
                if (try_single_move(z) || try_merge(z) || try_split(z) || try_repartition(z)) {
                    progress = true;
                }
            }
            if (!progress) {
                return;
            }
        }
    }

    // ---- optimisation ----
    void optimize() {
        std::vector<int> order;
        for (int a = 0; a < P.n; ++a) {
            if (!m_zfixed[zone[a]]) {
                order.push_back(a);
            }
        }
        if (order.empty() || P.sweeps == 0) {
            return;
        }
        i64 cur = total_objective();
        i64 cur_v = total_violation();
        i64 best = cur;
        i64 best_v = cur_v;
        std::vector<int> best_zone = zone;
        const int anneal = P.sweeps / 2;
        int cand[64];
        for (int s = 0; s < P.sweeps; ++s) {
            const i64 threshold = s < anneal ? P.threshold * (anneal - s) / anneal : 0;
            m_rng.shuffle(order);
            int moves = 0;
            for (int a : order) {
                const int z = zone[a];
                if (m_zsize[z] <= 1) {
                    continue;
                }
                int nc = 0;
                for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                    const int z2 = zone[P.adj[k]];
                    if (z2 != z && !m_zfixed[z2] && std::find(cand, cand + nc, z2) == cand + nc && nc < 64) {
                        cand[nc++] = z2;
                    }
                }
                if (nc == 0) {
                    continue;
                }
                int best_to = -1;
                Eval best_e;
                const i64 h = P.hh[a];
                const bool from_ok = zone_viol(z) == 0;
                if (from_ok && m_zhh[z] - h < P.min) {
                    continue; // the zone would fall below min: no move of this atom keeps the bounds
                }
                for (int i = 0; i < nc; ++i) {
                    if (from_ok && zone_viol(cand[i]) == 0 && m_zhh[cand[i]] + h > P.max) {
                        continue;
                    }
                    const Eval e = eval_move(a, cand[i]);
                    if (e.dviol > 0) {
                        continue;
                    }
                    if (best_to < 0 || std::tie(e.dviol, e.dobj) < std::tie(best_e.dviol, best_e.dobj)) {
                        best_to = cand[i];
                        best_e = e;
                    }
                }
                if (best_to < 0) {
                    continue;
                }
                const bool accept = best_e.dviol < 0 || best_e.dobj < threshold || best_e.dobj < 0;
                if (!accept || !connected_without(a)) {
                    continue;
                }
                move(a, best_to);
                cur += best_e.dobj;
                cur_v += best_e.dviol;
                ++moves;
            }
            if (std::tie(cur_v, cur) < std::tie(best_v, best)) {
                best = cur;
                best_v = cur_v;
                best_zone = zone;
            }
            if (threshold == 0 && moves == 0) {
                break;
            }
        }
        if (best_zone != zone) {
            zone = best_zone;
            recompute();
        }
    }

    void restart(const std::vector<int>& free_atoms);

    /// True when every zone outside the bounds holds an atom that no plan can place within them:
    /// fewer than min households, and too many with any free neighbour (or none). Restarts cannot
    /// help then.
    bool every_violation_unavoidable() const {
        std::vector<unsigned char> stuck_zone(m_zhh.size(), 0);
        for (int a = 0; a < P.n; ++a) {
            if (!m_free[a] || P.hh[a] >= P.min) {
                continue;
            }
            bool stuck = true;
            for (int k = P.off[a]; k < P.off[a + 1] && stuck; ++k) {
                const int b = P.adj[k];
                stuck = !m_free[b] || P.hh[a] + P.hh[b] > P.max;
            }
            if (stuck) {
                stuck_zone[zone[a]] = 1;
            }
        }
        for (std::size_t z = 0; z < m_zhh.size(); ++z) {
            if (zone_viol(static_cast<int>(z)) > 0 && !stuck_zone[z]) {
                return false;
            }
        }
        return true;
    }
    Plan output(bool kept);
};

Plan Partitioner::run() {
    m_oversize.assign(P.n, 0);
    m_free.assign(P.n, 0);
    // 1. Fixed zones: locked micro-grids, then atoms over max.
    std::vector<unsigned char> home_locked(P.home_names.size(), 0);
    for (int a = 0; a < P.n; ++a) {
        if (P.locked[a]) {
            home_locked[P.home[a]] = 1;
        }
    }
    std::vector<int> locked_zone(P.home_names.size(), -1);
    for (int a = 0; a < P.n; ++a) {
        if (P.home[a] >= 0 && home_locked[P.home[a]]) {
            int& z = locked_zone[P.home[a]];
            if (z < 0) {
                z = add_zone(P.home[a], true);
            }
            zone[a] = z;
        }
    }
    for (int a = 0; a < P.n; ++a) {
        if (zone[a] < 0 && P.hh[a] > P.max) {
            m_oversize[a] = 1;
            zone[a] = add_zone(P.home[a], true);
        }
    }
    std::vector<int> free_atoms;
    bool has_current = false;
    for (int a = 0; a < P.n; ++a) {
        if (zone[a] < 0) {
            m_free[a] = 1;
            free_atoms.push_back(a);
            has_current = has_current || P.home[a] >= 0;
        }
    }
    // 2. Start.
    bool intact = false;
    if (has_current) {
        intact = start_from_current(free_atoms);
    } else {
        for (int a = 0; a < P.n; ++a) {
            if (m_oversize[a]) {
                m_zorigin[zone[a]] = -1;
            }
        }
        construct(free_atoms);
    }
    recompute();
    if (has_current && intact && P.keep_feasible && total_violation() == 0) {
        return output(true);
    }
    // 3-4. Repair, optimise, repair what the optimisation could not keep.
    repair();
    if (total_violation() > 0) {
        restart(free_atoms);
    }
    optimize();
    repair();
    return output(false);
}

void Partitioner::restart(const std::vector<int>& free_atoms) {
    // The bounds are hard and minimal change is soft: when repair leaves households outside the
    // bounds, cut the free atoms afresh from random spanning trees (as GerryChain's recursive tree
    // partition does) a few times and keep the plan with the fewest households outside the bounds.
    // The attempts also try one or two zones fewer or more than preferred: a grid of a few large
    // buildings may have plans within the bounds only for another zone count.
    if (free_atoms.size() > 3000 || every_violation_unavoidable()) {
        return;
    }
    const std::size_t fixed = static_cast<std::size_t>(
        std::count(m_zfixed.begin(), m_zfixed.end(), static_cast<unsigned char>(1)));
    std::vector<int> best_zone = zone;
    std::vector<int> best_origin = m_zorigin;
    std::vector<unsigned char> best_fixed = m_zfixed;
    i64 best_v = total_violation();
    i64 best_obj = total_objective();
    m_random_cuts = true;
    static constexpr i64 shifts[] = {0, -1, 1, 0, -1, 1, -2, 2};
    for (int attempt = 0; attempt < 8 && best_v > 0; ++attempt) {
        m_count_shift = shifts[attempt];
        for (int a : free_atoms) {
            zone[a] = -1;
        }
        // Fixed zones were created first: keep them, drop the rest.
        m_zhh.resize(fixed);
        m_zarea.resize(fixed);
        m_zper.resize(fixed);
        m_zsize.resize(fixed);
        m_zfixed.resize(fixed);
        m_zorigin.resize(fixed);
        construct(free_atoms);
        recompute();
        repair();
        const i64 v = total_violation();
        const i64 obj = total_objective();
        if (std::tie(v, obj) < std::tie(best_v, best_obj)) {
            best_v = v;
            best_obj = obj;
            best_zone = zone;
            best_origin = m_zorigin;
            best_fixed = m_zfixed;
        }
    }
    m_random_cuts = false;
    m_count_shift = 0;
    zone = best_zone;
    m_zorigin = best_origin;
    m_zfixed = best_fixed;
    const std::size_t k = m_zorigin.size();
    m_zhh.assign(k, 0);
    m_zarea.assign(k, 0);
    m_zper.assign(k, 0);
    m_zsize.assign(k, 0);
    recompute();
}

Plan Partitioner::output(bool kept) {
    const AtomGraph& g = *P.graph;
    // Zones in order of their first atom.
    std::vector<int> first(m_zhh.size(), -1);
    for (int a = 0; a < P.n; ++a) {
        if (first[zone[a]] < 0) {
            first[zone[a]] = a;
        }
    }
    std::vector<int> ids;
    for (std::size_t z = 0; z < first.size(); ++z) {
        if (first[z] >= 0) {
            ids.push_back(static_cast<int>(z));
        }
    }
    std::sort(ids.begin(), ids.end(), [&](int l, int r) { return first[l] < first[r]; });
    std::vector<int> index(m_zhh.size(), -1);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        index[ids[i]] = static_cast<int>(i);
    }
    Plan plan;
    plan.kept_current = kept;
    plan.zone_of.resize(P.n);
    plan.zones.resize(ids.size());
    for (int a = 0; a < P.n; ++a) {
        const std::size_t z = static_cast<std::size_t>(index[zone[a]]);
        plan.zone_of[a] = z;
        plan.zones[z].atoms.push_back(static_cast<std::size_t>(a));
        plan.zones[z].households += P.hh[a];
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const int z = ids[i];
        plan.zones[i].locked = m_zfixed[z] && !m_oversize[first[z]];
    }
    // Which current micro-grid each zone continues.
    {
        std::vector<long> from(P.n), to(P.n);
        for (int a = 0; a < P.n; ++a) {
            from[a] = P.home[a];
            to[a] = static_cast<long>(plan.zone_of[a]);
        }
        const std::vector<long> matched = match_zones(from, to, P.hh);
        for (std::size_t i = 0; i < plan.zones.size(); ++i) {
            if (matched[i] >= 0) {
                plan.zones[i].current = P.home_names[static_cast<std::size_t>(matched[i])];
            }
        }
    }

    // Violations, each naming its atoms.
    const std::string bounds = std::to_string(P.min) + "-" + std::to_string(P.max);
    for (std::size_t i = 0; i < plan.zones.size(); ++i) {
        const Zone& zn = plan.zones[i];
        const int z = ids[i];
        const std::string what = zn.locked ? "locked micro-grid " + zn.current : "micro-grid " + std::to_string(i + 1);
        if (m_oversize[first[z]]) {
            Violation v;
            v.kind = ViolationKind::atom_over_max;
            v.zone = i;
            v.atoms = zn.atoms;
            v.households = zn.households;
            v.message = "atom " + g.atoms[zn.atoms[0]].id + " holds " + std::to_string(zn.households) +
                        " households, more than max " + std::to_string(P.max) +
                        ": it forms a micro-grid of its own (split it by unit where unit data exists)";
            plan.violations.push_back(std::move(v));
            continue;
        }
        if (zn.households < P.min || zn.households > P.max) {
            Violation v;
            v.kind = zn.households < P.min ? ViolationKind::below_min : ViolationKind::above_max;
            v.zone = i;
            v.atoms = zn.atoms;
            v.households = zn.households;
            std::string why;
            if (zn.locked) {
                why = "it is locked";
            } else if (zn.households < P.min) {
                bool isolated = true;
                bool fixed_neighbours = false;
                for (std::size_t a : zn.atoms) {
                    for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                        const int b = P.adj[k];
                        if (zone[b] != z) {
                            isolated = isolated && !m_free[b];
                            fixed_neighbours = fixed_neighbours || !m_free[b];
                        }
                    }
                }
                why = !isolated ? "no neighbouring micro-grid can give up atoms without leaving " + bounds +
                                      " or breaking apart"
                      : fixed_neighbours ? "their only neighbours are atoms over max or locked micro-grids, which take "
                                           "no other atoms"
                                         : "these atoms touch no other atom that could join them";
            } else {
                why = "these atoms cannot be cut into contiguous micro-grids of " + bounds + " households";
            }
            v.message = what + " holds " + std::to_string(zn.households) + " households (bounds " + bounds +
                        "): atoms " + list_ids(g, zn.atoms) + "; " + why;
            plan.violations.push_back(std::move(v));
        }
        if (zn.locked && zn.atoms.size() > 1) {
            std::vector<int> set(zn.atoms.begin(), zn.atoms.end());
            const auto comps = components(set, false);
            if (comps.size() > 1) {
                Violation v;
                v.kind = ViolationKind::not_contiguous;
                v.zone = i;
                v.households = zn.households;
                for (std::size_t c = 1; c < comps.size(); ++c) {
                    v.atoms.insert(v.atoms.end(), comps[c].begin(), comps[c].end());
                }
                std::sort(v.atoms.begin(), v.atoms.end());
                v.message = what + " is in " + std::to_string(comps.size()) + " pieces; it is locked: atoms " +
                            list_ids(g, v.atoms) + " lie apart from the rest";
                plan.violations.push_back(std::move(v));
            }
        }
        std::vector<std::size_t> crossing;
        for (std::size_t a : zn.atoms) {
            for (int k = P.off[a]; k < P.off[a + 1]; ++k) {
                if (P.bar[k] && zone[P.adj[k]] == z) {
                    crossing.push_back(a);
                    break;
                }
            }
        }
        if (!crossing.empty()) {
            Violation v;
            v.kind = ViolationKind::crosses_barrier;
            v.hard = false;
            v.zone = i;
            v.atoms = crossing;
            v.households = zn.households;
            v.message = what + " crosses a barrier between atoms " + list_ids(g, crossing) +
                        (zn.locked ? " (it is locked)" : " (they cannot be grouped otherwise within the bounds)");
            plan.violations.push_back(std::move(v));
        }
    }
    return plan;
}

} // namespace

std::string_view violation_name(ViolationKind kind) noexcept {
    switch (kind) {
    case ViolationKind::atom_over_max: return "atom_over_max";
    case ViolationKind::below_min: return "below_min";
    case ViolationKind::above_max: return "above_max";
    case ViolationKind::not_contiguous: return "not_contiguous";
    case ViolationKind::crosses_barrier: return "crosses_barrier";
    }
    return "unknown";
}

bool Plan::feasible() const noexcept {
    for (const Violation& v : violations) {
        if (v.hard) {
            return false;
        }
    }
    return true;
}

Plan partition(const AtomGraph& graph, const Options& options) {
    const Problem problem = make_problem(graph, options);
    Partitioner partitioner(problem, options.seed);
    return partitioner.run();
}

} // namespace grid::redistrict

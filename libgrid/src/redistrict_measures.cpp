// Measures of a redistricting plan (design/REDISTRICT.md "Measures"), the one-to-one matching of
// old and new zones on household overlap, and stable micro-grid codes (rule 8, design/CODES.md).
#include "libgrid/redistrict.hpp"

#include "detail/redistrict_internal.hpp"
#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace grid::redistrict {

namespace {

using i64 = std::int64_t;

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::vector<long> match_zones(const std::vector<long>& from, const std::vector<long>& to,
                              const std::vector<std::int64_t>& households, std::vector<std::int64_t>* overlap) {
    if (from.size() != to.size() || households.size() != to.size()) {
        throw usage_error("match_zones: label vectors differ in length");
    }
    long to_count = 0;
    long from_count = 0;
    for (std::size_t i = 0; i < to.size(); ++i) {
        to_count = std::max(to_count, to[i] + 1);
        from_count = std::max(from_count, from[i] + 1);
    }
    // (from, to) -> (households, atoms)
    std::map<std::pair<long, long>, std::pair<i64, i64>> ov;
    for (std::size_t i = 0; i < to.size(); ++i) {
        if (from[i] < 0 || to[i] < 0) {
            continue;
        }
        auto& cell = ov[{from[i], to[i]}];
        cell.first += households[i];
        cell.second += 1;
    }
    std::vector<std::tuple<i64, i64, long, long>> pairs; // (-households, -atoms, from, to)
    pairs.reserve(ov.size());
    for (const auto& [key, value] : ov) {
        pairs.emplace_back(-value.first, -value.second, key.first, key.second);
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<long> matched(static_cast<std::size_t>(to_count), -1);
    std::vector<unsigned char> used(static_cast<std::size_t>(from_count), 0);
    if (overlap) {
        overlap->assign(static_cast<std::size_t>(to_count), 0);
    }
    for (const auto& [h, n, f, t] : pairs) {
        (void)n;
        if (matched[static_cast<std::size_t>(t)] >= 0 || used[static_cast<std::size_t>(f)]) {
            continue;
        }
        matched[static_cast<std::size_t>(t)] = f;
        used[static_cast<std::size_t>(f)] = 1;
        if (overlap) {
            (*overlap)[static_cast<std::size_t>(t)] = -h;
        }
    }
    return matched;
}

Measures measure(const AtomGraph& graph, const std::vector<std::size_t>& zone_of, const Options& options) {
    const std::size_t n = graph.atoms.size();
    if (zone_of.size() != n) {
        throw usage_error("redistrict measure: " + std::to_string(zone_of.size()) + " labels for " +
                          std::to_string(n) + " atoms");
    }
    Measures m;
    std::size_t k = 0;
    for (std::size_t z : zone_of) {
        k = std::max(k, z + 1);
    }
    const bool geometry = detail::has_geometry(graph);
    std::vector<i64> hh(k, 0);
    std::vector<double> area(k, 0.0);
    std::vector<double> per(k, 0.0);
    std::vector<std::size_t> size(k, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const Atom& a = graph.atoms[i];
        const std::size_t z = zone_of[i];
        hh[z] += a.households;
        area[z] += geometry ? a.cell_area : 1.0;
        per[z] += geometry ? a.outer_length : 0.0;
        size[z] += 1;
        m.households += a.households;
        if (a.households > options.max_households) {
            ++m.atoms_over_max;
        }
    }
    std::vector<std::vector<std::size_t>> adj(n);
    for (const Edge& e : graph.edges) {
        if (e.a >= n || e.b >= n || e.a == e.b) {
            continue;
        }
        adj[e.a].push_back(e.b);
        adj[e.b].push_back(e.a);
        const double len = geometry ? e.shared_length : 1.0;
        if (zone_of[e.a] != zone_of[e.b]) {
            ++m.cut_edges;
            m.cut_length_m += len;
            per[zone_of[e.a]] += len;
            per[zone_of[e.b]] += len;
        } else if (e.barrier) {
            ++m.barrier_crossings;
        }
    }
    // Contiguity: one BFS per zone over its own atoms.
    std::vector<unsigned char> seen(n, 0);
    std::vector<unsigned char> zone_seen(k, 0);
    std::size_t contiguous = 0;
    std::size_t nonempty = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t z = zone_of[i];
        if (zone_seen[z]) {
            continue;
        }
        zone_seen[z] = 1;
        std::vector<std::size_t> queue{i};
        seen[i] = 1;
        for (std::size_t qi = 0; qi < queue.size(); ++qi) {
            for (std::size_t v : adj[queue[qi]]) {
                if (!seen[v] && zone_of[v] == z) {
                    seen[v] = 1;
                    queue.push_back(v);
                }
            }
        }
        if (queue.size() == size[z]) {
            ++contiguous;
        }
    }
    double pp_sum = 0;
    m.polsby_popper_min = 1;
    m.households_min = -1;
    for (std::size_t z = 0; z < k; ++z) {
        if (size[z] == 0) {
            continue;
        }
        ++nonempty;
        m.households_min = m.households_min < 0 ? hh[z] : std::min(m.households_min, hh[z]);
        m.households_max = std::max(m.households_max, hh[z]);
        if (hh[z] < options.min_households) {
            ++m.zones_below_min;
        }
        if (hh[z] > options.max_households) {
            ++m.zones_above_max;
        }
        const double pp = per[z] > 0 ? std::min(1.0, 4.0 * M_PI * area[z] / (per[z] * per[z])) : 1.0;
        pp_sum += pp;
        m.polsby_popper_min = std::min(m.polsby_popper_min, pp);
    }
    m.zones = nonempty;
    if (nonempty == 0) {
        m.households_min = 0;
        m.polsby_popper_min = 0;
        return m;
    }
    m.households_mean = static_cast<double>(m.households) / static_cast<double>(nonempty);
    m.polsby_popper_mean = pp_sum / static_cast<double>(nonempty);
    m.contiguity_pct = 100.0 * static_cast<double>(contiguous) / static_cast<double>(nonempty);

    // Households moved against the current plan (one-to-one matching on household overlap).
    std::map<std::string, long> names;
    for (const Atom& a : graph.atoms) {
        if (!a.current_zone.empty()) {
            names.emplace(a.current_zone, 0);
        }
    }
    long next = 0;
    for (auto& [name, index] : names) {
        index = next++;
    }
    std::vector<long> from(n), to(n);
    std::vector<i64> households(n);
    i64 placed = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const Atom& a = graph.atoms[i];
        from[i] = a.current_zone.empty() ? -1 : names.at(a.current_zone);
        to[i] = static_cast<long>(zone_of[i]);
        households[i] = a.households;
        if (from[i] >= 0) {
            placed += a.households;
        }
    }
    std::vector<i64> overlap;
    match_zones(from, to, households, &overlap);
    i64 kept = 0;
    for (i64 o : overlap) {
        kept += o;
    }
    m.moved_households = placed - kept;
    m.moved_pct = placed > 0 ? 100.0 * static_cast<double>(m.moved_households) / static_cast<double>(placed) : 0.0;
    return m;
}

std::vector<std::string> assign_codes(const AtomGraph& graph, const Plan& plan, std::string_view grid_code,
                                      int highest_sequence) {
    if (grid_code.size() != 15 || !all_digits(grid_code)) {
        throw usage_error("redistrict: '" + std::string(grid_code) + "' is not a 15-digit grid code",
                          "micro-grid codes are the grid code + a 3-digit sequence (docs/codes.md)");
    }
    int highest = std::max(0, highest_sequence);
    for (const Atom& a : graph.atoms) {
        const std::string& c = a.current_zone;
        if (c.size() == 18 && c.compare(0, 15, grid_code) == 0 && all_digits(c)) {
            highest = std::max(highest, std::stoi(c.substr(15)));
        }
    }
    const std::size_t k = plan.zones.size();
    std::vector<std::string> codes(k);
    std::vector<std::size_t> fresh;
    for (std::size_t z = 0; z < k; ++z) {
        const std::string& c = plan.zones[z].current;
        if (c.size() == 18 && c.compare(0, 15, grid_code) == 0 && all_digits(c)) {
            codes[z] = c;
        } else {
            fresh.push_back(z);
        }
    }
    if (fresh.empty()) {
        return codes;
    }
    // Reading order: rows from north to south, each west to east. Positions are taken in
    // centimetres (integers) so the order is the same on every machine; the row height is the
    // side of the mean zone's square share of the atoms' bounding box.
    struct Key {
        i64 cx = 0, cy = 0;
    };
    std::vector<Key> key(k);
    i64 minx = 0, maxx = 0, miny = 0, maxy = 0;
    bool first = true;
    for (std::size_t z = 0; z < k; ++z) {
        __extension__ __int128 sx = 0, sy = 0;
        for (std::size_t a : plan.zones[z].atoms) {
            const i64 x = detail::quantise(graph.atoms[a].x, 100.0);
            const i64 y = detail::quantise(graph.atoms[a].y, 100.0);
            sx += x;
            sy += y;
            if (first) {
                minx = maxx = x;
                miny = maxy = y;
                first = false;
            }
            minx = std::min(minx, x);
            maxx = std::max(maxx, x);
            miny = std::min(miny, y);
            maxy = std::max(maxy, y);
        }
        const auto count = static_cast<i64>(std::max<std::size_t>(1, plan.zones[z].atoms.size()));
        key[z].cx = static_cast<i64>(sx / count);
        key[z].cy = static_cast<i64>(sy / count);
    }
    const double box = static_cast<double>(maxx - minx + 1) * static_cast<double>(maxy - miny + 1);
    const i64 row = std::max<i64>(1, std::llround(std::sqrt(box / static_cast<double>(k))));
    std::sort(fresh.begin(), fresh.end(), [&](std::size_t l, std::size_t r) {
        const i64 rl = (maxy - key[l].cy) / row;
        const i64 rr = (maxy - key[r].cy) / row;
        return std::tie(rl, key[l].cx, key[l].cy, l) < std::tie(rr, key[r].cx, key[r].cy, r);
    });
    for (std::size_t z : fresh) {
        if (highest >= 999) {
            throw usage_error("redistrict: grid " + std::string(grid_code) + " has run out of micro-grid sequences",
                              "micro-grid sequences go up to 999 and are never reused");
        }
        codes[z] = codes::make_microgrid_code(grid_code, ++highest);
    }
    return codes;
}

} // namespace grid::redistrict

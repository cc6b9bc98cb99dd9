// End-to-end property tests of redistricting with geometry: building footprints in grids of many
// shapes (convex, concave, with a hole, a long strip), skewed household counts, a building over
// max, an infeasible grid and a road splitting the grid. For every plan: the hard rules, the
// tiling of the parent (sum of zone areas = union area = parent area within 1e-6 relative, no
// pairwise overlap, footprints inside their zone), determinism, and the codes.
#include "lattice.hpp"

#include "libgrid/codes.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace redistrict_test;
namespace geom = grid::geom;

namespace {

const std::string kGrid = "320202001002003";

struct Case {
    std::string name;
    geom::Geometry parent;
    std::vector<rd::AtomShape> atoms;
    geom::Geometry road; ///< null: no barrier
    double road_y = 0;   ///< the road runs along y = road_y
};

std::vector<geom::Point> regular_polygon(double cx, double cy, double r, int n) {
    std::vector<geom::Point> ring;
    for (int i = 0; i < n; ++i) {
        const double t = 2 * M_PI * i / n;
        ring.push_back({cx + r * std::cos(t), cy + r * std::sin(t)});
    }
    return ring;
}

/// Rectangular footprints on a jittered lattice covering the parent's envelope; only those wholly
/// inside the parent (and off the road strip) are kept. households(gen) draws each count.
std::vector<rd::AtomShape> footprints(const geom::Geometry& parent, std::uint64_t seed,
                                      const std::function<std::int64_t(Gen&)>& households, double road_y = -1e9) {
    Gen gen(seed);
    const geom::Envelope env = geom::envelope(parent.get());
    const geom::Prepared prep = geom::prepare(parent.get());
    std::vector<rd::AtomShape> out;
    int row = 0;
    for (double y = env.miny + 4; y + 12 < env.maxy; y += 21, ++row) {
        int col = 0;
        for (double x = env.minx + 4; x + 12 < env.maxx; x += 23, ++col) {
            const double bx = x + gen.real() * 4;
            const double by = y + gen.real() * 4;
            const double bw = 9 + gen.real() * 9;
            const double bh = 8 + gen.real() * 5;
            if (by < road_y + 4 && by + bh > road_y - 4) {
                continue;
            }
            geom::Geometry box = geom::make_box(bx, by, bx + bw, by + bh);
            if (!geom::contains(prep.get(), box.get())) {
                continue;
            }
            rd::AtomShape a;
            a.id = "r" + std::to_string(row) + "c" + std::to_string(col);
            a.households = households(gen);
            a.shape = std::move(box);
            out.push_back(std::move(a));
        }
    }
    return out;
}

std::int64_t uniform_hh(Gen& g) { return g.uniform(1, 25); }

/// Mostly small buildings, some empty (shops, schools), a few large.
std::int64_t skewed_hh(Gen& g) {
    const std::int64_t roll = g.uniform(0, 99);
    if (roll < 10) {
        return 0;
    }
    if (roll < 70) {
        return g.uniform(1, 6);
    }
    if (roll < 93) {
        return g.uniform(7, 30);
    }
    return g.uniform(31, 90);
}

std::vector<Case> cases() {
    std::vector<Case> out;
    auto add = [&](std::string name, geom::Geometry parent, std::uint64_t seed,
                   const std::function<std::int64_t(Gen&)>& hh) {
        Case c;
        c.name = std::move(name);
        c.atoms = footprints(parent, seed, hh);
        c.parent = std::move(parent);
        out.push_back(std::move(c));
    };
    add("square, uniform", geom::make_box(0, 0, 260, 240), 1, uniform_hh);
    add("square, skewed", geom::make_box(0, 0, 260, 240), 2, skewed_hh);
    add("long strip", geom::make_box(0, 0, 900, 40), 3, uniform_hh);
    add("L with a courtyard hole",
        geom::make_polygon({{0, 0}, {300, 0}, {300, 110}, {110, 110}, {110, 300}, {0, 300}},
                           {{{25, 25}, {85, 25}, {85, 85}, {25, 85}}}),
        4, uniform_hh);
    add("U, skewed", geom::make_polygon({{0, 0}, {320, 0}, {320, 260}, {230, 260}, {230, 90}, {90, 90}, {90, 260}, {0, 260}}),
        5, skewed_hh);
    add("disc", geom::make_polygon(regular_polygon(150, 150, 150, 40)), 6, uniform_hh);
    {
        // A tower of 160 households among ordinary buildings.
        Case c;
        c.name = "a building over max";
        c.parent = geom::make_box(0, 0, 230, 220);
        c.atoms = footprints(c.parent, 7, uniform_hh);
        c.atoms[c.atoms.size() / 2].households = 160;
        out.push_back(std::move(c));
    }
    {
        // Six buildings of five households: 30 in all, no plan within 50-100.
        Case c;
        c.name = "infeasible: 30 households";
        c.parent = geom::make_box(0, 0, 80, 60);
        c.atoms = footprints(c.parent, 8, [](Gen&) -> std::int64_t { return 5; });
        out.push_back(std::move(c));
    }
    {
        // A road across the middle: each side holds enough households to be cut on its own.
        Case c;
        c.name = "a road splits the grid";
        c.parent = geom::make_box(0, 0, 280, 260);
        c.road_y = 128;
        c.atoms = footprints(c.parent, 9, uniform_hh, c.road_y);
        c.road = geom::make_linestring({{-10, c.road_y}, {290, c.road_y}});
        out.push_back(std::move(c));
    }
    return out;
}

bool connected(const rd::AtomGraph& g, const rd::Plan& plan, std::size_t z) {
    std::vector<std::vector<std::size_t>> adj(g.atoms.size());
    for (const rd::Edge& e : g.edges) {
        adj[e.a].push_back(e.b);
        adj[e.b].push_back(e.a);
    }
    const auto& atoms = plan.zones[z].atoms;
    std::set<std::size_t> seen{atoms[0]};
    std::vector<std::size_t> queue{atoms[0]};
    for (std::size_t i = 0; i < queue.size(); ++i) {
        for (std::size_t v : adj[queue[i]]) {
            if (plan.zone_of[v] == z && seen.insert(v).second) {
                queue.push_back(v);
            }
        }
    }
    return queue.size() == atoms.size();
}

/// The hard rules: whole atoms, contiguity, bounds (or a listed violation naming the atoms).
void check_rules(const rd::AtomGraph& g, const rd::Plan& plan, const rd::Options& o) {
    std::vector<int> seen(g.atoms.size(), 0);
    for (std::size_t z = 0; z < plan.zones.size(); ++z) {
        std::int64_t h = 0;
        for (std::size_t a : plan.zones[z].atoms) {
            ++seen[a];
            CHECK(plan.zone_of[a] == z);
            h += g.atoms[a].households;
        }
        CHECK(h == plan.zones[z].households);
        CHECK(connected(g, plan, z));
        const bool single_over = plan.zones[z].atoms.size() == 1 && h > o.max_households;
        if (h < o.min_households || h > o.max_households) {
            const rd::ViolationKind want = single_over            ? rd::ViolationKind::atom_over_max
                                           : h < o.min_households ? rd::ViolationKind::below_min
                                                                  : rd::ViolationKind::above_max;
            const bool listed = std::any_of(plan.violations.begin(), plan.violations.end(), [&](const rd::Violation& v) {
                return v.zone == z && v.kind == want && v.hard &&
                       v.message.find(g.atoms[v.atoms.front()].id) != std::string::npos;
            });
            CHECK(listed);
        }
    }
    for (int n : seen) {
        CHECK(n == 1);
    }
}

/// Tiling measured here, independently of check_tiling: areas, union, pairwise overlaps, footprints.
void check_tiling_exact(const Case& c, const std::vector<geom::Geometry>& zones, const std::vector<std::size_t>& zone_of) {
    const double parent = geom::area(c.parent.get());
    double sum = 0;
    std::vector<geom::Geometry> parts;
    std::vector<geom::Envelope> boxes;
    for (const auto& z : zones) {
        REQUIRE(z);
        CHECK(geom::validity(z.get()).valid);
        sum += geom::area(z.get());
        parts.push_back(geom::clone(z.get()));
        boxes.push_back(geom::envelope(z.get()));
    }
    const geom::Geometry all = geom::union_all(std::move(parts));
    CHECK(std::fabs(sum - parent) <= 1e-6 * parent);
    CHECK(std::fabs(geom::area(all.get()) - parent) <= 1e-6 * parent);
    // Nothing outside the parent.
    const geom::Geometry outside = geom::difference(all.get(), c.parent.get());
    CHECK(geom::area(outside.get()) <= 1e-9 * parent);
    double overlap = 0;
    for (std::size_t i = 0; i < zones.size(); ++i) {
        for (std::size_t j = i + 1; j < zones.size(); ++j) {
            if (boxes[i].intersects(boxes[j])) {
                overlap += geom::area(geom::intersection(zones[i].get(), zones[j].get()).get());
            }
        }
    }
    CHECK(overlap <= 1e-9 * parent);
    // Each footprint wholly in its zone (up to the 1 µm snapping of the cells).
    for (std::size_t a = 0; a < c.atoms.size(); ++a) {
        const geom::Geometry out = geom::difference(c.atoms[a].shape.get(), zones[zone_of[a]].get());
        CHECK(geom::area(out.get()) < 1e-6);
    }
    // check_tiling agrees.
    const rd::Tiling t = rd::check_tiling(c.parent.get(), zones, c.atoms, zone_of);
    CHECK(t.ok());
    CHECK(t.footprints_outside == 0);
}

/// Codes of a plan made from scratch: grid code + 001..k, valid, unique; a zone lying more than a
/// row further north has the lower sequence (rows north to south).
void check_codes(const rd::AtomGraph& g, const rd::Plan& plan, const std::vector<std::string>& codes) {
    REQUIRE(codes.size() == plan.zones.size());
    std::set<int> seqs;
    std::vector<double> cy(codes.size(), 0.0);
    double miny = 1e300, maxy = -1e300, minx = 1e300, maxx = -1e300;
    for (std::size_t z = 0; z < codes.size(); ++z) {
        CHECK(codes[z].substr(0, 15) == kGrid);
        CHECK(grid::codes::check(codes[z], grid::codes::CodeKind::microgrid).valid);
        seqs.insert(std::stoi(codes[z].substr(15)));
        for (std::size_t a : plan.zones[z].atoms) {
            cy[z] += g.atoms[a].y;
            minx = std::min(minx, g.atoms[a].x);
            maxx = std::max(maxx, g.atoms[a].x);
            miny = std::min(miny, g.atoms[a].y);
            maxy = std::max(maxy, g.atoms[a].y);
        }
        cy[z] /= static_cast<double>(plan.zones[z].atoms.size());
    }
    CHECK(seqs.size() == codes.size());
    CHECK(*seqs.begin() == 1);
    CHECK(*seqs.rbegin() == static_cast<int>(codes.size()));
    const double row = std::sqrt((maxx - minx + 0.01) * (maxy - miny + 0.01) / static_cast<double>(codes.size()));
    for (std::size_t a = 0; a < codes.size(); ++a) {
        for (std::size_t b = 0; b < codes.size(); ++b) {
            if (cy[a] > cy[b] + 1.01 * row) {
                CHECK(codes[a] < codes[b]);
            }
        }
    }
}

} // namespace

TEST_CASE("redistrict properties: footprints in grids of many shapes tile exactly and keep every rule") {
    int checked = 0;
    for (Case& c : cases()) {
        CAPTURE(c.name);
        REQUIRE(c.atoms.size() >= 6);
        const rd::Cells cells = rd::build_cells(c.parent.get(), c.atoms, c.road ? c.road.get() : nullptr);
        for (std::uint64_t seed : {1ULL, 77ULL}) {
            CAPTURE(seed);
            rd::Options o;
            o.seed = seed;
            const rd::Plan plan = rd::partition(cells.graph, o);
            check_rules(cells.graph, plan, o);
            const auto zones = rd::dissolve(cells, plan.zone_of, plan.zones.size());
            REQUIRE(zones.size() == plan.zones.size());
            check_tiling_exact(c, zones, plan.zone_of);
            for (const auto& z : zones) {
                CHECK(geom::type_id(z.get()) == GEOS_POLYGON); // one piece
            }
            const auto codes = rd::assign_codes(cells.graph, plan, kGrid, 0);
            check_codes(cells.graph, plan, codes);

            // Determinism: cells and plan built again from the same input give the same zones.
            const rd::Cells again = rd::build_cells(c.parent.get(), c.atoms, c.road ? c.road.get() : nullptr);
            const rd::Plan plan2 = rd::partition(again.graph, o);
            REQUIRE(plan2.zone_of == plan.zone_of);
            const auto zones2 = rd::dissolve(again, plan2.zone_of, plan2.zones.size());
            for (std::size_t z = 0; z < zones.size(); ++z) {
                CHECK(geom::to_wkt(zones[z].get()) == geom::to_wkt(zones2[z].get()));
            }
            CHECK(rd::assign_codes(again.graph, plan2, kGrid, 0) == codes);

            // Re-run on the plan as applied (codes as the current micro-grids): a feasible plan is
            // kept as it is, with its codes.
            if (plan.feasible()) {
                rd::AtomGraph g = cells.graph;
                apply_as_current(g, plan, codes);
                o.seed = seed + 1000;
                const rd::Plan rerun = rd::partition(g, o);
                CHECK(rerun.kept_current);
                CHECK(rd::measure(g, rerun.zone_of, o).moved_households == 0);
                const auto kept = rd::assign_codes(g, rerun, kGrid, 0);
                for (std::size_t a = 0; a < g.atoms.size(); ++a) {
                    CHECK(kept[rerun.zone_of[a]] == codes[plan.zone_of[a]]);
                }
            }
            ++checked;

            // What each special case is about.
            const rd::Measures m = rd::measure(cells.graph, plan.zone_of, o);
            CHECK(m.contiguity_pct == 100.0);
            if (c.name == "a building over max") {
                std::size_t over = 0;
                for (const rd::Violation& v : plan.violations) {
                    if (v.hard) {
                        CHECK(v.kind == rd::ViolationKind::atom_over_max);
                        CHECK(v.households == 160);
                        ++over;
                    }
                }
                CHECK(over == 1);
            } else if (c.name == "infeasible: 30 households") {
                CHECK_FALSE(plan.feasible());
                REQUIRE(plan.zones.size() == 1);
                REQUIRE(plan.violations.size() == 1);
                CHECK(plan.violations[0].kind == rd::ViolationKind::below_min);
                CHECK(plan.violations[0].atoms.size() == c.atoms.size());
            } else {
                CHECK(plan.feasible());
                CHECK(m.zones_below_min + m.zones_above_max == 0);
            }
            if (c.road) {
                std::size_t barrier_edges = 0;
                for (const rd::Edge& e : cells.graph.edges) {
                    barrier_edges += e.barrier ? 1 : 0;
                }
                CHECK(barrier_edges > 0);
                CHECK(m.barrier_crossings == 0);
                // No zone reaches across the road.
                for (std::size_t z = 0; z < plan.zones.size(); ++z) {
                    const bool south = cells.graph.atoms[plan.zones[z].atoms[0]].y < c.road_y;
                    for (std::size_t a : plan.zones[z].atoms) {
                        CHECK((cells.graph.atoms[a].y < c.road_y) == south);
                    }
                }
            }
        }
    }
    CHECK(checked == 18);
}

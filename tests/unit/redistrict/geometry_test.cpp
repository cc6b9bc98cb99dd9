// The geometry layer of redistricting: cells and zones tile the parent exactly, footprints lie in
// their zones, barriers cut the cells and mark the graph, codes are stable and ordered.
#include "lattice.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

using namespace redistrict_test;
namespace geom = grid::geom;

namespace {

/// Buildings as rectangles on a jittered lattice inside [x0, x0 + w] x [y0, y0 + h]; some rows are
/// terraces whose footprints share walls; households 0-25 per building.
std::vector<rd::AtomShape> buildings(std::uint64_t seed, double x0, double y0, int cols, int rows,
                                     const std::function<bool(double, double)>& keep = {}) {
    Gen gen(seed);
    std::vector<rd::AtomShape> out;
    for (int r = 0; r < rows; ++r) {
        const bool terrace = r % 3 == 2;
        for (int c = 0; c < cols; ++c) {
            const double x = x0 + 6 + c * 24 + (terrace ? 0 : gen.real() * 5);
            const double y = y0 + 6 + r * 20 + gen.real() * 3;
            const double bw = terrace ? 24 : 10 + gen.real() * 8;
            if (keep && !keep(x + bw / 2, y + 5)) {
                continue;
            }
            rd::AtomShape a;
            a.id = "b" + std::to_string(r) + "_" + std::to_string(c);
            a.households = gen.uniform(0, 25);
            a.shape = geom::make_box(x, y, x + bw, y + 10);
            out.push_back(std::move(a));
        }
    }
    return out;
}

void check_cells(const geom::Geometry& parent, const rd::Cells& cells, const std::vector<rd::AtomShape>& atoms) {
    REQUIRE(cells.cells.size() == atoms.size());
    double sum = 0;
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        REQUIRE(cells.cells[i]);
        sum += geom::area(cells.cells[i].get());
        CHECK(geom::validity(cells.cells[i].get()).valid);
        CHECK(cells.graph.atoms[i].cell_area == doctest::Approx(geom::area(cells.cells[i].get())));
    }
    CHECK(std::fabs(sum - geom::area(parent.get())) <= 1e-6 * geom::area(parent.get()));
    // Each cell on its own is a tiling with one zone per atom.
    std::vector<std::size_t> identity(atoms.size());
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        identity[i] = i;
    }
    const auto zones = rd::dissolve(cells, identity, atoms.size());
    const rd::Tiling t = rd::check_tiling(parent.get(), zones, atoms, identity);
    CHECK(t.max_relative_error <= 1e-6);
    CHECK(t.overlap_area <= 1e-6 * t.parent_area);
    CHECK(t.footprints_outside == 0);
    // The graph's perimeters are the polygons' perimeters.
    std::vector<double> per(atoms.size(), 0.0);
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        per[i] = cells.graph.atoms[i].outer_length;
    }
    for (const rd::Edge& e : cells.graph.edges) {
        CHECK(e.a < e.b);
        CHECK(e.shared_length > 0);
        per[e.a] += e.shared_length;
        per[e.b] += e.shared_length;
    }
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        CHECK(per[i] == doctest::Approx(geom::length(cells.cells[i].get())).epsilon(1e-9));
    }
}

void check_zones(const geom::Geometry& parent, const rd::Cells& cells, const rd::Plan& plan,
                 const std::vector<rd::AtomShape>& atoms) {
    const auto zones = rd::dissolve(cells, plan.zone_of, plan.zones.size());
    const rd::Tiling t = rd::check_tiling(parent.get(), zones, atoms, plan.zone_of);
    CHECK(t.max_relative_error <= 1e-6);
    CHECK(t.overlap_area == doctest::Approx(0.0).epsilon(1e-9));
    CHECK(t.zones_in_pieces == 0);
    CHECK(t.footprints_outside == 0);
    CHECK(t.ok());
    for (const auto& z : zones) {
        CHECK(geom::validity(z.get()).valid);
        CHECK(geom::type_id(z.get()) == GEOS_POLYGON);
    }
}

} // namespace

TEST_CASE("redistrict geometry: Polsby-Popper") {
    const geom::Geometry square = geom::make_box(0, 0, 10, 10);
    CHECK(rd::polsby_popper(square.get()) == doctest::Approx(M_PI / 4));
    const geom::Geometry strip = geom::make_box(0, 0, 100, 1);
    CHECK(rd::polsby_popper(strip.get()) < 0.04);
}

TEST_CASE("redistrict geometry: point atoms in a non-convex grid with a hole tile it exactly") {
    // An L-shaped grid with a courtyard hole.
    const geom::Geometry parent = geom::make_polygon({{0, 0}, {300, 0}, {300, 120}, {120, 120}, {120, 300}, {0, 300}},
                                                     {{{30, 30}, {80, 30}, {80, 80}, {30, 80}}});
    const geom::Prepared prep = geom::prepare(parent.get());
    Gen gen(5);
    std::vector<rd::AtomShape> atoms;
    while (atoms.size() < 150) {
        const double x = gen.real() * 300;
        const double y = gen.real() * 300;
        if (!geom::contains_xy(prep.get(), x, y)) {
            continue;
        }
        rd::AtomShape a;
        a.id = "p" + std::to_string(atoms.size());
        a.households = gen.uniform(1, 30);
        a.shape = geom::make_point(x, y);
        atoms.push_back(std::move(a));
    }
    const rd::Cells cells = rd::build_cells(parent.get(), atoms, nullptr);
    check_cells(parent, cells, atoms);
    rd::Options o;
    const rd::Plan plan = rd::partition(cells.graph, o);
    CHECK(plan.feasible());
    check_zones(parent, cells, plan, atoms);
}

TEST_CASE("redistrict geometry: footprints lie wholly in their cells and zones") {
    const geom::Geometry parent = geom::make_box(0, 0, 250, 260);
    const auto atoms = buildings(11, 0, 0, 10, 12);
    const rd::Cells cells = rd::build_cells(parent.get(), atoms, nullptr);
    check_cells(parent, cells, atoms);
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        // Up to the 1 µm snapping grid.
        const geom::Geometry outside = geom::difference(atoms[i].shape.get(), cells.cells[i].get());
        CHECK(geom::area(outside.get()) < 1e-6);
    }
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        rd::Options o;
        o.seed = seed;
        const rd::Plan plan = rd::partition(cells.graph, o);
        CHECK(plan.feasible());
        check_zones(parent, cells, plan, atoms);
    }
}

TEST_CASE("redistrict geometry: a road cuts the cells and marks the edges that cross it") {
    const geom::Geometry parent = geom::make_box(0, 0, 250, 250);
    // Buildings stay off the road strip 118-132.
    const auto atoms = buildings(3, 0, 0, 10, 12, [](double, double y) { return y < 112 || y > 138; });
    const geom::Geometry road = geom::make_linestring({{-10, 125}, {260, 125}});
    const rd::Cells cells = rd::build_cells(parent.get(), atoms, road.get());
    check_cells(parent, cells, atoms);
    const geom::Geometry south = geom::make_box(-1, -1, 251, 125);
    const geom::Geometry north = geom::make_box(-1, 125, 251, 251);
    std::size_t barrier_edges = 0;
    for (const rd::Edge& e : cells.graph.edges) {
        const bool a_south = cells.graph.atoms[e.a].y < 125;
        const bool b_south = cells.graph.atoms[e.b].y < 125;
        CHECK(e.barrier == (a_south != b_south));
        barrier_edges += e.barrier ? 1 : 0;
    }
    CHECK(barrier_edges > 0);
    // No cell reaches across the road.
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        const bool is_south = cells.graph.atoms[i].y < 125;
        const geom::Geometry across = geom::intersection(cells.cells[i].get(), is_south ? north.get() : south.get());
        CHECK(geom::area(across.get()) < 1e-6);
    }
    rd::Options o;
    const rd::Plan plan = rd::partition(cells.graph, o);
    CHECK(plan.feasible());
    CHECK(rd::measure(cells.graph, plan.zone_of, o).barrier_crossings == 0);
    check_zones(parent, cells, plan, atoms);
}

TEST_CASE("redistrict geometry: the same input gives the same zones") {
    const geom::Geometry parent = geom::make_box(0, 0, 250, 260);
    const auto atoms = buildings(21, 0, 0, 10, 12);
    const rd::Cells a = rd::build_cells(parent.get(), atoms, nullptr);
    const rd::Cells b = rd::build_cells(parent.get(), atoms, nullptr);
    REQUIRE(a.graph.edges.size() == b.graph.edges.size());
    rd::Options o;
    const rd::Plan pa = rd::partition(a.graph, o);
    const rd::Plan pb = rd::partition(b.graph, o);
    CHECK(pa.zone_of == pb.zone_of);
    const auto za = rd::dissolve(a, pa.zone_of, pa.zones.size());
    const auto zb = rd::dissolve(b, pb.zone_of, pb.zones.size());
    for (std::size_t z = 0; z < za.size(); ++z) {
        CHECK(geom::to_wkt(za[z].get()) == geom::to_wkt(zb[z].get()));
    }
}

TEST_CASE("redistrict geometry: unusable input names the atom") {
    const geom::Geometry parent = geom::make_box(0, 0, 100, 100);
    std::vector<rd::AtomShape> atoms(2);
    atoms[0].id = "inside";
    atoms[0].shape = geom::make_point(50, 50);
    atoms[1].id = "far-away";
    atoms[1].shape = geom::make_point(500, 50);
    try {
        rd::build_cells(parent.get(), atoms, nullptr);
        FAIL("expected a geometry_error");
    } catch (const grid::geometry_error& e) {
        CHECK(e.feature_id() == "far-away");
    }
    atoms[1].shape = geom::make_linestring({{1, 1}, {2, 2}});
    CHECK_THROWS_AS(rd::build_cells(parent.get(), atoms, nullptr), grid::geometry_error);
    const geom::Geometry line = geom::make_linestring({{0, 0}, {1, 1}});
    CHECK_THROWS_AS(rd::build_cells(line.get(), atoms, nullptr), grid::geometry_error);
}

TEST_CASE("redistrict codes: survivors keep their code, new zones follow reading order") {
    const std::string grid15 = "110105001001003";
    // One row of 8 columns x 2 rows, 20 households each: zones of 2-4 cells.
    Lattice l = make_lattice(8, 2, full, [](int, int) -> std::int64_t { return 20; });
    rd::Options o;
    const rd::Plan first = rd::partition(l.graph, o);
    REQUIRE(first.feasible());
    // From scratch: every code is new, numbered 001.. in reading order.
    const auto codes = rd::assign_codes(l.graph, first, grid15, 0);
    REQUIRE(codes.size() == first.zones.size());
    for (std::size_t z = 0; z < codes.size(); ++z) {
        CHECK(codes[z].substr(0, 15) == grid15);
        CHECK(grid::codes::check(codes[z], grid::codes::CodeKind::microgrid).valid);
    }
    std::vector<std::pair<double, std::string>> by_x;
    for (std::size_t z = 0; z < codes.size(); ++z) {
        double x = 0;
        for (std::size_t a : first.zones[z].atoms) {
            x += l.graph.atoms[a].x;
        }
        by_x.emplace_back(x / static_cast<double>(first.zones[z].atoms.size()), codes[z]);
    }
    std::sort(by_x.begin(), by_x.end());
    for (std::size_t i = 1; i < by_x.size(); ++i) {
        CHECK(by_x[i - 1].second < by_x[i].second); // west to east within the one row of zones
    }
    CHECK(by_x.front().second == grid15 + "001");

    // After a change that forces a re-cut, survivors keep their codes and new ones come after the
    // highest sequence ever used (here 040, e.g. retired codes).
    apply_as_current(l.graph, first, codes);
    for (std::size_t a = 0; a < l.graph.atoms.size(); ++a) {
        if (l.col[a] >= 6) {
            l.graph.atoms[a].households = 45; // the east end grows
        }
    }
    const rd::Plan second = rd::partition(l.graph, o);
    REQUIRE(second.feasible());
    const auto codes2 = rd::assign_codes(l.graph, second, grid15, 40);
    std::set<std::string> unique(codes2.begin(), codes2.end());
    CHECK(unique.size() == codes2.size());
    std::size_t kept = 0;
    for (std::size_t z = 0; z < codes2.size(); ++z) {
        if (!second.zones[z].current.empty()) {
            CHECK(codes2[z] == second.zones[z].current);
            ++kept;
        } else {
            CHECK(std::stoi(codes2[z].substr(15)) > 40);
        }
    }
    CHECK(kept >= 1);
    CHECK_THROWS_AS(rd::assign_codes(l.graph, second, "12345", 0), grid::usage_error);
}

TEST_CASE("redistrict: match_zones is one to one by household overlap") {
    // Old zones 0,0,0,1,1 ; new zones 0,0,1,1,1 ; households 10,10,10,40,1.
    const std::vector<long> from{0, 0, 0, 1, 1};
    const std::vector<long> to{0, 0, 1, 1, 1};
    const std::vector<std::int64_t> hh{10, 10, 10, 40, 1};
    std::vector<std::int64_t> overlap;
    const auto m = rd::match_zones(from, to, hh, &overlap);
    REQUIRE(m.size() == 2);
    CHECK(m[1] == 1); // 41 households shared
    CHECK(m[0] == 0); // 20
    CHECK(overlap[0] == 20);
    CHECK(overlap[1] == 41);
}

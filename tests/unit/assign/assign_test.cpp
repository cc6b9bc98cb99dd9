// gridkit assign: point location on zones (interior, shared edges, overlaps), footprints across
// zones, the findings and distances, what is written, and agreement with synth's own codes.
#include "fixture.hpp"

#include "libgrid/assign.hpp"
#include "libgrid/error.hpp"
#include "libgrid/geometry.hpp"
#include "libgrid/synth.hpp"
#include "libgrid/workspace.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>

using namespace assign_test;
namespace ga = grid::assign;

namespace {

std::vector<unsigned char> box_wkb(double ax, double ay, double bx, double by) {
    return grid::geom::to_wkb(grid::geom::make_box(ax, ay, bx, by).get());
}

const ga::Finding* find(const ga::Result& r, const std::string& code, ga::Issue issue) {
    for (const auto& f : r.findings) {
        if (f.code == code && f.issue == issue) {
            return &f;
        }
    }
    return nullptr;
}

const ga::LayerCounts& counts(const ga::Result& r, const std::string& layer) {
    for (const auto& l : r.layers) {
        if (l.layer == layer) {
            return l;
        }
    }
    FAIL("no counts for layer " << layer);
    return r.layers.front();
}

std::string column(const grid::Workspace& ws, const std::string& table, const std::string& col, const std::string& code) {
    grid::Statement st = ws.prepare("SELECT coalesce(" + col + ", '') FROM " + table + " WHERE code = ?");
    st.bind(1, code);
    return st.step() ? st.column_text(0) : "(no row)";
}

/// GEOS zone by zone: the zones whose interior holds the point, else those whose boundary does
/// (`on_boundary` tells which), ascending.
std::vector<std::uint32_t> geos_locate(const std::vector<grid::geom::Prepared>& prepared, double x, double y,
                                       bool& on_boundary) {
    namespace gg = grid::geom;
    const gg::Geometry pt = gg::own(GEOSGeom_createPointFromXY_r(gg::context(), x, y), "point");
    std::vector<std::uint32_t> in;
    for (std::uint32_t z = 0; z < prepared.size(); ++z) {
        if (gg::contains(prepared[z].get(), pt.get())) {
            in.push_back(z);
        }
    }
    on_boundary = false;
    if (in.empty()) {
        for (std::uint32_t z = 0; z < prepared.size(); ++z) {
            if (gg::intersects(prepared[z].get(), pt.get())) {
                in.push_back(z);
            }
        }
        on_boundary = !in.empty();
    }
    return in;
}

/// A synth workspace of `households` in `dir`; returns its path.
std::string synth_workspace(TempDir& dir, int households, std::uint64_t seed) {
    const std::string path = dir.file("synth.sqlite");
    grid::synth::Options so;
    so.households = households;
    so.seed = seed;
    so.threads = 2;
    grid::synth::write_workspace(path, so, false);
    return path;
}

} // namespace

TEST_CASE("assign: a point is in the zone whose interior holds it, in both on a shared edge, in both where they overlap") {
    std::vector<std::vector<unsigned char>> outlines{box_wkb(0, 0, 10, 10), box_wkb(10, 0, 20, 10), box_wkb(15, 5, 25, 15)};
    const ga::ZoneLocator zones({"A", "B", "C"}, outlines);
    ga::ZoneLocator::Probe probe(zones);
    std::vector<std::uint32_t> found;
    bool boundary = true;

    probe.locate(5, 5, found, boundary);
    CHECK(found == std::vector<std::uint32_t>{0});
    CHECK_FALSE(boundary);

    probe.locate(10, 5, found, boundary); // the A/B edge
    CHECK(found == std::vector<std::uint32_t>{0, 1});
    CHECK(boundary);

    probe.locate(0, 5, found, boundary); // A's outer edge: A alone
    CHECK(found == std::vector<std::uint32_t>{0});
    CHECK(boundary);

    probe.locate(17, 7, found, boundary); // B and C overlap here
    CHECK(found == std::vector<std::uint32_t>{1, 2});
    CHECK_FALSE(boundary);

    probe.locate(-1, 5, found, boundary);
    CHECK(found.empty());
    CHECK(zones.find("B") == 1);
    CHECK(zones.find("Z") == -1);
}

TEST_CASE("assign: locate_points on two threads agrees with a brute-force test of every zone") {
    // A 6 x 5 lattice of jittered quadrilaterals sharing their corners, so that the envelopes
    // overlap and the STRtree returns several candidates near every edge.
    const int nx = 6, ny = 5;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> jitter(-0.2, 0.2);
    std::vector<std::vector<grid::geom::Point>> corner(nx + 1, std::vector<grid::geom::Point>(ny + 1));
    for (int i = 0; i <= nx; ++i) {
        for (int j = 0; j <= ny; ++j) {
            const bool border = i == 0 || j == 0 || i == nx || j == ny;
            corner[i][j] = {i + (border ? 0 : jitter(rng)), j + (border ? 0 : jitter(rng))};
        }
    }
    std::vector<std::string> codes;
    std::vector<std::vector<unsigned char>> outlines;
    std::vector<grid::geom::Geometry> shapes;
    for (int i = 0; i < nx; ++i) {
        for (int j = 0; j < ny; ++j) {
            auto g = grid::geom::make_polygon({corner[i][j], corner[i + 1][j], corner[i + 1][j + 1], corner[i][j + 1]});
            outlines.push_back(grid::geom::to_wkb(g.get()));
            codes.push_back("Z" + std::to_string(codes.size()));
            shapes.push_back(std::move(g));
        }
    }
    const ga::ZoneLocator zones(codes, outlines);
    std::uniform_real_distribution<double> px(-0.5, nx + 0.5), py(-0.5, ny + 0.5);
    std::vector<grid::geom::Point> points(20000);
    for (auto& p : points) {
        p = {px(rng), py(rng)};
    }
    points.push_back({1.0, 0.0}); // on the outer boundary between two zones' corners
    const ga::PointPlacement placed = ga::locate_points(zones, points, 2);
    REQUIRE(placed.zone.size() == points.size());
    std::size_t inside = 0, outside = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::vector<std::int32_t> in;
        const auto pt = grid::geom::make_point(points[i].x, points[i].y);
        for (std::size_t z = 0; z < shapes.size(); ++z) {
            if (grid::geom::contains(shapes[z].get(), pt.get())) {
                in.push_back(static_cast<std::int32_t>(z));
            }
        }
        if (in.empty()) {
            for (std::size_t z = 0; z < shapes.size(); ++z) {
                if (grid::geom::intersects(shapes[z].get(), pt.get())) {
                    in.push_back(static_cast<std::int32_t>(z));
                }
            }
        }
        const std::int32_t want = in.empty() ? ga::PointPlacement::none : in.size() == 1 ? in[0] : ga::PointPlacement::several;
        REQUIRE_MESSAGE(placed.zone[i] == want, "point " << points[i].x << " " << points[i].y);
        inside += want >= 0 ? 1 : 0;
        outside += want == ga::PointPlacement::none ? 1 : 0;
    }
    CHECK(inside > 13000); // 30 of the 42 square units sampled
    CHECK(outside > 5000);
    CHECK(placed.zone.back() == ga::PointPlacement::several); // (1, 0) is a corner of two zones
}

TEST_CASE("assign: a footprint goes to the zone covering it, or holding most of it, with the shares") {
    const ga::ZoneLocator zones({"A", "B"}, {box_wkb(0, 0, 10, 10), box_wkb(10, 0, 20, 10)});
    ga::ZoneLocator::Probe probe(zones);
    std::vector<std::pair<std::uint32_t, double>> shares;
    probe.overlaps(grid::geom::make_box(2, 2, 4, 4).get(), shares);
    REQUIRE(shares.size() == 1);
    CHECK(shares[0].first == 0);
    CHECK(shares[0].second == 1.0);
    probe.overlaps(grid::geom::make_box(8, 2, 12, 4).get(), shares); // 50 / 50
    REQUIRE(shares.size() == 2);
    CHECK(shares[0].second == doctest::Approx(0.5));
    CHECK(shares[1].second == doctest::Approx(0.5));
    probe.overlaps(grid::geom::make_box(9, 2, 13, 4).get(), shares); // 25 % A, 75 % B
    REQUIRE(shares.size() == 2);
    CHECK(shares[0].first == 1);
    CHECK(shares[0].second == doctest::Approx(0.75));
    probe.overlaps(grid::geom::make_box(18, 2, 22, 4).get(), shares); // half outside
    REQUIRE(shares.size() == 1);
    CHECK(shares[0].second == doctest::Approx(0.5));
}

TEST_CASE("assign: the findings of a hand-made district, then the codes written and an audit row") {
    TempDir dir;
    const std::string path = dir.file("ws.sqlite");
    {
        auto ws = grid::Workspace::create(path);
        add_district(ws);
    }
    auto ws = grid::Workspace::open(path);
    const auto audit_before = ws.count("audit");

    ga::Options dry;
    dry.dry_run = true;
    const ga::Result r = ga::assign(ws, dry);
    CHECK(r.grids == 2);
    CHECK(r.microgrids == 4);
    CHECK_FALSE(r.all_placed());
    CHECK_FALSE(r.written);

    const auto& b = counts(r, "building");
    CHECK(b.rows == 5);
    CHECK(b.placed == 3);      // inside, 70/30 and 60/40 are placed by majority
    CHECK(b.straddling == 2);
    CHECK(b.no_grid == 1);     // the one outside
    CHECK(b.no_location == 1); // the one without geometry
    const ga::Finding* micro70 = find(r, B_micro70, ga::Issue::straddles_microgrids);
    REQUIRE(micro70 != nullptr);
    REQUIRE(micro70->zones.size() == 2);
    CHECK(micro70->zones[0] == M11);
    CHECK(micro70->shares[0] == doctest::Approx(0.7).epsilon(0.01));
    CHECK(micro70->shares[1] == doctest::Approx(0.3).epsilon(0.01));
    CHECK(find(r, B_micro70, ga::Issue::straddles_grids) == nullptr); // both halves are in G1
    const ga::Finding* grid60 = find(r, B_grid60, ga::Issue::straddles_grids);
    REQUIRE(grid60 != nullptr);
    CHECK(grid60->zones[0] == G1);
    CHECK(grid60->shares[0] == doctest::Approx(0.6).epsilon(0.01));
    CHECK(find(r, B_outside, ga::Issue::no_grid) != nullptr);
    CHECK(find(r, B_nothing, ga::Issue::no_location) != nullptr);

    const auto& a = counts(r, "address");
    CHECK(a.rows == 3);
    CHECK(a.placed == 1);
    CHECK(a.several_microgrids == 1);
    CHECK(a.several_grids == 0); // the M11/M12 edge lies inside G1
    CHECK(a.no_grid == 1);
    const ga::Finding* edge = find(r, A_edge, ga::Issue::several_microgrids);
    REQUIRE(edge != nullptr);
    CHECK(edge->on_boundary);
    CHECK(edge->zones == std::vector<std::string>{M11, M12});
    const ga::Finding* far = find(r, A_far, ga::Issue::no_grid);
    REQUIRE(far != nullptr);
    CHECK(far->nearest == G2);
    CHECK(far->distance_m == doctest::Approx(far_metres).epsilon(0.002));
    const ga::Finding* far_micro = find(r, A_far, ga::Issue::no_microgrid);
    REQUIRE(far_micro != nullptr);
    CHECK(far_micro->nearest == M22);

    const auto& h = counts(r, "house");
    CHECK(h.rows == 3);
    CHECK(h.placed == 1);
    CHECK(h.no_grid == 1);
    CHECK(h.no_location == 1);
    CHECK(find(r, "H3", ga::Issue::no_location) != nullptr);

    // Nothing written by the dry run.
    CHECK(column(ws, "building", "grid_code", B_inside).empty());
    CHECK(ws.count("audit") == audit_before);

    // For real: placed levels are written, the rest keeps what it had.
    ws.exec(std::string("UPDATE address SET microgrid_code = 'KEEP' WHERE code = '") + A_edge + "'");
    const ga::Result w = ga::assign(ws, ga::Options{});
    CHECK(w.written);
    CHECK(column(ws, "building", "grid_code", B_inside) == G1);
    CHECK(column(ws, "building", "microgrid_code", B_inside) == M11);
    CHECK(column(ws, "building", "microgrid_code", B_micro70) == M11);
    CHECK(column(ws, "building", "grid_code", B_grid60) == G1);
    CHECK(column(ws, "building", "microgrid_code", B_grid60) == M12);
    CHECK(column(ws, "building", "grid_code", B_outside).empty());
    CHECK(column(ws, "address", "grid_code", A_edge) == G1);
    CHECK(column(ws, "address", "microgrid_code", A_edge) == "KEEP");
    CHECK(column(ws, "house", "microgrid_code", "H1") == M11);
    CHECK(counts(w, "building").rows_changed == 3);
    CHECK(counts(w, "building").newly_assigned == 3);
    CHECK(counts(w, "address").rows_changed == 2);
    CHECK(counts(w, "house").rows_changed == 1);
    CHECK(w.rows_written == 6);
    CHECK(ws.count("audit") == audit_before + 1);

    // A second run finds nothing to change.
    const ga::Result again = ga::assign(ws, ga::Options{});
    for (const auto& l : again.layers) {
        CHECK_MESSAGE(l.rows_changed == 0, l.layer);
    }
    CHECK(again.rows_written == 0);

    // A moved grid: its buildings change, counted per level.
    ws.exec(std::string("UPDATE building SET microgrid_code = '") + M12 + "' WHERE code = '" + B_inside + "'");
    ga::Options only_buildings;
    only_buildings.layers = {"building"};
    const ga::Result moved = ga::assign(ws, only_buildings);
    REQUIRE(moved.layers.size() == 1);
    CHECK(moved.layers[0].rows_changed == 1);
    CHECK(moved.layers[0].microgrid_changed == 1);
    CHECK(moved.layers[0].grid_changed == 0);
    CHECK(moved.layers[0].newly_assigned == 0);
    CHECK(column(ws, "building", "microgrid_code", B_inside) == M11);
}

TEST_CASE("assign: bad options and a workspace without zones are refused before anything is written") {
    TempDir dir;
    auto ws = grid::Workspace::create(dir.file("ws.sqlite"));
    ga::Options o;
    o.layers = {"person"};
    CHECK_THROWS_AS(ga::assign(ws, o), grid::usage_error);
    CHECK_THROWS_AS(ga::assign(ws, ga::Options{}), grid::error); // no grid outline
    CHECK(ws.count("audit") == 0);
}

TEST_CASE("assign: every feature of a synth workspace is placed where synth put it") {
    TempDir dir;
    // Enough addresses (over 10,000) that their new codes are written with the triggers set aside.
    const std::string path = synth_workspace(dir, 10000, 11);
    auto ws = grid::Workspace::open(path);

    // Synth writes the codes by construction: assign agrees with every one of them.
    ga::Options dry;
    dry.dry_run = true;
    const ga::Result r = ga::assign(ws, dry);
    for (const auto& l : r.layers) {
        CHECK_MESSAGE(l.rows > 0, l.layer);
        CHECK_MESSAGE(l.placed == l.rows, l.layer);
        CHECK_MESSAGE(l.rows_changed == 0, l.layer);
    }
    CHECK(r.all_placed());

    // Cleared codes come back as they were.
    std::map<std::string, std::string> before;
    {
        grid::Statement st = ws.prepare("SELECT code, grid_code || '/' || microgrid_code FROM address");
        while (st.step()) {
            before[st.column_text(0)] = st.column_text(1);
        }
    }
    ws.exec("UPDATE building SET grid_code = NULL, microgrid_code = NULL");
    ws.exec("UPDATE address SET grid_code = NULL, microgrid_code = NULL");
    ws.exec("UPDATE house SET grid_code = NULL, microgrid_code = NULL");
    auto schema = [&] {
        return ws.query_int("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'address' AND type = 'trigger'");
    };
    const auto triggers = schema();
    ws.exec("UPDATE geometry_columns_time SET last_update = '2000-01-01T00:00:00.000Z'");
    const ga::Result w = ga::assign(ws, ga::Options{});
    for (const auto& l : w.layers) {
        CHECK_MESSAGE(l.rows_changed == l.rows, l.layer);
        CHECK_MESSAGE(l.newly_assigned == l.rows, l.layer);
    }
    CHECK(counts(w, "address").rows > 10000);
    CHECK(triggers >= 6); // SpatiaLite's: constraints, R-tree and time stamps
    CHECK(schema() == triggers);
    for (const std::string layer : {"building", "address"}) { // house has no geometry column
        grid::Statement st = ws.prepare("SELECT coalesce(max(last_update), '') FROM geometry_columns_time WHERE f_table_name = ?");
        st.bind(1, layer);
        REQUIRE(st.step());
        CHECK_MESSAGE(st.column_text(0) > "2026", layer); // the layers with a geometry column were stamped
    }
    grid::Statement st = ws.prepare("SELECT code, grid_code || '/' || microgrid_code FROM address");
    std::size_t same = 0;
    while (st.step()) {
        same += before[st.column_text(0)] == st.column_text(1) ? 1 : 0;
    }
    CHECK(same == before.size());
}

TEST_CASE("assign: the ring test without GEOS agrees with GEOS, and leaves points on edges to GEOS") {
    namespace gg = grid::geom;
    // A polygon with a hole, a two-part multipolygon, and a jagged polygon with slanted edges and
    // coordinates that do not round exactly (degrees of Taizhou).
    const std::vector<std::string> wkt{
        "POLYGON((0 0,10 0,10 10,0 10,0 0),(3 3,7 3,7 7,3 7,3 3))",
        "MULTIPOLYGON(((12 0,16 0,16 4,12 4,12 0)),((12 6,16 6,14 10,12 6)))",
        "POLYGON((119.9001 32.4203,119.9137 32.4199,119.9142 32.4311,119.9070 32.4260,119.9003 32.4318,119.9001 32.4203))",
    };
    std::vector<std::vector<unsigned char>> outlines;
    std::vector<gg::Geometry> geoms;
    for (const auto& w : wkt) {
        geoms.push_back(gg::from_wkt(w));
        outlines.push_back(gg::to_wkb(geoms.back().get()));
    }
    const ga::ZoneLocator zones({"A", "B", "C"}, outlines);
    // Points: random ones over each envelope, the vertices, and points on edges (midpoints).
    std::vector<std::pair<std::size_t, gg::Point>> points;
    std::mt19937_64 rng(42);
    for (std::size_t z = 0; z < zones.size(); ++z) {
        const gg::Envelope e = zones.envelope(z);
        std::uniform_real_distribution<double> ux(e.minx - 0.1 * (e.maxx - e.minx), e.maxx + 0.1 * (e.maxx - e.minx));
        std::uniform_real_distribution<double> uy(e.miny - 0.1 * (e.maxy - e.miny), e.maxy + 0.1 * (e.maxy - e.miny));
        for (int k = 0; k < 20000; ++k) {
            points.emplace_back(z, gg::Point{ux(rng), uy(rng)});
        }
        const std::vector<gg::Point> c = gg::coordinates(geoms[z].get());
        for (std::size_t k = 0; k + 1 < c.size(); ++k) {
            points.emplace_back(z, c[k]);
            points.emplace_back(z, gg::Point{(c[k].x + c[k + 1].x) / 2, (c[k].y + c[k + 1].y) / 2});
        }
    }
    std::size_t certain = 0, uncertain = 0, disagree = 0, in_hole = 0;
    const gg::Prepared prepared[3] = {gg::prepare(geoms[0].get()), gg::prepare(geoms[1].get()), gg::prepare(geoms[2].get())};
    for (const auto& [z, p] : points) {
        const int r = zones.inside(z, p.x, p.y);
        const bool geos_in = gg::contains_xy(prepared[z].get(), p.x, p.y);
        if (r < 0) {
            ++uncertain;
            continue;
        }
        ++certain;
        disagree += (r == 1) != geos_in;
        in_hole += z == 0 && r == 0 && p.x > 3 && p.x < 7 && p.y > 3 && p.y < 7;
    }
    CHECK(disagree == 0);
    CHECK(in_hole > 1000); // the hole is outside
    CHECK(certain > 59000);
    // Every vertex and the midpoint of an axis-parallel edge are on the boundary: never "certain".
    CHECK(zones.inside(0, 0, 0) == -1);
    CHECK(zones.inside(0, 5, 10) == -1);
    CHECK(zones.inside(0, 3, 5) == -1); // on the hole's edge
    CHECK(zones.inside(1, 14, 10) == -1);
    CHECK(zones.inside(0, 5, 5) == 0);
    CHECK(zones.inside(0, 1, 1) == 1);
    CHECK(zones.inside(1, 14, 8) == 1);
    CHECK(zones.inside(1, 14, 5) == 0); // between the two parts
    // locate() gives GEOS's answer for the uncertain ones: on the shared edge of the hole, the
    // point is on the boundary of zone A.
    ga::ZoneLocator::Probe probe(zones);
    std::vector<std::uint32_t> found;
    bool boundary = false;
    probe.locate(3, 5, found, boundary);
    CHECK(found == std::vector<std::uint32_t>{0});
    CHECK(boundary);
    probe.locate(1, 1, found, boundary);
    CHECK(found == std::vector<std::uint32_t>{0});
    CHECK_FALSE(boundary);
}

TEST_CASE("assign: locate on many zones (bins) gives what GEOS gives zone by zone, on edges too") {
    namespace gg = grid::geom;
    // 40 x 30 boxes of 1.3 x 0.7 with a few overlapping strips, and one large zone over a corner.
    std::vector<std::string> codes;
    std::vector<std::vector<unsigned char>> outlines;
    std::vector<gg::Geometry> geoms;
    auto add = [&](gg::Geometry g) {
        codes.push_back("Z" + std::to_string(codes.size()));
        outlines.push_back(gg::to_wkb(g.get()));
        geoms.push_back(std::move(g));
    };
    for (int j = 0; j < 30; ++j) {
        for (int i = 0; i < 40; ++i) {
            add(gg::make_box(1.3 * i, 0.7 * j, 1.3 * (i + 1), 0.7 * (j + 1)));
        }
    }
    add(gg::make_box(10.1, 3.3, 20.7, 4.1));
    add(gg::make_box(-5, -5, 6.5, 3.5));
    const ga::ZoneLocator zones(codes, outlines);
    ga::ZoneLocator::Probe probe(zones);
    std::vector<gg::Prepared> prepared;
    for (const auto& g : geoms) {
        prepared.push_back(gg::prepare(g.get()));
    }
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> ux(-6, 53), uy(-6, 22);
    std::uniform_int_distribution<int> ui(0, 40), uj(0, 30);
    std::vector<std::uint32_t> found;
    std::size_t checked = 0, on_edges = 0, mismatches = 0;
    for (int k = 0; k < 6000; ++k) {
        double x = ux(rng), y = uy(rng);
        if (k % 3 == 1) {
            x = 1.3 * ui(rng); // on a vertical lattice line
        } else if (k % 3 == 2) {
            y = 0.7 * uj(rng); // on a horizontal one
        }
        bool boundary = false;
        probe.locate(x, y, found, boundary);
        bool want_boundary = false;
        const std::vector<std::uint32_t> want = geos_locate(prepared, x, y, want_boundary);
        ++checked;
        on_edges += want_boundary;
        mismatches += found != want || boundary != want_boundary;
    }
    CHECK(checked == 6000);
    CHECK(on_edges > 1000);
    CHECK(mismatches == 0);
}

TEST_CASE("assign: locate through the cells gives what GEOS gives, on slanted edges and one ulp beside them") {
    namespace gg = grid::geom;
    // Jagged quadrilaterals sharing their corners in degrees of Taizhou (coordinates that do not
    // round exactly), so that cells are crossed by slanted edges; points on the edges, one ulp
    // either side of them, at the vertices and at random.
    const int nx = 12, ny = 9;
    const double x0 = 119.85, y0 = 32.42, step = 0.001;
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> jitter(-0.3, 0.3);
    std::vector<std::vector<gg::Point>> corner(nx + 1, std::vector<gg::Point>(ny + 1));
    for (int i = 0; i <= nx; ++i) {
        for (int j = 0; j <= ny; ++j) {
            const bool border = i == 0 || j == 0 || i == nx || j == ny;
            corner[i][j] = {x0 + (i + (border ? 0 : jitter(rng))) * step, y0 + (j + (border ? 0 : jitter(rng))) * step};
        }
    }
    std::vector<std::string> codes;
    std::vector<std::vector<unsigned char>> outlines;
    std::vector<gg::Prepared> prepared;
    std::vector<gg::Geometry> geoms;
    std::vector<gg::Point> points;
    for (int i = 0; i < nx; ++i) {
        for (int j = 0; j < ny; ++j) {
            const std::vector<gg::Point> ring{corner[i][j], corner[i + 1][j], corner[i + 1][j + 1], corner[i][j + 1]};
            geoms.push_back(gg::make_polygon(ring));
            codes.push_back("Z" + std::to_string(codes.size()));
            outlines.push_back(gg::to_wkb(geoms.back().get()));
            for (std::size_t k = 0; k < ring.size(); ++k) {
                const gg::Point a = ring[k], b = ring[(k + 1) % ring.size()];
                points.push_back(a);
                for (const double t : {0.25, 0.5, 0.7}) {
                    const gg::Point p{a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t};
                    points.push_back(p);
                    points.push_back({std::nextafter(p.x, 200.0), p.y});
                    points.push_back({std::nextafter(p.x, 0.0), p.y});
                    points.push_back({p.x, std::nextafter(p.y, 90.0)});
                    points.push_back({p.x, std::nextafter(p.y, 0.0)});
                }
            }
        }
    }
    for (const auto& g : geoms) {
        prepared.push_back(gg::prepare(g.get()));
    }
    std::uniform_real_distribution<double> ux(x0 - 0.5 * step, x0 + (nx + 0.5) * step), uy(y0 - 0.5 * step, y0 + (ny + 0.5) * step);
    for (int k = 0; k < 6000; ++k) {
        points.push_back({ux(rng), uy(rng)});
    }
    const ga::ZoneLocator zones(codes, outlines);
    const ga::PointPlacement placed = ga::locate_points(zones, points, 2); // over 4096 points: in bucket order
    REQUIRE(placed.zone.size() == points.size());
    ga::ZoneLocator::Probe probe(zones);
    std::vector<std::uint32_t> found;
    std::size_t mismatches = 0, on_edges = 0, several = 0;
    for (std::size_t n = 0; n < points.size(); ++n) {
        const double x = points[n].x, y = points[n].y;
        bool want_boundary = false;
        const std::vector<std::uint32_t> want = geos_locate(prepared, x, y, want_boundary);
        bool boundary = false;
        probe.locate(x, y, found, boundary);
        const std::int32_t want_zone = want.empty() ? ga::PointPlacement::none
                                       : want.size() == 1 ? static_cast<std::int32_t>(want[0])
                                                          : ga::PointPlacement::several;
        mismatches += found != want || boundary != want_boundary || placed.zone[n] != want_zone;
        on_edges += want_boundary;
        several += want.size() > 1;
    }
    CHECK(mismatches == 0);
    CHECK(on_edges > 100);
    CHECK(several > 100);
}

TEST_CASE("assign: the nearest zone found best first on the edges is the one GEOS finds nearest") {
    namespace gg = grid::geom;
    // Jagged quadrilaterals in a loose lattice, with gaps between them, and points around.
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> jitter(-0.2, 0.2);
    std::vector<std::string> codes;
    std::vector<std::vector<unsigned char>> outlines;
    std::vector<gg::Geometry> geoms;
    for (int j = 0; j < 12; ++j) {
        for (int i = 0; i < 15; ++i) {
            const double x = 2.0 * i, y = 1.5 * j;
            gg::Geometry g = gg::make_polygon({{x + jitter(rng), y + jitter(rng)},
                                               {x + 1.5 + jitter(rng), y + jitter(rng)},
                                               {x + 1.5 + jitter(rng), y + 1.1 + jitter(rng)},
                                               {x + jitter(rng), y + 1.1 + jitter(rng)}});
            codes.push_back("Z" + std::to_string(codes.size()));
            outlines.push_back(gg::to_wkb(g.get()));
            geoms.push_back(std::move(g));
        }
    }
    const ga::ZoneLocator zones(codes, outlines);
    std::uniform_real_distribution<double> ux(-5, 35), uy(-5, 23);
    std::size_t mismatches = 0, inside = 0;
    for (int k = 0; k < 3000; ++k) {
        const double x = ux(rng), y = uy(rng);
        const gg::Geometry pt = gg::make_point(x, y);
        double want = 1e300;
        for (const auto& g : geoms) {
            want = std::min(want, gg::distance(g.get(), pt.get()));
        }
        const auto [zone, got] = zones.nearest(x, y, 1.0, [&](std::size_t z) { return zones.edge_distance(z, x, y, 1, 1); });
        REQUIRE(zone < geoms.size());
        inside += got == 0 ? 1 : 0;
        // The zone found is at the distance GEOS measures to it, and no zone is nearer.
        mismatches += std::fabs(got - want) > 1e-9 || std::fabs(gg::distance(geoms[zone].get(), pt.get()) - got) > 1e-9;
        // The nearest point given is on that zone's boundary, at that distance.
        grid::geom::Point near{};
        zones.edge_distance(zone, x, y, 1, 1, &near);
        CHECK(std::hypot(near.x - x, near.y - y) == doctest::Approx(got).epsilon(1e-9));
    }
    CHECK(inside > 100);
    CHECK(mismatches == 0);

    // A scaled plane (metres per degree at 32.5° N) measures each axis by its own scale.
    const ga::ZoneLocator one({"A"}, {box_wkb(120.0, 32.5, 120.01, 32.51)});
    CHECK(one.edge_distance(0, 119.99, 32.505, 94000, 110900) == doctest::Approx(940.0));
    CHECK(one.edge_distance(0, 120.005, 32.52, 94000, 110900) == doctest::Approx(1109.0));
    CHECK(one.edge_distance(0, 120.005, 32.505, 94000, 110900) == 0);
    const ga::ZoneLocator none({}, {});
    CHECK(none.nearest(0, 0, 1, [](std::size_t) { return 0.0; }).second == -1);
}

TEST_CASE("assign: a layer read on several connections at once gives what one connection gives") {
    TempDir dir;
    const std::string path = synth_workspace(dir, 1200, 5);
    {
        auto ws = grid::Workspace::open(path);
        // Gaps in the ids, rows without codes, and one point moved out of every zone.
        ws.exec("DELETE FROM address WHERE id % 7 = 3");
        ws.exec("UPDATE address SET grid_code = NULL, microgrid_code = NULL WHERE id % 5 = 1");
        ws.exec("UPDATE address SET geom = MakePoint(100.0, 20.0, 4490) WHERE id = (SELECT max(id) FROM address)");
    }
    auto ws = grid::Workspace::open(path, grid::Workspace::Mode::read_only);
    auto run = [&](unsigned threads, std::int64_t parallel_rows) {
        ga::Options o;
        o.dry_run = true;
        o.threads = threads;
        o.parallel_read_rows = parallel_rows;
        return ga::assign(ws, o);
    };
    const ga::Result one = run(1, 1);
    for (const unsigned threads : {2U, 3U}) {
        const ga::Result many = run(threads, 1);
        REQUIRE(many.layers.size() == one.layers.size());
        for (std::size_t k = 0; k < one.layers.size(); ++k) {
            const auto& a = one.layers[k];
            const auto& b = many.layers[k];
            CHECK_MESSAGE(a.rows == b.rows, a.layer);
            CHECK_MESSAGE(a.placed == b.placed, a.layer);
            CHECK_MESSAGE(a.rows_changed == b.rows_changed, a.layer);
            CHECK_MESSAGE(a.newly_assigned == b.newly_assigned, a.layer);
            CHECK_MESSAGE(a.no_grid == b.no_grid, a.layer);
        }
        REQUIRE(many.findings.size() == one.findings.size());
        for (std::size_t i = 0; i < one.findings.size(); ++i) {
            CHECK(many.findings[i].code == one.findings[i].code);
            CHECK(many.findings[i].nearest == one.findings[i].nearest);
            CHECK(many.findings[i].distance_m == one.findings[i].distance_m);
        }
    }
    CHECK(counts(one, "address").rows == ws.count("address"));
    CHECK(counts(one, "address").no_grid == 1);
    CHECK(counts(one, "address").rows_changed > 100);
}

TEST_CASE("assign: inside the caller's transaction, its rows not yet committed are read and placed") {
    TempDir dir;
    const std::string path = synth_workspace(dir, 300, 9);
    auto ws = grid::Workspace::open(path);
    const auto rows = ws.count("address");
    grid::Transaction tx(ws);
    ws.exec("INSERT INTO address (code, text, geom) SELECT code || 'X', text, geom FROM address WHERE id = 1");
    ga::Options o;
    o.dry_run = true;
    o.threads = 2;
    o.parallel_read_rows = 1; // would read on other connections, which cannot see the new row
    const ga::Result r = ga::assign(ws, o);
    CHECK(counts(r, "address").rows == rows + 1);
    CHECK(counts(r, "address").placed == rows + 1);
    CHECK(counts(r, "address").newly_assigned == 1);
}

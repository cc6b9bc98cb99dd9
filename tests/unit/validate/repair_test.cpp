// repair(): each mechanical fix on the validate fixture, checked by validating afterwards.
#include "fixture.hpp"

#include "libgrid/error.hpp"

#include <doctest/doctest.h>

using namespace validate_fixture;
namespace code = grid::code;

namespace {

grid::RepairReport repair(const Fixture& f, grid::RepairOptions o = {}) { return grid::repair(f.ws(), o); }

std::string geometry_text(const Fixture& f, const std::string& table, const std::string& c) {
    grid::Statement st = f.ws().prepare("SELECT AsText(geom) FROM " + table + " WHERE code = ?");
    st.bind(1, c);
    return st.step() ? st.column_text(0) : "";
}

std::vector<std::string> actions(const grid::RepairReport& r) {
    std::vector<std::string> out;
    for (const auto& c : r.changes) {
        out.push_back(c.action + " " + c.id);
    }
    return out;
}

} // namespace

TEST_CASE("repair: a clean workspace is left alone") {
    const Fixture f;
    const std::string before = geometry_text(f, "microgrid", m11);
    const auto r = repair(f);
    CHECK(r.changes.empty());
    CHECK(r.left.empty());
    CHECK(!r.written);
    CHECK(r.grids == 2);
    CHECK(geometry_text(f, "microgrid", m11) == before);
    CHECK(f.ws().count("audit") == 0);
}

TEST_CASE("repair: make_valid") {
    const Fixture f;
    const double e = mx(0) + u;
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON(((" + num(mx(0)) + " " + num(oy) + "," + num(e) + " " +
           num(oy) + "," + num(e) + " " + num(oy + u) + "," + num(e - u / 2) + " " + num(oy + u) + "," + num(e) + " " +
           num(oy + u) + "," + num(e) + " " + num(oy + 2 * u) + "," + num(mx(0)) + " " + num(oy + 2 * u) + "," +
           num(mx(0)) + " " + num(oy) + ")))', 4490) WHERE code = '" + m11 + "'");
    REQUIRE(codes_of(f.run()) == std::set<int>{code::invalid_polygon});
    const auto r = repair(f);
    CHECK(actions(r) == std::vector<std::string>{std::string("make_valid ") + m11});
    CHECK(r.written);
    CHECK(f.run().errors.empty());
}

TEST_CASE("repair: clip_to_grid") {
    const Fixture f;
    f.exec("UPDATE microgrid SET geom = " + box(mx(0) - 0.0001, oy, mx(0) + u, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    const auto r = repair(f);
    REQUIRE(r.changes.size() == 1);
    CHECK(r.changes[0].action == "clip_to_grid");
    CHECK(r.changes[0].area_before_m2 > r.changes[0].area_after_m2 + 1900);
    CHECK(f.run().errors.empty());
}

TEST_CASE("repair: fill_gap gives a small gap to the micro-grid sharing the longest edge") {
    const Fixture f;
    // A 1 m wide gap along the whole shared edge of micro-grids 11 and 12, cut from 11.
    f.exec("UPDATE microgrid SET geom = " + box(mx(0), oy, mx(1) - 0.00001, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    // A small gap in a corner of micro-grid 21, touching only 21 along two edges and 22 not at all.
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON(((" + num(mx(2)) + " " + num(oy) + "," +
           num(mx(3)) + " " + num(oy) + "," + num(mx(3)) + " " + num(oy + 2 * u) + "," + num(mx(2) + 0.00005) + " " +
           num(oy + 2 * u) + "," + num(mx(2) + 0.00005) + " " + num(oy + 2 * u - 0.00005) + "," + num(mx(2)) + " " +
           num(oy + 2 * u - 0.00005) + "," + num(mx(2)) + " " + num(oy) + ")))', 4490) WHERE code = '" + m21 + "'");
    REQUIRE(codes_of(f.run()) == std::set<int>{code::gap_in_parent});
    const auto r = repair(f);
    const auto a = actions(r);
    CHECK(a.size() == 2);
    CHECK(std::find(a.begin(), a.end(), std::string("fill_gap ") + m21) != a.end());
    // The strip touches 11 and 12 along the same length: 11 (first in code order) takes it back.
    CHECK(std::find(a.begin(), a.end(), std::string("fill_gap ") + m11) != a.end());
    CHECK(r.left.empty());
    CHECK(f.run().errors.empty());
    CHECK(f.ws().count("audit") == 1);
}

TEST_CASE("repair: remove_overlap leaves the overlap to the micro-grid it pokes into") {
    const Fixture f;
    // Micro-grid 11 pokes 1 m into 12 along the whole edge.
    f.exec("UPDATE microgrid SET geom = " + box(mx(0), oy, mx(1) + 0.00001, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    REQUIRE(codes_of(f.run()) == std::set<int>{code::sibling_overlap});
    const auto r = repair(f);
    // The overlap's long edges: one on 11's boundary (inside 12), one on 12's (inside 11); the
    // short ends lie on the grid outline. Either way the result must validate.
    REQUIRE(r.changes.size() == 1);
    CHECK(r.changes[0].action == "remove_overlap");
    CHECK(f.run().errors.empty());
}

TEST_CASE("repair: remove_sliver, then the crumb goes back to its neighbour") {
    const Fixture f;
    const double hx = mx(1) + u / 2, hy = oy + u / 2, d = 0.0000032;
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON((" + ring(mx(1), oy, mx(1) + u, oy + 2 * u) + "," +
           ring(hx, hy, hx + d, hy + d) + "))', 4490) WHERE code = '" + m12 + "'");
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON((" + ring(mx(0), oy, mx(0) + u, oy + 2 * u) + "),(" +
           ring(hx, hy, hx + d, hy + d) + "))', 4490) WHERE code = '" + m11 + "'");
    const auto r = repair(f);
    CHECK(actions(r) == std::vector<std::string>{std::string("remove_sliver ") + m11, std::string("fill_gap ") + m12});
    CHECK(f.run().errors.empty());
}

TEST_CASE("repair: a large gap is left for a person, and --dry-run writes nothing") {
    const Fixture f;
    f.exec("UPDATE microgrid SET geom = " + box(mx(0), oy, mx(1) - 0.0001, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    const std::string before = geometry_text(f, "microgrid", m11);
    grid::RepairOptions o;
    o.dry_run = true;
    const auto r = repair(f, o);
    CHECK(r.changes.empty());
    REQUIRE(r.left.size() == 1);
    CHECK(r.left[0].find("gap") != std::string::npos);
    CHECK(!r.written);

    SUBCASE("a larger limit repairs it; the dry run did not write") {
        o.max_area = 5000;
        const auto r2 = repair(f, o);
        CHECK(r2.changes.size() == 1);
        CHECK(!r2.written);
        CHECK(geometry_text(f, "microgrid", m11) == before);
        CHECK(f.ws().count("audit") == 0);
        o.dry_run = false;
        const auto r3 = repair(f, o);
        CHECK(r3.written);
        CHECK(r3.features_written == 1);
        CHECK(f.run().errors.empty());
    }
}

TEST_CASE("repair: --grid limits the work to one grid and rejects an unknown one") {
    const Fixture f;
    f.exec("UPDATE microgrid SET geom = " + box(mx(0) - 0.0001, oy, mx(0) + u, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    grid::RepairOptions o;
    o.grid = g2;
    CHECK(repair(f, o).changes.empty());
    o.grid = "321202007001009";
    CHECK_THROWS_AS(repair(f, o), grid::usage_error);
    o.grid = g1;
    CHECK(repair(f, o).changes.size() == 1);
}

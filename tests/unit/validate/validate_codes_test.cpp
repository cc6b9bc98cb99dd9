// One fixture per validation code: a clean workspace with one planted fault must report exactly
// that code (docs/errors.md has the same examples).
#include "fixture.hpp"

#include "detail/validate_internal.hpp"
#include "libgrid/error.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

using namespace validate_fixture;
using grid::ValidationError;
namespace code = grid::code;

namespace {

std::string hex(const std::vector<unsigned char>& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<unsigned char>(v >> (8 * i)));
    }
}

void put_f64(std::vector<unsigned char>& out, double v) {
    unsigned char b[8];
    std::memcpy(b, &v, 8);
    out.insert(out.end(), b, b + 8);
}

/// Little-endian WKB of a one-ring MULTIPOLYGON, whatever the number of points (GEOS would refuse).
std::vector<unsigned char> multipolygon_wkb(const std::vector<std::pair<double, double>>& pts) {
    std::vector<unsigned char> w{1};
    put_u32(w, 6);
    put_u32(w, 1);
    w.push_back(1);
    put_u32(w, 3);
    put_u32(w, 1);
    put_u32(w, static_cast<std::uint32_t>(pts.size()));
    for (const auto& [x, y] : pts) {
        put_f64(w, x);
        put_f64(w, y);
    }
    return w;
}

/// True when the location lies in the box (workspace coordinates).
bool located_in(const ValidationError& e, double ax, double ay, double bx, double by) {
    return e.location && e.location->x >= ax && e.location->x <= bx && e.location->y >= ay && e.location->y <= by;
}

/// Swaps two micro-grid codes everywhere they are recorded.
void swap_microgrids(const Fixture& f, const std::string& a, const std::string& b) {
    for (const char* table : {"microgrid", "building", "address", "house"}) {
        const std::string col = std::string(table) == "microgrid" ? "code" : "microgrid_code";
        f.exec("UPDATE " + std::string(table) + " SET " + col + " = CASE " + col + " WHEN '" + a + "' THEN 'tmp' WHEN '" +
               b + "' THEN '" + a + "' ELSE " + col + " END");
        f.exec("UPDATE " + std::string(table) + " SET " + col + " = '" + b + "' WHERE " + col + " = 'tmp'");
    }
}

} // namespace

TEST_CASE("validate: the clean fixture has no finding") {
    const Fixture f;
    const auto r = f.run();
    CHECK(r.errors.empty());
    CHECK(r.valid());
    CHECK(r.overview.households == 240);
    CHECK(r.overview.features.at("microgrid") == 4);
    CHECK(r.overview.features.at("person") == 4);
    CHECK(r.overview.metric_crs == "EPSG:4528");
}

TEST_CASE("validate: the error-code table is ordered, unique and grouped by hundreds") {
    const auto& t = grid::error_codes();
    REQUIRE(!t.empty());
    for (std::size_t i = 1; i < t.size(); ++i) {
        CHECK(t[i - 1].code < t[i].code);
        CHECK(t[i - 1].name != t[i].name);
    }
    for (const auto& e : t) {
        const int group = e.code / 100;
        const std::string check(e.check);
        CHECK(((group == 1 && check == "geometry") || (group == 2 && check == "coverage") ||
               (group == 3 && check == "codes") || (group == 4 && check == "households") ||
               (group == 9 && check == "dataset")));
        for (char c : e.name) {
            CHECK(((c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9')));
        }
    }
    CHECK(grid::error_code(201).name == "SIBLING_OVERLAP");
    CHECK_THROWS_AS(grid::error_code(999), grid::usage_error);
}

TEST_CASE("validate: 101 INVALID_POLYGON") {
    const Fixture f;
    // An inward spike on the east edge of micro-grid 11: a self-intersection.
    const double e = mx(0) + u;
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON(((" + num(mx(0)) + " " + num(oy) + "," + num(e) + " " +
           num(oy) + "," + num(e) + " " + num(oy + u) + "," + num(e - u / 2) + " " + num(oy + u) + "," + num(e) + " " +
           num(oy + u) + "," + num(e) + " " + num(oy + 2 * u) + "," + num(mx(0)) + " " + num(oy + 2 * u) + "," +
           num(mx(0)) + " " + num(oy) + ")))', 4490) WHERE code = '" + m11 + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::invalid_polygon});
    const auto hits = with_code(r, code::invalid_polygon);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].id == m11);
    CHECK(hits[0].layer == "microgrid");
    CHECK(located_in(hits[0], e - u / 2 - 1e-9, oy + u - 1e-9, e + 1e-9, oy + u + 1e-9));
}

TEST_CASE("validate: 102 EMPTY_GEOMETRY") {
    const Fixture f;
    f.exec("INSERT INTO allowed_gap (name, geom) VALUES ('pond', NULL)");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::empty_geometry});
    CHECK(with_code(r, code::empty_geometry).at(0).layer == "allowed_gap");
}

TEST_CASE("validate: 103 TOO_FEW_POINTS") {
    const Fixture f;
    const auto w = multipolygon_wkb({{ox, oy}, {ox + u, oy}, {ox, oy}});
    f.exec("INSERT INTO allowed_gap (name, geom) VALUES ('pond', GeomFromWKB(x'" + hex(w) + "', 4490))");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::too_few_points});
    CHECK(located_in(with_code(r, code::too_few_points).at(0), ox, oy, ox, oy));
}

TEST_CASE("validate: 104 WRONG_GEOMETRY_TYPE") {
    const Fixture f;
    f.drop_geometry_triggers("allowed_gap");
    f.exec("INSERT INTO allowed_gap (name, geom) VALUES ('river', GeomFromText('LINESTRING(" + num(ox) + " " + num(oy) +
           "," + num(ox + u) + " " + num(oy + u) + ")', 4490))");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::wrong_geometry_type});
}

TEST_CASE("validate: 105 SLIVER_POLYGON") {
    const Fixture f;
    // A 0.3 m square of micro-grid 12 handed to micro-grid 11 as a second part: a sliver.
    const double hx = mx(1) + u / 2, hy = oy + u / 2, d = 0.0000032;
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON((" + ring(mx(1), oy, mx(1) + u, oy + 2 * u) + "," +
           ring(hx, hy, hx + d, hy + d) + "))', 4490) WHERE code = '" + m12 + "'");
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON((" + ring(mx(0), oy, mx(0) + u, oy + 2 * u) + "),(" +
           ring(hx, hy, hx + d, hy + d) + "))', 4490) WHERE code = '" + m11 + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::sliver_polygon});
    const auto hit = with_code(r, code::sliver_polygon).at(0);
    CHECK(hit.id == m11);
    REQUIRE(hit.area_m2.has_value());
    CHECK(*hit.area_m2 < 0.2);
    CHECK(located_in(hit, hx, hy, hx + d, hy + d));
}

TEST_CASE("validate: 106 COORDINATES_OUT_OF_RANGE") {
    const Fixture f;
    f.exec("INSERT INTO allowed_gap (name, geom) VALUES ('null island', " + box(0, 0, 0.001, 0.001) + ")");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::coordinates_out_of_range});
}

TEST_CASE("validate: 107 UNREADABLE_GEOMETRY") {
    const Fixture f;
    f.drop_geometry_triggers("allowed_gap");
    f.exec("INSERT INTO allowed_gap (name, geom) VALUES ('garbage', x'00010203')");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::unreadable_geometry});
}

TEST_CASE("validate: 201 SIBLING_OVERLAP") {
    const Fixture f;
    f.exec("UPDATE microgrid SET geom = " + box(mx(0), oy, mx(0) + u + 0.0001, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::sibling_overlap});
    const auto hit = with_code(r, code::sibling_overlap).at(0);
    CHECK(hit.id == m11);
    CHECK(hit.related_id == m12);
    REQUIRE(hit.area_m2.has_value());
    CHECK(*hit.area_m2 > 1900); // about 9.4 m x 222 m
    CHECK(*hit.area_m2 < 2300);
    CHECK(located_in(hit, mx(1), oy, mx(1) + 0.0001, oy + 2 * u));
    CHECK(!hit.geometry.empty());
}

TEST_CASE("validate: 202 GAP_IN_PARENT") {
    const Fixture f;
    f.exec("UPDATE microgrid SET geom = " + box(mx(0), oy, mx(0) + u - 0.0001, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::gap_in_parent});
    const auto hit = with_code(r, code::gap_in_parent).at(0);
    CHECK(hit.layer == "grid");
    CHECK(hit.id == g1);
    CHECK(located_in(hit, mx(1) - 0.0001, oy, mx(1), oy + 2 * u));
    CHECK(*hit.area_m2 > 1900);

    SUBCASE("an allowed gap covering it is not reported") {
        f.exec("INSERT INTO allowed_gap (name, reason, geom) VALUES ('river', 'water', " +
               box(mx(1) - 0.0001, oy, mx(1), oy + 2 * u) + ")");
        CHECK(f.run().errors.empty());
    }
    SUBCASE("a gap narrower than the tolerance is not reported") {
        grid::ValidationOptions o;
        o.tolerance = 20;
        CHECK(f.run(o).errors.empty());
    }
}

TEST_CASE("validate: 203 CHILD_OUTSIDE_PARENT") {
    const Fixture f;
    f.exec("UPDATE microgrid SET geom = " + box(mx(0) - 0.0001, oy, mx(0) + u, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::child_outside_parent});
    const auto hit = with_code(r, code::child_outside_parent).at(0);
    CHECK(hit.id == m11);
    CHECK(hit.related_id == g1);
    CHECK(located_in(hit, mx(0) - 0.0001, oy, mx(0), oy + 2 * u));
}

TEST_CASE("validate: 204 PARENT_NOT_FOUND") {
    const Fixture f;
    f.exec("DELETE FROM division");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::parent_not_found});
    const auto hits = with_code(r, code::parent_not_found);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].id == g1);
    CHECK(hits[1].id == g2);
}

TEST_CASE("validate: 205 CHILD_IN_OTHER_PARENT") {
    const Fixture f;
    // Grid 1 is one micro-grid; its second micro-grid is drawn over grid 2 (which has none).
    f.exec("DELETE FROM microgrid WHERE grid_code = '" + std::string(g2) + "'");
    f.exec("UPDATE microgrid SET geom = " + box(ox, oy, ox + 2 * u, oy + 2 * u) + " WHERE code = '" + m11 + "'");
    f.exec("UPDATE microgrid SET geom = " + box(ox + 2 * u, oy, ox + 4 * u, oy + 2 * u) + " WHERE code = '" + m12 + "'");
    for (const char* t : {"building", "address", "house"}) {
        f.exec("UPDATE " + std::string(t) + " SET microgrid_code = CASE grid_code WHEN '" + g1 + "' THEN '" + m11 +
               "' ELSE '" + m12 + "' END");
    }
    grid::ValidationOptions o;
    o.max_households = 1000;
    const auto r = f.run(o);
    CHECK(codes_of(r) == std::set<int>{code::child_in_other_parent});
    const auto hit = with_code(r, code::child_in_other_parent).at(0);
    CHECK(hit.id == m12);
    CHECK(hit.related_id == g2);
}

TEST_CASE("validate: 301 CODE_FORMAT") {
    const Fixture f;
    f.exec("INSERT INTO address (code, text, building_code, grid_code, microgrid_code, geom) VALUES ('" +
           address_code(0).substr(0, 23) + "', 'x', '" + building_code(0) + "', '" + g1 + "', '" + m11 + "', " +
           point(mx(0) + u / 2, oy + u) + ")");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::code_format});
    CHECK(with_code(r, code::code_format).at(0).id == address_code(0).substr(0, 23));
}

TEST_CASE("validate: 302 CHECK_CHARACTER") {
    const Fixture f;
    std::string id = resident_id(0);
    id[17] = id[17] == '1' ? '2' : '1';
    f.exec("UPDATE person SET id_number = '" + id + "' WHERE id = 1");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::check_character});
    const auto hit = with_code(r, code::check_character).at(0);
    CHECK(hit.id == "#1");
    CHECK(hit.message.find(id) == std::string::npos); // personal data never in a message
    CHECK(hit.message.find(id.substr(6, 8)) == std::string::npos);
}

TEST_CASE("validate: 303 DUPLICATE_CODE") {
    const Fixture f;
    f.exec("INSERT INTO address (code, text, building_code, grid_code, microgrid_code, geom) VALUES ('" + address_code(0) +
           " ', 'x', '" + building_code(0) + "', '" + g1 + "', '" + m11 + "', " + point(mx(0) + u / 2, oy + u) + ")");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::duplicate_code});
    CHECK(with_code(r, code::duplicate_code).at(0).related_id == address_code(0));
}

TEST_CASE("validate: 304 CODE_PARENT_MISMATCH") {
    const Fixture f;
    f.exec("UPDATE building SET community_code = '321202007002' WHERE code = '" + building_code(0) + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::code_parent_mismatch});
    const auto hit = with_code(r, code::code_parent_mismatch).at(0);
    CHECK(hit.id == building_code(0));
    CHECK(hit.related_id == "321202007002");
}

TEST_CASE("validate: 305 CODE_SEQUENCE (a warning)") {
    const Fixture f;
    swap_microgrids(f, m11, m12); // 001 now lies east of 002
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::code_sequence});
    CHECK(with_code(r, code::code_sequence).at(0).id == m12);
    CHECK(r.valid()); // warnings do not make the data invalid
    CHECK(r.overview.warnings == 1);
}

TEST_CASE("validate: 401 TOO_FEW_HOUSEHOLDS") {
    const Fixture f;
    f.exec("UPDATE building SET households = 10 WHERE code = '" + building_code(0) + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::too_few_households});
    const auto hit = with_code(r, code::too_few_households).at(0);
    CHECK(hit.id == m11);
    CHECK(hit.households == 10);

    SUBCASE("households come from occupied residential houses where a building has them") {
        f.exec("UPDATE house SET use = '住宅' WHERE code = '" + address_code(1) + "'");
        const auto r2 = f.run();
        const auto few = with_code(r2, code::too_few_households);
        REQUIRE(few.size() == 2);
        CHECK(few[1].id == m12);
        CHECK(few[1].households == 1);
    }
}

TEST_CASE("validate: 402 TOO_MANY_HOUSEHOLDS") {
    const Fixture f;
    f.exec("UPDATE building SET households = 150 WHERE code = '" + building_code(3) + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::too_many_households});
    CHECK(with_code(r, code::too_many_households).at(0).id == m22);
    grid::ValidationOptions o;
    o.max_households = 150;
    CHECK(f.run(o).errors.empty());
}

TEST_CASE("validate: 403 IN_NO_GRID") {
    const Fixture f;
    const double x = ox + 5 * u, y = oy + u;
    f.exec("INSERT INTO building (code, community_code, households, location) VALUES ('" + building_code(4) + "', '" +
           community + "', 0, " + point(x, y) + ")");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::in_no_grid});
    const auto hit = with_code(r, code::in_no_grid).at(0);
    CHECK(hit.layer == "building");
    CHECK(located_in(hit, x - 1e-9, y - 1e-9, x + 1e-9, y + 1e-9));
}

TEST_CASE("validate: 404 IN_NO_MICROGRID") {
    const Fixture f;
    // A hole in micro-grid 11 (an allowed gap: a pond) with a pump house in it.
    const double hx = mx(0) + 0.0002, hy = oy + 0.0002, d = 0.0002;
    f.exec("UPDATE microgrid SET geom = GeomFromText('MULTIPOLYGON((" + ring(mx(0), oy, mx(0) + u, oy + 2 * u) + "," +
           ring(hx, hy, hx + d, hy + d) + "))', 4490) WHERE code = '" + m11 + "'");
    f.exec("INSERT INTO allowed_gap (name, geom) VALUES ('pond', " + box(hx, hy, hx + d, hy + d) + ")");
    f.exec("INSERT INTO building (code, community_code, households, grid_code, location) VALUES ('" + building_code(4) +
           "', '" + community + "', 0, '" + g1 + "', " + point(hx + d / 2, hy + d / 2) + ")");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::in_no_microgrid});
    CHECK(with_code(r, code::in_no_microgrid).at(0).id == building_code(4));
}

TEST_CASE("validate: 405 WRONG_GRID") {
    const Fixture f;
    f.exec("UPDATE building SET grid_code = '" + std::string(g2) + "' WHERE code = '" + building_code(0) + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::wrong_grid});
    const auto hit = with_code(r, code::wrong_grid).at(0);
    CHECK(hit.id == building_code(0));
    CHECK(hit.related_id == g1);
}

TEST_CASE("validate: 406 WRONG_MICROGRID") {
    const Fixture f;
    f.exec("UPDATE address SET microgrid_code = '" + std::string(m12) + "' WHERE code = '" + address_code(0) + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::wrong_microgrid});
    const auto hit = with_code(r, code::wrong_microgrid).at(0);
    CHECK(hit.layer == "address");
    CHECK(hit.related_id == m11);
}

TEST_CASE("validate: 407 BUILDING_STRADDLES_MICROGRIDS") {
    const Fixture f;
    const double e = mx(1), cy = oy + u;
    f.exec("UPDATE building SET geom = " + box(e - 0.0001, cy - 0.0001, e + 0.0001, cy + 0.0001) + ", location = " +
           point(e - 0.00005, cy) + " WHERE code = '" + building_code(0) + "'");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::building_straddles_microgrids});
    CHECK(with_code(r, code::building_straddles_microgrids).at(0).id == building_code(0));
}

TEST_CASE("validate: 408 HOUSE_WITHOUT_ADDRESS") {
    const Fixture f;
    f.exec("INSERT INTO house (code, address_code, use) VALUES ('h-1', '321202007001000099990000', '住宅')");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::house_without_address});
    CHECK(with_code(r, code::house_without_address).at(0).id == "h-1");
}

TEST_CASE("validate: 409 PERSON_WITHOUT_HOUSE") {
    const Fixture f;
    f.exec("UPDATE person SET house_code = NULL WHERE id = 2");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::person_without_house});
    CHECK(with_code(r, code::person_without_house).at(0).id == "#2");
}

TEST_CASE("validate: 410 ORG_WITHOUT_ADDRESS") {
    const Fixture f;
    f.exec("UPDATE org SET address_code = ''");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::org_without_address});
    CHECK(with_code(r, code::org_without_address).at(0).id == "91350100M000100Y43");
}

TEST_CASE("validate: 901 EMPTY_DATASET") {
    const Fixture f;
    for (const char* t : {"division", "grid", "microgrid", "building", "address", "house", "person", "org"}) {
        f.exec("DELETE FROM " + std::string(t));
    }
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::empty_dataset});
    CHECK(!r.valid());
}

TEST_CASE("validate: 902 SRID_MISMATCH") {
    const Fixture f;
    f.drop_geometry_triggers("allowed_gap");
    f.exec("INSERT INTO allowed_gap (name, geom) VALUES ('pond', GeomFromText('MULTIPOLYGON((" +
           ring(ox, oy, ox + 0.0001, oy + 0.0001) + "))', 4326))");
    const auto r = f.run();
    CHECK(codes_of(r) == std::set<int>{code::srid_mismatch});
}

TEST_CASE("validate: 903 CHECK_FAILED") {
    // A geometry-engine failure inside a check becomes a finding on the feature, not an abort.
    const Fixture f;
    grid::ValidationOptions o;
    grid::detail::Context ctx{f.ws(), o};
    grid::detail::guarded(ctx, "grid", g1, [] { throw grid::geometry_error("GEOS intersection failed: TopologyException"); });
    const auto found = ctx.findings.take();
    REQUIRE(found.size() == 1);
    CHECK(found[0].code == code::check_failed);
    CHECK(found[0].id == g1);
}

TEST_CASE("validate: docs/errors.md has a section and an anchor for every code") {
    std::ifstream in(std::string(GRIDKIT_SOURCE_DIR) + "/docs/errors.md");
    REQUIRE(in.good());
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& e : grid::error_codes()) {
        const std::string heading = "### " + std::to_string(e.code) + " " + std::string(e.name);
        const std::string anchor = "<a id=\"" + std::to_string(e.code) + "\"></a>";
        CHECK_MESSAGE(doc.find(heading) != std::string::npos, heading);
        CHECK_MESSAGE(doc.find(anchor) != std::string::npos, anchor);
    }
}

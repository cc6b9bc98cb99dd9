// synth output: a workspace that SpatiaLite and gridkit read as any other (geometry types and
// SRIDs, spatial indexes consistent and complete, triggers in place, households per
// micro-grid, a clean validation), and a folder of GB18030 CSV and GeoJSON files whose columns
// are the workspace's. Neither replaces an existing output without `overwrite`.
#include "common.hpp"

#include "libgrid/address.hpp"
#include "libgrid/division.hpp"
#include "libgrid/error.hpp"
#include "libgrid/households.hpp"
#include "libgrid/workspace.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <set>

using namespace grid;
using synth_test::options;
using synth_test::TempDir;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string table_text(const Workspace& ws, const std::string& sql) {
    Statement st = ws.prepare(sql);
    std::string out;
    while (st.step()) {
        for (int c = 0; c < st.column_count(); ++c) {
            std::size_t n = 0;
            const unsigned char* p = st.column_blob(c, n);
            out.append(reinterpret_cast<const char*>(p), n);
            out += '|';
        }
        out += '\n';
    }
    return out;
}

std::set<std::string> trigger_names(const Workspace& ws) {
    std::set<std::string> names;
    Statement st = ws.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'");
    while (st.step()) {
        names.insert(st.column_text(0));
    }
    return names;
}

const char* const k_layers[] = {"division", "grid", "microgrid", "building", "address",
                                "house",    "person", "org",     "road",     "compound"};

} // namespace

TEST_CASE("synth workspace: rows, geometry types, SRIDs and households as gridkit reads them") {
    TempDir tmp;
    const std::string path = tmp.file("d.sqlite");
    const auto counts = synth::write_workspace(path, options(3000, 7), false);
    CHECK(counts.households == 3000);
    const auto ws = Workspace::open(path, Workspace::Mode::read_only);
    for (const char* layer : k_layers) {
        CAPTURE(layer);
        CHECK(ws.count(layer) == counts.layers.at(layer));
        CHECK(ws.count(layer) > 0);
    }
    CHECK(ws.count("audit") == 1);
    CHECK(ws.query_int("SELECT count(*) FROM address WHERE GeometryType(geom) != 'POINT' OR ST_SRID(geom) != 4490") == 0);
    CHECK(ws.query_int("SELECT count(*) FROM building WHERE GeometryType(geom) != 'MULTIPOLYGON' OR ST_SRID(geom) != 4490 "
                       "OR GeometryType(location) != 'POINT' OR NOT ST_IsValid(geom)") == 0);
    CHECK(ws.query_int("SELECT count(*) FROM road WHERE GeometryType(geom) != 'MULTILINESTRING'") == 0);
    for (const char* t : {"grid", "microgrid", "compound"}) {
        CHECK(ws.query_int(std::string("SELECT count(*) FROM ") + t +
                           " WHERE GeometryType(geom) != 'MULTIPOLYGON' OR ST_SRID(geom) != 4490 OR NOT ST_IsValid(geom)") == 0);
    }
    CHECK(ws.query_int("SELECT count(*) FROM division WHERE geom IS NOT NULL") == ws.count("division") - 2);
    // Households as `gridkit info` counts them (from the house rows).
    std::int64_t total = 0;
    for (const auto& b : households_by_building(ws)) {
        CHECK(b.from_houses);
        total += b.households;
    }
    CHECK(total == 3000);
    for (const auto& z : households_per_microgrid(ws)) {
        CHECK(z.households >= 50);
        CHECK(z.households <= 100);
    }
    // The same rows as the in-memory dataset: spot-check an address text and a resident.
    const auto& d = synth_test::district();
    CHECK(ws.query_int("SELECT count(*) FROM address WHERE text = '" + d.addresses.back().text + "'") == 1);
    CHECK(ws.query_int("SELECT count(*) FROM person WHERE id_number = '" + d.persons.front().id_number + "'") == 1);
}

TEST_CASE("synth workspace: spatial indexes are complete and consistent, triggers are all back") {
    TempDir tmp;
    const std::string path = tmp.file("d.sqlite");
    synth::write_workspace(path, options(2000, 3), false);
    const auto fresh = Workspace::create(tmp.file("fresh.sqlite"));
    const auto ws = Workspace::open(path, Workspace::Mode::read_write);
    CHECK(trigger_names(ws) == trigger_names(fresh));
    const char* const spatial[][2] = {{"division", "geom"}, {"grid", "geom"},       {"microgrid", "geom"},
                                      {"building", "geom"}, {"building", "location"}, {"address", "geom"},
                                      {"road", "geom"},     {"compound", "geom"}};
    for (const auto& sc : spatial) {
        const std::string idx = std::string("idx_") + sc[0] + "_" + sc[1];
        CAPTURE(idx);
        Statement check = ws.prepare("SELECT rtreecheck('" + idx + "')");
        REQUIRE(check.step());
        CHECK(check.column_text(0) == "ok");
        CHECK(ws.query_int("SELECT CheckSpatialIndex('" + std::string(sc[0]) + "', '" + sc[1] + "')") == 1);
        CHECK(ws.query_int("SELECT count(*) FROM " + idx) ==
              ws.query_int(std::string("SELECT count(*) FROM ") + sc[0] + " WHERE " + sc[1] + " IS NOT NULL"));
    }
    // A window query through the index finds exactly what a scan finds.
    Statement env = ws.prepare("SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) FROM microgrid WHERE id = 3");
    REQUIRE(env.step());
    const double x0 = env.column_double(0), y0 = env.column_double(1), x1 = env.column_double(2), y1 = env.column_double(3);
    const std::string box = std::to_string(x0) + ", " + std::to_string(y0) + ", " + std::to_string(x1) + ", " + std::to_string(y1);
    auto within_box = [&](const std::string& col) {
        return "ST_X(" + col + ") BETWEEN " + std::to_string(x0) + " AND " + std::to_string(x1) + " AND ST_Y(" + col +
               ") BETWEEN " + std::to_string(y0) + " AND " + std::to_string(y1);
    };
    const auto scan = ws.query_int("SELECT count(*) FROM address WHERE " + within_box("geom"));
    const auto indexed = ws.query_int(
        "SELECT count(*) FROM address WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'address' "
        "AND search_frame = BuildMbr(" + box + ")) AND " + within_box("geom"));
    CHECK(scan > 0);
    CHECK(indexed == scan);
    // The restored triggers still guard the columns: a wrong geometry type is refused.
    CHECK_THROWS(ws.exec("INSERT INTO address (code, text, geom) VALUES ('x', 'x', GeomFromText('LINESTRING(1 1, 2 2)', 4490))"));
    // ... and keep the index up to date.
    ws.exec("INSERT INTO address (code, text, geom) VALUES ('y', 'y', MakePoint(119.9, 32.4, 4490))");
    CHECK(ws.query_int("SELECT count(*) FROM idx_address_geom WHERE pkid = (SELECT id FROM address WHERE code = 'y')") == 1);
}

TEST_CASE("synth workspace: the same seed writes the same rows; an existing file needs overwrite") {
    TempDir tmp;
    const std::string a = tmp.file("a.sqlite");
    const std::string b = tmp.file("b.sqlite");
    synth::write_workspace(a, options(1500, 9), false);
    synth::write_workspace(b, options(1500, 9, 1), false);
    const auto wa = Workspace::open(a, Workspace::Mode::read_only);
    const auto wb = Workspace::open(b, Workspace::Mode::read_only);
    for (const char* layer : k_layers) {
        const std::string sql = std::string("SELECT * FROM ") + layer + " ORDER BY id";
        CHECK_MESSAGE(table_text(wa, sql) == table_text(wb, sql), layer);
    }
    CHECK_THROWS_AS(synth::write_workspace(a, options(1500, 9), false), io_error);
    const auto before = std::filesystem::file_size(a);
    synth::write_workspace(a, options(800, 1), true);
    CHECK(std::filesystem::file_size(a) != before);
    CHECK(Workspace::open(a, Workspace::Mode::read_only).count("grid") > 0);
    // Nothing is left behind beside the target.
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(tmp.path)) {
        files += e.path().string().find(".synth-") != std::string::npos ? 1 : 0;
    }
    CHECK(files == 0);
}

TEST_CASE("synth folder: GeoJSON and GB18030 CSV named like the workspace, with a README") {
    TempDir tmp;
    const std::string dir = tmp.file("district");
    const auto counts = synth::write_folder(dir, options(3000, 7), false);
    for (const auto& f : synth::folder_files()) {
        CHECK_MESSAGE(std::filesystem::is_regular_file(dir + "/" + f), f);
    }
    for (const char* layer : {"division", "grid", "microgrid", "road", "compound", "building"}) {
        CAPTURE(layer);
        const auto doc = nlohmann::json::parse(read_file(dir + "/" + layer + ".geojson"));
        CHECK(doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4490");
        CHECK(static_cast<std::int64_t>(doc["features"].size()) == counts.layers.at(layer));
        const auto& props = doc["features"][0]["properties"];
        for (const auto& f : grid::layer(layer).fields) {
            CHECK_MESSAGE(props.contains(f.name), f.name);
        }
        CHECK(props.size() == grid::layer(layer).fields.size());
    }
    for (const char* layer : {"address", "house", "person", "org"}) {
        CAPTURE(layer);
        const std::string raw = read_file(dir + "/" + layer + ".csv");
        CHECK(raw.compare(0, 3, "\xEF\xBB\xBF") != 0); // no BOM
        const std::string text = address::to_utf8(raw, "GB18030");
        CHECK_FALSE(address::is_valid_utf8(raw)); // really GB18030 (every file holds Chinese text), not UTF-8
        const auto header = text.substr(0, text.find("\r\n"));
        const auto fields = split_csv_line(header);
        std::vector<std::string> want;
        for (const auto& f : grid::layer(layer).fields) {
            want.push_back(f.name);
        }
        if (std::string(layer) == "address") {
            want.push_back("lng");
            want.push_back("lat");
        }
        CHECK(fields == want);
        std::int64_t rows = 0;
        for (std::size_t p = 0; (p = text.find("\r\n", p)) != std::string::npos; p += 2) {
            ++rows;
        }
        CHECK(rows - 1 == counts.layers.at(layer));
        const auto first = split_csv_line(text.substr(header.size() + 2, text.find("\r\n", header.size() + 2) - header.size() - 2));
        CHECK(first.size() == want.size());
    }
    const std::string readme = read_file(dir + "/README.txt");
    CHECK(readme.find("GB18030") != std::string::npos);
    CHECK(readme.find("EPSG:4490") != std::string::npos);
    // An existing folder is refused without overwrite, and its files replaced with it.
    const auto before = std::filesystem::file_size(dir + "/address.csv");
    CHECK_THROWS_AS(synth::write_folder(dir, options(3000, 7), false), io_error);
    CHECK(std::filesystem::file_size(dir + "/address.csv") == before);
    synth::write_folder(dir, options(600, 1), true);
    CHECK(std::filesystem::file_size(dir + "/address.csv") < before / 2);
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        CHECK_MESSAGE(e.path().extension() != ".tmp", e.path());
    }
}

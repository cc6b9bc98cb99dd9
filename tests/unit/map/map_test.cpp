// gridkit map: what a view shows (against the workspace's own counts), the error report reader,
// the HTML page (self-contained, its data matching the view) and the PNG/SVG pictures.
#include "libgrid/error.hpp"
#include "libgrid/households.hpp"
#include "libgrid/map.hpp"
#include "libgrid/synth.hpp"
#include "libgrid/workspace.hpp"

#include "detail/text_breaks.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using grid::map::Band;

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("gridkit-map-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

/// One synthetic workspace for the whole test binary (made on first use).
const std::string& synth_workspace() {
    static TempDir dir;
    static const std::string path = [] {
        const std::string p = (dir.path / "synth.sqlite").string();
        grid::synth::Options o;
        o.households = 900;
        o.seed = 11;
        o.threads = 1;
        grid::synth::write_workspace(p, o, false);
        return p;
    }();
    return path;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

/// Width and height from a PNG's IHDR chunk (0, 0 when the file is not a PNG).
std::pair<int, int> png_size(const fs::path& p) {
    const std::string d = read_file(p);
    if (d.size() < 24 || d.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || d.compare(12, 4, "IHDR") != 0) {
        return {0, 0};
    }
    auto be = [&](std::size_t at) {
        return (static_cast<unsigned char>(d[at]) << 24) | (static_cast<unsigned char>(d[at + 1]) << 16) |
               (static_cast<unsigned char>(d[at + 2]) << 8) | static_cast<unsigned char>(d[at + 3]);
    };
    return {static_cast<int>(be(16)), static_cast<int>(be(20))};
}

/// The JSON data block of a gridkit HTML map.
nlohmann::json page_data(const std::string& page) {
    const std::string open = "<script type=\"application/json\" id=\"gridkit-data\">";
    const auto a = page.find(open);
    REQUIRE(a != std::string::npos);
    const auto b = page.find("</script>", a);
    REQUIRE(b != std::string::npos);
    return nlohmann::json::parse(page.substr(a + open.size(), b - a - open.size()));
}

std::string first_grid_with_microgrids(const grid::Workspace& ws) {
    grid::Statement st = ws.prepare("SELECT grid_code FROM microgrid GROUP BY grid_code HAVING count(*) >= 2 ORDER BY grid_code LIMIT 1");
    REQUIRE(st.step());
    return st.column_text(0);
}

} // namespace

TEST_CASE("map: the whole workspace shows every micro-grid with the households gridkit info counts") {
    const auto ws = grid::Workspace::open(synth_workspace(), grid::Workspace::Mode::read_only);
    const grid::map::View v = grid::map::collect(ws, {});
    const auto expected = grid::households_per_microgrid(ws);
    REQUIRE(v.zones.size() == expected.size());
    std::map<std::string, std::int64_t> by_code;
    for (const auto& z : expected) {
        by_code[z.code] = z.households;
    }
    std::int64_t total = 0;
    for (const auto& z : v.zones) {
        CHECK(z.layer == "microgrid");
        REQUIRE(by_code.count(z.code) == 1);
        CHECK(z.households == by_code[z.code]);
        CHECK(z.geometry != nullptr);
        CHECK(z.label.has_value());
        total += z.households;
    }
    CHECK(total == 900);
    CHECK(v.zones_in(Band::under) + v.zones_in(Band::within) + v.zones_in(Band::over) == v.zones.size());
    CHECK(v.grids.size() == static_cast<std::size_t>(ws.count("grid")));
    CHECK(v.buildings.size() == static_cast<std::size_t>(ws.count("building")));
    CHECK(v.min_households == 50);
    CHECK(v.max_households == 100);
    // The extent frames every zone.
    for (const auto& z : v.zones) {
        const grid::geom::Envelope e = grid::geom::envelope(z.geometry.get());
        CHECK(e.minx >= v.extent.minx);
        CHECK(e.maxy <= v.extent.maxy);
    }
}

TEST_CASE("map: the bounds decide the bands") {
    const auto ws = grid::Workspace::open(synth_workspace(), grid::Workspace::Mode::read_only);
    grid::map::Options o;
    o.min_households = 0;
    o.max_households = 1'000'000;
    const grid::map::View all_within = grid::map::collect(ws, o);
    CHECK(all_within.zones_in(Band::within) == all_within.zones.size());
    o.min_households = 1'000'000;
    const grid::map::View all_under = grid::map::collect(ws, o);
    CHECK(all_under.zones_in(Band::under) == all_under.zones.size());
    o.min_households = 0;
    o.max_households = 1;
    const grid::map::View over = grid::map::collect(ws, o);
    std::size_t with_two = 0;
    for (const auto& z : over.zones) {
        with_two += z.households > 1 ? 1 : 0;
    }
    CHECK(over.zones_in(Band::over) == with_two);
}

TEST_CASE("map: --grid shows that grid, its micro-grids and buildings, neighbours as context") {
    const auto ws = grid::Workspace::open(synth_workspace(), grid::Workspace::Mode::read_only);
    const std::string code = first_grid_with_microgrids(ws);
    grid::map::Options o;
    o.grid = code;
    const grid::map::View v = grid::map::collect(ws, o);
    REQUIRE(!v.grids.empty());
    CHECK(v.grids.front().code == code);
    CHECK_FALSE(v.grids.front().context);
    for (std::size_t i = 1; i < v.grids.size(); ++i) {
        CHECK(v.grids[i].context);
        CHECK(v.grids[i].code != code);
    }
    grid::Statement st = ws.prepare("SELECT count(*) FROM microgrid WHERE grid_code = ?");
    st.bind(1, code);
    REQUIRE(st.step());
    CHECK(v.zones.size() == static_cast<std::size_t>(st.column_int(0)));
    for (const auto& z : v.zones) {
        CHECK(z.parent_code == code);
    }
    grid::Statement b = ws.prepare("SELECT count(*) FROM building WHERE grid_code = ?");
    b.bind(1, code);
    REQUIRE(b.step());
    CHECK(v.buildings.size() >= static_cast<std::size_t>(b.column_int(0)));
    CHECK(v.buildings.size() < static_cast<std::size_t>(ws.count("building")));
    CHECK(v.title.find(code) != std::string::npos);

    o.grid = "999999999999999";
    CHECK_THROWS_AS(grid::map::collect(ws, o), grid::usage_error);
}

TEST_CASE("map: --bbox shows what lies in the box and refuses an empty one") {
    const auto ws = grid::Workspace::open(synth_workspace(), grid::Workspace::Mode::read_only);
    const grid::map::View all = grid::map::collect(ws, {});
    const grid::geom::Envelope e = all.extent;
    grid::map::Options o;
    o.bbox = grid::geom::Envelope{e.minx, e.miny, (e.minx + e.maxx) / 2, (e.miny + e.maxy) / 2};
    const grid::map::View quarter = grid::map::collect(ws, o);
    CHECK(!quarter.zones.empty());
    CHECK(quarter.zones.size() < all.zones.size());
    for (const auto& z : quarter.zones) {
        CHECK(grid::geom::envelope(z.geometry.get()).intersects(*o.bbox));
    }
    o.bbox = grid::geom::Envelope{0, 0, 1, 1};
    CHECK_THROWS_AS(grid::map::collect(ws, o), grid::usage_error);
}

TEST_CASE("map: options are checked before anything is read") {
    CHECK(grid::map::parse_bbox("119.9,32.4, 120.0,32.5").maxx == doctest::Approx(120.0));
    CHECK_THROWS_AS(grid::map::parse_bbox("119.9,32.4,120.0"), grid::usage_error);
    CHECK_THROWS_AS(grid::map::parse_bbox("119.9,32.4,120.0,north"), grid::usage_error);
    grid::map::Options o;
    o.min_households = 100;
    o.max_households = 50;
    CHECK_THROWS_AS(o.check(), grid::usage_error);
    o = {};
    o.grid = "321202001001001";
    o.bbox = grid::geom::Envelope{0, 0, 1, 1};
    CHECK_THROWS_AS(o.check(), grid::usage_error);
    o = {};
    o.bbox = grid::geom::Envelope{2, 0, 1, 1};
    CHECK_THROWS_AS(o.check(), grid::usage_error);
    CHECK(grid::map::format_of("a/b/Map.PNG") == grid::map::Format::png);
    CHECK(grid::map::format_of("m.htm") == grid::map::Format::html);
    CHECK(grid::map::format_of("m.svg") == grid::map::Format::svg);
    CHECK_THROWS_AS(grid::map::format_of("m.pdf"), grid::usage_error);
    grid::map::RenderOptions r;
    r.width = 50;
    CHECK_THROWS_AS(r.check(), grid::usage_error);
}

TEST_CASE("map: validation findings become markers where they are, or on their feature") {
    TempDir dir;
    const auto ws = grid::Workspace::open(synth_workspace(), grid::Workspace::Mode::read_only);
    const std::string code = first_grid_with_microgrids(ws);
    grid::map::Options o;
    o.grid = code;
    const grid::map::View plain = grid::map::collect(ws, o);
    const grid::map::Zone& z = plain.zones.front();
    const grid::geom::Point in = grid::geom::point_on_surface(z.geometry.get());
    nlohmann::json report{
        {"type", "gridkit_validation_report"},
        {"crs", "EPSG:4490"},
        {"errors",
         {{{"code", 402}, {"name", "TOO_MANY_HOUSEHOLDS"}, {"severity", "error"}, {"layer", "microgrid"}, {"id", z.code},
           {"message", "too many"}, {"location", {{"type", "Point"}, {"coordinates", {in.x, in.y}}}}},
          {{"code", 403}, {"name", "IN_NO_GRID"}, {"layer", "building"}, {"id", "x"}, {"message", "far away"},
           {"location", {in.x + 5.0, in.y}}},
          {{"code", 303}, {"name", "DUPLICATE_CODE"}, {"layer", "microgrid"}, {"id", z.code}, {"message", "no location"},
           {"location", nullptr}},
          {{"code", 301}, {"name", "CODE_FORMAT"}, {"layer", "grid"}, {"id", "nowhere"}, {"message", "unplaceable"},
           {"location", nullptr}}}}};
    const fs::path path = dir.path / "report.json";
    write_file(path, report.dump());

    const auto markers = grid::map::read_error_report(path.string(), 4490);
    REQUIRE(markers.size() == 4);
    CHECK(markers[0].location.x == doctest::Approx(in.x));
    CHECK(markers[1].location.x == doctest::Approx(in.x + 5.0));
    CHECK(markers[1].severity == "error");
    CHECK(std::isnan(markers[2].location.x));

    o.errors = path.string();
    const grid::map::View v = grid::map::collect(ws, o);
    REQUIRE(v.errors.size() == 2);
    CHECK(v.errors_elsewhere == 2);
    CHECK(v.errors[0].code == 402);
    CHECK(v.errors[1].code == 303);
    // A finding about the whole micro-grid is marked inside it, clear of its label.
    const grid::geom::Point m = v.errors[1].location;
    const grid::geom::Geometry marker = grid::geom::make_point(m.x, m.y);
    CHECK(grid::geom::distance(z.geometry.get(), marker.get()) == 0);
    CHECK(std::hypot(m.x - z.label->x, m.y - z.label->y) > 0.15 * std::sqrt(grid::geom::area(z.geometry.get())));

    write_file(dir.path / "other.json", R"({"type": "something_else", "errors": []})");
    CHECK_THROWS_AS(grid::map::read_error_report((dir.path / "other.json").string(), 4490), grid::parse_error);
    write_file(dir.path / "broken.json", "{not json");
    CHECK_THROWS_AS(grid::map::read_error_report((dir.path / "broken.json").string(), 4490), grid::parse_error);
    CHECK_THROWS_AS(grid::map::read_error_report((dir.path / "missing.json").string(), 4490), grid::io_error);
}

TEST_CASE("map: the HTML page is self-contained and carries the view's features") {
    const auto ws = grid::Workspace::open(synth_workspace(), grid::Workspace::Mode::read_only);
    const grid::map::View v = grid::map::collect(ws, {});
    if (grid::map::leaflet_version().empty()) {
        CHECK_THROWS_AS(grid::map::html(v), grid::error);
        return;
    }
    const std::string page = grid::map::html(v);
    // Nothing is loaded from anywhere: no src/href attributes, no url() but data: ones in use.
    CHECK(page.find(" src=") == std::string::npos);
    CHECK(page.find("<link") == std::string::npos);
    CHECK(page.find("Content-Security-Policy") != std::string::npos);
    CHECK(page.find("default-src 'none'") != std::string::npos);
    CHECK(page.find("Leaflet " + std::string(grid::map::leaflet_version())) != std::string::npos);
    CHECK(page.find("BSD") != std::string::npos);
    const nlohmann::json d = page_data(page);
    REQUIRE(d["zones"]["features"].size() == v.zones.size());
    CHECK(d["grids"]["features"].size() == v.grids.size());
    CHECK(d["buildings"]["features"].size() == v.buildings.size());
    std::map<std::string, std::string> bands;
    for (const auto& f : d["zones"]["features"]) {
        bands[f["properties"]["code"].get<std::string>()] = f["properties"]["band"].get<std::string>();
        const auto& c = f["geometry"]["coordinates"];
        CHECK(!c.empty());
    }
    for (const auto& z : v.zones) {
        CHECK(bands[z.code] == std::string(grid::map::band_name(v.band(z.households))));
    }
    // Longitude/latitude in the page, south-west before north-east.
    CHECK(d["extent"][0][0].get<double>() < d["extent"][1][0].get<double>());
    CHECK(d["extent"][0][1].get<double>() == doctest::Approx(v.extent.minx).epsilon(1e-6));
}

TEST_CASE("map: PNG and SVG pictures at the requested size, never overwriting by accident") {
    TempDir dir;
    const auto ws = grid::Workspace::open(synth_workspace(), grid::Workspace::Mode::read_only);
    grid::map::Options o;
    o.grid = first_grid_with_microgrids(ws);
    const grid::map::View v = grid::map::collect(ws, o);
    grid::map::RenderOptions r;
    r.width = 640;
    r.height = 480;
    const fs::path png = dir.path / "map.png";
    const grid::map::MapResult res = grid::map::write_map(v, png.string(), r, false);
    CHECK(png_size(png) == std::pair<int, int>{640, 480});
    CHECK(res.zones == v.zones.size());
    CHECK(res.labels > 0);
    CHECK(res.labels <= v.zones.size());
    CHECK(res.scale_bar_m > 0);
    CHECK(res.projection.find("EPSG:4528") == 0); // Taizhou, 119.9E: Gauss-Kruger zone 40

    const std::string before = read_file(png);
    CHECK_THROWS_AS(grid::map::write_map(v, png.string(), {}, false), grid::io_error);
    CHECK(read_file(png) == before);
    grid::map::write_map(v, png.string(), {}, true);
    CHECK(png_size(png) == std::pair<int, int>{1600, 1200});

    const fs::path svg = dir.path / "map.svg";
    grid::map::write_map(v, svg.string(), r, false);
    const std::string text = read_file(svg);
    CHECK(text.find("<svg") != std::string::npos);
    CHECK(text.find("width=\"640px\"") != std::string::npos);
    // No temporary files left beside the outputs.
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) {
        (void)e;
        ++files;
    }
    CHECK(files == 2);
}

TEST_CASE("map: a plan's zones side by side with the current micro-grids") {
    TempDir dir;
    const fs::path copy = dir.path / "plan.sqlite";
    fs::copy_file(synth_workspace(), copy);
    const auto ws = grid::Workspace::open(copy.string());
    const std::string code = first_grid_with_microgrids(ws);
    // A plan that merges the grid's micro-grids into one zone, with its own bounds.
    ws.exec("INSERT INTO plan (id, created_at, command, grid_code, parameters, result) VALUES (7, '2026-01-01T00:00:00Z', "
            "'test', '" + code + "', '{\"min_households\": 10, \"max_households\": 1000}', '{}')");
    ws.exec("INSERT INTO plan_zone (plan_id, code, grid_code, households, members, geom) SELECT 7, '" + code +
            "901', '" + code + "', 300, '[\"a\",\"b\"]', CastToMultiPolygon(ST_Union(geom)) FROM microgrid WHERE grid_code = '" +
            code + "'");
    grid::map::Options o;
    o.grid = code;
    const grid::map::View before = grid::map::collect(ws, o);
    o.plan = 7;
    const grid::map::View after = grid::map::collect(ws, o);
    CHECK(after.zone_layer == "plan_zone");
    REQUIRE(after.zones.size() == 1);
    CHECK(after.zones[0].households == 300);
    CHECK(after.zones[0].buildings == 2);
    CHECK(after.min_households == 10);
    CHECK(after.max_households == 1000);
    CHECK(after.zones_in(Band::within) == 1);

    const fs::path out = dir.path / "preview.png";
    const auto res = grid::map::render_side_by_side(before, after, out.string(), {}, false);
    CHECK(png_size(out) == std::pair<int, int>{1600, 1200});
    CHECK(res.zones == 1);

    o.plan = 99;
    CHECK_THROWS_AS(grid::map::collect(ws, o), grid::usage_error);
    o.plan = 7;
    o.grid = "321202999999001";
    CHECK_THROWS_AS(grid::map::collect(ws, o), grid::usage_error);
}

TEST_CASE("map titles: an item of the subtitle is kept on one line (word joiners, no-break spaces)") {
    CHECK(grid::detail::unbreakable("12 楼栋") == "1\u20602\u2060\u00A0\u2060楼\u2060栋");
    CHECK(grid::detail::unbreakable("") == "");
    CHECK(grid::detail::unbreakable("户") == "户");
    CHECK(grid::detail::unbreakable("𡌶区") == "𡌶\u2060区"); // a 4-byte character stays whole
}

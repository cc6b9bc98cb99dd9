// CrsSpec parsing and the PROJ-backed Transformer: EPSG:4490 <-> EPSG:4528 <-> EPSG:3857, the
// offset systems through WGS84, failures as crs_error (never inf), and cs2cs-style lines.
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace grid::crs;

namespace {

const double k_pi = 3.14159265358979323846;

// Web Mercator on the WGS84 sphere radius, written out independently of PROJ.
void web_mercator(double lng, double lat, double& x, double& y) {
    const double r = 6378137.0;
    x = r * lng * k_pi / 180;
    y = r * std::log(std::tan(k_pi / 4 + lat * k_pi / 360));
}

} // namespace

TEST_CASE("CrsSpec::parse accepts the documented forms") {
    CHECK(CrsSpec::parse("EPSG:4490").epsg == 4490);
    CHECK(CrsSpec::parse("epsg:4490").epsg == 4490);
    CHECK(CrsSpec::parse("4490").epsg == 4490);
    CHECK(CrsSpec::parse("4490").kind == CrsSpec::Kind::epsg);
    CHECK(CrsSpec::parse("wgs84").epsg == 4326);
    CHECK(CrsSpec::parse("WGS84").epsg == 4326);
    CHECK(CrsSpec::parse("cgcs2000").epsg == 4490);
    CHECK(CrsSpec::parse("gcj02").kind == CrsSpec::Kind::gcj02);
    CHECK(CrsSpec::parse("GCJ-02").kind == CrsSpec::Kind::gcj02);
    CHECK(CrsSpec::parse("bd09").kind == CrsSpec::Kind::bd09);
    CHECK(CrsSpec::parse("BD-09").kind == CrsSpec::Kind::bd09);
    CHECK(CrsSpec::parse("EPSG:3857").to_string() == "EPSG:3857");
    CHECK(CrsSpec::parse("gcj02").to_string() == "gcj02");
    CHECK(CrsSpec::parse("bd-09").to_string() == "bd09");
    CHECK(CrsSpec::parse("gcj02") != CrsSpec::parse("bd09"));
    CHECK(CrsSpec::parse("4326") == CrsSpec::parse("wgs84"));
}

TEST_CASE("CrsSpec::parse rejects anything else with a usage error and a hint") {
    for (const char* bad : {"", "foo", "EPSG:", "EPSG:abc", "epsg:-1", "0", "gcj", "bd09mc", "4490x"}) {
        try {
            CrsSpec::parse(bad);
            FAIL("accepted '" << bad << "'");
        } catch (const grid::usage_error& e) {
            CHECK(std::string(e.what()).find("CRS") != std::string::npos);
            CHECK_FALSE(e.hint().empty());
        }
    }
}

TEST_CASE("is_geographic") {
    CHECK(CrsSpec::parse("EPSG:4490").is_geographic());
    CHECK(CrsSpec::parse("wgs84").is_geographic());
    CHECK(CrsSpec::parse("gcj02").is_geographic());
    CHECK(CrsSpec::parse("bd09").is_geographic());
    CHECK(CrsSpec::parse("EPSG:4214").is_geographic()); // Beijing 1954, asked of PROJ
    CHECK_FALSE(CrsSpec::parse("EPSG:3857").is_geographic());
    CHECK_FALSE(CrsSpec::parse("EPSG:4528").is_geographic());
    CHECK_FALSE(CrsSpec::parse("EPSG:2436").is_geographic()); // Beijing 1954 GK CM 117E, asked of PROJ
    CHECK(default_precision(CrsSpec::parse("EPSG:4490")) == 9);
    CHECK(default_precision(CrsSpec::parse("EPSG:3857")) == 3);
}

TEST_CASE("EPSG:4490 -> EPSG:4528 in lng/lat order, and back") {
    const Transformer to_gk(CrsSpec::parse("EPSG:4490"), CrsSpec::parse("EPSG:4528"));
    double x = 120.0;
    double y = 30.0;
    to_gk.transform(x, y);
    // On the central meridian: easting is the false easting with the zone prefix, northing the
    // GRS80 meridian arc to 30 N.
    CHECK(std::abs(x - 40500000.0) < 1e-3);
    CHECK(std::abs(y - 3320113.398) < 1e-3);

    const Transformer back(CrsSpec::parse("EPSG:4528"), CrsSpec::parse("EPSG:4490"));
    double px = 121.0;
    double py = 31.5;
    to_gk.transform(px, py);
    CHECK(px > 40500000.0); // east of the central meridian
    back.transform(px, py);
    CHECK(std::abs(px - 121.0) < 1e-9);
    CHECK(std::abs(py - 31.5) < 1e-9);
}

TEST_CASE("EPSG:4490 / EPSG:4528 -> EPSG:3857") {
    const Transformer to_merc(CrsSpec::parse("EPSG:4490"), CrsSpec::parse("EPSG:3857"));
    double x = 116.404;
    double y = 39.915;
    to_merc.transform(x, y);
    double ex = 0;
    double ey = 0;
    web_mercator(116.404, 39.915, ex, ey);
    CHECK(std::abs(x - ex) < 1e-3);
    CHECK(std::abs(y - ey) < 1e-3);

    // Through the Gauss-Kruger zone and on to web Mercator: the same place.
    const Transformer to_gk(CrsSpec::parse("EPSG:4490"), CrsSpec::parse("EPSG:4528"));
    const Transformer gk_to_merc(CrsSpec::parse("EPSG:4528"), CrsSpec::parse("EPSG:3857"));
    double gx = 120.5;
    double gy = 31.2;
    to_gk.transform(gx, gy);
    gk_to_merc.transform(gx, gy);
    web_mercator(120.5, 31.2, ex, ey);
    CHECK(std::abs(gx - ex) < 1e-3);
    CHECK(std::abs(gy - ey) < 1e-3);

    const Transformer merc_to_geo(CrsSpec::parse("EPSG:3857"), CrsSpec::parse("EPSG:4490"));
    merc_to_geo.transform(gx, gy);
    CHECK(std::abs(gx - 120.5) < 1e-9);
    CHECK(std::abs(gy - 31.2) < 1e-9);
}

TEST_CASE("vector transform equals point transforms") {
    const Transformer t(CrsSpec::parse("EPSG:4490"), CrsSpec::parse("EPSG:4528"));
    std::vector<double> xs{119.0, 120.0, 121.0};
    std::vector<double> ys{30.0, 31.0, 32.0};
    t.transform(xs, ys);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        double x = 119.0 + static_cast<double>(i);
        double y = 30.0 + static_cast<double>(i);
        t.transform(x, y);
        CHECK(x == xs[i]);
        CHECK(y == ys[i]);
    }
    std::vector<double> short_ys{1.0};
    CHECK_THROWS_AS(t.transform(xs, short_ys), grid::usage_error);
}

TEST_CASE("gcj02 and bd09 go through WGS84") {
    const Transformer gcj_to_wgs(CrsSpec::parse("gcj02"), CrsSpec::parse("wgs84"));
    double x = 116.41024449916938;
    double y = 39.91640428150164;
    gcj_to_wgs.transform(x, y);
    CHECK(std::abs(x - 116.404) < 1e-9);
    CHECK(std::abs(y - 39.915) < 1e-9);

    const Transformer wgs_to_bd(CrsSpec::parse("wgs84"), CrsSpec::parse("bd09"));
    double bx = 116.404;
    double by = 39.915;
    wgs_to_bd.transform(bx, by);
    double gx = 0;
    double gy = 0;
    wgs84_to_gcj02(116.404, 39.915, gx, gy);
    double ex = 0;
    double ey = 0;
    gcj02_to_bd09(gx, gy, ex, ey);
    CHECK(std::abs(bx - ex) < 1e-12);
    CHECK(std::abs(by - ey) < 1e-12);

    const Transformer gcj_to_bd(CrsSpec::parse("gcj02"), CrsSpec::parse("bd09"));
    double cx = 116.404;
    double cy = 39.915;
    gcj_to_bd.transform(cx, cy);
    CHECK(std::abs(cx - 116.41036949371029) < 1e-9);
    CHECK(std::abs(cy - 39.92133699351021) < 1e-9);

    // bd09 -> EPSG:3857 = bd09 -> gcj02 -> wgs84 -> web Mercator.
    const Transformer bd_to_merc(CrsSpec::parse("bd09"), CrsSpec::parse("EPSG:3857"));
    bd_to_merc.transform(bx, by);
    web_mercator(116.404, 39.915, ex, ey);
    CHECK(std::abs(bx - ex) < 1e-3);
    CHECK(std::abs(by - ey) < 1e-3);
}

TEST_CASE("identity") {
    const Transformer t(CrsSpec::parse("bd09"), CrsSpec::parse("BD-09"));
    CHECK(t.is_identity());
    double x = 116.404;
    double y = 39.915;
    t.transform(x, y);
    CHECK(x == 116.404);
    CHECK(y == 39.915);
    CHECK_FALSE(Transformer(CrsSpec::parse("wgs84"), CrsSpec::parse("gcj02")).is_identity());
    CHECK(t.source() == CrsSpec::parse("bd09"));
}

TEST_CASE("an EPSG code PROJ does not know is an error naming it") {
    try {
        Transformer t(CrsSpec::parse("EPSG:99999"), CrsSpec::parse("EPSG:4490"));
        FAIL("EPSG:99999 accepted");
    } catch (const grid::error& e) {
        CHECK(std::string(e.what()).find("EPSG:99999") != std::string::npos);
    }
    // An EPSG code that is not a CRS (the GRS 1980 ellipsoid).
    CHECK_THROWS_AS(Transformer(CrsSpec::parse("EPSG:4490"), CrsSpec::parse("EPSG:7019")), grid::error);
}

TEST_CASE("failures throw crs_error, never return inf or NaN silently") {
    const Transformer t(CrsSpec::parse("EPSG:4326"), CrsSpec::parse("EPSG:3857"));
    double x = std::numeric_limits<double>::quiet_NaN();
    double y = 30.0;
    CHECK_THROWS_AS(t.transform(x, y), grid::crs_error);
    x = 116.0;
    y = 100.0; // latitude out of range
    CHECK_THROWS_AS(t.transform(x, y), grid::crs_error);
    x = std::numeric_limits<double>::infinity();
    y = 30.0;
    CHECK_THROWS_AS(t.transform(x, y), grid::crs_error);
    std::vector<double> xs{116.0, 116.0};
    std::vector<double> ys{39.0, 95.0};
    CHECK_THROWS_AS(t.transform(xs, ys), grid::crs_error);

    // Projected input out of the projection's domain.
    const Transformer gk(CrsSpec::parse("EPSG:4528"), CrsSpec::parse("EPSG:4490"));
    double ex = 1e9;
    double ey = 1e9;
    std::string reason;
    CHECK_FALSE(gk.try_transform(ex, ey, reason));
    CHECK(reason.find("EPSG:4528") != std::string::npos);
    CHECK_THROWS_AS(gk.transform(ex, ey), grid::crs_error);

    // Offsets: degrees in range only (a swapped pair is caught).
    const Transformer gcj(CrsSpec::parse("gcj02"), CrsSpec::parse("wgs84"));
    double sx = 39.915;
    double sy = 116.404;
    CHECK_FALSE(gcj.try_transform(sx, sy, reason));
    CHECK(reason.find("swapped") != std::string::npos);
}

TEST_CASE("transformers can be moved") {
    Transformer a(CrsSpec::parse("EPSG:4490"), CrsSpec::parse("EPSG:3857"));
    Transformer b = std::move(a);
    double x = 116.404;
    double y = 39.915;
    b.transform(x, y);
    CHECK(x > 1e7);
}

TEST_CASE("parse_number and format_number") {
    CHECK(parse_number("116.404").value() == 116.404);
    CHECK(parse_number("+3.5").value() == 3.5);
    CHECK(parse_number("-1e3").value() == -1000.0);
    CHECK_FALSE(parse_number("").has_value());
    CHECK_FALSE(parse_number("abc").has_value());
    CHECK_FALSE(parse_number("1.5x").has_value());
    CHECK_FALSE(parse_number("nan").has_value());
    CHECK_FALSE(parse_number("inf").has_value());
    CHECK(format_number(116.4, 3) == "116.400");
    CHECK(format_number(-0.5, 0) == "-0");
    CHECK(format_number(12958405.1234567, 3) == "12958405.123");
}

TEST_CASE("convert_lines reads x y lines like cs2cs") {
    const Transformer t(CrsSpec::parse("wgs84"), CrsSpec::parse("gcj02"));
    std::istringstream in("116.404 39.915 Tiananmen\n"
                          "# a comment\n"
                          "\n"
                          "abc 39.9\n"
                          "116.404,39.915,x,y\r\n"
                          "116.404\n"
                          "116.404\t39.915\n"
                          "200 39.9 far\n");
    std::ostringstream out;
    std::vector<std::uint64_t> bad;
    const LineStats stats = convert_lines(in, out, t, 9, [&](std::uint64_t line, const std::string&) {
        bad.push_back(line);
    });
    CHECK(stats.lines == 8);
    CHECK(stats.converted == 3);
    CHECK(stats.failed == 3);
    CHECK(bad == std::vector<std::uint64_t>{4, 6, 8});
    const std::string want = "116.410244499 39.916404282 Tiananmen\n"
                             "# a comment\n"
                             "\n"
                             "* *\n"
                             "116.410244499,39.916404282,x,y\n"
                             "* *\n"
                             "116.410244499\t39.916404282\n"
                             "* * far\n";
    CHECK(out.str() == want);
}

// GCJ-02 and BD-09: the exact vectors of design/CODES.md, round trips over China, the iterative
// BD-09 inverse against the closed form, and the Gauss-Kruger zone choice.
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace grid::crs;

namespace {

constexpr double k_deg = 1e-9;

// Distance in metres between two nearby lng/lat points (local equirectangular, GRS80 radii).
double metres(double lng1, double lat1, double lng2, double lat2) {
    const double pi = 3.14159265358979323846;
    const double lat = (lat1 + lat2) / 2 * pi / 180;
    const double dx = (lng1 - lng2) * pi / 180 * 6378137.0 * std::cos(lat);
    const double dy = (lat1 - lat2) * pi / 180 * 6356752.0;
    return std::hypot(dx, dy);
}

} // namespace

TEST_CASE("GCJ-02 and BD-09 vectors of CODES.md (116.404, 39.915)") {
    double lng = 0;
    double lat = 0;
    wgs84_to_gcj02(116.404, 39.915, lng, lat);
    CHECK(std::abs(lng - 116.41024449916938) < k_deg);
    CHECK(std::abs(lat - 39.91640428150164) < k_deg);

    gcj02_to_bd09(116.404, 39.915, lng, lat);
    CHECK(std::abs(lng - 116.41036949371029) < k_deg);
    CHECK(std::abs(lat - 39.92133699351021) < k_deg);

    bd09_to_gcj02_closed_form(116.404, 39.915, lng, lat);
    CHECK(std::abs(lng - 116.39762729119315) < k_deg);
    CHECK(std::abs(lat - 39.90865673957631) < k_deg);
}

TEST_CASE("GCJ-02 vectors of CODES.md given as (lat, lng)") {
    struct Case {
        double lat, lng, gcj_lat, gcj_lng;
    };
    const Case cases[] = {
        {31.1774276, 121.5272106, 31.17530398364597, 121.531541859215},
        {22.543847, 113.912316, 22.540796131694766, 113.9171764808363},
        {39.911954, 116.377817, 39.91334545536069, 116.38404722455657},
    };
    for (const Case& c : cases) {
        double lng = 0;
        double lat = 0;
        wgs84_to_gcj02(c.lng, c.lat, lng, lat);
        CHECK(std::abs(lng - c.gcj_lng) < k_deg);
        CHECK(std::abs(lat - c.gcj_lat) < k_deg);
    }
}

TEST_CASE("points outside China are left unchanged by GCJ-02") {
    const double pts[][2] = {{2.35, 48.85}, {-74.0, 40.7}, {139.69, 35.68}, {100.5, -0.5}};
    for (const auto& p : pts) {
        CHECK(outside_china(p[0], p[1]));
        double lng = 0;
        double lat = 0;
        wgs84_to_gcj02(p[0], p[1], lng, lat);
        CHECK(lng == p[0]);
        CHECK(lat == p[1]);
        gcj02_to_wgs84(p[0], p[1], lng, lat);
        CHECK(lng == p[0]);
        CHECK(lat == p[1]);
    }
    CHECK_FALSE(outside_china(116.404, 39.915));
}

TEST_CASE("round trip wgs84 -> gcj02 -> wgs84 within 1e-6 m over a lattice of China") {
    double worst = 0;
    int points = 0;
    for (double lat = 18.0; lat <= 53.5; lat += 0.25) {
        for (double lng = 73.5; lng <= 135.0; lng += 0.25) {
            double g_lng = 0;
            double g_lat = 0;
            wgs84_to_gcj02(lng, lat, g_lng, g_lat);
            double w_lng = 0;
            double w_lat = 0;
            gcj02_to_wgs84(g_lng, g_lat, w_lng, w_lat);
            worst = std::max(worst, metres(lng, lat, w_lng, w_lat));
            ++points;
        }
    }
    INFO("worst round-trip error " << worst << " m over " << points << " points");
    CHECK(points > 30000);
    CHECK(worst < 1e-6);
}

TEST_CASE("BD-09 iterative inverse beats the closed form and is exact to 1e-9 degrees") {
    // Steps not commensurate with the 0.12-degree period of the BD-09 sine terms.
    double worst_iterative = 0;
    double worst_closed_m = 0;
    for (double lat = 18.0; lat <= 53.5; lat += 0.1731) {
        for (double lng = 73.5; lng <= 135.0; lng += 0.0917) {
            double bd_lng = 0;
            double bd_lat = 0;
            gcj02_to_bd09(lng, lat, bd_lng, bd_lat);
            double it_lng = 0;
            double it_lat = 0;
            bd09_to_gcj02(bd_lng, bd_lat, it_lng, it_lat);
            double cf_lng = 0;
            double cf_lat = 0;
            bd09_to_gcj02_closed_form(bd_lng, bd_lat, cf_lng, cf_lat);
            const double it_err = std::max(std::abs(it_lng - lng), std::abs(it_lat - lat));
            const double cf_err = std::max(std::abs(cf_lng - lng), std::abs(cf_lat - lat));
            if (it_err > cf_err) {
                FAIL_CHECK("iterative worse than closed form at " << lng << ", " << lat);
            }
            worst_iterative = std::max(worst_iterative, it_err);
            worst_closed_m = std::max(worst_closed_m, metres(cf_lng, cf_lat, lng, lat));
        }
    }
    INFO("iterative worst " << worst_iterative << " deg, closed form worst " << worst_closed_m << " m");
    CHECK(worst_iterative < 1e-9);
    // The one-step inverse many libraries ship is decimetres off (0.23 m measured over China).
    CHECK(worst_closed_m > 0.1);
}

TEST_CASE("GCJ-02: the one-step inverse is metres off, the iterative one is not") {
    double worst_one_step = 0;
    double worst_iterative = 0;
    for (double lat = 18.0; lat <= 53.5; lat += 0.0731) {
        for (double lng = 73.5; lng <= 135.0; lng += 0.0917 * 4) {
            double g_lng = 0;
            double g_lat = 0;
            wgs84_to_gcj02(lng, lat, g_lng, g_lat);
            double f_lng = 0;
            double f_lat = 0;
            wgs84_to_gcj02(g_lng, g_lat, f_lng, f_lat);
            worst_one_step = std::max(worst_one_step, metres(g_lng - (f_lng - g_lng), g_lat - (f_lat - g_lat), lng, lat));
            double w_lng = 0;
            double w_lat = 0;
            gcj02_to_wgs84(g_lng, g_lat, w_lng, w_lat);
            worst_iterative = std::max(worst_iterative, metres(w_lng, w_lat, lng, lat));
        }
    }
    INFO("one step " << worst_one_step << " m, iterative " << worst_iterative << " m");
    CHECK(worst_one_step > 1.0);
    CHECK(worst_iterative < 1e-6);
}

TEST_CASE("CGCS2000 3-degree Gauss-Kruger zone: EPSG code nearest the longitude") {
    CHECK(gauss_kruger_epsg(120.0) == 4528); // zone 40, 120 E
    CHECK(gauss_kruger_epsg(116.404) == 4527); // Beijing: zone 39, 117 E
    CHECK(gauss_kruger_epsg(118.4) == 4527);
    CHECK(gauss_kruger_epsg(118.6) == 4528);
    CHECK(gauss_kruger_epsg(75.0) == 4513);  // zone 25
    CHECK(gauss_kruger_epsg(73.6) == 4513);
    CHECK(gauss_kruger_epsg(135.0) == 4533); // zone 45
    CHECK_THROWS_AS(gauss_kruger_epsg(10.0), grid::crs_error);
    CHECK_THROWS_AS(gauss_kruger_epsg(std::nan("")), grid::crs_error);
}

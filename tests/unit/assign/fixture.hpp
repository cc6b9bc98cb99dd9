// Workspaces for the assign tests: a temporary folder, and a small hand-made district
//
//   grid G1 = [x0, x0 + 2u] x [y0, y0 + 2u]   micro-grids M11 (west half), M12 (east half)
//   grid G2 = [x0 + 2u, x0 + 4u] x same y     micro-grids M21, M22          (u = 0.002 degree)
//
// with buildings, addresses and houses placed inside, across and outside these zones.
#pragma once

#include "../doorplate/temp_dir.hpp"

#include "libgrid/crs.hpp"
#include "libgrid/workspace.hpp"

#include <cstdio>
#include <string>

namespace assign_test {

/// A temporary folder (removed at the end) with a helper for file names in it.
struct TempDir : doorplate_test::TempDir {
    std::string file(const std::string& name) const { return (path / name).string(); }
};

constexpr double x0 = 119.920;
constexpr double y0 = 32.460;
constexpr double u = 0.002;
constexpr const char* G1 = "321202007001001";
constexpr const char* G2 = "321202007001002";
constexpr const char* M11 = "321202007001001001";
constexpr const char* M12 = "321202007001001002";
constexpr const char* M21 = "321202007001002001";
constexpr const char* M22 = "321202007001002002";

inline std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9f", v);
    return buf;
}

inline std::string box(double ax, double ay, double bx, double by) {
    const std::string ring = "(" + num(ax) + " " + num(ay) + "," + num(bx) + " " + num(ay) + "," + num(bx) + " " +
                             num(by) + "," + num(ax) + " " + num(by) + "," + num(ax) + " " + num(ay) + ")";
    return "GeomFromText('MULTIPOLYGON((" + ring + "))', 4490)";
}

inline std::string point(double x, double y) { return "MakePoint(" + num(x) + ", " + num(y) + ", 4490)"; }

/// The longitude `metres` east of (x, y), measured in the Gauss-Kruger zone of x.
inline double east_of(double x, double y, double metres) {
    const grid::crs::CrsSpec geo{grid::crs::CrsSpec::Kind::epsg, 4490};
    const grid::crs::CrsSpec gk{grid::crs::CrsSpec::Kind::epsg, grid::crs::gauss_kruger_epsg(x)};
    grid::crs::Transformer to(geo, gk), back(gk, geo);
    double ex = x, ey = y;
    to.transform(ex, ey);
    ex += metres;
    back.transform(ex, ey);
    return ex;
}

/// Zones only.
inline void add_zones(const grid::Workspace& ws) {
    ws.exec(std::string("INSERT INTO grid (code, name, geom) VALUES ('") + G1 + "', 'G1', " + box(x0, y0, x0 + 2 * u, y0 + 2 * u) +
            "), ('" + G2 + "', 'G2', " + box(x0 + 2 * u, y0, x0 + 4 * u, y0 + 2 * u) + ")");
    const char* micro[] = {M11, M12, M21, M22};
    for (int k = 0; k < 4; ++k) {
        ws.exec(std::string("INSERT INTO microgrid (code, grid_code, geom) VALUES ('") + micro[k] + "', '" +
                (k < 2 ? G1 : G2) + "', " + box(x0 + k * u, y0, x0 + (k + 1) * u, y0 + 2 * u) + ")");
    }
}

inline void add_building(const grid::Workspace& ws, const std::string& code, double ax, double ay, double bx, double by) {
    ws.exec("INSERT INTO building (code, geom, location) VALUES ('" + code + "', " + box(ax, ay, bx, by) + ", " +
            point((ax + bx) / 2, (ay + by) / 2) + ")");
}

inline void add_address(const grid::Workspace& ws, const std::string& code, double x, double y) {
    ws.exec("INSERT INTO address (code, text, geom) VALUES ('" + code + "', 't" + code + "', " + point(x, y) + ")");
}

inline void add_house(const grid::Workspace& ws, const std::string& code, const std::string& address_code) {
    ws.exec("INSERT INTO house (code, address_code) VALUES ('" + code + "', '" + address_code + "')");
}

// Building codes of the district.
constexpr const char* B_inside = "32120200700100001";     // inside M11
constexpr const char* B_micro70 = "32120200700100002";    // 70 % in M11, 30 % in M12
constexpr const char* B_grid60 = "32120200700100003";     // 60 % in M12 (G1), 40 % in M21 (G2)
constexpr const char* B_outside = "32120200700100004";    // east of G2
constexpr const char* B_nothing = "32120200700100005";    // no geometry at all
// Addresses.
constexpr const char* A_inside = "321202007001000010000000";   // in M11
constexpr const char* A_edge = "321202007001000010010101";     // on the M11 / M12 edge
constexpr const char* A_far = "321202007001000040000000";      // 100 m east of G2
constexpr double far_metres = 100.0;

/// The whole district.
inline void add_district(const grid::Workspace& ws) {
    add_zones(ws);
    const double cy = y0 + u;
    add_building(ws, B_inside, x0 + 0.3 * u, cy - 0.1 * u, x0 + 0.5 * u, cy + 0.1 * u);
    add_building(ws, B_micro70, x0 + u - 0.14 * u, cy - 0.1 * u, x0 + u + 0.06 * u, cy + 0.1 * u);
    add_building(ws, B_grid60, x0 + 2 * u - 0.12 * u, cy - 0.1 * u, x0 + 2 * u + 0.08 * u, cy + 0.1 * u);
    const double far_x = east_of(x0 + 4 * u, cy, far_metres);
    add_building(ws, B_outside, far_x, cy - 0.05 * u, far_x + 0.1 * u, cy + 0.05 * u);
    ws.exec(std::string("INSERT INTO building (code) VALUES ('") + B_nothing + "')");
    add_address(ws, A_inside, x0 + 0.4 * u, cy);
    add_address(ws, A_edge, x0 + u, cy);
    add_address(ws, A_far, far_x, cy);
    add_house(ws, "H1", A_inside);
    add_house(ws, "H2", A_far);
    add_house(ws, "H3", "321202007001000990000000"); // no such address
}

} // namespace assign_test

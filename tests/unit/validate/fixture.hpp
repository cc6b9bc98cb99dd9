// A small clean workspace for validate tests, built with SQL into a temporary file:
//
//   community 321202007001 (outline 4u x 2u, u = 0.001 degree, about 94 m x 111 m)
//   grid 321202007001001 = west half, grid 321202007001002 = east half
//   each grid: two micro-grids (west 001, east 002), one building of 60 declared households
//   in the middle of each micro-grid, a standard address at the building, a shop (not a
//   household) at each address, a resident in each house, one organisation.
//
// Each test plants one fault with SQL and checks that exactly the expected code is reported.
#pragma once

#include "libgrid/codes.hpp"
#include "libgrid/validate.hpp"
#include "libgrid/workspace.hpp"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>

namespace validate_fixture {

constexpr double ox = 119.900;
constexpr double oy = 32.450;
constexpr double u = 0.001;
constexpr const char* community = "321202007001";
constexpr const char* g1 = "321202007001001";
constexpr const char* g2 = "321202007001002";
constexpr const char* m11 = "321202007001001001";
constexpr const char* m12 = "321202007001001002";
constexpr const char* m21 = "321202007001002001";
constexpr const char* m22 = "321202007001002002";

inline std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9f", v);
    return buf;
}

/// "x y" pairs of a closed box ring.
inline std::string ring(double ax, double ay, double bx, double by) {
    return "(" + num(ax) + " " + num(ay) + "," + num(bx) + " " + num(ay) + "," + num(bx) + " " + num(by) + "," +
           num(ax) + " " + num(by) + "," + num(ax) + " " + num(ay) + ")";
}

inline std::string box(double ax, double ay, double bx, double by) {
    return "GeomFromText('MULTIPOLYGON((" + ring(ax, ay, bx, by) + "))', 4490)";
}

inline std::string point(double x, double y) {
    return "GeomFromText('POINT(" + num(x) + " " + num(y) + ")', 4490)";
}

/// Micro-grid k (0..3) from west to east: its x range.
inline double mx(int k) { return ox + k * u; }

inline std::string building_code(int k) { return std::string(community) + "0000" + std::to_string(k + 1); }
inline std::string address_code(int k) { return building_code(k) + "0000000"; }

/// A valid resident ID with sequence k.
inline std::string resident_id(int k) {
    char first17[18];
    std::snprintf(first17, sizeof first17, "32120219800101%03d", k + 1);
    return std::string(first17) + grid::codes::resident_id_check_char(first17);
}

class Fixture {
public:
    Fixture() : m_path(temp_path()), m_ws(grid::Workspace::create(m_path)) {
        const char* grids[] = {g1, g1, g2, g2};
        const char* micros[] = {m11, m12, m21, m22};
        exec("INSERT INTO division (code, name, level, parent_code, geom) VALUES ('" + std::string(community) +
             "', '十里铺社区居民委员会', 5, '321202007', " + box(ox, oy, ox + 4 * u, oy + 2 * u) + ")");
        exec("INSERT INTO grid (code, name, community_code, geom) VALUES ('" + std::string(g1) + "', 'G1', '" +
             community + "', " + box(ox, oy, ox + 2 * u, oy + 2 * u) + "), ('" + g2 + "', 'G2', '" + community + "', " +
             box(ox + 2 * u, oy, ox + 4 * u, oy + 2 * u) + ")");
        for (int k = 0; k < 4; ++k) {
            const double cx = mx(k) + u / 2, cy = oy + u;
            exec("INSERT INTO microgrid (code, grid_code, geom) VALUES ('" + std::string(micros[k]) + "', '" + grids[k] +
                 "', " + box(mx(k), oy, mx(k) + u, oy + 2 * u) + ")");
            exec("INSERT INTO building (code, community_code, households, grid_code, microgrid_code, geom, location) "
                 "VALUES ('" + building_code(k) + "', '" + community + "', 60, '" + grids[k] + "', '" + micros[k] + "', " +
                 box(cx - 0.0001, cy - 0.0001, cx + 0.0001, cy + 0.0001) + ", " + point(cx, cy) + ")");
            exec("INSERT INTO address (code, text, level, building_code, grid_code, microgrid_code, geom) VALUES ('" +
                 address_code(k) + "', '海陵区十里铺" + std::to_string(k + 1) + "号', 'building', '" + building_code(k) +
                 "', '" + grids[k] + "', '" + micros[k] + "', " + point(cx, cy) + ")");
            exec("INSERT INTO house (code, address_code, use, occupied, grid_code, microgrid_code) VALUES ('" +
                 address_code(k) + "', '" + address_code(k) + "', '商业', 1, '" + grids[k] + "', '" + micros[k] + "')");
            exec("INSERT INTO person (id_number, name, house_code) VALUES ('" + resident_id(k) + "', '张三', '" +
                 address_code(k) + "')");
        }
        exec("INSERT INTO org (uscc, name, address_code) VALUES ('91350100M000100Y43', '某公司', '" + address_code(0) + "')");
    }
    ~Fixture() {
        m_ws.reset(); // close the file before removing it
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::remove((m_path + suffix).c_str());
        }
    }
    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;

    void exec(const std::string& sql) const { m_ws->exec(sql); }
    const grid::Workspace& ws() const { return *m_ws; }
    const std::string& path() const { return m_path; }

    /// Drops SpatiaLite's type/SRID triggers of a layer, as data written by another tool might be.
    void drop_geometry_triggers(const std::string& table) const {
        exec("DROP TRIGGER IF EXISTS ggi_" + table + "_geom; DROP TRIGGER IF EXISTS ggu_" + table + "_geom");
    }

    grid::ValidationReport run(grid::ValidationOptions options = {}) const {
        options.threads = 2;
        return grid::validate(*m_ws, options);
    }

private:
    static std::string temp_path() {
        std::mt19937_64 rng(std::random_device{}());
        const auto p = std::filesystem::temp_directory_path() /
                       ("gridkit-validate-" + std::to_string(rng() % 1000000000000ULL) + ".sqlite");
        return p.string();
    }

    std::string m_path;
    std::optional<grid::Workspace> m_ws;
};

/// The set of codes in a report.
inline std::set<int> codes_of(const grid::ValidationReport& r) {
    std::set<int> out;
    for (const auto& e : r.errors) {
        out.insert(e.code);
    }
    return out;
}

/// The findings with a code.
inline std::vector<grid::ValidationError> with_code(const grid::ValidationReport& r, int code) {
    std::vector<grid::ValidationError> out;
    for (const auto& e : r.errors) {
        if (e.code == code) {
            out.push_back(e);
        }
    }
    return out;
}

} // namespace validate_fixture

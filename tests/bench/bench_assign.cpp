// Benchmark of gridkit assign against the same point-in-polygon join in SpatiaLite SQL, on one
// workspace (not run by CI):
//
//   bench_assign [WS] [--points N] [--grids N] [--threads N] [--no-sql] [--serial-read]
//
// Without WS (or when WS does not exist yet) it builds one: N grids (default 3,000) cut into
// 2 x 2 micro-grids (12,000) with jittered shared edges (16 vertices per micro-grid) over about
// 12 km x 10 km of Taizhou, and N address points (default 1,000,000) spread over them (1 % fall
// outside). An existing WS (e.g. from `gridkit synth`) is used as it is.
//
// Then it times, on the same file:
//   1. gridkit: assign(--layer address --dry-run): reading the zones and points, and placing every
//      point into its grid AND its micro-grid (STRtree + prepared GEOS geometries, 2 threads);
//   2. SpatiaLite: the classic R-tree join for the micro-grid level only
//        SELECT a.id, m.code FROM address a JOIN microgrid m
//          ON ST_Within(a.geom, m.geom) AND m.ROWID IN (SELECT ROWID FROM SpatialIndex
//             WHERE f_table_name = 'microgrid' AND f_geometry_column = 'geom' AND search_frame = a.geom)
//   and prints both, the points per second and the ratio.
#include "libgrid/assign.hpp"
#include "libgrid/geometry.hpp"
#include "libgrid/workspace.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr double x0 = 119.85, y0 = 32.42; // south-west corner, Taizhou
constexpr double cell = 0.001;           // about 94 m x 111 m

std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}
double unit_hash(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    return static_cast<double>(mix(a * 1000003ULL ^ mix(b * 7919ULL ^ mix(c + 17))) >> 11) / 9007199254740992.0 - 0.5;
}

struct Lattice {
    int nx, ny; // cells
    grid::geom::Point corner(int i, int j) const {
        const bool border = i == 0 || j == 0 || i == nx || j == ny;
        const double jx = border ? 0 : unit_hash(1, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j)) * 0.3;
        const double jy = border ? 0 : unit_hash(2, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j)) * 0.3;
        return {x0 + (i + jx) * cell, y0 + (j + jy) * cell};
    }
    /// The edge from corner (i, j) to (i+1, j) (horizontal) or (i, j+1) (vertical), 5 points.
    std::vector<grid::geom::Point> edge(bool horizontal, int i, int j) const {
        const auto a = corner(i, j);
        const auto b = horizontal ? corner(i + 1, j) : corner(i, j + 1);
        const bool border = horizontal ? (j == 0 || j == ny) : (i == 0 || i == nx);
        std::vector<grid::geom::Point> out{a};
        for (int k = 1; k < 4; ++k) {
            const double t = k / 4.0;
            const double off = border ? 0 : unit_hash(horizontal ? 3 : 4, static_cast<std::uint64_t>(i * 7 + k),
                                                      static_cast<std::uint64_t>(j)) * 0.1 * cell;
            out.push_back({a.x + (b.x - a.x) * t + (horizontal ? 0 : off), a.y + (b.y - a.y) * t + (horizontal ? off : 0)});
        }
        out.push_back(b);
        return out;
    }
    /// The ring around cells [i0, i1) x [j0, j1), counter-clockwise.
    std::vector<grid::geom::Point> ring(int i0, int j0, int i1, int j1) const {
        std::vector<grid::geom::Point> r;
        auto append = [&](std::vector<grid::geom::Point> e, bool reverse) {
            if (reverse) {
                std::reverse(e.begin(), e.end());
            }
            r.insert(r.end(), e.begin(), e.end() - 1);
        };
        for (int i = i0; i < i1; ++i) append(edge(true, i, j0), false);
        for (int j = j0; j < j1; ++j) append(edge(false, i1, j), false);
        for (int i = i1 - 1; i >= i0; --i) append(edge(true, i, j1), true);
        for (int j = j1 - 1; j >= j0; --j) append(edge(false, i0, j), true);
        r.push_back(r.front());
        return r;
    }
};

void make_workspace(const std::string& path, int grids, long points) {
    const int gx = static_cast<int>(std::lround(std::sqrt(grids * 1.2)));
    const int gy = (grids + gx - 1) / gx;
    const Lattice lat{2 * gx, 2 * gy};
    auto ws = grid::Workspace::create(path);
    grid::Transaction tx(ws);
    grid::Statement gs = ws.prepare("INSERT INTO grid (code, name, geom) VALUES (?, ?, CastToMulti(GeomFromWKB(?, 4490)))");
    grid::Statement ms = ws.prepare("INSERT INTO microgrid (code, grid_code, geom) VALUES (?, ?, CastToMulti(GeomFromWKB(?, 4490)))");
    int made = 0;
    for (int a = 0; a < gx && made < grids; ++a) {
        for (int b = 0; b < gy && made < grids; ++b, ++made) {
            char code[32];
            std::snprintf(code, sizeof code, "321202%06d%03d", made / 999 + 1, made % 999 + 1);
            const auto g = grid::geom::make_polygon(lat.ring(2 * a, 2 * b, 2 * a + 2, 2 * b + 2));
            const auto wkb = grid::geom::to_wkb(g.get());
            gs.bind(1, code).bind(2, code).bind_blob(3, wkb.data(), wkb.size()).run();
            int k = 0;
            for (int di = 0; di < 2; ++di) {
                for (int dj = 0; dj < 2; ++dj) {
                    const auto m = grid::geom::make_polygon(lat.ring(2 * a + di, 2 * b + dj, 2 * a + di + 1, 2 * b + dj + 1));
                    const auto mw = grid::geom::to_wkb(m.get());
                    const std::string mcode = std::string(code) + "00" + std::to_string(++k);
                    ms.bind(1, mcode).bind(2, code).bind_blob(3, mw.data(), mw.size()).run();
                }
            }
        }
    }
    // Points over the grids' extent and 1 % beyond it.
    const double w = lat.nx * cell, h = lat.ny * cell;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> ux(x0 - 0.005 * w, x0 + 1.005 * w), uy(y0 - 0.005 * h, y0 + 1.005 * h);
    grid::Statement as = ws.prepare("INSERT INTO address (code, text, geom) VALUES (?, 't', MakePoint(?, ?, 4490))");
    for (long i = 0; i < points; ++i) {
        char code[32];
        std::snprintf(code, sizeof code, "P%09ld", i);
        as.bind(1, code).bind(2, ux(rng)).bind(3, uy(rng)).run();
    }
    tx.commit();
}

} // namespace

int main(int argc, char** argv) {
    std::string path;
    long points = 1000000;
    int grids = 3000;
    unsigned threads = 2;
    bool sql = true;
    bool serial_read = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--points" && i + 1 < argc) {
            points = std::atol(argv[++i]);
        } else if (a == "--grids" && i + 1 < argc) {
            grids = std::atoi(argv[++i]);
        } else if (a == "--threads" && i + 1 < argc) {
            threads = static_cast<unsigned>(std::atoi(argv[++i]));
        } else if (a == "--no-sql") {
            sql = false;
        } else if (a == "--serial-read") {
            serial_read = true;
        } else if (!a.empty() && a[0] != '-') {
            path = a;
        } else {
            std::cerr << "usage: bench_assign [WS] [--points N] [--grids N] [--threads N] [--no-sql] [--serial-read]\n";
            return 2;
        }
    }
    if (path.empty()) {
        path = (std::filesystem::temp_directory_path() /
                ("gridkit-bench-assign-" + std::to_string(grids) + "-" + std::to_string(points) + ".sqlite"))
                   .string();
    }
    try {
        if (!std::filesystem::exists(path)) {
            std::cout << "building " << path << " (" << grids << " grids, " << 4 * grids << " micro-grids, " << points
                      << " points) ..." << std::flush;
            const auto t = Clock::now();
            make_workspace(path, grids, points);
            std::printf(" %.1f s\n", since(t));
        }
        auto ws = grid::Workspace::open(path, grid::Workspace::Mode::read_only);
        const long n = static_cast<long>(ws.count("address"));
        std::printf("workspace %s: %lld grids, %lld micro-grids, %ld address points; %u hardware threads, %u used\n",
                    path.c_str(), static_cast<long long>(ws.count("grid")), static_cast<long long>(ws.count("microgrid")), n,
                    std::thread::hardware_concurrency(), threads);

        // 1. gridkit assign (dry run: reading + placing; writing is timed separately by the CLI).
        grid::assign::Options o;
        o.layers = {"address"};
        o.dry_run = true;
        o.threads = threads;
        if (serial_read) {
            o.parallel_read_rows = std::numeric_limits<std::int64_t>::max(); // one connection reads
        }
        double best_total = 1e300, best_place = 1e300;
        grid::assign::Result r;
        for (int run = 0; run < 3; ++run) {
            const auto t = Clock::now();
            r = grid::assign::assign(ws, o);
            best_total = std::min(best_total, since(t));
            best_place = std::min(best_place, r.seconds_place);
        }
        const auto& c = r.layers.at(0);
        std::printf("gridkit assign  : %.3f s total (read %.3f s, place both levels %.3f s, report %.3f s), best of 3\n",
                    best_total, r.seconds_read, best_place, r.seconds_report);
        std::printf("                  %.0f points/s end to end, %.0f points/s placing (grid + micro-grid)\n",
                    n / best_total, n / best_place);
        std::printf("                  placed %lld, in no grid %lld, no micro-grid %lld, several grids %lld, several micro-grids %lld\n",
                    static_cast<long long>(c.placed), static_cast<long long>(c.no_grid),
                    static_cast<long long>(c.no_microgrid), static_cast<long long>(c.several_grids),
                    static_cast<long long>(c.several_microgrids));

        // 2. SpatiaLite SQL, micro-grid level only.
        if (sql) {
            const auto t = Clock::now();
            grid::Statement st = ws.prepare(
                "SELECT a.id, m.code FROM address a JOIN microgrid m ON ST_Within(a.geom, m.geom) AND m.ROWID IN "
                "(SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'microgrid' AND f_geometry_column = 'geom' "
                "AND search_frame = a.geom)");
            long rows = 0;
            while (st.step()) {
                ++rows;
            }
            const double s = since(t);
            std::printf("SpatiaLite SQL  : %.3f s for the micro-grid level alone (R-tree SpatialIndex + ST_Within), "
                        "%ld pairs, %.0f points/s\n", s, rows, n / s);
            std::printf("gridkit is %.1fx faster end to end (both levels vs one), %.1fx on placing alone\n", s / best_total,
                        s / best_place);
            const long long micro_placed = c.rows - c.no_microgrid - c.several_microgrids;
            std::printf("check: SQL pairs %ld, gridkit micro-grid placements %lld (%s)\n", rows, micro_placed,
                        rows == micro_placed ? "the same" : "DIFFERENT");
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_assign: " << e.what() << "\n";
        return 3;
    }
    return 0;
}

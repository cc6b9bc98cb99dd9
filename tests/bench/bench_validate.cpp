// Benchmark of gridkit validate (not run by CI): a synthetic city of N households (default
// 1,000,000: about 3,000 grids and 12,000 micro-grids), full validation, coverage only, and the
// equivalent SpatiaLite SQL (self-join of micro-grids through the SpatialIndex virtual table with
// ST_Overlaps / ST_Intersection) on the same workspace. Prints the times and the ratio.
//
//   bench_validate [WORKSPACE] [--households N] [--threads N]
//
// WORKSPACE is created with the synth module when it does not exist
// (default /tmp/gridkit-bench-validate-<N>.sqlite, kept for the next run).
#include "libgrid/synth.hpp"
#include "libgrid/validate.hpp"
#include "libgrid/workspace.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// CPU seconds of the process so far (user + system, all threads): figures that stay
/// comparable when other processes share the cores.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Timed {
    double seconds;
    double cpu;
    grid::ValidationReport report;
};

Timed run_validate(const grid::Workspace& ws, grid::ValidationOptions opt, bool verbose) {
    const auto t0 = std::chrono::steady_clock::now();
    if (verbose) {
        const double c0 = cpu_seconds();
        opt.progress = [t0, c0](std::string_view stage, std::uint64_t, std::uint64_t) {
            std::printf("    %-28.*s at %6.2f s (cpu %6.2f s)\n", static_cast<int>(stage.size()), stage.data(),
                        seconds_since(t0), cpu_seconds() - c0);
        };
    }
    const double c0 = cpu_seconds();
    grid::ValidationReport r = grid::validate(ws, opt);
    return {seconds_since(t0), cpu_seconds() - c0, std::move(r)};
}

} // namespace

int main(int argc, char** argv) {
    std::string path;
    std::int64_t households = 1000000;
    unsigned threads = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--households" && i + 1 < argc) {
            households = std::atoll(argv[++i]);
        } else if (a == "--threads" && i + 1 < argc) {
            threads = static_cast<unsigned>(std::atoi(argv[++i]));
        } else if (a == "-h" || a == "--help") {
            std::printf("usage: bench_validate [WORKSPACE] [--households N] [--threads N]\n");
            return 0;
        } else {
            path = a;
        }
    }
    if (path.empty()) {
        path = "/tmp/gridkit-bench-validate-" + std::to_string(households) + ".sqlite";
    }
    try {
        if (!std::filesystem::exists(path)) {
            std::printf("creating %s with %lld households (gridkit synth) ...\n", path.c_str(),
                        static_cast<long long>(households));
            grid::synth::Options so;
            so.households = households;
            const auto t0 = std::chrono::steady_clock::now();
            grid::synth::write_workspace(path, so, false);
            std::printf("  synth: %.1f s\n", seconds_since(t0));
        }
        {
            // The SQL below needs the R*Trees: rebuild any that do not hold every row.
            const auto rw = grid::Workspace::open(path, grid::Workspace::Mode::read_write);
            for (const char* table : {"grid", "microgrid", "address"}) {
                const std::string t(table);
                if (rw.query_int("SELECT count(*) FROM idx_" + t + "_geom") !=
                    rw.query_int("SELECT count(*) FROM " + t + " WHERE geom IS NOT NULL")) {
                    std::printf("rebuilding the spatial index of %s (it does not hold every row)\n", table);
                    rw.rebuild_spatial_index(t, "geom");
                }
            }
        }
        const auto ws = grid::Workspace::open(path, grid::Workspace::Mode::read_only);
        std::printf("workspace %s: %lld grids, %lld micro-grids, %lld buildings, %lld addresses, %lld houses, "
                    "%lld residents\n",
                    path.c_str(), static_cast<long long>(ws.count("grid")), static_cast<long long>(ws.count("microgrid")),
                    static_cast<long long>(ws.count("building")), static_cast<long long>(ws.count("address")),
                    static_cast<long long>(ws.count("house")), static_cast<long long>(ws.count("person")));

        grid::ValidationOptions full;
        full.threads = threads;
        std::printf("gridkit validate (all checks), phases:\n");
        const Timed all = run_validate(ws, full, true);
        std::printf("  full validation:   %7.2f s, cpu %7.2f s  (%lld errors, %lld warnings, %lld households)\n",
                    all.seconds, all.cpu,
                    static_cast<long long>(all.report.overview.errors),
                    static_cast<long long>(all.report.overview.warnings),
                    static_cast<long long>(all.report.overview.households));

        grid::ValidationOptions cov;
        cov.threads = threads;
        cov.set_only("coverage");
        const Timed coverage = run_validate(ws, cov, false);
        std::printf("  coverage only:     %7.2f s, cpu %7.2f s  (%lld findings)\n", coverage.seconds, coverage.cpu,
                    static_cast<long long>(coverage.report.errors.size()));

        // The SQL a GIS person would write for the same checks, each on the spatial index.
        struct Query {
            const char* what;
            const char* sql;
        };
        const Query queries[] = {
            {"overlapping micro-grid pairs (self-join, ST_Overlaps + ST_Intersection)",
             "SELECT count(*), coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0) FROM microgrid a, microgrid b "
             "WHERE b.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'microgrid' AND search_frame = a.geom) "
             "AND a.id < b.id AND ST_Overlaps(a.geom, b.geom)"},
            {"grids with a gap (ST_Difference of ST_Union)",
             "SELECT count(*) FROM (SELECT ST_Area(ST_Difference(g.geom, ST_Union(m.geom))) AS a FROM grid g "
             "JOIN microgrid m ON m.grid_code = g.code GROUP BY g.id) WHERE a > 0"},
            {"micro-grids not covered by their grid (ST_Covers)",
             "SELECT count(*) FROM microgrid m JOIN grid g ON g.code = m.grid_code WHERE NOT ST_Covers(g.geom, m.geom)"},
            {"addresses in no micro-grid (SpatialIndex + ST_Intersects)",
             "SELECT count(*) FROM address a WHERE a.geom IS NOT NULL AND NOT EXISTS (SELECT 1 FROM microgrid m WHERE "
             "m.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'microgrid' AND search_frame = a.geom) "
             "AND ST_Intersects(m.geom, a.geom))"},
        };
        double sql_coverage = 0, sql_total = 0;
        std::printf("SpatiaLite SQL on the same workspace:\n");
        for (std::size_t q = 0; q < sizeof queries / sizeof queries[0]; ++q) {
            const auto t0 = std::chrono::steady_clock::now();
            const double c0 = cpu_seconds();
            grid::Statement st = ws.prepare(queries[q].sql);
            st.step();
            const double t = seconds_since(t0);
            std::printf("  %-75s %7.2f s, cpu %7.2f s  (count %lld)\n", queries[q].what, t, cpu_seconds() - c0,
                        static_cast<long long>(st.column_int(0)));
            sql_total += t;
            sql_coverage += q < 3 ? t : 0;
        }
        std::printf("ratio SQL coverage (3 queries) / gridkit coverage only: %.1fx\n", sql_coverage / coverage.seconds);
        std::printf("ratio SQL total (4 queries) / gridkit full validation:  %.1fx\n", sql_total / all.seconds);
        std::printf("goal: full validation < 30 s: %s; >= 10x faster than the SQL: %s\n",
                    all.seconds < 30 ? "met" : "NOT met", sql_coverage / coverage.seconds >= 10 ? "met" : "NOT met");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_validate: %s\n", e.what());
        return 3;
    }
    return 0;
}

// Redistricting benchmark (design/REDISTRICT.md):
//  1. The REDISTRICT.md instance: 2,000 Voronoi cells of uniform random points in a 1000 x 1000 m
//     square, households uniform 1-30, bounds 50-100. gridkit's partitioner against
//     `gpmetis -contig -ufactor=333` (Debian package metis) on the same atom graph, with k the zone
//     count METIS needs for its upper bound (ceil(1.333 H / 100)); the measures of both side by side,
//     Polsby-Popper computed for both from the same cell polygons.
//  2. Stability: gridkit re-run on its own plan, and after 5% of the cells change their households.
//  3. A city: 3,000 grids of about 330 households (building footprints, a road through half of them),
//     cells + partition + dissolve + tiling check, on 2 threads.
// Usage: bench_redistrict [--no-city] [--no-metis] [--grids N] [--threads N] [--sweeps N] [--seed S]
#include "detail/redistrict_internal.hpp"
#include "libgrid/geometry.hpp"
#include "libgrid/redistrict.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace rd = grid::redistrict;
namespace geom = grid::geom;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
/// CPU time of this thread: the machine may be shared, and gpmetis reports CPU time too.
double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// The module's own portable PRNG (the same sequence on every machine).
struct Gen {
    rd::detail::Rng rng;
    explicit Gen(std::uint64_t seed) : rng(seed) {}
    std::uint64_t next() { return rng.next(); }
    double real() { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; }
    std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
    }
};

struct PolygonMeasures {
    double pp_mean = 0;
    double pp_min = 0;
};

PolygonMeasures polygon_measures(const std::vector<geom::Geometry>& zones) {
    PolygonMeasures m;
    m.pp_min = 1;
    std::size_t count = 0;
    for (const auto& z : zones) {
        if (geom::is_empty(z.get())) {
            continue; // a part gpmetis left empty
        }
        ++count;
        const double pp = rd::polsby_popper(z.get());
        m.pp_mean += pp;
        m.pp_min = std::min(m.pp_min, pp);
    }
    m.pp_mean /= static_cast<double>(std::max<std::size_t>(1, count));
    return m;
}

std::size_t zone_count(const std::vector<std::size_t>& zone_of) {
    std::size_t k = 0;
    for (std::size_t z : zone_of) {
        k = std::max(k, z + 1);
    }
    return k;
}

void print_row(const char* name, const rd::Measures& m, const PolygonMeasures& pm, double time_s, const std::string& extra) {
    std::printf("%-26s %8.3f %6zu %5lld %7.1f %5lld %6zu %6zu %7.1f %7.3f %7.3f %6zu  %s\n", name, time_s, m.zones,
                static_cast<long long>(m.households_min), m.households_mean, static_cast<long long>(m.households_max),
                m.zones_below_min, m.zones_above_max, m.contiguity_pct, pm.pp_mean, pm.pp_min, m.cut_edges,
                extra.c_str());
}

/// Runs gpmetis on the graph; returns the partition (empty when gpmetis failed) and its wall time.
std::vector<std::size_t> run_metis(const rd::AtomGraph& g, std::size_t k, bool length_weights, int seed,
                                   double& wall, std::string& metis_time) {
    const std::size_t n = g.atoms.size();
    std::vector<std::vector<std::pair<std::size_t, long>>> adj(n);
    for (const rd::Edge& e : g.edges) {
        const long w = std::max(1L, std::lround(e.shared_length * 10.0)); // decimetres
        adj[e.a].push_back({e.b, w});
        adj[e.b].push_back({e.a, w});
    }
    char dir_template[] = "/tmp/bench_redistrict_XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) {
        return {};
    }
    const std::string path = std::string(dir) + "/graph.txt";
    {
        std::ofstream f(path);
        f << n << ' ' << g.edges.size() << ' ' << (length_weights ? "011" : "010") << '\n';
        for (std::size_t i = 0; i < n; ++i) {
            f << std::max<std::int64_t>(1, g.atoms[i].households);
            for (const auto& [b, w] : adj[i]) {
                f << ' ' << (b + 1);
                if (length_weights) {
                    f << ' ' << w;
                }
            }
            f << '\n';
        }
    }
    const std::string log = std::string(dir) + "/log.txt";
    const std::string cmd = "gpmetis -contig -ufactor=333 -seed=" + std::to_string(seed) + " " + path + " " +
                            std::to_string(k) + " > " + log + " 2>&1";
    const auto t0 = Clock::now();
    const int rc = std::system(cmd.c_str());
    wall = seconds_since(t0);
    std::vector<std::size_t> part;
    std::ifstream logf(log);
    std::string line;
    while (std::getline(logf, line)) {
        if (line.find("Partitioning:") != std::string::npos) {
            metis_time = line.substr(line.find(':') + 1);
            metis_time.erase(0, metis_time.find_first_not_of(" \t"));
        }
    }
    if (rc == 0) {
        std::ifstream pf(path + ".part." + std::to_string(k));
        std::size_t z = 0;
        while (pf >> z) {
            part.push_back(z);
        }
        if (part.size() != n) {
            part.clear();
        }
    }
    std::system(("rm -rf " + std::string(dir)).c_str());
    return part;
}

int bench_instance(std::uint64_t seed, bool with_metis, int sweeps) {
    const std::size_t n = 2000;
    Gen gen(seed);
    std::vector<rd::AtomShape> atoms(n);
    std::int64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        atoms[i].id = "c" + std::to_string(i);
        const double x = gen.real() * 1000.0;
        const double y = gen.real() * 1000.0;
        atoms[i].shape = geom::make_point(x, y);
        atoms[i].households = gen.uniform(1, 30);
        total += atoms[i].households;
    }
    const geom::Geometry parent = geom::make_box(0, 0, 1000, 1000);
    auto t0 = Clock::now();
    rd::Cells cells = rd::build_cells(parent.get(), atoms, nullptr);
    const double t_cells = seconds_since(t0);
    std::printf("instance: %zu Voronoi cells in 1000 x 1000 m, households uniform 1-30 (%lld in all), bounds 50-100, "
                "seed %llu\n",
                n, static_cast<long long>(total), static_cast<unsigned long long>(seed));
    std::printf("atom graph: %zu edges; cells built in %.3f s\n\n", cells.graph.edges.size(), t_cells);

    rd::Options o;
    o.seed = 1;
    if (sweeps >= 0) {
        o.sweeps = sweeps;
    }
    // Partition timing: best of 3 (the machine is shared), all three must agree (determinism).
    rd::Plan plan;
    double t_part = 1e9;
    double cpu_part = 1e9;
    for (int r = 0; r < 3; ++r) {
        t0 = Clock::now();
        const double c0 = cpu_now();
        rd::Plan p = rd::partition(cells.graph, o);
        cpu_part = std::min(cpu_part, cpu_now() - c0);
        t_part = std::min(t_part, seconds_since(t0));
        if (r > 0 && p.zone_of != plan.zone_of) {
            std::printf("NOT DETERMINISTIC: run %d differs\n", r);
            return 1;
        }
        plan = std::move(p);
    }
    t0 = Clock::now();
    const auto zones = rd::dissolve(cells, plan.zone_of, plan.zones.size());
    const double t_dissolve = seconds_since(t0);
    t0 = Clock::now();
    const rd::Tiling tiling = rd::check_tiling(parent.get(), zones, atoms, plan.zone_of);
    const double t_tiling = seconds_since(t0);
    const rd::Measures m = rd::measure(cells.graph, plan.zone_of, o);
    const PolygonMeasures pm = polygon_measures(zones);

    std::printf("%-26s %8s %6s %5s %7s %5s %6s %6s %7s %7s %7s %6s\n", "tool", "time s", "zones", "min", "mean",
                "max", "<min", ">max", "contig%", "PPmean", "PPmin", "cut");
    char cpu[64];
    std::snprintf(cpu, sizeof cpu, "(CPU %.3f s, best of 3)", cpu_part);
    print_row("gridkit partition", m, pm, t_part, cpu);

    if (with_metis) {
        const std::size_t k = static_cast<std::size_t>(std::ceil(1.333 * static_cast<double>(total) / 100.0));
        for (bool weights : {false, true}) {
            double wall = 0;
            std::string mt;
            const auto part = run_metis(cells.graph, k, weights, 1, wall, mt);
            if (part.empty()) {
                std::printf("gpmetis failed (is the Debian package metis installed?)\n");
                break;
            }
            const rd::Measures mm = rd::measure(cells.graph, part, o);
            const auto mz = rd::dissolve(cells, part, zone_count(part));
            const PolygonMeasures mpm = polygon_measures(mz);
            const std::string name = std::string("gpmetis k=") + std::to_string(k) + (weights ? " len-w" : "");
            print_row(name.c_str(), mm, mpm, wall, "(wall incl. process start; its own report: " + mt + ")");
            if (weights) {
                // METIS's stability: a second run with another seed against the first.
                double wall2 = 0;
                std::string mt2;
                const auto part2 = run_metis(cells.graph, k, weights, 2, wall2, mt2);
                if (!part2.empty()) {
                    rd::AtomGraph g2 = cells.graph;
                    for (std::size_t i = 0; i < n; ++i) {
                        g2.atoms[i].current_zone = "Z" + std::to_string(part[i]);
                    }
                    std::printf("gpmetis rerun (seed 2) moves %.1f%% of households\n",
                                rd::measure(g2, part2, o).moved_pct);
                }
            }
        }
    }
    std::printf("\ngridkit: %zu hard violations, %zu barrier crossings; dissolve %.3f s; tiling check %.3f s\n",
                static_cast<std::size_t>(std::count_if(plan.violations.begin(), plan.violations.end(),
                                                       [](const rd::Violation& v) { return v.hard; })),
                m.barrier_crossings, t_dissolve, t_tiling);
    std::printf("tiling: parent %.3f m2, sum of zones %.6f, union %.6f, max relative error %.2e, overlaps %.2e m2, "
                "zones in pieces %zu -> %s\n",
                tiling.parent_area, tiling.zones_area_sum, tiling.union_area, tiling.max_relative_error,
                tiling.overlap_area, tiling.zones_in_pieces, tiling.ok() ? "ok" : "NOT OK");
    std::printf("graph PP mean %.4f vs polygon PP mean %.4f (same cells: they should agree)\n", m.polsby_popper_mean,
                pm.pp_mean);

    // Stability.
    rd::AtomGraph g = cells.graph;
    for (std::size_t i = 0; i < n; ++i) {
        g.atoms[i].current_zone = "Z" + std::to_string(plan.zone_of[i]);
    }
    o.seed = 2;
    t0 = Clock::now();
    const rd::Plan again = rd::partition(g, o);
    const double t_again = seconds_since(t0);
    std::printf("\nstability: rerun on its own plan (seed 2): moved %lld households (%.2f%%), kept as is: %s, %.3f s\n",
                static_cast<long long>(rd::measure(g, again.zone_of, o).moved_households),
                rd::measure(g, again.zone_of, o).moved_pct, again.kept_current ? "yes" : "no", t_again);
    Gen pert(seed ^ 0x5555);
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) {
        order[i] = i;
    }
    for (std::size_t i = n; i > 1; --i) {
        std::swap(order[i - 1], order[pert.next() % i]);
    }
    for (std::size_t i = 0; i < n / 20; ++i) {
        g.atoms[order[i]].households = pert.uniform(1, 30);
    }
    t0 = Clock::now();
    const rd::Plan perturbed = rd::partition(g, o);
    const double t_pert = seconds_since(t0);
    const rd::Measures mp = rd::measure(g, perturbed.zone_of, o);
    std::printf("stability: 5%% of cells get new household counts: moved %lld households (%.2f%%), "
                "%zu zones outside bounds, contiguity %.1f%%, %.3f s\n",
                static_cast<long long>(mp.moved_households), mp.moved_pct, mp.zones_below_min + mp.zones_above_max,
                mp.contiguity_pct, t_pert);
    return 0;
}

/// One synthetic grid of the city: a 160 x 160 m square with rectangular building footprints on a
/// jittered lattice, households 0-25 per building, a road across half of the grids.
struct CityGrid {
    geom::Geometry parent;
    std::vector<rd::AtomShape> atoms;
    geom::Geometry road;
};

CityGrid make_city_grid(std::uint64_t seed, int index) {
    Gen gen(seed * 1000003ULL + static_cast<std::uint64_t>(index));
    CityGrid g;
    const double ox = (index % 60) * 200.0;
    const double oy = (index / 60) * 200.0;
    g.parent = geom::make_box(ox, oy, ox + 160, oy + 160);
    const bool road = index % 2 == 0;
    int id = 0;
    for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 5; ++c) {
            const double x = ox + 8 + c * 30 + gen.real() * 4;
            const double y = oy + 6 + r * 25 + gen.real() * 4;
            if (road && y + 14 > oy + 78 && y < oy + 82) {
                continue;
            }
            rd::AtomShape a;
            a.id = "g" + std::to_string(index) + "b" + std::to_string(id++);
            a.households = gen.uniform(0, 24) + (gen.uniform(0, 9) == 0 ? 12 : 0);
            a.shape = geom::make_box(x, y, x + 12 + gen.real() * 10, y + 10 + gen.real() * 4);
            g.atoms.push_back(std::move(a));
        }
    }
    if (road) {
        g.road = geom::make_linestring({{ox - 5, oy + 80}, {ox + 165, oy + 80}});
    }
    return g;
}

int bench_city(std::uint64_t seed, int grids, int threads) {
    std::atomic<int> next{0};
    std::atomic<long long> households{0}, zones{0}, atoms{0}, violations{0}, tiling_bad{0}, outside{0};
    std::mutex mutex;
    double t_cells = 0, t_part = 0, t_dissolve = 0, t_check = 0;
    const auto t0 = Clock::now();
    const std::clock_t cpu0 = std::clock();
    auto worker = [&]() {
        double c = 0, p = 0, d = 0, k = 0;
        while (true) {
            const int i = next.fetch_add(1);
            if (i >= grids) {
                break;
            }
            CityGrid g = make_city_grid(seed, i);
            auto t = Clock::now();
            rd::Cells cells = rd::build_cells(g.parent.get(), g.atoms, g.road ? g.road.get() : nullptr);
            c += seconds_since(t);
            t = Clock::now();
            rd::Options o;
            o.seed = seed;
            const rd::Plan plan = rd::partition(cells.graph, o);
            p += seconds_since(t);
            t = Clock::now();
            const auto polys = rd::dissolve(cells, plan.zone_of, plan.zones.size());
            d += seconds_since(t);
            t = Clock::now();
            const rd::Tiling tiling = rd::check_tiling(g.parent.get(), polys, g.atoms, plan.zone_of);
            k += seconds_since(t);
            const rd::Measures m = rd::measure(cells.graph, plan.zone_of, o);
            households += m.households;
            zones += static_cast<long long>(m.zones);
            atoms += static_cast<long long>(g.atoms.size());
            outside += static_cast<long long>(m.zones_below_min + m.zones_above_max);
            violations += static_cast<long long>(std::count_if(plan.violations.begin(), plan.violations.end(),
                                                               [](const rd::Violation& v) { return v.hard; }));
            if (!tiling.ok()) {
                ++tiling_bad;
            }
        }
        std::lock_guard<std::mutex> lock(mutex);
        t_cells += c;
        t_part += p;
        t_dissolve += d;
        t_check += k;
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back(worker);
    }
    for (auto& t : pool) {
        t.join();
    }
    const double wall = seconds_since(t0);
    const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    std::printf("\ncity: %d grids, %lld buildings, %lld households -> %lld micro-grids on %d threads: %.2f s wall, "
                "%.2f s CPU (wall on an idle machine is about CPU / threads)\n",
                grids, atoms.load(), households.load(), zones.load(), threads, wall, cpu);
    std::printf("  thread-seconds: cells %.2f, partition %.2f, dissolve %.2f, tiling check %.2f\n", t_cells, t_part,
                t_dissolve, t_check);
    std::printf("  zones outside bounds %lld (hard violations %lld), grids failing the tiling check %lld\n",
                outside.load(), violations.load(), tiling_bad.load());
    return tiling_bad.load() == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    bool city = true;
    bool metis = true;
    int grids = 3000;
    int threads = 2;
    int sweeps = -1;
    std::uint64_t seed = 20261122;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--no-city") {
            city = false;
        } else if (a == "--no-metis") {
            metis = false;
        } else if (a == "--grids" && i + 1 < argc) {
            grids = std::atoi(argv[++i]);
        } else if (a == "--threads" && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
        } else if (a == "--sweeps" && i + 1 < argc) {
            sweeps = std::atoi(argv[++i]);
        } else if (a == "--seed" && i + 1 < argc) {
            seed = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::cerr << "usage: bench_redistrict [--no-city] [--no-metis] [--grids N] [--threads N] [--sweeps N] [--seed S]\n";
            return 2;
        }
    }
    int rc = bench_instance(seed, metis, sweeps);
    if (city) {
        rc |= bench_city(seed, grids, threads);
    }
    return rc;
}

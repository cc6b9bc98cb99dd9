// Benchmark of gridkit synth: generation alone (1 and N threads), a workspace, a folder.
// Prints wall and CPU seconds per stage and the peak RSS, so runs on a busy machine can still
// be compared (CPU seconds do not grow with other people's load; wall seconds do).
//   bench_synth [households=1000000] [out_dir=/tmp] [stages=gen1,gen,ws,folder]
#include "libgrid/synth.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>

namespace {

struct Clock {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    double cpu = cpu_seconds();
    static double cpu_seconds() {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
               static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }
    void report(const char* what, const grid::synth::Counts& counts) const {
        const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        std::int64_t rows = 0;
        for (const auto& [layer, n] : counts.layers) {
            rows += n;
        }
        std::printf("%-28s wall %7.2f s  cpu %7.2f s  rows %9lld  peak RSS %6.0f MB\n", what, w, cpu_seconds() - cpu,
                    static_cast<long long>(rows), static_cast<double>(u.ru_maxrss) / 1024.0);
        std::fflush(stdout);
    }
};

} // namespace

int main(int argc, char** argv) {
    const std::int64_t households = argc > 1 ? std::atoll(argv[1]) : 1000000;
    const std::string dir = argc > 2 ? argv[2] : "/tmp";
    const std::string stages = argc > 3 ? argv[3] : "gen1,gen,ws,folder";
    auto has = [&](const char* s) { return ("," + stages + ",").find("," + std::string(s) + ",") != std::string::npos; };
    grid::synth::Options o;
    o.households = households;
    o.seed = 1;
    std::printf("synth benchmark: %lld households\n", static_cast<long long>(households));
    if (has("gen1")) {
        Clock c;
        o.threads = 1;
        const auto counts = grid::synth::generate(o, [](grid::synth::Batch&&) {});
        c.report("generate, 1 thread", counts);
    }
    if (has("gen")) {
        Clock c;
        o.threads = 0;
        const auto counts = grid::synth::generate(o, [](grid::synth::Batch&&) {});
        c.report("generate, all cores", counts);
    }
    o.threads = 0;
    if (has("ws")) {
        const std::string path = dir + "/bench_synth.sqlite";
        std::filesystem::remove(path);
        Clock c;
        const auto counts = grid::synth::write_workspace(path, o, true);
        c.report("workspace", counts);
        std::printf("  %s: %.0f MB\n", path.c_str(), static_cast<double>(std::filesystem::file_size(path)) / 1e6);
    }
    if (has("folder")) {
        const std::string path = dir + "/bench_synth_folder";
        Clock c;
        const auto counts = grid::synth::write_folder(path, o, true);
        c.report("folder (GeoJSON + GB18030 CSV)", counts);
    }
    return 0;
}

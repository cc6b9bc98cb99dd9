// Doorplate benchmark: 10,000 plates into one PDF (goal < 20 s) and 1,000 PNGs at 300 dpi
// (goal < 15 s on 2 cores). Usage: bench_doorplate [OUTDIR] [--plates N] [--pngs N] [--size S]
// [--threads T]. Prints one line per run; the output folder is removed at the end.
#include "libgrid/doorplate.hpp"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>

using namespace grid::doorplate;
namespace fs = std::filesystem;

namespace {

std::vector<PlateData> make_plates(int n) {
    static const char* roads[] = {"龙西路", "长桥街", "东吴北路", "宝带西路", "吴中大道", "迎春南路"};
    std::vector<PlateData> plates;
    plates.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        char code[32];
        // community 320506004011, building 00001-, unit 001-003, room
        std::snprintf(code, sizeof code, "320506004011%05d%03d%04d", 1 + i / 60, 1 + (i / 20) % 3, 101 + i % 20);
        PlateData p;
        p.address_code = code;
        p.address_text = std::string("苏州市吴中区长桥街道龙西社区") + roads[i % 6] + std::to_string(1 + i / 60) + "号" +
                         std::to_string(1 + (i / 20) % 3) + "单元" + std::to_string(101 + i % 20) + "室";
        p.grid_name = "龙西社区第" + std::to_string(1 + i / 500) + "网格";
        p.worker_name = "王晓明";
        p.worker_phone = "0512-65281234";
        p.houses = {std::string("H") + code};
        plates.push_back(std::move(p));
    }
    return plates;
}

/// Wall seconds; `cpu` gets the process CPU seconds (all threads), which the load of other
/// processes on a shared machine does not inflate.
double run(const std::vector<PlateData>& plates, const Key& key, RenderOptions o, const std::string& out,
           RenderReport& report, double& cpu) {
    const std::clock_t c0 = std::clock();
    const auto t0 = std::chrono::steady_clock::now();
    report = render_plates(plates, key, o, out);
    cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::uintmax_t folder_bytes(const fs::path& dir) {
    std::uintmax_t total = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        total += e.file_size();
    }
    return total;
}

} // namespace

int main(int argc, char** argv) {
    fs::path dir = fs::temp_directory_path() / ("gridkit-bench-doorplate-" + std::to_string(::getpid()));
    int n_pdf = 10000, n_png = 1000, threads = 0;
    std::string size_name;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--plates" && i + 1 < argc) {
            n_pdf = std::atoi(argv[++i]);
        } else if (a == "--pngs" && i + 1 < argc) {
            n_png = std::atoi(argv[++i]);
        } else if (a == "--size" && i + 1 < argc) {
            size_name = argv[++i];
        } else if (a == "--threads" && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
        } else {
            dir = a;
        }
    }
    fs::create_directories(dir);
    const Key key = generate_key("B1");
    std::printf("bench_doorplate: %u hardware threads\n", std::thread::hardware_concurrency());

    const std::vector<PlateSize> sizes =
        size_name.empty() ? std::vector<PlateSize>{PlateSize::medium, PlateSize::small}
                          : std::vector<PlateSize>{plate_size_from_name(size_name)};
    RenderReport report;
    if (n_pdf > 0) {
        const auto plates = make_plates(n_pdf);
        for (PlateSize size : sizes) {
            RenderOptions o;
            o.size = size;
            o.page = Page::a3;
            const fs::path pdf = dir / "plates.pdf";
            double cpu = 0;
            const double s = run(plates, key, o, pdf.string(), report, cpu);
            std::printf("pdf  %6d %-6s plates on %d A3 pages: %6.2f s wall, %6.2f s cpu (%5.0f plates/s), %6.1f MB  "
                        "[goal < 20 s for 10,000]\n",
                        n_pdf, std::string(plate_spec(size).name).c_str(), report.pages, s, cpu, n_pdf / s,
                        static_cast<double>(fs::file_size(pdf)) / 1e6);
            fs::remove(pdf);
        }
    }
    if (n_png > 0) {
        const auto plates = make_plates(n_png);
        for (PlateSize size : sizes) {
            RenderOptions o;
            o.size = size;
            o.format = OutputFormat::png;
            o.dpi = 300;
            o.threads = threads;
            const fs::path out = dir / "png";
            double cpu = 0;
            const double s = run(plates, key, o, out.string(), report, cpu);
            std::printf("png  %6d %-6s plates at 300 dpi, %d thread(s): %6.2f s wall, %6.2f s cpu (%5.1f plates/s), "
                        "%6.1f MB  [goal < 15 s for 1,000 on 2 cores]\n",
                        n_png, std::string(plate_spec(size).name).c_str(),
                        threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()), s, cpu,
                        n_png / s, static_cast<double>(folder_bytes(out)) / 1e6);
            fs::remove_all(out);
        }
    }
    fs::remove_all(dir);
    return 0;
}

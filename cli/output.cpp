#include "output.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace gridkit {

void warn(const std::string& message) { std::cerr << "gridkit: warning: " << message << '\n'; }

void note(const std::string& message) { std::cerr << "gridkit: " << message << '\n'; }

void print_json(const nlohmann::json& doc) { std::cout << doc.dump() << '\n'; }

ProgressBar::ProgressBar(bool quiet) : m_enabled(!quiet && isatty(fileno(stderr)) == 1) {}

ProgressBar::~ProgressBar() { finish(); }

grid::progress_fn ProgressBar::callback() {
    if (!m_enabled) {
        return {};
    }
    return [this](std::string_view stage, std::uint64_t done, std::uint64_t total) { draw(stage, done, total); };
}

void ProgressBar::draw(std::string_view stage, std::uint64_t done, std::uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (m_drawn && now - m_last < std::chrono::milliseconds(100) && done != total) {
        return;
    }
    m_last = now;
    m_drawn = true;
    if (total > 0) {
        const int width = 30;
        const int filled = static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total));
        std::fprintf(stderr, "\r%-12.*s [%-*s] %3d%% %llu/%llu", static_cast<int>(stage.size()), stage.data(), width,
                     std::string(static_cast<std::size_t>(std::min(filled, width)), '#').c_str(),
                     static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    } else {
        std::fprintf(stderr, "\r%-12.*s %llu", static_cast<int>(stage.size()), stage.data(),
                     static_cast<unsigned long long>(done));
    }
    std::fflush(stderr);
}

void ProgressBar::finish() {
    if (m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }
}

} // namespace gridkit

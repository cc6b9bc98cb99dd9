// Terminal output helpers shared by the commands: messages on stderr, JSON on stdout,
// and a progress bar drawn only on a terminal.
#pragma once

#include "libgrid/progress.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <string>

namespace gridkit {

/// Prints "gridkit: warning: <message>" on stderr.
void warn(const std::string& message);
/// Prints "gridkit: <message>" on stderr (informational; suppressed by --quiet where the caller chooses).
void note(const std::string& message);
/// Prints JSON on stdout, one document per line.
void print_json(const nlohmann::json& doc);

/// A progress bar on stderr; draws nothing when stderr is not a terminal or quiet is set.
class ProgressBar {
public:
    explicit ProgressBar(bool quiet);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    /// The callback to hand to libgrid.
    grid::progress_fn callback();
    /// Clears the bar line.
    void finish();

private:
    void draw(std::string_view stage, std::uint64_t done, std::uint64_t total);
    bool m_enabled;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_last{};
};

} // namespace gridkit

// Progress reporting: long operations take a callback; the CLI draws the bar.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace grid {

/// Called with the work done so far and the total (total 0: unknown). Must be cheap; the
/// library calls it at most every few thousand items.
using progress_fn = std::function<void(std::string_view stage, std::uint64_t done, std::uint64_t total)>;

} // namespace grid

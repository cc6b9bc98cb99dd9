// Private: small helpers on std::vector shared by libgrid's modules.
#pragma once

#include <iterator>
#include <utility>
#include <vector>

namespace grid::detail {

/// Moves the elements of `from` to the end of `to` (the whole buffer when `to` is empty).
template <typename T>
void move_into(std::vector<T>& to, std::vector<T>& from) {
    if (to.empty()) {
        to = std::move(from);
    } else {
        to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    }
}

} // namespace grid::detail

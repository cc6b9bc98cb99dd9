// Private: text preparation for plates that needs no cairo (unit-tested on its own).
#pragma once

#include <string>
#include <vector>

namespace grid::doorplate::detail {

/// The address text with a WORD JOINER (U+2060) between the characters of each component
/// (PlateData::address_parts), so lines break only between components.
std::string unbreakable_parts(const std::string& text, const std::vector<std::string>& parts);

} // namespace grid::doorplate::detail

// DivisionTable::load_directory: the division CSVs read with grid::read_division_csvs. Kept apart
// from the parser core (address.cpp, address_divisions.cpp, address_text.cpp, error.cpp), which
// compiles on its own, so the fuzz target builds without the rest of libgrid (tests/CMakeLists.txt).
#include "libgrid/address.hpp"

#include <algorithm>

namespace grid::address {

DivisionTable DivisionTable::load_directory(const std::string& dir, int max_level) {
    std::vector<Division> all = read_division_csvs(dir);
    all.erase(std::remove_if(all.begin(), all.end(), [&](const Division& d) { return d.level > max_level; }), all.end());
    return DivisionTable(std::move(all));
}

} // namespace grid::address

// The one table of validation codes (docs/errors.md explains each with an example).
// Append only: a code is never renumbered, and a retired code stays in the table's history.
#include "libgrid/validate.hpp"

#include "libgrid/error.hpp"

#include <algorithm>

namespace grid {

namespace {

constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;

const std::vector<ErrorCode> k_table = {
    // 1xx geometry of one feature
    {101, "INVALID_POLYGON", "geometry", E, "polygon is not valid (self-intersection, ring crossing, ...): GEOS's reason and location"},
    {102, "EMPTY_GEOMETRY", "geometry", E, "feature has no geometry (NULL or empty) where one is required"},
    {103, "TOO_FEW_POINTS", "geometry", E, "a polygon ring has fewer than 4 points or fewer than 3 distinct points"},
    {104, "WRONG_GEOMETRY_TYPE", "geometry", E, "geometry type does not fit the layer (e.g. a line in a polygon layer)"},
    {105, "SLIVER_POLYGON", "geometry", E, "a polygon part is smaller or thinner than the sliver limits"},
    {106, "COORDINATES_OUT_OF_RANGE", "geometry", E, "coordinates are not finite or lie outside the CRS's area (swapped axes, 0,0)"},
    {107, "UNREADABLE_GEOMETRY", "geometry", E, "the geometry value is not a readable SpatiaLite geometry"},
    // 2xx coverage and nesting, per level: community -> grid -> micro-grid (and division outlines)
    {201, "SIBLING_OVERLAP", "coverage", E, "two zones of the same parent overlap by more than the tolerance"},
    {202, "GAP_IN_PARENT", "coverage", E, "part of a parent is covered by none of its children (and is no allowed gap)"},
    {203, "CHILD_OUTSIDE_PARENT", "coverage", E, "part of a zone lies outside its recorded parent by more than the tolerance"},
    {204, "PARENT_NOT_FOUND", "coverage", E, "a zone's recorded parent (community, grid) is empty or not in the workspace"},
    {205, "CHILD_IN_OTHER_PARENT", "coverage", E, "a zone lies mostly inside another parent than the one recorded"},
    // 3xx codes
    {301, "CODE_FORMAT", "codes", E, "a code does not have the form of its layer (digits, length, division parts)"},
    {302, "CHECK_CHARACTER", "codes", E, "the check character of a resident ID or social credit code is wrong"},
    {303, "DUPLICATE_CODE", "codes", E, "two features of a layer have the same code (ignoring spaces and letter case)"},
    {304, "CODE_PARENT_MISMATCH", "codes", E, "a code does not start with the code of its recorded parent"},
    {305, "CODE_SEQUENCE", "codes", W, "sibling sequences do not run west to east, then north to south"},
    // 4xx households and assignment
    {401, "TOO_FEW_HOUSEHOLDS", "households", E, "a micro-grid holds fewer households than the minimum"},
    {402, "TOO_MANY_HOUSEHOLDS", "households", E, "a micro-grid holds more households than the maximum"},
    {403, "IN_NO_GRID", "households", E, "a building, address or house lies in no grid"},
    {404, "IN_NO_MICROGRID", "households", E, "a building, address or house lies in a grid but in none of its micro-grids"},
    {405, "WRONG_GRID", "households", E, "a building, address or house lies in another grid than the one recorded"},
    {406, "WRONG_MICROGRID", "households", E, "a building, address or house lies in another micro-grid than the one recorded"},
    {407, "BUILDING_STRADDLES_MICROGRIDS", "households", E, "a building footprint lies in two or more micro-grids"},
    {408, "HOUSE_WITHOUT_ADDRESS", "households", E, "a house has no standard address, or its address code is unknown"},
    {409, "PERSON_WITHOUT_HOUSE", "households", E, "a resident has no house, or the house code is unknown"},
    {410, "ORG_WITHOUT_ADDRESS", "households", E, "an organisation has no standard address, or its address code is unknown"},
    // 9xx dataset
    {901, "EMPTY_DATASET", "dataset", E, "the workspace has no grid, micro-grid or division outline to validate"},
    {902, "SRID_MISMATCH", "dataset", E, "a geometry is in another CRS than the workspace's"},
    {903, "CHECK_FAILED", "dataset", E, "a check could not be completed on a feature (geometry engine failure)"},
};

} // namespace

const std::vector<ErrorCode>& error_codes() { return k_table; }

const ErrorCode& error_code(int number) {
    const auto it = std::lower_bound(k_table.begin(), k_table.end(), number,
                                     [](const ErrorCode& e, int n) { return e.code < n; });
    if (it == k_table.end() || it->code != number) {
        throw usage_error("unknown validation code " + std::to_string(number), "see docs/errors.md for the codes");
    }
    return *it;
}

void ValidationOptions::set_only(std::string_view list) {
    geometry = coverage = codes = households = false;
    std::size_t start = 0;
    bool any = false;
    while (start <= list.size()) {
        const std::size_t end = std::min(list.find(',', start), list.size());
        std::string_view item = list.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (item == "geometry") {
            geometry = true;
        } else if (item == "coverage") {
            coverage = true;
        } else if (item == "codes") {
            codes = true;
        } else if (item == "households") {
            households = true;
        } else {
            throw usage_error("--only: unknown check '" + std::string(item) + "'",
                              "give a comma-separated list of geometry, coverage, codes, households");
        }
        any = true;
        start = end + 1;
    }
    if (!any) {
        throw usage_error("--only: no check given", "give a comma-separated list of geometry, coverage, codes, households");
    }
}

std::string ValidationOptions::only() const {
    std::string out;
    const auto add = [&](bool on, const char* name) {
        if (on) {
            out += (out.empty() ? "" : ",") + std::string(name);
        }
    };
    add(geometry, "geometry");
    add(coverage, "coverage");
    add(codes, "codes");
    add(households, "households");
    return out;
}

} // namespace grid

// Household counts: a household is an occupied residential house; where a building has no
// house rows, its declared `building.households` stands in (ARCHITECTURE.md, data model).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace grid {

class Workspace;

struct BuildingHouseholds {
    std::string building_code;
    std::string grid_code;      ///< as recorded on the building ("" if none)
    std::string microgrid_code; ///< as recorded on the building ("" if none)
    std::int64_t households = 0;
    bool from_houses = false;   ///< counted from house rows (else the declared figure)
};

/// Households of every building, ordered by building code.
std::vector<BuildingHouseholds> households_by_building(const Workspace& ws);

/// The SQL predicate (on table alias h) for a house that counts as a household.
extern const char* const household_house_predicate;

struct ZoneHouseholds {
    std::string code;
    std::string parent_code; ///< grid code for a micro-grid, community code for a grid
    std::string name;
    std::int64_t households = 0;
    std::int64_t buildings = 0;
};

/// Households per grid and per micro-grid (by the buildings' recorded codes), ordered by code;
/// every grid/micro-grid of the workspace appears, with 0 when it holds no building.
std::vector<ZoneHouseholds> households_per_grid(const Workspace& ws);
std::vector<ZoneHouseholds> households_per_microgrid(const Workspace& ws);

} // namespace grid

#include "libgrid/households.hpp"

#include "libgrid/workspace.hpp"

#include <map>

namespace grid {

const char* const household_house_predicate = "h.occupied = 1 AND (h.use IS NULL OR h.use IN ('住宅', '', 'residential'))";

std::vector<BuildingHouseholds> households_by_building(const Workspace& ws) {
    const std::string sql = std::string("WITH hh AS (SELECT a.building_code AS b, count(*) AS n FROM house h "
                                        "JOIN address a ON a.code = h.address_code WHERE ") +
                            household_house_predicate +
                            " GROUP BY a.building_code) "
                            "SELECT b.code, coalesce(b.grid_code, ''), coalesce(b.microgrid_code, ''), "
                            "hh.n, coalesce(b.households, 0) FROM building b LEFT JOIN hh ON hh.b = b.code ORDER BY b.code";
    Statement st = ws.prepare(sql);
    std::vector<BuildingHouseholds> out;
    while (st.step()) {
        BuildingHouseholds b;
        b.building_code = st.column_text(0);
        b.grid_code = st.column_text(1);
        b.microgrid_code = st.column_text(2);
        b.from_houses = !st.is_null(3);
        b.households = b.from_houses ? st.column_int(3) : st.column_int(4);
        out.push_back(std::move(b));
    }
    return out;
}

namespace {

std::vector<ZoneHouseholds> per_zone(const Workspace& ws, const char* zone_sql, bool micro) {
    std::map<std::string, ZoneHouseholds> zones;
    Statement st = ws.prepare(zone_sql);
    while (st.step()) {
        ZoneHouseholds z;
        z.code = st.column_text(0);
        z.parent_code = st.column_text(1);
        z.name = st.column_text(2);
        zones.emplace(z.code, std::move(z));
    }
    for (const auto& b : households_by_building(ws)) {
        const std::string& key = micro ? b.microgrid_code : b.grid_code;
        auto it = zones.find(key);
        if (it != zones.end()) {
            it->second.households += b.households;
            it->second.buildings += 1;
        }
    }
    std::vector<ZoneHouseholds> out;
    out.reserve(zones.size());
    for (auto& [code, z] : zones) {
        out.push_back(std::move(z));
    }
    return out;
}

} // namespace

std::vector<ZoneHouseholds> households_per_grid(const Workspace& ws) {
    return per_zone(ws, "SELECT code, coalesce(community_code, ''), coalesce(name, '') FROM grid", false);
}

std::vector<ZoneHouseholds> households_per_microgrid(const Workspace& ws) {
    return per_zone(ws, "SELECT code, coalesce(grid_code, ''), coalesce(name, '') FROM microgrid", true);
}

} // namespace grid

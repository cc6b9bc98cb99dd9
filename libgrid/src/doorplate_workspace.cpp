// Reading the houses that get doorplates from a workspace: one plate per standard address, with
// the grid and the grid worker (micro-grid leader first) as the plate's service contact.
#include "libgrid/doorplate.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <map>
#include <optional>

namespace grid::doorplate {

namespace {

// The house's micro-grid and grid: its own assignment first, then its address's. Tables keep
// their names so --where can say house.rental, address.text, grid.name, microgrid.name.
constexpr const char* plate_sql = R"(
SELECT house.code, coalesce(house.address_code, ''), address.code IS NOT NULL, coalesce(address.text, ''),
       coalesce(grid.name, ''), coalesce(microgrid.leader, ''), coalesce(microgrid.leader_phone, ''),
       coalesce(grid.leader, ''), coalesce(grid.leader_phone, ''),
       address.province, address.city, address.county, address.township, address.community, address.road,
       address.number, address.compound, address.building, address.unit, address.floor, address.room
FROM house
LEFT JOIN address ON address.code = house.address_code
LEFT JOIN microgrid ON microgrid.code = coalesce(house.microgrid_code, address.microgrid_code)
LEFT JOIN grid ON grid.code = coalesce(house.grid_code, address.grid_code, microgrid.grid_code)
WHERE (?1 = 0 OR house.rental = 1)
  AND (?2 = '' OR grid.code = ?2 OR microgrid.code = ?2)
)";

} // namespace

std::vector<PlateData> plates_from_workspace(const Workspace& ws, const PlateQuery& query) {
    if (!query.grid_code.empty()) {
        Statement known = ws.prepare("SELECT (SELECT count(*) FROM grid WHERE code = ?1) + "
                                     "(SELECT count(*) FROM microgrid WHERE code = ?1)");
        known.bind(1, query.grid_code);
        if (!known.step() || known.column_int(0) == 0) {
            throw usage_error("--grid " + query.grid_code + ": no grid or micro-grid with this code in " + ws.path(),
                              "list the grids with 'gridkit info " + ws.path() + "'");
        }
    }
    std::string sql = plate_sql;
    if (!query.where.empty()) {
        sql += "  AND (" + query.where + ")\n";
    }
    sql += "ORDER BY house.address_code, house.code";
    std::optional<Statement> st;
    try {
        st.emplace(ws.prepare(sql));
    } catch (const error& e) {
        throw usage_error("--where '" + query.where + "' is not a usable SQL condition (" +
                              std::string(e.what()).substr(0, std::string(e.what()).find(" in: ")) + ")",
                          "use columns of house, address, grid and microgrid, e.g. --where \"house.use = '住宅'\"");
    }
    st->bind(1, query.rental_only ? 1 : 0);
    st->bind(2, query.grid_code);

    std::vector<PlateData> plates;
    std::vector<PlateData> without;
    std::map<std::string, std::size_t> by_code;
    while (st->step()) {
        const std::string house = st->column_text(0);
        const std::string code = st->column_text(1);
        const bool found = st->column_int(2) != 0;
        if (code.empty() || !found) {
            PlateData p;
            p.address_code = code;
            p.address_found = code.empty() || found;
            p.houses.push_back(house);
            without.push_back(std::move(p));
            continue;
        }
        const auto [it, added] = by_code.emplace(code, plates.size());
        if (!added) {
            plates[it->second].houses.push_back(house);
            continue;
        }
        PlateData p;
        p.address_code = code;
        p.address_text = st->column_text(3);
        p.grid_name = st->column_text(4);
        p.worker_name = st->column_text(5);
        p.worker_phone = st->column_text(6);
        if (p.worker_name.empty() && p.worker_phone.empty()) {
            p.worker_name = st->column_text(7);
            p.worker_phone = st->column_text(8);
        }
        for (int c = 9; c < 21; ++c) {
            std::string part = st->column_text(c);
            if (!part.empty()) {
                p.address_parts.push_back(std::move(part));
            }
        }
        p.houses.push_back(house);
        plates.push_back(std::move(p));
    }
    for (auto& p : without) {
        plates.push_back(std::move(p));
    }
    return plates;
}

} // namespace grid::doorplate

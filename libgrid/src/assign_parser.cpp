// The address parser as a workspace configures it: its own division layer (plus the NBS table
// when given) and its road and compound names as the gazetteer.
#include "libgrid/address.hpp"
#include "libgrid/division.hpp"
#include "libgrid/workspace.hpp"

#include "detail/assign_internal.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

namespace grid::assign::detail {

address::DivisionTable workspace_divisions(const Workspace& ws, const std::string& extra_dir) {
    std::vector<Division> all = read_divisions(ws);
    if (!extra_dir.empty()) {
        std::unordered_set<std::string> known;
        for (const auto& d : all) {
            known.insert(d.code);
        }
        for (auto& d : read_division_csvs(extra_dir)) {
            if (d.level <= 5 && known.insert(d.code).second) {
                all.push_back(std::move(d));
            }
        }
    }
    return address::DivisionTable(std::move(all));
}

address::Gazetteer workspace_gazetteer(const Workspace& ws) {
    std::set<std::string> roads, compounds;
    auto collect = [&](const char* sql, std::set<std::string>& into) {
        Statement st = ws.prepare(sql);
        while (st.step()) {
            std::string v = st.column_text(0);
            if (!v.empty() && address::is_valid_utf8(v)) {
                into.insert(std::move(v));
            }
        }
    };
    collect("SELECT DISTINCT name FROM road WHERE name IS NOT NULL", roads);
    collect("SELECT DISTINCT road FROM address WHERE road IS NOT NULL", roads);
    collect("SELECT DISTINCT name FROM compound WHERE name IS NOT NULL", compounds);
    collect("SELECT DISTINCT compound FROM building WHERE compound IS NOT NULL", compounds);
    collect("SELECT DISTINCT compound FROM address WHERE compound IS NOT NULL", compounds);
    address::Gazetteer g;
    g.roads.assign(roads.begin(), roads.end());
    g.compounds.assign(compounds.begin(), compounds.end());
    return g;
}

WorkspaceParser make_workspace_parser(const Workspace& ws, const std::string& extra_divisions_dir) {
    WorkspaceParser p;
    p.divisions = std::make_unique<address::DivisionTable>(workspace_divisions(ws, extra_divisions_dir));
    p.gazetteer = std::make_unique<address::Gazetteer>(workspace_gazetteer(ws));
    p.parser = std::make_unique<address::AddressParser>(p.divisions->empty() ? nullptr : p.divisions.get(),
                                                        address::ParserOptions{}, p.gazetteer.get());
    if (!p.divisions->empty()) {
        p.plain_parser = std::make_unique<address::AddressParser>(nullptr, address::ParserOptions{}, p.gazetteer.get());
    }
    return p;
}

address::ParsedAddress WorkspaceParser::parse(std::string_view text) const {
    address::ParsedAddress with_table = parser->parse(text);
    if (!plain_parser || !with_table.ok() || with_table.value(address::Component::rest).empty()) {
        return with_table;
    }
    address::ParsedAddress plain = plain_parser->parse(text);
    return plain.ok() && plain.value(address::Component::rest).size() < with_table.value(address::Component::rest).size()
               ? plain
               : with_table;
}

} // namespace grid::assign::detail

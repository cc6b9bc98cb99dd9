// Private: see schema_aside.hpp.
#include "detail/schema_aside.hpp"

#include "libgrid/workspace.hpp"

namespace grid::detail {

SchemaAside::SchemaAside(const Workspace& ws, const std::string& tables, What what) : m_ws(ws) {
    const char* types = what == What::triggers ? "'trigger'" : what == What::indexes ? "'index'" : "'trigger', 'index'";
    Statement st = ws.prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN (" + tables +
                              ") AND sql IS NOT NULL AND type IN (" + types + ") ORDER BY type, name");
    std::vector<std::string> drops;
    while (st.step()) {
        drops.push_back("DROP " + st.column_text(0) + " \"" + st.column_text(1) + "\"");
        m_sql.push_back(st.column_text(2));
    }
    st.reset();
    for (const auto& d : drops) {
        ws.exec(d);
    }
}

void SchemaAside::restore() {
    for (const auto& sql : m_sql) {
        m_ws.exec(sql);
    }
    m_sql.clear();
}

} // namespace grid::detail

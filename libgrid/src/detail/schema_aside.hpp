// Private: setting a table's triggers and secondary indexes aside for a bulk change, inside the
// caller's transaction (a failure rolls the drop back with everything else).
#pragma once

#include <string>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::detail {

/// Saves the SQL of the triggers and/or secondary indexes of some tables, drops them, and runs
/// the saved SQL again at restore(). `tables` is an SQL list such as "'address'" or
/// "'grid', 'microgrid'". Use inside a transaction: rolling it back restores them too; a
/// SchemaAside destroyed without restore() leaves them dropped in that transaction.
class SchemaAside {
public:
    enum class What { triggers, indexes, triggers_and_indexes };
    SchemaAside(const Workspace& ws, const std::string& tables, What what);
    SchemaAside(const SchemaAside&) = delete;
    SchemaAside& operator=(const SchemaAside&) = delete;
    void restore();

private:
    const Workspace& m_ws;
    std::vector<std::string> m_sql;
};

} // namespace grid::detail

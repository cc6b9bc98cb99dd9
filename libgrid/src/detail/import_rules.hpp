// Per-layer rules applied to each imported row: code formats and check characters, parent
// consistency (a child's code starts with its parent's), parents present in the workspace,
// and fields derived from the code when the source leaves them empty.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_set>

namespace grid {
class Workspace;
}

namespace grid::detail {

/// Access to the destination values of one row.
struct RowView {
    std::size_t size;
    std::function<std::optional<std::string>*(const std::string& field)> lookup;
    std::optional<std::string>* get(const std::string& field) const { return lookup(field); }
};

/// True when the importer can fill `field` of `layer` from the row's code.
bool derivable(const std::string& layer, const std::string& field);

class ImportRules {
public:
    ImportRules(const Workspace& ws, std::string layer);
    /// Checks (and completes) a row; calls reject(field, reason) for each problem found.
    /// Reasons never contain personal data.
    void check(const RowView& row, const std::function<void(const std::string&, const std::string&)>& reject) const;
    /// The next unused code under `parent` (building, grid or micro-grid layer).
    std::string next_code(const std::string& parent);

private:
    bool parent_known(const std::unordered_set<std::string>& set, bool active, const std::string& code) const {
        return !active || set.count(code) > 0;
    }
    std::string m_layer;
    const Workspace& m_ws;
    std::unordered_set<std::string> m_parents;  ///< codes of the parent layer, when it has rows
    bool m_check_parents = false;
    std::string m_parent_layer;
    std::unordered_set<std::string> m_used;     ///< codes used (for next_code)
    int m_next_sequence = -1;
};

} // namespace grid::detail

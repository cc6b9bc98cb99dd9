#include "detail/import_rules.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

namespace grid::detail {

namespace {

struct ParentRule {
    const char* layer;
    const char* field;        // field holding the parent code
    const char* parent_layer; // where the parent must exist (when that layer has rows)
    const char* parent_key;
    std::size_t prefix;       // length of the code prefix that must equal the parent code (0: none)
};

// The parent of each layer's rows.
const ParentRule rules[] = {
    {"grid", "community_code", "division", "code", 12},
    {"microgrid", "grid_code", "grid", "code", 15},
    {"building", "community_code", "division", "code", 12},
    {"address", "building_code", "building", "code", 17},
    {"house", "address_code", "address", "code", 0},
    {"person", "house_code", "house", "code", 0},
    {"org", "address_code", "address", "code", 0},
    {"division", "parent_code", "division", "code", 0},
};

const ParentRule* rule_for(const std::string& layer) {
    for (const auto& r : rules) {
        if (layer == r.layer) {
            return &r;
        }
    }
    return nullptr;
}

codes::CodeKind kind_for(const std::string& layer) {
    if (layer == "grid") return codes::CodeKind::grid;
    if (layer == "microgrid") return codes::CodeKind::microgrid;
    if (layer == "building") return codes::CodeKind::building;
    if (layer == "address") return codes::CodeKind::address;
    return codes::CodeKind::unknown;
}

} // namespace

bool derivable(const std::string& layer, const std::string& field) {
    const ParentRule* r = rule_for(layer);
    if (r != nullptr && r->prefix > 0 && field == r->field) {
        return true;
    }
    return (layer == "address" && field == "level") || (layer == "division" && (field == "level" || field == "parent_code"));
}

ImportRules::ImportRules(const Workspace& ws, std::string layer) : m_layer(std::move(layer)), m_ws(ws) {
    const ParentRule* r = rule_for(m_layer);
    if (r == nullptr || m_layer == "division") {
        return;
    }
    m_parent_layer = r->parent_layer;
    // Parents are enforced only when the parent layer has rows: a workspace may be filled in
    // any order, but once grids exist a micro-grid naming an unknown grid is an error.
    std::string sql = std::string("SELECT ") + r->parent_key + " FROM " + r->parent_layer;
    if (std::string(r->parent_layer) == "division") {
        sql += " WHERE level = 5";
    }
    Statement st = ws.prepare(sql);
    while (st.step()) {
        m_parents.insert(st.column_text(0));
    }
    m_check_parents = !m_parents.empty();
}

void ImportRules::check(const RowView& row, const std::function<void(const std::string&, const std::string&)>& reject) const {
    auto value = [&](const char* field) -> std::string {
        auto* v = row.get(field);
        return (v != nullptr && v->has_value()) ? **v : std::string();
    };
    const ParentRule* r = rule_for(m_layer);

    if (m_layer == "person") {
        const std::string id = value("id_number");
        if (!codes::valid_resident_id(id)) {
            reject("id_number", "resident ID is not valid (GB 11643 format, date or check character)");
        }
    } else if (m_layer == "org") {
        const std::string uscc = value("uscc");
        if (!codes::valid_uscc(uscc)) {
            const auto ci = codes::check(uscc, codes::CodeKind::uscc);
            reject("uscc", "unified social credit code is not valid: " + ci.message);
        }
    } else if (m_layer == "division") {
        const std::string code = value("code");
        const auto ci = codes::explain(code);
        static const std::size_t lengths[] = {2, 4, 6, 9, 12};
        int level = 0;
        for (int i = 0; i < 5; ++i) {
            if (code.size() == lengths[i] && code.find_first_not_of("0123456789") == std::string::npos) {
                level = i + 1;
            }
        }
        if (level == 0) {
            reject("code", "division code '" + code.substr(0, 30) + "' must have 2, 4, 6, 9 or 12 digits");
            return;
        }
        if (auto* lv = row.get("level"); lv != nullptr) {
            if (!lv->has_value()) {
                *lv = std::to_string(level);
            } else if (**lv != std::to_string(level)) {
                reject("level", "level " + **lv + " does not match the " + std::to_string(code.size()) + "-digit code");
            }
        }
        if (auto* parent = row.get("parent_code"); parent != nullptr && level > 1) {
            const std::string expected = code.substr(0, lengths[level - 2]);
            if (!parent->has_value()) {
                *parent = expected;
            } else if (**parent != expected) {
                reject("parent_code", "parent " + **parent + " is not the prefix of code " + code);
            }
        }
        return;
    } else if (m_layer == "house") {
        const std::string ac = value("address_code");
        if (!ac.empty()) {
            const auto ci = codes::check(ac, codes::CodeKind::address);
            if (!ci.valid) {
                reject("address_code", "address code '" + ac.substr(0, 30) + "' is not valid: " + ci.message);
            }
        }
    }

    const codes::CodeKind kind = kind_for(m_layer);
    std::string code = value("code");
    if (kind != codes::CodeKind::unknown) {
        const auto ci = codes::check(code, kind);
        if (!ci.valid) {
            reject("code", std::string(codes::kind_name(kind)) + " code '" + code.substr(0, 30) + "' is not valid: " + ci.message);
            return;
        }
        if (m_layer == "address") {
            if (auto* lv = row.get("level"); lv != nullptr && !lv->has_value()) {
                const std::string unit = code.substr(17, 3);
                const std::string room = code.substr(20, 4);
                *lv = room != "0000" ? "room" : unit != "000" ? "unit" : "building";
            }
        }
    }
    if (r == nullptr) {
        return;
    }
    auto* parent = row.get(r->field);
    if (r->prefix > 0 && code.size() >= r->prefix) {
        const std::string expected = code.substr(0, r->prefix);
        if (parent != nullptr) {
            if (!parent->has_value() || (*parent)->empty()) {
                *parent = expected;
            } else if (**parent != expected) {
                reject(r->field, std::string(r->field) + " " + **parent + " does not match the code, which starts with " + expected);
                return;
            }
        }
    }
    const std::string parent_code = (parent != nullptr && parent->has_value()) ? **parent : std::string();
    if (!parent_code.empty() && m_check_parents && m_parents.count(parent_code) == 0) {
        reject(r->field, std::string(r->field) + " " + (m_layer == "person" ? std::string("(house)") : parent_code) +
                             " is not in the workspace's " + m_parent_layer + " layer; import the " + m_parent_layer +
                             " rows first");
    }
}

std::string ImportRules::next_code(const std::string& parent) {
    if (m_next_sequence < 0) {
        Statement st = m_ws.prepare("SELECT code FROM " + m_layer + " WHERE code LIKE ? || '%'");
        st.bind(1, parent);
        int highest = 0;
        while (st.step()) {
            const std::string c = st.column_text(0);
            if (c.size() > parent.size()) {
                try {
                    highest = std::max(highest, std::stoi(c.substr(parent.size())));
                } catch (const std::exception&) {
                }
            }
        }
        m_next_sequence = highest + 1;
    }
    const int seq = m_next_sequence++;
    if (m_layer == "building") return codes::make_building_code(parent, seq);
    if (m_layer == "grid") return codes::make_grid_code(parent, seq);
    return codes::make_microgrid_code(parent, seq);
}

} // namespace grid::detail

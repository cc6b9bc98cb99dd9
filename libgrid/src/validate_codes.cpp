// Code checks (3xx): format and check characters (through the codes module), duplicates after
// normalisation, codes that do not start with their parent's, and the sequence order of grids
// and micro-grids (west to east, then north to south: design/CODES.md).
#include "detail/validate_internal.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_map>

namespace grid::detail {

namespace {

std::string normalised(std::string_view code) {
    std::size_t b = 0, e = code.size();
    while (b < e && std::isspace(static_cast<unsigned char>(code[b])) != 0) {
        ++b;
    }
    while (e > b && std::isspace(static_cast<unsigned char>(code[e - 1])) != 0) {
        --e;
    }
    std::string out(code.substr(b, e - b));
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

const char* layer_noun(const std::string& layer) {
    if (layer == "microgrid") {
        return "micro-grid";
    }
    if (layer == "org") {
        return "organisation";
    }
    if (layer == "person") {
        return "resident";
    }
    return layer.c_str();
}

codes::CodeKind division_kind(int level) {
    switch (level) {
    case 1:
        return codes::CodeKind::province;
    case 2:
        return codes::CodeKind::city;
    case 3:
        return codes::CodeKind::county;
    case 4:
        return codes::CodeKind::township;
    default:
        return codes::CodeKind::community;
    }
}

/// The significant digits of a division code written padded ("320612000000" -> "320612").
std::string effective_division(const std::string& code) {
    const codes::CodeInfo info = codes::explain(code);
    const auto it = info.fields.find("padded_from");
    return it != info.fields.end() ? it->second : code;
}

} // namespace

bool is_normal_code(std::string_view code) {
    if (!code.empty() && (std::isspace(static_cast<unsigned char>(code.front())) != 0 ||
                          std::isspace(static_cast<unsigned char>(code.back())) != 0)) {
        return false;
    }
    return std::none_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool check_code_format(const std::string& layer, std::string_view id, std::string_view code, codes::CodeKind kind,
                       bool sensitive, std::vector<ValidationError>& out) {
    const codes::CodeInfo info = codes::check(code, kind);
    if (info.valid) {
        return true;
    }
    const std::string shown = kind == codes::CodeKind::resident_id ? codes::mask_resident_id(code) : std::string(code);
    const std::string who =
        std::string(layer_noun(layer)) + " " + std::string(id) + (sensitive ? " (" + shown + ")" : std::string());
    // A wrong check character alone is 302; the message of the codes module never prints the
    // expected character for a resident ID.
    bool only_check_char = false;
    const std::string t = normalised(code);
    if (t.size() == 18 && (kind == codes::CodeKind::resident_id || kind == codes::CodeKind::uscc)) {
        try {
            const char want = kind == codes::CodeKind::resident_id ? codes::resident_id_check_char(t.substr(0, 17))
                                                                  : codes::uscc_check_char(t.substr(0, 17));
            only_check_char = want != t[17] && codes::check(t.substr(0, 17) + want, kind).valid;
        } catch (const error&) {
            only_check_char = false;
        }
    }
    out.push_back(finding(only_check_char ? code::check_character : code::code_format, layer, std::string(id),
                          who + ": " + info.message));
    return false;
}

void check_code_prefix(const std::string& layer, std::string_view id, std::string_view code, std::string_view parent,
                       const char* parent_noun, std::vector<ValidationError>& out) {
    if (parent.empty() || code.compare(0, parent.size(), parent) == 0 ||
        normalised(code).compare(0, parent.size(), normalised(parent)) == 0) {
        return;
    }
    ValidationError e = finding(code::code_parent_mismatch, layer, std::string(id),
                                std::string(layer_noun(layer)) + " " + std::string(id) + ": code does not start with its " +
                                    parent_noun + " code " + std::string(parent));
    e.related_id = std::string(parent);
    out.push_back(std::move(e));
}

void check_duplicate_codes(const std::string& layer, const std::vector<std::string>& codes_,
                           const std::vector<std::string>& ids, bool sensitive, std::vector<ValidationError>& out) {
    // The schema makes codes UNIQUE, so two codes can only collide once spaces and case are
    // ignored: skip the map when every code is already in normal form.
    if (std::all_of(codes_.begin(), codes_.end(), [](const std::string& c) { return is_normal_code(c); })) {
        return;
    }
    std::unordered_map<std::string, std::size_t> first;
    first.reserve(codes_.size());
    for (std::size_t i = 0; i < codes_.size(); ++i) {
        const auto [it, fresh] = first.emplace(normalised(codes_[i]), i);
        if (fresh) {
            continue;
        }
        const std::string shown = sensitive ? codes::mask_resident_id(codes_[i]) : "'" + codes_[i] + "'";
        ValidationError e = finding(code::duplicate_code, layer, ids[i],
                                    std::string(layer_noun(layer)) + " " + ids[i] + ": code " + shown +
                                        " is the same as that of " + ids[it->second] +
                                        " (ignoring spaces and letter case)");
        e.related_id = ids[it->second];
        out.push_back(std::move(e));
    }
}

namespace {

/// 305: consecutive sequences among siblings must not step back (north, or west in the same row).
void check_sequence(const Context& ctx, const std::vector<const Zone*>& siblings, const char* noun,
                    std::vector<ValidationError>& out) {
    std::vector<std::pair<int, const Zone*>> seq;
    for (const Zone* z : siblings) {
        const std::string tail = z->code.size() >= 3 ? z->code.substr(z->code.size() - 3) : "";
        if (z->usable() && tail.size() == 3 && std::all_of(tail.begin(), tail.end(), ::isdigit)) {
            seq.emplace_back(std::stoi(tail), z);
        }
    }
    std::sort(seq.begin(), seq.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 1; k < seq.size(); ++k) {
        const geom::Envelope& a = seq[k - 1].second->envelope;
        const geom::Envelope& b = seq[k].second->envelope;
        const double overlap_y = std::min(a.maxy, b.maxy) - std::max(a.miny, b.miny);
        const bool same_row = overlap_y > 0.5 * std::min(a.height(), b.height());
        // Centres against extents: neighbours share edges, and in metres a shared meridian is not straight up.
        const bool north = (b.miny + b.maxy) / 2 > a.maxy;
        const bool west = same_row && (b.minx + b.maxx) / 2 < a.minx;
        if (!north && !west) {
            continue;
        }
        const Zone& z = *seq[k].second;
        ValidationError e = finding(code::code_sequence, z.layer, z.id(), "");
        e.related_id = seq[k - 1].second->id();
        e.location = ctx.frame.point_to_workspace({(b.minx + b.maxx) / 2, (b.miny + b.maxy) / 2});
        e.message = std::string(noun) + " " + z.id() + " lies " + (north ? "north" : "west") + " of " +
                    e.related_id + ", which has the lower sequence: sequences run west to east, then north to south";
        out.push_back(std::move(e));
    }
}

} // namespace

void check_zone_codes(Context& ctx) {
    std::vector<ValidationError> out;
    // Divisions with an outline (the reference table itself is not re-checked).
    for (const Zone& z : ctx.divisions.zones) {
        if (!z.in_scope) {
            continue;
        }
        if (check_code_format(z.layer, z.id(), z.code, division_kind(z.level), false, out) && !z.parent.empty()) {
            check_code_prefix(z.layer, z.id(), effective_division(z.code), effective_division(z.parent),
                              "parent division", out);
        }
    }
    std::map<std::string, std::vector<const Zone*>> grids_by_parent, micro_by_parent;
    for (const Zone& z : ctx.grids.zones) {
        if (!z.in_scope) {
            continue;
        }
        if (check_code_format(z.layer, z.id(), z.code, codes::CodeKind::grid, false, out)) {
            check_code_prefix(z.layer, z.id(), z.code, z.parent, "community", out);
            grids_by_parent[z.parent].push_back(&z);
        }
    }
    for (const Zone& z : ctx.microgrids.zones) {
        if (!z.in_scope) {
            continue;
        }
        if (check_code_format(z.layer, z.id(), z.code, codes::CodeKind::microgrid, false, out)) {
            check_code_prefix(z.layer, z.id(), z.code, z.parent, "grid", out);
            micro_by_parent[z.parent].push_back(&z);
        }
    }
    for (const ZoneSet* set : {&ctx.divisions, &ctx.grids, &ctx.microgrids}) {
        std::vector<std::string> codes_, ids;
        for (const Zone& z : set->zones) {
            if (z.in_scope) {
                codes_.push_back(z.code);
                ids.push_back(z.id());
            }
        }
        if (!set->zones.empty()) {
            check_duplicate_codes(set->zones.front().layer, codes_, ids, false, out);
        }
    }
    // With --grid, the grid's siblings are not checked, so neither is its place among them.
    if (ctx.grid_scope.empty()) {
        for (const auto& [parent, siblings] : grids_by_parent) {
            check_sequence(ctx, siblings, "grid", out);
        }
    }
    for (const auto& [parent, siblings] : micro_by_parent) {
        check_sequence(ctx, siblings, "micro-grid", out);
    }
    ctx.findings.add(out);
}

} // namespace grid::detail

// validate(): runs the check phases over a workspace and assembles the report.
#include "libgrid/validate.hpp"

#include "detail/validate_internal.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <tuple>

#ifndef GRIDKIT_VERSION
#define GRIDKIT_VERSION "unknown"
#endif

namespace grid {

namespace {

void check_options(const ValidationOptions& o) {
    if (!std::isfinite(o.tolerance) || o.tolerance < 0) {
        throw usage_error("--tolerance must be 0 or more metres", "e.g. --tolerance 0.1");
    }
    if (!std::isfinite(o.sliver_area) || o.sliver_area < 0 || !std::isfinite(o.sliver_width) || o.sliver_width < 0) {
        throw usage_error("sliver limits must be 0 or more");
    }
    if (o.min_households < 0 || o.max_households < o.min_households) {
        throw usage_error("--min " + std::to_string(o.min_households) + " --max " + std::to_string(o.max_households) +
                              ": need 0 <= min <= max",
                          "e.g. --min 50 --max 100");
    }
    if (!(o.straddle_share > 0 && o.straddle_share <= 0.5)) {
        throw usage_error("the straddle share must be in (0, 0.5]");
    }
}

} // namespace

ValidationReport validate(const Workspace& ws, const ValidationOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    check_options(options);
    if (!options.grid.empty()) {
        Statement st = ws.prepare("SELECT 1 FROM grid WHERE code = ?");
        st.bind(1, options.grid);
        if (!st.step()) {
            throw usage_error("--grid " + options.grid + ": no such grid in " + ws.path(),
                              "list the grids with 'gridkit info " + ws.path() + "'");
        }
    }
    detail::Context ctx{ws, options};
    ctx.threads = detail::thread_count(options.threads);
    ctx.grid_scope = options.grid;

    detail::read_zones(ctx);
    ctx.progress("zones read", 0, 0);
    detail::check_zone_geometries(ctx);
    ctx.progress("geometry", 0, 0);

    std::size_t zones = 0;
    for (const detail::ZoneSet* set : {&ctx.divisions, &ctx.grids, &ctx.microgrids}) {
        zones += set->zones.size();
    }
    if (zones == 0) {
        ctx.findings.add(detail::finding(code::empty_dataset, "workspace", ws.path(),
                                         "workspace " + ws.path() +
                                             " has no grid, micro-grid or division outline: nothing to check coverage "
                                             "against; import grids first"));
    }
    if (options.coverage) {
        detail::check_coverage(ctx);
    }
    if (options.codes) {
        detail::check_zone_codes(ctx);
    }
    if (options.codes || options.households || options.geometry) {
        detail::check_features(ctx);
    }

    ValidationReport report;
    report.workspace = ws.path();
    report.srid = ws.srid();
    report.options = options;
    report.options.progress = nullptr;
    report.errors = ctx.findings.take();
    if (!ctx.grid_scope.empty()) {
        // Allowed gaps are only reported on where they touch the grid.
        std::set<std::string> outside;
        for (const auto& z : ctx.allowed_gaps.zones) {
            if (!z.in_scope) {
                outside.insert(z.id());
            }
        }
        report.errors.erase(std::remove_if(report.errors.begin(), report.errors.end(),
                                           [&](const ValidationError& e) {
                                               return e.layer == "allowed_gap" && outside.count(e.id) != 0;
                                           }),
                            report.errors.end());
    }
    std::sort(report.errors.begin(), report.errors.end(), [](const ValidationError& a, const ValidationError& b) {
        return std::tie(a.code, a.layer, a.id, a.related_id, a.message) <
               std::tie(b.code, b.layer, b.id, b.related_id, b.message);
    });

    ValidationOverview& ov = report.overview;
    const std::pair<const char*, const detail::ZoneSet*> zone_layers[] = {
        {"division", &ctx.divisions}, {"grid", &ctx.grids}, {"microgrid", &ctx.microgrids}, {"allowed_gap", &ctx.allowed_gaps}};
    for (const auto& [layer, set] : zone_layers) {
        ov.features[layer] = std::count_if(set->zones.begin(), set->zones.end(), [](const auto& z) { return z.in_scope; });
    }
    for (const auto& [layer, n] : ctx.features) {
        ov.features[layer] = n;
    }
    for (const auto& e : report.errors) {
        ++ov.by_code[e.code];
        if (error_code(e.code).severity == Severity::warning) {
            ++ov.warnings;
        } else {
            ++ov.errors;
        }
    }
    ov.households = ctx.households;
    ov.metric_crs = ctx.frame.name();
    ov.notes = ctx.notes;
    ov.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

// --- JSON ------------------------------------------------------------------------------------

namespace {

nlohmann::json location_json(const std::optional<geom::Point>& p) {
    if (!p) {
        return nullptr;
    }
    return {{"type", "Point"}, {"coordinates", {p->x, p->y}}};
}

const char* severity_name(Severity s) { return s == Severity::warning ? "warning" : "error"; }

} // namespace

nlohmann::json to_json(const ValidationReport& r) {
    const ValidationOptions& o = r.options;
    nlohmann::json only = nlohmann::json::array();
    for (const auto* c : {"geometry", "coverage", "codes", "households"}) {
        if (o.only().find(c) != std::string::npos) {
            only.push_back(c);
        }
    }
    nlohmann::json by_code = nlohmann::json::array();
    for (const auto& [c, n] : r.overview.by_code) {
        const ErrorCode& ec = error_code(c);
        by_code.push_back({{"code", c}, {"name", ec.name}, {"severity", severity_name(ec.severity)}, {"count", n}});
    }
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : r.errors) {
        const ErrorCode& ec = error_code(e.code);
        nlohmann::json j{{"code", e.code},       {"name", ec.name},   {"severity", severity_name(ec.severity)},
                         {"layer", e.layer},     {"id", e.id},        {"message", e.message},
                         {"location", location_json(e.location)}};
        if (!e.related_id.empty()) {
            j["related_id"] = e.related_id;
        }
        if (e.area_m2) {
            j["area_m2"] = std::round(*e.area_m2 * 1000.0) / 1000.0;
        }
        if (e.households) {
            j["households"] = *e.households;
        }
        errors.push_back(std::move(j));
    }
    return {{"type", "gridkit_validation_report"},
            {"version", validation_report_version},
            {"gridkit_version", GRIDKIT_VERSION},
            {"workspace", r.workspace},
            {"crs", "EPSG:" + std::to_string(r.srid)},
            {"parameters",
             {{"only", only},
              {"grid", o.grid.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.grid)},
              {"tolerance_m", o.tolerance},
              {"sliver_area_m2", o.sliver_area},
              {"sliver_width_m", o.sliver_width},
              {"straddle_share", o.straddle_share},
              {"min_households", o.min_households},
              {"max_households", o.max_households},
              {"metric_crs", r.overview.metric_crs}}},
            {"overview",
             {{"features", r.overview.features},
              {"errors", r.overview.errors},
              {"warnings", r.overview.warnings},
              {"households", r.overview.households},
              {"by_code", by_code},
              {"notes", r.overview.notes},
              {"seconds", std::round(r.overview.seconds * 1000.0) / 1000.0}}},
            {"errors", errors},
            {"valid", r.valid()}};
}

} // namespace grid

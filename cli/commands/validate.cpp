// gridkit validate WS: topology, codes and household checks with stable error codes (docs/errors.md).
#include "command.hpp"
#include "output.hpp"

#include "libgrid/error.hpp"
#include "libgrid/validate.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>

namespace gridkit {

namespace {

struct ValidateOptions {
    std::string workspace;
    std::string only;
    bool only_given = false;
    std::string grid;
    double tolerance = 0.1;
    double sliver_area = 1.0;
    double sliver_width = 0.5;
    std::string format = "text";
    bool json = false;
    std::string errors_out;
    bool overwrite = false;
    std::int64_t min = 50;
    std::int64_t max = 100;
    unsigned threads = 0;
    int examples = 3;
    bool quiet = false;
};

void print_text(const grid::ValidationReport& r, int examples) {
    const auto& o = r.options;
    std::printf("validate %s: EPSG:%d, metric %s, tolerance %g m, households %lld-%lld, checks %s%s\n",
                r.workspace.c_str(), r.srid, r.overview.metric_crs.c_str(), o.tolerance,
                static_cast<long long>(o.min_households), static_cast<long long>(o.max_households), o.only().c_str(),
                o.grid.empty() ? "" : (", grid " + o.grid).c_str());
    std::string checked;
    for (const auto& [layer, n] : r.overview.features) {
        if (n > 0) {
            checked += (checked.empty() ? "" : ", ") + std::to_string(n) + " " + layer;
        }
    }
    std::printf("checked: %s\n", checked.empty() ? "nothing" : checked.c_str());
    std::printf("households in the checked micro-grids: %lld\n", static_cast<long long>(r.overview.households));
    if (!r.errors.empty()) {
        std::printf("\n code  name                            count\n");
    }
    std::map<int, int> shown;
    std::size_t i = 0;
    for (const auto& [code, count] : r.overview.by_code) {
        const grid::ErrorCode& ec = grid::error_code(code);
        std::printf(" %4d  %-30.*s %6lld  %.*s%s\n", code, static_cast<int>(ec.name.size()), ec.name.data(),
                    static_cast<long long>(count), static_cast<int>(ec.description.size()), ec.description.data(),
                    ec.severity == grid::Severity::warning ? " (warning)" : "");
        int n = 0;
        for (; i < r.errors.size() && r.errors[i].code == code; ++i) {
            if (n < examples) {
                std::printf("       %s\n", r.errors[i].message.c_str());
            }
            ++n;
        }
        if (n > examples) {
            std::printf("       ... %d more (--format json or --errors FILE.gpkg lists all)\n", n - examples);
        }
    }
    for (const auto& note_text : r.overview.notes) {
        std::printf("note: %s\n", note_text.c_str());
    }
    std::printf("result: %s (%lld error%s, %lld warning%s) in %.1f s\n", r.valid() ? "valid" : "NOT VALID",
                static_cast<long long>(r.overview.errors), r.overview.errors == 1 ? "" : "s",
                static_cast<long long>(r.overview.warnings), r.overview.warnings == 1 ? "" : "s", r.overview.seconds);
}

int run_validate(const ValidateOptions& opt) {
    grid::ValidationOptions v;
    if (opt.only_given) {
        v.set_only(opt.only); // an empty --only "" is a usage error too
    }
    v.grid = opt.grid;
    v.tolerance = opt.tolerance;
    v.sliver_area = opt.sliver_area;
    v.sliver_width = opt.sliver_width;
    v.min_households = opt.min;
    v.max_households = opt.max;
    v.threads = opt.threads;
    if (!opt.errors_out.empty()) {
        // Refuse an existing --errors file now, not after a validation of minutes.
        grid::check_error_geopackage_target(opt.errors_out, opt.overwrite);
    }
    const auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    ProgressBar bar(opt.quiet);
    v.progress = bar.callback();
    const grid::ValidationReport report = grid::validate(ws, v);
    bar.finish();
    if (!opt.errors_out.empty()) {
        grid::write_error_geopackage(report, opt.errors_out, opt.overwrite);
        if (!opt.quiet) {
            note("wrote " + std::to_string(report.errors.size()) + " findings to " + opt.errors_out);
        }
    }
    if (opt.json || opt.format == "json") {
        print_json(grid::to_json(report));
    } else {
        print_text(report, opt.examples);
    }
    return static_cast<int>(report.valid() ? grid::exit_status::ok : grid::exit_status::data_problems);
}

} // namespace

void register_validate(RegistryContext& ctx) {
    auto opt = std::make_shared<ValidateOptions>();
    CLI::App* cmd = ctx.app.add_subcommand(
        "validate", "Check geometry, coverage (gaps, overlaps, nesting), codes and households; report stable error codes");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    CLI::Option* only = cmd->add_option("--only", opt->only, "Checks to run, comma-separated: geometry,coverage,codes,households (default: all)");
    cmd->add_option("--grid", opt->grid, "Check one grid (by code) and what lies in it");
    cmd->add_option("--tolerance", opt->tolerance, "Overlaps, gaps and outside parts narrower than this are not reported (metres)")
        ->capture_default_str()
        ->check(non_negative());
    cmd->add_option("--sliver-area", opt->sliver_area, "Polygon parts smaller than this are slivers (m²)")
        ->capture_default_str()
        ->check(non_negative());
    cmd->add_option("--sliver-width", opt->sliver_width, "Polygon parts thinner than this on average are slivers (metres)")
        ->capture_default_str()
        ->check(non_negative());
    cmd->add_option("--min", opt->min, "Fewest households a micro-grid may hold")->capture_default_str()->check(non_negative());
    cmd->add_option("--max", opt->max, "Most households a micro-grid may hold")->capture_default_str()->check(non_negative());
    cmd->add_option("--format", opt->format, "Report format on stdout")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_flag("--json", opt->json, "Same as --format json");
    cmd->add_option("--errors", opt->errors_out, "Also write the findings to this GeoPackage (layers error_locations, error_areas)");
    cmd->add_flag("--overwrite", opt->overwrite, "Replace the --errors file if it exists");
    cmd->add_option("--examples", opt->examples, "Findings listed per code in the text report")->capture_default_str()->check(non_negative());
    cmd->add_option("--threads", opt->threads, "Threads to use (default: one per core)");
    Runner* selected = &ctx.selected;
    const GlobalOptions* global = &ctx.global;
    cmd->callback([opt, selected, global, only] {
        opt->only_given = only->count() > 0;
        *selected = [opt, global] {
            opt->quiet = global->quiet;
            return run_validate(*opt);
        };
    });
}

} // namespace gridkit

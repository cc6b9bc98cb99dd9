// gridkit repair WS: mechanical fixes of grid and micro-grid polygons, each change reported.
#include "command.hpp"
#include "output.hpp"

#include "libgrid/error.hpp"
#include "libgrid/validate.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace gridkit {

namespace {

struct RepairCliOptions {
    std::string workspace;
    std::string grid;
    bool dry_run = false;
    bool json = false;
    double max_area = 100.0;
    double max_width = 2.0;
    double tolerance = 0.1;
};

int run_repair(const RepairCliOptions& opt) {
    grid::RepairOptions o;
    o.grid = opt.grid;
    o.dry_run = opt.dry_run;
    o.max_area = opt.max_area;
    o.max_width = opt.max_width;
    o.tolerance = opt.tolerance;
    const auto ws = grid::Workspace::open(opt.workspace, opt.dry_run ? grid::Workspace::Mode::read_only
                                                                     : grid::Workspace::Mode::read_write);
    const grid::RepairReport r = grid::repair(ws, o);
    if (opt.json) {
        print_json(grid::to_json(r));
    } else {
        std::printf("repair %s: %lld grid%s, metric %s%s\n", r.workspace.c_str(), static_cast<long long>(r.grids),
                    r.grids == 1 ? "" : "s", r.metric_crs.c_str(), opt.dry_run ? " (dry run: nothing written)" : "");
        for (const auto& c : r.changes) {
            std::printf("  %s %s: %s: %s (%.1f -> %.1f m²)\n", c.layer.c_str(), c.id.c_str(), c.action.c_str(),
                        c.detail.c_str(), c.area_before_m2, c.area_after_m2);
        }
        for (const auto& l : r.left) {
            std::printf("  left for a person: %s\n", l.c_str());
        }
        if (r.changes.empty()) {
            std::printf("nothing to change\n");
        } else if (r.written) {
            std::printf("%zu change%s written to %lld feature%s (one transaction, audit row added)\n", r.changes.size(),
                        r.changes.size() == 1 ? "" : "s", static_cast<long long>(r.features_written),
                        r.features_written == 1 ? "" : "s");
        } else {
            std::printf("%zu change%s would be made; run without --dry-run to write them\n", r.changes.size(),
                        r.changes.size() == 1 ? "" : "s");
        }
    }
    return static_cast<int>(r.left.empty() ? grid::exit_status::ok : grid::exit_status::data_problems);
}

} // namespace

void register_repair(RegistryContext& ctx) {
    auto opt = std::make_shared<RepairCliOptions>();
    CLI::App* cmd = ctx.app.add_subcommand(
        "repair", "Make grid polygons valid, clip micro-grids to their grid, give slivers and small gaps to a neighbour");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    cmd->add_option("--grid", opt->grid, "Repair one grid (by code) and its micro-grids (default: every grid)");
    cmd->add_flag("--dry-run", opt->dry_run, "Report the changes without writing them");
    cmd->add_flag("--json", opt->json, "Print the report as JSON");
    cmd->add_option("--max-area", opt->max_area, "Gaps, overlaps and slivers up to this area are repaired (m²)")
        ->capture_default_str()
        ->check(non_negative());
    cmd->add_option("--max-width", opt->max_width, "... and those thinner than this on average, whatever their area (metres)")
        ->capture_default_str()
        ->check(non_negative());
    cmd->add_option("--tolerance", opt->tolerance, "Gaps and overlaps narrower than this are left alone (metres)")
        ->capture_default_str()
        ->check(non_negative());
    Runner* selected = &ctx.selected;
    cmd->callback([opt, selected] { *selected = [opt] { return run_repair(*opt); }; });
}

} // namespace gridkit

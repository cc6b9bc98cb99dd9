// gridkit redistrict WS (--grid CODE... | --all) [--min N] [--max N] [--barriers LAYER] [--lock CODE...]
//                      [--seed S] [--dry-run | --apply] [-o FILE] [--preview PNG] [--overwrite] [--json]
//                      [--threads N]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/error.hpp"
#include "libgrid/redistrict.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace gridkit {

namespace {

namespace rd = grid::redistrict;

struct RedistrictCliOptions {
    std::string workspace;
    std::vector<std::string> grids;
    bool all = false;
    std::int64_t min = 50;
    std::int64_t max = 100;
    std::string barriers;
    std::vector<std::string> locked;
    std::uint64_t seed = 1;
    bool dry_run = false;
    bool apply = false;
    std::string output;
    std::string preview;
    bool overwrite = false;
    bool json = false;
    unsigned threads = 0;
};

std::string summary_line(const rd::GridResult& r, const rd::RunOptions& o) {
    const rd::Measures& m = r.measures;
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "grid %s: %lld households in %zu buildings -> %zu micro-grids (households %lld / %.1f / %lld, bounds "
                  "%lld-%lld), Polsby-Popper mean %.2f, moved %lld households (%.1f%%)%s%s",
                  r.grid_code.c_str(), static_cast<long long>(m.households), r.buildings, m.zones,
                  static_cast<long long>(m.households_min), m.households_mean, static_cast<long long>(m.households_max),
                  static_cast<long long>(o.options.min_households), static_cast<long long>(o.options.max_households),
                  m.polsby_popper_mean, static_cast<long long>(m.moved_households), m.moved_pct,
                  r.kept_current ? ", current plan kept" : "", r.tiling.ok() ? "" : ", TILING NOT EXACT");
    return buf;
}

int run_redistrict(const RedistrictCliOptions& opt, const GlobalOptions& global) {
    rd::RunOptions o;
    o.grids = opt.grids;
    o.all = opt.all;
    o.options.min_households = opt.min;
    o.options.max_households = opt.max;
    o.options.seed = opt.seed;
    o.barriers = opt.barriers;
    o.locked = opt.locked;
    o.threads = opt.threads;
    if (!opt.preview.empty()) {
        rd::check_preview_path(opt.preview);
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto ws = grid::Workspace::open(opt.workspace,
                                    opt.apply ? grid::Workspace::Mode::read_write : grid::Workspace::Mode::read_only);
    ProgressBar bar(global.quiet || opt.json);
    o.progress = bar.callback();
    const std::vector<rd::GridResult> results = rd::redistrict_workspace(ws, o);
    bar.finish();
    if (!opt.output.empty()) {
        rd::write_plan_file(opt.output, ws, results, opt.overwrite);
    }
    // The preview draws the workspace as it is on the left: before --apply changes it.
    if (!opt.preview.empty()) {
        rd::write_preview(ws, results, o, opt.preview, opt.overwrite);
    }
    std::vector<std::int64_t> plan_ids;
    if (opt.apply) {
        plan_ids = rd::apply_results(ws, results, o);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    bool problems = false;
    std::size_t zones = 0, outside = 0, hard = 0;
    std::int64_t households = 0, moved = 0;
    for (const rd::GridResult& r : results) {
        problems = problems || !r.feasible() || !r.skipped.empty() || !r.tiling.ok();
        zones += r.measures.zones;
        outside += r.measures.zones_below_min + r.measures.zones_above_max;
        households += r.measures.households;
        moved += r.measures.moved_households;
        for (const rd::ViolationResult& v : r.violations) {
            hard += v.hard ? 1 : 0;
        }
    }
    if (opt.json) {
        nlohmann::json grids = nlohmann::json::array();
        for (std::size_t i = 0; i < results.size(); ++i) {
            nlohmann::json g = nlohmann::json::parse(rd::result_json(results[i]));
            g["plan_id"] = i < plan_ids.size() ? nlohmann::json(plan_ids[i]) : nlohmann::json();
            grids.push_back(std::move(g));
        }
        print_json({{"version", 1},
                    {"workspace", opt.workspace},
                    {"dry_run", !opt.apply},
                    {"output", opt.output.empty() ? nlohmann::json() : nlohmann::json(opt.output)},
                    {"preview", opt.preview.empty() ? nlohmann::json() : nlohmann::json(opt.preview)},
                    {"parameters", nlohmann::json::parse(rd::parameters_json(o))},
                    {"grids", grids},
                    {"summary",
                     {{"grids", results.size()},
                      {"zones", zones},
                      {"households", households},
                      {"zones_outside_bounds", outside},
                      {"hard_violations", hard},
                      {"moved_households", moved},
                      {"seconds", seconds}}}});
    } else {
        const bool each = results.size() <= 20;
        for (const rd::GridResult& r : results) {
            if (each) {
                std::cout << summary_line(r, o) << '\n';
            }
            for (const rd::ViolationResult& v : r.violations) {
                if (v.hard || each) {
                    std::cout << "  " << (v.hard ? "violation" : "note") << " (" << rd::violation_name(v.kind)
                              << "): " << v.message << '\n';
                }
            }
            if (!r.skipped.empty()) {
                std::cout << "  " << r.skipped.size() << " building(s) of grid " << r.grid_code
                          << " have neither footprint nor location and were left out, e.g. " << r.skipped.front() << '\n';
            }
        }
        char buf[256];
        std::snprintf(buf, sizeof buf, "%zu grid(s), %lld households -> %zu micro-grids, %zu outside the bounds, %.2f s",
                      results.size(), static_cast<long long>(households), zones, outside, seconds);
        std::cout << buf << '\n';
        if (!opt.output.empty()) {
            std::cout << "wrote " << opt.output << " (layers microgrid_plan, plan_violation)\n";
        }
        if (!opt.preview.empty()) {
            std::cout << "wrote " << opt.preview << " (current micro-grids | plan)\n";
        }
        if (opt.apply) {
            std::cout << "applied: plan id(s) " << plan_ids.front() << (plan_ids.size() > 1 ? "-" + std::to_string(plan_ids.back()) : "")
                      << " (gridkit plan list " << opt.workspace << ")\n";
        } else if (!global.quiet) {
            note("dry run: nothing written to the workspace (use --apply)");
        }
    }
    return static_cast<int>(problems ? grid::exit_status::data_problems : grid::exit_status::ok);
}

} // namespace

void register_redistrict(RegistryContext& ctx) {
    auto opt = std::make_shared<RedistrictCliOptions>();
    CLI::App* cmd = ctx.app.add_subcommand("redistrict", "Cut grids into micro-grids of --min to --max households");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    CLI::Option* grid_opt = cmd->add_option("--grid", opt->grids, "Grid codes to cut");
    CLI::Option* all_opt = cmd->add_flag("--all", opt->all, "Cut every grid of the workspace (in parallel)");
    grid_opt->excludes(all_opt);
    cmd->add_option("--min", opt->min, "Fewest households in a micro-grid")->capture_default_str();
    cmd->add_option("--max", opt->max, "Most households in a micro-grid")->capture_default_str();
    cmd->add_option("--barriers", opt->barriers, "Layer whose lines or polygons micro-grids should not cross (road, compound)");
    cmd->add_option("--lock", opt->locked, "Micro-grid codes to keep exactly as they are");
    cmd->add_option("--seed", opt->seed, "Seed: the same input and seed give the same plan")->capture_default_str();
    CLI::Option* dry = cmd->add_flag("--dry-run", opt->dry_run, "Write nothing to the workspace (the default)");
    CLI::Option* apply = cmd->add_flag("--apply", opt->apply, "Replace the grids' micro-grids and record the plan");
    dry->excludes(apply);
    cmd->add_option("-o,--output", opt->output, "Also write the plan to a file (.gpkg) for QGIS");
    cmd->add_option("--preview", opt->preview, "Also draw the current micro-grids and the plan side by side (.png or .svg)");
    cmd->add_flag("--overwrite", opt->overwrite, "Replace the --output and --preview files if they exist");
    cmd->add_flag("--json", opt->json, "Print the plan as one JSON document");
    cmd->add_option("--threads", opt->threads, "Grids cut in parallel (0: one per core)")->capture_default_str();
    Runner* selected = &ctx.selected;
    const GlobalOptions* global = &ctx.global;
    cmd->callback([opt, selected, global] { *selected = [opt, global] { return run_redistrict(*opt, *global); }; });
}

} // namespace gridkit

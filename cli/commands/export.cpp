// gridkit export WS --layer L -o OUT [-f DRIVER] [--dst-crs CRS] [--unmask] [--overwrite]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/io.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace gridkit {

namespace {

struct ExportCliOptions {
    std::string workspace;
    std::string layer;
    std::string output;
    std::string format;
    std::string dst_crs;
    std::string where;
    bool unmask = false;
    bool overwrite = false;
    bool json = false;
};

int run_export(const ExportCliOptions& opt, const GlobalOptions& global) {
    grid::layer(opt.layer);
    if (opt.format.empty()) {
        grid::io::driver_for_path(opt.output); // unknown extension: usage error before opening anything
    }
    const auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    ProgressBar bar(global.quiet || opt.json);
    grid::io::ExportOptions o;
    o.layer = opt.layer;
    o.output = opt.output;
    o.driver = opt.format;
    o.dst_crs = opt.dst_crs;
    o.unmask = opt.unmask;
    o.overwrite = opt.overwrite;
    o.where = opt.where;
    o.progress = bar.callback();
    const auto r = grid::io::export_layer(ws, o);
    bar.finish();
    if (opt.json) {
        print_json({{"layer", r.layer}, {"output", r.output}, {"driver", r.driver}, {"rows", r.rows}, {"masked", r.masked}});
    } else {
        std::cout << r.layer << ": " << r.rows << " rows written to " << r.output << " (" << r.driver << ")"
                  << (grid::layer(opt.layer).name == "person" || grid::layer(opt.layer).name == "org"
                          ? (r.masked ? ", personal data masked" : ", personal data IN CLEAR")
                          : "")
                  << "\n";
    }
    return 0;
}

} // namespace

void register_export(RegistryContext& ctx) {
    auto opt = std::make_shared<ExportCliOptions>();
    CLI::App* cmd = ctx.app.add_subcommand("export", "Export a layer to any OGR format (personal data masked unless --unmask)");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    cmd->add_option("-l,--layer", opt->layer, "Layer to export")->required();
    cmd->add_option("-o,--output", opt->output, "Output file (.gpkg .shp .geojson .csv .xlsx .kml .sqlite .fgb)")->required();
    cmd->add_option("-f,--format", opt->format, "GDAL driver name (default: from the extension)");
    cmd->add_option("--dst-crs", opt->dst_crs, "CRS of the output: EPSG:n, gcj02 or bd09 (default: the workspace's)");
    cmd->add_option("--where", opt->where, "Only rows matching this SQL condition on the layer's fields");
    cmd->add_flag("--unmask", opt->unmask, "Write resident IDs and phones in clear");
    cmd->add_flag("--overwrite", opt->overwrite, "Replace the output file if it exists");
    cmd->add_flag("--json", opt->json, "Print the result as JSON");
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_export(*opt, *global); }; });
}

} // namespace gridkit

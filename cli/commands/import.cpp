// gridkit import WS SOURCE --layer L [...]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/error.hpp"
#include "libgrid/io.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace gridkit {

namespace {

struct ImportCliOptions {
    std::string workspace;
    std::string source;
    std::string layer;
    std::string map;
    std::vector<std::string> fields;
    std::string encoding = "auto";
    std::string src_crs;
    std::string x, y;
    std::string mode = "insert";
    std::string rejects;
    std::string source_layer;
    std::string where;
    std::string new_codes;
    bool unmask = false;
    bool dry_run = false;
    bool json = false;
};

int run_import(const ImportCliOptions& opt, const GlobalOptions& global) {
    grid::io::ImportOptions o;
    o.layer = opt.layer;
    for (const auto& f : opt.fields) {
        const auto eq = f.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == f.size()) {
            throw grid::usage_error("--field " + f + ": expected DESTINATION=SOURCE_COLUMN", "e.g. --field code=地址编码");
        }
        o.fields[f.substr(0, eq)] = f.substr(eq + 1);
    }
    o.encoding = opt.encoding;
    o.src_crs = opt.src_crs;
    o.x_column = opt.x;
    o.y_column = opt.y;
    o.upsert = opt.mode == "upsert";
    o.rejects_path = opt.rejects;
    o.unmask_rejects = opt.unmask;
    o.dry_run = opt.dry_run;
    o.source_layer = opt.source_layer;
    o.where = opt.where;
    o.new_codes = opt.new_codes;
    if (!opt.map.empty()) {
        grid::io::apply_mapping_file(opt.map, o);
    }
    if (o.layer.empty()) {
        throw grid::usage_error("no layer given", "use --layer L (or a --map file that names its layer)");
    }
    grid::layer(o.layer); // unknown layer: usage error before opening anything
    auto ws = grid::Workspace::open(opt.workspace);
    ProgressBar bar(global.quiet || opt.json);
    o.progress = bar.callback();
    const auto r = grid::io::import_layer(ws, opt.source, o);
    bar.finish();
    if (opt.json) {
        nlohmann::json rejects = nlohmann::json::array();
        for (const auto& rj : r.first_rejects) {
            rejects.push_back({{"row", rj.row}, {"column", rj.column}, {"reason", rj.reason}});
        }
        print_json({{"layer", r.layer}, {"source", r.source}, {"read", r.read}, {"written", r.written},
                    {"inserted", r.inserted}, {"updated", r.updated}, {"rejected", r.rejected},
                    {"encoding", r.encoding}, {"src_crs", r.src_crs}, {"mapping", r.mapping}, {"dry_run", opt.dry_run},
                    {"rejects_file", opt.rejects.empty() ? nlohmann::json() : nlohmann::json(opt.rejects)},
                    {"first_rejects", rejects}});
    } else {
        std::cout << r.layer << ": read " << r.read << ", written " << r.written << " (" << r.inserted << " new, "
                  << r.updated << " updated), rejected " << r.rejected << (opt.dry_run ? " [dry run: nothing written]" : "")
                  << "\n";
    }
    if (r.rejected > 0) {
        for (const auto& rj : r.first_rejects) {
            std::cerr << "gridkit import: " << r.source << ", row " << rj.row
                      << (rj.column.empty() ? "" : ", column " + rj.column) << ": " << rj.reason << "\n";
        }
        if (r.rejected > static_cast<std::int64_t>(r.first_rejects.size())) {
            std::cerr << "gridkit import: ... and " << r.rejected - static_cast<std::int64_t>(r.first_rejects.size())
                      << " more rejected rows\n";
        }
        std::cerr << (opt.rejects.empty() ? "  use --rejects FILE to get every rejected row with its reason\n"
                                          : "  every rejected row is in " + opt.rejects + "\n");
        return static_cast<int>(grid::exit_status::data_problems);
    }
    return 0;
}

} // namespace

void register_import(RegistryContext& ctx) {
    auto opt = std::make_shared<ImportCliOptions>();
    CLI::App* cmd = ctx.app.add_subcommand("import", "Import any OGR source (CSV, XLSX, SHP, GeoJSON, GPKG, KML, OSM) into a layer");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    cmd->add_option("SOURCE", opt->source, "File to import")->required();
    cmd->add_option("-l,--layer", opt->layer, "Workspace layer: division, grid, microgrid, building, address, house, person, org, road, compound, allowed_gap");
    cmd->add_option("--map", opt->map, "JSON mapping file (schemas/mapping.schema.json)");
    cmd->add_option("--field", opt->fields, "Map a field: DESTINATION=SOURCE_COLUMN (repeatable; wins over --map)");
    cmd->add_option("--encoding", opt->encoding, "Text encoding of CSV/TXT/SHP: auto (UTF-8, UTF-8 with BOM or GB18030), UTF-8, GB18030")
        ->capture_default_str();
    cmd->add_option("--src-crs", opt->src_crs, "CRS of the source: EPSG:n, gcj02 or bd09 (default: the source's own; CSV: EPSG:4490)");
    cmd->add_option("--x", opt->x, "Column holding x / longitude (default: lng, lon, longitude, x, 经度)");
    cmd->add_option("--y", opt->y, "Column holding y / latitude (default: lat, latitude, y, 纬度)");
    cmd->add_option("--mode", opt->mode, "insert: rows whose code exists are rejected; upsert: they are updated")
        ->check(CLI::IsMember({"insert", "upsert"}))
        ->capture_default_str();
    cmd->add_option("--rejects", opt->rejects, "Write every rejected row (source, row, column, reason, values) to this CSV");
    cmd->add_flag("--unmask", opt->unmask, "Keep resident IDs and phones in clear in the rejects file");
    cmd->add_option("--source-layer", opt->source_layer, "Layer of a multi-layer source (GPKG, OSM: points, lines, multipolygons)");
    cmd->add_option("--where", opt->where, "Only source features matching this OGR SQL condition, e.g. \"building IS NOT NULL\"");
    cmd->add_option("--new-codes", opt->new_codes,
                    "Give rows without a code the next free code under this community (building, grid) or grid (microgrid)");
    cmd->add_flag("--dry-run", opt->dry_run, "Check and count everything, write nothing");
    cmd->add_flag("--json", opt->json, "Print {layer, read, written, rejected, ...} as JSON");
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_import(*opt, *global); }; });
}

} // namespace gridkit

// gridkit map WS -o OUT.html|OUT.png|OUT.svg: a map of grids, micro-grids (or a plan), buildings
// and validation errors that people can look at (docs/cli/gridkit-map.md).
#include "command.hpp"
#include "output.hpp"

#include "libgrid/map.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

namespace gridkit {

namespace {

struct MapOptions {
    std::string workspace;
    std::string grid;
    std::string bbox;
    std::int64_t plan = 0;
    std::string errors;
    std::int64_t min = 50;
    std::int64_t max = 100;
    std::string output;
    int width = 1600;
    int height = 1200;
    std::string title;
    bool overwrite = false;
    bool json = false;
    // Whether the user gave them (a plan's own bounds apply otherwise).
    CLI::Option* min_option = nullptr;
    CLI::Option* max_option = nullptr;
    CLI::Option* plan_option = nullptr;
};

const char* format_name(grid::map::Format f) {
    switch (f) {
    case grid::map::Format::html: return "html";
    case grid::map::Format::png: return "png";
    case grid::map::Format::svg: return "svg";
    }
    return "";
}

int run_map(const MapOptions& opt, const GlobalOptions& global) {
    grid::map::Options o;
    o.grid = opt.grid;
    if (!opt.bbox.empty()) {
        o.bbox = grid::map::parse_bbox(opt.bbox);
    }
    if (opt.plan_option->count() > 0) {
        o.plan = opt.plan;
    }
    if (opt.min_option->count() > 0) {
        o.min_households = opt.min;
    }
    if (opt.max_option->count() > 0) {
        o.max_households = opt.max;
    }
    o.errors = opt.errors;
    o.title = opt.title;
    o.check();
    grid::map::RenderOptions r;
    r.width = opt.width;
    r.height = opt.height;
    r.check();
    const grid::map::Format format = grid::map::format_of(opt.output);

    const auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    const grid::map::View view = grid::map::collect(ws, o);
    const grid::map::MapResult res = grid::map::write_map(view, opt.output, r, opt.overwrite);

    if (opt.json) {
        nlohmann::json j{{"output", res.path},
                         {"format", format_name(format)},
                         {"view", {{"title", view.title},
                                   {"grid", o.grid.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.grid)},
                                   {"bbox", opt.bbox.empty() ? nlohmann::json(nullptr) : nlohmann::json(opt.bbox)},
                                   {"plan", o.plan ? nlohmann::json(*o.plan) : nlohmann::json(nullptr)},
                                   {"zone_layer", view.zone_layer},
                                   {"min_households", view.min_households},
                                   {"max_households", view.max_households}}},
                         {"grids", res.grids},
                         {"zones", res.zones},
                         {"zones_under", res.zones_under},
                         {"zones_within", res.zones_within},
                         {"zones_over", res.zones_over},
                         {"buildings", res.buildings},
                         {"errors", res.errors},
                         {"errors_elsewhere", res.errors_elsewhere},
                         {"projection", res.projection}};
        if (format == grid::map::Format::html) {
            j["leaflet"] = {{"version", grid::map::leaflet_version()}, {"license", grid::map::leaflet_license()}};
        } else {
            j["width"] = res.width;
            j["height"] = res.height;
            j["labels"] = res.labels;
            j["scale_bar_m"] = res.scale_bar_m;
        }
        print_json(j);
    } else if (!global.quiet) {
        std::string what = std::to_string(res.zones) + (view.zone_layer == "plan_zone" ? " plan zones" : " micro-grids") +
                           " (" + std::to_string(res.zones_under) + " under " + std::to_string(view.min_households) +
                           ", " + std::to_string(res.zones_within) + " within, " + std::to_string(res.zones_over) +
                           " over " + std::to_string(view.max_households) + "), " + std::to_string(res.buildings) +
                           " buildings";
        if (!o.errors.empty()) {
            what += ", " + std::to_string(res.errors) + " validation findings";
            if (res.errors_elsewhere > 0) {
                what += " (" + std::to_string(res.errors_elsewhere) + " more outside this view)";
            }
        }
        const std::string kind = format == grid::map::Format::html
                                     ? "HTML"
                                     : std::string(format_name(format)) + " " + std::to_string(res.width) + "x" +
                                           std::to_string(res.height);
        note("wrote " + res.path + " (" + kind + "): " + what);
    }
    return 0;
}

} // namespace

void register_map(RegistryContext& ctx) {
    auto opt = std::make_shared<MapOptions>();
    CLI::App* cmd = ctx.app.add_subcommand(
        "map", "Draw grids, micro-grids (or a plan), buildings and validation errors as an offline HTML page, PNG or SVG");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    auto* grid = cmd->add_option("--grid", opt->grid, "Show one grid (by code): its outline, micro-grids and buildings");
    auto* bbox = cmd->add_option("--bbox", opt->bbox, "Show what lies in minx,miny,maxx,maxy (workspace CRS)");
    grid->excludes(bbox);
    opt->plan_option = cmd->add_option("--plan", opt->plan, "Show the zones of this redistricting plan (id) instead of the micro-grids");
    opt->plan_option->excludes(bbox);
    cmd->add_option("--errors", opt->errors, "Mark the findings of this validation report (gridkit validate --format json)");
    // Their ranges are checked by map::Options::check, which says what to give.
    opt->min_option = cmd->add_option("--min", opt->min, "Fewest households a micro-grid should hold (default 50, or the plan's)");
    opt->max_option = cmd->add_option("--max", opt->max, "Most households a micro-grid should hold (default 100, or the plan's)");
    cmd->add_option("-o,--output", opt->output, "Map to write: .html (interactive, offline), .png or .svg")->required();
    cmd->add_option("--width", opt->width, "Picture width in pixels (PNG/SVG)")->capture_default_str();
    cmd->add_option("--height", opt->height, "Picture height in pixels (PNG/SVG)")->capture_default_str();
    cmd->add_option("--title", opt->title, "Title over the map (default: the grid, box or workspace shown)");
    cmd->add_flag("--overwrite", opt->overwrite, "Replace the output file if it exists");
    cmd->add_flag("--json", opt->json, "Print what was drawn as JSON");
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_map(*opt, *global); }; });
}

} // namespace gridkit

// gridkit info WS [--json]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/households.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace gridkit {

namespace {

struct InfoOptions {
    std::string workspace;
    bool json = false;
    int limit = 20;
};

nlohmann::json zone_stats(const std::vector<grid::ZoneHouseholds>& zones) {
    if (zones.empty()) {
        return {{"count", 0}};
    }
    std::int64_t lo = zones.front().households, hi = lo, sum = 0;
    for (const auto& z : zones) {
        lo = std::min(lo, z.households);
        hi = std::max(hi, z.households);
        sum += z.households;
    }
    return {{"count", zones.size()}, {"households_min", lo}, {"households_max", hi},
            {"households_mean", static_cast<double>(sum) / static_cast<double>(zones.size())}};
}

int run_info(const InfoOptions& opt) {
    const auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    nlohmann::json layers = nlohmann::json::object();
    for (const auto& l : grid::layers()) {
        layers[l.name] = ws.count(l.name);
    }
    for (const char* extra : {"plan", "plan_zone", "audit"}) {
        layers[extra] = ws.count(extra);
    }
    const auto grids = grid::households_per_grid(ws);
    const auto micro = grid::households_per_microgrid(ws);
    std::int64_t total = 0;
    for (const auto& b : grid::households_by_building(ws)) {
        total += b.households;
    }
    const std::string crs = "EPSG:" + std::to_string(ws.srid());
    if (opt.json) {
        nlohmann::json doc{{"workspace", opt.workspace}, {"crs", crs}, {"schema_version", ws.schema_version()},
                           {"layers", layers}, {"households", total},
                           {"grid_summary", zone_stats(grids)}, {"microgrid_summary", zone_stats(micro)}};
        nlohmann::json g = nlohmann::json::array();
        for (const auto& z : grids) {
            g.push_back({{"code", z.code}, {"name", z.name}, {"households", z.households}, {"buildings", z.buildings}});
        }
        nlohmann::json m = nlohmann::json::array();
        for (const auto& z : micro) {
            m.push_back({{"code", z.code}, {"grid_code", z.parent_code}, {"households", z.households}, {"buildings", z.buildings}});
        }
        doc["grids"] = std::move(g);
        doc["microgrids"] = std::move(m);
        print_json(doc);
        return 0;
    }
    std::cout << "workspace:      " << opt.workspace << "\n"
              << "crs:            " << crs << "\n"
              << "schema version: " << ws.schema_version() << "\n"
              << "households:     " << total << "\n"
              << "layers:\n";
    for (const auto& [name, count] : layers.items()) {
        std::printf("  %-12s %10lld\n", name.c_str(), static_cast<long long>(count.get<std::int64_t>()));
    }
    auto print_zones = [&](const char* title, const std::vector<grid::ZoneHouseholds>& zones) {
        if (zones.empty()) {
            return;
        }
        const auto s = zone_stats(zones);
        std::printf("%s: %zu, households min %lld / mean %.1f / max %lld\n", title, zones.size(),
                    static_cast<long long>(s["households_min"].get<std::int64_t>()), s["households_mean"].get<double>(),
                    static_cast<long long>(s["households_max"].get<std::int64_t>()));
        const auto n = std::min<std::size_t>(zones.size(), static_cast<std::size_t>(std::max(opt.limit, 0)));
        for (std::size_t i = 0; i < n; ++i) {
            std::printf("  %-20s %6lld households %5lld buildings  %s\n", zones[i].code.c_str(),
                        static_cast<long long>(zones[i].households), static_cast<long long>(zones[i].buildings),
                        zones[i].name.c_str());
        }
        if (zones.size() > n) {
            std::printf("  ... %zu more (use --limit N or --json)\n", zones.size() - n);
        }
    };
    print_zones("grids", grids);
    print_zones("micro-grids", micro);
    return 0;
}

} // namespace

void register_info(RegistryContext& ctx) {
    auto opt = std::make_shared<InfoOptions>();
    CLI::App* cmd = ctx.app.add_subcommand("info", "Show a workspace's CRS, schema version, row counts and households per grid");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    cmd->add_flag("--json", opt->json, "Print everything as one JSON document");
    cmd->add_option("--limit", opt->limit, "Grids and micro-grids listed in the text output")->capture_default_str();
    Runner* selected = &ctx.selected;
    cmd->callback([opt, selected] { *selected = [opt] { return run_info(*opt); }; });
}

} // namespace gridkit

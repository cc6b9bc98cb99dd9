// `redistrict --preview`: the current micro-grids and the plan just computed, side by side in one
// picture drawn by the map module.
#include "libgrid/redistrict.hpp"

#include "libgrid/error.hpp"
#include "libgrid/map.hpp"
#include "libgrid/workspace.hpp"

#include "detail/map_internal.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace grid::redistrict {

void check_preview_path(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext != ".png" && ext != ".svg") {
        throw usage_error("--preview " + path + ": the preview is a picture", "name it .png or .svg");
    }
}

map::MapResult write_preview(const Workspace& ws, const std::vector<GridResult>& results, const RunOptions& options,
                             const std::string& path, bool overwrite, const map::RenderOptions& render) {
    check_preview_path(path);
    if (results.empty()) {
        throw usage_error("--preview: no grid was cut", "give --grid CODE... or --all");
    }
    map::Options view;
    view.min_households = options.options.min_households;
    view.max_households = options.options.max_households;
    if (results.size() == 1) {
        view.grid = results.front().grid_code;
    } else if (!options.all) {
        std::optional<geom::Envelope> box;
        for (const GridResult& r : results) {
            for (const ZoneResult& z : r.zones) {
                if (z.wkb.empty()) {
                    continue;
                }
                const geom::Envelope e = geom::envelope(geom::from_wkb(z.wkb).get());
                if (box) {
                    box->expand(e);
                } else {
                    box = e;
                }
            }
        }
        view.bbox = box;
    }
    map::View before = map::collect(ws, view);
    map::View after = map::collect(ws, view);

    // After: the cut grids' micro-grids replaced by the plan's zones, the buildings relabelled.
    std::set<std::string> cut;
    std::map<std::string, std::string> zone_of_building;
    for (const GridResult& r : results) {
        cut.insert(r.grid_code);
        for (const ZoneResult& z : r.zones) {
            for (const std::string& b : z.members) {
                zone_of_building[b] = z.code;
            }
        }
    }
    std::vector<map::Zone> kept;
    for (map::Zone& z : after.zones) {
        if (cut.count(z.parent_code) == 0 && cut.count(z.code.substr(0, 15)) == 0) {
            kept.push_back(std::move(z));
        }
    }
    after.zones = std::move(kept);
    for (const GridResult& r : results) {
        for (const ZoneResult& z : r.zones) {
            map::Zone m;
            m.layer = "plan_zone";
            m.code = z.code;
            m.parent_code = r.grid_code;
            m.households = z.households;
            m.buildings = static_cast<std::int64_t>(z.members.size());
            if (!z.wkb.empty()) {
                m.geometry = geom::from_wkb(z.wkb);
                m.label = map::detail::label_point(m.geometry.get());
            }
            m.attributes.emplace_back("微网格编码", z.code);
            m.attributes.emplace_back("户数", std::to_string(z.households));
            after.zones.push_back(std::move(m));
        }
    }
    std::int64_t households = 0;
    for (const map::Zone& z : after.zones) {
        households += z.households;
    }
    for (map::Building& b : after.buildings) {
        const auto it = zone_of_building.find(b.code);
        if (it != zone_of_building.end()) {
            b.microgrid_code = it->second;
        }
    }
    before.title += " · 现状";
    before.zone_title = "现状微网格户数";
    after.title += " · 方案";
    after.zone_title = "方案微网格户数";
    after.zone_layer = "plan_zone";
    after.subtitle = std::to_string(after.zones.size()) + " micro-grids · " + std::to_string(households) + " 户 · bounds " +
                     std::to_string(options.options.min_households) + "-" +
                     std::to_string(options.options.max_households) + " · seed " +
                     std::to_string(options.options.seed);
    return map::render_side_by_side(before, after, path, render, overwrite);
}

} // namespace grid::redistrict

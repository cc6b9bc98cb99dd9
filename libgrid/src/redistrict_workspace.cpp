// Redistricting a workspace's grids: reading grids, buildings, micro-grids and barriers, cutting
// each grid (in parallel, one GEOS context and PROJ transformer per thread), and the JSON
// documents of the results.
#include "libgrid/redistrict.hpp"

#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"
#include "libgrid/households.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace grid::redistrict {

namespace {

using Wkb = std::vector<unsigned char>;

struct BuildingRow {
    std::string code;
    std::string grid_code;
    std::string microgrid_code;
    std::int64_t households = 0;
    Wkb footprint;
    Wkb location;
};

struct GridRow {
    std::string code;
    Wkb outline;
    geom::Envelope env;
    int highest_sequence = 0;
};

struct Barrier {
    Wkb wkb;
    geom::Envelope env;
};

/// Everything the workers need, read once on the calling thread.
struct Input {
    std::vector<GridRow> grids;
    std::vector<std::vector<std::size_t>> members; ///< per grid: building indices
    std::vector<BuildingRow> buildings;
    std::map<std::string, Wkb> microgrid_outline;  ///< code -> outline ("" none)
    std::set<std::string> locked;
    std::vector<Barrier> barriers;
    int srid = 4490;
    bool geographic = true;
};

Wkb blob(const Statement& st, int column) {
    std::size_t size = 0;
    const unsigned char* data = st.column_blob(column, size);
    return data == nullptr ? Wkb{} : Wkb(data, data + size);
}

int sequence_of(const std::string& code, const std::string& grid_code) {
    if (code.size() != 18 || code.compare(0, 15, grid_code) != 0) {
        return 0;
    }
    int seq = 0;
    for (std::size_t i = 15; i < 18; ++i) {
        if (code[i] < '0' || code[i] > '9') {
            return 0;
        }
        seq = seq * 10 + (code[i] - '0');
    }
    return seq;
}

Input read_input(const Workspace& ws, const RunOptions& options) {
    Input in;
    in.srid = ws.srid();
    in.geographic = crs::CrsSpec{crs::CrsSpec::Kind::epsg, in.srid}.is_geographic();

    // Grids.
    std::map<std::string, GridRow> all;
    {
        Statement st = ws.prepare("SELECT code, AsBinary(geom) FROM grid WHERE code IS NOT NULL ORDER BY code");
        while (st.step()) {
            GridRow g;
            g.code = st.column_text(0);
            g.outline = blob(st, 1);
            all.emplace(g.code, std::move(g));
        }
    }
    std::vector<std::string> wanted = options.grids;
    if (options.all) {
        wanted.clear();
        for (const auto& [code, g] : all) {
            wanted.push_back(code);
        }
        if (wanted.empty()) {
            throw usage_error("redistrict: " + ws.path() + " holds no grid", "import grid polygons first (gridkit import --layer grid)");
        }
    } else if (wanted.empty()) {
        throw usage_error("redistrict: no grid given", "give --grid CODE... or --all");
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    for (const std::string& code : wanted) {
        auto it = all.find(code);
        if (it == all.end()) {
            throw usage_error("redistrict: no grid " + code + " in " + ws.path(), "gridkit info " + ws.path() + " lists the grids");
        }
        if (it->second.outline.empty()) {
            throw geometry_error("redistrict: grid " + code + " has no outline", code, "import the grid's polygon first");
        }
        const geom::Geometry g = geom::from_wkb(it->second.outline);
        it->second.env = geom::envelope(g.get());
        in.grids.push_back(it->second);
    }
    std::map<std::string, std::size_t> grid_index;
    for (std::size_t i = 0; i < in.grids.size(); ++i) {
        grid_index[in.grids[i].code] = i;
    }

    // Micro-grids: outlines, and the highest sequence ever used under each grid (current codes and
    // every code a plan ever recorded, so that retired codes are not reused).
    {
        Statement st = ws.prepare("SELECT code, coalesce(grid_code, ''), AsBinary(geom) FROM microgrid WHERE code IS NOT NULL");
        while (st.step()) {
            const std::string code = st.column_text(0);
            in.microgrid_outline[code] = blob(st, 2);
        }
        for (GridRow& g : in.grids) {
            for (const auto& [code, outline] : in.microgrid_outline) {
                g.highest_sequence = std::max(g.highest_sequence, sequence_of(code, g.code));
            }
            Statement pz = ws.prepare("SELECT code FROM plan_zone WHERE grid_code = ?");
            pz.bind(1, g.code);
            while (pz.step()) {
                g.highest_sequence = std::max(g.highest_sequence, sequence_of(pz.column_text(0), g.code));
            }
        }
    }

    // Buildings with their households, footprints and locations.
    {
        std::map<std::string, std::int64_t> households;
        for (const auto& b : households_by_building(ws)) {
            households[b.building_code] = b.households;
        }
        Statement st = ws.prepare("SELECT code, coalesce(grid_code, ''), coalesce(microgrid_code, ''), AsBinary(geom), "
                                  "AsBinary(location) FROM building WHERE code IS NOT NULL ORDER BY code");
        while (st.step()) {
            BuildingRow b;
            b.code = st.column_text(0);
            b.grid_code = st.column_text(1);
            b.microgrid_code = st.column_text(2);
            b.footprint = blob(st, 3);
            b.location = blob(st, 4);
            auto it = households.find(b.code);
            b.households = it == households.end() ? 0 : it->second;
            in.buildings.push_back(std::move(b));
        }
    }
    in.members.resize(in.grids.size());
    {
        std::vector<geom::Geometry> outlines;
        std::vector<geom::Prepared> prepared;
        for (const GridRow& g : in.grids) {
            outlines.push_back(geom::from_wkb(g.outline));
            prepared.push_back(geom::prepare(outlines.back().get()));
        }
        for (std::size_t i = 0; i < in.buildings.size(); ++i) {
            const BuildingRow& b = in.buildings[i];
            if (!b.grid_code.empty()) {
                auto it = grid_index.find(b.grid_code);
                if (it != grid_index.end()) {
                    in.members[it->second].push_back(i);
                }
                continue;
            }
            // No grid recorded: the grid holding its location (or its footprint's point on surface).
            geom::Point p;
            if (!b.location.empty()) {
                p = geom::point_xy(geom::from_wkb(b.location).get());
            } else if (!b.footprint.empty()) {
                p = geom::point_on_surface(geom::from_wkb(b.footprint).get());
            } else {
                continue;
            }
            const geom::Geometry pt = geom::make_point(p.x, p.y);
            for (std::size_t g = 0; g < in.grids.size(); ++g) {
                if (in.grids[g].env.contains(p.x, p.y) && geom::covers(prepared[g].get(), pt.get())) {
                    in.members[g].push_back(i);
                    break;
                }
            }
        }
    }

    // Locked micro-grids must exist and lie in a grid being cut (they hold some of its buildings).
    std::set<std::string> known;
    for (const auto& [code, outline] : in.microgrid_outline) {
        known.insert(code);
    }
    std::map<std::string, std::string> grid_of_microgrid; // among the grids being cut
    for (std::size_t g = 0; g < in.grids.size(); ++g) {
        for (std::size_t i : in.members[g]) {
            const BuildingRow& b = in.buildings[i];
            if (!b.microgrid_code.empty()) {
                grid_of_microgrid.emplace(b.microgrid_code, in.grids[g].code);
            }
        }
    }
    for (const BuildingRow& b : in.buildings) {
        if (!b.microgrid_code.empty()) {
            known.insert(b.microgrid_code);
        }
    }
    for (const std::string& code : options.locked) {
        if (known.count(code) == 0) {
            throw usage_error("redistrict: --lock " + code + ": no such micro-grid in " + ws.path(),
                              "gridkit info " + ws.path() + " lists the micro-grids");
        }
        if (grid_of_microgrid.count(code) == 0) {
            throw usage_error("redistrict: --lock " + code + ": no building of the grid(s) being cut is in this micro-grid",
                              "lock micro-grids of the grids given with --grid (or add their grid)");
        }
        in.locked.insert(code);
    }

    // Barriers.
    if (!options.barriers.empty()) {
        const LayerInfo& layer = grid::layer(options.barriers);
        if (layer.geometry_column.empty()) {
            throw usage_error("redistrict: --barriers " + options.barriers + ": the layer has no geometry",
                              "use a layer of lines or polygons, such as road or compound");
        }
        Statement st = ws.prepare("SELECT AsBinary(" + layer.geometry_column + ") FROM " + layer.name + " WHERE " +
                                  layer.geometry_column + " IS NOT NULL ORDER BY rowid");
        while (st.step()) {
            Barrier b;
            b.wkb = blob(st, 0);
            if (b.wkb.empty()) {
                continue;
            }
            b.env = geom::envelope(geom::from_wkb(b.wkb).get());
            in.barriers.push_back(std::move(b));
        }
    }
    return in;
}

/// Forward and inverse transformations of one worker thread, by metric EPSG code.
class Transformers {
public:
    explicit Transformers(int srid) : m_srid(srid) {}
    const crs::Transformer& forward(int epsg) { return get(epsg).first; }
    const crs::Transformer& inverse(int epsg) { return get(epsg).second; }

private:
    std::pair<crs::Transformer, crs::Transformer>& get(int epsg) {
        auto it = m_cache.find(epsg);
        if (it == m_cache.end()) {
            const crs::CrsSpec ws{crs::CrsSpec::Kind::epsg, m_srid};
            const crs::CrsSpec metric{crs::CrsSpec::Kind::epsg, epsg};
            it = m_cache.emplace(epsg, std::make_pair(crs::Transformer(ws, metric), crs::Transformer(metric, ws))).first;
        }
        return it->second;
    }
    int m_srid;
    std::map<int, std::pair<crs::Transformer, crs::Transformer>> m_cache;
};

/// The partitioner's message in the workspace's words: micro-grids by code, atoms as buildings.
std::string workspace_message(std::string message, std::size_t zone, const std::string& code) {
    auto replace_all = [&](const std::string& from, const std::string& to) {
        for (auto pos = message.find(from); pos != std::string::npos; pos = message.find(from, pos + to.size())) {
            message.replace(pos, from.size(), to);
        }
    };
    replace_all("micro-grid " + std::to_string(zone + 1) + " ", "micro-grid " + code + " ");
    replace_all("atoms ", "buildings ");
    replace_all("atom ", "building ");
    return message;
}

GridResult run_grid(const Input& in, std::size_t gi, const RunOptions& options, Transformers& tf) {
    const auto t0 = std::chrono::steady_clock::now();
    const GridRow& grid_row = in.grids[gi];
    GridResult r;
    r.grid_code = grid_row.code;
    const geom::Geometry outline = geom::from_wkb(grid_row.outline);

    // Metric frame.
    const crs::Transformer* fwd = nullptr;
    const crs::Transformer* inv = nullptr;
    if (in.geographic) {
        r.metric_epsg = crs::gauss_kruger_epsg(geom::centroid(outline.get()).x);
        fwd = &tf.forward(r.metric_epsg);
        inv = &tf.inverse(r.metric_epsg);
    } else {
        r.metric_epsg = in.srid;
    }
    auto to_metric = [&](const GEOSGeometry* g) {
        if (fwd == nullptr) {
            return geom::clone(g);
        }
        return geom::transform(g, [&](double& x, double& y) { fwd->transform(x, y); });
    };
    auto to_workspace = [&](const GEOSGeometry* g) {
        if (inv == nullptr) {
            return geom::clone(g);
        }
        return geom::transform(g, [&](double& x, double& y) { inv->transform(x, y); });
    };
    const geom::Geometry parent_full = to_metric(outline.get());
    geom::Geometry parent = geom::clone(parent_full.get());

    // Atoms. Locked micro-grids with an outline keep it: their buildings get no cell and the
    // outline is cut out of the area to tile.
    std::vector<AtomShape> shapes;         // cells are drawn for these
    std::vector<AtomShape> locked_shapes;  // members of locked micro-grids with an outline
    std::map<std::string, std::vector<std::size_t>> locked_members; // code -> indices into locked_shapes
    for (std::size_t bi : in.members[gi]) {
        const BuildingRow& b = in.buildings[bi];
        ++r.buildings;
        AtomShape a;
        a.id = b.code;
        a.households = b.households;
        a.current_zone = b.microgrid_code;
        a.locked = in.locked.count(b.microgrid_code) > 0;
        if (!b.footprint.empty()) {
            a.shape = to_metric(geom::from_wkb(b.footprint).get());
        } else if (!b.location.empty()) {
            a.shape = to_metric(geom::from_wkb(b.location).get());
        } else {
            r.skipped.push_back(b.code);
            continue;
        }
        auto outline_it = in.microgrid_outline.find(b.microgrid_code);
        if (a.locked && outline_it != in.microgrid_outline.end() && !outline_it->second.empty()) {
            locked_members[b.microgrid_code].push_back(locked_shapes.size());
            locked_shapes.push_back(std::move(a));
        } else {
            shapes.push_back(std::move(a));
        }
    }
    std::map<std::string, geom::Geometry> locked_outline; // metric
    for (const auto& [code, idx] : locked_members) {
        (void)idx;
        geom::Geometry lo = to_metric(geom::from_wkb(in.microgrid_outline.at(code)).get());
        parent = geom::difference(parent.get(), lo.get());
        locked_outline.emplace(code, std::move(lo));
    }

    // Barriers near the grid.
    geom::Geometry barriers;
    {
        std::vector<geom::Geometry> near;
        for (const Barrier& b : in.barriers) {
            if (b.env.intersects(grid_row.env)) {
                near.push_back(to_metric(geom::from_wkb(b.wkb).get()));
            }
        }
        if (!near.empty()) {
            barriers = geom::make_collection(GEOS_GEOMETRYCOLLECTION, std::move(near));
        }
    }

    Cells cells = shapes.empty() ? Cells{} : build_cells(parent.get(), shapes, barriers ? barriers.get() : nullptr);
    AtomGraph graph = cells.graph;
    std::vector<AtomShape*> all_shapes;
    for (AtomShape& a : shapes) {
        all_shapes.push_back(&a);
    }
    for (const auto& [code, idx] : locked_members) {
        const geom::Geometry& lo = locked_outline.at(code);
        const double area = geom::area(lo.get()) / static_cast<double>(idx.size());
        const double per = geom::length(lo.get()) / static_cast<double>(idx.size());
        for (std::size_t k : idx) {
            AtomShape& s = locked_shapes[k];
            Atom a;
            a.id = s.id;
            a.households = s.households;
            const geom::Point p = geom::type_id(s.shape.get()) == GEOS_POINT ? geom::point_xy(s.shape.get())
                                                                              : geom::point_on_surface(s.shape.get());
            a.x = p.x;
            a.y = p.y;
            a.cell_area = area; // the outline shared among its members: the zone's area and perimeter come out right
            a.outer_length = per;
            a.current_zone = s.current_zone;
            a.locked = true;
            graph.atoms.push_back(std::move(a));
            all_shapes.push_back(&s);
        }
    }
    const Plan plan = partition(graph, options.options);
    r.kept_current = plan.kept_current;
    r.measures = measure(graph, plan.zone_of, options.options);
    const std::vector<std::string> codes = assign_codes(graph, plan, grid_row.code, grid_row.highest_sequence);

    // Zone polygons: dissolved cells, or a locked micro-grid's own outline.
    std::vector<std::size_t> cell_zone(plan.zone_of.begin(), plan.zone_of.begin() + static_cast<long>(cells.cells.size()));
    std::vector<geom::Geometry> polygons = cells.cells.empty() ? std::vector<geom::Geometry>(plan.zones.size())
                                                               : dissolve(cells, cell_zone, plan.zones.size());
    polygons.resize(plan.zones.size());
    for (std::size_t z = 0; z < plan.zones.size(); ++z) {
        const Zone& zone = plan.zones[z];
        auto it = locked_outline.find(zone.current);
        if (zone.locked && it != locked_outline.end()) {
            polygons[z] = geom::clone(it->second.get());
        }
        if (!polygons[z]) {
            polygons[z] = geom::make_collection(GEOS_MULTIPOLYGON, {});
        }
    }
    std::vector<AtomShape> check_shapes;
    for (AtomShape* s : all_shapes) {
        AtomShape c;
        c.id = s->id;
        c.shape = geom::clone(s->shape.get());
        check_shapes.push_back(std::move(c));
    }
    r.tiling = check_tiling(parent_full.get(), polygons, check_shapes, plan.zone_of);

    for (std::size_t z = 0; z < plan.zones.size(); ++z) {
        const Zone& zone = plan.zones[z];
        ZoneResult zr;
        zr.code = codes[z];
        zr.households = zone.households;
        zr.area_m2 = geom::area(polygons[z].get());
        zr.polsby_popper = polsby_popper(polygons[z].get());
        zr.kept = !zone.current.empty() && zone.current == codes[z];
        zr.locked = zone.locked;
        for (std::size_t a : zone.atoms) {
            zr.members.push_back(graph.atoms[a].id);
        }
        std::sort(zr.members.begin(), zr.members.end());
        if (!geom::is_empty(polygons[z].get())) {
            zr.wkb = geom::to_wkb(geom::to_multipolygon(to_workspace(polygons[z].get())).get());
        }
        r.zones.push_back(std::move(zr));
    }
    for (const Violation& v : plan.violations) {
        ViolationResult vr;
        vr.kind = v.kind;
        vr.hard = v.hard;
        vr.zone_code = codes[v.zone];
        vr.households = v.households;
        for (std::size_t a : v.atoms) {
            vr.buildings.push_back(graph.atoms[a].id);
        }
        vr.message = workspace_message(v.message, v.zone, codes[v.zone]);
        r.violations.push_back(std::move(vr));
    }
    std::sort(r.zones.begin(), r.zones.end(), [](const ZoneResult& l, const ZoneResult& rr) { return l.code < rr.code; });
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

} // namespace

bool GridResult::feasible() const noexcept {
    return std::none_of(violations.begin(), violations.end(), [](const ViolationResult& v) { return v.hard; });
}

std::vector<GridResult> redistrict_workspace(const Workspace& ws, const RunOptions& options) {
    const Input in = read_input(ws, options);
    const std::size_t jobs = in.grids.size();
    std::vector<GridResult> results(jobs);
    std::vector<std::exception_ptr> errors(jobs);
    unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, jobs)));
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::mutex progress_mutex;
    auto worker = [&]() {
        Transformers tf(in.srid);
        while (true) {
            const std::size_t i = next.fetch_add(1);
            if (i >= jobs) {
                break;
            }
            try {
                results[i] = run_grid(in, i, options, tf);
            } catch (const geometry_error& e) {
                // Name the grid: GEOS's own message does not.
                const std::string& code = in.grids[i].code;
                errors[i] = e.feature_id().empty() || e.feature_id() == code
                                ? std::make_exception_ptr(geometry_error(
                                      "redistrict: grid " + code + ": " + e.what(), code,
                                      e.hint().empty() ? "check the grid and its buildings (gridkit validate --grid " + code + ")"
                                                       : e.hint()))
                                : std::current_exception();
            } catch (...) {
                errors[i] = std::current_exception();
            }
            const std::size_t d = ++done;
            if (options.progress) {
                std::lock_guard<std::mutex> lock(progress_mutex);
                options.progress("redistrict", d, jobs);
            }
        }
    };
    if (threads <= 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back(worker);
        }
        for (std::thread& t : pool) {
            t.join();
        }
    }
    for (std::size_t i = 0; i < jobs; ++i) {
        if (errors[i]) {
            std::rethrow_exception(errors[i]);
        }
    }
    return results;
}

std::string parameters_json(const RunOptions& options) {
    nlohmann::json p{{"min", options.options.min_households},
                     {"max", options.options.max_households},
                     {"seed", options.options.seed},
                     {"sweeps", options.options.sweeps},
                     {"barriers", options.barriers},
                     {"locked", options.locked}};
    return p.dump();
}

std::string result_json(const GridResult& r) {
    const Measures& m = r.measures;
    nlohmann::json zones = nlohmann::json::array();
    for (const ZoneResult& z : r.zones) {
        zones.push_back({{"code", z.code},
                         {"households", z.households},
                         {"area_m2", z.area_m2},
                         {"polsby_popper", z.polsby_popper},
                         {"kept", z.kept},
                         {"locked", z.locked},
                         {"buildings", z.members.size()},
                         {"members", z.members}});
    }
    nlohmann::json violations = nlohmann::json::array();
    for (const ViolationResult& v : r.violations) {
        violations.push_back({{"kind", std::string(violation_name(v.kind))},
                              {"hard", v.hard},
                              {"microgrid", v.zone_code},
                              {"households", v.households},
                              {"buildings", v.buildings},
                              {"message", v.message}});
    }
    nlohmann::json doc{{"grid_code", r.grid_code},
                       {"metric_crs", "EPSG:" + std::to_string(r.metric_epsg)},
                       {"buildings", r.buildings},
                       {"skipped_buildings", r.skipped},
                       {"kept_current", r.kept_current},
                       {"feasible", r.feasible()},
                       {"zone_count", m.zones},
                       {"households", m.households},
                       {"households_min", m.households_min},
                       {"households_mean", m.households_mean},
                       {"households_max", m.households_max},
                       {"zones_below_min", m.zones_below_min},
                       {"zones_above_max", m.zones_above_max},
                       {"atoms_over_max", m.atoms_over_max},
                       {"contiguity_pct", m.contiguity_pct},
                       {"polsby_popper_mean", m.polsby_popper_mean},
                       {"polsby_popper_min", m.polsby_popper_min},
                       {"cut_edges", m.cut_edges},
                       {"cut_length_m", m.cut_length_m},
                       {"barrier_crossings", m.barrier_crossings},
                       {"moved_households", m.moved_households},
                       {"moved_pct", m.moved_pct},
                       {"tiling",
                        {{"ok", r.tiling.ok()},
                         {"parent_area_m2", r.tiling.parent_area},
                         {"zones_area_m2", r.tiling.zones_area_sum},
                         {"union_area_m2", r.tiling.union_area},
                         {"max_relative_error", r.tiling.max_relative_error},
                         {"overlap_area_m2", r.tiling.overlap_area},
                         {"zones_in_pieces", r.tiling.zones_in_pieces},
                         {"footprints_outside", r.tiling.footprints_outside}}},
                       {"violations", violations},
                       {"zones", zones},
                       {"seconds", r.seconds}};
    return doc.dump();
}

} // namespace grid::redistrict

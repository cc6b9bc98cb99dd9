// repair(): the mechanical fixes of grid data staff ask for, one grid at a time: make invalid
// polygons valid, clip micro-grids to their grid, remove small overlaps between sibling
// micro-grids, and give slivers and small gaps to the micro-grid sharing the longest edge with
// them. Geometry is changed in the workspace CRS (so untouched vertices stay bit for bit, and
// shared edges stay shared); areas and widths are measured in metres. Every change is reported.
#include "libgrid/validate.hpp"

#include "detail/validate_internal.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace grid {

namespace {

struct Feature {
    std::int64_t rowid = 0;
    std::string code;
    geom::Geometry g; ///< workspace CRS; null when unusable
    bool changed = false;
};

struct GridWork {
    Feature grid;
    std::vector<Feature> micro;
    std::vector<RepairChange> changes;
    std::vector<std::string> left;
};

class Measure {
public:
    explicit Measure(const detail::MetricFrame& frame) : m_frame(frame) {}
    double area(const GEOSGeometry* g) const {
        const geom::Geometry m = m_frame.to_metric(g);
        return geom::area(m.get());
    }
    /// Small enough to hand over: below max_area, or thinner than max_width on average.
    bool small(const GEOSGeometry* part, const RepairOptions& o) const {
        const geom::Geometry m = m_frame.to_metric(part);
        return geom::area(m.get()) <= o.max_area || detail::mean_width(m.get()) <= o.max_width;
    }
    /// Parts that validate would report (wider than the tolerance), in the workspace CRS.
    std::vector<geom::Geometry> significant_parts(const GEOSGeometry* g, double tolerance) const {
        std::vector<geom::Geometry> out;
        collect(g, tolerance, out);
        return out;
    }
    double length(const GEOSGeometry* g) const {
        const geom::Geometry m = m_frame.to_metric(g);
        return geom::length(m.get());
    }

private:
    void collect(const GEOSGeometry* g, double tolerance, std::vector<geom::Geometry>& out) const {
        const int type = geom::type_id(g);
        if (type == GEOS_POLYGON) {
            if (geom::is_empty(g)) {
                return;
            }
            const geom::Geometry m = m_frame.to_metric(g);
            const double a = geom::area(m.get());
            if (a > 0 && a > tolerance * tolerance && detail::mean_width(m.get()) > tolerance) {
                out.push_back(geom::clone(g));
            }
            return;
        }
        if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
            for (int i = 0; i < geom::num_geometries(g); ++i) {
                collect(geom::geometry_n(g, i), tolerance, out);
            }
        }
    }
    const detail::MetricFrame& m_frame;
};

/// Polygonal parts only, as a MULTIPOLYGON (an overlay may also return lines and points).
geom::Geometry polygonal(geom::Geometry g) {
    if (geom::type_id(g.get()) == GEOS_GEOMETRYCOLLECTION || geom::type_id(g.get()) == GEOS_POLYGON ||
        geom::type_id(g.get()) == GEOS_MULTIPOLYGON) {
        return geom::to_multipolygon(std::move(g));
    }
    return geom::make_collection(GEOS_MULTIPOLYGON, {});
}

geom::Geometry read_geometry(const Statement& st, int column, int srid_column, int srid, std::string& problem) {
    std::size_t size = 0;
    const unsigned char* blob = st.column_blob(column, size);
    if (blob == nullptr) {
        problem = "no readable geometry";
        return nullptr;
    }
    if (st.column_int(srid_column) != srid) {
        problem = "geometry in EPSG:" + std::to_string(st.column_int(srid_column));
        return nullptr;
    }
    const detail::WkbSummary s = detail::scan_wkb(blob, size);
    if (!s.readable || (s.type != 3 && s.type != 6) || s.short_ring || s.non_finite || s.points == 0) {
        problem = "geometry that is not a usable polygon";
        return nullptr;
    }
    return geom::from_wkb(blob, size);
}

void record(GridWork& w, const std::string& layer, const std::string& id, const char* action, std::string detail,
            double before, double after, const GEOSGeometry* where) {
    RepairChange c;
    c.layer = layer;
    c.id = id;
    c.action = action;
    c.detail = std::move(detail);
    c.area_before_m2 = before;
    c.area_after_m2 = after;
    if (where != nullptr && !geom::is_empty(where)) {
        c.location = geom::point_on_surface(where);
    }
    w.changes.push_back(std::move(c));
}

std::string m2(double a) { return detail::format_area(a) + " m²"; }

/// The polygon parts of `region` (an overlay in the workspace CRS) that validate reports: those
/// overlapping a part of `metric_region` (the same overlay done in metres, as validate does it)
/// wider than the tolerance. Deciding on the overlay in degrees would disagree with validate: it
/// can give a small gap or overlap a hairline spike along a straight edge (vertices not
/// bit-for-bit collinear there) whose length halves the mean width, and what validate reports
/// would then be neither repaired nor left for a person.
std::vector<geom::Geometry> reported_parts(const GEOSGeometry* region, const GEOSGeometry* metric_region,
                                           const Measure& measure, const detail::MetricFrame& frame, double tolerance) {
    const std::vector<geom::Geometry> reported = detail::reportable_parts(metric_region, tolerance);
    std::vector<geom::Geometry> out;
    if (reported.empty()) {
        return out;
    }
    for (auto& part : measure.significant_parts(region, 0.0)) {
        const geom::Geometry pm = frame.to_metric(part.get());
        const bool is_reported = std::any_of(reported.begin(), reported.end(), [&](const geom::Geometry& r) {
            return geom::intersects(pm.get(), r.get()) && geom::area(geom::intersection(pm.get(), r.get()).get()) > 0;
        });
        if (is_reported) {
            out.push_back(std::move(part));
        }
    }
    return out;
}

/// The gaps of a grid (its outline less its micro-grids and the allowed gaps) that validate reports.
std::vector<geom::Geometry> significant_gaps(const GEOSGeometry* gaps, const GridWork& w, const Measure& measure,
                                             const detail::MetricFrame& frame,
                                             const std::vector<geom::Geometry>& allowed, double tolerance) {
    std::vector<geom::Geometry> metric;
    for (const Feature& m : w.micro) {
        metric.push_back(frame.to_metric(m.g.get()));
    }
    const geom::Geometry covered = geom::union_all(std::move(metric));
    const geom::Geometry grid = frame.to_metric(w.grid.g.get());
    geom::Geometry region = geom::difference(grid.get(), covered.get());
    for (const auto& a : allowed) {
        const geom::Geometry am = frame.to_metric(a.get());
        if (geom::intersects(region.get(), am.get())) {
            region = geom::difference(region.get(), am.get());
        }
    }
    return reported_parts(gaps, region.get(), measure, frame, tolerance);
}

void repair_grid(GridWork& w, const detail::MetricFrame& frame, const RepairOptions& o,
                 const std::vector<geom::Geometry>& allowed) {
    const Measure measure(frame);
    // 1. Valid polygons.
    auto make_valid = [&](Feature& f, const std::string& layer) {
        const geom::Validity v = geom::validity(f.g.get());
        if (v.valid) {
            return;
        }
        const double before = measure.area(f.g.get());
        f.g = polygonal(geom::make_valid(f.g.get()));
        f.changed = true;
        const double after = measure.area(f.g.get());
        const geom::Geometry at = geom::make_point(v.location.x, v.location.y);
        record(w, layer, f.code, "make_valid", "was not valid (" + v.reason + "); made valid", before, after, at.get());
    };
    make_valid(w.grid, "grid");
    if (geom::is_empty(w.grid.g.get())) {
        w.left.push_back("grid " + w.grid.code + ": its outline is empty once made valid; redraw it");
        return;
    }
    for (Feature& m : w.micro) {
        make_valid(m, "microgrid");
    }
    const geom::Prepared outline = geom::prepare(w.grid.g.get());

    // 2. Clip to the grid outline.
    for (Feature& m : w.micro) {
        if (geom::is_empty(m.g.get()) || geom::covers(outline.get(), m.g.get())) {
            continue;
        }
        const geom::Geometry outside = geom::difference(m.g.get(), w.grid.g.get());
        const geom::Geometry mm = frame.to_metric(m.g.get());
        const geom::Geometry gm = frame.to_metric(w.grid.g.get());
        const geom::Geometry outside_m = geom::difference(mm.get(), gm.get());
        if (reported_parts(outside.get(), outside_m.get(), measure, frame, o.tolerance).empty()) {
            continue;
        }
        const double before = measure.area(m.g.get());
        geom::Geometry clipped = polygonal(geom::intersection(m.g.get(), w.grid.g.get()));
        if (geom::is_empty(clipped.get())) {
            w.left.push_back("micro-grid " + m.code + " lies wholly outside its grid " + w.grid.code +
                             ": move it or record its right grid by hand");
            continue;
        }
        m.g = std::move(clipped);
        m.changed = true;
        record(w, "microgrid", m.code, "clip_to_grid", m2(before - measure.area(m.g.get())) + " outside grid " +
               w.grid.code + " cut off", before, measure.area(m.g.get()), outside.get());
    }

    // 3. Slivers: small extra parts of a micro-grid are dropped (the gap step gives them away).
    for (Feature& m : w.micro) {
        const int n = geom::num_geometries(m.g.get());
        if (n < 2) {
            continue;
        }
        int largest = 0;
        double largest_area = -1;
        for (int i = 0; i < n; ++i) {
            const double a = measure.area(geom::geometry_n(m.g.get(), i));
            if (a > largest_area) {
                largest_area = a;
                largest = i;
            }
        }
        std::vector<geom::Geometry> keep;
        std::vector<geom::Geometry> dropped;
        for (int i = 0; i < n; ++i) {
            const GEOSGeometry* part = geom::geometry_n(m.g.get(), i);
            (i != largest && measure.small(part, o) ? dropped : keep).push_back(geom::clone(part));
        }
        if (dropped.empty()) {
            continue;
        }
        const double before = measure.area(m.g.get());
        const geom::Geometry gone = geom::make_collection(GEOS_MULTIPOLYGON, std::move(dropped));
        m.g = geom::make_collection(GEOS_MULTIPOLYGON, std::move(keep));
        m.changed = true;
        record(w, "microgrid", m.code, "remove_sliver",
               std::to_string(geom::num_geometries(gone.get())) + " sliver part(s) of " + m2(measure.area(gone.get())) +
                   " removed",
               before, measure.area(m.g.get()), gone.get());
    }

    // 4. Small overlaps: each part goes to the micro-grid it pokes into (its edges lie mostly on
    // the other one's boundary).
    for (std::size_t i = 0; i < w.micro.size(); ++i) {
        for (std::size_t j = i + 1; j < w.micro.size(); ++j) {
            Feature& a = w.micro[i];
            Feature& b = w.micro[j];
            if (!geom::envelope(a.g.get()).intersects(geom::envelope(b.g.get())) ||
                !geom::intersects(a.g.get(), b.g.get())) {
                continue;
            }
            const geom::Geometry inter = geom::intersection(a.g.get(), b.g.get());
            const geom::Geometry am = frame.to_metric(a.g.get());
            const geom::Geometry bm = frame.to_metric(b.g.get());
            const geom::Geometry inter_m = geom::intersection(am.get(), bm.get());
            for (const auto& part : reported_parts(inter.get(), inter_m.get(), measure, frame, o.tolerance)) {
                const double area = measure.area(part.get());
                if (!measure.small(part.get(), o)) {
                    w.left.push_back("micro-grids " + a.code + " and " + b.code + " overlap by " + m2(area) +
                                     ": too large to repair; decide by hand which one keeps it");
                    continue;
                }
                const geom::Geometry edge = geom::boundary(part.get());
                const geom::Geometry ba = geom::boundary(a.g.get());
                const geom::Geometry bb = geom::boundary(b.g.get());
                const geom::Geometry on_a = geom::intersection(edge.get(), ba.get());
                const geom::Geometry on_b = geom::intersection(edge.get(), bb.get());
                Feature& loser = measure.length(on_a.get()) >= measure.length(on_b.get()) ? a : b;
                const Feature& keeper = &loser == &a ? b : a;
                const double before = measure.area(loser.g.get());
                loser.g = polygonal(geom::difference(loser.g.get(), part.get()));
                loser.changed = true;
                record(w, "microgrid", loser.code, "remove_overlap",
                       "overlap of " + m2(area) + " with " + keeper.code + " left to " + keeper.code, before,
                       measure.area(loser.g.get()), part.get());
            }
        }
    }

    // 5. Small gaps (not allowed gaps) go to the micro-grid sharing the longest edge with them.
    if (w.micro.empty()) {
        return;
    }
    std::vector<geom::Geometry> parts;
    for (const Feature& m : w.micro) {
        parts.push_back(geom::clone(m.g.get()));
    }
    const geom::Geometry covered = geom::union_all(std::move(parts));
    geom::Geometry gaps = geom::difference(w.grid.g.get(), covered.get());
    for (const auto& a : allowed) {
        if (geom::intersects(gaps.get(), a.get())) {
            gaps = geom::difference(gaps.get(), a.get());
        }
    }
    for (const auto& gap : significant_gaps(gaps.get(), w, measure, frame, allowed, o.tolerance)) {
        const double area = measure.area(gap.get());
        if (!measure.small(gap.get(), o)) {
            w.left.push_back("grid " + w.grid.code + ": gap of " + m2(area) +
                             " covered by no micro-grid: too large to repair; draw it into a micro-grid or mark it "
                             "as an allowed gap");
            continue;
        }
        const geom::Geometry edge = geom::boundary(gap.get());
        Feature* best = nullptr;
        double best_len = 0;
        for (Feature& m : w.micro) {
            if (!geom::envelope(m.g.get()).intersects(geom::envelope(gap.get()))) {
                continue;
            }
            const geom::Geometry shared = geom::intersection(edge.get(), m.g.get());
            const double len = measure.length(shared.get());
            if (len > best_len) {
                best_len = len;
                best = &m;
            }
        }
        if (best == nullptr) {
            w.left.push_back("grid " + w.grid.code + ": gap of " + m2(area) + " touches no micro-grid; draw it by hand");
            continue;
        }
        const double before = measure.area(best->g.get());
        best->g = polygonal(geom::unite(best->g.get(), gap.get()));
        best->changed = true;
        char len_text[32];
        std::snprintf(len_text, sizeof len_text, "%.1f", best_len);
        record(w, "microgrid", best->code, "fill_gap",
               "gap of " + m2(area) + " given to it (longest shared edge, " + len_text + " m)", before,
               measure.area(best->g.get()), gap.get());
    }
}

} // namespace

RepairReport repair(const Workspace& ws, const RepairOptions& options) {
    if (!(options.max_area >= 0) || !(options.max_width >= 0) || !(options.tolerance >= 0)) {
        throw usage_error("repair limits must be 0 or more");
    }
    RepairReport report;
    report.workspace = ws.path();
    report.options = options;
    report.options.progress = nullptr;
    const int srid = ws.srid();

    std::vector<GridWork> work;
    {
        std::string sql = "SELECT id, code, AsBinary(geom), SRID(geom) FROM grid";
        sql += options.grid.empty() ? " ORDER BY code" : " WHERE code = ?";
        Statement st = ws.prepare(sql);
        if (!options.grid.empty()) {
            st.bind(1, options.grid);
        }
        while (st.step()) {
            GridWork w;
            w.grid.rowid = st.column_int(0);
            w.grid.code = st.column_text(1);
            std::string problem;
            w.grid.g = read_geometry(st, 2, 3, srid, problem);
            if (!w.grid.g) {
                w.left.push_back("grid " + w.grid.code + ": " + problem + "; fix its outline by hand");
            }
            work.push_back(std::move(w));
        }
    }
    if (!options.grid.empty() && work.empty()) {
        throw usage_error("--grid " + options.grid + ": no such grid in " + ws.path(),
                          "list the grids with 'gridkit info " + ws.path() + "'");
    }
    {
        Statement st = ws.prepare("SELECT id, code, AsBinary(geom), SRID(geom) FROM microgrid WHERE grid_code = ? ORDER BY code");
        for (GridWork& w : work) {
            st.bind(1, w.grid.code);
            while (st.step()) {
                Feature f;
                f.rowid = st.column_int(0);
                f.code = st.column_text(1);
                std::string problem;
                f.g = read_geometry(st, 2, 3, srid, problem);
                if (f.g) {
                    f.g = geom::to_multipolygon(std::move(f.g));
                    w.micro.push_back(std::move(f));
                } else {
                    w.left.push_back("micro-grid " + f.code + ": " + problem + "; fix it by hand");
                }
            }
            st.reset();
        }
    }
    double ref_x = 120, ref_y = 32;
    for (const GridWork& w : work) {
        if (w.grid.g) {
            const geom::Envelope e = geom::envelope(w.grid.g.get());
            ref_x = (e.minx + e.maxx) / 2;
            ref_y = (e.miny + e.maxy) / 2;
            break;
        }
    }
    const detail::MetricFrame frame(srid, ref_x, ref_y);
    report.metric_crs = frame.name();

    // Allowed gaps (rivers, parks) stay uncovered.
    std::vector<std::vector<unsigned char>> allowed_wkb;
    {
        Statement st = ws.prepare("SELECT AsBinary(geom) FROM allowed_gap WHERE geom IS NOT NULL AND SRID(geom) = ?");
        st.bind(1, srid);
        while (st.step()) {
            std::size_t size = 0;
            if (const unsigned char* b = st.column_blob(0, size); b != nullptr) {
                allowed_wkb.emplace_back(b, b + size);
            }
        }
    }

    // Grids are independent: repair them in parallel; GEOS objects stay on their thread, so
    // each grid's geometries leave as WKB.
    std::vector<std::vector<std::pair<std::int64_t, std::vector<unsigned char>>>> grid_updates(work.size()),
        micro_updates(work.size());
    detail::parallel_workers(work.size(), detail::thread_count(0), [&](const detail::NextTask& next) {
        std::vector<geom::Geometry> allowed;
        for (const auto& w : allowed_wkb) {
            const detail::WkbSummary s = detail::scan_wkb(w.data(), w.size());
            if (s.readable && (s.type == 3 || s.type == 6) && !s.short_ring) {
                allowed.push_back(geom::from_wkb(w));
            }
        }
        for (std::size_t i = next(); i != detail::no_task; i = next()) {
            GridWork& w = work[i];
            if (!w.grid.g) {
                continue;
            }
            std::vector<geom::Geometry> near;
            const geom::Envelope e = geom::envelope(w.grid.g.get());
            for (const auto& a : allowed) {
                if (geom::envelope(a.get()).intersects(e)) {
                    near.push_back(geom::clone(a.get()));
                }
            }
            try {
                repair_grid(w, frame, options, near);
            } catch (const geometry_error& ex) {
                w.changes.clear();
                w.left.push_back("grid " + w.grid.code + ": could not be repaired (" + ex.what() + "); left unchanged");
                continue;
            }
            if (w.grid.changed) {
                grid_updates[i].emplace_back(w.grid.rowid, geom::to_wkb(w.grid.g.get()));
            }
            for (Feature& m : w.micro) {
                if (m.changed) {
                    micro_updates[i].emplace_back(m.rowid, geom::to_wkb(m.g.get()));
                }
            }
            // Geometries die here, on the thread that made them.
            w.grid.g.reset();
            w.micro.clear();
        }
    });

    for (GridWork& w : work) {
        for (auto& c : w.changes) {
            report.changes.push_back(std::move(c));
        }
        for (auto& l : w.left) {
            report.left.push_back(std::move(l));
        }
    }
    report.grids = static_cast<std::int64_t>(work.size());

    std::int64_t rows = 0;
    for (std::size_t i = 0; i < work.size(); ++i) {
        rows += static_cast<std::int64_t>(grid_updates[i].size() + micro_updates[i].size());
    }
    if (options.dry_run || rows == 0) {
        return report;
    }
    Transaction tx(ws);
    const std::string srid_text = std::to_string(srid);
    Statement ug = ws.prepare("UPDATE grid SET geom = GeomFromWKB(?, " + srid_text + ") WHERE id = ?");
    Statement um = ws.prepare("UPDATE microgrid SET geom = GeomFromWKB(?, " + srid_text + ") WHERE id = ?");
    for (std::size_t i = 0; i < work.size(); ++i) {
        for (const auto& [rowid, wkb] : grid_updates[i]) {
            ug.bind_blob(1, wkb.data(), wkb.size()).bind(2, rowid).run();
        }
        for (const auto& [rowid, wkb] : micro_updates[i]) {
            um.bind_blob(1, wkb.data(), wkb.size()).bind(2, rowid).run();
        }
    }
    nlohmann::json actions = nlohmann::json::object();
    for (const auto& c : report.changes) {
        actions[c.action] = actions.value(c.action, 0) + 1;
    }
    ws.record_audit(command_line().empty() ? "repair" : command_line(), "microgrid", rows,
                    nlohmann::json{{"grid", options.grid}, {"changes", actions}}.dump());
    tx.commit();
    report.features_written = rows;
    report.written = true;
    return report;
}

nlohmann::json to_json(const RepairReport& r) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : r.changes) {
        nlohmann::json j{{"layer", c.layer},
                         {"id", c.id},
                         {"action", c.action},
                         {"detail", c.detail},
                         {"area_before_m2", std::round(c.area_before_m2 * 1000.0) / 1000.0},
                         {"area_after_m2", std::round(c.area_after_m2 * 1000.0) / 1000.0}};
        j["location"] = c.location ? nlohmann::json{{"type", "Point"}, {"coordinates", {c.location->x, c.location->y}}}
                                   : nlohmann::json(nullptr);
        changes.push_back(std::move(j));
    }
    return {{"type", "gridkit_repair_report"},
            {"version", 1},
            {"workspace", r.workspace},
            {"parameters",
             {{"grid", r.options.grid.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.options.grid)},
              {"dry_run", r.options.dry_run},
              {"max_area_m2", r.options.max_area},
              {"max_width_m", r.options.max_width},
              {"tolerance_m", r.options.tolerance},
              {"metric_crs", r.metric_crs}}},
            {"grids", r.grids},
            {"changes", changes},
            {"left", r.left},
            {"features_written", r.features_written},
            {"written", r.written}};
}

} // namespace grid

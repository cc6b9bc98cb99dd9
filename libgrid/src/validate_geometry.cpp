// Geometry checks (1xx) and the reading of zone layers (division outlines, grids, micro-grids,
// allowed gaps) into metric, valid MULTIPOLYGONs for the coverage and household checks.
#include "detail/validate_internal.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <algorithm>
#include <cmath>

namespace grid::detail {

ValidationError finding(int code, const std::string& layer, const std::string& id, std::string message) {
    ValidationError e;
    e.code = code;
    e.layer = layer;
    e.id = id;
    e.message = std::move(message);
    return e;
}

namespace {

const char* wkb_type_name(int type) {
    static const char* names[] = {"GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
                                  "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
    return type >= 0 && type <= 7 ? names[type] : "unknown type";
}

std::string subject(const std::string& layer, const std::string& id) { return layer + " " + id; }

} // namespace

geom::Geometry check_polygon(const Context& ctx, const PolygonInput& in, std::vector<ValidationError>& out) {
    const MetricFrame& frame = ctx.frame;
    const std::string who = subject(in.layer, in.id);
    auto report = [&](ValidationError e) {
        if (in.report) {
            out.push_back(std::move(e));
        }
    };
    if (!in.present) {
        report(finding(code::empty_geometry, in.layer, in.id, who + ": no geometry (NULL)"));
        return nullptr;
    }
    if (in.wkb.empty()) {
        report(finding(code::unreadable_geometry, in.layer, in.id, who + ": the geometry value cannot be read"));
        return nullptr;
    }
    if (in.srid != frame.workspace_srid()) {
        // Reported whatever --only says: coordinates in another CRS would mislead every other check.
        out.push_back(finding(code::srid_mismatch, in.layer, in.id,
                              who + ": geometry in EPSG:" + std::to_string(in.srid) + ", the workspace is EPSG:" +
                                  std::to_string(frame.workspace_srid()) + "; re-import it with the right --src-crs"));
        return nullptr;
    }
    const WkbSummary s = scan_wkb(in.wkb.data(), in.wkb.size());
    if (!s.readable) {
        report(finding(code::unreadable_geometry, in.layer, in.id, who + ": the geometry value cannot be read"));
        return nullptr;
    }
    if (s.type != 3 && s.type != 6) {
        report(finding(code::wrong_geometry_type, in.layer, in.id,
                       who + ": " + wkb_type_name(s.type) + " where a polygon is expected"));
        return nullptr;
    }
    if (s.polygons == 0 || s.points == 0) {
        report(finding(code::empty_geometry, in.layer, in.id, who + ": empty geometry"));
        return nullptr;
    }
    if (s.non_finite || !frame.in_range(s.envelope.minx, s.envelope.miny) ||
        !frame.in_range(s.envelope.maxx, s.envelope.maxy)) {
        ValidationError e = finding(code::coordinates_out_of_range, in.layer, in.id,
                                    who + ": coordinates outside the area of EPSG:" +
                                        std::to_string(frame.workspace_srid()) +
                                        (s.non_finite ? " (not a number)" : "") + " (swapped x/y, or 0,0?)");
        if (!s.non_finite) {
            e.location = geom::Point{s.envelope.minx, s.envelope.miny};
        }
        report(std::move(e));
        return nullptr;
    }
    if (s.short_ring) {
        ValidationError e = finding(code::too_few_points, in.layer, in.id,
                                    who + ": a ring has fewer than 4 points (or 3 distinct ones)" +
                                        format_location(frame, s.short_ring_at));
        e.location = s.short_ring_at;
        report(std::move(e));
        return nullptr;
    }
    geom::Geometry g = geom::from_wkb(in.wkb);
    const geom::Validity v = geom::validity(g.get());
    if (!v.valid) {
        const bool few = v.reason.find("Too few points") != std::string::npos;
        ValidationError e = finding(few ? code::too_few_points : code::invalid_polygon, in.layer, in.id,
                                    who + ": not valid: " + v.reason + format_location(frame, v.location));
        e.location = v.location;
        report(std::move(e));
        g = geom::to_multipolygon(geom::make_valid(g.get()));
        if (geom::is_empty(g.get())) {
            return nullptr;
        }
    } else {
        g = geom::to_multipolygon(std::move(g));
    }
    geom::Geometry m = frame.to_metric(g.get());
    if (in.slivers && in.report) {
        const int n = geom::num_geometries(m.get());
        for (int i = 0; i < n; ++i) {
            const GEOSGeometry* part = geom::geometry_n(m.get(), i);
            const double a = geom::area(part);
            const double w = mean_width(part);
            if (a < ctx.options.sliver_area || w < ctx.options.sliver_width) {
                ValidationError e = finding(code::sliver_polygon, in.layer, in.id, "");
                place(e, frame, geom::point_on_surface(part), nullptr);
                e.area_m2 = a;
                e.message = who + ": sliver part of " + format_area(a) + " m² (mean width " + format_area(w) + " m)" +
                            (n > 1 ? " (part " + std::to_string(i + 1) + " of " + std::to_string(n) + ")" : "") +
                            format_location(frame, *e.location);
                out.push_back(std::move(e));
            }
        }
    }
    return m;
}

// --- zones -----------------------------------------------------------------------------------

namespace {

void read_layer(const Workspace& ws, const std::string& sql, const std::string& layer, ZoneSet& set) {
    Statement st = ws.prepare(sql);
    while (st.step()) {
        Zone z;
        z.layer = layer;
        z.rowid = st.column_int(0);
        z.code = st.column_text(1);
        z.parent = st.column_text(2);
        z.level = static_cast<int>(st.column_int(3));
        std::size_t size = 0;
        const unsigned char* blob = st.column_blob(4, size);
        if (blob != nullptr) {
            z.wkb.assign(blob, blob + size);
        }
        z.srid = static_cast<int>(st.column_int(5));
        z.present = st.column_int(6) == 0;
        set.zones.push_back(std::move(z));
    }
}

// A typical coordinate of the data (median of zone centres in range), to choose the metric CRS.
void choose_frame(Context& ctx) {
    std::vector<double> xs, ys;
    const MetricFrame probe(ctx.ws.srid(), 120.0, 32.0);
    for (const ZoneSet* set : {&ctx.grids, &ctx.microgrids, &ctx.divisions, &ctx.allowed_gaps}) {
        for (const Zone& z : set->zones) {
            const WkbSummary s = scan_wkb(z.wkb.data(), z.wkb.size());
            if (s.readable && s.points > 0) {
                const double x = (s.envelope.minx + s.envelope.maxx) / 2, y = (s.envelope.miny + s.envelope.maxy) / 2;
                if (probe.in_range(x, y)) {
                    xs.push_back(x);
                    ys.push_back(y);
                }
            }
        }
    }
    if (xs.empty()) {
        // No zone: take buildings/addresses (a workspace of points only still gets a frame).
        Statement st = ctx.ws.prepare("SELECT X(geom), Y(geom) FROM address WHERE geom IS NOT NULL LIMIT 1001");
        while (st.step()) {
            if (probe.in_range(st.column_double(0), st.column_double(1))) {
                xs.push_back(st.column_double(0));
                ys.push_back(st.column_double(1));
            }
        }
    }
    if (xs.empty()) {
        ctx.frame = MetricFrame(ctx.ws.srid(), 120.0, 32.0);
        return;
    }
    std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(xs.size() / 2), xs.end());
    std::nth_element(ys.begin(), ys.begin() + static_cast<std::ptrdiff_t>(ys.size() / 2), ys.end());
    ctx.frame = MetricFrame(ctx.ws.srid(), xs[xs.size() / 2], ys[ys.size() / 2]);
}

} // namespace

void read_zones(Context& ctx) {
    const Workspace& ws = ctx.ws;
    read_layer(ws,
               "SELECT id, code, coalesce(parent_code, ''), level, AsBinary(geom), SRID(geom), geom IS NULL "
               "FROM division WHERE geom IS NOT NULL ORDER BY id",
               "division", ctx.divisions);
    read_layer(ws,
               "SELECT id, code, coalesce(community_code, ''), 0, AsBinary(geom), SRID(geom), geom IS NULL "
               "FROM grid ORDER BY id",
               "grid", ctx.grids);
    read_layer(ws,
               "SELECT id, code, coalesce(grid_code, ''), 0, AsBinary(geom), SRID(geom), geom IS NULL "
               "FROM microgrid ORDER BY id",
               "microgrid", ctx.microgrids);
    read_layer(ws, "SELECT id, '', '', 0, AsBinary(geom), SRID(geom), geom IS NULL FROM allowed_gap ORDER BY id",
               "allowed_gap", ctx.allowed_gaps);
    if (!ctx.grid_scope.empty()) {
        for (Zone& z : ctx.divisions.zones) {
            z.in_scope = false;
        }
        for (Zone& z : ctx.grids.zones) {
            z.in_scope = z.code == ctx.grid_scope;
        }
        for (Zone& z : ctx.microgrids.zones) {
            z.in_scope = z.parent == ctx.grid_scope;
        }
    }
    choose_frame(ctx);
}

void check_zone_geometries(Context& ctx) {
    std::vector<Zone*> all;
    for (ZoneSet* set : {&ctx.divisions, &ctx.grids, &ctx.microgrids, &ctx.allowed_gaps}) {
        for (Zone& z : set->zones) {
            all.push_back(&z);
        }
    }
    std::atomic<std::size_t> unusable{0};
    parallel_for(all.size(), ctx.threads, [&](std::size_t i) {
        Zone& z = *all[i];
        std::vector<ValidationError> out;
        guarded(ctx, z.layer, z.id(), [&] {
            const PolygonInput in{z.layer, z.id(), z.present, z.srid, z.wkb, z.layer != "allowed_gap",
                                  ctx.options.geometry && z.in_scope};
            const geom::Geometry m = check_polygon(ctx, in, out);
            if (m) {
                z.metric = geom::to_wkb(m.get());
                z.envelope = geom::envelope(m.get());
                z.area = geom::area(m.get());
            } else {
                ++unusable;
            }
        });
        z.wkb.clear();
        z.wkb.shrink_to_fit();
        ctx.findings.add(out);
    });
    for (ZoneSet* set : {&ctx.divisions, &ctx.grids, &ctx.microgrids, &ctx.allowed_gaps}) {
        set->index();
    }
    if (!ctx.grid_scope.empty()) {
        // Allowed gaps are reported on when they touch the grid.
        const Zone* g = ctx.grids.find(ctx.grid_scope);
        for (Zone& z : ctx.allowed_gaps.zones) {
            z.in_scope = g != nullptr && g->usable() && z.usable() && z.envelope.intersects(g->envelope);
        }
    }
    if (!ctx.options.geometry && unusable > 0) {
        ctx.note(std::to_string(unusable.load()) +
                 " zone(s) have no usable geometry and were left out; run with the geometry check to see why");
    }
}

} // namespace grid::detail

// Coverage and nesting (2xx), per level: division outlines in their parent division, grids in
// their community, micro-grids in their grid. Each parent is one task (run in parallel); every
// geometry is metric, so tolerances and areas are in metres.
#include "detail/validate_internal.hpp"

#include "libgrid/workspace.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace grid::detail {

namespace {

/// One parent and its children.
struct Group {
    const ZoneSet* children_set = nullptr;
    std::vector<std::size_t> children;
    const Zone* parent = nullptr;       ///< null when the parent has no (usable) outline
    std::string parent_layer;           ///< for gap findings: division / grid
    std::string parent_code;
    const ZoneSet* parent_level = nullptr; ///< where another parent is looked for (205)
    int parent_division_level = 0;      ///< for division parents: the level they must have (0: any)
    bool gaps = true;
    std::string focus;                  ///< with --grid: only findings involving this child
    const char* child_noun = "";
    const char* parent_noun = "";
};

geom::Geometry holes_of(const GEOSGeometry* g) {
    std::vector<geom::Geometry> holes;
    auto add_holes = [&](const GEOSGeometry* poly) {
        const int n = GEOSGetNumInteriorRings_r(geom::context(), poly);
        for (int i = 0; i < n; ++i) {
            const GEOSGeometry* ring = GEOSGetInteriorRingN_r(geom::context(), poly, i);
            GEOSGeometry* shell = GEOSGeom_clone_r(geom::context(), ring);
            holes.push_back(geom::own(GEOSGeom_createPolygon_r(geom::context(), shell, nullptr, 0), "hole polygon"));
        }
    };
    if (geom::type_id(g) == GEOS_POLYGON) {
        add_holes(g);
    } else {
        for (int i = 0; i < geom::num_geometries(g); ++i) {
            if (geom::type_id(geom::geometry_n(g, i)) == GEOS_POLYGON) {
                add_holes(geom::geometry_n(g, i));
            }
        }
    }
    return geom::make_collection(GEOS_MULTIPOLYGON, std::move(holes));
}

/// A directed segment as +1/-1 on its undirected key, so that a segment and its reverse cancel.
struct Segment {
    double x1, y1, x2, y2;
    int sign;
    bool operator<(const Segment& o) const { return std::tie(x1, y1, x2, y2) < std::tie(o.x1, o.y1, o.x2, o.y2); }
    bool same(const Segment& o) const { return x1 == o.x1 && y1 == o.y1 && x2 == o.x2 && y2 == o.y2; }
};

/// Adds the segments of a ring, oriented counter-clockwise for shells and clockwise for holes,
/// with weight `sign`.
void add_ring(const GEOSGeometry* ring, bool shell, int sign, std::vector<Segment>& out) {
    const GEOSContextHandle_t h = geom::context();
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    char ccw = 0;
    if (seq == nullptr || GEOSCoordSeq_getSize_r(h, seq, &n) == 0 || n < 4 || GEOSCoordSeq_isCCW_r(h, seq, &ccw) == 0) {
        return;
    }
    const int dir = ((ccw != 0) == shell) ? sign : -sign;
    double px = 0, py = 0;
    GEOSCoordSeq_getXY_r(h, seq, 0, &px, &py);
    for (unsigned i = 1; i < n; ++i) {
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
        if (x != px || y != py) {
            const bool forward = std::tie(px, py) < std::tie(x, y);
            out.push_back(forward ? Segment{px, py, x, y, dir} : Segment{x, y, px, py, -dir});
        }
        px = x;
        py = y;
    }
}

void add_polygons(const GEOSGeometry* g, int sign, std::vector<Segment>& out) {
    const int type = geom::type_id(g);
    if (type == GEOS_POLYGON) {
        add_ring(GEOSGetExteriorRing_r(geom::context(), g), true, sign, out);
        for (int i = 0; i < GEOSGetNumInteriorRings_r(geom::context(), g); ++i) {
            add_ring(GEOSGetInteriorRingN_r(geom::context(), g, i), false, sign, out);
        }
        return;
    }
    for (int i = 0; i < geom::num_geometries(g); ++i) {
        add_polygons(geom::geometry_n(g, i), sign, out);
    }
}

/// True when the children tile the parent exactly: every edge of a child is matched by the
/// reverse edge of a sibling or by the same edge of the parent. The boundaries then cancel as
/// chains, so the children's winding numbers add up to the parent's: no overlap, no gap, nothing
/// outside (valid polygons). Coordinates must match bit for bit; anything else takes the overlay path.
bool exact_tiling(const std::vector<geom::Geometry>& children, const GEOSGeometry* parent) {
    std::vector<Segment> segs;
    for (const auto& c : children) {
        add_polygons(c.get(), 1, segs);
    }
    add_polygons(parent, -1, segs);
    std::sort(segs.begin(), segs.end());
    for (std::size_t i = 0; i < segs.size();) {
        int sum = 0;
        std::size_t j = i;
        for (; j < segs.size() && segs[j].same(segs[i]); ++j) {
            sum += segs[j].sign;
        }
        if (sum != 0) {
            return false;
        }
        i = j;
    }
    return true;
}

/// The largest part (for the location of a finding).
const GEOSGeometry* largest(const std::vector<geom::Geometry>& parts) {
    const GEOSGeometry* best = nullptr;
    double best_area = -1;
    for (const auto& p : parts) {
        const double a = geom::area(p.get());
        if (a > best_area) {
            best_area = a;
            best = p.get();
        }
    }
    return best;
}

void check_group(Context& ctx, const Group& g) {
    const double tol = ctx.options.tolerance;
    const MetricFrame& frame = ctx.frame;
    const ZoneSet& set = *g.children_set;
    std::vector<ValidationError> out;
    std::vector<geom::Geometry> geoms;
    std::vector<geom::Envelope> envs;
    geoms.reserve(g.children.size());
    for (const std::size_t c : g.children) {
        geoms.push_back(geom::from_wkb(set.zones[c].metric));
        envs.push_back(set.zones[c].envelope);
    }
    auto focused = [&](std::size_t k) { return g.focus.empty() || set.zones[g.children[k]].code == g.focus; };
    if (g.parent != nullptr) {
        const geom::Geometry parent = geom::from_wkb(g.parent->metric);
        if (exact_tiling(geoms, parent.get())) {
            return; // the usual case of clean data: no overlay needed
        }
    }

    // Sibling overlaps.
    const geom::STRtree tree(envs);
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < geoms.size(); ++i) {
        tree.query(envs[i], hits);
        std::sort(hits.begin(), hits.end());
        const Zone& a = set.zones[g.children[i]];
        for (const std::size_t j : hits) {
            if (j <= i || (!focused(i) && !focused(j))) {
                continue;
            }
            const Zone& b = set.zones[g.children[j]];
            guarded(ctx, a.layer, a.id(), [&] {
                if (!geom::intersects(geoms[i].get(), geoms[j].get())) {
                    return;
                }
                const geom::Geometry inter = geom::intersection(geoms[i].get(), geoms[j].get());
                const auto parts = reportable_parts(inter.get(), tol);
                if (parts.empty()) {
                    return;
                }
                const geom::Geometry all = collect(parts);
                ValidationError e = finding(code::sibling_overlap, a.layer, a.id(), "");
                place(e, frame, geom::point_on_surface(largest(parts)), all.get());
                e.area_m2 = total_area(parts);
                e.related_id = b.id();
                e.message = std::string(g.child_noun) + " " + a.id() + " overlaps " + g.child_noun + " " + b.id() +
                            " by " + format_area(*e.area_m2) + " m²" +
                            (parts.size() > 1 ? " in " + std::to_string(parts.size()) + " places" : "") +
                            format_location(frame, *e.location);
                out.push_back(std::move(e));
            });
        }
    }

    // Children outside their parent (or lying in another parent).
    if (g.parent != nullptr) {
        const geom::Geometry parent = geom::from_wkb(g.parent->metric);
        const geom::Prepared prepared = geom::prepare(parent.get());
        for (std::size_t i = 0; i < geoms.size(); ++i) {
            if (!focused(i)) {
                continue;
            }
            const Zone& z = set.zones[g.children[i]];
            guarded(ctx, z.layer, z.id(), [&] {
                if (geom::covers(prepared.get(), geoms[i].get())) {
                    return;
                }
                const geom::Geometry outside = geom::difference(geoms[i].get(), parent.get());
                const auto parts = reportable_parts(outside.get(), tol);
                if (parts.empty()) {
                    return;
                }
                const double outside_area = total_area(parts);
                const geom::Point at = geom::point_on_surface(largest(parts));
                const Zone* other = nullptr;
                if (outside_area > 0.5 * z.area && g.parent_level != nullptr) {
                    std::vector<std::size_t> cands;
                    g.parent_level->candidates(at.x, at.y, cands);
                    const geom::Geometry p = geom::make_point(at.x, at.y);
                    for (const std::size_t c : cands) {
                        const Zone& cand = g.parent_level->zones[c];
                        if (&cand == g.parent || (g.parent_division_level != 0 && cand.level != g.parent_division_level)) {
                            continue;
                        }
                        const geom::Geometry cg = geom::from_wkb(cand.metric);
                        if (geom::intersects(cg.get(), p.get())) {
                            other = &cand;
                            break;
                        }
                    }
                }
                const geom::Geometry all = collect(parts);
                ValidationError e = finding(other != nullptr ? code::child_in_other_parent : code::child_outside_parent,
                                            z.layer, z.id(), "");
                place(e, frame, at, all.get());
                e.area_m2 = outside_area;
                if (other != nullptr) {
                    e.related_id = other->id();
                    const int share = static_cast<int>(100.0 * outside_area / std::max(z.area, 1e-9) + 0.5);
                    e.message = std::string(g.child_noun) + " " + z.id() + " is recorded in " + g.parent_noun + " " +
                                g.parent_code + " but lies in " + g.parent_noun + " " + other->id() + " (" +
                                std::to_string(std::min(share, 100)) + "% of its area outside " + g.parent_code + ")" +
                                format_location(frame, *e.location);
                } else {
                    e.related_id = g.parent_code;
                    e.message = std::string(g.child_noun) + " " + z.id() + ": " + format_area(outside_area) +
                                " m² lie outside its " + g.parent_noun + " " + g.parent_code +
                                format_location(frame, *e.location);
                }
                out.push_back(std::move(e));
            });
        }
    }

    // Gaps: the parent minus its children (or, without a parent outline, holes enclosed by them).
    if (g.gaps && !geoms.empty()) {
        const std::string parent_id = g.parent != nullptr ? g.parent->id() : g.parent_code;
        guarded(ctx, g.parent_layer, parent_id, [&] {
            std::vector<geom::Geometry> copies;
            copies.reserve(geoms.size());
            for (const auto& c : geoms) {
                copies.push_back(geom::clone(c.get()));
            }
            const geom::Geometry children = geom::union_all(std::move(copies));
            geom::Geometry region;
            if (g.parent != nullptr) {
                const geom::Geometry parent = geom::from_wkb(g.parent->metric);
                region = geom::difference(parent.get(), children.get());
            } else {
                region = holes_of(children.get());
            }
            if (geom::is_empty(region.get())) {
                return;
            }
            std::vector<std::size_t> cands;
            ctx.allowed_gaps.candidates(geom::envelope(region.get()), cands);
            if (!cands.empty()) {
                std::vector<geom::Geometry> allowed;
                for (const std::size_t c : cands) {
                    allowed.push_back(geom::from_wkb(ctx.allowed_gaps.zones[c].metric));
                }
                const geom::Geometry mask = geom::union_all(std::move(allowed));
                region = geom::difference(region.get(), mask.get());
            }
            for (const auto& part : reportable_parts(region.get(), tol)) {
                ValidationError e = finding(code::gap_in_parent, g.parent_layer, parent_id, "");
                place(e, frame, geom::point_on_surface(part.get()), part.get());
                e.area_m2 = geom::area(part.get());
                const std::string children_noun = std::string(g.child_noun) + (g.child_noun[0] != '\0' ? "s" : "");
                e.message = g.parent != nullptr
                                ? std::string(g.parent_noun) + " " + parent_id + ": gap of " + format_area(*e.area_m2) +
                                      " m² covered by none of its " + children_noun +
                                      format_location(frame, *e.location)
                                : std::string(g.parent_noun) + " " + parent_id + " (no outline): gap of " +
                                      format_area(*e.area_m2) + " m² enclosed by its " + children_noun +
                                      format_location(frame, *e.location);
                out.push_back(std::move(e));
            }
        });
    }
    ctx.findings.add(out);
}

/// 204 for children whose recorded parent code is empty or unknown.
void report_missing_parents(Context& ctx, const ZoneSet& set, const char* child_noun, const char* parent_noun,
                            const char* field, const std::function<bool(const std::string&)>& exists) {
    std::map<std::string, bool> known;
    for (const Zone& z : set.zones) {
        if (!z.in_scope) {
            continue;
        }
        if (z.parent.empty()) {
            ctx.findings.add(finding(code::parent_not_found, z.layer, z.id(),
                                     std::string(child_noun) + " " + z.id() + ": no " + field +
                                         "; record the " + parent_noun + " it belongs to"));
            continue;
        }
        auto it = known.find(z.parent);
        if (it == known.end()) {
            it = known.emplace(z.parent, exists(z.parent)).first;
        }
        if (!it->second) {
            ValidationError e = finding(code::parent_not_found, z.layer, z.id(),
                                        std::string(child_noun) + " " + z.id() + ": its " + parent_noun + " " +
                                            z.parent + " (" + field + ") is not in the workspace");
            e.related_id = z.parent;
            ctx.findings.add(std::move(e));
        }
    }
}

} // namespace

void check_coverage(Context& ctx) {
    std::vector<Group> groups;
    const bool whole = ctx.grid_scope.empty();

    // Divisions with outlines, in their parent division.
    if (whole) {
        std::map<std::string, std::vector<std::size_t>> by_parent;
        for (std::size_t i = 0; i < ctx.divisions.zones.size(); ++i) {
            if (ctx.divisions.zones[i].usable()) {
                by_parent[ctx.divisions.zones[i].parent].push_back(i);
            }
        }
        for (auto& [parent, children] : by_parent) {
            Group g;
            g.children_set = &ctx.divisions;
            g.children = std::move(children);
            const Zone* p = ctx.divisions.find(parent);
            g.parent = p != nullptr && p->usable() ? p : nullptr;
            g.parent_layer = "division";
            g.parent_code = parent;
            g.parent_level = &ctx.divisions;
            g.parent_division_level = p != nullptr ? p->level : 0;
            g.gaps = !parent.empty();
            g.child_noun = "division";
            g.parent_noun = "division";
            groups.push_back(std::move(g));
        }
    }

    // Grids in their community (a level-5 division; its outline is optional).
    report_missing_parents(ctx, ctx.grids, "grid", "community", "community_code", [&](const std::string& c) {
        Statement st = ctx.ws.prepare("SELECT 1 FROM division WHERE code = ?");
        st.bind(1, c);
        return st.step();
    });
    {
        std::map<std::string, std::vector<std::size_t>> by_parent;
        std::string focus_parent;
        for (std::size_t i = 0; i < ctx.grids.zones.size(); ++i) {
            const Zone& z = ctx.grids.zones[i];
            if (z.usable() && !z.parent.empty()) {
                by_parent[z.parent].push_back(i);
            }
            if (!whole && z.code == ctx.grid_scope) {
                focus_parent = z.parent;
            }
        }
        std::int64_t without_outline = 0;
        for (auto& [parent, children] : by_parent) {
            if (!whole && parent != focus_parent) {
                continue;
            }
            Group g;
            g.children_set = &ctx.grids;
            g.children = std::move(children);
            const Zone* p = ctx.divisions.find(parent);
            g.parent = p != nullptr && p->usable() ? p : nullptr;
            without_outline += g.parent == nullptr ? 1 : 0;
            g.parent_layer = "division";
            g.parent_code = parent;
            g.parent_level = &ctx.divisions;
            g.parent_division_level = 5;
            g.gaps = whole;
            g.focus = ctx.grid_scope;
            g.child_noun = "grid";
            g.parent_noun = "community";
            groups.push_back(std::move(g));
        }
        if (without_outline > 0) {
            ctx.note(std::to_string(without_outline) +
                     " communities have no outline in the division layer: their grids were checked for overlaps "
                     "and enclosed gaps only");
        }
    }

    // Micro-grids in their grid.
    report_missing_parents(ctx, ctx.microgrids, "micro-grid", "grid", "grid_code",
                           [&](const std::string& c) { return ctx.grids.find(c) != nullptr; });
    {
        std::map<std::string, std::vector<std::size_t>> by_parent;
        for (std::size_t i = 0; i < ctx.microgrids.zones.size(); ++i) {
            const Zone& z = ctx.microgrids.zones[i];
            if (z.usable() && z.in_scope && ctx.grids.find(z.parent) != nullptr) {
                by_parent[z.parent].push_back(i);
            }
        }
        for (auto& [parent, children] : by_parent) {
            const Zone* p = ctx.grids.find(parent);
            if (!p->usable()) {
                continue; // its geometry error is reported; nothing to compare with
            }
            Group g;
            g.children_set = &ctx.microgrids;
            g.children = std::move(children);
            g.parent = p;
            g.parent_layer = "grid";
            g.parent_code = parent;
            g.parent_level = &ctx.grids;
            g.child_noun = "micro-grid";
            g.parent_noun = "grid";
            groups.push_back(std::move(g));
        }
    }

    parallel_for(groups.size(), ctx.threads, [&](std::size_t i) {
        const Group& g = groups[i];
        guarded(ctx, g.parent_layer, g.parent_code, [&] { check_group(ctx, g); });
    });
    ctx.progress("coverage", groups.size(), groups.size());
}

} // namespace grid::detail

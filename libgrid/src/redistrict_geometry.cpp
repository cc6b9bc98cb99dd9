// The geometry layer of redistricting (design/REDISTRICT.md rule 7): cells that tile the parent grid,
// the atom graph derived from them, zone polygons dissolved from them, and the tiling check.
//
// Cells: Voronoi cells of points sampled on each footprint (vertices, edges densified, a point on
// the surface) are united per atom, clipped to the parent, the other footprints are cut out of them
// and the atom's own footprint is added, so every footprint lies wholly in its own cell and the cells
// still tile the parent. Barrier lines cut the cells; a piece cut off from its atom (or any stray
// piece) goes to the neighbouring cell it shares the longest boundary with. Finally every vertex is
// snapped to a 1 µm grid and the cells are noded against each other (a vertex of one cell lying on an
// edge of another is inserted there), so neighbouring cells share their edges vertex for vertex: the
// shared lengths of the atom graph come from matching segments, and zones dissolve with a coverage union.
#include "libgrid/redistrict.hpp"

#include "libgrid/error.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

namespace grid::redistrict {

namespace {

using geom::Geometry;
using geom::own;

constexpr double k_unit = 1e6;         // snapping grid: 1 µm, coordinates become integer micrometres
constexpr double k_min_shared = 1e-3;  // shorter common boundaries (corner touches) make no edge
constexpr double k_sample_step = 8.0;  // densify footprint edges to a sample every 8 m at most
constexpr int k_max_samples = 24;      // per ring

using i64 = std::int64_t;
__extension__ typedef __int128 i128;

GEOSContextHandle_t ctx() { return geom::context(); }

/// Union of polygons (a general union: the inputs need not form a coverage).
Geometry union_of(std::vector<Geometry> parts) {
    if (parts.size() == 1) {
        return std::move(parts[0]);
    }
    return geom::union_all(std::move(parts));
}

bool is_polygonal(const GEOSGeometry* g) {
    const int t = geom::type_id(g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

/// The polygons of a geometry (polygons out of multipolygons and collections), cloned.
void polygons_of(const GEOSGeometry* g, std::vector<Geometry>& out) {
    const int t = geom::type_id(g);
    if (t == GEOS_POLYGON) {
        if (!geom::is_empty(g) && geom::area(g) > 0) {
            out.push_back(geom::clone(g));
        }
    } else if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < geom::num_geometries(g); ++i) {
            polygons_of(geom::geometry_n(g, i), out);
        }
    }
}

/// The lines of a geometry (lines out of multilines and collections; points dropped), cloned.
void lines_of(const GEOSGeometry* g, std::vector<Geometry>& out) {
    const int t = geom::type_id(g);
    if (t == GEOS_LINESTRING || t == GEOS_LINEARRING) {
        if (!geom::is_empty(g)) {
            out.push_back(geom::make_linestring(geom::coordinates(g)));
        }
    } else if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < geom::num_geometries(g); ++i) {
            lines_of(geom::geometry_n(g, i), out);
        }
    }
}

/// A MULTILINESTRING of the lines of g: overlay operations refuse mixed-dimension collections,
/// which clipping lines to a box yields when a line only touches it.
Geometry lines_only(const GEOSGeometry* g) {
    std::vector<Geometry> parts;
    lines_of(g, parts);
    return geom::make_collection(GEOS_MULTILINESTRING, std::move(parts));
}

std::vector<geom::Point> ring_points(const GEOSGeometry* ring) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx(), ring);
    unsigned int size = 0;
    GEOSCoordSeq_getSize_r(ctx(), seq, &size);
    std::vector<geom::Point> pts(size);
    for (unsigned int i = 0; i < size; ++i) {
        GEOSCoordSeq_getXY_r(ctx(), seq, i, &pts[i].x, &pts[i].y);
    }
    return pts;
}

/// Every ring of every polygon of g.
std::vector<std::vector<geom::Point>> rings_of(const GEOSGeometry* g) {
    std::vector<std::vector<geom::Point>> rings;
    std::vector<Geometry> polys;
    polygons_of(g, polys);
    for (const Geometry& p : polys) {
        rings.push_back(ring_points(GEOSGetExteriorRing_r(ctx(), p.get())));
        const int holes = GEOSGetNumInteriorRings_r(ctx(), p.get());
        for (int h = 0; h < holes; ++h) {
            rings.push_back(ring_points(GEOSGetInteriorRingN_r(ctx(), p.get(), h)));
        }
    }
    return rings;
}

/// Point strictly or on the boundary of a convex ring (either orientation).
bool in_convex(const std::vector<geom::Point>& ring, double x, double y) {
    int sign = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
        const double cross = (ring[i + 1].x - ring[i].x) * (y - ring[i].y) - (ring[i + 1].y - ring[i].y) * (x - ring[i].x);
        const int s = cross > 0 ? 1 : cross < 0 ? -1 : 0;
        if (s == 0) {
            continue;
        }
        if (sign == 0) {
            sign = s;
        } else if (s != sign) {
            return false;
        }
    }
    return true;
}

// ---- the noded coverage in integer micrometres ----

struct IPt {
    i64 x = 0;
    i64 y = 0;
    bool operator==(const IPt& o) const noexcept { return x == o.x && y == o.y; }
    bool operator<(const IPt& o) const noexcept { return x < o.x || (x == o.x && y < o.y); }
};
using IRing = std::vector<IPt>;           ///< closed: front == back
using IPoly = std::vector<IRing>;         ///< exterior first

struct SegKey {
    IPt a, b; ///< a < b
    bool operator==(const SegKey& o) const noexcept { return a == o.a && b == o.b; }
};
struct SegHash {
    std::size_t operator()(const SegKey& k) const noexcept {
        std::uint64_t h = 1469598103934665603ULL;
        for (i64 v : {k.a.x, k.a.y, k.b.x, k.b.y}) {
            h = (h ^ static_cast<std::uint64_t>(v)) * 1099511628211ULL;
        }
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
};
struct CellKey {
    i64 x, y;
    bool operator==(const CellKey& o) const noexcept { return x == o.x && y == o.y; }
};
struct CellHash {
    std::size_t operator()(const CellKey& k) const noexcept {
        return static_cast<std::size_t>(static_cast<std::uint64_t>(k.x) * 0x9E3779B97F4A7C15ULL ^
                                        static_cast<std::uint64_t>(k.y) * 0xC2B2AE3D27D4EB4FULL);
    }
};

IRing snap_ring(const std::vector<geom::Point>& pts) {
    IRing r;
    r.reserve(pts.size());
    for (const geom::Point& p : pts) {
        const IPt q{std::llround(p.x * k_unit), std::llround(p.y * k_unit)};
        if (r.empty() || !(r.back() == q)) {
            r.push_back(q);
        }
    }
    if (r.size() > 1 && !(r.front() == r.back())) {
        r.push_back(r.front());
    }
    return r;
}

std::vector<IPoly> snap_cell(const GEOSGeometry* g) {
    std::vector<IPoly> out;
    std::vector<Geometry> polys;
    polygons_of(g, polys);
    for (const Geometry& p : polys) {
        IPoly ip;
        IRing shell = snap_ring(ring_points(GEOSGetExteriorRing_r(ctx(), p.get())));
        if (shell.size() < 4) {
            continue;
        }
        ip.push_back(std::move(shell));
        const int holes = GEOSGetNumInteriorRings_r(ctx(), p.get());
        for (int h = 0; h < holes; ++h) {
            IRing hole = snap_ring(ring_points(GEOSGetInteriorRingN_r(ctx(), p.get(), h)));
            if (hole.size() >= 4) {
                ip.push_back(std::move(hole));
            }
        }
        out.push_back(std::move(ip));
    }
    return out;
}

/// Inserts into every segment the vertices of any ring that lie on it (within 1 µm), so that cells
/// sharing a boundary share its vertices.
void node_cells(std::vector<std::vector<IPoly>>& cells) {
    constexpr i64 bucket = 8000000; // 8 m
    std::unordered_map<CellKey, std::vector<IPt>, CellHash> index;
    auto key_of = [&](i64 x, i64 y) {
        return CellKey{x >= 0 ? x / bucket : (x - bucket + 1) / bucket, y >= 0 ? y / bucket : (y - bucket + 1) / bucket};
    };
    for (const auto& cell : cells) {
        for (const auto& poly : cell) {
            for (const auto& ring : poly) {
                for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
                    index[key_of(ring[i].x, ring[i].y)].push_back(ring[i]);
                }
            }
        }
    }
    for (auto& [key, pts] : index) {
        (void)key;
        std::sort(pts.begin(), pts.end());
        pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
    }
    std::vector<std::pair<i128, IPt>> found;
    for (auto& cell : cells) {
        for (auto& poly : cell) {
            for (auto& ring : poly) {
                IRing noded;
                noded.reserve(ring.size());
                for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
                    const IPt p = ring[i];
                    const IPt q = ring[i + 1];
                    noded.push_back(p);
                    const i64 dx = q.x - p.x;
                    const i64 dy = q.y - p.y;
                    const i128 len2 = static_cast<i128>(dx) * dx + static_cast<i128>(dy) * dy;
                    if (len2 == 0) {
                        continue;
                    }
                    const CellKey lo = key_of(std::min(p.x, q.x) - 1, std::min(p.y, q.y) - 1);
                    const CellKey hi = key_of(std::max(p.x, q.x) + 1, std::max(p.y, q.y) + 1);
                    found.clear();
                    for (i64 bx = lo.x; bx <= hi.x; ++bx) {
                        for (i64 by = lo.y; by <= hi.y; ++by) {
                            const auto it = index.find(CellKey{bx, by});
                            if (it == index.end()) {
                                continue;
                            }
                            for (const IPt& v : it->second) {
                                if (v == p || v == q) {
                                    continue;
                                }
                                const i128 t = static_cast<i128>(v.x - p.x) * dx + static_cast<i128>(v.y - p.y) * dy;
                                if (t <= 0 || t >= len2) {
                                    continue;
                                }
                                const i128 cross = static_cast<i128>(dx) * (v.y - p.y) - static_cast<i128>(dy) * (v.x - p.x);
                                // Distance to the line = |cross| / |pq| <= 1 µm.
                                const double c = static_cast<double>(cross);
                                if (c * c <= static_cast<double>(len2)) {
                                    found.emplace_back(t, v);
                                }
                            }
                        }
                    }
                    std::sort(found.begin(), found.end(), [](const auto& l, const auto& r) {
                        return l.first < r.first || (l.first == r.first && l.second < r.second);
                    });
                    for (const auto& [t, v] : found) {
                        (void)t;
                        if (!(noded.back() == v)) {
                            noded.push_back(v);
                        }
                    }
                }
                noded.push_back(ring.back());
                ring = std::move(noded);
            }
        }
    }
}

Geometry to_geometry(const std::vector<IPoly>& cell) {
    std::vector<Geometry> polys;
    for (const IPoly& poly : cell) {
        auto conv = [](const IRing& r) {
            std::vector<geom::Point> pts;
            pts.reserve(r.size());
            for (const IPt& p : r) {
                pts.push_back({static_cast<double>(p.x) / k_unit, static_cast<double>(p.y) / k_unit});
            }
            return pts;
        };
        std::vector<std::vector<geom::Point>> holes;
        for (std::size_t h = 1; h < poly.size(); ++h) {
            holes.push_back(conv(poly[h]));
        }
        polys.push_back(geom::make_polygon(conv(poly[0]), holes));
    }
    if (polys.size() == 1) {
        return std::move(polys[0]);
    }
    return geom::make_collection(GEOS_MULTIPOLYGON, std::move(polys));
}

geom::Envelope grown(geom::Envelope e, double d) {
    e.minx -= d;
    e.miny -= d;
    e.maxx += d;
    e.maxy += d;
    return e;
}

} // namespace

double polsby_popper(const GEOSGeometry* g) {
    if (g == nullptr || geom::is_empty(g)) {
        return 0;
    }
    const double p = geom::length(g);
    return p > 0 ? 4.0 * M_PI * geom::area(g) / (p * p) : 0.0;
}

Cells build_cells(const GEOSGeometry* parent, const std::vector<AtomShape>& atoms, const GEOSGeometry* barriers) {
    if (parent == nullptr || !is_polygonal(parent) || geom::is_empty(parent)) {
        throw geometry_error("redistrict: the grid polygon is empty or not a polygon", "",
                             "check the grid's geometry (gridkit validate)");
    }
    const std::size_t n = atoms.size();
    Cells out;
    if (n == 0) {
        return out;
    }
    const geom::Prepared parent_prep = geom::prepare(parent);
    const geom::Envelope penv = geom::envelope(parent);

    // 1. Footprints made disjoint (an earlier atom keeps an overlap) and clipped to the parent.
    std::vector<Geometry> foot(n);
    std::vector<geom::Point> anchor(n);
    std::vector<geom::Envelope> foot_env(n);
    std::vector<std::size_t> with_foot;
    std::vector<geom::Envelope> fenv_list;
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < n; ++i) {
        const AtomShape& a = atoms[i];
        if (!a.shape || geom::is_empty(a.shape.get())) {
            throw geometry_error("redistrict: atom " + a.id + " has no geometry", a.id,
                                 "give every building a footprint or a location");
        }
        const int t = geom::type_id(a.shape.get());
        if (t == GEOS_POINT) {
            anchor[i] = geom::point_xy(a.shape.get());
            if (!geom::contains_xy(parent_prep.get(), anchor[i].x, anchor[i].y) &&
                geom::distance(parent, a.shape.get()) > 1e-6) {
                throw geometry_error("redistrict: atom " + a.id + " lies outside the grid polygon", a.id,
                                     "assign buildings to grids first (gridkit assign)");
            }
            continue;
        }
        if (!is_polygonal(a.shape.get())) {
            throw geometry_error("redistrict: atom " + a.id + " is a " + geom::type_name(a.shape.get()) +
                                     ", not a footprint polygon or a point",
                                 a.id);
        }
        Geometry f = geom::covers(parent_prep.get(), a.shape.get()) ? geom::clone(a.shape.get())
                                                                    : geom::intersection(a.shape.get(), parent);
        if (geom::area(f.get()) <= 0) {
            throw geometry_error("redistrict: atom " + a.id + " lies outside the grid polygon", a.id,
                                 "assign buildings to grids first (gridkit assign)");
        }
        foot_env[i] = geom::envelope(f.get());
        for (std::size_t j : with_foot) {
            if (foot_env[j].intersects(foot_env[i]) && geom::intersects(foot[j].get(), f.get())) {
                Geometry d = geom::difference(f.get(), foot[j].get());
                if (geom::area(d.get()) > 0) {
                    f = std::move(d);
                }
            }
        }
        foot[i] = std::move(f);
        foot_env[i] = geom::envelope(foot[i].get());
        anchor[i] = geom::point_on_surface(foot[i].get());
        with_foot.push_back(i);
        fenv_list.push_back(foot_env[i]);
    }
    const geom::STRtree foot_tree(fenv_list);

    // 2. Sample points, unique by position (the lowest atom index keeps a shared position).
    struct Site {
        double x, y;
        std::size_t atom;
    };
    std::vector<Site> sites;
    for (std::size_t i = 0; i < n; ++i) {
        sites.push_back({anchor[i].x, anchor[i].y, i});
        if (!foot[i]) {
            continue;
        }
        for (const auto& ring : rings_of(foot[i].get())) {
            double perimeter = 0;
            for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
                perimeter += std::hypot(ring[k + 1].x - ring[k].x, ring[k + 1].y - ring[k].y);
            }
            const double step = std::max(k_sample_step, perimeter / k_max_samples);
            for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
                const geom::Point p = ring[k];
                const geom::Point q = ring[k + 1];
                sites.push_back({p.x, p.y, i});
                const double len = std::hypot(q.x - p.x, q.y - p.y);
                const int extra = static_cast<int>(len / step);
                for (int s = 1; s <= extra; ++s) {
                    const double t = static_cast<double>(s) / (extra + 1);
                    sites.push_back({p.x + t * (q.x - p.x), p.y + t * (q.y - p.y), i});
                }
            }
        }
    }
    std::sort(sites.begin(), sites.end(),
              [](const Site& l, const Site& r) { return std::tie(l.x, l.y, l.atom) < std::tie(r.x, r.y, r.atom); });
    sites.erase(std::unique(sites.begin(), sites.end(), [](const Site& l, const Site& r) { return l.x == r.x && l.y == r.y; }),
                sites.end());

    // 3. Voronoi cells of the sites, each mapped back to the site inside it (GEOS 3.11 returns them
    //    in its own order).
    std::vector<std::vector<Geometry>> parts(n);
    if (sites.size() == 1) {
        parts[sites[0].atom].push_back(geom::clone(parent));
    } else {
        std::vector<Geometry> points;
        points.reserve(sites.size());
        std::vector<geom::Envelope> site_env;
        site_env.reserve(sites.size());
        for (const Site& s : sites) {
            points.push_back(geom::make_point(s.x, s.y));
            site_env.push_back({s.x, s.y, s.x, s.y});
        }
        const Geometry multipoint = geom::make_collection(GEOS_MULTIPOINT, std::move(points));
        const double margin = std::max(penv.width(), penv.height()) * 0.1 + 10.0;
        const Geometry env = geom::make_box(penv.minx - margin, penv.miny - margin, penv.maxx + margin, penv.maxy + margin);
        const Geometry diagram = own(GEOSVoronoiDiagram_r(ctx(), multipoint.get(), env.get(), 0.0, 0), "Voronoi diagram");
        const geom::STRtree site_tree(std::move(site_env));
        const int count = geom::num_geometries(diagram.get());
        for (int c = 0; c < count; ++c) {
            const GEOSGeometry* vcell = geom::geometry_n(diagram.get(), c);
            const auto ring = ring_points(GEOSGetExteriorRing_r(ctx(), vcell));
            hits.clear();
            site_tree.query(geom::envelope(vcell), hits);
            std::sort(hits.begin(), hits.end());
            std::size_t owner = sites.size();
            for (std::size_t h : hits) {
                if (in_convex(ring, sites[h].x, sites[h].y)) {
                    owner = h;
                    break;
                }
            }
            if (owner == sites.size()) {
                // Numerically on an edge: the nearest site to the cell's centroid.
                const geom::Point ctr = geom::centroid(vcell);
                double best = -1;
                for (std::size_t h : hits) {
                    const double d = std::hypot(sites[h].x - ctr.x, sites[h].y - ctr.y);
                    if (best < 0 || d < best) {
                        best = d;
                        owner = h;
                    }
                }
            }
            if (owner < sites.size()) {
                parts[sites[owner].atom].push_back(geom::clone(vcell));
            }
        }
    }

    // 4. Per atom: union of its Voronoi cells, clipped to the parent, other footprints cut out, own added.
    std::vector<Geometry> cell(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (parts[i].empty()) {
            continue; // every site of this atom coincided with an earlier atom's: it gets its footprint only
        }
        Geometry c = parts[i].size() == 1 ? std::move(parts[i][0]) : geom::coverage_union(std::move(parts[i]));
        parts[i].clear();
        if (!geom::contains(parent_prep.get(), c.get())) {
            c = geom::intersection(c.get(), parent);
        }
        hits.clear();
        foot_tree.query(geom::envelope(c.get()), hits);
        std::sort(hits.begin(), hits.end());
        for (std::size_t h : hits) {
            const std::size_t j = with_foot[h];
            if (j != i && geom::intersects(c.get(), foot[j].get())) {
                c = geom::difference(c.get(), foot[j].get());
            }
        }
        cell[i] = std::move(c);
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (foot[i] && (!cell[i] || !geom::covers(cell[i].get(), foot[i].get()))) {
            std::vector<Geometry> two;
            if (cell[i]) {
                two.push_back(std::move(cell[i]));
            }
            two.push_back(geom::clone(foot[i].get()));
            cell[i] = union_of(std::move(two));
        }
    }

    // 5. Cut by barriers and split into pieces; pieces without the atom are loose.
    Geometry lines;
    if (barriers != nullptr && !geom::is_empty(barriers)) {
        std::vector<Geometry> linework;
        std::vector<Geometry> polys;
        polygons_of(barriers, polys);
        for (const Geometry& p : polys) {
            linework.push_back(geom::boundary(p.get()));
        }
        auto add_lines = [&](const GEOSGeometry* g) {
            const int t = geom::type_id(g);
            if (t == GEOS_LINESTRING || t == GEOS_MULTILINESTRING || t == GEOS_LINEARRING) {
                linework.push_back(geom::clone(g));
            }
        };
        add_lines(barriers);
        if (geom::type_id(barriers) == GEOS_GEOMETRYCOLLECTION) {
            for (int k = 0; k < geom::num_geometries(barriers); ++k) {
                add_lines(geom::geometry_n(barriers, k));
            }
        }
        if (!linework.empty()) {
            const Geometry all = geom::union_all(std::move(linework));
            const Geometry box = geom::make_box(penv.minx - 1, penv.miny - 1, penv.maxx + 1, penv.maxy + 1);
            const Geometry clipped = geom::intersection(all.get(), box.get());
            lines = lines_only(clipped.get());
            if (geom::is_empty(lines.get())) {
                lines.reset();
            }
        }
    }
    const geom::Prepared lines_prep = lines ? geom::prepare(lines.get()) : geom::Prepared{};

    struct Loose {
        Geometry piece;
        std::size_t from;
    };
    std::vector<Loose> loose;
    auto is_home = [&](std::size_t i, const GEOSGeometry* piece) {
        if (foot[i]) {
            if (!geom::intersects(piece, foot[i].get())) {
                return false;
            }
            const Geometry common = geom::intersection(piece, foot[i].get());
            return geom::area(common.get()) > 1e-9;
        }
        const Geometry pt = geom::make_point(anchor[i].x, anchor[i].y);
        return geom::distance(piece, pt.get()) <= 1e-6;
    };
    for (std::size_t i = 0; i < n; ++i) {
        if (!cell[i]) {
            continue;
        }
        std::vector<Geometry> pieces;
        if (lines && geom::intersects(lines_prep.get(), cell[i].get())) {
            // The barrier lines around the cell (reaching past it, so that the union nodes them at
            // their true crossings with the boundary and no dangle stops the cut), noded with it.
            const geom::Envelope ce = grown(geom::envelope(cell[i].get()), 1.0);
            const Geometry box = geom::make_box(ce.minx, ce.miny, ce.maxx, ce.maxy);
            const Geometry near_all = geom::intersection(lines.get(), box.get());
            const Geometry near = lines_only(near_all.get());
            std::vector<Geometry> linework;
            linework.push_back(geom::boundary(cell[i].get()));
            linework.push_back(geom::clone(near.get()));
            const Geometry noded = geom::union_all(std::move(linework));
            const GEOSGeometry* arr[] = {noded.get()};
            const Geometry poly = own(GEOSPolygonize_r(ctx(), arr, 1), "polygonize");
            std::vector<Geometry> candidates;
            polygons_of(poly.get(), candidates);
            const geom::Prepared cell_prep = geom::prepare(cell[i].get());
            for (Geometry& p : candidates) {
                const geom::Point ps = geom::point_on_surface(p.get());
                if (geom::contains_xy(cell_prep.get(), ps.x, ps.y)) {
                    pieces.push_back(std::move(p));
                }
            }
            if (pieces.size() <= 1) {
                pieces.clear();
                polygons_of(cell[i].get(), pieces);
            }
        } else if (geom::type_id(cell[i].get()) != GEOS_POLYGON) {
            polygons_of(cell[i].get(), pieces);
        }
        if (pieces.size() <= 1) {
            continue;
        }
        std::vector<Geometry> home;
        std::vector<Geometry> away;
        for (Geometry& p : pieces) {
            (is_home(i, p.get()) ? home : away).push_back(std::move(p));
        }
        if (home.empty()) {
            // Lost to rounding: the largest piece stays.
            std::sort(away.begin(), away.end(),
                      [](const Geometry& l, const Geometry& r) { return geom::area(l.get()) > geom::area(r.get()); });
            home.push_back(std::move(away.front()));
            away.erase(away.begin());
        }
        if (away.empty()) {
            continue;
        }
        cell[i] = union_of(std::move(home));
        for (Geometry& p : away) {
            loose.push_back({std::move(p), i});
        }
    }

    // 6. Loose pieces go to the neighbour they share the longest boundary with, not counting boundary
    //    along a barrier: another atom's cell or a loose piece already placed (so a run of pieces cut
    //    off along a road joins the cells on its own side). Pieces with no such neighbour stay.
    if (!loose.empty()) {
        std::vector<geom::Envelope> cell_env(n);
        for (std::size_t i = 0; i < n; ++i) {
            cell_env[i] = cell[i] ? geom::envelope(cell[i].get()) : geom::Envelope{1, 1, 0, 0};
        }
        const geom::STRtree cell_tree(cell_env);
        auto side_length = [&](const GEOSGeometry* a, const GEOSGeometry* b) {
            const Geometry ba = geom::boundary(a);
            const Geometry bb = geom::boundary(b);
            const Geometry common = own(GEOSIntersectionPrec_r(ctx(), ba.get(), bb.get(), 1.0 / k_unit), "intersection");
            double len = geom::length(common.get());
            if (len > 0 && lines) {
                const Geometry on_barrier =
                    own(GEOSIntersectionPrec_r(ctx(), common.get(), lines.get(), 1.0 / k_unit), "intersection");
                len -= geom::length(on_barrier.get());
            }
            return len;
        };
        constexpr std::size_t none = static_cast<std::size_t>(-1);
        std::vector<std::size_t> owner(loose.size(), none);
        std::vector<geom::Envelope> loose_env(loose.size());
        for (std::size_t k = 0; k < loose.size(); ++k) {
            loose_env[k] = grown(geom::envelope(loose[k].piece.get()), 1e-6);
        }
        bool changed = true;
        while (changed) {
            changed = false;
            for (std::size_t k = 0; k < loose.size(); ++k) {
                if (owner[k] != none) {
                    continue;
                }
                std::size_t best = none;
                double best_len = 1e-6;
                hits.clear();
                cell_tree.query(loose_env[k], hits);
                std::sort(hits.begin(), hits.end());
                for (std::size_t h : hits) {
                    if (h == loose[k].from || !cell[h]) {
                        continue;
                    }
                    const double len = side_length(loose[k].piece.get(), cell[h].get());
                    if (len > best_len) {
                        best = h;
                        best_len = len;
                    }
                }
                for (std::size_t m = 0; m < loose.size(); ++m) {
                    if (m == k || owner[m] == none || owner[m] == loose[k].from || !loose_env[m].intersects(loose_env[k])) {
                        continue;
                    }
                    const double len = side_length(loose[k].piece.get(), loose[m].piece.get());
                    if (len > best_len) {
                        best = owner[m];
                        best_len = len;
                    }
                }
                if (best != none) {
                    owner[k] = best;
                    changed = true;
                }
            }
        }
        std::vector<std::vector<Geometry>> received(n);
        for (std::size_t k = 0; k < loose.size(); ++k) {
            received[owner[k] == none ? loose[k].from : owner[k]].push_back(std::move(loose[k].piece));
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (received[i].empty()) {
                continue;
            }
            if (cell[i]) {
                received[i].push_back(std::move(cell[i]));
            }
            cell[i] = union_of(std::move(received[i]));
        }
    }

    // 7. Snap to the 1 µm grid, node the cells against each other, rebuild them, and read the atom
    //    graph off the shared segments.
    std::vector<std::vector<IPoly>> icells(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (cell[i]) {
            icells[i] = snap_cell(cell[i].get());
        }
    }
    node_cells(icells);
    std::unordered_map<SegKey, std::pair<std::size_t, std::size_t>, SegHash> owners; // first, second cell (+1)
    for (std::size_t i = 0; i < n; ++i) {
        for (const IPoly& poly : icells[i]) {
            for (const IRing& ring : poly) {
                for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
                    SegKey key{std::min(ring[k], ring[k + 1]), std::max(ring[k], ring[k + 1])};
                    auto& o = owners[key];
                    if (o.first == 0) {
                        o.first = i + 1;
                    } else if (o.first != i + 1 && o.second == 0) {
                        o.second = i + 1;
                    }
                }
            }
        }
    }
    std::map<std::pair<std::size_t, std::size_t>, double> shared;
    std::vector<double> outer(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (const IPoly& poly : icells[i]) {
            for (const IRing& ring : poly) {
                for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
                    SegKey key{std::min(ring[k], ring[k + 1]), std::max(ring[k], ring[k + 1])};
                    const auto& o = owners.at(key);
                    const double len =
                        std::hypot(static_cast<double>(key.b.x - key.a.x), static_cast<double>(key.b.y - key.a.y)) / k_unit;
                    if (o.second == 0) {
                        outer[i] += len;
                    } else if (o.first == i + 1 && o.second > i + 1) {
                        shared[{i, o.second - 1}] += len;
                    } else if (o.second == i + 1 && o.first > i + 1) {
                        shared[{i, o.first - 1}] += len;
                    }
                }
            }
        }
    }
    out.cells.resize(n);
    out.graph.atoms.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        Atom& a = out.graph.atoms[i];
        a.id = atoms[i].id;
        a.households = atoms[i].households;
        a.x = anchor[i].x;
        a.y = anchor[i].y;
        a.footprint_area = foot[i] ? geom::area(foot[i].get()) : 0.0;
        a.current_zone = atoms[i].current_zone;
        a.locked = atoms[i].locked;
        a.outer_length = outer[i];
        if (!icells[i].empty()) {
            out.cells[i] = to_geometry(icells[i]);
            a.cell_area = geom::area(out.cells[i].get());
        }
    }
    for (const auto& [pair, len] : shared) {
        if (len < k_min_shared) {
            out.graph.atoms[pair.first].outer_length += len;
            out.graph.atoms[pair.second].outer_length += len;
            continue;
        }
        Edge e;
        e.a = pair.first;
        e.b = pair.second;
        e.shared_length = len;
        if (lines) {
            const Geometry seg = geom::make_linestring({anchor[e.a], anchor[e.b]});
            e.barrier = geom::intersects(lines_prep.get(), seg.get());
        }
        out.graph.edges.push_back(e);
    }
    return out;
}

std::vector<Geometry> dissolve(const Cells& cells, const std::vector<std::size_t>& zone_of, std::size_t zone_count) {
    if (zone_of.size() != cells.cells.size()) {
        throw usage_error("redistrict dissolve: " + std::to_string(zone_of.size()) + " labels for " +
                          std::to_string(cells.cells.size()) + " cells");
    }
    std::vector<std::vector<Geometry>> parts(zone_count);
    for (std::size_t i = 0; i < zone_of.size(); ++i) {
        if (zone_of[i] >= zone_count) {
            throw usage_error("redistrict dissolve: zone " + std::to_string(zone_of[i]) + " out of range");
        }
        if (cells.cells[i]) {
            parts[zone_of[i]].push_back(geom::clone(cells.cells[i].get()));
        }
    }
    std::vector<Geometry> zones(zone_count);
    for (std::size_t z = 0; z < zone_count; ++z) {
        if (parts[z].empty()) {
            zones[z] = geom::make_collection(GEOS_MULTIPOLYGON, {});
            continue;
        }
        if (parts[z].size() == 1) {
            zones[z] = std::move(parts[z][0]);
            continue;
        }
        // The cells share their edges vertex for vertex: a coverage union is exact and fast. Should
        // GEOS refuse it, a general union does the job.
        std::vector<Geometry> copy;
        copy.reserve(parts[z].size());
        for (const Geometry& p : parts[z]) {
            copy.push_back(geom::clone(p.get()));
        }
        try {
            Geometry u = geom::coverage_union(std::move(copy));
            if (geom::validity(u.get()).valid) {
                zones[z] = std::move(u);
                continue;
            }
        } catch (const geometry_error&) {
        }
        zones[z] = union_of(std::move(parts[z]));
    }
    return zones;
}

bool Tiling::ok(double tolerance) const noexcept {
    return max_relative_error <= tolerance && overlap_area <= tolerance * parent_area && zones_in_pieces == 0 &&
           footprints_outside == 0;
}

Tiling check_tiling(const GEOSGeometry* parent, const std::vector<Geometry>& zones, const std::vector<AtomShape>& atoms,
                    const std::vector<std::size_t>& zone_of) {
    Tiling t;
    t.parent_area = geom::area(parent);
    std::vector<geom::Envelope> env(zones.size());
    std::vector<Geometry> copies;
    std::vector<geom::Prepared> prepared(zones.size());
    for (std::size_t z = 0; z < zones.size(); ++z) {
        t.zones_area_sum += geom::area(zones[z].get());
        env[z] = geom::envelope(zones[z].get());
        prepared[z] = geom::prepare(zones[z].get());
        if (!geom::is_empty(zones[z].get())) {
            copies.push_back(geom::clone(zones[z].get()));
        }
        std::vector<Geometry> polys;
        polygons_of(zones[z].get(), polys);
        if (polys.size() > 1) {
            ++t.zones_in_pieces;
        }
    }
    // Union area: a coverage union where the zones share their edges exactly (fast), else a full union.
    Geometry all;
    try {
        std::vector<Geometry> again;
        for (const Geometry& c : copies) {
            again.push_back(geom::clone(c.get()));
        }
        all = geom::coverage_union(std::move(again));
    } catch (const geometry_error&) {
        all = union_of(std::move(copies));
    }
    t.union_area = geom::area(all.get());
    if (t.parent_area > 0) {
        t.max_relative_error = std::max(std::fabs(t.zones_area_sum - t.parent_area),
                                        std::fabs(t.union_area - t.parent_area)) / t.parent_area;
    }
    // Pairwise overlaps: only pairs whose interiors meet in an area (DE-9IM 2********) are measured.
    const geom::STRtree tree(env);
    std::vector<std::size_t> hits;
    for (std::size_t z = 0; z < zones.size(); ++z) {
        hits.clear();
        tree.query(env[z], hits);
        for (std::size_t o : hits) {
            if (o <= z || !geom::intersects(prepared[z].get(), zones[o].get())) {
                continue;
            }
            const char overlap = GEOSRelatePattern_r(ctx(), zones[z].get(), zones[o].get(), "2********");
            if (overlap == 1) {
                const Geometry common = geom::intersection(zones[z].get(), zones[o].get());
                t.overlap_area += geom::area(common.get());
            }
        }
    }
    for (std::size_t i = 0; i < atoms.size() && i < zone_of.size(); ++i) {
        const GEOSGeometry* shape = atoms[i].shape.get();
        if (shape == nullptr || zone_of[i] >= zones.size()) {
            continue;
        }
        const std::size_t z = zone_of[i];
        if (geom::covers(prepared[z].get(), shape)) {
            continue;
        }
        if (geom::type_id(shape) == GEOS_POINT) {
            if (geom::distance(zones[z].get(), shape) > 1e-6) {
                ++t.footprints_outside;
            }
            continue;
        }
        // Inside up to the snapping grid: what sticks out is no more than a band of 1 µm along the
        // footprint's outline (vertices move by up to half a micrometre).
        const Geometry clipped = geom::intersection(shape, parent);
        const Geometry outside = geom::difference(clipped.get(), zones[z].get());
        if (geom::area(outside.get()) > geom::length(clipped.get()) / k_unit + 1e-12) {
            ++t.footprints_outside;
        }
    }
    return t;
}

} // namespace grid::redistrict

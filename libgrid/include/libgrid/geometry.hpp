// RAII over the GEOS C API. Every GEOS handle is owned by a std::unique_ptr with a deleter;
// raw pointers never own. One GEOS context per thread (geos::context()), so geometries must
// not cross threads (WKB does).
#pragma once

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif
#include <geos_c.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grid::geom {

/// The calling thread's GEOS context (created on first use, destroyed at thread exit).
/// GEOS errors raised in it are turned into grid::geometry_error by the functions below.
GEOSContextHandle_t context();

struct GeometryDeleter {
    void operator()(GEOSGeometry* g) const noexcept;
};
struct PreparedDeleter {
    void operator()(const GEOSPreparedGeometry* g) const noexcept;
};
using Geometry = std::unique_ptr<GEOSGeometry, GeometryDeleter>;
using Prepared = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

/// Takes ownership of a GEOS result; throws grid::geometry_error with GEOS's last message when null.
Geometry own(GEOSGeometry* g, std::string_view what);

struct Point {
    double x = 0;
    double y = 0;
};

struct Envelope {
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    bool intersects(const Envelope& o) const noexcept {
        return minx <= o.maxx && o.minx <= maxx && miny <= o.maxy && o.miny <= maxy;
    }
    bool contains(double x, double y) const noexcept { return x >= minx && x <= maxx && y >= miny && y <= maxy; }
    void expand(const Envelope& o) noexcept;
    double width() const noexcept { return maxx - minx; }
    double height() const noexcept { return maxy - miny; }
};

// Reading and writing.
Geometry from_wkb(const unsigned char* data, std::size_t size);
Geometry from_wkb(const std::vector<unsigned char>& wkb);
Geometry from_wkt(std::string_view wkt);
std::vector<unsigned char> to_wkb(const GEOSGeometry* g);
std::string to_wkt(const GEOSGeometry* g, int precision = 9);
/// GeoJSON geometry object text (coordinates with 9 decimals).
std::string to_geojson(const GEOSGeometry* g);

// Construction.
Geometry make_point(double x, double y);
/// A polygon from one closed or open ring (closed automatically).
Geometry make_polygon(const std::vector<Point>& shell, const std::vector<std::vector<Point>>& holes = {});
Geometry make_box(double minx, double miny, double maxx, double maxy);
Geometry make_linestring(const std::vector<Point>& points);
/// A collection (MULTIPOLYGON, ...) taking ownership of the parts.
Geometry make_collection(int geos_type_id, std::vector<Geometry> parts);
/// Wraps a POLYGON into a MULTIPOLYGON; returns MULTIPOLYGONs as they are; polygons out of
/// collections; anything else: geometry_error.
Geometry to_multipolygon(Geometry g);
Geometry clone(const GEOSGeometry* g);

// Properties.
Envelope envelope(const GEOSGeometry* g);
double area(const GEOSGeometry* g);   ///< in the units of the geometry's coordinates
double length(const GEOSGeometry* g);
bool is_empty(const GEOSGeometry* g);
int type_id(const GEOSGeometry* g);   ///< GEOS_POINT, GEOS_POLYGON, ...
std::string type_name(const GEOSGeometry* g);
int num_geometries(const GEOSGeometry* g);
const GEOSGeometry* geometry_n(const GEOSGeometry* g, int n);
Point centroid(const GEOSGeometry* g);
Point point_on_surface(const GEOSGeometry* g);
Point point_xy(const GEOSGeometry* g); ///< coordinates of a POINT
/// All coordinates of every ring/line in order.
std::vector<Point> coordinates(const GEOSGeometry* g);

/// Validity with GEOS's reason and location.
struct Validity {
    bool valid = true;
    std::string reason;
    Point location;
};
Validity validity(const GEOSGeometry* g);
Geometry make_valid(const GEOSGeometry* g); ///< GEOSMakeValidWithParams, structure method, keep collapsed off

// Operations.
Geometry intersection(const GEOSGeometry* a, const GEOSGeometry* b);
Geometry difference(const GEOSGeometry* a, const GEOSGeometry* b);
Geometry unite(const GEOSGeometry* a, const GEOSGeometry* b);
Geometry unary_union(const GEOSGeometry* g);
/// Union of polygons that form a coverage (share edges exactly, no overlap): fast.
Geometry coverage_union(std::vector<Geometry> parts);
/// Union of arbitrary polygons.
Geometry union_all(std::vector<Geometry> parts);
Geometry buffer(const GEOSGeometry* g, double width, int quadsegs = 8);
Geometry boundary(const GEOSGeometry* g);
bool intersects(const GEOSGeometry* a, const GEOSGeometry* b);
bool contains(const GEOSGeometry* a, const GEOSGeometry* b);
bool within(const GEOSGeometry* a, const GEOSGeometry* b);
bool covers(const GEOSGeometry* a, const GEOSGeometry* b);
double distance(const GEOSGeometry* a, const GEOSGeometry* b);
/// Applies f to every coordinate (x, y in place); returns the new geometry.
Geometry transform(const GEOSGeometry* g, const std::function<void(double& x, double& y)>& f);

/// Prepared geometries for repeated predicates against one geometry.
Prepared prepare(const GEOSGeometry* g);
bool contains(const GEOSPreparedGeometry* p, const GEOSGeometry* g);
bool covers(const GEOSPreparedGeometry* p, const GEOSGeometry* g);
bool intersects(const GEOSPreparedGeometry* p, const GEOSGeometry* g);
bool contains_xy(const GEOSPreparedGeometry* p, double x, double y); ///< point-in-polygon through the prepared geometry

/// A static packed R-tree over envelopes (Sort-Tile-Recursive), built once, queried from
/// any thread. Our own, so it carries plain indices and crosses threads freely.
class STRtree {
public:
    STRtree() = default;
    explicit STRtree(std::vector<Envelope> items, std::size_t node_capacity = 16);
    /// Indices (into the constructor's vector) of items whose envelope intersects `query`.
    void query(const Envelope& query, std::vector<std::size_t>& out) const;
    /// Indices of items whose envelope contains the point.
    void query(double x, double y, std::vector<std::size_t>& out) const;
    /// Best-first nearest-neighbour search: visits items in increasing envelope distance from
    /// (x, y), asks `distance(item)` for the exact distance, and stops once no envelope left can
    /// be nearer than the best found. `lower_scale` turns an envelope distance (tree units) into
    /// a lower bound in the units `distance` returns (e.g. the fewest metres in a degree).
    /// Returns the nearest item and its distance; (size(), -1) for an empty tree.
    std::pair<std::size_t, double> nearest(double x, double y, double lower_scale,
                                           const std::function<double(std::size_t item)>& distance) const;
    std::size_t size() const noexcept { return m_count; }

private:
    struct Node {
        Envelope env;
        std::size_t first = 0; ///< first child (node index) or first item (position in m_order)
        std::size_t count = 0;
        bool leaf = true;
    };
    std::vector<Node> m_nodes;
    std::vector<std::size_t> m_order;
    std::vector<Envelope> m_items;
    std::size_t m_count = 0;
    std::size_t m_root = 0;
};

} // namespace grid::geom

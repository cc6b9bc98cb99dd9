#include "libgrid/geometry.hpp"

#include "libgrid/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <numeric>
#include <queue>
#include <sstream>

namespace grid::geom {

namespace {

// GEOS reports errors through a handler; keep the last message per thread so the throwing
// site can say what went wrong.
thread_local std::string t_last_error;

void error_handler(const char* fmt, ...) {
    char buf[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    t_last_error = buf;
}

void notice_handler(const char*, ...) {}

struct ContextHolder {
    GEOSContextHandle_t handle;
    ContextHolder() : handle(GEOS_init_r()) {
        GEOSContext_setErrorHandler_r(handle, error_handler);
        GEOSContext_setNoticeHandler_r(handle, notice_handler);
    }
    ~ContextHolder() { GEOS_finish_r(handle); }
    ContextHolder(const ContextHolder&) = delete;
    ContextHolder& operator=(const ContextHolder&) = delete;
};

[[noreturn]] void fail(std::string_view what) {
    std::string msg = "GEOS " + std::string(what) + " failed";
    if (!t_last_error.empty()) {
        msg += ": " + t_last_error;
        t_last_error.clear();
    }
    throw geometry_error(msg);
}

bool predicate(char r, std::string_view what) {
    if (r == 2) {
        fail(what);
    }
    return r == 1;
}

struct WkbReader {
    GEOSWKBReader* reader;
    WkbReader() : reader(GEOSWKBReader_create_r(context())) {}
    ~WkbReader() { GEOSWKBReader_destroy_r(context(), reader); }
    WkbReader(const WkbReader&) = delete;
    WkbReader& operator=(const WkbReader&) = delete;
};

struct WkbWriter {
    GEOSWKBWriter* writer;
    WkbWriter() : writer(GEOSWKBWriter_create_r(context())) {
        GEOSWKBWriter_setByteOrder_r(context(), writer, GEOS_WKB_NDR);
        GEOSWKBWriter_setOutputDimension_r(context(), writer, 2);
    }
    ~WkbWriter() { GEOSWKBWriter_destroy_r(context(), writer); }
    WkbWriter(const WkbWriter&) = delete;
    WkbWriter& operator=(const WkbWriter&) = delete;
};

GEOSCoordSequence* make_sequence(const std::vector<Point>& points, bool close) {
    const bool need_close = close && !points.empty() &&
                            (points.front().x != points.back().x || points.front().y != points.back().y);
    const auto n = static_cast<unsigned>(points.size() + (need_close ? 1 : 0));
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(context(), n, 2);
    if (seq == nullptr) {
        fail("coordinate sequence");
    }
    for (unsigned i = 0; i < points.size(); ++i) {
        GEOSCoordSeq_setXY_r(context(), seq, i, points[i].x, points[i].y);
    }
    if (need_close) {
        GEOSCoordSeq_setXY_r(context(), seq, n - 1, points.front().x, points.front().y);
    }
    return seq;
}

GEOSGeometry* make_ring(const std::vector<Point>& points) {
    if (points.size() < 3) {
        throw geometry_error("a polygon ring needs at least 3 distinct points, got " + std::to_string(points.size()));
    }
    GEOSGeometry* ring = GEOSGeom_createLinearRing_r(context(), make_sequence(points, true));
    if (ring == nullptr) {
        fail("linear ring");
    }
    return ring;
}

void collect_coordinates(const GEOSGeometry* g, std::vector<Point>& out) {
    const int type = GEOSGeomTypeId_r(context(), g);
    if (type == GEOS_POLYGON) {
        collect_coordinates(GEOSGetExteriorRing_r(context(), g), out);
        const int holes = GEOSGetNumInteriorRings_r(context(), g);
        for (int i = 0; i < holes; ++i) {
            collect_coordinates(GEOSGetInteriorRingN_r(context(), g, i), out);
        }
        return;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOINT ||
        type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(context(), g);
        for (int i = 0; i < n; ++i) {
            collect_coordinates(GEOSGetGeometryN_r(context(), g, i), out);
        }
        return;
    }
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(context(), g);
    if (seq == nullptr) {
        return;
    }
    unsigned size = 0;
    GEOSCoordSeq_getSize_r(context(), seq, &size);
    for (unsigned i = 0; i < size; ++i) {
        Point p;
        GEOSCoordSeq_getXY_r(context(), seq, i, &p.x, &p.y);
        out.push_back(p);
    }
}

} // namespace

GEOSContextHandle_t context() {
    thread_local ContextHolder holder;
    return holder.handle;
}

void GeometryDeleter::operator()(GEOSGeometry* g) const noexcept {
    if (g != nullptr) {
        GEOSGeom_destroy_r(context(), g);
    }
}

void PreparedDeleter::operator()(const GEOSPreparedGeometry* g) const noexcept {
    if (g != nullptr) {
        GEOSPreparedGeom_destroy_r(context(), g);
    }
}

Geometry own(GEOSGeometry* g, std::string_view what) {
    if (g == nullptr) {
        fail(what);
    }
    return Geometry(g);
}

void Envelope::expand(const Envelope& o) noexcept {
    minx = std::min(minx, o.minx);
    miny = std::min(miny, o.miny);
    maxx = std::max(maxx, o.maxx);
    maxy = std::max(maxy, o.maxy);
}

Geometry from_wkb(const unsigned char* data, std::size_t size) {
    thread_local WkbReader reader;
    return own(GEOSWKBReader_read_r(context(), reader.reader, data, size), "WKB reading");
}

Geometry from_wkb(const std::vector<unsigned char>& wkb) { return from_wkb(wkb.data(), wkb.size()); }

Geometry from_wkt(std::string_view wkt) {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(context());
    const std::string text(wkt);
    GEOSGeometry* g = GEOSWKTReader_read_r(context(), reader, text.c_str());
    GEOSWKTReader_destroy_r(context(), reader);
    return own(g, "WKT reading");
}

std::vector<unsigned char> to_wkb(const GEOSGeometry* g) {
    thread_local WkbWriter writer;
    std::size_t size = 0;
    unsigned char* buf = GEOSWKBWriter_write_r(context(), writer.writer, g, &size);
    if (buf == nullptr) {
        fail("WKB writing");
    }
    std::vector<unsigned char> out(buf, buf + size);
    GEOSFree_r(context(), buf);
    return out;
}

std::string to_wkt(const GEOSGeometry* g, int precision) {
    GEOSWKTWriter* writer = GEOSWKTWriter_create_r(context());
    GEOSWKTWriter_setRoundingPrecision_r(context(), writer, precision);
    GEOSWKTWriter_setTrim_r(context(), writer, 1);
    GEOSWKTWriter_setOutputDimension_r(context(), writer, 2);
    char* text = GEOSWKTWriter_write_r(context(), writer, g);
    GEOSWKTWriter_destroy_r(context(), writer);
    if (text == nullptr) {
        fail("WKT writing");
    }
    std::string out(text);
    GEOSFree_r(context(), text);
    return out;
}

namespace {

void json_ring(std::ostringstream& os, const GEOSGeometry* ring) {
    std::vector<Point> pts;
    collect_coordinates(ring, pts);
    os << '[';
    for (std::size_t i = 0; i < pts.size(); ++i) {
        os << (i ? "," : "") << '[' << pts[i].x << ',' << pts[i].y << ']';
    }
    os << ']';
}

void json_polygon(std::ostringstream& os, const GEOSGeometry* poly) {
    os << '[';
    json_ring(os, GEOSGetExteriorRing_r(context(), poly));
    const int holes = GEOSGetNumInteriorRings_r(context(), poly);
    for (int i = 0; i < holes; ++i) {
        os << ',';
        json_ring(os, GEOSGetInteriorRingN_r(context(), poly, i));
    }
    os << ']';
}

void json_geometry(std::ostringstream& os, const GEOSGeometry* g) {
    switch (GEOSGeomTypeId_r(context(), g)) {
    case GEOS_POINT: {
        const Point p = point_xy(g);
        os << R"({"type":"Point","coordinates":[)" << p.x << ',' << p.y << "]}";
        return;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        os << R"({"type":"LineString","coordinates":)";
        json_ring(os, g);
        os << '}';
        return;
    case GEOS_POLYGON:
        os << R"({"type":"Polygon","coordinates":)";
        json_polygon(os, g);
        os << '}';
        return;
    case GEOS_MULTIPOLYGON: {
        os << R"({"type":"MultiPolygon","coordinates":[)";
        const int n = GEOSGetNumGeometries_r(context(), g);
        for (int i = 0; i < n; ++i) {
            os << (i ? "," : "");
            json_polygon(os, GEOSGetGeometryN_r(context(), g, i));
        }
        os << "]}";
        return;
    }
    case GEOS_MULTILINESTRING: {
        os << R"({"type":"MultiLineString","coordinates":[)";
        const int n = GEOSGetNumGeometries_r(context(), g);
        for (int i = 0; i < n; ++i) {
            os << (i ? "," : "");
            json_ring(os, GEOSGetGeometryN_r(context(), g, i));
        }
        os << "]}";
        return;
    }
    case GEOS_MULTIPOINT: {
        os << R"({"type":"MultiPoint","coordinates":)";
        json_ring(os, g);
        os << '}';
        return;
    }
    default: {
        os << R"({"type":"GeometryCollection","geometries":[)";
        const int n = GEOSGetNumGeometries_r(context(), g);
        for (int i = 0; i < n; ++i) {
            os << (i ? "," : "");
            json_geometry(os, GEOSGetGeometryN_r(context(), g, i));
        }
        os << "]}";
    }
    }
}

} // namespace

std::string to_geojson(const GEOSGeometry* g) {
    std::ostringstream os;
    os.precision(9);
    os << std::fixed;
    json_geometry(os, g);
    return os.str();
}

Geometry make_point(double x, double y) { return own(GEOSGeom_createPointFromXY_r(context(), x, y), "point"); }

Geometry make_polygon(const std::vector<Point>& shell, const std::vector<std::vector<Point>>& holes) {
    GEOSGeometry* outer = make_ring(shell);
    std::vector<GEOSGeometry*> inner;
    inner.reserve(holes.size());
    for (const auto& h : holes) {
        inner.push_back(make_ring(h));
    }
    return own(GEOSGeom_createPolygon_r(context(), outer, inner.empty() ? nullptr : inner.data(),
                                        static_cast<unsigned>(inner.size())),
               "polygon");
}

Geometry make_box(double minx, double miny, double maxx, double maxy) {
    return make_polygon({{minx, miny}, {maxx, miny}, {maxx, maxy}, {minx, maxy}});
}

Geometry make_linestring(const std::vector<Point>& points) {
    return own(GEOSGeom_createLineString_r(context(), make_sequence(points, false)), "linestring");
}

Geometry make_collection(int geos_type_id, std::vector<Geometry> parts) {
    std::vector<GEOSGeometry*> raw;
    raw.reserve(parts.size());
    for (auto& p : parts) {
        raw.push_back(p.release());
    }
    GEOSGeometry* g = GEOSGeom_createCollection_r(context(), geos_type_id, raw.empty() ? nullptr : raw.data(),
                                                  static_cast<unsigned>(raw.size()));
    if (g == nullptr) {
        for (auto* r : raw) {
            GEOSGeom_destroy_r(context(), r);
        }
        fail("collection");
    }
    return Geometry(g);
}

Geometry to_multipolygon(Geometry g) {
    const int type = type_id(g.get());
    if (type == GEOS_MULTIPOLYGON) {
        return g;
    }
    if (type == GEOS_POLYGON) {
        std::vector<Geometry> parts;
        parts.push_back(std::move(g));
        return make_collection(GEOS_MULTIPOLYGON, std::move(parts));
    }
    if (type == GEOS_GEOMETRYCOLLECTION) {
        std::vector<Geometry> parts;
        const int n = num_geometries(g.get());
        for (int i = 0; i < n; ++i) {
            const GEOSGeometry* part = geometry_n(g.get(), i);
            const int pt = type_id(part);
            if (pt == GEOS_POLYGON) {
                parts.push_back(clone(part));
            } else if (pt == GEOS_MULTIPOLYGON) {
                for (int j = 0; j < num_geometries(part); ++j) {
                    parts.push_back(clone(geometry_n(part, j)));
                }
            }
        }
        return make_collection(GEOS_MULTIPOLYGON, std::move(parts));
    }
    throw geometry_error("expected a polygon, got a " + type_name(g.get()));
}

Geometry clone(const GEOSGeometry* g) { return own(GEOSGeom_clone_r(context(), g), "clone"); }

Envelope envelope(const GEOSGeometry* g) {
    Envelope e;
    if (GEOSGeom_getXMin_r(context(), g, &e.minx) == 0 || GEOSGeom_getYMin_r(context(), g, &e.miny) == 0 ||
        GEOSGeom_getXMax_r(context(), g, &e.maxx) == 0 || GEOSGeom_getYMax_r(context(), g, &e.maxy) == 0) {
        fail("envelope (empty geometry?)");
    }
    return e;
}

double area(const GEOSGeometry* g) {
    double a = 0;
    if (GEOSArea_r(context(), g, &a) == 0) {
        fail("area");
    }
    return a;
}

double length(const GEOSGeometry* g) {
    double l = 0;
    if (GEOSLength_r(context(), g, &l) == 0) {
        fail("length");
    }
    return l;
}

bool is_empty(const GEOSGeometry* g) { return predicate(GEOSisEmpty_r(context(), g), "isEmpty"); }

int type_id(const GEOSGeometry* g) { return GEOSGeomTypeId_r(context(), g); }

std::string type_name(const GEOSGeometry* g) {
    char* t = GEOSGeomType_r(context(), g);
    std::string out = t != nullptr ? t : "?";
    GEOSFree_r(context(), t);
    return out;
}

int num_geometries(const GEOSGeometry* g) { return GEOSGetNumGeometries_r(context(), g); }

const GEOSGeometry* geometry_n(const GEOSGeometry* g, int n) { return GEOSGetGeometryN_r(context(), g, n); }

Point point_xy(const GEOSGeometry* g) {
    Point p;
    if (GEOSGeomGetX_r(context(), g, &p.x) == 0 || GEOSGeomGetY_r(context(), g, &p.y) == 0) {
        fail("point coordinates");
    }
    return p;
}

Point centroid(const GEOSGeometry* g) {
    const Geometry c = own(GEOSGetCentroid_r(context(), g), "centroid");
    return point_xy(c.get());
}

Point point_on_surface(const GEOSGeometry* g) {
    const Geometry c = own(GEOSPointOnSurface_r(context(), g), "point on surface");
    return point_xy(c.get());
}

std::vector<Point> coordinates(const GEOSGeometry* g) {
    std::vector<Point> out;
    collect_coordinates(g, out);
    return out;
}

Validity validity(const GEOSGeometry* g) {
    Validity v;
    char* reason = nullptr;
    GEOSGeometry* location = nullptr;
    const char r = GEOSisValidDetail_r(context(), g, 0, &reason, &location);
    if (r == 2) {
        fail("validity check");
    }
    v.valid = r == 1;
    if (reason != nullptr) {
        v.reason = reason;
        GEOSFree_r(context(), reason);
    }
    if (location != nullptr) {
        v.location = point_xy(location);
        GEOSGeom_destroy_r(context(), location);
    }
    return v;
}

Geometry make_valid(const GEOSGeometry* g) {
    GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(context());
    GEOSMakeValidParams_setMethod_r(context(), params, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(context(), params, 0);
    GEOSGeometry* out = GEOSMakeValidWithParams_r(context(), g, params);
    GEOSMakeValidParams_destroy_r(context(), params);
    return own(out, "make valid");
}

Geometry intersection(const GEOSGeometry* a, const GEOSGeometry* b) {
    return own(GEOSIntersection_r(context(), a, b), "intersection");
}
Geometry difference(const GEOSGeometry* a, const GEOSGeometry* b) {
    return own(GEOSDifference_r(context(), a, b), "difference");
}
Geometry unite(const GEOSGeometry* a, const GEOSGeometry* b) { return own(GEOSUnion_r(context(), a, b), "union"); }
Geometry unary_union(const GEOSGeometry* g) { return own(GEOSUnaryUnion_r(context(), g), "union"); }

Geometry coverage_union(std::vector<Geometry> parts) {
    const Geometry collection = make_collection(GEOS_GEOMETRYCOLLECTION, std::move(parts));
    return own(GEOSCoverageUnion_r(context(), collection.get()), "coverage union");
}

Geometry union_all(std::vector<Geometry> parts) {
    const Geometry collection = make_collection(GEOS_GEOMETRYCOLLECTION, std::move(parts));
    return own(GEOSUnaryUnion_r(context(), collection.get()), "union");
}

Geometry buffer(const GEOSGeometry* g, double width, int quadsegs) {
    return own(GEOSBuffer_r(context(), g, width, quadsegs), "buffer");
}

Geometry boundary(const GEOSGeometry* g) { return own(GEOSBoundary_r(context(), g), "boundary"); }

bool intersects(const GEOSGeometry* a, const GEOSGeometry* b) {
    return predicate(GEOSIntersects_r(context(), a, b), "intersects");
}
bool contains(const GEOSGeometry* a, const GEOSGeometry* b) {
    return predicate(GEOSContains_r(context(), a, b), "contains");
}
bool within(const GEOSGeometry* a, const GEOSGeometry* b) { return predicate(GEOSWithin_r(context(), a, b), "within"); }
bool covers(const GEOSGeometry* a, const GEOSGeometry* b) { return predicate(GEOSCovers_r(context(), a, b), "covers"); }

double distance(const GEOSGeometry* a, const GEOSGeometry* b) {
    double d = 0;
    if (GEOSDistance_r(context(), a, b, &d) == 0) {
        fail("distance");
    }
    return d;
}

namespace {
int transform_callback(double* x, double* y, void* userdata) {
    const auto& f = *static_cast<const std::function<void(double&, double&)>*>(userdata);
    f(*x, *y);
    return 1;
}
} // namespace

Geometry transform(const GEOSGeometry* g, const std::function<void(double& x, double& y)>& f) {
    // Exceptions must not cross the C frames of GEOS: catch inside the callback, rethrow after.
    std::exception_ptr caught;
    std::function<void(double&, double&)> guarded = [&](double& x, double& y) {
        if (caught) {
            return;
        }
        try {
            f(x, y);
        } catch (...) {
            caught = std::current_exception();
        }
    };
    GEOSGeometry* out = GEOSGeom_transformXY_r(context(), g, transform_callback, &guarded);
    if (caught) {
        if (out != nullptr) {
            GEOSGeom_destroy_r(context(), out);
        }
        std::rethrow_exception(caught);
    }
    return own(out, "coordinate transformation");
}

Prepared prepare(const GEOSGeometry* g) {
    const GEOSPreparedGeometry* p = GEOSPrepare_r(context(), g);
    if (p == nullptr) {
        fail("prepare");
    }
    return Prepared(p);
}

bool contains(const GEOSPreparedGeometry* p, const GEOSGeometry* g) {
    return predicate(GEOSPreparedContains_r(context(), p, g), "prepared contains");
}
bool covers(const GEOSPreparedGeometry* p, const GEOSGeometry* g) {
    return predicate(GEOSPreparedCovers_r(context(), p, g), "prepared covers");
}
bool intersects(const GEOSPreparedGeometry* p, const GEOSGeometry* g) {
    return predicate(GEOSPreparedIntersects_r(context(), p, g), "prepared intersects");
}

bool contains_xy(const GEOSPreparedGeometry* p, double x, double y) {
    // GEOS 3.11 lacks GEOSPreparedContainsXY_r: reuse one point per thread instead of
    // allocating a new geometry for every test.
    thread_local Geometry point = make_point(0, 0);
    GEOSCoordSequence* seq = const_cast<GEOSCoordSequence*>(GEOSGeom_getCoordSeq_r(context(), point.get()));
    GEOSCoordSeq_setXY_r(context(), seq, 0, x, y);
    return predicate(GEOSPreparedContains_r(context(), p, point.get()), "prepared contains");
}

// --- STRtree -------------------------------------------------------------------------------

STRtree::STRtree(std::vector<Envelope> items, std::size_t node_capacity) : m_items(std::move(items)) {
    m_count = m_items.size();
    if (m_count == 0) {
        return;
    }
    const std::size_t cap = std::max<std::size_t>(node_capacity, 2);
    m_order.resize(m_count);
    std::iota(m_order.begin(), m_order.end(), std::size_t{0});
    auto cx = [&](std::size_t i) { return m_items[i].minx + m_items[i].maxx; };
    auto cy = [&](std::size_t i) { return m_items[i].miny + m_items[i].maxy; };

    // Sort-Tile-Recursive: sort by x, cut into vertical slices, sort each slice by y.
    const std::size_t leaves = (m_count + cap - 1) / cap;
    const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(leaves))));
    const std::size_t per_slice = slices * cap;
    std::stable_sort(m_order.begin(), m_order.end(), [&](std::size_t a, std::size_t b) { return cx(a) < cx(b); });
    for (std::size_t s = 0; s < m_count; s += per_slice) {
        const auto end = std::min(m_count, s + per_slice);
        std::stable_sort(m_order.begin() + static_cast<std::ptrdiff_t>(s), m_order.begin() + static_cast<std::ptrdiff_t>(end),
                         [&](std::size_t a, std::size_t b) { return cy(a) < cy(b); });
    }
    std::vector<std::size_t> level;
    for (std::size_t s = 0; s < m_count; s += cap) {
        Node n;
        n.first = s;
        n.count = std::min(cap, m_count - s);
        n.leaf = true;
        n.env = m_items[m_order[s]];
        for (std::size_t k = 1; k < n.count; ++k) {
            n.env.expand(m_items[m_order[s + k]]);
        }
        level.push_back(m_nodes.size());
        m_nodes.push_back(n);
    }
    // Upper levels: nodes of one level are contiguous in m_nodes, so group consecutive ones.
    while (level.size() > 1) {
        std::vector<std::size_t> next;
        for (std::size_t s = 0; s < level.size(); s += cap) {
            Node n;
            n.first = level[s];
            n.count = std::min(cap, level.size() - s);
            n.leaf = false;
            n.env = m_nodes[level[s]].env;
            for (std::size_t k = 1; k < n.count; ++k) {
                n.env.expand(m_nodes[level[s + k]].env);
            }
            next.push_back(m_nodes.size());
            m_nodes.push_back(n);
        }
        level = std::move(next);
    }
    m_root = level.front();
}

void STRtree::query(const Envelope& q, std::vector<std::size_t>& out) const {
    out.clear();
    if (m_count == 0) {
        return;
    }
    std::size_t stack[128];
    std::size_t top = 0;
    stack[top++] = m_root;
    while (top > 0) {
        const Node& n = m_nodes[stack[--top]];
        if (!n.env.intersects(q)) {
            continue;
        }
        if (n.leaf) {
            for (std::size_t k = 0; k < n.count; ++k) {
                const std::size_t item = m_order[n.first + k];
                if (m_items[item].intersects(q)) {
                    out.push_back(item);
                }
            }
        } else {
            for (std::size_t k = 0; k < n.count; ++k) {
                stack[top++] = n.first + k;
            }
        }
    }
}

void STRtree::query(double x, double y, std::vector<std::size_t>& out) const { query(Envelope{x, y, x, y}, out); }

namespace {

/// The squared distance from (x, y) to the envelope, with x and y distances scaled by `scale`.
double envelope_distance2(const Envelope& e, double x, double y, double scale) noexcept {
    const double dx = std::max({e.minx - x, 0.0, x - e.maxx}) * scale;
    const double dy = std::max({e.miny - y, 0.0, y - e.maxy}) * scale;
    return dx * dx + dy * dy;
}

} // namespace

std::pair<std::size_t, double> STRtree::nearest(double x, double y, double lower_scale,
                                                const std::function<double(std::size_t)>& distance) const {
    if (m_count == 0) {
        return {m_count, -1};
    }
    // Entries are nodes (index) or items (m_nodes.size() + item), keyed by the square of their
    // lower bound; the smallest first.
    using Entry = std::pair<double, std::size_t>;
    std::vector<Entry> heap;
    heap.reserve(64);
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue(std::greater<>(), std::move(heap));
    const std::size_t item_base = m_nodes.size();
    queue.emplace(envelope_distance2(m_nodes[m_root].env, x, y, lower_scale), m_root);
    std::size_t best = m_count;
    double best_d = -1;
    while (!queue.empty()) {
        const auto [lower2, entry] = queue.top();
        queue.pop();
        if (best_d >= 0 && lower2 > best_d * best_d) {
            break;
        }
        if (entry >= item_base) {
            const std::size_t item = entry - item_base;
            const double d = distance(item);
            if (best_d < 0 || d < best_d || (d == best_d && item < best)) {
                best = item;
                best_d = d;
            }
            continue;
        }
        const Node& n = m_nodes[entry];
        for (std::size_t k = 0; k < n.count; ++k) {
            if (n.leaf) {
                const std::size_t item = m_order[n.first + k];
                queue.emplace(envelope_distance2(m_items[item], x, y, lower_scale), item_base + item);
            } else {
                queue.emplace(envelope_distance2(m_nodes[n.first + k].env, x, y, lower_scale), n.first + k);
            }
        }
    }
    return {best, best_d};
}

} // namespace grid::geom

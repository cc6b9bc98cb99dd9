// Building blocks of validate: the parallel loop, the metric frame, WKB inspection, zone sets.
#include "detail/validate_internal.hpp"

#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <thread>

namespace grid::detail {

// --- metric frame ----------------------------------------------------------------------------

namespace {

bool is_mercator(int srid) { return srid == 3857 || srid == 900913 || srid == 3395; }

crs::CrsSpec epsg(int code) {
    crs::CrsSpec s;
    s.kind = crs::CrsSpec::Kind::epsg;
    s.epsg = code;
    return s;
}

// One transformer per thread and CRS pair: PROJ objects must not be shared between threads.
const crs::Transformer& transformer(int from, int to) {
    thread_local std::map<std::pair<int, int>, std::unique_ptr<crs::Transformer>> cache;
    auto& slot = cache[{from, to}];
    if (!slot) {
        slot = std::make_unique<crs::Transformer>(epsg(from), epsg(to));
    }
    return *slot;
}

} // namespace

MetricFrame::MetricFrame(int workspace_srid, double reference_x, double reference_y) : m_ws(workspace_srid) {
    m_geographic = epsg(workspace_srid).is_geographic();
    if (!m_geographic && !is_mercator(workspace_srid)) {
        m_metric = workspace_srid; // already in metres (Gauss-Kruger, UTM, ...)
        return;
    }
    double lng = reference_x;
    double lat = reference_y;
    if (!m_geographic) {
        transformer(workspace_srid, 4490).transform(lng, lat);
    }
    if (!std::isfinite(lng) || lng < 72.0 || lng > 138.0) {
        lng = 120.0; // no usable data: every feature is reported out of range anyway
    }
    m_metric = crs::gauss_kruger_epsg(lng);
}

bool MetricFrame::in_range(double x, double y) const noexcept {
    if (!std::isfinite(x) || !std::isfinite(y)) {
        return false;
    }
    if (m_geographic) {
        return x >= 72.0 && x <= 138.0 && y >= 0.0 && y <= 56.0;
    }
    return std::abs(x) < 1e8 && std::abs(y) < 1e8;
}

void MetricFrame::to_metric(double& x, double& y) const {
    if (!identity()) {
        transformer(m_ws, m_metric).transform(x, y);
    }
}

void MetricFrame::to_workspace(double& x, double& y) const {
    if (!identity()) {
        transformer(m_metric, m_ws).transform(x, y);
    }
}

void MetricFrame::to_metric(std::vector<double>& xs, std::vector<double>& ys) const {
    if (!identity() && !xs.empty()) {
        transformer(m_ws, m_metric).transform(xs, ys);
    }
}

geom::Geometry MetricFrame::to_metric(const GEOSGeometry* g) const {
    if (identity()) {
        return geom::clone(g);
    }
    const crs::Transformer& t = transformer(m_ws, m_metric);
    return geom::transform(g, [&t](double& x, double& y) { t.transform(x, y); });
}

geom::Geometry MetricFrame::to_workspace(const GEOSGeometry* g) const {
    if (identity()) {
        return geom::clone(g);
    }
    const crs::Transformer& t = transformer(m_metric, m_ws);
    return geom::transform(g, [&t](double& x, double& y) { t.transform(x, y); });
}

geom::Point MetricFrame::point_to_workspace(geom::Point p) const {
    to_workspace(p.x, p.y);
    return p;
}

// --- WKB inspection --------------------------------------------------------------------------

namespace {

class WkbCursor {
public:
    WkbCursor(const unsigned char* data, std::size_t size) : m_data(data), m_size(size) {}
    bool u8(std::uint8_t& v) {
        if (m_pos + 1 > m_size) {
            return false;
        }
        v = m_data[m_pos++];
        return true;
    }
    bool u32(std::uint32_t& v, bool little) {
        if (m_pos + 4 > m_size) {
            return false;
        }
        const unsigned char* p = m_data + m_pos;
        v = little ? (std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24)
                   : (std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[0]) << 24);
        m_pos += 4;
        return true;
    }
    bool f64(double& v, bool little) {
        if (m_pos + 8 > m_size) {
            return false;
        }
        unsigned char b[8];
        std::memcpy(b, m_data + m_pos, 8);
        if (!little) {
            std::reverse(b, b + 8);
        }
        std::memcpy(&v, b, 8); // the host is little-endian (x86-64, arm64)
        m_pos += 8;
        return true;
    }
    bool at_end() const { return m_pos == m_size; }

private:
    const unsigned char* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

void add_point(WkbSummary& s, double x, double y) {
    if (!std::isfinite(x) || !std::isfinite(y)) {
        s.non_finite = true;
        return;
    }
    if (s.points == 0) {
        s.envelope = geom::Envelope{x, y, x, y};
    } else {
        s.envelope.expand(geom::Envelope{x, y, x, y});
    }
    ++s.points;
}

bool read_points(WkbCursor& c, bool little, int dims, bool ring, WkbSummary& s) {
    std::uint32_t n = 0;
    if (!c.u32(n, little) || n > 100000000U) {
        return false;
    }
    geom::Point distinct[3];
    int found = 0;
    geom::Point first;
    for (std::uint32_t i = 0; i < n; ++i) {
        double x = 0, y = 0, extra = 0;
        if (!c.f64(x, little) || !c.f64(y, little)) {
            return false;
        }
        for (int d = 2; d < dims; ++d) {
            if (!c.f64(extra, little)) {
                return false;
            }
        }
        if (i == 0) {
            first = {x, y};
        }
        add_point(s, x, y);
        if (ring && found < 3) {
            bool seen = false;
            for (int k = 0; k < found; ++k) {
                seen = seen || (distinct[k].x == x && distinct[k].y == y);
            }
            if (!seen) {
                distinct[found++] = {x, y};
            }
        }
    }
    if (ring && (n < 4 || found < 3) && !s.short_ring) {
        s.short_ring = true;
        s.short_ring_at = first;
    }
    return true;
}

bool read_geometry(WkbCursor& c, WkbSummary& s, int depth) {
    std::uint8_t order = 0;
    std::uint32_t raw = 0;
    if (depth > 8 || !c.u8(order) || order > 1 || !c.u32(raw, order == 1)) {
        return false;
    }
    const bool little = order == 1;
    int dims = 2;
    if ((raw & 0x80000000U) != 0) {
        ++dims; // EWKB Z
    }
    if ((raw & 0x40000000U) != 0) {
        ++dims; // EWKB M
    }
    if ((raw & 0x20000000U) != 0) {
        std::uint32_t srid = 0; // EWKB SRID
        if (!c.u32(srid, little)) {
            return false;
        }
    }
    raw &= 0x0FFFFFFFU;
    const int base = static_cast<int>(raw % 1000);
    const int iso = static_cast<int>(raw / 1000);
    dims += iso == 3 ? 2 : (iso > 0 ? 1 : 0);
    if (depth == 0) {
        s.type = base;
    }
    switch (base) {
    case 1: {
        double x = 0, y = 0, extra = 0;
        if (!c.f64(x, little) || !c.f64(y, little)) {
            return false;
        }
        for (int d = 2; d < dims; ++d) {
            if (!c.f64(extra, little)) {
                return false;
            }
        }
        if (!(std::isnan(x) && std::isnan(y))) { // NaN, NaN is POINT EMPTY
            add_point(s, x, y);
        }
        return true;
    }
    case 2:
        return read_points(c, little, dims, false, s);
    case 3: {
        std::uint32_t rings = 0;
        if (!c.u32(rings, little) || rings > 10000000U) {
            return false;
        }
        if (rings > 0) {
            ++s.polygons;
        }
        for (std::uint32_t r = 0; r < rings; ++r) {
            if (!read_points(c, little, dims, true, s)) {
                return false;
            }
        }
        return true;
    }
    case 4:
    case 5:
    case 6:
    case 7: {
        std::uint32_t n = 0;
        if (!c.u32(n, little) || n > 10000000U) {
            return false;
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            if (!read_geometry(c, s, depth + 1)) {
                return false;
            }
        }
        return true;
    }
    default:
        return false;
    }
}

} // namespace

WkbSummary scan_wkb(const unsigned char* data, std::size_t size) {
    WkbSummary s;
    if (data == nullptr || size == 0) {
        return s;
    }
    WkbCursor c(data, size);
    s.readable = read_geometry(c, s, 0) && c.at_end();
    return s;
}

// --- zone sets -------------------------------------------------------------------------------

void ZoneSet::index() {
    by_code.clear();
    usable.clear();
    std::vector<geom::Envelope> envs;
    for (std::size_t i = 0; i < zones.size(); ++i) {
        if (!zones[i].code.empty()) {
            by_code.emplace(zones[i].code, i);
        }
        if (zones[i].usable()) {
            usable.push_back(i);
            envs.push_back(zones[i].envelope);
        }
    }
    tree = geom::STRtree(std::move(envs));
}

void ZoneSet::candidates(double x, double y, std::vector<std::size_t>& out) const {
    candidates(geom::Envelope{x, y, x, y}, out);
}

void ZoneSet::candidates(const geom::Envelope& e, std::vector<std::size_t>& out) const {
    tree.query(e, out);
    for (auto& i : out) {
        i = usable[i];
    }
    std::sort(out.begin(), out.end()); // deterministic: lowest row first
}

const Zone* ZoneSet::find(const std::string& c) const {
    const auto it = by_code.find(c);
    return it == by_code.end() ? nullptr : &zones[it->second];
}

const GEOSGeometry* PreparedZones::geometry(std::size_t zone) {
    if (!m_geoms[zone]) {
        m_geoms[zone] = geom::from_wkb(m_set.zones[zone].metric);
    }
    return m_geoms[zone].get();
}

const GEOSPreparedGeometry* PreparedZones::prepared(std::size_t zone) {
    if (!m_prepared[zone]) {
        m_prepared[zone] = geom::prepare(geometry(zone));
    }
    return m_prepared[zone].get();
}

long PreparedZones::locate(double x, double y, std::vector<std::size_t>& scratch) {
    m_set.candidates(x, y, scratch);
    if (scratch.empty()) {
        return -1;
    }
    for (const std::size_t z : scratch) {
        if (geom::contains_xy(prepared(z), x, y)) {
            return static_cast<long>(z);
        }
    }
    // On a shared edge no zone contains the point: take the first one touching it.
    const geom::Geometry p = geom::make_point(x, y);
    for (const std::size_t z : scratch) {
        if (geom::intersects(prepared(z), p.get())) {
            return static_cast<long>(z);
        }
    }
    return -1;
}

// --- findings, context, helpers --------------------------------------------------------------

void Findings::add(ValidationError e) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_items.push_back(std::move(e));
}

void Findings::add(std::vector<ValidationError>& batch) {
    if (batch.empty()) {
        return;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto& e : batch) {
        m_items.push_back(std::move(e));
    }
    batch.clear();
}

std::vector<ValidationError> Findings::take() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return std::move(m_items);
}

void Context::note(std::string text) {
    std::lock_guard<std::mutex> lock(notes_mutex);
    if (std::find(notes.begin(), notes.end(), text) == notes.end()) {
        notes.push_back(std::move(text));
    }
}

void Context::progress(std::string_view stage, std::uint64_t done, std::uint64_t total) const {
    if (options.progress) {
        options.progress(stage, done, total);
    }
}

double mean_width(const GEOSGeometry* polygon) {
    const double perimeter = geom::length(polygon);
    return perimeter > 0 ? 2.0 * geom::area(polygon) / perimeter : 0.0;
}

namespace {
void gather_parts(const GEOSGeometry* g, double tolerance, std::vector<geom::Geometry>& out) {
    const int type = geom::type_id(g);
    if (type == GEOS_POLYGON) {
        if (geom::is_empty(g)) {
            return;
        }
        const double a = geom::area(g);
        if (a > tolerance * tolerance && a > 0 && mean_width(g) > tolerance) {
            out.push_back(geom::clone(g));
        }
        return;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = geom::num_geometries(g);
        for (int i = 0; i < n; ++i) {
            gather_parts(geom::geometry_n(g, i), tolerance, out);
        }
    }
}
} // namespace

std::vector<geom::Geometry> reportable_parts(const GEOSGeometry* g, double tolerance) {
    std::vector<geom::Geometry> out;
    gather_parts(g, tolerance, out);
    return out;
}

geom::Geometry collect(const std::vector<geom::Geometry>& parts) {
    if (parts.empty()) {
        return nullptr;
    }
    std::vector<geom::Geometry> copies;
    copies.reserve(parts.size());
    for (const auto& p : parts) {
        copies.push_back(geom::clone(p.get()));
    }
    return geom::make_collection(GEOS_MULTIPOLYGON, std::move(copies));
}

double total_area(const std::vector<geom::Geometry>& parts) {
    double a = 0;
    for (const auto& p : parts) {
        a += geom::area(p.get());
    }
    return a;
}

std::string format_area(double m2) {
    char buf[64];
    std::snprintf(buf, sizeof buf, m2 >= 10 ? "%.1f" : (m2 >= 0.01 ? "%.2f" : "%.2g"), m2);
    return buf;
}

std::string format_location(const MetricFrame& frame, const geom::Point& p) {
    const int precision = frame.geographic() ? 6 : 2;
    return " at " + crs::format_number(p.x, precision) + ", " + crs::format_number(p.y, precision);
}

void place(ValidationError& e, const MetricFrame& frame, geom::Point metric_point, const GEOSGeometry* metric_geometry) {
    e.location = frame.point_to_workspace(metric_point);
    if (metric_geometry != nullptr) {
        const geom::Geometry g = frame.to_workspace(metric_geometry);
        e.geometry = geom::to_wkb(g.get());
    }
}

void guarded(Context& ctx, const std::string& layer, const std::string& id, const std::function<void()>& fn) {
    try {
        fn();
    } catch (const error& ex) {
        ValidationError e;
        e.code = code::check_failed;
        e.layer = layer;
        e.id = id;
        e.message = layer + " " + id + ": a check could not be completed: " + ex.what();
        ctx.findings.add(std::move(e));
    }
}

} // namespace grid::detail

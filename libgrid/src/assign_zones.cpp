// Zones and point location for gridkit assign: an STRtree over the zones' envelopes shared by
// all threads, and per-thread prepared GEOS geometries built from WKB on first use.
#include "libgrid/assign.hpp"

#include "libgrid/error.hpp"

#include "detail/assign_internal.hpp"
#include "detail/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace grid::assign {

namespace {

// The bin of coordinate v in n bins of width w from v0, clamped to 0 .. n-1.
std::size_t bin_index(double v, double v0, double w, std::size_t n) {
    const double k = std::floor((v - v0) / w);
    return k <= 0 ? 0 : k >= static_cast<double>(n - 1) ? n - 1 : static_cast<std::size_t>(k);
}

} // namespace

namespace detail {

void for_chunks(std::size_t n, std::size_t chunk, unsigned threads, const std::function<ChunkFn()>& make_worker,
                const std::function<void(std::size_t done)>& progress) {
    if (n == 0) {
        return;
    }
    chunk = std::max<std::size_t>(chunk, 1);
    const std::size_t chunks = (n + chunk - 1) / chunk;
    threads = std::max(1U, std::min<unsigned>(threads == 0 ? 2 : threads, static_cast<unsigned>(std::min<std::size_t>(chunks, 256))));
    std::atomic<std::size_t> done{0};
    const auto caller = std::this_thread::get_id(); // the one thread that reports progress
    grid::detail::parallel_workers(chunks, threads, [&](const grid::detail::NextTask& next) {
        const ChunkFn work = make_worker();
        const bool reports = progress && std::this_thread::get_id() == caller;
        for (std::size_t c = next(); c != grid::detail::no_task; c = next()) {
            const std::size_t begin = c * chunk;
            const std::size_t end = std::min(n, begin + chunk);
            work(begin, end);
            const std::size_t now = done.fetch_add(end - begin, std::memory_order_relaxed) + (end - begin);
            if (reports) {
                progress(now);
            }
        }
    });
}

bool spatialite_point(const unsigned char* b, std::size_t size, double& x, double& y) noexcept {
    // SpatiaLite BLOB-Geometry: 0x00, endianness, SRID (4), MBR (4 doubles), 0x7C, class (4),
    // X, Y, 0xFE. A 2D POINT is exactly 60 bytes.
    if (b == nullptr || size != 60 || b[0] != 0x00 || b[38] != 0x7C || b[59] != 0xFE || (b[1] != 0x00 && b[1] != 0x01)) {
        return false;
    }
    const bool little = b[1] == 0x01;
    auto u32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            v |= static_cast<std::uint32_t>(b[at + (little ? k : 3 - k)]) << (8 * k);
        }
        return v;
    };
    auto f64 = [&](std::size_t at) {
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k) {
            v |= static_cast<std::uint64_t>(b[at + (little ? k : 7 - k)]) << (8 * k);
        }
        double d = 0;
        std::memcpy(&d, &v, sizeof d);
        return d;
    };
    if (u32(39) != 1) { // 1 = POINT (XY)
        return false;
    }
    x = f64(43);
    y = f64(51);
    return true;
}

} // namespace detail

// --- ZoneLocator -------------------------------------------------------------------------------

ZoneLocator::ZoneLocator(std::vector<std::string> codes, std::vector<std::vector<unsigned char>> outlines)
    : m_codes(std::move(codes)), m_outlines(std::move(outlines)) {
    if (m_codes.size() != m_outlines.size()) {
        throw error("internal error: " + std::to_string(m_codes.size()) + " zone codes for " +
                    std::to_string(m_outlines.size()) + " outlines");
    }
    m_envelopes.reserve(m_codes.size());
    for (std::size_t i = 0; i < m_codes.size(); ++i) {
        try {
            const geom::Geometry g = geom::from_wkb(m_outlines[i]);
            const int t = geom::type_id(g.get());
            if (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) {
                throw geometry_error("outline is a " + geom::type_name(g.get()) + ", not a polygon", m_codes[i]);
            }
            m_envelopes.push_back(geom::envelope(g.get()));
            add_rings(g.get());
        } catch (const geometry_error& e) {
            throw geometry_error("zone " + m_codes[i] + ": " + e.what(), m_codes[i],
                                 "run 'gridkit validate' to find broken outlines, and repair them");
        }
    }
    m_zone_ring.push_back(static_cast<std::uint32_t>(m_ring_start.size()));
    m_ring_start.push_back(static_cast<std::uint32_t>(m_xy.size() / 2));
    m_sorted.reserve(m_codes.size());
    for (std::size_t i = 0; i < m_codes.size(); ++i) {
        m_sorted.emplace_back(m_codes[i], static_cast<std::uint32_t>(i));
    }
    std::sort(m_sorted.begin(), m_sorted.end());
    for (std::size_t i = 0; i < m_envelopes.size(); ++i) {
        if (i == 0) {
            m_extent = m_envelopes[0];
        } else {
            m_extent.expand(m_envelopes[i]);
        }
    }
    m_tree = geom::STRtree(m_envelopes);
    build_bins();
}

void ZoneLocator::build_bins() {
    if (m_envelopes.empty()) {
        return;
    }
    const geom::Envelope& all = m_extent;
    const double w = all.maxx - all.minx, h = all.maxy - all.miny;
    if (!(w > 0) || !(h > 0) || !std::isfinite(w) || !std::isfinite(h)) {
        return; // the STRtree answers
    }
    // About two bins per zone, square-ish.
    const double cells = 2.0 * static_cast<double>(m_envelopes.size());
    m_nx = static_cast<std::size_t>(std::clamp(std::sqrt(cells * w / h), 1.0, 4096.0));
    m_ny = static_cast<std::size_t>(std::clamp(cells / static_cast<double>(m_nx), 1.0, 4096.0));
    m_bx0 = all.minx;
    m_by0 = all.miny;
    m_bw = w / static_cast<double>(m_nx);
    m_bh = h / static_cast<double>(m_ny);
    const auto range = [&](const geom::Envelope& e, std::size_t& x0, std::size_t& x1, std::size_t& y0, std::size_t& y1) {
        x0 = bin_index(e.minx, m_bx0, m_bw, m_nx);
        x1 = bin_index(e.maxx, m_bx0, m_bw, m_nx);
        y0 = bin_index(e.miny, m_by0, m_bh, m_ny);
        y1 = bin_index(e.maxy, m_by0, m_bh, m_ny);
    };
    std::vector<std::uint32_t> count(m_nx * m_ny + 1, 0);
    std::size_t total = 0;
    for (const auto& e : m_envelopes) {
        std::size_t x0, x1, y0, y1;
        range(e, x0, x1, y0, y1);
        total += (x1 - x0 + 1) * (y1 - y0 + 1);
        if (total > 64 * m_envelopes.size() + 4096) {
            m_nx = m_ny = 0; // huge envelopes: the STRtree does better
            return;
        }
        for (std::size_t y = y0; y <= y1; ++y) {
            for (std::size_t x = x0; x <= x1; ++x) {
                ++count[y * m_nx + x];
            }
        }
    }
    m_bin_start.assign(m_nx * m_ny + 1, 0);
    for (std::size_t b = 0; b < m_nx * m_ny; ++b) {
        m_bin_start[b + 1] = m_bin_start[b] + count[b];
    }
    m_bin_items.assign(total, 0);
    std::vector<std::uint32_t> fill(m_bin_start.begin(), m_bin_start.end() - 1);
    for (std::size_t z = 0; z < m_envelopes.size(); ++z) { // ascending zones in every bin
        std::size_t x0, x1, y0, y1;
        range(m_envelopes[z], x0, x1, y0, y1);
        for (std::size_t y = y0; y <= y1; ++y) {
            for (std::size_t x = x0; x <= x1; ++x) {
                m_bin_items[fill[y * m_nx + x]++] = static_cast<std::uint32_t>(z);
            }
        }
    }
}

void ZoneLocator::point_candidates(double x, double y, std::vector<std::size_t>& out) const {
    if (m_nx == 0) {
        m_tree.query(x, y, out);
        std::sort(out.begin(), out.end());
        return;
    }
    out.clear();
    if (!(x >= m_bx0 && y >= m_by0 && x <= m_bx0 + m_bw * static_cast<double>(m_nx) &&
          y <= m_by0 + m_bh * static_cast<double>(m_ny))) {
        // Outside the bins (or NaN): only the STRtree can say for points on the outer edge.
        m_tree.query(x, y, out);
        std::sort(out.begin(), out.end());
        return;
    }
    const std::size_t b = bin_index(y, m_by0, m_bh, m_ny) * m_nx + bin_index(x, m_bx0, m_bw, m_nx);
    for (std::uint32_t k = m_bin_start[b]; k < m_bin_start[b + 1]; ++k) {
        const std::uint32_t z = m_bin_items[k];
        if (m_envelopes[z].contains(x, y)) {
            out.push_back(z);
        }
    }
}

void ZoneLocator::add_rings(const GEOSGeometry* g) {
    m_zone_ring.push_back(static_cast<std::uint32_t>(m_ring_start.size()));
    GEOSContextHandle_t ctx = geom::context();
    const auto add_ring = [&](const GEOSGeometry* ring) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
        unsigned size = 0;
        if (seq == nullptr || GEOSCoordSeq_getSize_r(ctx, seq, &size) == 0 || size < 2) {
            return;
        }
        m_ring_start.push_back(static_cast<std::uint32_t>(m_xy.size() / 2));
        for (unsigned i = 0; i < size; ++i) {
            double x = 0, y = 0;
            GEOSCoordSeq_getXY_r(ctx, seq, i, &x, &y);
            m_xy.push_back(x);
            m_xy.push_back(y);
        }
    };
    const int parts = GEOSGeomTypeId_r(ctx, g) == GEOS_MULTIPOLYGON ? GEOSGetNumGeometries_r(ctx, g) : 1;
    for (int p = 0; p < parts; ++p) {
        const GEOSGeometry* poly = GEOSGeomTypeId_r(ctx, g) == GEOS_MULTIPOLYGON ? GEOSGetGeometryN_r(ctx, g, p) : g;
        add_ring(GEOSGetExteriorRing_r(ctx, poly));
        const int holes = GEOSGetNumInteriorRings_r(ctx, poly);
        for (int h = 0; h < holes; ++h) {
            add_ring(GEOSGetInteriorRingN_r(ctx, poly, h));
        }
    }
}

int ZoneLocator::inside(std::size_t zone, double x, double y) const noexcept {
    // Crossing number of a ray to +x over every ring (shells and holes of a valid outline do not
    // overlap, so parity is enough). The side of an edge is Shewchuk's orient2d with its error
    // bound: a point on an edge or within rounding of one gives -1, never a wrong answer.
    constexpr double errbound = 3.3306690738754716e-16; // (3 + 16 eps) eps
    bool odd = false;
    const double* xy = m_xy.data();
    for (std::uint32_t r = m_zone_ring[zone]; r < m_zone_ring[zone + 1]; ++r) {
        const std::uint32_t end = m_ring_start[r + 1] - 1;
        for (std::uint32_t k = m_ring_start[r]; k < end; ++k) {
            const double x1 = xy[2 * k], y1 = xy[2 * k + 1], x2 = xy[2 * k + 2], y2 = xy[2 * k + 3];
            if ((y1 > y) == (y2 > y)) {
                // No crossing; the point can only touch this edge at its height.
                if ((y == y1 || y == y2) && x >= std::min(x1, x2) && x <= std::max(x1, x2)) {
                    return -1;
                }
                continue;
            }
            if (x > std::max(x1, x2)) {
                continue; // the edge is left of the point
            }
            if (x < std::min(x1, x2)) {
                odd = !odd; // the edge is right of the point
                continue;
            }
            const double left = (x1 - x) * (y2 - y);
            const double right = (y1 - y) * (x2 - x);
            const double det = left - right; // > 0: the point is left of the edge x1,y1 -> x2,y2
            if (std::abs(det) <= errbound * (std::abs(left) + std::abs(right))) {
                return -1;
            }
            if ((y2 > y1) == (det > 0)) {
                odd = !odd;
            }
        }
    }
    return odd ? 1 : 0;
}

double ZoneLocator::edge_distance(std::size_t zone, double x, double y, double sx, double sy,
                                  geom::Point* nearest) const noexcept {
    if (nearest != nullptr) {
        *nearest = {x, y};
    }
    if (inside(zone, x, y) != 0) {
        return 0;
    }
    double best = std::numeric_limits<double>::infinity();
    const double* xy = m_xy.data();
    for (std::uint32_t r = m_zone_ring[zone]; r < m_zone_ring[zone + 1]; ++r) {
        const std::uint32_t end = m_ring_start[r + 1] - 1;
        for (std::uint32_t k = m_ring_start[r]; k < end; ++k) {
            // The edge from a to b, relative to the point, in the scaled plane.
            const double ax = (xy[2 * k] - x) * sx, ay = (xy[2 * k + 1] - y) * sy;
            const double bx = (xy[2 * k + 2] - x) * sx, by = (xy[2 * k + 3] - y) * sy;
            const double dx = bx - ax, dy = by - ay;
            const double len2 = dx * dx + dy * dy;
            const double t = len2 > 0 ? std::clamp(-(ax * dx + ay * dy) / len2, 0.0, 1.0) : 0.0;
            const double px = ax + t * dx, py = ay + t * dy;
            const double d2 = px * px + py * py;
            if (d2 < best) {
                best = d2;
                if (nearest != nullptr) {
                    *nearest = {x + px / sx, y + py / sy};
                }
            }
        }
    }
    return std::sqrt(best);
}

std::int64_t ZoneLocator::find(std::string_view code) const {
    const auto it = std::lower_bound(m_sorted.begin(), m_sorted.end(), code,
                                     [](const auto& entry, std::string_view c) { return entry.first < c; });
    return it != m_sorted.end() && it->first == code ? static_cast<std::int64_t>(it->second) : -1;
}

void ZoneLocator::candidates(const geom::Envelope& e, std::vector<std::size_t>& out) const {
    m_tree.query(e, out);
    std::sort(out.begin(), out.end());
}

ZoneLocator::Probe::Probe(const ZoneLocator& zones)
    : m_zones(zones), m_geometries(zones.size()), m_prepared(zones.size()) {}

ZoneLocator::Probe::~Probe() {
    // Prepared geometries point into their geometries: release them first.
    m_prepared.clear();
    m_geometries.clear();
}

const GEOSGeometry* ZoneLocator::Probe::geometry(std::size_t zone) {
    if (!m_geometries[zone]) {
        m_geometries[zone] = geom::from_wkb(m_zones.m_outlines[zone]);
    }
    return m_geometries[zone].get();
}

const GEOSPreparedGeometry* ZoneLocator::Probe::prepared(std::size_t zone) {
    if (!m_prepared[zone]) {
        m_prepared[zone] = geom::prepare(geometry(zone));
    }
    return m_prepared[zone].get();
}

void ZoneLocator::Probe::locate(double x, double y, std::vector<std::uint32_t>& out, bool& on_boundary) {
    out.clear();
    on_boundary = false;
    m_zones.point_candidates(x, y, m_scratch);
    if (m_scratch.empty()) {
        return;
    }
    // The exact test on the rings answers almost every point; GEOS only for points on an edge.
    bool certain = true;
    for (const std::size_t z : m_scratch) {
        const int r = m_zones.inside(z, x, y);
        if (r < 0) {
            certain = false;
            break;
        }
        if (r == 1) {
            out.push_back(static_cast<std::uint32_t>(z));
        }
    }
    if (certain) {
        return;
    }
    out.clear();
    // A fresh point per test, not geom::contains_xy: that one moves a reused point in place, and
    // GEOS 3.11 may keep the point's old envelope (a false "outside" after an edge test).
    GEOSContextHandle_t ctx = geom::context();
    const geom::Geometry point = geom::own(GEOSGeom_createPointFromXY_r(ctx, x, y), "point");
    for (const std::size_t z : m_scratch) {
        const char r = GEOSPreparedContains_r(ctx, prepared(z), point.get());
        if (r == 2) {
            throw geometry_error("GEOS point-in-polygon test failed on zone " + m_zones.m_codes[z], m_zones.m_codes[z]);
        }
        if (r == 1) {
            out.push_back(static_cast<std::uint32_t>(z));
        }
    }
    if (!out.empty()) {
        return;
    }
    for (const std::size_t z : m_scratch) {
        if (geom::intersects(prepared(z), point.get())) {
            out.push_back(static_cast<std::uint32_t>(z));
        }
    }
    on_boundary = !out.empty();
}

void ZoneLocator::Probe::overlaps(const GEOSGeometry* polygon, std::vector<std::pair<std::uint32_t, double>>& out) {
    out.clear();
    const geom::Envelope env = geom::envelope(polygon);
    m_zones.m_tree.query(env, m_scratch);
    std::sort(m_scratch.begin(), m_scratch.end());
    double total = -1;
    for (const std::size_t z : m_scratch) {
        const GEOSPreparedGeometry* p = prepared(z);
        if (geom::covers(p, polygon)) {
            out.emplace_back(static_cast<std::uint32_t>(z), 1.0);
            continue;
        }
        if (!geom::intersects(p, polygon)) {
            continue;
        }
        if (total < 0) {
            total = geom::area(polygon);
        }
        if (total <= 0) {
            continue; // a degenerate footprint: the caller falls back to its point
        }
        const geom::Geometry part = geom::intersection(geometry(z), polygon);
        const double share = geom::area(part.get()) / total;
        if (share > 1e-9) {
            out.emplace_back(static_cast<std::uint32_t>(z), std::min(share, 1.0));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
}

PointPlacement locate_points(const ZoneLocator& zones, const std::vector<geom::Point>& points, unsigned threads) {
    PointPlacement result;
    result.zone.assign(points.size(), PointPlacement::none);
    std::mutex merge;
    detail::for_chunks(points.size(), 8192, threads, [&]() -> detail::ChunkFn {
        // Per-thread state lives in the closure; it is destroyed on the thread that built it.
        auto probe = std::make_shared<ZoneLocator::Probe>(zones);
        auto found = std::make_shared<std::vector<std::uint32_t>>();
        return [&, probe, found](std::size_t begin, std::size_t end) {
            std::vector<std::pair<std::size_t, std::vector<std::uint32_t>>> several;
            std::vector<std::size_t> boundary;
            for (std::size_t i = begin; i < end; ++i) {
                bool on_boundary = false;
                probe->locate(points[i].x, points[i].y, *found, on_boundary);
                if (found->size() == 1) {
                    result.zone[i] = static_cast<std::int32_t>(found->front());
                } else if (found->size() > 1) {
                    result.zone[i] = PointPlacement::several;
                    several.emplace_back(i, *found);
                }
                if (on_boundary) {
                    boundary.push_back(i);
                }
            }
            if (!several.empty() || !boundary.empty()) {
                std::lock_guard<std::mutex> lock(merge);
                for (auto& s : several) {
                    result.ambiguous.push_back(std::move(s));
                }
                result.on_boundary.insert(result.on_boundary.end(), boundary.begin(), boundary.end());
            }
        };
    });
    std::sort(result.ambiguous.begin(), result.ambiguous.end());
    std::sort(result.on_boundary.begin(), result.on_boundary.end());
    return result;
}

} // namespace grid::assign

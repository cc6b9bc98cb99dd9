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

/// Cells per zone in ZoneLocator's point grid. Finer cells leave fewer of them crossed by an edge
/// (where a point needs the ring test), at the cost of memory and of building them.
constexpr double k_cells_per_zone = 32;

/// Whether the segment a-b may meet `box` (the cell grown by 2 * margin). Conservative: "no" only
/// when the box lies beyond the segment's bounding box, or all its corners lie at least
/// margin / 2 on one side of the line, far more than rounding can move them.
bool segment_may_meet(double ax, double ay, double bx, double by, const geom::Envelope& box, double margin) noexcept {
    if (std::max(ax, bx) < box.minx || std::min(ax, bx) > box.maxx || std::max(ay, by) < box.miny ||
        std::min(ay, by) > box.maxy) {
        return false;
    }
    const double dx = bx - ax, dy = by - ay;
    const double corners[4][2] = {{box.minx, box.miny}, {box.maxx, box.miny}, {box.maxx, box.maxy}, {box.minx, box.maxy}};
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& c : corners) {
        const double side = dx * (c[1] - ay) - dy * (c[0] - ax); // distance from the line times its length
        lo = std::min(lo, side);
        hi = std::max(hi, side);
    }
    // A line through the cell grown by `margin` has a corner of `box` at least `margin` away on
    // each side.
    const double tol = 0.5 * margin * std::hypot(dx, dy);
    return hi >= tol && lo <= -tol;
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
    build_cells();
}

void ZoneLocator::build_cells() {
    if (m_envelopes.empty() || m_envelopes.size() >= k_cell_test) {
        return; // the STRtree answers
    }
    const geom::Envelope& all = m_extent;
    const double w = all.maxx - all.minx, h = all.maxy - all.miny;
    if (!(w > 0) || !(h > 0) || !std::isfinite(w) || !std::isfinite(h)) {
        return;
    }
    const double cells = k_cells_per_zone * static_cast<double>(m_envelopes.size());
    m_nx = static_cast<std::size_t>(std::clamp(std::sqrt(cells * w / h), 1.0, 4096.0));
    m_ny = static_cast<std::size_t>(std::clamp(cells / static_cast<double>(m_nx), 1.0, 4096.0));
    m_bx0 = all.minx;
    m_by0 = all.miny;
    m_bw = w / static_cast<double>(m_nx);
    m_bh = h / static_cast<double>(m_ny);
    // Every point that bin_index puts into a cell lies in the cell grown by `margin` (a millionth
    // of a cell, and far more than the rounding of coordinates of this magnitude).
    const double magnitude = std::max({std::abs(all.minx), std::abs(all.maxx), std::abs(all.miny), std::abs(all.maxy)});
    const double margin = 1e-6 * std::max(m_bw, m_bh) + 64 * std::numeric_limits<double>::epsilon() * (magnitude + w + h);
    const auto range = [&](const geom::Envelope& e, std::size_t& x0, std::size_t& x1, std::size_t& y0, std::size_t& y1) {
        x0 = bin_index(e.minx, m_bx0, m_bw, m_nx);
        x1 = bin_index(e.maxx, m_bx0, m_bw, m_nx);
        y0 = bin_index(e.miny, m_by0, m_bh, m_ny);
        y1 = bin_index(e.maxy, m_by0, m_bh, m_ny);
    };
    const auto usable = [](const geom::Envelope& e) {
        return std::isfinite(e.minx) && std::isfinite(e.maxx) && std::isfinite(e.miny) && std::isfinite(e.maxy) &&
               e.minx <= e.maxx && e.miny <= e.maxy;
    };
    std::size_t total = 0;
    for (const auto& e : m_envelopes) {
        if (!usable(e)) {
            m_nx = m_ny = 0;
            return;
        }
        std::size_t x0, x1, y0, y1;
        range(e, x0, x1, y0, y1);
        total += (x1 - x0 + 1) * (y1 - y0 + 1);
        if (total > 32 * m_nx * m_ny + 4096) {
            m_nx = m_ny = 0; // huge envelopes: the STRtree does better
            return;
        }
    }
    // (cell, item) in ascending zones; then sorted by cell, stably.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> items;
    items.reserve(total);
    std::vector<unsigned char> crossed;
    const double* xy = m_xy.data();
    for (std::size_t z = 0; z < m_envelopes.size(); ++z) {
        std::size_t x0, x1, y0, y1;
        range(m_envelopes[z], x0, x1, y0, y1);
        const std::size_t cw = x1 - x0 + 1;
        crossed.assign(cw * (y1 - y0 + 1), 0);
        // The cells an edge of the zone may cross.
        for (std::uint32_t r = m_zone_ring[z]; r < m_zone_ring[z + 1]; ++r) {
            for (std::uint32_t k = m_ring_start[r]; k + 1 < m_ring_start[r + 1]; ++k) {
                const double ax = xy[2 * k], ay = xy[2 * k + 1], bx = xy[2 * k + 2], by = xy[2 * k + 3];
                const std::size_t i0 = std::max(x0, bin_index(std::min(ax, bx) - 2 * margin, m_bx0, m_bw, m_nx));
                const std::size_t i1 = std::min(x1, bin_index(std::max(ax, bx) + 2 * margin, m_bx0, m_bw, m_nx));
                const std::size_t j0 = std::max(y0, bin_index(std::min(ay, by) - 2 * margin, m_by0, m_bh, m_ny));
                const std::size_t j1 = std::min(y1, bin_index(std::max(ay, by) + 2 * margin, m_by0, m_bh, m_ny));
                for (std::size_t j = j0; j <= j1; ++j) {
                    for (std::size_t i = i0; i <= i1; ++i) {
                        unsigned char& c = crossed[(j - y0) * cw + (i - x0)];
                        if (c == 0) {
                            const geom::Envelope box{m_bx0 + static_cast<double>(i) * m_bw - 2 * margin,
                                                     m_by0 + static_cast<double>(j) * m_bh - 2 * margin,
                                                     m_bx0 + static_cast<double>(i + 1) * m_bw + 2 * margin,
                                                     m_by0 + static_cast<double>(j + 1) * m_bh + 2 * margin};
                            c = segment_may_meet(ax, ay, bx, by, box, margin) ? 1 : 0;
                        }
                    }
                }
            }
        }
        // A run of cells in a row that no edge crosses is wholly inside the zone or wholly
        // outside: the ring test at the centre of its first cell tells which.
        const auto zone = static_cast<std::uint32_t>(z);
        for (std::size_t j = y0; j <= y1; ++j) {
            int run = -2; // the current run's side: 1 inside, 0 outside, -1 unknown, -2 no run
            for (std::size_t i = x0; i <= x1; ++i) {
                const auto cell = static_cast<std::uint32_t>(j * m_nx + i);
                if (crossed[(j - y0) * cw + (i - x0)] != 0) {
                    items.emplace_back(cell, zone | k_cell_test);
                    run = -2;
                    continue;
                }
                if (run == -2) {
                    run = inside(z, m_bx0 + (static_cast<double>(i) + 0.5) * m_bw, m_by0 + (static_cast<double>(j) + 0.5) * m_bh);
                }
                if (run != 0) {
                    items.emplace_back(cell, run == 1 ? zone : zone | k_cell_test);
                }
            }
        }
    }
    m_cell_start.assign(m_nx * m_ny + 1, 0);
    for (const auto& it : items) {
        ++m_cell_start[it.first + 1];
    }
    for (std::size_t c = 0; c < m_nx * m_ny; ++c) {
        m_cell_start[c + 1] += m_cell_start[c];
    }
    m_cell_items.assign(items.size(), 0);
    std::vector<std::uint32_t> fill(m_cell_start.begin(), m_cell_start.end() - 1);
    for (const auto& it : items) {
        m_cell_items[fill[it.first]++] = it.second;
    }
}

bool ZoneLocator::holding(double x, double y, std::vector<std::uint32_t>& out, std::vector<std::size_t>& scratch) const {
    out.clear();
    const auto test = [&](std::size_t z) {
        const int r = inside(z, x, y);
        if (r == 1) {
            out.push_back(static_cast<std::uint32_t>(z));
        }
        return r >= 0;
    };
    if (m_nx > 0 && x >= m_bx0 && y >= m_by0 && x <= m_bx0 + m_bw * static_cast<double>(m_nx) &&
        y <= m_by0 + m_bh * static_cast<double>(m_ny)) {
        const std::size_t c = bin_index(y, m_by0, m_bh, m_ny) * m_nx + bin_index(x, m_bx0, m_bw, m_nx);
        for (std::uint32_t k = m_cell_start[c]; k < m_cell_start[c + 1]; ++k) {
            const std::uint32_t item = m_cell_items[k];
            if ((item & k_cell_test) == 0) {
                out.push_back(item);
            } else if (!test(item & ~k_cell_test)) {
                return false;
            }
        }
        return true;
    }
    // Outside the cells (or NaN): the zones whose envelope holds the point, each tested.
    m_tree.query(x, y, scratch);
    std::sort(scratch.begin(), scratch.end());
    for (const std::size_t z : scratch) {
        if (!test(z)) {
            return false;
        }
    }
    return true;
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
    on_boundary = false;
    // The exact test on the rings (or the cells) answers almost every point; GEOS only for
    // points on an edge, over every zone whose envelope holds the point.
    if (m_zones.holding(x, y, out, m_scratch)) {
        return;
    }
    out.clear();
    m_zones.m_tree.query(x, y, m_scratch);
    std::sort(m_scratch.begin(), m_scratch.end());
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

namespace {

/// A point and its index in the caller's vector.
struct Indexed {
    double x, y;
    std::uint32_t index;
};

/// `points` with their indices, bucket by bucket of a coarse grid over `extent` (points beyond it
/// in the outer buckets), in their order within a bucket. Points taken in this order meet the
/// same few cells and rings one after the other, which stay in the cache: in file order they
/// may lie anywhere, and nearly every lookup would wait on memory.
std::vector<Indexed> spatial_order(const std::vector<geom::Point>& points, const geom::Envelope& extent) {
    const std::size_t n = points.size();
    const std::size_t side = std::clamp<std::size_t>(static_cast<std::size_t>(std::sqrt(static_cast<double>(n) / 64)), 1, 128);
    const double w = std::max(extent.width(), 1e-300) / static_cast<double>(side);
    const double h = std::max(extent.height(), 1e-300) / static_cast<double>(side);
    std::vector<std::uint32_t> bucket(n);
    std::vector<std::uint32_t> start(side * side + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const geom::Point& p = points[i];
        // NaN and infinite coordinates fall into bucket 0.
        const std::size_t b = std::isfinite(p.x) && std::isfinite(p.y)
                                  ? bin_index(p.y, extent.miny, h, side) * side + bin_index(p.x, extent.minx, w, side)
                                  : 0;
        bucket[i] = static_cast<std::uint32_t>(b);
        ++start[b + 1];
    }
    for (std::size_t b = 0; b < side * side; ++b) {
        start[b + 1] += start[b];
    }
    std::vector<Indexed> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[start[bucket[i]]++] = {points[i].x, points[i].y, static_cast<std::uint32_t>(i)};
    }
    return out;
}

} // namespace

PointPlacement locate_points(const ZoneLocator& zones, const std::vector<geom::Point>& points, unsigned threads) {
    PointPlacement result;
    result.zone.assign(points.size(), PointPlacement::none);
    // Small inputs fit the cache as they are; more than 2^32 points cannot be numbered in 32 bits.
    const bool reorder = points.size() >= 4096 && points.size() < (std::size_t{1} << 32) && zones.size() > 0;
    const std::vector<Indexed> order = reorder ? spatial_order(points, zones.extent()) : std::vector<Indexed>{};
    std::mutex merge;
    detail::for_chunks(points.size(), 8192, threads, [&]() -> detail::ChunkFn {
        // Per-thread state lives in the closure; it is destroyed on the thread that built it.
        auto probe = std::make_shared<ZoneLocator::Probe>(zones);
        auto found = std::make_shared<std::vector<std::uint32_t>>();
        return [&, probe, found](std::size_t begin, std::size_t end) {
            std::vector<std::pair<std::size_t, std::vector<std::uint32_t>>> several;
            std::vector<std::size_t> boundary;
            for (std::size_t j = begin; j < end; ++j) {
                const Indexed p = reorder ? order[j] : Indexed{points[j].x, points[j].y, 0};
                const std::size_t i = reorder ? p.index : j;
                bool on_boundary = false;
                probe->locate(p.x, p.y, *found, on_boundary);
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

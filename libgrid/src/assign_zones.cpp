// Zones and point location for gridkit assign: an STRtree over the zones' envelopes shared by
// all threads, and per-thread prepared GEOS geometries built from WKB on first use.
#include "libgrid/assign.hpp"

#include "libgrid/error.hpp"

#include "detail/assign_internal.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace grid::assign {

namespace detail {

void for_chunks(std::size_t n, std::size_t chunk, unsigned threads, const std::function<ChunkFn()>& make_worker,
                const std::function<void(std::size_t done)>& progress) {
    if (n == 0) {
        return;
    }
    chunk = std::max<std::size_t>(chunk, 1);
    const std::size_t chunks = (n + chunk - 1) / chunk;
    threads = std::max(1U, std::min<unsigned>(threads == 0 ? 2 : threads, static_cast<unsigned>(std::min<std::size_t>(chunks, 256))));
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr first;
    std::mutex first_mutex;
    auto run = [&](bool reports) {
        try {
            const ChunkFn work = make_worker();
            while (!stop.load(std::memory_order_relaxed)) {
                const std::size_t c = next.fetch_add(1, std::memory_order_relaxed);
                if (c >= chunks) {
                    break;
                }
                const std::size_t begin = c * chunk;
                const std::size_t end = std::min(n, begin + chunk);
                work(begin, end);
                const std::size_t now = done.fetch_add(end - begin, std::memory_order_relaxed) + (end - begin);
                if (reports && progress) {
                    progress(now);
                }
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(first_mutex);
            if (!first) {
                first = std::current_exception();
            }
            stop = true;
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) {
        pool.emplace_back(run, false);
    }
    run(true);
    for (auto& t : pool) {
        t.join();
    }
    if (first) {
        std::rethrow_exception(first);
    }
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
        } catch (const geometry_error& e) {
            throw geometry_error("zone " + m_codes[i] + ": " + e.what(), m_codes[i],
                                 "run 'gridkit validate' to find broken outlines, and repair them");
        }
    }
    m_sorted.reserve(m_codes.size());
    for (std::size_t i = 0; i < m_codes.size(); ++i) {
        m_sorted.emplace_back(m_codes[i], static_cast<std::uint32_t>(i));
    }
    std::sort(m_sorted.begin(), m_sorted.end());
    m_tree = geom::STRtree(m_envelopes);
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
    m_zones.m_tree.query(x, y, m_scratch);
    if (m_scratch.empty()) {
        return;
    }
    if (m_scratch.size() > 1) {
        std::sort(m_scratch.begin(), m_scratch.end());
    }
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

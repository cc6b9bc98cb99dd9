// gridkit assign: buildings (by footprint), addresses and houses (by their address point) into
// the grid and the micro-grid holding them; findings for those in none or several; the codes
// that change written in one transaction with an audit row.
#include "libgrid/assign.hpp"

#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include "detail/assign_internal.hpp"
#include "detail/parallel.hpp"
#include "detail/schema_aside.hpp"
#include "detail/vectors.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <tuple>

namespace grid::assign {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr std::int32_t k_null = -1;     // no code recorded
constexpr std::int32_t k_unknown = -3;  // a code that names no zone with an outline

/// One level (grids or micro-grids).
struct Level {
    const char* layer;      // "grid" / "microgrid"
    const char* column;     // column of the placed features
    Issue none, several, straddles;
    ZoneLocator zones;
    std::int64_t without_outline = 0;
    bool active() const { return zones.size() > 0; }
};

/// The outlines of one level's zones, as read.
struct Outlines {
    std::vector<std::string> codes;
    std::vector<std::vector<unsigned char>> wkb;
    std::int64_t without_outline = 0;
};

Outlines read_outlines(const Workspace& ws, const char* table) {
    Outlines o;
    Statement st = ws.prepare(std::string("SELECT code, AsBinary(geom) FROM ") + table +
                              " WHERE geom IS NOT NULL AND code IS NOT NULL AND code <> '' ORDER BY code");
    while (st.step()) {
        std::size_t size = 0;
        const unsigned char* blob = st.column_blob(1, size);
        if (blob == nullptr || size == 0) {
            continue;
        }
        o.codes.push_back(st.column_text(0));
        o.wkb.emplace_back(blob, blob + size);
    }
    o.without_outline = ws.query_int(std::string("SELECT count(*) FROM ") + table + " WHERE geom IS NULL");
    return o;
}

/// The features of one layer as read.
struct Features {
    std::string layer;
    std::vector<std::int64_t> ids;
    std::vector<std::string> codes;                  // buildings only (others resolved when reported)
    std::vector<std::int32_t> old_grid, old_micro;   // zone index, k_null or k_unknown
    std::vector<geom::Point> points;
    std::vector<char> has_point;
    std::vector<std::vector<unsigned char>> footprints; // buildings only ("" = none)
    std::size_t size() const { return ids.size(); }
};

/// The zone a code column names. `last` remembers the previous answer: rows in id order mostly
/// repeat their predecessor's grid and micro-grid, so most rows skip the search.
struct LastZone {
    std::string code;
    std::int32_t zone = k_null;
};

std::int32_t zone_of(const ZoneLocator& zones, sqlite3_stmt* st, int column, LastZone& last) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
    const int n = sqlite3_column_bytes(st, column);
    if (text == nullptr || n == 0) {
        return k_null;
    }
    const std::string_view code(text, static_cast<std::size_t>(n));
    if (code != last.code) {
        const std::int64_t z = zones.find(code);
        last.code.assign(code);
        last.zone = z < 0 ? k_unknown : static_cast<std::int32_t>(z);
    }
    return last.zone;
}

/// Reads the layer's rows with ids in [lo, hi] (in id order) into `f`.
void read_id_range(const Workspace& ws, const std::string& layer, std::int64_t lo, std::int64_t hi, const Level& grids,
                   const Level& micros, Features& f) {
    std::string sql;
    if (layer == "building") {
        sql = "SELECT id, grid_code, microgrid_code, location, code, AsBinary(geom) FROM building";
    } else if (layer == "address") {
        sql = "SELECT id, grid_code, microgrid_code, geom FROM address";
    } else {
        sql = "SELECT h.id, h.grid_code, h.microgrid_code, a.geom FROM house h LEFT JOIN address a ON a.code = h.address_code";
    }
    sql += layer == "house" ? " WHERE h.id BETWEEN ?1 AND ?2 ORDER BY h.id" : " WHERE id BETWEEN ?1 AND ?2 ORDER BY id";
    Statement st = ws.prepare(sql);
    st.bind(1, lo);
    st.bind(2, hi);
    sqlite3_stmt* h = st.handle();
    LastZone last_grid, last_micro;
    while (st.step()) {
        f.ids.push_back(sqlite3_column_int64(h, 0));
        f.old_grid.push_back(zone_of(grids.zones, h, 1, last_grid));
        f.old_micro.push_back(zone_of(micros.zones, h, 2, last_micro));
        double x = 0, y = 0;
        const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(h, 3));
        const bool ok = detail::spatialite_point(blob, static_cast<std::size_t>(sqlite3_column_bytes(h, 3)), x, y) &&
                        std::isfinite(x) && std::isfinite(y);
        f.points.push_back({x, y});
        f.has_point.push_back(ok ? 1 : 0);
        if (layer == "building") {
            f.codes.push_back(st.column_text(4));
            std::size_t size = 0;
            const unsigned char* wkb = st.column_blob(5, size);
            f.footprints.emplace_back(wkb, wkb + size);
        }
    }
}

/// Changes of a layer above this many rows are written with its triggers set aside.
constexpr std::int64_t k_bulk_update_rows = 10000;

/// Appends `part` to `f`.
void append(Features& f, Features&& part) {
    using grid::detail::move_into;
    move_into(f.ids, part.ids);
    move_into(f.codes, part.codes);
    move_into(f.old_grid, part.old_grid);
    move_into(f.old_micro, part.old_micro);
    move_into(f.points, part.points);
    move_into(f.has_point, part.has_point);
    move_into(f.footprints, part.footprints);
}

/// Reads one layer, in id order. A layer of at least `parallel_rows` rows is read in `threads`
/// id ranges at once, each on a read-only connection of its own (one connection steps one
/// statement at a time). Give 1 thread while the caller holds a transaction
/// open on `ws`: other connections would not see its changes.
Features read_features(const Workspace& ws, const std::string& layer, const Level& grids, const Level& micros,
                       unsigned threads, std::int64_t parallel_rows) {
    Features f;
    f.layer = layer;
    // min(id) and max(id) asked apart are one seek each; count(*), or both in one query, would
    // read the whole table (a sixth of a second for a million rows). The rows are at most the
    // span of their ids.
    const std::int64_t lo = ws.query_int("SELECT min(id) FROM " + layer);
    const std::int64_t hi = ws.query_int("SELECT max(id) FROM " + layer);
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1; // ids are [lo, hi]
    const std::size_t parts =
        threads > 1 && span >= static_cast<std::uint64_t>(std::max<std::int64_t>(parallel_rows, 0)) ? std::min(threads, 16U) : 1;
    std::vector<Features> part(parts);
    for (auto& p : part) {
        // Ids with gaps would reserve too much: no more than a few million rows ahead.
        const auto expect = static_cast<std::size_t>(std::min<std::uint64_t>(span / parts, 1U << 22)) + 1024;
        p.ids.reserve(expect);
        p.old_grid.reserve(expect);
        p.old_micro.reserve(expect);
        p.points.reserve(expect);
        p.has_point.reserve(expect);
    }
    auto first_id = [&](std::size_t k) {
        return lo + static_cast<std::int64_t>(span / parts * k + std::min<std::uint64_t>(k, span % parts));
    };
    grid::detail::parallel_for(parts, static_cast<unsigned>(parts), [&](std::size_t k) {
        const std::int64_t a = first_id(k);
        const std::int64_t b = k + 1 == parts ? hi : first_id(k + 1) - 1;
        if (parts == 1) {
            read_id_range(ws, layer, a, b, grids, micros, part[k]);
        } else {
            // With the file mapped into memory, SQLite decodes rows in place instead of copying
            // every page into its cache first (a quarter of the reading time).
            const Workspace other = Workspace::open(ws.path(), Workspace::Mode::read_only);
            other.exec("PRAGMA mmap_size = 1099511627776"); // SQLite caps it at its compile-time maximum
            read_id_range(other, layer, a, b, grids, micros, part[k]);
        }
    });
    for (auto& p : part) {
        append(f, std::move(p));
    }
    return f;
}

/// Where one feature went at one level.
struct Placement {
    std::int32_t zone = PointPlacement::none; // zone index, none or several
    bool on_boundary = false;
    std::vector<std::pair<std::uint32_t, double>> shares; // footprints across zones (or several zones)
    bool straddles = false;
};

/// Where a layer's features went at one level: per row the zone index, `none` or `several`, and
/// the few rows with more to tell (the zones holding it, a boundary, a footprint's shares) in
/// ascending order. A million points need 4 bytes each, not a Placement each.
struct LevelPlacement {
    std::vector<std::int32_t> zone;
    std::vector<std::pair<std::size_t, Placement>> details;

    /// The details of row i, or nullptr; rows are asked for in ascending order with one cursor.
    const Placement* detail(std::size_t i, std::size_t& cursor) const {
        while (cursor < details.size() && details[cursor].first < i) {
            ++cursor;
        }
        return cursor < details.size() && details[cursor].first == i ? &details[cursor].second : nullptr;
    }
};

/// Decides a footprint's zone from its overlaps: the zone covering it, or holding most of it.
Placement from_overlaps(std::vector<std::pair<std::uint32_t, double>> overlaps, double straddle_share) {
    Placement p;
    if (overlaps.empty()) {
        return p;
    }
    const double best = overlaps.front().second;
    const bool tie = overlaps.size() > 1 && overlaps[1].second >= best - 1e-9;
    if (tie) {
        p.zone = PointPlacement::several;
    } else {
        p.zone = static_cast<std::int32_t>(overlaps.front().first);
        p.straddles = 1.0 - best >= straddle_share;
    }
    p.shares = std::move(overlaps);
    return p;
}

/// Places buildings: by footprint where there is one, else by location.
void place_buildings(const Features& f, Level& grids, Level& micros, const Options& options, LevelPlacement& grid_out,
                     LevelPlacement& micro_out) {
    std::vector<Placement> out_grid(f.size()), out_micro(f.size());
    detail::for_chunks(f.size(), 256, options.threads, [&]() -> detail::ChunkFn {
        auto gp = std::make_shared<ZoneLocator::Probe>(grids.zones);
        auto mp = std::make_shared<ZoneLocator::Probe>(micros.zones);
        return [&, gp, mp](std::size_t begin, std::size_t end) {
            std::vector<std::pair<std::uint32_t, double>> overlaps;
            std::vector<std::uint32_t> found;
            for (std::size_t i = begin; i < end; ++i) {
                geom::Geometry footprint;
                if (!f.footprints[i].empty()) {
                    try {
                        footprint = geom::from_wkb(f.footprints[i]);
                        if (geom::is_empty(footprint.get()) || geom::area(footprint.get()) <= 0) {
                            footprint.reset();
                        }
                    } catch (const geometry_error&) {
                        footprint.reset(); // unreadable footprint: its location decides
                    }
                }
                auto by_point = [&](ZoneLocator::Probe& probe) {
                    Placement p;
                    bool boundary = false;
                    probe.locate(f.points[i].x, f.points[i].y, found, boundary);
                    p.on_boundary = boundary;
                    if (found.size() == 1) {
                        p.zone = static_cast<std::int32_t>(found.front());
                    } else if (found.size() > 1) {
                        p.zone = PointPlacement::several;
                        for (auto z : found) {
                            p.shares.emplace_back(z, 0.0);
                        }
                    }
                    return p;
                };
                for (int level = 0; level < 2; ++level) {
                    Level& lv = level == 0 ? grids : micros;
                    if (!lv.active()) {
                        continue;
                    }
                    ZoneLocator::Probe& probe = level == 0 ? *gp : *mp;
                    Placement p;
                    bool done = false;
                    if (footprint) {
                        try {
                            probe.overlaps(footprint.get(), overlaps);
                            p = from_overlaps(overlaps, options.straddle_share);
                            done = true;
                        } catch (const geometry_error&) {
                            done = false; // an invalid footprint (self-intersection): use the point
                        }
                    }
                    if (!done && f.has_point[i]) {
                        p = by_point(probe);
                    }
                    (level == 0 ? out_grid : out_micro)[i] = std::move(p);
                }
            }
        };
    });
    for (int level = 0; level < 2; ++level) {
        std::vector<Placement>& all = level == 0 ? out_grid : out_micro;
        LevelPlacement& out = level == 0 ? grid_out : micro_out;
        out.zone.resize(all.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            out.zone[i] = all[i].zone;
            if (all[i].on_boundary || all[i].straddles || !all[i].shares.empty()) {
                out.details.emplace_back(i, std::move(all[i]));
            }
        }
    }
}

/// Places points (addresses, houses) at one level.
LevelPlacement place_points(const Features& f, const Level& lv, unsigned threads) {
    LevelPlacement out;
    if (!lv.active()) {
        out.zone.assign(f.size(), PointPlacement::none);
        return out;
    }
    PointPlacement pp = locate_points(lv.zones, f.points, threads);
    out.zone = std::move(pp.zone);
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (!f.has_point[i]) {
            out.zone[i] = PointPlacement::none;
        }
    }
    // Both lists ascend: merge them into the details, row by row.
    constexpr std::size_t end = static_cast<std::size_t>(-1);
    std::size_t a = 0, b = 0;
    while (a < pp.ambiguous.size() || b < pp.on_boundary.size()) {
        const std::size_t ia = a < pp.ambiguous.size() ? pp.ambiguous[a].first : end;
        const std::size_t ib = b < pp.on_boundary.size() ? pp.on_boundary[b] : end;
        const std::size_t i = std::min(ia, ib);
        Placement p;
        p.zone = out.zone[i];
        if (ia == i) {
            for (auto z : pp.ambiguous[a++].second) {
                p.shares.emplace_back(z, 0.0);
            }
        }
        if (ib == i) {
            p.on_boundary = true;
            ++b;
        }
        if (f.has_point[i]) {
            out.details.emplace_back(i, std::move(p));
        }
    }
    return out;
}

/// Nearest zone and the distance in metres, for features in none.
class Nearest {
public:
    Nearest(const ZoneLocator& zones, int srid) : m_zones(zones) {
        const crs::CrsSpec ws_spec{crs::CrsSpec::Kind::epsg, srid};
        if (ws_spec.is_geographic() && zones.size() > 0) {
            const int gk = crs::gauss_kruger_epsg((zones.extent().minx + zones.extent().maxx) / 2);
            m_metric.emplace(ws_spec, crs::CrsSpec{crs::CrsSpec::Kind::epsg, gk});
        }
    }

    /// Code of the nearest zone and distance in metres; ("", -1) when there are no zones.
    /// The zone is searched best first by envelope on the outlines' own edges, in the local plane
    /// of the point (degrees scaled to metres at its latitude): a few edge scans per point. For a
    /// workspace in degrees the distance reported is then measured between the point and the
    /// nearest point of that zone, both projected to the Gauss-Krueger zone by PROJ.
    std::pair<std::string, double> find(double x, double y) {
        if (m_zones.size() == 0) {
            return {"", -1};
        }
        double sx = 1, sy = 1;
        if (m_metric) {
            // Metres per degree of longitude and of latitude on the ellipsoid at this latitude.
            const double phi = y * 3.14159265358979323846 / 180.0;
            sx = 111412.84 * std::cos(phi) - 93.5 * std::cos(3 * phi);
            sy = 111132.954 - 559.822 * std::cos(2 * phi) + 1.175 * std::cos(4 * phi);
        }
        const auto [zone, plane] = m_zones.nearest(x, y, std::min(sx, sy), [&](std::size_t z) {
            return m_zones.edge_distance(z, x, y, sx, sy);
        });
        if (!std::isfinite(plane)) {
            return {"", -1}; // no zone has an edge
        }
        if (!m_metric || plane == 0) {
            return {m_zones.code(zone), plane};
        }
        geom::Point near{};
        m_zones.edge_distance(zone, x, y, sx, sy, &near);
        double px = x, py = y;
        m_metric->transform(px, py);
        m_metric->transform(near.x, near.y);
        return {m_zones.code(zone), std::hypot(near.x - px, near.y - py)};
    }

private:
    const ZoneLocator& m_zones;
    std::optional<crs::Transformer> m_metric;
};

std::string layer_list(const std::vector<std::string>& layers) {
    std::string s;
    for (const auto& l : layers) {
        s += (s.empty() ? "" : ",") + l;
    }
    return s;
}

} // namespace

const std::vector<std::string>& assignable_layers() {
    static const std::vector<std::string> layers{"building", "address", "house"};
    return layers;
}

std::string_view issue_name(Issue issue) noexcept {
    switch (issue) {
    case Issue::no_grid: return "no_grid";
    case Issue::several_grids: return "several_grids";
    case Issue::no_microgrid: return "no_microgrid";
    case Issue::several_microgrids: return "several_microgrids";
    case Issue::straddles_grids: return "straddles_grids";
    case Issue::straddles_microgrids: return "straddles_microgrids";
    case Issue::no_location: return "no_location";
    }
    return "unknown";
}

bool Result::all_placed() const {
    for (const auto& l : layers) {
        if (l.no_grid + l.several_grids + l.no_microgrid + l.several_microgrids + l.no_location > 0) {
            return false;
        }
    }
    return true;
}

Result assign(const Workspace& ws, const Options& options) {
    // Options first: nothing is read before they are known to be good.
    std::vector<std::string> layers;
    for (const auto& l : assignable_layers()) {
        if (options.layers.empty() || std::find(options.layers.begin(), options.layers.end(), l) != options.layers.end()) {
            layers.push_back(l);
        }
    }
    for (const auto& l : options.layers) {
        if (std::find(assignable_layers().begin(), assignable_layers().end(), l) == assignable_layers().end()) {
            throw usage_error("--layer " + l + ": assign places building, address and house",
                              "use --layer building,address,house (or a part of it)");
        }
    }
    if (!options.dry_run && ws.read_only()) {
        throw usage_error("the workspace is open read-only", "use --dry-run, or open it for writing");
    }
    const unsigned threads = options.threads == 0 ? 2 : options.threads;
    auto progress = [&](std::string_view stage, std::uint64_t done, std::uint64_t total) {
        if (options.progress) {
            options.progress(stage, done, total);
        }
    };

    Result result;
    result.dry_run = options.dry_run;
    result.threads = threads;
    // Inside the caller's own transaction, other connections would not see its changes: read
    // on this connection alone then.
    const unsigned read_threads = sqlite3_get_autocommit(ws.db()) != 0 ? threads : 1;
    ReadSnapshot snapshot(ws); // one lock for all reads instead of one per statement
    const auto t_read = Clock::now();
    progress("reading", 0, 0);
    Level grids{"grid", "grid_code", Issue::no_grid, Issue::several_grids, Issue::straddles_grids, {}, 0};
    Level micros{"microgrid", "microgrid_code", Issue::no_microgrid, Issue::several_microgrids, Issue::straddles_microgrids, {}, 0};
    {
        // Read on this connection, then the two levels' locators built at once.
        std::array<Outlines, 2> outlines{read_outlines(ws, "grid"), read_outlines(ws, "microgrid")};
        grids.without_outline = outlines[0].without_outline;
        micros.without_outline = outlines[1].without_outline;
        grid::detail::parallel_for(2, threads, [&](std::size_t level) {
            Outlines& o = outlines[level];
            (level == 0 ? grids : micros).zones = ZoneLocator(std::move(o.codes), std::move(o.wkb));
        });
    }
    result.grids = static_cast<std::int64_t>(grids.zones.size());
    result.microgrids = static_cast<std::int64_t>(micros.zones.size());
    result.grids_without_outline = grids.without_outline;
    result.microgrids_without_outline = micros.without_outline;
    if (!grids.active() && !micros.active()) {
        throw error("workspace " + ws.path() + " has no grid or micro-grid outline to assign to",
                    "import the grids first: gridkit import " + ws.path() + " grids.gpkg --layer grid");
    }
    std::vector<Features> features;
    for (const auto& l : layers) {
        features.push_back(read_features(ws, l, grids, micros, read_threads, options.parallel_read_rows));
    }
    result.seconds_read = seconds_since(t_read);

    // Placement.
    const auto t_place = Clock::now();
    struct Placed {
        LevelPlacement grid, micro;
    };
    std::vector<Placed> placed(features.size());
    for (std::size_t k = 0; k < features.size(); ++k) {
        const Features& f = features[k];
        progress("placing", 0, f.size());
        if (f.layer == "building") {
            place_buildings(f, grids, micros, options, placed[k].grid, placed[k].micro);
        } else {
            placed[k].grid = place_points(f, grids, threads);
            placed[k].micro = place_points(f, micros, threads);
        }
        progress("placing", f.size(), f.size());
    }
    result.seconds_place = seconds_since(t_place);
    const auto t_report = Clock::now();

    // The nearest zone of each point in none, found on all threads (a Nearest per thread: GEOS
    // and PROJ objects never cross threads). For layer k and level l: the rows near_rows[k][l]
    // (ascending) and their (zone code, metres) in near_found[k][l].
    std::vector<std::array<std::vector<std::size_t>, 2>> near_rows(features.size());
    std::vector<std::array<std::vector<std::pair<std::string, double>>, 2>> near_found(features.size());
    for (std::size_t k = 0; k < features.size(); ++k) {
        const Features& f = features[k];
        for (int level = 0; level < 2; ++level) {
            Level& lv = level == 0 ? grids : micros;
            if (!lv.active()) {
                continue;
            }
            const std::vector<std::int32_t>& zone = (level == 0 ? placed[k].grid : placed[k].micro).zone;
            auto& todo = near_rows[k][static_cast<std::size_t>(level)];
            for (std::size_t i = 0; i < f.size(); ++i) {
                if (zone[i] == PointPlacement::none && f.has_point[i]) {
                    todo.push_back(i);
                }
            }
            auto& out = near_found[k][static_cast<std::size_t>(level)];
            out.resize(todo.size());
            if (todo.empty()) {
                continue;
            }
            detail::for_chunks(todo.size(), 64, threads, [&]() -> detail::ChunkFn {
                auto near = std::make_shared<Nearest>(lv.zones, ws.srid());
                return [&, near](std::size_t begin, std::size_t end) {
                    for (std::size_t j = begin; j < end; ++j) {
                        const std::size_t i = todo[j];
                        out[j] = near->find(f.points[i].x, f.points[i].y);
                    }
                };
            });
        }
    }

    // Counts and findings.
    for (std::size_t k = 0; k < features.size(); ++k) {
        const Features& f = features[k];
        std::size_t near_next[2] = {0, 0}; // the next entry of near_rows[k][level]
        std::size_t cursor[2] = {0, 0};    // for LevelPlacement::detail at each level
        const std::vector<std::pair<std::uint32_t, double>> no_shares;
        LayerCounts c;
        c.layer = f.layer;
        c.rows = static_cast<std::int64_t>(f.size());
        std::vector<Finding> found;
        std::vector<std::size_t> found_row;
        for (std::size_t i = 0; i < f.size(); ++i) {
            const bool has_location = f.has_point[i] || (!f.footprints.empty() && !f.footprints[i].empty());
            auto finding = [&](Issue issue) -> Finding& {
                Finding x;
                x.layer = f.layer;
                x.issue = issue;
                x.has_location = f.has_point[i] != 0;
                x.x = f.points[i].x;
                x.y = f.points[i].y;
                found.push_back(std::move(x));
                found_row.push_back(i);
                return found.back();
            };
            if (!has_location) {
                ++c.no_location;
                finding(Issue::no_location);
                continue;
            }
            bool ok = true;
            bool straddling = false;
            for (int level = 0; level < 2; ++level) {
                Level& lv = level == 0 ? grids : micros;
                if (!lv.active()) {
                    continue;
                }
                const LevelPlacement& lp = level == 0 ? placed[k].grid : placed[k].micro;
                const std::int32_t zone = lp.zone[i];
                const Placement* p = lp.detail(i, cursor[level]);
                if (zone == PointPlacement::none) {
                    ok = false;
                    ++(level == 0 ? c.no_grid : c.no_microgrid);
                    Finding& x = finding(lv.none);
                    if (f.has_point[i]) {
                        const auto l = static_cast<std::size_t>(level);
                        std::tie(x.nearest, x.distance_m) = std::move(near_found[k][l][near_next[l]++]);
                    }
                } else if (zone == PointPlacement::several) {
                    ok = false;
                    ++(level == 0 ? c.several_grids : c.several_microgrids);
                    Finding& x = finding(lv.several);
                    x.on_boundary = p != nullptr && p->on_boundary;
                    for (const auto& [z, share] : p != nullptr ? p->shares : no_shares) {
                        x.zones.push_back(lv.zones.code(z));
                        if (share > 0) {
                            x.shares.push_back(share);
                        }
                    }
                } else if (p != nullptr && p->straddles) {
                    straddling = true;
                    Finding& x = finding(lv.straddles);
                    double inside = 0;
                    for (const auto& [z, share] : p->shares) {
                        x.zones.push_back(lv.zones.code(z));
                        x.shares.push_back(share);
                        inside += share;
                    }
                    x.outside_share = std::max(0.0, 1.0 - inside);
                }
            }
            if (ok) {
                ++c.placed;
            }
            if (straddling) {
                ++c.straddling;
            }
            // Changes: a level that placed the feature writes its zone.
            const std::int32_t pg = placed[k].grid.zone[i];
            const std::int32_t pm = placed[k].micro.zone[i];
            const bool g_changed = grids.active() && pg >= 0 && pg != f.old_grid[i];
            const bool m_changed = micros.active() && pm >= 0 && pm != f.old_micro[i];
            c.grid_changed += g_changed ? 1 : 0;
            c.microgrid_changed += m_changed ? 1 : 0;
            if (g_changed || m_changed) {
                ++c.rows_changed;
                if (f.old_grid[i] == k_null && f.old_micro[i] == k_null) {
                    ++c.newly_assigned;
                }
            }
        }
        // Codes of the features reported.
        if (!found.empty()) {
            if (!f.codes.empty()) {
                for (std::size_t j = 0; j < found.size(); ++j) {
                    found[j].code = f.codes[found_row[j]];
                }
            } else {
                // found_row ascends: a row reported at both levels is looked up once.
                Statement st = ws.prepare("SELECT coalesce(code, '') FROM " + f.layer + " WHERE id = ?");
                for (std::size_t j = 0; j < found.size(); ++j) {
                    if (j > 0 && found_row[j] == found_row[j - 1]) {
                        found[j].code = found[j - 1].code;
                        continue;
                    }
                    st.bind(1, f.ids[found_row[j]]);
                    if (st.step()) {
                        found[j].code = st.column_text(0);
                    }
                    st.reset();
                }
            }
            std::stable_sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) { return a.code < b.code; });
            for (auto& x : found) {
                result.findings.push_back(std::move(x));
            }
        }
        result.layers.push_back(c);
    }

    result.seconds_report = seconds_since(t_report);
    snapshot.end();

    // Writing: only the rows that change, one transaction, one audit row.
    const auto t_write = Clock::now();
    if (!options.dry_run) {
        Transaction tx(ws);
        std::int64_t written = 0;
        std::string detail;
        for (std::size_t k = 0; k < features.size(); ++k) {
            const Features& f = features[k];
            // SpatiaLite's AFTER UPDATE trigger stamps geometry_columns_time on every row; a large
            // change sets the triggers aside (codes change, geometries do not) and stamps once.
            std::optional<grid::detail::SchemaAside> aside;
            if (result.layers[k].rows_changed > k_bulk_update_rows) {
                aside.emplace(ws, "'" + f.layer + "'", grid::detail::SchemaAside::What::triggers);
            }
            Statement up = ws.prepare("UPDATE " + f.layer +
                                      " SET grid_code = coalesce(?1, grid_code), microgrid_code = coalesce(?2, microgrid_code) "
                                      "WHERE id = ?3");
            std::int64_t layer_written = 0;
            for (std::size_t i = 0; i < f.size(); ++i) {
                const std::int32_t g = grids.active() ? placed[k].grid.zone[i] : PointPlacement::none;
                const std::int32_t m = micros.active() ? placed[k].micro.zone[i] : PointPlacement::none;
                const bool g_changed = g >= 0 && g != f.old_grid[i];
                const bool m_changed = m >= 0 && m != f.old_micro[i];
                if (!g_changed && !m_changed) {
                    continue;
                }
                if (g_changed) {
                    up.bind(1, grids.zones.code(static_cast<std::size_t>(g)));
                } else {
                    up.bind_null(1);
                }
                if (m_changed) {
                    up.bind(2, micros.zones.code(static_cast<std::size_t>(m)));
                } else {
                    up.bind_null(2);
                }
                up.bind(3, f.ids[i]);
                up.run();
                ++layer_written;
                if (options.progress && layer_written % 20000 == 0) {
                    options.progress("writing", static_cast<std::uint64_t>(layer_written),
                                     static_cast<std::uint64_t>(result.layers[k].rows_changed));
                }
            }
            if (aside) {
                aside->restore();
                ws.exec("UPDATE geometry_columns_time SET last_update = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                        "WHERE f_table_name = '" + f.layer + "'");
            }
            written += layer_written;
            detail += (detail.empty() ? "" : "; ") + f.layer + ": " + std::to_string(layer_written) + " of " +
                      std::to_string(f.size()) + " changed";
        }
        ws.record_audit(command_line().empty() ? "assign" : command_line(), layer_list(layers), written, detail);
        tx.commit();
        result.written = true;
        result.rows_written = written;
    }
    result.seconds_write = seconds_since(t_write);
    return result;
}

} // namespace grid::assign

// Checks of the features that hang in the zones (buildings, standard addresses, houses, residents,
// organisations): their geometry (1xx), codes (3xx), and where they lie against where they are
// recorded (4xx), plus households per micro-grid. Points are located once in metres through the
// zones' R-trees and prepared geometries; a house is located by its address.
//
// The large tables (a city has millions of addresses, houses and residents) are read in rowid
// ranges by every thread at once, each on its own read-only connection, and checked as they are
// read; per row only a few numbers are kept.
#include "detail/validate_internal.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"
#include "libgrid/households.hpp"
#include "libgrid/workspace.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

namespace grid::detail {

namespace {

std::string_view text(const Statement& st, int column) {
    const auto* p = sqlite3_column_text(st.handle(), column);
    return p == nullptr ? std::string_view()
                        : std::string_view(reinterpret_cast<const char*>(p),
                                           static_cast<std::size_t>(sqlite3_column_bytes(st.handle(), column)));
}

/// A point value as read: X()/Y() when it is a point, else the WKB to say what it is.
struct PointValue {
    bool present = false;
    int srid = 0;
    bool has_xy = false;
    double x = 0, y = 0;
    std::vector<unsigned char> odd; ///< AsBinary when not a point
};

void read_point(const Statement& st, int first, PointValue& p) {
    p.present = st.column_int(first) == 0;
    p.srid = static_cast<int>(st.column_int(first + 1));
    p.has_xy = !st.is_null(first + 2) && !st.is_null(first + 3);
    p.x = st.column_double(first + 2);
    p.y = st.column_double(first + 3);
    p.odd.clear();
    std::size_t size = 0;
    if (const unsigned char* b = st.column_blob(first + 4, size); b != nullptr) {
        p.odd.assign(b, b + size);
    }
}

/// SQL selecting the five columns read_point() expects for a point column.
std::string point_columns(const std::string& c) {
    return c + " IS NULL, SRID(" + c + "), X(" + c + "), Y(" + c + "), CASE WHEN " + c + " IS NOT NULL AND X(" + c +
           ") IS NULL THEN AsBinary(" + c + ") END";
}

const char* noun_of(std::string_view layer) { return layer == "microgrid" ? "micro-grid" : layer.data(); }

/// 102/104/106/107/902 for a point value; true and metric x, y when usable.
bool check_point(const Context& ctx, const std::string& layer, std::string_view id_view, const PointValue& p,
                 bool report_missing, double& mx, double& my, std::vector<ValidationError>& out) {
    if (p.present && p.has_xy && p.srid == ctx.frame.workspace_srid() && ctx.frame.in_range(p.x, p.y)) {
        mx = p.x;
        my = p.y;
        try {
            ctx.frame.to_metric(mx, my);
            return true; // the usual case: no strings built
        } catch (const crs_error&) {
        }
    }
    const std::string id(id_view);
    const std::string who = std::string(noun_of(layer)) + " " + id;
    if (!p.present) {
        if (report_missing) {
            out.push_back(finding(code::empty_geometry, layer, id, who + ": no location (NULL point)"));
        }
        return false;
    }
    if (!p.has_xy && p.odd.empty()) {
        out.push_back(finding(code::unreadable_geometry, layer, id, who + ": the geometry value cannot be read"));
        return false;
    }
    if (p.srid != ctx.frame.workspace_srid()) {
        out.push_back(finding(code::srid_mismatch, layer, id,
                              who + ": point in EPSG:" + std::to_string(p.srid) + ", the workspace is EPSG:" +
                                  std::to_string(ctx.frame.workspace_srid()) + "; re-import it with the right --src-crs"));
        return false;
    }
    if (!p.has_xy) {
        const WkbSummary s = scan_wkb(p.odd.data(), p.odd.size());
        if (!s.readable) {
            out.push_back(finding(code::unreadable_geometry, layer, id, who + ": the geometry value cannot be read"));
        } else if (s.type != 1) {
            out.push_back(finding(code::wrong_geometry_type, layer, id, who + ": not a point"));
        } else {
            out.push_back(finding(code::empty_geometry, layer, id, who + ": empty point"));
        }
        return false;
    }
    mx = p.x;
    my = p.y;
    bool ok = ctx.frame.in_range(mx, my);
    if (ok) {
        try {
            ctx.frame.to_metric(mx, my);
        } catch (const crs_error&) {
            ok = false;
        }
    }
    if (!ok) {
        ValidationError e = finding(code::coordinates_out_of_range, layer, id,
                                    who + ": point outside the area of EPSG:" +
                                        std::to_string(ctx.frame.workspace_srid()) + " (swapped x/y, or 0,0?)");
        if (std::isfinite(p.x) && std::isfinite(p.y)) {
            e.location = geom::Point{p.x, p.y};
        }
        out.push_back(std::move(e));
    }
    return ok;
}

/// Only the dataset-level 902 stays when geometry findings are not asked for.
void drop_geometry_findings(std::vector<ValidationError>& v, std::size_t from) {
    v.erase(std::remove_if(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(),
                           [](const ValidationError& e) { return e.code < 200 && e.code != code::srid_mismatch; }),
            v.end());
}

/// The per-thread locator of points in grids and micro-grids.
struct Locator {
    PreparedZones grids;
    PreparedZones micro;
    std::vector<std::size_t> scratch;
    explicit Locator(const Context& ctx) : grids(ctx.grids), micro(ctx.microgrids) {}
};

/// 403-406 for one located feature. `recorded_*`: codes stored on the feature ("" = not recorded).
void check_assignment(const Context& ctx, const std::vector<bool>& grid_has_micro, const char* layer,
                      std::string_view id, geom::Point at, long grid, long micro, std::string_view recorded_grid,
                      std::string_view recorded_micro, std::vector<ValidationError>& out) {
    const std::string* located_grid = grid >= 0 ? &ctx.grids.zones[static_cast<std::size_t>(grid)].code : nullptr;
    const std::string* located_micro = micro >= 0 ? &ctx.microgrids.zones[static_cast<std::size_t>(micro)].code : nullptr;
    const bool grid_ok = located_grid != nullptr && (recorded_grid.empty() || recorded_grid == *located_grid);
    const bool micro_ok = located_micro != nullptr && (recorded_micro.empty() || recorded_micro == *located_micro);
    if (grid_ok && (micro_ok || (located_micro == nullptr && !grid_has_micro[static_cast<std::size_t>(grid)]))) {
        return; // the usual case: nothing to build
    }
    const std::string who = std::string(noun_of(layer)) + " " + std::string(id);
    const std::string where = format_location(ctx.frame, at);
    auto add = [&](int c, std::string message, std::string related) {
        ValidationError e = finding(c, layer, std::string(id), std::move(message));
        e.location = at;
        e.related_id = std::move(related);
        out.push_back(std::move(e));
    };
    if (located_grid == nullptr) {
        add(code::in_no_grid, who + " lies in no grid" + where, "");
        return;
    }
    if (!grid_ok) {
        add(code::wrong_grid,
            who + " is recorded in grid " + std::string(recorded_grid) + " but lies in grid " + *located_grid + where,
            *located_grid);
    }
    if (located_micro == nullptr) {
        if (grid_has_micro[static_cast<std::size_t>(grid)]) {
            add(code::in_no_microgrid, who + " lies in grid " + *located_grid + " but in none of its micro-grids" + where,
                *located_grid);
        }
        return;
    }
    if (!micro_ok) {
        add(code::wrong_microgrid,
            who + " is recorded in micro-grid " + std::string(recorded_micro) + " but lies in micro-grid " +
                *located_micro + where,
            *located_micro);
    }
}

/// A workspace connection for a reading task: its own read-only one, so tables load in parallel.
Workspace reader(const Context& ctx) { return Workspace::open(ctx.ws.path(), Workspace::Mode::read_only); }

/// Rowid ranges of a table, about `pieces` of them.
struct RowRange {
    std::int64_t first = 0, last = -1;
};
std::vector<RowRange> row_ranges(const Workspace& ws, const std::string& table, std::size_t pieces) {
    Statement st = ws.prepare("SELECT min(id), max(id) FROM " + table);
    std::vector<RowRange> out;
    if (!st.step() || st.is_null(0)) {
        return out;
    }
    const std::int64_t lo = st.column_int(0), hi = st.column_int(1);
    const std::int64_t step = std::max<std::int64_t>(1, (hi - lo + 1 + static_cast<std::int64_t>(pieces) - 1) /
                                                            static_cast<std::int64_t>(pieces));
    for (std::int64_t a = lo; a <= hi; a += step) {
        out.push_back(RowRange{a, std::min(hi, a + step - 1)});
    }
    return out;
}

using RowFn = std::function<void(const Statement&, std::vector<ValidationError>&)>;

/// Runs a row function on every row of `sql` (which ends in "id BETWEEN ? AND ?", bound at
/// parameters first_bound and first_bound + 1), the rowid ranges shared among the threads.
/// `make_row` runs once on each thread and returns that thread's row function, so per-thread
/// state (GEOS geometries, caches) is made and destroyed on its thread. Each thread reads on its
/// own connection.
void for_each_row(Context& ctx, const std::string& table, const std::string& sql, int first_bound,
                  const std::function<RowFn()>& make_row) {
    const std::vector<RowRange> ranges = row_ranges(ctx.ws, table, ctx.threads * 8);
    parallel_workers(ranges.size(), ctx.threads, [&](const NextTask& next) {
        const Workspace ws = reader(ctx);
        Statement st = ws.prepare(sql);
        const RowFn row = make_row();
        std::vector<ValidationError> out;
        for (std::size_t r = next(); r != no_task; r = next()) {
            st.bind(first_bound, ranges[r].first).bind(first_bound + 1, ranges[r].last);
            while (st.step()) {
                row(st, out);
            }
            st.reset();
            ctx.findings.add(out);
        }
    });
}

struct Building {
    std::int64_t rowid = 0;
    std::string code, community, grid, micro;
    std::int64_t declared = 0;
    bool footprint_present = false;
    int footprint_srid = 0;
    std::vector<unsigned char> footprint;
    PointValue location;
    long located_grid = -1, located_micro = -1;
    bool in_scope = true;
};

/// What later checks need of an address (kept for every address row: millions).
struct AddressSlot {
    double x = 0, y = 0;        ///< workspace CRS
    std::int32_t grid = -1;     ///< located zone indices
    std::int32_t micro = -1;
    std::int32_t building = -1; ///< index into the buildings
    bool exists = false;
    bool located = false;
    bool in_scope = false;
};

/// 128 bits of a code: two independent 64-bit hashes. Sets of millions of codes as sorted
/// numbers instead of strings; a false match needs both hashes to collide (about 1 in 10^38).
struct CodeHash {
    std::uint64_t a = 0, b = 0;
    bool operator<(const CodeHash& o) const { return a != o.a ? a < o.a : b < o.b; }
    bool operator==(const CodeHash& o) const { return a == o.a && b == o.b; }
};
CodeHash hash_code(std::string_view s) {
    std::uint64_t fnv = 1469598103934665603ULL;
    for (char c : s) {
        fnv = (fnv ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    return CodeHash{fnv, std::hash<std::string_view>{}(s)};
}
bool contains(const std::vector<CodeHash>& sorted, std::string_view s) {
    return std::binary_search(sorted.begin(), sorted.end(), hash_code(s));
}

void read_buildings(const Workspace& ws, std::vector<Building>& out) {
    Statement st = ws.prepare("SELECT id, code, coalesce(community_code, ''), coalesce(grid_code, ''), "
                              "coalesce(microgrid_code, ''), coalesce(households, 0), geom IS NULL, SRID(geom), "
                              "AsBinary(geom), " +
                              point_columns("location") + " FROM building ORDER BY id");
    while (st.step()) {
        Building b;
        b.rowid = st.column_int(0);
        b.code = st.column_text(1);
        b.community = st.column_text(2);
        b.grid = st.column_text(3);
        b.micro = st.column_text(4);
        b.declared = st.column_int(5);
        b.footprint_present = st.column_int(6) == 0;
        b.footprint_srid = static_cast<int>(st.column_int(7));
        std::size_t size = 0;
        if (const unsigned char* blob = st.column_blob(8, size); blob != nullptr) {
            b.footprint.assign(blob, blob + size);
        }
        read_point(st, 9, b.location);
        out.push_back(std::move(b));
    }
}

/// Buildings: footprint and location, codes, assignment, straddling. Fills located_* and in_scope.
void check_buildings(Context& ctx, std::vector<Building>& buildings, const std::vector<bool>& grid_has_micro) {
    const ValidationOptions& opt = ctx.options;
    constexpr std::size_t chunk = 256;
    const std::size_t chunks = (buildings.size() + chunk - 1) / chunk;
    parallel_workers(chunks, ctx.threads, [&](const NextTask& next) {
        Locator loc(ctx);
        std::vector<ValidationError> out, mine;
        std::vector<std::size_t> cands;
        for (std::size_t c = next(); c != no_task; c = next()) {
            const std::size_t end = std::min(buildings.size(), (c + 1) * chunk);
            for (std::size_t i = c * chunk; i < end; ++i) {
                Building& b = buildings[i];
                mine.clear();
                guarded(ctx, "building", b.code, [&] {
                    geom::Geometry fp;
                    if (b.footprint_present) {
                        const PolygonInput in{"building", b.code, true, b.footprint_srid, b.footprint, false, opt.geometry};
                        fp = check_polygon(ctx, in, mine);
                    }
                    double mx = 0, my = 0;
                    bool has_point = check_point(ctx, "building", b.code, b.location, false, mx, my, mine);
                    if (!has_point && fp) {
                        const geom::Point p = geom::point_on_surface(fp.get());
                        mx = p.x;
                        my = p.y;
                        has_point = true;
                    }
                    if (!has_point && !b.location.present && !b.footprint_present) {
                        mine.push_back(finding(code::empty_geometry, "building", b.code,
                                               "building " + b.code + ": neither a location nor a footprint"));
                    }
                    if (has_point) {
                        b.located_grid = loc.grids.locate(mx, my, loc.scratch);
                        b.located_micro = loc.micro.locate(mx, my, loc.scratch);
                    }
                    b.in_scope = ctx.grid_scope.empty() || b.grid == ctx.grid_scope ||
                                 (b.located_grid >= 0 &&
                                  ctx.grids.zones[static_cast<std::size_t>(b.located_grid)].code == ctx.grid_scope);
                    if (!opt.geometry) {
                        drop_geometry_findings(mine, 0);
                    }
                    if (opt.codes && check_code_format("building", b.code, b.code, codes::CodeKind::building, false, mine)) {
                        check_code_prefix("building", b.code, b.code, b.community, "community", mine);
                    }
                    if (!opt.households || !has_point) {
                        return;
                    }
                    const geom::Point at = ctx.frame.point_to_workspace({mx, my});
                    check_assignment(ctx, grid_has_micro, "building", b.code, at, b.located_grid, b.located_micro,
                                     b.grid, b.micro, mine);
                    // Straddling: the footprint spreads over two micro-grids.
                    if (!fp || (b.located_micro >= 0 &&
                                geom::covers(loc.micro.prepared(static_cast<std::size_t>(b.located_micro)), fp.get()))) {
                        return;
                    }
                    const double total = geom::area(fp.get());
                    if (total <= 0) {
                        return;
                    }
                    ctx.microgrids.candidates(geom::envelope(fp.get()), cands);
                    std::vector<std::pair<double, std::size_t>> shares;
                    for (const std::size_t z : cands) {
                        if (!geom::intersects(loc.micro.prepared(z), fp.get())) {
                            continue;
                        }
                        const geom::Geometry part = geom::intersection(loc.micro.geometry(z), fp.get());
                        const double share = geom::area(part.get()) / total;
                        if (share >= opt.straddle_share) {
                            shares.emplace_back(share, z);
                        }
                    }
                    if (shares.size() < 2) {
                        return;
                    }
                    std::sort(shares.begin(), shares.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
                    std::string list;
                    for (const auto& [share, z] : shares) {
                        list += (list.empty() ? "" : ", ") + ctx.microgrids.zones[z].code + " (" +
                                std::to_string(static_cast<int>(share * 100 + 0.5)) + "%)";
                    }
                    ValidationError e = finding(code::building_straddles_microgrids, "building", b.code,
                                                "building " + b.code + " straddles micro-grids " + list +
                                                    format_location(ctx.frame, at));
                    e.location = at;
                    e.related_id = ctx.microgrids.zones[shares[1].second].code;
                    mine.push_back(std::move(e));
                });
                if (b.in_scope) {
                    for (auto& e : mine) {
                        out.push_back(std::move(e));
                    }
                }
                b.footprint.clear();
                b.footprint.shrink_to_fit();
            }
            ctx.findings.add(out);
        }
    });
}

/// Everything check_features() builds up.
struct FeatureState {
    std::vector<Building> buildings;
    std::unordered_map<std::string, std::int32_t> building_index;
    std::vector<bool> grid_has_micro;
    std::int64_t address_first = 0; ///< rowid of slots[0]
    std::vector<AddressSlot> addresses;
    std::vector<CodeHash> house_codes; ///< sorted
    std::atomic<bool> odd_codes[3] = {{false}, {false}, {false}}; ///< address, house, person codes not in normal form
};

const AddressSlot* address_by_rowid(const FeatureState& s, const Statement& st, int column) {
    if (st.is_null(column)) {
        return nullptr;
    }
    const std::int64_t i = st.column_int(column) - s.address_first;
    return i >= 0 && i < static_cast<std::int64_t>(s.addresses.size()) && s.addresses[static_cast<std::size_t>(i)].exists
               ? &s.addresses[static_cast<std::size_t>(i)]
               : nullptr;
}

void check_addresses(Context& ctx, FeatureState& s) {
    const ValidationOptions& opt = ctx.options;
    {
        Statement st = ctx.ws.prepare("SELECT min(id), max(id) FROM address");
        if (!st.step() || st.is_null(0)) {
            return;
        }
        s.address_first = st.column_int(0);
        s.addresses.resize(static_cast<std::size_t>(st.column_int(1) - s.address_first + 1));
    }
    for_each_row(
        ctx, "address",
        "SELECT id, code, coalesce(building_code, ''), coalesce(grid_code, ''), coalesce(microgrid_code, ''), " +
            point_columns("geom") + " FROM address WHERE id BETWEEN ? AND ?",
        1, [&]() -> RowFn {
            struct State {
                explicit State(const Context& c) : loc(c) {}
                Locator loc;
                PointValue p;
                double last_x = NAN, last_y = NAN; ///< addresses of one building usually share its point
                std::int32_t last_grid = -1, last_micro = -1;
            };
            auto state = std::make_shared<State>(ctx);
            return [&, state](const Statement& st, std::vector<ValidationError>& out) {
                State& w = *state;
                AddressSlot& a = s.addresses[static_cast<std::size_t>(st.column_int(0) - s.address_first)];
                const std::string_view code = text(st, 1), building = text(st, 2);
                const std::string_view rec_grid = text(st, 3), rec_micro = text(st, 4);
                read_point(st, 5, w.p);
                a.exists = true;
                if (!building.empty()) {
                    const auto it = s.building_index.find(std::string(building));
                    a.building = it == s.building_index.end() ? -1 : it->second;
                }
                const std::size_t first = out.size();
                double mx = 0, my = 0;
                a.located = check_point(ctx, "address", code, w.p, true, mx, my, out);
                if (a.located) {
                    a.x = w.p.x;
                    a.y = w.p.y;
                    if (a.x == w.last_x && a.y == w.last_y) {
                        a.grid = w.last_grid;
                        a.micro = w.last_micro;
                    } else {
                        a.grid = static_cast<std::int32_t>(w.loc.grids.locate(mx, my, w.loc.scratch));
                        a.micro = static_cast<std::int32_t>(w.loc.micro.locate(mx, my, w.loc.scratch));
                        w.last_x = a.x;
                        w.last_y = a.y;
                        w.last_grid = a.grid;
                        w.last_micro = a.micro;
                    }
                }
                a.in_scope = ctx.grid_scope.empty() || rec_grid == ctx.grid_scope ||
                             (a.grid >= 0 && ctx.grids.zones[static_cast<std::size_t>(a.grid)].code == ctx.grid_scope);
                if (!a.in_scope) {
                    out.resize(first);
                    return;
                }
                if (!opt.geometry) {
                    drop_geometry_findings(out, first);
                }
                if (!is_normal_code(code)) {
                    s.odd_codes[0] = true;
                }
                if (opt.codes && check_code_format("address", code, code, codes::CodeKind::address, false, out)) {
                    check_code_prefix("address", code, code, building, "building", out);
                }
                if (opt.households && a.located) {
                    check_assignment(ctx, s.grid_has_micro, "address", code, geom::Point{a.x, a.y}, a.grid, a.micro,
                                     rec_grid, rec_micro, out);
                }
            };
        });
}

/// Houses: address reference, assignment through the address; households per building; and
/// the set of house codes for the residents.
void check_houses(Context& ctx, FeatureState& s, std::vector<std::int64_t>& house_households) {
    const ValidationOptions& opt = ctx.options;
    std::mutex merge_mutex;
    std::vector<std::vector<CodeHash>> code_parts;
    std::int64_t count = 0;
    const std::vector<RowRange> ranges = row_ranges(ctx.ws, "house", ctx.threads * 8);
    const std::string sql = std::string("SELECT h.id, h.code, coalesce(h.address_code, ''), coalesce(h.grid_code, ''), "
                                        "coalesce(h.microgrid_code, ''), (") +
                            household_house_predicate +
                            "), a.id FROM house h LEFT JOIN address a ON a.code = h.address_code "
                            "WHERE h.id BETWEEN ? AND ?";
    parallel_workers(ranges.size(), ctx.threads, [&](const NextTask& next) {
        const Workspace ws = reader(ctx);
        Statement st = ws.prepare(sql);
        std::vector<ValidationError> out;
        std::vector<CodeHash> codes_seen;
        std::vector<std::int64_t> households(s.buildings.size(), 0);
        std::int64_t n = 0;
        for (std::size_t r = next(); r != no_task; r = next()) {
            st.bind(1, ranges[r].first).bind(2, ranges[r].last);
            while (st.step()) {
                ++n;
                const std::string_view code = text(st, 1), address = text(st, 2);
                codes_seen.push_back(hash_code(code));
                if (!is_normal_code(code)) {
                    s.odd_codes[1] = true;
                }
                const AddressSlot* a = address_by_rowid(s, st, 6);
                if (a != nullptr && st.column_int(5) != 0 && a->building >= 0) {
                    ++households[static_cast<std::size_t>(a->building)];
                }
                const std::string_view rec_grid = text(st, 3);
                const bool in_scope =
                    ctx.grid_scope.empty() || rec_grid == ctx.grid_scope || (a != nullptr && a->in_scope);
                if (!in_scope || !opt.households) {
                    continue;
                }
                if (a == nullptr) {
                    const std::string id(code);
                    out.push_back(finding(code::house_without_address, "house", id,
                                          address.empty() ? "house " + id + ": no standard address (address_code empty)"
                                                          : "house " + id + ": its address " + std::string(address) +
                                                                " is not in the workspace"));
                    continue;
                }
                if (a->located) {
                    check_assignment(ctx, s.grid_has_micro, "house", code, geom::Point{a->x, a->y}, a->grid, a->micro,
                                     rec_grid, text(st, 4), out);
                }
            }
            st.reset();
            ctx.findings.add(out);
        }
        std::lock_guard<std::mutex> lock(merge_mutex);
        for (std::size_t b = 0; b < households.size(); ++b) {
            house_households[b] += households[b];
        }
        code_parts.push_back(std::move(codes_seen));
        count += n;
    });
    for (auto& part : code_parts) {
        s.house_codes.insert(s.house_codes.end(), part.begin(), part.end());
    }
    std::sort(s.house_codes.begin(), s.house_codes.end());
    ctx.features["house"] = count; // with --grid: houses read, not only those in the grid
}

/// Residents: ID format and check character, house reference. Millions of rows.
void check_persons(Context& ctx, FeatureState& s) {
    const ValidationOptions& opt = ctx.options;
    std::atomic<std::int64_t> count{0};
    for_each_row(ctx, "person", "SELECT id, id_number, coalesce(house_code, '') FROM person WHERE id BETWEEN ? AND ?", 1,
                 [&]() -> RowFn {
                     return [&](const Statement& st, std::vector<ValidationError>& out) {
                         ++count;
                         const std::string_view number = text(st, 1), house = text(st, 2);
                         if (!is_normal_code(number)) {
                             s.odd_codes[2] = true;
                         }
                         const bool no_house = opt.households && (house.empty() || !contains(s.house_codes, house));
                         const bool bad_number = opt.codes && !codes::check(number, codes::CodeKind::resident_id).valid;
                         if (!no_house && !bad_number) {
                             return;
                         }
                         const std::string id = "#" + std::to_string(st.column_int(0));
                         if (bad_number) {
                             check_code_format("person", id, number, codes::CodeKind::resident_id, true, out);
                         }
                         if (no_house) {
                             out.push_back(finding(code::person_without_house, "person", id,
                                                   house.empty() ? "resident " + id + ": no house (house_code empty)"
                                                                 : "resident " + id + ": house " + std::string(house) +
                                                                       " is not in the workspace"));
                         }
                     };
                 });
    ctx.features["person"] = count;
}

void check_orgs(Context& ctx) {
    const ValidationOptions& opt = ctx.options;
    Statement st = ctx.ws.prepare("SELECT o.id, o.uscc, coalesce(o.address_code, ''), a.id FROM org o "
                                  "LEFT JOIN address a ON a.code = o.address_code ORDER BY o.id");
    std::vector<ValidationError> out;
    std::vector<std::string> all, ids;
    while (st.step()) {
        const std::string uscc = st.column_text(1);
        const std::string address = st.column_text(2);
        const std::string id = uscc.empty() ? "#" + std::to_string(st.column_int(0)) : uscc;
        if (opt.codes) {
            check_code_format("org", id, uscc, codes::CodeKind::uscc, false, out);
            all.push_back(uscc);
            ids.push_back(id);
        }
        if (opt.households && st.is_null(3)) {
            out.push_back(finding(code::org_without_address, "org", id,
                                  address.empty() ? "organisation " + id + ": no standard address (address_code empty)"
                                                  : "organisation " + id + ": its address " + address +
                                                        " is not in the workspace"));
        }
    }
    if (opt.codes) {
        check_duplicate_codes("org", all, ids, false, out);
    }
    ctx.features["org"] = static_cast<std::int64_t>(ids.size());
    ctx.findings.add(out);
}

/// 303 for a large layer, read again only when some code there is not in normal form.
void duplicates_of(Context& ctx, const std::string& table, const std::string& column, bool sensitive) {
    std::vector<std::string> all, ids;
    Statement st = ctx.ws.prepare("SELECT id, " + column + " FROM " + table + " ORDER BY id");
    while (st.step()) {
        all.push_back(st.column_text(1));
        ids.push_back(sensitive ? "#" + std::to_string(st.column_int(0)) : all.back());
    }
    std::vector<ValidationError> out;
    check_duplicate_codes(table, all, ids, sensitive, out);
    ctx.findings.add(out);
}

} // namespace

void check_features(Context& ctx) {
    const ValidationOptions& opt = ctx.options;
    FeatureState s;
    read_buildings(ctx.ws, s.buildings);
    s.building_index.reserve(s.buildings.size());
    for (std::size_t i = 0; i < s.buildings.size(); ++i) {
        s.building_index.emplace(s.buildings[i].code, static_cast<std::int32_t>(i));
    }
    s.grid_has_micro.assign(ctx.grids.zones.size(), false);
    for (const Zone& m : ctx.microgrids.zones) {
        if (const auto it = ctx.grids.by_code.find(m.parent); it != ctx.grids.by_code.end()) {
            s.grid_has_micro[it->second] = true;
        }
    }
    check_buildings(ctx, s.buildings, s.grid_has_micro);
    ctx.progress("buildings", 1, 4);
    check_addresses(ctx, s);
    ctx.progress("addresses", 2, 4);
    std::vector<std::int64_t> house_households(s.buildings.size(), 0);
    check_houses(ctx, s, house_households);
    ctx.progress("houses", 3, 4);

    // Households: a house that is a household counts for its address's building; a building
    // without such houses counts its declared figure (the rule of households.hpp). They add up
    // in the micro-grid holding the building's location.
    std::vector<std::int64_t> micro_households(ctx.microgrids.zones.size(), 0);
    for (std::size_t b = 0; b < s.buildings.size(); ++b) {
        const Building& bd = s.buildings[b];
        if (bd.located_micro >= 0) {
            micro_households[static_cast<std::size_t>(bd.located_micro)] +=
                house_households[b] > 0 ? house_households[b] : bd.declared;
        }
    }
    std::vector<ValidationError> out;
    for (std::size_t i = 0; i < ctx.microgrids.zones.size(); ++i) {
        const Zone& m = ctx.microgrids.zones[i];
        if (!m.in_scope || !m.usable()) {
            continue;
        }
        ctx.households += micro_households[i];
        const std::int64_t n = micro_households[i];
        if (!opt.households || (n >= opt.min_households && n <= opt.max_households)) {
            continue;
        }
        const bool few = n < opt.min_households;
        ValidationError e = finding(few ? code::too_few_households : code::too_many_households, m.layer, m.id(),
                                    "micro-grid " + m.id() + " holds " + std::to_string(n) + " households, " +
                                        (few ? "fewer than " + std::to_string(opt.min_households)
                                             : "more than " + std::to_string(opt.max_households)));
        e.households = n;
        const geom::Point c{(m.envelope.minx + m.envelope.maxx) / 2, (m.envelope.miny + m.envelope.maxy) / 2};
        e.location = ctx.frame.point_to_workspace(c);
        out.push_back(std::move(e));
    }
    if (opt.codes) {
        std::vector<std::string> c, ids;
        for (const auto& b : s.buildings) {
            if (b.in_scope) {
                c.push_back(b.code);
                ids.push_back(b.code);
            }
        }
        check_duplicate_codes("building", c, ids, false, out);
    }
    ctx.findings.add(out);

    std::int64_t nb = 0, na = 0;
    for (const auto& b : s.buildings) {
        nb += b.in_scope ? 1 : 0;
    }
    for (const auto& a : s.addresses) {
        na += a.exists && a.in_scope ? 1 : 0;
    }
    ctx.features["building"] = nb;
    ctx.features["address"] = na;
    s.buildings.clear();
    s.addresses.clear();
    s.addresses.shrink_to_fit();

    if (!ctx.grid_scope.empty()) {
        ctx.note("residents, organisations and duplicate address and house codes are not checked with --grid");
        return;
    }
    check_persons(ctx, s);
    check_orgs(ctx);
    if (opt.codes) {
        const char* tables[] = {"address", "house", "person"};
        const char* columns[] = {"code", "code", "id_number"};
        for (int i = 0; i < 3; ++i) {
            if (s.odd_codes[i]) {
                duplicates_of(ctx, tables[i], columns[i], i == 2);
            }
        }
    }
    ctx.progress("residents and organisations", 4, 4);
}

} // namespace grid::detail

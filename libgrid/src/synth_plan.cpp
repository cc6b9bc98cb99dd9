// The layout of a synthetic district. Everything is built on one lattice of cells (about
// 110 m x 100 m, in CGCS2000 / 3-degree Gauss-Kruger zone 40): a cell is a micro-grid, a grid is
// a rectangle of 3-6 cells, communities and townships are rectangles of road blocks. Zone
// outlines run through every lattice vertex on their boundary, and each vertex is transformed
// once, so children tile their parent exactly in the output CRS (shared vertices, no T-joints).
#include "detail/synth_internal.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace grid::synth::detail {

namespace {

constexpr int k_metric_epsg = 4528;      // CGCS2000 / 3-degree Gauss-Kruger zone 40 (CM 120E)
constexpr double k_centre_lng = 119.92;  // 海陵区
constexpr double k_centre_lat = 32.46;
constexpr double k_jitter = 6.0;         // interior lattice vertices move up to this far (m)
constexpr double k_mean_households = 80; // per micro-grid, when laying out
constexpr double k_cells_per_community = 24;
constexpr double k_communities_per_township = 20;

// Stream tags for derive(): each part of the plan has its own random stream.
enum : std::uint64_t {
    tag_lattice = 1,
    tag_roads,
    tag_zones,
    tag_grids,
    tag_households,
    tag_compounds,
    tag_names,
    tag_people,
};

std::string pad3(int v) {
    std::string s = std::to_string(v);
    return std::string(s.size() < 3 ? 3 - s.size() : 0, '0') + s;
}

// Positions of road lines on a lattice axis of n cells: 0, then every 2 or 3 cells, and n.
std::vector<int> road_positions(int n, Rng& rng) {
    std::vector<int> pos{0};
    while (pos.back() < n) {
        const int step = rng.chance(0.5) ? 2 : 3;
        pos.push_back(std::min(n, pos.back() + step));
    }
    // A 1-cell block at the end joins the one before it.
    if (pos.size() > 2 && pos[pos.size() - 1] - pos[pos.size() - 2] == 1) {
        pos.erase(pos.end() - 2);
    }
    return pos;
}

// Splits units (with sizes) into consecutive runs following `shares`; every run gets at least
// one unit. Returns parts+1 boundaries (0 ... units.size()).
std::vector<int> split_runs(const std::vector<double>& sizes, const std::vector<double>& shares) {
    const int n = static_cast<int>(sizes.size());
    const int parts = static_cast<int>(shares.size());
    std::vector<double> cum(sizes.size() + 1, 0.0);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        cum[i + 1] = cum[i] + sizes[i];
    }
    const double share_total = std::accumulate(shares.begin(), shares.end(), 0.0);
    std::vector<int> b{0};
    double acc = 0;
    for (int k = 1; k < parts; ++k) {
        acc += shares[static_cast<std::size_t>(k - 1)];
        const double target = cum.back() * acc / share_total;
        int best = b.back() + 1;
        for (int i = b.back() + 1; i <= n - (parts - k); ++i) {
            if (std::abs(cum[static_cast<std::size_t>(i)] - target) < std::abs(cum[static_cast<std::size_t>(best)] - target)) {
                best = i;
            }
        }
        b.push_back(best);
    }
    b.push_back(n);
    return b;
}

// Partitions a rectangle of units into about k rectangles in rows (reading order). `col` and
// `row` are the sizes in metres of the rectangle's unit columns and rows.
std::vector<Rect> partition_rows(const Rect& r, int k, const std::vector<double>& col, const std::vector<double>& row,
                                 Rng& rng) {
    if (k <= 1 || r.area() <= 1) {
        return {r};
    }
    const double wm = std::accumulate(col.begin(), col.end(), 0.0);
    const double hm = std::accumulate(row.begin(), row.end(), 0.0);
    const int rows = std::clamp(static_cast<int>(std::lround(std::sqrt(k * hm / wm))), 1, std::min(k, r.height()));
    std::vector<int> per_row(static_cast<std::size_t>(rows), k / rows);
    std::vector<int> order(static_cast<std::size_t>(rows));
    std::iota(order.begin(), order.end(), 0);
    rng.shuffle(order);
    for (int t = 0; t < k % rows; ++t) {
        per_row[static_cast<std::size_t>(order[static_cast<std::size_t>(t)])] += 1;
    }
    std::vector<double> row_shares;
    for (int n : per_row) {
        row_shares.push_back(n * rng.uniform(0.85, 1.15));
    }
    const auto rb = split_runs(row, row_shares);
    std::vector<Rect> out;
    for (int t = 0; t < rows; ++t) {
        const int cols = std::min(per_row[static_cast<std::size_t>(t)], r.width());
        std::vector<double> shares;
        for (int c = 0; c < cols; ++c) {
            shares.push_back(rng.uniform(0.8, 1.2));
        }
        const auto cb = split_runs(col, shares);
        for (int c = 0; c < cols; ++c) {
            out.push_back({r.i0 + cb[static_cast<std::size_t>(c)], r.j0 + rb[static_cast<std::size_t>(t)],
                           r.i0 + cb[static_cast<std::size_t>(c) + 1], r.j0 + rb[static_cast<std::size_t>(t) + 1]});
        }
    }
    return out;
}

// A random composition of `total` from parts with weights (weight 0 = not allowed).
// Returns empty when there is none.
std::vector<int> compose(int total, const std::vector<double>& weight_of_part, Rng& rng) {
    const int max_part = static_cast<int>(weight_of_part.size()) - 1;
    std::vector<char> can(static_cast<std::size_t>(total) + 1, 0);
    can[0] = 1;
    for (int t = 1; t <= total; ++t) {
        for (int p = 1; p <= std::min(max_part, t); ++p) {
            if (weight_of_part[static_cast<std::size_t>(p)] > 0 && can[static_cast<std::size_t>(t - p)]) {
                can[static_cast<std::size_t>(t)] = 1;
                break;
            }
        }
    }
    if (!can[static_cast<std::size_t>(total)]) {
        return {};
    }
    std::vector<int> parts;
    int left = total;
    while (left > 0) {
        std::vector<double> w(static_cast<std::size_t>(max_part) + 1, 0.0);
        for (int p = 1; p <= std::min(max_part, left); ++p) {
            if (can[static_cast<std::size_t>(left - p)]) {
                w[static_cast<std::size_t>(p)] = weight_of_part[static_cast<std::size_t>(p)];
            }
        }
        const int p = static_cast<int>(rng.weighted(w));
        parts.push_back(p);
        left -= p;
    }
    return parts;
}

// Grids of a community: rows (strips) of 1-6 cells height, each cut into grids of 3-6 cells.
// Every grid of a strip spans the strip's rows, so sequence order (west to east, then north to
// south) is plain reading order.
std::vector<Rect> partition_grids(const Rect& r, Rng& rng) {
    if (r.area() <= 6) {
        return {r};
    }
    const int w = r.width();
    auto width_range = [](int h) { return std::pair<int, int>{(3 + h - 1) / h, 6 / h}; };
    auto width_weights = [&](int h) {
        const auto [a, b] = width_range(h);
        std::vector<double> weights(static_cast<std::size_t>(b) + 1, 0.0);
        for (int x = a; x <= b; ++x) {
            const int area = x * h;
            weights[static_cast<std::size_t>(x)] = area == 4 ? 4.0 : (area == 3 || area == 5) ? 2.0 : 1.0;
        }
        return weights;
    };
    std::vector<double> height_weights(7, 0.0);
    for (int h = 1; h <= 6; ++h) {
        const auto [a, b] = width_range(h);
        if (a <= b && !compose(w, width_weights(h), rng).empty()) {
            height_weights[static_cast<std::size_t>(h)] = h == 2 ? 5.0 : (h == 1 || h == 3) ? 2.0 : 1.0;
        }
    }
    const auto heights = compose(r.height(), height_weights, rng);
    std::vector<Rect> out;
    int j = r.j0;
    for (int h : heights) {
        int i = r.i0;
        for (int x : compose(w, width_weights(h), rng)) {
            out.push_back({i, j, i + x, j + h});
            i += x;
        }
        j += h;
    }
    return out;
}

// Distributes `total` over items within [lo, hi] each, in proportion to random weights.
// Requires sum(lo) <= total <= sum(hi).
std::vector<int> allocate(int total, const std::vector<int>& lo, const std::vector<int>& hi, Rng& rng) {
    std::vector<int> x = lo;
    long left = total - std::accumulate(lo.begin(), lo.end(), 0L);
    std::vector<double> w(lo.size());
    for (std::size_t i = 0; i < lo.size(); ++i) {
        w[i] = (hi[i] - lo[i]) * rng.uniform(0.5, 1.5);
    }
    while (left > 0) {
        double wsum = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (x[i] < hi[i]) {
                wsum += w[i];
            }
        }
        const long start = left;
        for (std::size_t i = 0; i < x.size() && left > 0 && wsum > 0; ++i) {
            if (x[i] < hi[i]) {
                const long add = std::min<long>({static_cast<long>(std::floor(start * w[i] / wsum)), hi[i] - x[i], left});
                x[i] += static_cast<int>(add);
                left -= add;
            }
        }
        if (left == start) {
            // Rounding left a few: hand them out one by one in a random order.
            std::vector<std::size_t> order(x.size());
            std::iota(order.begin(), order.end(), 0);
            rng.shuffle(order);
            for (std::size_t i : order) {
                if (left > 0 && x[i] < hi[i]) {
                    ++x[i];
                    --left;
                }
            }
        }
    }
    return x;
}

// Lattice vertices around a rectangle of cells, counter-clockwise from its south-west corner,
// closed (first vertex repeated). Every lattice vertex on the boundary is included.
std::vector<int> perimeter(const Plan& p, const Rect& r) {
    std::vector<int> v;
    for (int i = r.i0; i < r.i1; ++i) {
        v.push_back(p.vertex(i, r.j1)); // south edge, west to east
    }
    for (int j = r.j1; j > r.j0; --j) {
        v.push_back(p.vertex(r.i1, j)); // east edge, south to north
    }
    for (int i = r.i1; i > r.i0; --i) {
        v.push_back(p.vertex(i, r.j0)); // north edge, east to west
    }
    for (int j = r.j0; j < r.j1; ++j) {
        v.push_back(p.vertex(r.i0, j)); // west edge, north to south
    }
    v.push_back(v.front());
    return v;
}

MultiPolygon outline(const Plan& p, const Rect& r) {
    Ring ring;
    for (int v : perimeter(p, r)) {
        ring.push_back({p.lx[static_cast<std::size_t>(v)], p.ly[static_cast<std::size_t>(v)]});
    }
    return {{std::move(ring)}};
}

struct Feasibility {
    int direction = 0; ///< 0 feasible, -1 too many cells for the households, +1 too few
};

// Household bounds per grid, from strict to loose: the first level whose sums contain the
// total is used (micro-grids always hold 50-100).
bool grid_bounds(const std::vector<int>& cells_per_grid, std::int64_t total, int level, std::vector<int>& lo,
                 std::vector<int>& hi) {
    static constexpr int k_lo[] = {250, 200, 0};
    static constexpr int k_hi[] = {450, 500, 1 << 30};
    lo.clear();
    hi.clear();
    std::int64_t slo = 0, shi = 0;
    for (int c : cells_per_grid) {
        const int l = std::max(k_lo[level], 50 * c);
        const int h = std::min(k_hi[level], 100 * c);
        if (l > h) {
            return false;
        }
        lo.push_back(l);
        hi.push_back(h);
        slo += l;
        shi += h;
    }
    return slo <= total && total <= shi;
}

} // namespace

double Plan::road_half_width(bool vertical, int index) const noexcept {
    const int r = vertical ? x_road[static_cast<std::size_t>(index)] : y_road[static_cast<std::size_t>(index)];
    return r < 0 ? 0.0 : road_lines[static_cast<std::size_t>(r)].half_width;
}

std::array<double, 4> Plan::building_area(int i, int j) const noexcept {
    // Road sides keep the road's half width plus a set-back; other sides keep clear of the
    // jittered micro-grid boundary.
    auto inset = [&](bool vertical, int index) {
        const double h = road_half_width(vertical, index);
        return h > 0 ? h + 6.0 : jitter + 5.0;
    };
    return {x_lines[static_cast<std::size_t>(i)] + inset(true, i), y_lines[static_cast<std::size_t>(j + 1)] + inset(false, j + 1),
            x_lines[static_cast<std::size_t>(i + 1)] - inset(true, i + 1), y_lines[static_cast<std::size_t>(j)] - inset(false, j)};
}

namespace {

// One attempt at a plan with about `target_cells` micro-grids; `direction` says which way
// the cell count must move when the households do not fit.
Plan try_plan(const Options& options, double target_cells, int attempt, Feasibility& feasible) {
    Plan p;
    p.options = options;
    p.jitter = k_jitter;
    const std::uint64_t seed = options.seed;
    const std::int64_t total = options.households;

    // Lattice.
    Rng lat(derive(seed, tag_lattice, static_cast<std::uint64_t>(attempt)));
    p.ny = std::max(1, static_cast<int>(std::lround(std::sqrt(target_cells))));
    p.nx = std::max(1, static_cast<int>(std::lround(target_cells / p.ny)));
    std::vector<double> col(static_cast<std::size_t>(p.nx)), row(static_cast<std::size_t>(p.ny));
    for (auto& c : col) {
        c = lat.uniform(90, 130);
    }
    for (auto& r : row) {
        r = lat.uniform(85, 120);
    }
    double cx = k_centre_lng, cy = k_centre_lat;
    crs::Transformer(crs::CrsSpec{crs::CrsSpec::Kind::epsg, 4490}, crs::CrsSpec{crs::CrsSpec::Kind::epsg, k_metric_epsg})
        .transform(cx, cy);
    const double wm = std::accumulate(col.begin(), col.end(), 0.0);
    const double hm = std::accumulate(row.begin(), row.end(), 0.0);
    p.x_lines.push_back(std::round(cx - wm / 2));
    for (double c : col) {
        p.x_lines.push_back(p.x_lines.back() + c);
    }
    p.y_lines.push_back(std::round(cy + hm / 2));
    for (double r : row) {
        p.y_lines.push_back(p.y_lines.back() - r);
    }

    // Road lines (every 2-3 cells, and the district edge).
    Rng roads(derive(seed, tag_roads, static_cast<std::uint64_t>(attempt)));
    const auto xr = road_positions(p.nx, roads);
    const auto yr = road_positions(p.ny, roads);
    p.x_road.assign(static_cast<std::size_t>(p.nx) + 1, -1);
    p.y_road.assign(static_cast<std::size_t>(p.ny) + 1, -1);
    auto add_lines = [&](const std::vector<int>& pos, bool vertical, std::vector<int>& index) {
        for (std::size_t k = 0; k < pos.size(); ++k) {
            const bool edge = k == 0 || k + 1 == pos.size();
            RoadLine line;
            line.vertical = vertical;
            line.index = pos[k];
            line.major = edge || k % 3 == 0;
            line.half_width = line.major ? 16.0 : 10.0;
            index[static_cast<std::size_t>(pos[k])] = static_cast<int>(p.road_lines.size());
            p.road_lines.push_back(line);
        }
    };
    add_lines(xr, true, p.x_road);
    add_lines(yr, false, p.y_road);

    // Jittered vertices: interior (non-road) lines wiggle across; roads stay straight.
    p.vx.resize(static_cast<std::size_t>((p.nx + 1) * (p.ny + 1)));
    p.vy.resize(p.vx.size());
    for (int j = 0; j <= p.ny; ++j) {
        for (int i = 0; i <= p.nx; ++i) {
            const auto v = static_cast<std::size_t>(p.vertex(i, j));
            p.vx[v] = p.x_lines[static_cast<std::size_t>(i)] +
                      (p.x_road[static_cast<std::size_t>(i)] < 0 ? lat.uniform(-k_jitter, k_jitter) : 0.0);
            p.vy[v] = p.y_lines[static_cast<std::size_t>(j)] +
                      (p.y_road[static_cast<std::size_t>(j)] < 0 ? lat.uniform(-k_jitter, k_jitter) : 0.0);
        }
    }

    // Townships and communities: rectangles of road blocks.
    Rng zones(derive(seed, tag_zones, static_cast<std::uint64_t>(attempt)));
    const int bx = static_cast<int>(xr.size()) - 1;
    const int by = static_cast<int>(yr.size()) - 1;
    std::vector<double> bcol(static_cast<std::size_t>(bx)), brow(static_cast<std::size_t>(by));
    for (int b = 0; b < bx; ++b) {
        bcol[static_cast<std::size_t>(b)] = p.x_lines[static_cast<std::size_t>(xr[static_cast<std::size_t>(b) + 1])] -
                                            p.x_lines[static_cast<std::size_t>(xr[static_cast<std::size_t>(b)])];
    }
    for (int b = 0; b < by; ++b) {
        brow[static_cast<std::size_t>(b)] = p.y_lines[static_cast<std::size_t>(yr[static_cast<std::size_t>(b)])] -
                                            p.y_lines[static_cast<std::size_t>(yr[static_cast<std::size_t>(b) + 1])];
    }
    auto block_to_cells = [&](const Rect& b) {
        return Rect{xr[static_cast<std::size_t>(b.i0)], yr[static_cast<std::size_t>(b.j0)], xr[static_cast<std::size_t>(b.i1)],
                    yr[static_cast<std::size_t>(b.j1)]};
    };
    auto sub = [](const std::vector<double>& v, int a, int b) {
        return std::vector<double>(v.begin() + a, v.begin() + b);
    };
    const int cells_total = p.nx * p.ny;
    const int n_communities = std::max(1, static_cast<int>(std::lround(cells_total / k_cells_per_community)));
    const int n_townships =
        std::clamp(static_cast<int>(std::lround(n_communities / k_communities_per_township)), 1, 180);
    const Rect all_blocks{0, 0, bx, by};
    std::vector<std::pair<Rect, Rect>> community_blocks; // (blocks, cells)
    for (const Rect& tb : partition_rows(all_blocks, n_townships, bcol, brow, zones)) {
        TownshipPlan t;
        t.cells = block_to_cells(tb);
        const int k = std::max(1, static_cast<int>(std::lround(static_cast<double>(n_communities) * t.cells.area() / cells_total)));
        for (const Rect& cb : partition_rows(tb, k, sub(bcol, tb.i0, tb.i1), sub(brow, tb.j0, tb.j1), zones)) {
            CommunityPlan c;
            c.cells = block_to_cells(cb);
            c.township = static_cast<int>(p.townships.size());
            t.communities.push_back(static_cast<int>(p.communities.size()));
            p.communities.push_back(c);
            community_blocks.emplace_back(cb, c.cells);
        }
        p.townships.push_back(std::move(t));
    }

    // Grids (strips of 3-6 cells) and micro-grids (one per cell), in sequence order.
    Rng grids(derive(seed, tag_grids, static_cast<std::uint64_t>(attempt)));
    p.cells.assign(static_cast<std::size_t>(cells_total), CellPlan{});
    for (std::size_t c = 0; c < p.communities.size(); ++c) {
        for (const Rect& g : partition_grids(p.communities[c].cells, grids)) {
            GridPlan gp;
            gp.cells = g;
            gp.community = static_cast<int>(c);
            const int gi = static_cast<int>(p.grids.size());
            for (int j = g.j0; j < g.j1; ++j) {
                for (int i = g.i0; i < g.i1; ++i) {
                    CellPlan& cell = p.cells[static_cast<std::size_t>(p.cell(i, j))];
                    cell.grid = gi;
                    cell.microgrid = static_cast<int>(p.microgrid_cell.size());
                    gp.microgrids.push_back(cell.microgrid);
                    p.microgrid_cell.push_back(p.cell(i, j));
                }
            }
            p.communities[c].grids.push_back(gi);
            p.grids.push_back(std::move(gp));
        }
    }

    // Households: grids first (within the strictest bounds the total allows), then cells.
    std::vector<int> cells_per_grid;
    for (const auto& g : p.grids) {
        cells_per_grid.push_back(g.cells.area());
    }
    std::vector<int> lo, hi;
    int level = 0;
    while (level < 3 && !grid_bounds(cells_per_grid, total, level, lo, hi)) {
        ++level;
    }
    if (level == 3) {
        feasible.direction = total < 50L * cells_total ? -1 : 1;
        return p;
    }
    Rng hh(derive(seed, tag_households, static_cast<std::uint64_t>(attempt)));
    const auto per_grid = allocate(static_cast<int>(total), lo, hi, hh);
    for (std::size_t g = 0; g < p.grids.size(); ++g) {
        const auto& mg = p.grids[g].microgrids;
        const std::vector<int> clo(mg.size(), 50), chi(mg.size(), 100);
        const auto per_cell = allocate(per_grid[g], clo, chi, hh);
        for (std::size_t k = 0; k < mg.size(); ++k) {
            p.cells[static_cast<std::size_t>(p.microgrid_cell[static_cast<std::size_t>(mg[k])])].households = per_cell[k];
        }
    }

    // Compounds: each road block is one compound or 2-3 strips across its longer side, so
    // every compound fronts at least two roads.
    Rng comp(derive(seed, tag_compounds, static_cast<std::uint64_t>(attempt)));
    for (std::size_t c = 0; c < p.communities.size(); ++c) {
        const Rect& cb = community_blocks[c].first;
        for (int bj = cb.j0; bj < cb.j1; ++bj) {
            for (int bi = cb.i0; bi < cb.i1; ++bi) {
                const Rect block = block_to_cells({bi, bj, bi + 1, bj + 1});
                const bool along_x = block.width() > block.height() || (block.width() == block.height() && comp.chance(0.5));
                const int len = along_x ? block.width() : block.height();
                std::vector<int> cuts{0};
                if (len >= 3 && comp.chance(0.2)) {
                    const int a = comp.range(1, len - 2);
                    cuts.push_back(a);
                    cuts.push_back(comp.range(a + 1, len - 1));
                } else if (len >= 2 && comp.chance(0.5)) {
                    cuts.push_back(comp.range(1, len - 1));
                }
                cuts.push_back(len);
                for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
                    CompoundPlan cp;
                    cp.cells = along_x ? Rect{block.i0 + cuts[k], block.j0, block.i0 + cuts[k + 1], block.j1}
                                       : Rect{block.i0, block.j0 + cuts[k], block.i1, block.j0 + cuts[k + 1]};
                    cp.community = static_cast<int>(c);
                    cp.towers = comp.chance(0.3);
                    p.communities[c].compounds.push_back(static_cast<int>(p.compounds.size()));
                    p.compounds.push_back(cp);
                }
            }
        }
    }
    for (auto& cp : p.compounds) {
        const Rect& r = cp.cells;
        auto inset = [&](bool vertical, int index) {
            const double h = p.road_half_width(vertical, index);
            return h > 0 ? h + 4.0 : p.jitter + 2.0;
        };
        cp.box = {p.x_lines[static_cast<std::size_t>(r.i0)] + inset(true, r.i0),
                  p.y_lines[static_cast<std::size_t>(r.j1)] + inset(false, r.j1),
                  p.x_lines[static_cast<std::size_t>(r.i1)] - inset(true, r.i1),
                  p.y_lines[static_cast<std::size_t>(r.j0)] - inset(false, r.j0)};
        for (int j = r.j0; j < r.j1; ++j) {
            for (int i = r.i0; i < r.i1; ++i) {
                p.cells[static_cast<std::size_t>(p.cell(i, j))].compound = static_cast<int>(&cp - p.compounds.data());
            }
        }
    }
    feasible.direction = 0;
    return p;
}

// Road names and segments (a long road changes name every few km: 海陵北路, 海陵南路), the gate
// of each compound and its door number on that road.
void name_roads(Plan& p) {
    Rng rng(derive(p.options.seed, tag_names, 1));
    NamePool ns = road_names(true, derive(p.options.seed, tag_names, 2));
    NamePool ew = road_names(false, derive(p.options.seed, tag_names, 3));
    std::set<std::string> used;
    for (std::size_t l = 0; l < p.road_lines.size(); ++l) {
        const RoadLine& line = p.road_lines[l];
        // Block lines along the road: segment ends must be on them.
        std::vector<int> stops;
        const auto& cross = line.vertical ? p.y_road : p.x_road;
        for (std::size_t k = 0; k < cross.size(); ++k) {
            if (cross[k] >= 0) {
                stops.push_back(static_cast<int>(k));
            }
        }
        const auto& lines = line.vertical ? p.y_lines : p.x_lines;
        const double length = std::abs(lines.back() - lines.front());
        const int segments =
            std::clamp(static_cast<int>(std::lround(length / 2500.0)), 1, std::min(3, static_cast<int>(stops.size()) - 1));
        // The two pools share words: a base is used once (海陵路 and 海陵西路 would confuse).
        std::string base = line.vertical ? ns.next() : ew.next();
        while (!used.insert(base).second) {
            base = line.vertical ? ns.next() : ew.next();
        }
        static const char* const ns_suffix[3][3] = {{"路", "", ""}, {"北路", "南路", ""}, {"北路", "中路", "南路"}};
        static const char* const ew_suffix[3][3] = {{"路", "", ""}, {"西路", "东路", ""}, {"西路", "中路", "东路"}};
        for (int s = 0; s < segments; ++s) {
            RoadSegment seg;
            seg.name = base + (line.vertical ? ns_suffix : ew_suffix)[segments - 1][s];
            seg.kind = line.major ? "主干路" : "次干路";
            seg.line = static_cast<int>(l);
            const int n_stops = static_cast<int>(stops.size()) - 1;
            seg.k0 = stops[static_cast<std::size_t>(n_stops * s / segments)];
            seg.k1 = stops[static_cast<std::size_t>(n_stops * (s + 1) / segments)];
            p.segments.push_back(std::move(seg));
        }
    }
    // Gates: a road side of the compound, longer sides more likely.
    for (auto& cp : p.compounds) {
        const Rect& r = cp.cells;
        struct Option {
            Side side;
            int line;       // road line index
            double length;
        };
        std::vector<Option> options;
        const double w = cp.box[2] - cp.box[0];
        const double h = cp.box[3] - cp.box[1];
        if (p.y_road[static_cast<std::size_t>(r.j0)] >= 0) {
            options.push_back({north, p.y_road[static_cast<std::size_t>(r.j0)], w});
        }
        if (p.y_road[static_cast<std::size_t>(r.j1)] >= 0) {
            options.push_back({south, p.y_road[static_cast<std::size_t>(r.j1)], w});
        }
        if (p.x_road[static_cast<std::size_t>(r.i0)] >= 0) {
            options.push_back({west, p.x_road[static_cast<std::size_t>(r.i0)], h});
        }
        if (p.x_road[static_cast<std::size_t>(r.i1)] >= 0) {
            options.push_back({east, p.x_road[static_cast<std::size_t>(r.i1)], h});
        }
        std::vector<double> weights;
        for (const auto& o : options) {
            weights.push_back(o.length);
        }
        const Option& o = options[rng.weighted(weights)];
        cp.door = o.side;
        const bool vertical = o.side == east || o.side == west;
        const int a = vertical ? r.j0 : r.i0;
        const int b = vertical ? r.j1 : r.i1;
        for (std::size_t s = 0; s < p.segments.size(); ++s) {
            const auto& seg = p.segments[s];
            if (seg.line == o.line && seg.k0 <= a && b <= seg.k1) {
                cp.segment = static_cast<int>(s);
                break;
            }
        }
        if (cp.segment < 0) {
            throw error("synth: internal error: compound " + cp.name + " has no road segment at its gate");
        }
        const auto& seg = p.segments[static_cast<std::size_t>(cp.segment)];
        // Numbers grow west to east and north to south from the segment's start, odd on the
        // north/west side of the road, even on the south/east side; 30 m per number pair.
        const double pos = vertical ? p.y_lines[static_cast<std::size_t>(seg.k0)] - cp.box[3]
                                    : cp.box[0] - p.x_lines[static_cast<std::size_t>(seg.k0)];
        const bool odd = o.side == south || o.side == east; // the compound lies north/west of the road
        const int n = 2 * static_cast<int>(std::floor(std::max(0.0, pos) / 30.0)) + (odd ? 1 : 2);
        cp.number = std::to_string(n) + "号";
    }
}

// Codes and names of townships, communities, grids and micro-grids; grid workers; outlines.
void name_zones(Plan& p) {
    Rng rng(derive(p.options.seed, tag_people, 0));
    NamePool communities = community_names(derive(p.options.seed, tag_names, 4));
    NamePool compounds = compound_names(derive(p.options.seed, tag_names, 5));
    for (std::size_t t = 0; t < p.townships.size(); ++t) {
        auto& tp = p.townships[t];
        const Township name = township_name(static_cast<int>(t), p.options.seed);
        tp.code = "321202" + pad3(name.seq);
        tp.name = name.name;
        int seq = 0;
        for (int c : tp.communities) {
            auto& cp = p.communities[static_cast<std::size_t>(c)];
            cp.code = tp.code + pad3(++seq);
            cp.name = communities.next() + "社区";
        }
    }
    for (auto& cp : p.compounds) {
        cp.name = compounds.next();
    }
    p.grid_rows.resize(p.grids.size());
    p.microgrid_rows.resize(p.microgrid_cell.size());
    for (const auto& cp : p.communities) {
        int gseq = 0;
        for (int g : cp.grids) {
            const GridPlan& gp = p.grids[static_cast<std::size_t>(g)];
            GridRow& row = p.grid_rows[static_cast<std::size_t>(g)];
            ++gseq;
            row.code = codes::make_grid_code(cp.code, gseq);
            row.name = "第" + std::to_string(gseq) + "网格";
            row.kind = "基础网格";
            row.community_code = cp.code;
            row.leader = person_name(rng, rng.chance(0.4));
            row.leader_phone = phone_number(rng);
            row.geom = outline(p, gp.cells);
            int mseq = 0;
            for (int m : gp.microgrids) {
                MicroGridRow& mr = p.microgrid_rows[static_cast<std::size_t>(m)];
                ++mseq;
                mr.code = codes::make_microgrid_code(row.code, mseq);
                mr.grid_code = row.code;
                mr.name = row.name + "第" + std::to_string(mseq) + "微网格";
                mr.leader = person_name(rng, rng.chance(0.5));
                mr.leader_phone = phone_number(rng);
                const int cell = p.microgrid_cell[static_cast<std::size_t>(m)];
                const Rect cr{cell % p.nx, cell / p.nx, cell % p.nx + 1, cell / p.nx + 1};
                mr.geom = outline(p, cr);
                mr.households = p.cells[static_cast<std::size_t>(cell)].households;
                row.households += mr.households;
            }
        }
    }
}

} // namespace

Plan make_plan(const Options& options) {
    options.check();
    double target = std::max(1.0, static_cast<double>(options.households) / k_mean_households);
    for (int attempt = 0; attempt < 40; ++attempt) {
        Feasibility f;
        Plan p = try_plan(options, target, attempt, f);
        if (f.direction == 0) {
            // Lattice vertices in the output CRS, each transformed once and rounded.
            crs::Transformer to_out(crs::CrsSpec{crs::CrsSpec::Kind::epsg, k_metric_epsg},
                                    crs::CrsSpec{crs::CrsSpec::Kind::epsg, options.srid});
            p.lx = p.vx;
            p.ly = p.vy;
            to_out.transform(p.lx, p.ly);
            for (std::size_t v = 0; v < p.lx.size(); ++v) {
                p.lx[v] = round9(p.lx[v]);
                p.ly[v] = round9(p.ly[v]);
            }
            name_zones(p);
            name_roads(p);
            return p;
        }
        target = f.direction < 0 ? std::max(1.0, target * 0.93 - 0.5) : target * 1.07 + 0.5;
    }
    throw error("synth: could not lay out " + std::to_string(options.households) + " households",
                "try another --households or --seed");
}

Batch zone_rows(const Plan& p) {
    Batch b;
    const Rect all{0, 0, p.nx, p.ny};
    b.divisions.push_back({"32", "江苏省", 1, "", "", {}});
    b.divisions.push_back({"3212", "泰州市", 2, "32", "", {}});
    b.divisions.push_back({"321202", "海陵区", 3, "3212", "", outline(p, all)});
    for (const auto& t : p.townships) {
        b.divisions.push_back({t.code, t.name, 4, "321202", "", outline(p, t.cells)});
    }
    for (const auto& t : p.townships) {
        const bool town = std::stoi(t.code.substr(6)) >= 100;
        for (int c : t.communities) {
            const auto& cp = p.communities[static_cast<std::size_t>(c)];
            b.divisions.push_back({cp.code, cp.name + "居民委员会", 5, t.code, town ? "121" : "111", outline(p, cp.cells)});
        }
    }
    b.grids = p.grid_rows;
    b.microgrids = p.microgrid_rows;
    for (const auto& seg : p.segments) {
        const RoadLine& line = p.road_lines[static_cast<std::size_t>(seg.line)];
        Ring ring;
        for (int k = seg.k0; k <= seg.k1; ++k) {
            const auto v = static_cast<std::size_t>(line.vertical ? p.vertex(line.index, k) : p.vertex(k, line.index));
            ring.push_back({p.lx[v], p.ly[v]});
        }
        b.roads.push_back({seg.name, seg.kind, {std::move(ring)}});
    }
    crs::Transformer to_out(crs::CrsSpec{crs::CrsSpec::Kind::epsg, k_metric_epsg},
                            crs::CrsSpec{crs::CrsSpec::Kind::epsg, p.options.srid});
    for (const auto& cp : p.compounds) {
        std::vector<double> xs{cp.box[0], cp.box[2], cp.box[2], cp.box[0]};
        std::vector<double> ys{cp.box[1], cp.box[1], cp.box[3], cp.box[3]};
        to_out.transform(xs, ys);
        Ring ring;
        for (std::size_t k = 0; k < 4; ++k) {
            ring.push_back({round9(xs[k]), round9(ys[k])});
        }
        ring.push_back(ring.front());
        b.compounds.push_back({cp.name, p.communities[static_cast<std::size_t>(cp.community)].code, {{std::move(ring)}}});
    }
    return b;
}

} // namespace grid::synth::detail

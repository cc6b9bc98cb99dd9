// Internals of the synth module: random streams, the name pools, and the plan
// of a district (lattice, roads, zones, compounds) that the row generator fills with buildings.
#pragma once

#include "detail/random.hpp"
#include "libgrid/synth.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace grid::synth::detail {

// --- random numbers ---------------------------------------------------------------------------

/// splitmix64 as a pure function: a good 64-bit mix.
inline std::uint64_t mix64(std::uint64_t z) noexcept { return grid::detail::splitmix64(z); }

/// A seed derived from the run's seed, a tag and up to two indices (independent streams).
inline std::uint64_t derive(std::uint64_t seed, std::uint64_t tag, std::uint64_t a = 0, std::uint64_t b = 0) noexcept {
    return mix64(mix64(mix64(seed ^ mix64(tag)) ^ a) + b);
}

using grid::detail::Rng;

// --- names ------------------------------------------------------------------------------------

struct Township {
    int seq = 0;        ///< 3-digit township part of the code: 001-099 街道, 100-199 镇
    std::string name;   ///< 京泰路街道
};

/// Township number k (0-based) of the district: 京泰路街道 (007) first, then the other streets and towns.
Township township_name(int k, std::uint64_t seed);

/// Picks names without repeating: base words from pools, then qualified variants.
class NamePool {
public:
    /// `first` are used in order before the shuffled `pool` (never repeated).
    NamePool(std::vector<std::string> first, std::vector<std::string> pool, std::vector<std::string> qualifiers,
             std::uint64_t seed);
    /// The next unused name (base + qualifier); a number is appended once the pool runs out.
    std::string next();

private:
    std::vector<std::string> m_first;
    std::vector<std::string> m_pool;
    std::vector<std::string> m_qualifiers;
    std::size_t m_next_first = 0;
    std::size_t m_index = 0;
};

NamePool community_names(std::uint64_t seed);          ///< 十里铺, 迎春, ... (add 社区)
NamePool road_names(bool north_south, std::uint64_t seed); ///< road bases: 海陵, 青年 / 迎春, 济川
NamePool compound_names(std::uint64_t seed);           ///< 翠竹苑, 凤凰花园, 春晖小区 ...

/// A person's name: surname + 1 or 2 given characters.
std::string person_name(Rng& rng, bool male);
/// A mobile number 1[3-9]x xxxx xxxx.
std::string phone_number(Rng& rng);
/// Name of organisation number `index` of the district (distinct indices give distinct names):
/// 泰州市海陵区鑫源商贸有限公司 for a company, 海陵区鑫源商行 for an individual business.
std::string org_name(std::uint64_t index, bool company);

/// Chinese numeral for 1..99 (一, 十二, ...).
std::string chinese_number(int n);

// --- the plan -----------------------------------------------------------------------------------

/// A rectangle of lattice cells: columns [i0, i1), rows [j0, j1), row 0 at the north.
struct Rect {
    int i0 = 0, j0 = 0, i1 = 0, j1 = 0;
    int width() const noexcept { return i1 - i0; }
    int height() const noexcept { return j1 - j0; }
    int area() const noexcept { return width() * height(); }
};

enum Side { north = 0, east = 1, south = 2, west = 3 };

struct RoadLine {
    bool vertical = false;
    int index = 0;          ///< lattice line
    bool major = false;     ///< 主干路
    double half_width = 0;  ///< metres
};

struct RoadSegment {
    std::string name;
    std::string kind;
    int line = 0;           ///< index into Plan::road_lines
    int k0 = 0, k1 = 0;     ///< lattice line range along the road (rows for vertical, columns for horizontal)
};

struct CompoundPlan {
    std::string name;
    Rect cells;
    int community = 0;
    bool towers = false;    ///< 高层 towers, else 多层 slabs
    Side door = south;      ///< the road side the gate faces
    int segment = -1;       ///< road segment of the gate
    std::string number;     ///< door number: 18号
    std::array<double, 4> box{}; ///< metric outline: minx, miny, maxx, maxy
};

struct CellPlan {
    int compound = -1;
    int grid = -1;          ///< index into Plan::grids
    int microgrid = -1;     ///< index into Plan::microgrids
    int households = 0;
};

struct GridPlan {
    Rect cells;
    int community = 0;
    std::vector<int> microgrids; ///< indices into Plan::microgrids, in sequence order
};

struct CommunityPlan {
    Rect cells;
    int township = 0;
    std::string code;       ///< 12 digits
    std::string name;       ///< 十里铺社区 (the address component)
    std::vector<int> grids;
    std::vector<int> compounds;
};

struct TownshipPlan {
    Rect cells;
    std::string code;       ///< 9 digits
    std::string name;
    std::vector<int> communities;
};

/// The layout of a district: everything but the buildings and what is in them.
struct Plan {
    Options options;
    int nx = 0, ny = 0;
    std::vector<double> x_lines;    ///< nx+1 nominal x of vertical lines (metric, west to east)
    std::vector<double> y_lines;    ///< ny+1 nominal y of horizontal lines (metric, north to south: decreasing)
    std::vector<int> x_road;        ///< per vertical line: index into road_lines or -1
    std::vector<int> y_road;
    std::vector<RoadLine> road_lines;
    std::vector<RoadSegment> segments;
    std::vector<double> vx, vy;     ///< jittered lattice vertices, metric, index j * (nx+1) + i
    std::vector<double> lx, ly;     ///< the same in the output CRS
    std::vector<TownshipPlan> townships;
    std::vector<CommunityPlan> communities;
    std::vector<GridPlan> grids;
    std::vector<CompoundPlan> compounds;
    std::vector<CellPlan> cells;    ///< index j * nx + i
    std::vector<MicroGridRow> microgrid_rows;
    std::vector<GridRow> grid_rows;
    std::vector<int> microgrid_cell; ///< cell index of each micro-grid
    double jitter = 0;              ///< largest perpendicular move of an interior lattice vertex (m)

    int vertex(int i, int j) const noexcept { return j * (nx + 1) + i; }
    int cell(int i, int j) const noexcept { return j * nx + i; }
    /// Half width of the road on line `index` (vertical or not), 0 when it is no road.
    double road_half_width(bool vertical, int index) const noexcept;
    /// The inner rectangle where a cell's buildings may stand (metric minx, miny, maxx, maxy).
    std::array<double, 4> building_area(int i, int j) const noexcept;
};

/// Lays out a district for the options (deterministic).
Plan make_plan(const Options& options);

/// The zone rows of the plan: divisions, grids, micro-grids, roads, compounds.
Batch zone_rows(const Plan& plan);

/// Buildings, addresses, houses, persons and organisations of community `c`.
Batch community_rows(const Plan& plan, int c);

/// What must be unique across the district, given in the order communities are handed out:
/// resident IDs (a repeated one gets the next free sequence of the same sex and birth date)
/// and organisation names and USCCs (numbered through the district).
class Finisher {
public:
    explicit Finisher(std::size_t expected_persons);
    void finish(Batch& batch);

private:
    bool insert(std::uint64_t key);
    std::vector<std::uint64_t> m_slots; ///< open addressing; 0 = empty
    std::size_t m_count = 0;
    std::uint64_t m_orgs = 0;
};

/// Rounds a coordinate to 1e-9 (what the files hold), so files and workspaces agree exactly.
inline double round9(double v) noexcept { return std::round(v * 1e9) / 1e9; }

} // namespace grid::synth::detail

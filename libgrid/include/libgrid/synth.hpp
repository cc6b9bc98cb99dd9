// Deterministic synthetic districts for tests, demos and benchmarks at any size: a city laid out
// in Taizhou 海陵区 (Jiangsu, CGCS2000) with townships, communities, grids and micro-grids that
// tile each other exactly, named roads with door numbers, compounds, buildings with floors and
// units, standard addresses, houses (some rented), residents with valid resident IDs and
// organisations with valid social credit codes (docs/cli/gridkit-synth.md).
//
// Everything follows from (households, seed): the same pair gives the same rows, byte for byte,
// whatever the number of threads. Geometry is generated in a metric frame (CGCS2000 3-degree
// Gauss-Kruger zone 40, EPSG:4528) and transformed to the output CRS (EPSG:4490 by default),
// with coordinates rounded to 1e-9 degrees so that files and workspaces hold the same numbers.
#pragma once

#include "libgrid/geometry.hpp"
#include "libgrid/progress.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::synth {

/// Smallest and largest --households accepted (one micro-grid's worth; a large city).
constexpr std::int64_t min_households = 50;
constexpr std::int64_t max_households = 5'000'000;

struct Options {
    std::int64_t households = 0; ///< exact number of households (occupied dwellings) to generate
    std::uint64_t seed = 1;
    int srid = 4490;             ///< EPSG code of the output coordinates
    unsigned threads = 0;        ///< generation threads; 0 = one per core (the result does not depend on it)
    progress_fn progress;        ///< stage "synth": households done of households

    /// Throws grid::usage_error when households is outside [min_households, max_households].
    void check() const;
};

/// A ring or line: coordinates in the output CRS.
using Ring = std::vector<geom::Point>;
/// Polygon: rings[0] is the exterior (counter-clockwise), no holes are generated.
using Polygon = std::vector<Ring>;
using MultiPolygon = std::vector<Polygon>;
using MultiLine = std::vector<Ring>;

// One struct per workspace layer; members are named and ordered like the columns of
// schemas/workspace.sql (the `id` column is left to the database).

struct DivisionRow {
    std::string code;
    std::string name;
    int level = 0;
    std::string parent_code;
    std::string urban_rural;
    MultiPolygon geom; ///< empty for province and city
};

struct GridRow {
    std::string code;
    std::string name;
    std::string kind;
    std::string community_code;
    std::string leader;
    std::string leader_phone;
    MultiPolygon geom;
    std::int64_t households = 0; ///< not a column: the sum over its micro-grids
};

struct MicroGridRow {
    std::string code;
    std::string grid_code;
    std::string name;
    std::string leader;
    std::string leader_phone;
    MultiPolygon geom;
    std::int64_t households = 0; ///< not a column: occupied dwellings of its buildings
};

struct BuildingRow {
    std::string code;
    std::string name;
    std::string compound;
    std::string community_code;
    int floors = 0;
    int units = 0;
    int households = 0;
    std::string use;
    std::string grid_code;
    std::string microgrid_code;
    MultiPolygon geom;
    geom::Point location; ///< GEOS point on surface of geom
};

struct AddressRow {
    std::string code;
    std::string text;
    std::string province, city, county, township, community, road, number, compound, building, unit, floor, room;
    std::string level; ///< building / room
    std::string building_code;
    std::string grid_code;
    std::string microgrid_code;
    geom::Point geom;
};

struct HouseRow {
    std::string code;
    std::string address_code;
    std::string use;
    int rental = 0;
    double area = 0;
    std::string status;
    int occupied = 1;
    std::string grid_code;
    std::string microgrid_code;
};

struct PersonRow {
    std::string id_number;
    std::string name;
    std::string phone;
    std::string house_code;
    std::string kind;
    int tenant = 0;
};

struct OrgRow {
    std::string uscc;
    std::string name;
    std::string address_code;
    std::string type;
    std::string contact;
    std::string phone;
};

struct RoadRow {
    std::string name;
    std::string kind;
    MultiLine geom;
};

struct CompoundRow {
    std::string name;
    std::string community_code;
    MultiPolygon geom;
};

/// A piece of the dataset. generate() hands the zones first (division ... compound), then the
/// buildings and everything in them one community at a time.
struct Batch {
    std::vector<DivisionRow> divisions;
    std::vector<GridRow> grids;
    std::vector<MicroGridRow> microgrids;
    std::vector<RoadRow> roads;
    std::vector<CompoundRow> compounds;
    std::vector<BuildingRow> buildings;
    std::vector<AddressRow> addresses;
    std::vector<HouseRow> houses;
    std::vector<PersonRow> persons;
    std::vector<OrgRow> orgs;
};

/// Rows per layer ("division", "grid", ...) and the households generated.
struct Counts {
    std::map<std::string, std::int64_t> layers;
    std::int64_t households = 0;
    void add(const Batch& batch);
};

/// Streams the dataset to `sink`, batch by batch, in a fixed order. Batches come from the
/// calling thread; generation itself may run on options.threads threads.
Counts generate(const Options& options, const std::function<void(Batch&&)>& sink);

/// The whole dataset in memory (for tests and small districts).
Batch generate(const Options& options);

/// Writes the dataset into an open, empty workspace, in one transaction, and rebuilds the
/// spatial indexes. Throws usage_error when the workspace already holds zones or buildings.
Counts insert(const Workspace& ws, const Options& options);

/// Creates the workspace `path` (built beside it and moved into place when complete). An
/// existing file is an io_error unless `overwrite`.
Counts write_workspace(const std::string& path, const Options& options, bool overwrite);

/// Writes the folder `dir` of import files: <layer>.geojson for division, grid, microgrid,
/// building, road, compound (EPSG:4490 only) and GB18030 <layer>.csv for address (with lng,
/// lat), house, person, org, plus README.txt. An existing `dir` is an io_error unless
/// `overwrite` (then only these files are replaced).
Counts write_folder(const std::string& dir, const Options& options, bool overwrite);

/// The files write_folder() writes, in order.
const std::vector<std::string>& folder_files();

/// True when `out` names a workspace (ends in .sqlite), false for a folder.
bool is_workspace_path(const std::string& out);

} // namespace grid::synth

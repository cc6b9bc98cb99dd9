// Redistricting (design/REDISTRICT.md): cut one grid into micro-grids of [min, max] households.
//
// Two layers:
//  - the partitioner works on an atom graph (buildings or address groups with a household count,
//    a position in metres, the area of their cell and the boundary length they share with each
//    neighbour) and needs no geometry library;
//  - the geometry layer draws the cells (Voronoi cells of the atoms' footprints, clipped to the
//    parent grid, cut by barriers), derives the atom graph from them, and dissolves the cells of
//    each zone into its polygon, so the zones tile the parent exactly.
//
// Hard rules: bounds, contiguity, whole atoms. Soft: barriers (strongly penalised), compactness
// (Polsby-Popper of the cell unions), change against the current plan, households near the middle
// of the bounds. Every decision is taken in integer arithmetic on quantised inputs (centimetres,
// square centimetres) with our own PRNG, so the same input and seed give the same plan on any machine.
#pragma once

#include "libgrid/geometry.hpp"
#include "libgrid/map.hpp"
#include "libgrid/progress.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::redistrict {

/// One indivisible unit of the plan: a building (or a group of addresses of one building).
struct Atom {
    std::string id;                ///< building code or any stable id (used in messages)
    std::int64_t households = 0;   ///< >= 0
    double x = 0;                  ///< position in metres (a metric CRS)
    double y = 0;
    double footprint_area = 0;     ///< m², 0 for a point (informative)
    double cell_area = 0;          ///< m² of the atom's cell in the tiling; 0 when no geometry is known
    double outer_length = 0;       ///< m of the cell's boundary on the parent outline
    std::string current_zone;      ///< code of the micro-grid the atom is in now; "" for none
    bool locked = false;           ///< its current micro-grid is locked: kept exactly as it is
};

/// Two atoms whose cells touch.
struct Edge {
    std::size_t a = 0;
    std::size_t b = 0;
    double shared_length = 0; ///< m of common cell boundary; 0 when no geometry is known
    bool barrier = false;     ///< a road, river or wall runs between the two atoms
};

struct AtomGraph {
    std::vector<Atom> atoms;
    std::vector<Edge> edges;
};

struct Options {
    std::int64_t min_households = 50;
    std::int64_t max_households = 100;
    std::uint64_t seed = 1;
    /// Local-search effort in sweeps over the atoms (deterministic: counted, not timed).
    int sweeps = 40;
    /// Penalties in Polsby-Popper units (a zone's compactness term is 1 - PP, in [0, 1]).
    double barrier_penalty = 10.0; ///< per pair of neighbouring atoms on both sides of a barrier in one zone
    double move_penalty = 0.05;    ///< per household that leaves its current micro-grid
    double balance_penalty = 0.02; ///< for a zone at a bound; quadratic from the middle of the bounds
    /// A current plan that already meets every hard rule is returned unchanged (rule 6).
    bool keep_feasible_current = true;
};

enum class ViolationKind {
    atom_over_max,   ///< one atom holds more than max households: it is a micro-grid of its own
    below_min,       ///< a micro-grid holds fewer than min households
    above_max,       ///< a micro-grid of several atoms holds more than max households
    not_contiguous,  ///< a micro-grid is in pieces (only a locked one can be)
    crosses_barrier, ///< soft: a micro-grid holds atoms on both sides of a barrier
};
/// "atom_over_max", "below_min", ...
std::string_view violation_name(ViolationKind kind) noexcept;

struct Violation {
    ViolationKind kind = ViolationKind::below_min;
    bool hard = true;                ///< false for crosses_barrier
    std::size_t zone = 0;            ///< index into Plan::zones
    std::vector<std::size_t> atoms;  ///< the atoms that cause it (indices into AtomGraph::atoms)
    std::int64_t households = 0;     ///< households of the zone (or of the atom for atom_over_max)
    std::string message;             ///< one line naming the atoms by id and saying why
};

struct Zone {
    std::vector<std::size_t> atoms; ///< sorted atom indices
    std::int64_t households = 0;
    bool locked = false;            ///< a locked current micro-grid, kept as it is
    std::string current;            ///< the current micro-grid it continues (one-to-one, largest overlap); "" if new
};

struct Plan {
    std::vector<std::size_t> zone_of; ///< per atom: index into zones
    std::vector<Zone> zones;          ///< ordered by their first atom
    std::vector<Violation> violations;
    bool kept_current = false;        ///< the current plan met every hard rule and was returned unchanged
    bool feasible() const noexcept;   ///< no hard violation
};

/// Cuts the atoms into zones. Throws grid::usage_error on bad options or a malformed graph
/// (edge to a missing atom, negative households, locked atom without a current micro-grid).
Plan partition(const AtomGraph& graph, const Options& options);

/// Which zone of `to` continues which zone of `from`: one-to-one, greedily by largest household
/// overlap (then atom count). Labels are per atom, -1 for none. Returns, per `to` label, the
/// matched `from` label or -1; `overlap` (optional) receives the matched households per `to` label.
std::vector<long> match_zones(const std::vector<long>& from, const std::vector<long>& to,
                              const std::vector<std::int64_t>& households, std::vector<std::int64_t>* overlap = nullptr);

/// The measures of design/REDISTRICT.md that the atom graph determines.
struct Measures {
    std::size_t zones = 0;
    std::int64_t households = 0;
    std::int64_t households_min = 0;
    double households_mean = 0;
    std::int64_t households_max = 0;
    std::size_t zones_below_min = 0;
    std::size_t zones_above_max = 0; ///< including single atoms over max
    std::size_t atoms_over_max = 0;
    double contiguity_pct = 100;     ///< zones in one piece (graph connectivity), %
    double polsby_popper_mean = 0;   ///< 4πA/P² of the cell unions (from cell areas and shared lengths)
    double polsby_popper_min = 0;
    std::size_t cut_edges = 0;       ///< neighbouring atoms in different zones
    double cut_length_m = 0;
    std::size_t barrier_crossings = 0; ///< barrier edges inside a zone
    std::int64_t moved_households = 0; ///< against the current plan, after one-to-one matching
    double moved_pct = 0;              ///< of the households that had a current micro-grid
};
/// Measures of any labelling (zone_of[i] in [0, zone count)); works for other tools' partitions too.
Measures measure(const AtomGraph& graph, const std::vector<std::size_t>& zone_of, const Options& options);

/// Codes for the zones of a plan (design/CODES.md): a zone that continues a current micro-grid of this
/// grid (Zone::current, an 18-digit code under grid_code) keeps its code; the others get grid_code + sequence after the highest existing one (the larger of
/// `highest_sequence` and the sequences of the current codes under grid_code), numbered west→east in
/// rows from north to south. Throws grid::usage_error when grid_code is not a 15-digit grid code or
/// the sequence runs past 999.
std::vector<std::string> assign_codes(const AtomGraph& graph, const Plan& plan, std::string_view grid_code,
                                      int highest_sequence = 0);

// ---------------------------------------------------------------------------------------------
// Geometry layer (GEOS). All coordinates in metres.

/// One atom as drawn: a footprint POLYGON/MULTIPOLYGON or a POINT, with its data.
struct AtomShape {
    std::string id;
    std::int64_t households = 0;
    geom::Geometry shape;
    std::string current_zone;
    bool locked = false;
};

/// The tiling cells of a grid and the atom graph derived from them.
struct Cells {
    AtomGraph graph;                  ///< atoms with positions, cell areas, outer lengths; edges with lengths, barrier flags
    std::vector<geom::Geometry> cells; ///< per atom: its cell (POLYGON or MULTIPOLYGON), together tiling the parent
};

/// Draws one cell per atom so that the cells tile `parent` exactly and every footprint lies wholly in
/// its own cell: Voronoi cells of points sampled on the footprints, clipped to the parent, with the
/// footprints cut out of their neighbours' cells. Barriers (lines or polygons, may be null) mark the
/// graph edges they cross. Throws grid::geometry_error naming the atom whose shape is unusable.
Cells build_cells(const GEOSGeometry* parent, const std::vector<AtomShape>& atoms, const GEOSGeometry* barriers);

/// Dissolves the cells of each zone into one (MULTI)POLYGON per zone.
std::vector<geom::Geometry> dissolve(const Cells& cells, const std::vector<std::size_t>& zone_of, std::size_t zone_count);

/// Whether zone polygons tile a parent and hold their atoms' footprints.
struct Tiling {
    double parent_area = 0;
    double zones_area_sum = 0;
    double union_area = 0;
    double max_relative_error = 0;  ///< max of |sum - parent| and |union - parent| over parent
    double overlap_area = 0;        ///< sum of pairwise intersection areas
    std::size_t zones_in_pieces = 0; ///< zones that are not one polygon
    std::size_t footprints_outside = 0; ///< atoms whose shape is not covered by their zone
    bool ok(double tolerance = 1e-6) const noexcept;
};
Tiling check_tiling(const GEOSGeometry* parent, const std::vector<geom::Geometry>& zones,
                    const std::vector<AtomShape>& atoms, const std::vector<std::size_t>& zone_of);

/// Polsby-Popper 4πA/P² of a polygon (0 for an empty one).
double polsby_popper(const GEOSGeometry* g);

// ---------------------------------------------------------------------------------------------
// Workspace layer: grids, buildings and micro-grids of a gridkit workspace.
//
// The atoms of a grid are the buildings recorded in it (building.grid_code; a building with no grid
// code counts in the grid holding its location). Households: occupied residential houses of the
// building, or building.households where it has no house rows (households.hpp). The current plan is
// building.microgrid_code. Work is done in the CGCS2000 Gauss-Kruger zone of the grid (or in the
// workspace CRS when it is projected); zones are written back in the workspace CRS.

struct RunOptions {
    std::vector<std::string> grids;  ///< grid codes to cut (ignored with all)
    bool all = false;                ///< every grid of the workspace
    Options options;
    std::string barriers;            ///< workspace layer whose features are barriers (e.g. road, compound); "" none
    std::vector<std::string> locked; ///< micro-grid codes kept exactly (members and outline)
    unsigned threads = 0;            ///< grids cut in parallel; 0 = one per core
    progress_fn progress;            ///< stage "redistrict": grids done of grids
};

struct ZoneResult {
    std::string code;
    std::int64_t households = 0;
    double area_m2 = 0;
    double polsby_popper = 0;
    bool kept = false;                  ///< continues the current micro-grid of this code
    bool locked = false;
    std::vector<std::string> members;   ///< building codes, sorted
    std::vector<unsigned char> wkb;     ///< MULTIPOLYGON in the workspace CRS
};

struct ViolationResult {
    ViolationKind kind = ViolationKind::below_min;
    bool hard = true;
    std::string zone_code;
    std::int64_t households = 0;
    std::vector<std::string> buildings; ///< building codes
    std::string message;                ///< names the buildings; zone numbers replaced by codes
};

struct GridResult {
    std::string grid_code;
    int metric_epsg = 0;                ///< the CRS the work was done in
    std::size_t buildings = 0;
    std::vector<std::string> skipped;   ///< buildings of the grid without footprint or location
    bool kept_current = false;
    Measures measures;
    Tiling tiling;
    std::vector<ZoneResult> zones;      ///< ordered by code
    std::vector<ViolationResult> violations;
    double seconds = 0;
    bool feasible() const noexcept;
};

/// Cuts the requested grids (in parallel). Reads only: nothing is written. Throws usage_error for
/// unknown grid or micro-grid codes or layers, geometry_error naming the building or grid whose
/// geometry is unusable.
std::vector<GridResult> redistrict_workspace(const Workspace& ws, const RunOptions& options);

/// The per-grid JSON document (zones, measures, violations): what `--json` prints and what the plan
/// table keeps as the result.
std::string result_json(const GridResult& result);
/// The parameters as JSON (min, max, seed, barriers, locked, sweeps).
std::string parameters_json(const RunOptions& options);

/// Writes the results in one transaction: for each grid the current micro-grids are recorded as a
/// snapshot plan, the new plan is recorded (plan, plan_zone, applied = 1), the grid's micro-grids
/// are replaced (kept codes updated, new ones inserted, vanished ones deleted; their codes stay
/// retired because plan_zone remembers them), and buildings, their addresses and houses get their
/// new micro-grid code; one audit row. Returns the new plan ids, one per grid.
std::vector<std::int64_t> apply_results(Workspace& ws, const std::vector<GridResult>& results, const RunOptions& options);

/// Writes the zones (layer microgrid_plan) and the violations (layer plan_violation) to a vector file
/// whose driver follows from the extension (.gpkg, .geojson, .shp, ...), in the workspace CRS. Written
/// to a temporary file and renamed; refuses to replace a file unless overwrite.
void write_plan_file(const std::string& path, const Workspace& ws, const std::vector<GridResult>& results,
                     bool overwrite);

/// Draws the plan before it is applied (`redistrict --preview`): the current micro-grids on the left,
/// the results' zones on the right, at one scale, in a PNG or SVG (map::render_side_by_side). The view
/// is the one grid cut, the box around several, or the whole workspace with `options.all`; zones are
/// coloured against the run's bounds. Call it before apply_results(): "before" is the workspace as it
/// is. Throws usage_error for a name that is not .png or .svg and io_error when the file exists and
/// not overwrite.
/// Throws usage_error unless `path` names a .png or .svg file (checked before any work is done).
void check_preview_path(const std::string& path);
map::MapResult write_preview(const Workspace& ws, const std::vector<GridResult>& results, const RunOptions& options,
                             const std::string& path, bool overwrite, const map::RenderOptions& render = {});

/// A recorded plan.
struct PlanRecord {
    std::int64_t id = 0;
    std::string created_at;
    std::string command;
    std::string grid_code;
    std::string parameters; ///< JSON
    std::string result;     ///< JSON
    bool applied = false;   ///< written to the workspace (a snapshot of what was there before is not)
    std::size_t zones = 0;
    std::int64_t households = 0;
};
struct PlanZoneRecord {
    std::string code;
    std::string grid_code;
    std::int64_t households = 0;
    std::vector<std::string> members;
    std::vector<unsigned char> wkb; ///< empty when the zone had no outline
};
/// Plans, newest first; only those of one grid when grid_code is given.
std::vector<PlanRecord> list_plans(const Workspace& ws, std::string_view grid_code = {});
/// One plan and its zones; throws usage_error when there is no such plan.
PlanRecord get_plan(const Workspace& ws, std::int64_t id, std::vector<PlanZoneRecord>* zones = nullptr);
/// Writes an earlier plan back (as apply_results does, snapshot first); returns the new plan id.
std::int64_t restore_plan(Workspace& ws, std::int64_t id);

} // namespace grid::redistrict

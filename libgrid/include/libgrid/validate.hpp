// Validation of a workspace with stable numeric error codes (docs/errors.md), in the manner of
// val3dity: one table of codes grouped by hundreds (1xx geometry, 2xx coverage and nesting,
// 3xx codes, 4xx households and assignment, 9xx dataset), never renumbered, and a report that
// is data (JSON with schemas/validation_report.schema.json, a GeoPackage of error locations).
// Also the mechanical repairs staff ask for (repair()), which say what they changed.
#pragma once

#include "libgrid/geometry.hpp"
#include "libgrid/progress.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grid {

class Workspace;

/// Errors make a dataset invalid; warnings are reported but do not.
enum class Severity { error, warning };

/// One entry of the error-code table.
struct ErrorCode {
    int code;                     ///< 101, 201, ...: never renumbered; a retired code stays retired
    std::string_view name;        ///< UPPER_SNAKE, e.g. SIBLING_OVERLAP
    std::string_view check;       ///< geometry, coverage, codes, households, dataset
    Severity severity;
    std::string_view description; ///< one line
};

/// The table, ordered by code.
const std::vector<ErrorCode>& error_codes();
/// The entry of a code; throws grid::usage_error for an unknown one.
const ErrorCode& error_code(int code);

/// Error codes, by name. The numbers are part of gridkit's interface.
namespace code {
constexpr int invalid_polygon = 101;
constexpr int empty_geometry = 102;
constexpr int too_few_points = 103;
constexpr int wrong_geometry_type = 104;
constexpr int sliver_polygon = 105;
constexpr int coordinates_out_of_range = 106;
constexpr int unreadable_geometry = 107;
constexpr int sibling_overlap = 201;
constexpr int gap_in_parent = 202;
constexpr int child_outside_parent = 203;
constexpr int parent_not_found = 204;
constexpr int child_in_other_parent = 205;
constexpr int code_format = 301;
constexpr int check_character = 302;
constexpr int duplicate_code = 303;
constexpr int code_parent_mismatch = 304;
constexpr int code_sequence = 305;
constexpr int too_few_households = 401;
constexpr int too_many_households = 402;
constexpr int in_no_grid = 403;
constexpr int in_no_microgrid = 404;
constexpr int wrong_grid = 405;
constexpr int wrong_microgrid = 406;
constexpr int building_straddles_microgrids = 407;
constexpr int house_without_address = 408;
constexpr int person_without_house = 409;
constexpr int org_without_address = 410;
constexpr int empty_dataset = 901;
constexpr int srid_mismatch = 902;
constexpr int check_failed = 903;
} // namespace code

struct ValidationOptions {
    bool geometry = true;   ///< 1xx
    bool coverage = true;   ///< 2xx
    bool codes = true;      ///< 3xx
    bool households = true; ///< 4xx
    std::string grid;       ///< restrict to one grid and what lies in it ("" = everything)
    double tolerance = 0.1; ///< metres: overlaps, gaps and outside parts narrower than this are not reported
    double sliver_area = 1.0;  ///< m²: polygon parts smaller than this are slivers
    double sliver_width = 0.5; ///< m: polygon parts whose mean width (2 area / perimeter) is below this are slivers
    double straddle_share = 0.05; ///< a building straddles when two micro-grids each hold this share of its footprint
    std::int64_t min_households = 50;
    std::int64_t max_households = 100;
    unsigned threads = 0; ///< 0: one per core
    progress_fn progress;

    /// Parses "geometry,coverage,codes,households" (any subset) into the four flags; usage_error otherwise.
    void set_only(std::string_view list);
    /// The enabled checks as a comma-separated list.
    std::string only() const;
};

/// One finding of validate (data, not an exception).
struct ValidationError {
    int code = 0;
    std::string layer;       ///< layer of the feature (division, grid, microgrid, building, ...)
    std::string id;          ///< its code, or "#<row id>" where it has none (personal data never appears)
    std::string message;     ///< one line; names the feature and what is wrong
    std::optional<geom::Point> location;    ///< in the workspace CRS
    std::vector<unsigned char> geometry;    ///< WKB in the workspace CRS: gap, overlap or outside part (may be empty)
    std::string related_id;                 ///< the other feature (overlap partner, parent found), "" if none
    std::optional<double> area_m2;          ///< area of the gap, overlap, outside part or sliver
    std::optional<std::int64_t> households; ///< for 401/402
};

struct ValidationOverview {
    std::map<std::string, std::int64_t> features; ///< features checked per layer
    std::map<int, std::int64_t> by_code;          ///< findings per code
    std::int64_t errors = 0;
    std::int64_t warnings = 0;
    std::int64_t households = 0;                 ///< households located in the checked micro-grids
    std::string metric_crs;                      ///< "EPSG:4528": where areas and tolerances are computed
    std::vector<std::string> notes;              ///< checks that could not run and why (one line each)
    double seconds = 0;
};

struct ValidationReport {
    std::string workspace;
    int srid = 0;
    ValidationOptions options;
    ValidationOverview overview;
    std::vector<ValidationError> errors; ///< ordered by code, layer, id
    bool valid() const noexcept { return overview.errors == 0; }
};

/// Runs the checks. Throws grid::usage_error for an unknown --grid code, grid::error when the
/// workspace cannot be read; problems in the data are findings, never exceptions.
ValidationReport validate(const Workspace& ws, const ValidationOptions& options);

/// The report as {"type": "gridkit_validation_report", "version", ...} (schemas/validation_report.schema.json).
nlohmann::json to_json(const ValidationReport& report);
/// Version of the report format in to_json().
constexpr int validation_report_version = 1;

/// Writes the findings to a GeoPackage: layer `error_locations` (points) and `error_areas`
/// (gap, overlap and outside polygons), in the workspace CRS. Refuses to replace an existing
/// file unless `overwrite`; never leaves a half-written file.
void write_error_geopackage(const ValidationReport& report, const std::string& path, bool overwrite);
/// The checks write_error_geopackage() makes before writing (the file exists without
/// `overwrite`, its folder does not exist): grid::io_error, so a caller can refuse early.
void check_error_geopackage_target(const std::string& path, bool overwrite);

// --- repair ----------------------------------------------------------------------------------

struct RepairOptions {
    std::string grid;        ///< one grid ("" = every grid)
    bool dry_run = false;    ///< compute and report, write nothing
    double max_area = 100.0; ///< m²: gaps and slivers up to this area are given to a neighbour
    double max_width = 2.0;  ///< m: ... and those thinner than this (mean width), whatever their area
    double tolerance = 0.1;  ///< m: overlaps and gaps narrower than this are left alone
    progress_fn progress;
};

/// One change made (or, in a dry run, that would be made) to one feature.
struct RepairChange {
    std::string layer;  ///< grid or microgrid
    std::string id;     ///< its code
    std::string action; ///< make_valid, clip_to_grid, remove_sliver, remove_overlap, fill_gap
    std::string detail; ///< one line: what changed and why
    double area_before_m2 = 0;
    double area_after_m2 = 0;
    std::optional<geom::Point> location; ///< where, in the workspace CRS
};

struct RepairReport {
    std::string workspace;
    RepairOptions options;
    std::string metric_crs;
    std::int64_t grids = 0;                 ///< grids examined
    std::vector<RepairChange> changes;      ///< every change, in the order made
    std::vector<std::string> left;          ///< problems repair does not fix (one line each): need a person
    std::int64_t features_written = 0;      ///< rows updated (0 in a dry run)
    bool written = false;
};

/// Makes invalid grid/micro-grid polygons valid, clips micro-grids to their grid, removes small
/// overlaps between sibling micro-grids, and gives slivers and small gaps inside a grid to the
/// micro-grid sharing the longest edge with them. One transaction and one audit row; nothing
/// is written in a dry run or when there is nothing to change.
RepairReport repair(const Workspace& ws, const RepairOptions& options);

nlohmann::json to_json(const RepairReport& report);

} // namespace grid

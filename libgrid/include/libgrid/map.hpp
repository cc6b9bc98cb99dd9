// Maps people can look at (docs/cli/gridkit-map.md): the grids, micro-grids (or the zones of a
// redistricting plan), buildings and validation errors of one view of a workspace, drawn as
//  - one self-contained HTML page (Leaflet, embedded into libgrid at build time; no tile layer,
//    no network access when opened), or
//  - a PNG or SVG picture drawn with cairo and pango, with legend, labels, scale bar and north
//    arrow, in the CGCS2000 3-degree Gauss-Kruger zone of the view's centre (true shapes, metres).
// Micro-grids are coloured by their household count against the bounds (under / within / over).
#pragma once

#include "libgrid/geometry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::map {

/// Where a household count falls against [min, max].
enum class Band { under, within, over };
/// "under", "within", "over".
std::string_view band_name(Band band) noexcept;

/// Rows of a popup: label and value, in order.
using Attributes = std::vector<std::pair<std::string, std::string>>;

/// A grid, micro-grid or plan zone. Geometry in the workspace CRS.
struct Zone {
    std::string layer;        ///< "grid", "microgrid" or "plan_zone"
    std::string code;
    std::string name;
    std::string parent_code;  ///< grid code of a micro-grid or plan zone, community code of a grid
    std::int64_t households = 0;
    std::int64_t buildings = 0;
    Attributes attributes;    ///< shown in the HTML popup (never phone numbers)
    geom::Geometry geometry;  ///< (MULTI)POLYGON; may be null (drawn nowhere, still counted)
    std::optional<geom::Point> label; ///< where the label goes; computed by the renderers when empty
    bool context = false;     ///< a neighbour drawn for orientation only (grey outline, no fill, no label)
};

/// A building: footprint or point. Geometry in the workspace CRS.
struct Building {
    std::string code;
    std::string name;
    std::string microgrid_code;
    std::int64_t households = 0;
    Attributes attributes;
    geom::Geometry geometry; ///< footprint (MULTI)POLYGON, else the location POINT
};

/// A finding of a validation report (`gridkit validate --format json`) placed on the map.
struct ErrorMarker {
    int code = 0;
    std::string name;     ///< UPPER_SNAKE name of the code
    std::string severity; ///< "error" or "warning"
    std::string layer;
    std::string id;
    std::string message;
    geom::Point location; ///< workspace CRS
};

/// What to show. `grid`, `bbox` and `plan` narrow the view; none of them: the whole workspace.
struct Options {
    std::string grid;                   ///< one grid: its outline, micro-grids and buildings
    std::optional<geom::Envelope> bbox; ///< everything intersecting this box (workspace CRS)
    std::optional<std::int64_t> plan;   ///< the zones of this plan (plan_zone) instead of the micro-grids
    std::string errors;                 ///< path of a validation report (JSON) whose findings become markers
    /// Household bounds; unset: the plan's own bounds (for --plan), else 50 and 100.
    std::optional<std::int64_t> min_households;
    std::optional<std::int64_t> max_households;
    std::string title;                  ///< "" = derived from the view

    /// Throws grid::usage_error for contradictory options (min > max, negative bounds, empty bbox).
    void check() const;
};

/// Parses "minx,miny,maxx,maxy"; throws grid::usage_error naming the text when it is not four numbers.
geom::Envelope parse_bbox(std::string_view text);

/// Everything one map shows, in the workspace CRS.
struct View {
    std::string title;
    std::string subtitle;           ///< workspace file and what the view selects
    std::string workspace;          ///< path of the workspace file
    int srid = 4490;                ///< workspace CRS (EPSG)
    std::int64_t min_households = 50;
    std::int64_t max_households = 100;
    std::string zone_layer = "microgrid"; ///< what `zones` holds: "microgrid" or "plan_zone"
    std::string zone_title;         ///< legend heading for the zones (微网格, 方案 #3 …)
    std::vector<Zone> grids;        ///< grid outlines (focus grids first, then context neighbours)
    std::vector<Zone> zones;        ///< micro-grids or plan zones, coloured by households
    std::vector<Building> buildings;
    std::vector<ErrorMarker> errors;
    std::size_t errors_elsewhere = 0; ///< findings of the report that lie outside this view
    std::string errors_report;        ///< path of the report the markers come from ("" = none)
    geom::Envelope extent;            ///< what the picture frames (workspace CRS)

    Band band(std::int64_t households) const noexcept;
    /// Zones per band (under, within, over).
    std::size_t zones_in(Band band) const noexcept;
};

/// Reads the features of a view. Throws grid::usage_error for an unknown grid or plan or a
/// bounding box that holds nothing, grid::io_error / grid::parse_error for an unreadable report,
/// grid::error for a workspace with nothing to draw.
View collect(const Workspace& ws, const Options& options);

/// Reads the findings of a validation report (type "gridkit_validation_report"): each becomes a
/// marker at its `location` (GeoJSON Point or [x, y], in the report's "crs", transformed to
/// `srid`). Findings without a location are returned with a NaN location (collect() places them
/// on their feature when it is in view).
std::vector<ErrorMarker> read_error_report(const std::string& path, int srid);

enum class Format { html, png, svg };
/// From the file name's extension (.html/.htm, .png, .svg, any case); usage_error otherwise.
Format format_of(const std::string& path);

struct RenderOptions {
    int width = 1600;  ///< pixels (PNG) or points (SVG); the HTML page fills the window
    int height = 1200;
    /// Throws grid::usage_error unless 200 <= width, height <= 20000.
    void check() const;
};

/// The HTML page: one file with Leaflet, its CSS, the features as GeoJSON and the legend inlined.
/// Throws grid::error when this gridkit was built without Leaflet (see docs/cli/gridkit-map.md).
std::string html(const View& view);

/// What write_map() and render_side_by_side() produced.
struct MapResult {
    std::string path;
    Format format = Format::png;
    std::size_t grids = 0;
    std::size_t zones = 0;
    std::size_t zones_under = 0;
    std::size_t zones_within = 0;
    std::size_t zones_over = 0;
    std::size_t buildings = 0;
    std::size_t errors = 0;          ///< markers drawn
    std::size_t errors_elsewhere = 0;
    std::size_t labels = 0;          ///< zone labels drawn (PNG/SVG; all zones in HTML, shown by zoom)
    std::string projection;          ///< PNG/SVG: "EPSG:4528 (CGCS2000 / 3-degree Gauss-Kruger zone 40)"; HTML: "EPSG:3857 (Leaflet)"
    double scale_bar_m = 0;          ///< PNG/SVG: length of the scale bar
    int width = 0;
    int height = 0;
};

/// Writes the view as HTML, PNG or SVG (by the extension of `path`). Refuses to replace an
/// existing file unless `overwrite`; writes beside it and renames, so a failure leaves nothing.
MapResult write_map(const View& view, const std::string& path, const RenderOptions& options, bool overwrite);

/// Two views side by side in one PNG or SVG (e.g. `redistrict --preview`: the current micro-grids
/// and a plan), drawn at the same scale over the union of their extents, with one legend.
/// Typical use: `before = collect(ws, {grid})`, `after = collect(ws, {grid, plan})` or `before`'s
/// options with `after.zones` replaced by zones the caller computed (workspace CRS).
MapResult render_side_by_side(const View& left, const View& right, const std::string& path,
                              const RenderOptions& options, bool overwrite);

/// Version and licence of the embedded Leaflet ("" when built without it).
std::string_view leaflet_version() noexcept;
std::string_view leaflet_license() noexcept;

} // namespace grid::map

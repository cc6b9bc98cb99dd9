// Private pieces of the validate module (libgrid/src/validate*.cpp): the metric frame (the
// parallel loop is detail/parallel.hpp), WKB inspection, zones and their spatial index, and the shared check context.
#pragma once

#include "libgrid/codes.hpp"
#include "libgrid/geometry.hpp"
#include "libgrid/validate.hpp"

#include "detail/parallel.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::detail {

/// The metric frame: the workspace CRS and the CGCS2000 Gauss-Kruger zone (or the workspace CRS
/// itself when it is already metric) where areas and tolerances are computed. Transformers are
/// created per thread on first use.
class MetricFrame {
public:
    MetricFrame() = default;
    /// `reference_x`: a typical x of the data in the workspace CRS (longitude when geographic).
    MetricFrame(int workspace_srid, double reference_x, double reference_y);
    int workspace_srid() const noexcept { return m_ws; }
    int metric_srid() const noexcept { return m_metric; }
    bool identity() const noexcept { return m_ws == m_metric; }
    bool geographic() const noexcept { return m_geographic; }
    /// True when a workspace coordinate can be taken to metres (inside China for a geographic CRS).
    bool in_range(double x, double y) const noexcept;
    void to_metric(double& x, double& y) const;
    void to_workspace(double& x, double& y) const;
    void to_metric(std::vector<double>& xs, std::vector<double>& ys) const;
    geom::Geometry to_metric(const GEOSGeometry* g) const;
    geom::Geometry to_workspace(const GEOSGeometry* g) const;
    geom::Point point_to_workspace(geom::Point p) const;
    std::string name() const { return "EPSG:" + std::to_string(m_metric); }

private:
    int m_ws = 4490;
    int m_metric = 4490;
    bool m_geographic = true;
};

/// What a WKB blob holds, read without GEOS (which refuses rings of fewer than 4 points).
struct WkbSummary {
    bool readable = false;   ///< well-formed to its end
    int type = 0;            ///< base type: 1 point .. 7 collection
    int polygons = 0;        ///< polygon parts
    std::size_t points = 0;  ///< coordinates
    bool non_finite = false; ///< a NaN or infinite coordinate
    bool short_ring = false; ///< a ring of fewer than 4 points or 3 distinct ones
    geom::Point short_ring_at;
    geom::Envelope envelope; ///< of the finite coordinates (when points > 0)
};
WkbSummary scan_wkb(const unsigned char* data, std::size_t size);

/// A polygon feature of a zone layer (division outline, grid, micro-grid) or an allowed gap.
struct Zone {
    std::string layer;
    std::int64_t rowid = 0;
    std::string code;   ///< "" for allowed gaps
    std::string parent; ///< recorded parent code (division parent_code, grid community_code, micro-grid grid_code)
    int level = 0;      ///< division level 1..5
    std::vector<unsigned char> wkb;    ///< as stored (workspace CRS); emptied once checked
    std::vector<unsigned char> metric; ///< valid MULTIPOLYGON in metres; empty: not usable by later checks
    geom::Envelope envelope;           ///< of `metric`
    double area = 0;                   ///< m²
    int srid = 0;                      ///< SRID of the stored geometry
    bool present = false;              ///< the geometry column is not NULL
    bool in_scope = true;              ///< reported on (ValidationOptions::grid)
    std::string id() const { return code.empty() ? "#" + std::to_string(rowid) : code; }
    bool usable() const noexcept { return !metric.empty(); }
};

/// Zones of one layer with a code index and an R-tree over the usable ones.
struct ZoneSet {
    std::vector<Zone> zones;
    std::unordered_map<std::string, std::size_t> by_code;
    geom::STRtree tree;            ///< over usable zones; items are positions in `usable`
    std::vector<std::size_t> usable; ///< zone indices in the tree
    void index();
    /// Zones whose envelope contains the point.
    void candidates(double x, double y, std::vector<std::size_t>& out) const;
    void candidates(const geom::Envelope& e, std::vector<std::size_t>& out) const;
    const Zone* find(const std::string& code) const;
};

/// Per-thread parsed and prepared geometries of a ZoneSet, built on first use.
class PreparedZones {
public:
    explicit PreparedZones(const ZoneSet& set) : m_set(set), m_geoms(set.zones.size()), m_prepared(set.zones.size()) {}
    const GEOSGeometry* geometry(std::size_t zone);
    const GEOSPreparedGeometry* prepared(std::size_t zone);
    /// The first usable zone covering the point (metric), or -1.
    long locate(double x, double y, std::vector<std::size_t>& scratch);

private:
    const ZoneSet& m_set;
    std::vector<geom::Geometry> m_geoms;
    std::vector<geom::Prepared> m_prepared;
};

/// Thread-safe collection of findings.
class Findings {
public:
    void add(ValidationError e);
    void add(std::vector<ValidationError>& batch);
    std::vector<ValidationError> take();

private:
    std::mutex m_mutex;
    std::vector<ValidationError> m_items;
};

/// Everything the checks share.
struct Context {
    Context(const Workspace& workspace, const ValidationOptions& opts) : ws(workspace), options(opts) {}
    const Workspace& ws;
    const ValidationOptions& options;
    MetricFrame frame;
    unsigned threads = 1;
    ZoneSet divisions; ///< with an outline
    ZoneSet grids;
    ZoneSet microgrids;
    ZoneSet allowed_gaps;
    std::string grid_scope; ///< ValidationOptions::grid
    Findings findings;
    std::mutex notes_mutex;
    std::vector<std::string> notes;
    std::map<std::string, std::int64_t> features; ///< counted on the calling thread only
    std::int64_t households = 0;
    void note(std::string text);
    void progress(std::string_view stage, std::uint64_t done, std::uint64_t total) const;
};

// Helpers shared by the check files.

/// Mean width of a polygon: 2 area / perimeter (a long strip of width w gives about w).
double mean_width(const GEOSGeometry* polygon);
/// Polygon parts of `g` (any type) wider than `tolerance` on average and larger than tolerance².
std::vector<geom::Geometry> reportable_parts(const GEOSGeometry* g, double tolerance);
/// A MULTIPOLYGON of the parts (cloned); null when none.
geom::Geometry collect(const std::vector<geom::Geometry>& parts);
/// Sum of the areas.
double total_area(const std::vector<geom::Geometry>& parts);
/// "12.3" (m², one decimal; more for tiny values).
std::string format_area(double m2);
/// " at 120.123456, 32.123456" in workspace coordinates.
std::string format_location(const MetricFrame& frame, const geom::Point& workspace_point);
/// A finding at a metric point/geometry: sets location (and geometry WKB) in workspace coordinates.
void place(ValidationError& e, const MetricFrame& frame, geom::Point metric_point, const GEOSGeometry* metric_geometry);

/// Input of check_polygon(): one stored polygon value.
struct PolygonInput {
    const std::string& layer;
    std::string id;
    bool present = false;             ///< the column is not NULL
    int srid = 0;                     ///< SRID(geom)
    const std::vector<unsigned char>& wkb; ///< AsBinary(geom); empty when SpatiaLite could not read it
    bool slivers = false;             ///< check parts against the sliver limits
    bool report = true;               ///< add findings (else only compute the geometry)
};
/// Checks a polygon value (1xx, 902) and returns it valid, as a MULTIPOLYGON in metres, or null
/// when later checks cannot use it. Findings go to `out`.
geom::Geometry check_polygon(const Context& ctx, const PolygonInput& in, std::vector<ValidationError>& out);

/// A finding with its code, layer, id and message.
ValidationError finding(int code, const std::string& layer, const std::string& id, std::string message);

/// 301 (or 302 for a wrong check character alone); true when the code is valid. `sensitive`:
/// the code is personal data (resident ID), masked in the message; `id` must then be "#row".
bool check_code_format(const std::string& layer, std::string_view id, std::string_view code, codes::CodeKind kind,
                       bool sensitive, std::vector<ValidationError>& out);
/// 304 when `code` does not start with `parent` (skipped when parent is empty).
void check_code_prefix(const std::string& layer, std::string_view id, std::string_view code, std::string_view parent,
                       const char* parent_noun, std::vector<ValidationError>& out);
/// False when a code has surrounding spaces or lower-case letters (it may then duplicate another).
bool is_normal_code(std::string_view code);
/// 303 for codes equal once spaces and letter case are ignored; ids run parallel to codes.
void check_duplicate_codes(const std::string& layer, const std::vector<std::string>& codes,
                           const std::vector<std::string>& ids, bool sensitive, std::vector<ValidationError>& out);

/// Runs fn; a grid::error or GEOS failure becomes a CHECK_FAILED finding on (layer, id).
void guarded(Context& ctx, const std::string& layer, const std::string& id, const std::function<void()>& fn);

// The check phases (validate_*.cpp).
void read_zones(Context& ctx);
void check_zone_geometries(Context& ctx);
void check_coverage(Context& ctx);
void check_zone_codes(Context& ctx);
void check_features(Context& ctx); ///< buildings, addresses, houses, persons, orgs: 1xx, 3xx, 4xx

} // namespace grid::detail

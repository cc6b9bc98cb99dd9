// Assignment of features to zones, and text geocoding (docs/cli/gridkit-assign.md,
// docs/cli/gridkit-geocode.md):
// - assign(): every building (by footprint), standard address and house (by its address point)
//   goes into the grid and the micro-grid holding it; those in none or in several are reported,
//   with the distance to the nearest grid. An STRtree finds the candidates, prepared GEOS
//   geometries decide; the work runs on several threads, each with its own GEOS objects.
// - Geocoder / geocode_file(): free-text addresses -> the workspace's standard addresses, exact
//   on the parser's normalised key first, then fuzzy with a score and the reason; unmatched and
//   ambiguous rows come back with their best candidates, never a silent guess.
#pragma once

#include "libgrid/address.hpp"
#include "libgrid/geometry.hpp"
#include "libgrid/progress.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::assign {

// --- zones and point location ----------------------------------------------------------------

/// Polygons (grids or micro-grids) with their codes, ready to be queried from many threads.
/// Holds the outlines as WKB and one STRtree over their envelopes; every thread that queries
/// makes a Probe, which parses and prepares its own GEOS copies as it meets them.
class ZoneLocator {
public:
    ZoneLocator() = default;
    /// codes[i] names outlines[i] (POLYGON or MULTIPOLYGON WKB). Throws geometry_error naming
    /// the zone when an outline cannot be read.
    ZoneLocator(std::vector<std::string> codes, std::vector<std::vector<unsigned char>> outlines);

    std::size_t size() const noexcept { return m_codes.size(); }
    const std::string& code(std::size_t zone) const { return m_codes[zone]; }
    const std::vector<unsigned char>& outline(std::size_t zone) const { return m_outlines[zone]; }
    const geom::Envelope& envelope(std::size_t zone) const { return m_envelopes[zone]; }
    /// The envelope of all zones (all zeros when there are none).
    const geom::Envelope& extent() const noexcept { return m_extent; }
    /// Zone index of a code, -1 when unknown.
    std::int64_t find(std::string_view code) const;
    /// Zones whose envelope meets `e`, ascending.
    void candidates(const geom::Envelope& e, std::vector<std::size_t>& out) const;
    /// The zone nearest to (x, y) by `distance(zone)` and that distance, searched best first
    /// by envelope (geom::STRtree::nearest); (size(), -1) when there are no zones.
    std::pair<std::size_t, double> nearest(double x, double y, double lower_scale,
                                           const std::function<double(std::size_t zone)>& distance) const {
        return m_tree.nearest(x, y, lower_scale, distance);
    }
    /// Exact point-in-zone test on the outline's rings without GEOS: 1 in the interior, 0 outside
    /// the closed zone, -1 when the point is on an edge or too close to one for double arithmetic
    /// to tell (then ask GEOS, as Probe::locate does).
    int inside(std::size_t zone, double x, double y) const noexcept;
    /// Distance from (x, y) to the zone's nearest edge after scaling x by `sx` and y by `sy`
    /// (a local plane: metres per degree of longitude and latitude, or 1 and 1); 0 inside.
    /// `nearest`, when given, receives the nearest point of the edges (unscaled; for a point
    /// inside, the point itself).
    double edge_distance(std::size_t zone, double x, double y, double sx, double sy,
                         geom::Point* nearest = nullptr) const noexcept;

    /// Per-thread lookups (GEOS objects never cross threads).
    class Probe {
    public:
        explicit Probe(const ZoneLocator& zones);
        ~Probe();
        Probe(const Probe&) = delete;
        Probe& operator=(const Probe&) = delete;

        /// The zones holding the point, ascending: those whose interior holds it, or when none
        /// does, those whose boundary holds it (a point on a shared edge is in both).
        /// `on_boundary` tells which of the two the answer is.
        void locate(double x, double y, std::vector<std::uint32_t>& out, bool& on_boundary);
        /// The zones a polygon overlaps with the share of its area in each, largest first;
        /// a zone covering it whole gives {zone, 1.0}. Throws geometry_error for a broken polygon.
        void overlaps(const GEOSGeometry* polygon, std::vector<std::pair<std::uint32_t, double>>& out);
        const GEOSGeometry* geometry(std::size_t zone);
        const GEOSPreparedGeometry* prepared(std::size_t zone);

    private:
        const ZoneLocator& m_zones;
        std::vector<geom::Geometry> m_geometries;
        std::vector<geom::Prepared> m_prepared;
        std::vector<std::size_t> m_scratch;
    };

private:
    void add_rings(const GEOSGeometry* g);
    void build_cells();
    /// The zones whose interior holds the point, ascending, from the cells (or, outside them, the
    /// STRtree and the ring test). False when the ring test cannot tell for some zone (the point
    /// is on an edge or within rounding of one): then ask GEOS.
    bool holding(double x, double y, std::vector<std::uint32_t>& out, std::vector<std::size_t>& scratch) const;

    std::vector<std::string> m_codes;
    std::vector<std::vector<unsigned char>> m_outlines;
    std::vector<geom::Envelope> m_envelopes;
    geom::Envelope m_extent{};
    std::vector<std::pair<std::string_view, std::uint32_t>> m_sorted; ///< code -> zone, sorted by code
    geom::STRtree m_tree;
    std::vector<double> m_xy;                 ///< every ring's closed coordinates, x y x y ...
    std::vector<std::uint32_t> m_ring_start;  ///< first point of each ring, and one past the last
    std::vector<std::uint32_t> m_zone_ring;   ///< first ring of each zone, and one past the last
    // A uniform grid of cells over all envelopes, several per zone, for point queries. Cell c
    // holds m_cell_items[m_cell_start[c] .. m_cell_start[c + 1]): ascending, the zones whose
    // envelope meets the cell and which the cell is not wholly outside of; an item with
    // k_cell_test set is a zone an edge may cross the cell of (test the point), one without it a
    // zone whose interior holds the whole cell (no test needed).
    static constexpr std::uint32_t k_cell_test = 0x80000000U;
    double m_bx0 = 0, m_by0 = 0, m_bw = 1, m_bh = 1;
    std::size_t m_nx = 0, m_ny = 0;
    std::vector<std::uint32_t> m_cell_start;
    std::vector<std::uint32_t> m_cell_items;
};

/// Where each point of a locate_points() call fell.
struct PointPlacement {
    static constexpr std::int32_t none = -1;
    static constexpr std::int32_t several = -2;
    /// Per point: the zone index, `none` or `several`.
    std::vector<std::int32_t> zone;
    /// For every point placed `several`: its index and the zones holding it.
    std::vector<std::pair<std::size_t, std::vector<std::uint32_t>>> ambiguous;
    /// Indices of the points that lie on a zone boundary (placed there, or `several` on a shared edge).
    std::vector<std::size_t> on_boundary;
};

/// Places every point into `zones` on `threads` threads (0 = 2). Points are in the zones' CRS.
PointPlacement locate_points(const ZoneLocator& zones, const std::vector<geom::Point>& points, unsigned threads = 2);

// --- gridkit assign --------------------------------------------------------------------------

/// The layers assign() places, in its order: building, address, house.
const std::vector<std::string>& assignable_layers();

struct Options {
    std::vector<std::string> layers; ///< a subset of assignable_layers(); empty = all
    bool dry_run = false;            ///< compute and report, write nothing
    unsigned threads = 2;
    /// A building with at least this share of its footprint outside its zone is reported as straddling.
    double straddle_share = 0.01;
    /// A layer whose ids span at least this many values is read on all threads, one id range each
    /// on a read-only connection of its own (not while the caller holds a transaction on the
    /// workspace). The span, not the row count: counting the rows would read the whole table.
    std::int64_t parallel_read_rows = 200000;
    progress_fn progress;            ///< stages "reading", "placing", "writing"
};

/// Why a feature is reported. Names (issue_name) are stable: scripts read them from --json.
enum class Issue {
    no_grid,            ///< in no grid (distance to the nearest given)
    several_grids,      ///< in more than one grid (overlap, or on a shared edge)
    no_microgrid,
    several_microgrids,
    straddles_grids,    ///< building footprint across grids: placed where most of it lies
    straddles_microgrids,
    no_location,        ///< no point and no footprint (house: its address has none, or is unknown)
};
std::string_view issue_name(Issue issue) noexcept;

struct Finding {
    std::string layer;
    std::string code;
    Issue issue = Issue::no_grid;
    std::vector<std::string> zones; ///< several: the zones holding it; straddles: by share, largest first
    std::vector<double> shares;     ///< straddles: share of the footprint in each of `zones`
    double outside_share = 0;       ///< straddles: share of the footprint in no zone
    bool on_boundary = false;       ///< several: on a shared edge rather than in an overlap
    std::string nearest;            ///< no_grid / no_microgrid: code of the nearest zone ("" if none)
    double distance_m = -1;         ///< to the nearest zone in metres (-1 when there is none)
    bool has_location = false;
    double x = 0, y = 0;            ///< the point tested (workspace CRS)
};

struct LayerCounts {
    std::string layer;
    std::int64_t rows = 0;
    std::int64_t placed = 0;              ///< in exactly one grid and exactly one micro-grid
    std::int64_t no_grid = 0;
    std::int64_t several_grids = 0;
    std::int64_t no_microgrid = 0;
    std::int64_t several_microgrids = 0;
    std::int64_t straddling = 0;          ///< buildings across zones (placed by majority)
    std::int64_t no_location = 0;
    std::int64_t grid_changed = 0;        ///< rows whose grid_code changes (newly set included)
    std::int64_t microgrid_changed = 0;
    std::int64_t newly_assigned = 0;      ///< rows that had neither code before and get one
    std::int64_t rows_changed = 0;        ///< rows written (either code changes)
};

struct Result {
    std::vector<LayerCounts> layers;
    std::vector<Finding> findings;   ///< ordered by layer, then code
    std::int64_t grids = 0;          ///< zones with an outline
    std::int64_t microgrids = 0;
    std::int64_t grids_without_outline = 0;
    std::int64_t microgrids_without_outline = 0;
    bool dry_run = false;
    bool written = false;            ///< the changes were committed
    std::int64_t rows_written = 0;
    unsigned threads = 0;
    /// Wall time of each stage: reading, placing, the report (nearest zones, findings), writing.
    double seconds_read = 0, seconds_place = 0, seconds_report = 0, seconds_write = 0;
    /// True when every feature has a location and is in exactly one grid and one micro-grid
    /// (a straddling building placed by majority counts as placed).
    bool all_placed() const;
};

/// Places the layers' features and, unless dry_run, writes grid_code / microgrid_code of the
/// rows that change in one transaction with an audit row. A feature in no zone or several
/// keeps the codes it had at that level (it is reported instead). Throws usage_error for an
/// unknown layer, error when the workspace has no grid outline to assign to.
Result assign(const Workspace& ws, const Options& options);

// --- geocoding -------------------------------------------------------------------------------

/// The address components compared, province .. room (rest excluded).
inline constexpr std::size_t address_parts = 12;

/// One standard address of the workspace, as the geocoder knows it.
struct StandardAddress {
    std::string code;
    std::string text;
    std::array<std::string, address_parts> parts; ///< normalised by the parser, indexed by address::Component
    std::string building_code, grid_code, microgrid_code;
    bool has_point = false;
    double x = 0, y = 0;
};

enum class MatchStatus { matched, ambiguous, unmatched, error };
std::string_view status_name(MatchStatus status) noexcept;

struct Candidate {
    std::uint32_t address = 0; ///< index into Geocoder::addresses()
    double score = 0;          ///< 0..1
    std::string reason;        ///< "" for an exact match, else what differs ("missing unit; ...")
};

struct Match {
    MatchStatus status = MatchStatus::unmatched;
    std::string method;                 ///< "exact" or "fuzzy" when matched
    std::string error;                  ///< status error: why the text could not be read
    address::ParsedAddress parsed;
    std::vector<Candidate> candidates;  ///< best first (up to 3); [0] is the match when matched
};

struct GeocoderOptions {
    double min_score = 0.8;  ///< a fuzzy match needs at least this score
    double margin = 0.05;    ///< ... and must beat the next candidate by this much, else ambiguous
    std::string divisions;   ///< NBS table folder to add to the workspace's own divisions ("" = none)
};

/// Standard addresses indexed for matching. match() is const and thread-safe.
class Geocoder {
public:
    /// Reads the workspace's addresses, divisions, roads and compounds (the parser's gazetteer).
    explicit Geocoder(const Workspace& ws, GeocoderOptions options = {});
    /// From given addresses: `parts` are parsed again from the joined components (or `text`).
    Geocoder(std::vector<StandardAddress> addresses, std::unique_ptr<address::AddressParser> parser,
             GeocoderOptions options = {});
    ~Geocoder();
    Geocoder(Geocoder&&) noexcept;
    Geocoder& operator=(Geocoder&&) noexcept;

    Match match(std::string_view text) const;
    const std::vector<StandardAddress>& addresses() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

struct GeocodeOptions {
    std::string text_column;     ///< "" = the column named address/地址/标准地址/..., or the only column
    std::string output;          ///< "" = no output file
    std::string format;          ///< GDAL driver; "" = from the output's extension
    bool overwrite = false;
    std::string encoding = "auto"; ///< auto | UTF-8 | GB18030 (text sources)
    std::string source_layer;    ///< of a multi-layer source ("" = the first)
    GeocoderOptions geocoder;
    unsigned threads = 2;
    progress_fn progress;        ///< stages "reading", "matching", "writing"
};

struct GeocodeRow {
    std::int64_t row = 0;  ///< spreadsheet row (header = 1) for CSV/XLSX, else feature number
    std::string text;      ///< the input text (invalid UTF-8 replaced for display)
    Match match;
    std::vector<StandardAddress> candidates; ///< the addresses of match.candidates, in their order
};

struct GeocodeResult {
    std::string source, text_column, encoding, output, driver;
    std::int64_t rows = 0, matched = 0, exact = 0, fuzzy = 0, ambiguous = 0, unmatched = 0, errors = 0;
    std::int64_t addresses = 0;  ///< standard addresses in the workspace
    std::vector<GeocodeRow> details;
    bool all_matched() const noexcept { return matched == rows; }
};

/// Geocodes every row of a CSV/XLSX/any OGR source. With an output, writes one row per input
/// row (input columns + status, score, match, reason, address_code, standard_address,
/// building_code, grid_code, microgrid_code, x, y, candidates, error), a point geometry where
/// the format has one, into a temporary file renamed into place. Throws usage_error for bad
/// options, io_error when the source cannot be read or the output written.
GeocodeResult geocode_file(const Workspace& ws, const std::string& source, const GeocodeOptions& options);

} // namespace grid::assign

// Coordinate reference systems: PROJ transformations between EPSG CRSs, and the Chinese
// offset systems GCJ-02 (Amap, Tencent) and BD-09 (Baidu), which PROJ cannot express.
// Axis order is always GIS order: x = longitude or easting, y = latitude or northing.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grid::crs {

/// A CRS as users name it: "EPSG:4490" (or "4490"), "gcj02", "bd09", "wgs84" (= EPSG:4326).
struct CrsSpec {
    enum class Kind { epsg, gcj02, bd09 };
    Kind kind = Kind::epsg;
    int epsg = 4490; ///< meaningful when kind == epsg

    /// Parses a user string; throws grid::usage_error with a hint listing the accepted forms.
    static CrsSpec parse(std::string_view text);
    /// "EPSG:4490", "gcj02", "bd09".
    std::string to_string() const;
    /// True for geographic (degree) CRSs, including gcj02 and bd09.
    bool is_geographic() const;
    bool operator==(const CrsSpec& other) const { return kind == other.kind && (kind != Kind::epsg || epsg == other.epsg); }
    bool operator!=(const CrsSpec& other) const { return !(*this == other); }
};

/// True where GCJ-02 applies (outside China points are left unchanged by the offsets).
bool outside_china(double lng, double lat) noexcept;

/// GCJ-02 forward formula (Krasovsky a = 6378245.0, ee = 0.00669342162296594323).
void wgs84_to_gcj02(double lng, double lat, double& out_lng, double& out_lat) noexcept;
/// Inverse by fixed-point iteration until the step is below 1e-9 degrees.
void gcj02_to_wgs84(double lng, double lat, double& out_lng, double& out_lat) noexcept;
/// BD-09 from GCJ-02 (with the 3000/180 factor).
void gcj02_to_bd09(double lng, double lat, double& out_lng, double& out_lat) noexcept;
/// Inverse by iteration (exact to 1e-9 degrees).
void bd09_to_gcj02(double lng, double lat, double& out_lng, double& out_lat) noexcept;
/// The closed-form one-step inverse many libraries ship (kept for comparison and test vectors).
void bd09_to_gcj02_closed_form(double lng, double lat, double& out_lng, double& out_lat) noexcept;

/// EPSG code of the CGCS2000 3-degree Gauss-Kruger zone (with zone prefix in the false
/// easting: EPSG:4513 zone 25 ... EPSG:4533 zone 45) whose central meridian is nearest lng.
int gauss_kruger_epsg(double lng);

/// Transforms points from one CrsSpec to another. Owns its PROJ context: not thread-safe,
/// make one per thread. GCJ-02/BD-09 go through WGS84, which is taken as equal to CGCS2000
/// (they differ by centimetres, far below the offsets' own accuracy).
class Transformer {
public:
    Transformer(const CrsSpec& src, const CrsSpec& dst);
    ~Transformer();
    Transformer(Transformer&&) noexcept;
    Transformer& operator=(Transformer&&) noexcept;
    Transformer(const Transformer&) = delete;
    Transformer& operator=(const Transformer&) = delete;

    /// Transforms one point in place; throws grid::crs_error when PROJ fails (e.g. out of area).
    void transform(double& x, double& y) const;
    /// Transforms many points in place (faster than one by one).
    void transform(std::vector<double>& xs, std::vector<double>& ys) const;
    /// Like transform(x, y), but returns false and sets `reason` (one line, no point number)
    /// instead of throwing; x and y are then unspecified.
    bool try_transform(double& x, double& y, std::string& reason) const;
    bool is_identity() const noexcept;
    const CrsSpec& source() const noexcept;
    const CrsSpec& target() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Decimals gridkit prints for coordinates in a CRS: 9 for degrees (0.1 mm), 3 for metres.
int default_precision(const CrsSpec& crs);

/// Reads one number as users type it ("116.4", "+3.5", "-1e3"); locale-independent.
/// Empty for anything else (including trailing characters, "nan", "inf").
std::optional<double> parse_number(std::string_view text);

/// Formats a coordinate with `precision` decimals (fixed, locale-independent).
std::string format_number(double value, int precision);

/// Counts of convert_lines().
struct LineStats {
    std::uint64_t lines = 0;     ///< lines read
    std::uint64_t converted = 0; ///< lines with a converted point
    std::uint64_t failed = 0;    ///< lines that could not be read or converted
};

/// Called for each line that failed: its 1-based number and the reason (one line).
using bad_line_fn = std::function<void(std::uint64_t line, const std::string& reason)>;

/// Converts "x y [more columns]" text lines like PROJ's cs2cs: x and y separated by whitespace
/// or a comma. Writes one line per input line: x and y with `precision` decimals, the separator
/// found between them, then the rest of the line unchanged. Blank lines and lines starting with
/// '#' are copied. A line that cannot be read or converted is written as "* *" plus its rest,
/// and reported through on_bad_line.
LineStats convert_lines(std::istream& in, std::ostream& out, const Transformer& transformer, int precision,
                        const bad_line_fn& on_bad_line);

} // namespace grid::crs

// Import any OGR source into a workspace layer with a field mapping, and export layers to any
// OGR format. Every source row ends as written or rejected (with file, row, column, reason);
// read = written + rejected always. One transaction: a failure leaves the workspace as it was.
#pragma once

#include "libgrid/progress.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::io {

struct ImportOptions {
    std::string layer;                          ///< workspace layer
    std::map<std::string, std::string> fields;  ///< destination field -> source column
    std::string encoding = "auto";              ///< auto | UTF-8 | GB18030 (text sources and shapefiles)
    std::string src_crs;                        ///< "" = the source's own, else EPSG:n | gcj02 | bd09
    std::string x_column, y_column;             ///< point columns ("" = detect lng/lat/x/y/经度/纬度)
    std::string source_layer;                   ///< layer of a multi-layer source ("" = the only one, or by geometry)
    std::string where;                          ///< OGR attribute filter on the source (OGR SQL WHERE syntax)
    std::string new_codes;                      ///< parent code: rows without a code get the next free code under it
    bool upsert = false;                        ///< update rows whose key exists instead of rejecting them
    std::string rejects_path;                   ///< "" = no rejects file
    bool unmask_rejects = false;                ///< keep personal data in clear in the rejects file
    bool dry_run = false;                       ///< check and count, then roll back
    progress_fn progress;
};

/// Reads a mapping file (schemas/mapping.schema.json): {"layer", "fields": {dst: src}, "x", "y",
/// "src_crs", "encoding"}; values set in it fill the options not already set.
void apply_mapping_file(const std::string& path, ImportOptions& options);

struct Reject {
    std::int64_t row = 0;   ///< spreadsheet row for CSV/XLSX (header = 1), feature number otherwise
    std::string column;     ///< source column (or destination field) concerned, "" for the row
    std::string reason;
};

struct ImportResult {
    std::string layer;
    std::string source;
    std::string encoding;      ///< the encoding used for text
    std::string src_crs;       ///< the source CRS used
    std::int64_t read = 0;
    std::int64_t written = 0;  ///< inserted + updated
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t rejected = 0;
    std::vector<Reject> first_rejects; ///< up to 20, for the summary
    std::map<std::string, std::string> mapping; ///< destination field -> source column used
};

/// Imports one source into one layer of the workspace (one transaction; rolled back on error
/// or with dry_run). Throws usage_error for bad options, io_error/parse_error when the source
/// cannot be read (then nothing is written).
ImportResult import_layer(Workspace& ws, const std::string& source, const ImportOptions& options);

struct ExportOptions {
    std::string layer;
    std::string output;
    std::string driver;    ///< "" = from the extension (.gpkg .shp .geojson .csv .xlsx .kml .sqlite)
    std::string dst_crs;   ///< "" = the workspace CRS
    bool unmask = false;   ///< personal data (resident IDs, phones) in clear
    bool overwrite = false;
    std::string where;     ///< optional SQL filter on the layer's table
    progress_fn progress;
};

struct ExportResult {
    std::string layer;
    std::string output;
    std::string driver;
    std::int64_t rows = 0;
    bool masked = true;
};

/// Exports a layer. Writes to a temporary file and renames it into place, so a failed export
/// never leaves a half-written file; refuses to replace an existing output without overwrite.
ExportResult export_layer(const Workspace& ws, const ExportOptions& options);

/// The GDAL driver for an output path's extension; throws usage_error when unknown.
std::string driver_for_path(const std::string& path);

/// "auto", "UTF-8" or "GB18030" for what users type (utf8, gbk, gb2312, cp936, ...); throws
/// usage_error for an encoding gridkit does not read.
std::string canonical_encoding(const std::string& name);

/// What read_text_file does with a file that is UTF-8 but for some lines.
enum class BadLines {
    refuse, ///< parse_error naming the first bad line (import: no row may come in garbled)
    keep,   ///< return the text as it is; the caller reports those rows (geocode: per-row errors)
};

/// Reads a text file whole as UTF-8, without a UTF-8 byte-order mark. `requested` is
/// canonical_encoding's answer; `used` gets the encoding read. auto: UTF-8 when the file is;
/// UTF-8 with bad lines when some line with non-ASCII bytes is UTF-8; else GB18030 when the file
/// decodes as GB18030. Throws io_error (unreadable) and parse_error (file and line, and what to do).
std::string read_text_file(const std::string& path, const std::string& requested, BadLines bad, std::string& used);

/// Encoding helpers (exposed for tests).
bool is_valid_utf8(const char* data, std::size_t size) noexcept;
/// Converts GB18030 bytes to UTF-8; false when the bytes are not valid GB18030.
bool gb18030_to_utf8(const std::string& in, std::string& out);
bool utf8_to_gb18030(const std::string& in, std::string& out);

} // namespace grid::io

// gridkit geocode: every row of a CSV/XLSX/OGR source through the Geocoder, one output row per
// input row (never a row lost), written into a temporary file renamed into place.
#include "libgrid/assign.hpp"

#include "libgrid/error.hpp"
#include "libgrid/io.hpp"
#include "libgrid/workspace.hpp"

#include "detail/assign_internal.hpp"
#include "detail/gdal_util.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

namespace grid::assign {

using grid::detail::Dataset;
using grid::detail::Feature;
using grid::detail::QuietGdal;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// The lines of a text (a final newline ends the last line; CR before LF dropped).
std::vector<std::string> lines_of(const std::string& bytes) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < bytes.size()) {
        std::size_t end = bytes.find('\n', start);
        end = end == std::string::npos ? bytes.size() : end;
        std::string line = bytes.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

/// One field of a one-column CSV line: "a ""b""" -> a "b".
std::string unquote(const std::string& s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') {
        return s;
    }
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        out += s[i];
        if (s[i] == '"' && s[i + 1] == '"') {
            ++i;
        }
    }
    return out;
}

/// Column names that hold the address text, in order of preference.
const std::vector<std::string>& text_column_names() {
    static const std::vector<std::string> names{"address", "地址", "标准地址", "详细地址", "住址", "门牌地址",
                                                "房屋地址", "text", "addr", "full_address"};
    return names;
}

struct SourceRows {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> values; // per row, per column
    std::vector<std::int64_t> row_numbers;
    int text_index = -1;
};

/// The output written beside its final name and renamed into place when complete.
class PendingOutput {
public:
    PendingOutput(const std::string& path, const std::string& driver, bool overwrite) : m_path(path), m_driver(driver) {
        const std::filesystem::path p(path);
        if (std::filesystem::exists(p) && !overwrite) {
            throw io_error(path, "already exists", "use --overwrite to replace it");
        }
        const auto dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
        if (!std::filesystem::is_directory(dir)) {
            throw io_error(path, "folder " + dir.string() + " does not exist", "create it first");
        }
        std::mt19937_64 rng(std::random_device{}());
        m_tmp = (dir / (p.stem().string() + ".gridkit-tmp-" + std::to_string(rng() % 1000000000ULL) + p.extension().string()))
                    .string();
    }
    ~PendingOutput() {
        for (const auto& f : files(m_tmp)) {
            std::error_code ec;
            std::filesystem::remove(f, ec);
        }
    }
    PendingOutput(const PendingOutput&) = delete;
    PendingOutput& operator=(const PendingOutput&) = delete;
    const std::string& temp_path() const { return m_tmp; }
    void commit() {
        const auto from = files(m_tmp);
        const auto to = files(m_path);
        for (std::size_t i = 0; i < from.size(); ++i) {
            std::error_code ec;
            if (std::filesystem::exists(from[i])) {
                std::filesystem::rename(from[i], to[i], ec);
                if (ec) {
                    throw io_error(to[i], "cannot write: " + ec.message(), "check the folder is writable");
                }
            } else {
                std::filesystem::remove(to[i], ec); // a stale sidecar of the file replaced
            }
        }
    }

private:
    std::vector<std::string> files(const std::string& path) const {
        if (m_driver != "ESRI Shapefile") {
            return {path};
        }
        std::vector<std::string> out;
        const std::filesystem::path p(path);
        for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"}) {
            out.push_back((p.parent_path() / p.stem()).string() + ext);
        }
        return out;
    }
    std::string m_path, m_driver, m_tmp;
};

std::string candidates_text(const Geocoder& g, const Match& m) {
    std::string s;
    for (const auto& c : m.candidates) {
        char score[16];
        std::snprintf(score, sizeof score, "%.2f", c.score);
        s += (s.empty() ? "" : " | ") + g.addresses()[c.address].code + " " + score;
        if (!c.reason.empty()) {
            s += " (" + c.reason + ")";
        }
    }
    return s;
}

void write_output(const Workspace& ws, const Geocoder& g, const SourceRows& src, const std::vector<GeocodeRow>& rows,
                  const GeocodeOptions& options, GeocodeResult& result) {
    const std::string driver_name = options.format.empty() ? io::driver_for_path(options.output) : options.format;
    result.driver = driver_name;
    GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
    if (driver == nullptr || GDALGetMetadataItem(driver, GDAL_DCAP_VECTOR, nullptr) == nullptr) {
        throw usage_error("unknown output format '" + driver_name + "'", "use a GDAL vector driver name such as CSV, GPKG, GeoJSON, XLSX");
    }
    PendingOutput pending(options.output, driver_name, options.overwrite);
    QuietGdal quiet;
    Dataset ds(GDALCreate(driver, pending.temp_path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) {
        throw io_error(options.output, "cannot create: " + QuietGdal::last(), "check the folder is writable");
    }
    const bool no_geometry = driver_name == "CSV" || driver_name == "XLSX" || driver_name == "ODS";
    std::vector<std::string> lco_strings;
    if (driver_name == "CSV") {
        lco_strings = {"WRITE_BOM=YES", "LINEFORMAT=CRLF"}; // Excel opens UTF-8 CSV correctly with a BOM
    } else if (driver_name == "ESRI Shapefile") {
        lco_strings = {"ENCODING=UTF-8"};
    } else if (driver_name == "GeoJSON") {
        lco_strings = {"COORDINATE_PRECISION=9", "RFC7946=NO"};
    }
    std::vector<const char*> lco;
    for (const auto& s : lco_strings) {
        lco.push_back(s.c_str());
    }
    lco.push_back(nullptr);
    grid::detail::Srs srs = no_geometry ? nullptr : grid::detail::srs_from_epsg(ws.srid());
    OGRLayerH out = GDALDatasetCreateLayer(ds.get(), "geocoded", srs.get(), no_geometry ? wkbNone : wkbPoint, lco.data());
    if (out == nullptr) {
        throw io_error(options.output, "cannot create the output layer: " + QuietGdal::last());
    }
    // Input columns first, then the results; a result column named like an input column gets "gk_".
    struct Col {
        std::string name;
        OGRFieldType type;
    };
    std::vector<Col> cols;
    for (const auto& c : src.columns) {
        cols.push_back({c, OFTString});
    }
    const std::vector<Col> added{{"status", OFTString},         {"score", OFTReal},        {"match", OFTString},
                                 {"reason", OFTString},         {"address_code", OFTString}, {"standard_address", OFTString},
                                 {"building_code", OFTString},  {"grid_code", OFTString},   {"microgrid_code", OFTString},
                                 {"x", OFTReal},                {"y", OFTReal},             {"candidates", OFTString},
                                 {"error", OFTString}};
    for (Col c : added) {
        for (const auto& s : src.columns) {
            if (lower(s) == lower(c.name)) {
                c.name = "gk_" + c.name;
            }
        }
        cols.push_back(c);
    }
    for (const auto& c : cols) {
        OGRFieldDefnH fd = OGR_Fld_Create(c.name.c_str(), c.type);
        const OGRErr err = OGR_L_CreateField(out, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) {
            throw io_error(options.output, "cannot create field " + c.name + ": " + QuietGdal::last());
        }
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(out);
    const bool transactions = GDALDatasetTestCapability(ds.get(), ODsCTransactions) != 0;
    if (transactions) {
        GDALDatasetStartTransaction(ds.get(), FALSE);
    }
    const int first = static_cast<int>(src.columns.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        Feature feat(OGR_F_Create(defn));
        for (int i = 0; i < first; ++i) {
            OGR_F_SetFieldString(feat.get(), i, address::to_valid_utf8(src.values[r][static_cast<std::size_t>(i)]).c_str());
        }
        const Match& m = rows[r].match;
        auto set = [&](int k, const std::string& v) {
            if (!v.empty()) {
                OGR_F_SetFieldString(feat.get(), first + k, v.c_str());
            }
        };
        set(0, std::string(status_name(m.status)));
        if (!m.candidates.empty()) {
            OGR_F_SetFieldDouble(feat.get(), first + 1, std::round(m.candidates[0].score * 1000) / 1000);
        }
        if (m.status == MatchStatus::matched) {
            const StandardAddress& a = g.addresses()[m.candidates[0].address];
            set(2, m.method);
            set(3, m.candidates[0].reason);
            set(4, a.code);
            set(5, a.text);
            set(6, a.building_code);
            set(7, a.grid_code);
            set(8, a.microgrid_code);
            if (a.has_point) {
                OGR_F_SetFieldDouble(feat.get(), first + 9, a.x);
                OGR_F_SetFieldDouble(feat.get(), first + 10, a.y);
                if (!no_geometry) {
                    OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
                    OGR_G_SetPoint_2D(p, 0, a.x, a.y);
                    OGR_F_SetGeometryDirectly(feat.get(), p);
                }
            }
        } else if (m.status != MatchStatus::error) {
            set(3, m.status == MatchStatus::ambiguous ? "more than one standard address fits" : "no standard address fits well enough");
        }
        set(11, candidates_text(g, m));
        set(12, m.error);
        if (OGR_L_CreateFeature(out, feat.get()) != OGRERR_NONE) {
            throw io_error(options.output, "writing row " + std::to_string(rows[r].row) + " failed: " + QuietGdal::last());
        }
        if (options.progress && (r + 1) % 5000 == 0) {
            options.progress("writing", r + 1, rows.size());
        }
    }
    if (transactions && GDALDatasetCommitTransaction(ds.get()) != OGRERR_NONE) {
        throw io_error(options.output, "cannot finish writing: " + QuietGdal::last());
    }
    ds.reset(); // flush and close before renaming
    if (!std::filesystem::exists(pending.temp_path())) {
        throw io_error(options.output, "cannot write: " + QuietGdal::last(), "check the folder is writable");
    }
    pending.commit();
}

bool is_known_text_column(const std::string& name) {
    for (const auto& n : text_column_names()) {
        if (lower(name) == lower(n)) {
            return true;
        }
    }
    return false;
}

/// The column holding the address: --text-column, a known name, or the only column.
int pick_text_column(const std::string& source, const std::vector<std::string>& columns, const std::string& wanted) {
    std::string all;
    for (const auto& c : columns) {
        all += (all.empty() ? "" : ", ") + c;
    }
    auto find = [&](const std::string& name) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (columns[i] == name) {
                return static_cast<int>(i);
            }
        }
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (lower(columns[i]) == lower(name)) {
                return static_cast<int>(i);
            }
        }
        return -1;
    };
    if (!wanted.empty()) {
        const int i = find(wanted);
        if (i < 0) {
            throw usage_error("--text-column " + wanted + ": " + source + " has no such column",
                              "its columns: " + (all.empty() ? std::string("none") : all));
        }
        return i;
    }
    for (const auto& n : text_column_names()) {
        if (const int i = find(n); i >= 0) {
            return i;
        }
    }
    if (columns.size() == 1) {
        return 0;
    }
    throw usage_error("cannot tell which column of " + source + " holds the addresses",
                      "name it with --text-column (columns: " + (all.empty() ? std::string("none") : all) + ")");
}

/// A text file without any separator in its first line: one address per line (GDAL's CSV driver
/// does not open such files). The first line is a header when it names the column.
SourceRows read_one_column(const std::string& source, const std::string& bytes, const GeocodeOptions& options) {
    SourceRows src;
    const std::vector<std::string> lines = lines_of(bytes);
    const std::string first = lines.empty() ? std::string() : unquote(lines.front());
    const bool header = !lines.empty() && (is_known_text_column(first) || (!options.text_column.empty() && first == options.text_column));
    src.columns = {header ? address::to_valid_utf8(first) : std::string("address")};
    src.text_index = pick_text_column(source, src.columns, options.text_column);
    for (std::size_t i = header ? 1 : 0; i < lines.size(); ++i) {
        src.values.push_back({unquote(lines[i])});
        src.row_numbers.push_back(static_cast<std::int64_t>(i + 1));
    }
    return src;
}

/// Any table GDAL reads.
SourceRows read_with_gdal(const std::string& source, const std::string& open_path, const std::vector<std::string>& open_options,
                          bool spreadsheet_rows, const GeocodeOptions& options) {
    std::vector<const char*> oo;
    for (const auto& o : open_options) {
        oo.push_back(o.c_str());
    }
    oo.push_back(nullptr);
    QuietGdal quiet;
    Dataset ds(GDALOpenEx(open_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, oo.data(), nullptr));
    if (!ds) {
        const std::string why = QuietGdal::last();
        throw io_error(source, "cannot open as a table" + (why.empty() ? std::string() : ": " + why),
                       "gridkit geocode reads CSV, XLSX and what else GDAL reads; check the file");
    }
    OGRLayerH layer = nullptr;
    const int layer_count = GDALDatasetGetLayerCount(ds.get());
    std::string layer_names;
    for (int i = 0; i < layer_count; ++i) {
        layer_names += (i ? ", " : "") + std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.get(), i)));
    }
    if (!options.source_layer.empty()) {
        layer = GDALDatasetGetLayerByName(ds.get(), options.source_layer.c_str());
        if (layer == nullptr) {
            throw usage_error(source + " has no layer '" + options.source_layer + "'", "its layers: " + layer_names);
        }
    } else if (layer_count == 1) {
        layer = GDALDatasetGetLayer(ds.get(), 0);
    } else if (layer_count == 0) {
        throw io_error(source, "holds no table", "check the file");
    } else {
        throw usage_error(source + " has " + std::to_string(layer_count) + " layers (sheets)",
                          "choose one with --source-layer (" + layer_names + ")");
    }
    SourceRows src;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    const int nfields = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < nfields; ++i) {
        src.columns.push_back(address::to_valid_utf8(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))));
    }
    src.text_index = pick_text_column(source, src.columns, options.text_column);
    CPLErrorReset();
    OGR_L_ResetReading(layer);
    std::int64_t feature_no = 0;
    while (true) {
        Feature feat(OGR_L_GetNextFeature(layer));
        if (!feat) {
            const std::string why = QuietGdal::last();
            if (!why.empty() && CPLGetLastErrorType() >= CE_Failure) {
                throw io_error(source, "reading stopped after row " + std::to_string(feature_no + (spreadsheet_rows ? 1 : 0)) +
                                           ": " + why, "repair the file and run again");
            }
            break;
        }
        ++feature_no;
        std::vector<std::string> values(static_cast<std::size_t>(nfields));
        for (int i = 0; i < nfields; ++i) {
            if (OGR_F_IsFieldSetAndNotNull(feat.get(), i)) {
                values[static_cast<std::size_t>(i)] = OGR_F_GetFieldAsString(feat.get(), i);
            }
        }
        src.values.push_back(std::move(values));
        src.row_numbers.push_back(spreadsheet_rows ? feature_no + 1 : feature_no);
    }
    return src;
}

} // namespace

GeocodeResult geocode_file(const Workspace& ws, const std::string& source, const GeocodeOptions& options) {
    grid::detail::gdal_init();
    GeocodeResult result;
    result.source = source;
    result.output = options.output;
    const std::string encoding = io::canonical_encoding(options.encoding);
    if (options.geocoder.min_score < 0 || options.geocoder.min_score > 1) {
        throw usage_error("--min-score must be between 0 and 1", "e.g. --min-score 0.8");
    }
    if (!options.output.empty() && options.format.empty()) {
        (void)io::driver_for_path(options.output); // an unknown extension is a usage error before any work
    }
    if (!std::filesystem::exists(source) && source.rfind("/vsi", 0) != 0) {
        throw io_error(source, "no such file", "check the path");
    }

    // The rows.
    if (options.progress) {
        options.progress("reading", 0, 0);
    }
    const std::string ext = lower(std::filesystem::path(source).extension().string());
    SourceRows src;
    if (ext == ".csv" || ext == ".tsv" || ext == ".txt") {
        const std::string text = io::read_text_file(source, encoding, io::BadLines::keep, result.encoding);
        const std::string first_line = text.substr(0, text.find('\n'));
        if (first_line.find_first_of(",;\t") == std::string::npos) {
            src = read_one_column(source, text, options);
        } else {
            const grid::detail::MemoryFile memory(text, ext == ".tsv" ? ".tsv" : ".csv");
            src = read_with_gdal(source, memory.path(), {"AUTODETECT_TYPE=NO", "HEADERS=YES", "EMPTY_STRING_AS_NULL=NO"}, true, options);
        }
    } else if (ext == ".xlsx" || ext == ".ods" || ext == ".xls") {
        result.encoding = "UTF-8";
        src = read_with_gdal(source, source, {"HEADERS=FORCE", "FIELD_TYPES=STRING"}, true, options);
    } else {
        std::vector<std::string> open_options;
        if ((ext == ".shp" || ext == ".dbf") && encoding != "auto") {
            open_options.push_back("ENCODING=" + encoding);
        }
        result.encoding = encoding == "auto" ? "UTF-8" : encoding;
        src = read_with_gdal(source, source, open_options, false, options);
    }
    result.text_column = src.columns[static_cast<std::size_t>(src.text_index)];

    // The workspace's standard addresses, then every row (in parallel: the geocoder is const).
    const Geocoder geocoder(ws, options.geocoder);
    result.addresses = static_cast<std::int64_t>(geocoder.addresses().size());
    std::vector<GeocodeRow> rows(src.values.size());
    detail::for_chunks(
        rows.size(), 256, options.threads,
        [&]() -> detail::ChunkFn {
            return [&](std::size_t begin, std::size_t end) {
                for (std::size_t r = begin; r < end; ++r) {
                    const std::string& text = src.values[r][static_cast<std::size_t>(src.text_index)];
                    rows[r].row = src.row_numbers[r];
                    rows[r].text = address::to_valid_utf8(text);
                    rows[r].match = geocoder.match(text);
                    for (const auto& c : rows[r].match.candidates) {
                        rows[r].candidates.push_back(geocoder.addresses()[c.address]);
                    }
                }
            };
        },
        [&](std::size_t done) {
            if (options.progress) {
                options.progress("matching", done, rows.size());
            }
        });
    for (const auto& r : rows) {
        ++result.rows;
        switch (r.match.status) {
        case MatchStatus::matched:
            ++result.matched;
            ++(r.match.method == "exact" ? result.exact : result.fuzzy);
            break;
        case MatchStatus::ambiguous: ++result.ambiguous; break;
        case MatchStatus::unmatched: ++result.unmatched; break;
        case MatchStatus::error: ++result.errors; break;
        }
    }
    if (!options.output.empty()) {
        write_output(ws, geocoder, src, rows, options, result);
    }
    result.details = std::move(rows);
    return result;
}

} // namespace grid::assign

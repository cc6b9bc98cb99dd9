// gridkit import: any OGR source -> one workspace layer. Every row ends written or rejected.
#include "libgrid/io.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"
#include "libgrid/geometry.hpp"
#include "libgrid/workspace.hpp"

#include "detail/address_fill.hpp"
#include "detail/gdal_util.hpp"
#include "detail/import_rules.hpp"
#include "detail/rtree_bulk.hpp"
#include "detail/schema_aside.hpp"

#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iconv.h>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace grid::io {

using detail::Dataset;
using detail::Feature;
using detail::QuietGdal;

// --- encodings ------------------------------------------------------------------------------

bool is_valid_utf8(const char* data, std::size_t size) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(data);
    std::size_t i = 0;
    while (i < size) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= size || (s[i + k] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

namespace {

bool iconv_convert(const char* from, const char* to, const std::string& in, std::string& out) {
    iconv_t cd = iconv_open(to, from);
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        return false;
    }
    out.assign(in.size() * 2 + 16, '\0');
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    char* dst = out.data();
    std::size_t dst_left = out.size();
    bool ok = true;
    while (src_left > 0) {
        const std::size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
        if (r == static_cast<std::size_t>(-1)) {
            if (errno == E2BIG) {
                const std::size_t used = static_cast<std::size_t>(dst - out.data());
                out.resize(out.size() * 2);
                dst = out.data() + used;
                dst_left = out.size() - used;
                continue;
            }
            ok = false;
            break;
        }
    }
    out.resize(static_cast<std::size_t>(dst - out.data()));
    iconv_close(cd);
    return ok;
}

} // namespace

bool gb18030_to_utf8(const std::string& in, std::string& out) { return iconv_convert("GB18030", "UTF-8", in, out); }
bool utf8_to_gb18030(const std::string& in, std::string& out) { return iconv_convert("UTF-8", "GB18030", in, out); }

// --- mapping files --------------------------------------------------------------------------

void apply_mapping_file(const std::string& path, ImportOptions& options) {
    std::ifstream in(path);
    if (!in) {
        throw io_error(path, "cannot read the mapping file", "check the path given to --map");
    }
    nlohmann::json doc;
    try {
        in >> doc;
    } catch (const nlohmann::json::exception& e) {
        throw parse_error(path, 0, "", std::string("not valid JSON: ") + e.what(),
                          "see schemas/mapping.schema.json for the format");
    }
    if (!doc.is_object()) {
        throw parse_error(path, 0, "", "a mapping file must hold a JSON object", "see schemas/mapping.schema.json");
    }
    auto text = [&](const char* key) -> std::string {
        if (!doc.contains(key)) {
            return {};
        }
        if (!doc[key].is_string()) {
            throw parse_error(path, 0, key, "must be a string", "see schemas/mapping.schema.json");
        }
        return doc[key].get<std::string>();
    };
    static const std::unordered_set<std::string> known{"layer", "fields", "x", "y", "src_crs", "encoding",
                                                       "source_layer", "where", "$schema", "comment"};
    for (const auto& [key, value] : doc.items()) {
        if (known.count(key) == 0) {
            throw parse_error(path, 0, key, "unknown key in the mapping file", "known keys: layer, fields, x, y, src_crs, encoding, source_layer, where");
        }
    }
    const std::string layer_name = text("layer");
    if (!layer_name.empty() && !options.layer.empty() && layer_name != options.layer) {
        throw usage_error("mapping file " + path + " is for layer '" + layer_name + "', not '" + options.layer + "'",
                          "use the mapping file of that layer, or drop --layer");
    }
    if (options.layer.empty()) {
        options.layer = layer_name;
    }
    if (doc.contains("fields")) {
        if (!doc["fields"].is_object()) {
            throw parse_error(path, 0, "fields", "must be an object {\"destination field\": \"source column\"}", "");
        }
        for (const auto& [dst, src] : doc["fields"].items()) {
            if (!src.is_string()) {
                throw parse_error(path, 0, "fields." + dst, "must be the name of a source column", "");
            }
            options.fields.emplace(dst, src.get<std::string>()); // --field on the command line wins
        }
    }
    auto fill = [](std::string& target, const std::string& value) {
        if (target.empty() && !value.empty()) {
            target = value;
        }
    };
    fill(options.x_column, text("x"));
    fill(options.y_column, text("y"));
    fill(options.src_crs, text("src_crs"));
    fill(options.source_layer, text("source_layer"));
    fill(options.where, text("where"));
    const std::string enc = text("encoding");
    if (!enc.empty() && options.encoding == "auto") {
        options.encoding = enc;
    }
}

// --- the importer -----------------------------------------------------------------------------

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string extension(const std::string& path) { return lower(std::filesystem::path(path).extension().string()); }

std::int64_t line_of_offset(const std::string& bytes, std::size_t offset) {
    return 1 + std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(std::min(offset, bytes.size())), '\n');
}

std::size_t first_invalid_utf8(const std::string& bytes) {
    // Bisect by lines: find the first line that is not valid UTF-8.
    std::size_t start = 0;
    while (start < bytes.size()) {
        std::size_t end = bytes.find('\n', start);
        if (end == std::string::npos) {
            end = bytes.size();
        }
        if (!is_valid_utf8(bytes.data() + start, end - start)) {
            return start;
        }
        start = end + 1;
    }
    return std::string::npos;
}

/// True when the file at `path` is UTF-8 without a byte-order mark, read in pieces of a few
/// megabytes cut at line ends, so a large file is never held whole just to be checked.
bool plain_utf8_file(std::ifstream& in) {
    std::string piece;
    std::string carry;
    std::vector<char> buf(std::size_t{4} << 20);
    bool first = true;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) {
            break;
        }
        piece.assign(carry);
        piece.append(buf.data(), got);
        if (first && piece.size() >= 3 && piece.compare(0, 3, "\xEF\xBB\xBF") == 0) {
            return false;
        }
        first = false;
        const std::size_t cut = piece.rfind('\n');
        const std::size_t upto = cut == std::string::npos ? 0 : cut + 1;
        if (!is_valid_utf8(piece.data(), upto)) {
            return false;
        }
        carry.assign(piece, upto, std::string::npos);
    }
    return is_valid_utf8(carry.data(), carry.size());
}

/// Settles a text source's (CSV/TSV/TXT) encoding and returns the path GDAL opens. A UTF-8
/// .csv/.tsv goes to GDAL as it is; anything else is read whole and handed over as UTF-8 from
/// memory (`holder`): GDAL's CSV driver does not recode, and GB18030 must not reach the workspace.
std::string prepare_text_source(const std::string& path, const std::string& requested,
                                std::optional<detail::MemoryFile>& holder, std::string& encoding_used) {
    if (requested != "GB18030" && (extension(path) == ".csv" || extension(path) == ".tsv")) {
        std::ifstream in(path, std::ios::binary);
        if (in && plain_utf8_file(in)) {
            encoding_used = "UTF-8";
            return path; // GDAL reads it as it is: no copy in memory
        }
    }
    holder.emplace(read_text_file(path, requested, BadLines::refuse, encoding_used),
                   extension(path) == ".tsv" ? ".tsv" : ".csv");
    return holder->path();
}

// Column name aliases common in Chinese spreadsheets, per destination field.
const std::unordered_map<std::string, std::vector<std::string>>& aliases() {
    static const std::unordered_map<std::string, std::vector<std::string>> a{
        {"code", {"编码", "代码", "编号"}},
        {"name", {"名称", "姓名"}},
        {"text", {"地址", "标准地址", "address"}},
        {"id_number", {"身份证号", "身份证号码", "公民身份号码", "证件号码", "id"}},
        {"phone", {"电话", "手机", "手机号", "联系电话"}},
        {"uscc", {"统一社会信用代码", "信用代码"}},
        {"address_code", {"地址编码", "标准地址编码"}},
        {"house_code", {"房屋编码"}},
        {"building_code", {"楼栋编码", "建筑编码"}},
        {"grid_code", {"网格编码"}},
        {"community_code", {"社区编码"}},
        {"floors", {"层数", "楼层数"}},
        {"units", {"单元数"}},
        {"households", {"户数"}},
        {"leader", {"网格员", "网格长"}},
        {"leader_phone", {"网格员电话"}},
    };
    return a;
}

const std::vector<std::string> x_names{"lng", "lon", "long", "longitude", "x", "经度", "point_x"};
const std::vector<std::string> y_names{"lat", "latitude", "y", "纬度", "point_y"};

struct SourceField {
    int index = -1;
    std::string name;
};

struct Column {
    std::string field; // destination field
    int source = -1;   // OGR field index, -1 for derived
    LayerField::Type type = LayerField::Type::text;
};

bool inside_china(double lng, double lat) { return lng >= 73.4 && lng <= 135.1 && lat >= 3.8 && lat <= 53.6; }

std::string fmt_coord(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

bool parse_double(const std::string& s, double& out) {
    if (s.empty()) {
        return false;
    }
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    while (end != nullptr && (*end == ' ' || *end == '\t')) {
        ++end;
    }
    return end != nullptr && *end == '\0';
}

bool parse_int(const std::string& s, std::int64_t& out) {
    if (s.empty()) {
        return false;
    }
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (end == nullptr || *end != '\0') {
        // Spreadsheets write whole numbers as 3.0
        double d = 0;
        if (parse_double(s, d) && std::floor(d) == d && std::fabs(d) < 9e15) {
            out = static_cast<std::int64_t>(d);
            return true;
        }
        return false;
    }
    out = v;
    return true;
}

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

class CsvWriter {
public:
    explicit CsvWriter(const std::string& path) : m_out(path, std::ios::binary | std::ios::trunc) {
        if (!m_out) {
            throw io_error(path, "cannot write the rejects file", "choose a writable path for --rejects");
        }
        m_out << "\xEF\xBB\xBF"; // BOM: Excel opens UTF-8 CSV correctly with it
    }
    void row(const std::vector<std::string>& fields) {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i) {
                m_out << ',';
            }
            const std::string& f = fields[i];
            if (f.find_first_of(",\"\n\r") != std::string::npos) {
                m_out << '"';
                for (char c : f) {
                    if (c == '"') {
                        m_out << '"';
                    }
                    m_out << c;
                }
                m_out << '"';
            } else {
                m_out << f;
            }
        }
        m_out << "\r\n";
    }
    bool good() const { return m_out.good(); }
    void close() { m_out.close(); }

private:
    std::ofstream m_out;
};

} // namespace

ImportResult import_layer(Workspace& ws, const std::string& source, const ImportOptions& options) {
    detail::gdal_init();
    const LayerInfo& info = layer(options.layer);
    ImportResult result;
    result.layer = info.name;
    result.source = source;

    // Options are checked before anything is read.
    for (const auto& [dst, src] : options.fields) {
        if (info.field(dst) == nullptr) {
            std::string known;
            for (const auto& f : info.fields) {
                known += (known.empty() ? "" : ", ") + f.name;
            }
            throw usage_error("--field " + dst + "=" + src + ": layer " + info.name + " has no field '" + dst + "'",
                              "fields of " + info.name + ": " + known);
        }
    }
    const std::string encoding = canonical_encoding(options.encoding);
    std::optional<crs::CrsSpec> src_spec;
    if (!options.src_crs.empty()) {
        src_spec = crs::CrsSpec::parse(options.src_crs);
    }
    std::string new_codes_parent = options.new_codes;
    if (!new_codes_parent.empty()) {
        const std::size_t need = info.name == "microgrid" ? 15 : 12;
        if ((info.name != "building" && info.name != "grid" && info.name != "microgrid") ||
            new_codes_parent.size() != need || new_codes_parent.find_first_not_of("0123456789") != std::string::npos) {
            throw usage_error("--new-codes takes a 12-digit community code (building, grid) or a 15-digit grid code (microgrid)",
                              "give the parent under which new codes are numbered");
        }
    }

    // Open the source.
    if (!std::filesystem::exists(source) && source.rfind("/vsi", 0) != 0) {
        throw io_error(source, "no such file", "check the path");
    }
    const std::string ext = extension(source);
    std::optional<detail::MemoryFile> text_holder;
    std::string open_path = source;
    std::vector<std::string> open_options;
    if (ext == ".csv" || ext == ".tsv" || ext == ".txt") {
        open_path = prepare_text_source(source, encoding, text_holder, result.encoding);
        open_options = {"AUTODETECT_TYPE=NO", "HEADERS=YES", "SEPARATOR=AUTO", "EMPTY_STRING_AS_NULL=NO"};
    } else if (ext == ".shp" || ext == ".dbf") {
        if (encoding != "auto") {
            open_options.push_back("ENCODING=" + encoding);
            result.encoding = encoding;
        } else {
            result.encoding = "from .cpg (or GDAL's default)";
        }
    } else if (ext == ".xlsx" || ext == ".ods") {
        open_options = {"HEADERS=FORCE", "FIELD_TYPES=STRING"};
        result.encoding = "UTF-8";
    } else {
        result.encoding = "UTF-8";
    }
    std::vector<const char*> oo;
    for (const auto& o : open_options) {
        oo.push_back(o.c_str());
    }
    oo.push_back(nullptr);
    Dataset ds;
    {
        QuietGdal quiet;
        ds.reset(GDALOpenEx(open_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, oo.data(), nullptr));
        if (!ds) {
            const std::string why = QuietGdal::last();
            throw io_error(source, "cannot open as a vector data source" + (why.empty() ? std::string() : ": " + why),
                           "gridkit reads what GDAL reads (CSV, XLSX, SHP, GeoJSON, GPKG, KML, OSM); check the file");
        }
    }
    OGRLayerH src = nullptr;
    const int layer_count = GDALDatasetGetLayerCount(ds.get());
    if (!options.source_layer.empty()) {
        src = GDALDatasetGetLayerByName(ds.get(), options.source_layer.c_str());
        if (src == nullptr) {
            std::string names;
            for (int i = 0; i < layer_count; ++i) {
                names += (i ? ", " : "") + std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.get(), i)));
            }
            throw usage_error(source + " has no layer '" + options.source_layer + "'", "its layers: " + names);
        }
    } else if (layer_count == 1) {
        src = GDALDatasetGetLayer(ds.get(), 0);
    } else if (ext == ".osm" || ext == ".pbf") {
        const char* pick = info.geometry_type == "POINT" ? "points"
                           : info.geometry_type == "MULTILINESTRING" ? "lines" : "multipolygons";
        src = GDALDatasetGetLayerByName(ds.get(), pick);
    } else {
        std::string names;
        for (int i = 0; i < layer_count; ++i) {
            names += (i ? ", " : "") + std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.get(), i)));
        }
        throw usage_error(source + " has " + std::to_string(layer_count) + " layers",
                          "choose one with --source-layer (" + names + ")");
    }
    if (src == nullptr) {
        throw io_error(source, "has no layer to import", "check the file");
    }
    if (!options.where.empty()) {
        QuietGdal quiet;
        if (OGR_L_SetAttributeFilter(src, options.where.c_str()) != OGRERR_NONE) {
            throw usage_error("--where '" + options.where + "' is not a valid filter on " + source + ": " + QuietGdal::last(),
                              "use OGR SQL WHERE syntax, e.g. \"building IS NOT NULL\"");
        }
    }

    // Source columns.
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(src);
    const int nfields = OGR_FD_GetFieldCount(defn);
    std::vector<std::string> src_names;
    for (int i = 0; i < nfields; ++i) {
        src_names.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    auto find_source = [&](const std::string& name) -> int {
        for (int i = 0; i < nfields; ++i) {
            if (src_names[static_cast<std::size_t>(i)] == name) {
                return i;
            }
        }
        for (int i = 0; i < nfields; ++i) {
            if (lower(src_names[static_cast<std::size_t>(i)]) == lower(name)) {
                return i;
            }
        }
        return -1;
    };

    // Destination columns: explicit mapping, else same name, else a known alias.
    std::vector<Column> columns;
    for (const auto& f : info.fields) {
        int idx = -1;
        auto explicit_map = options.fields.find(f.name);
        if (explicit_map != options.fields.end()) {
            idx = find_source(explicit_map->second);
            if (idx < 0) {
                throw parse_error(source, 0, explicit_map->second, "no such column (mapped to field " + f.name + ")",
                                  "columns in the source: " + [&] {
                                      std::string s;
                                      for (const auto& n : src_names) s += (s.empty() ? "" : ", ") + n;
                                      return s;
                                  }());
            }
        } else {
            idx = find_source(f.name);
            if (idx < 0) {
                auto a = aliases().find(f.name);
                if (a != aliases().end()) {
                    for (const auto& alias : a->second) {
                        if ((idx = find_source(alias)) >= 0) {
                            break;
                        }
                    }
                }
            }
        }
        if (idx >= 0) {
            columns.push_back({f.name, idx, f.type});
            result.mapping[f.name] = src_names[static_cast<std::size_t>(idx)];
        }
    }
    const bool generates_codes = !new_codes_parent.empty();
    for (const auto& f : info.fields) {
        const bool mapped = result.mapping.count(f.name) > 0;
        if (f.required && !mapped && !(generates_codes && f.name == "code") &&
            !detail::derivable(info.name, f.name)) {
            std::string cols;
            for (const auto& n : src_names) {
                cols += (cols.empty() ? "" : ", ") + n;
            }
            throw parse_error(source, 0, "", "no column for the required field '" + f.name + "' of layer " + info.name,
                              "map it with --field " + f.name + "=COLUMN (columns: " + (cols.empty() ? "none" : cols) + ")");
        }
    }
    // Derived fields are written even when unmapped (filled from the code).
    for (const auto& f : info.fields) {
        if (result.mapping.count(f.name) == 0 && (detail::derivable(info.name, f.name) || (generates_codes && f.name == "code"))) {
            columns.push_back({f.name, -1, f.type});
        }
    }
    // Address components parsed from the text when only the text is mapped (detail/address_fill.hpp).
    std::unique_ptr<detail::AddressFiller> address_filler;
    if (detail::AddressFiller::wanted(info.name, result.mapping)) {
        address_filler = std::make_unique<detail::AddressFiller>(ws);
        for (const auto& f : detail::AddressFiller::fields()) {
            columns.push_back({f, -1, LayerField::Type::text});
        }
    }

    // Geometry: from the source geometry, or from x/y columns for point layers.
    const bool has_geom = !info.geometry_column.empty();
    int x_idx = -1, y_idx = -1;
    const bool source_has_geom = OGR_FD_GetGeomFieldCount(defn) > 0 && OGR_L_GetGeomType(src) != wkbNone;
    if (has_geom) {
        if (!options.x_column.empty() || !options.y_column.empty()) {
            if (options.x_column.empty() || options.y_column.empty()) {
                throw usage_error("--x and --y go together", "give both columns, e.g. --x 经度 --y 纬度");
            }
            x_idx = find_source(options.x_column);
            y_idx = find_source(options.y_column);
            if (x_idx < 0 || y_idx < 0) {
                throw parse_error(source, 0, x_idx < 0 ? options.x_column : options.y_column, "no such column (given with --x/--y)",
                                  "check the column names in the header");
            }
        } else if (!source_has_geom && (info.geometry_type == "POINT" || !info.point_column.empty())) {
            for (const auto& n : x_names) {
                if ((x_idx = find_source(n)) >= 0) break;
            }
            for (const auto& n : y_names) {
                if ((y_idx = find_source(n)) >= 0) break;
            }
            if (x_idx < 0 || y_idx < 0) {
                x_idx = y_idx = -1;
            }
        }
    }
    const bool xy_mode = x_idx >= 0;
    if (has_geom && !xy_mode && !source_has_geom && info.geometry_type != "POINT" && info.name != "division") {
        // Polygon layers without geometry are allowed (outlines drawn later), points need coordinates.
    }
    if (has_geom && !xy_mode && !source_has_geom && info.geometry_type == "POINT") {
        throw parse_error(source, 0, "", "has no geometry and no lng/lat columns for layer " + info.name,
                          "name the coordinate columns with --x COLUMN --y COLUMN");
    }

    // Coordinate transformation: source -> CGCS2000 lon/lat (checked) -> workspace CRS.
    if (!src_spec) {
        OGRSpatialReferenceH srs = source_has_geom && !xy_mode ? OGR_L_GetSpatialRef(src) : nullptr;
        if (srs == nullptr) {
            src_spec = crs::CrsSpec{crs::CrsSpec::Kind::epsg, 4490}; // CSV coordinates: CGCS2000/WGS84 lon/lat
        } else {
            detail::Srs copy(OSRClone(srs));
            OSRAutoIdentifyEPSG(copy.get());
            const char* auth = OSRGetAuthorityName(copy.get(), nullptr);
            const char* code = OSRGetAuthorityCode(copy.get(), nullptr);
            if (auth != nullptr && code != nullptr && std::string(auth) == "EPSG") {
                src_spec = crs::CrsSpec{crs::CrsSpec::Kind::epsg, std::atoi(code)};
            } else if (OSRIsGeographic(copy.get()) != 0 && std::fabs(OSRGetSemiMajor(copy.get(), nullptr) - 6378137.0) < 1.0) {
                src_spec = crs::CrsSpec{crs::CrsSpec::Kind::epsg, 4326};
            } else {
                throw usage_error(source + ": its CRS has no EPSG code gridkit can use", "give it with --src-crs EPSG:n (or gcj02, bd09)");
            }
        }
    }
    result.src_crs = src_spec->to_string();
    const crs::CrsSpec lonlat{crs::CrsSpec::Kind::epsg, 4490};
    const crs::CrsSpec ws_spec{crs::CrsSpec::Kind::epsg, ws.srid()};
    const crs::Transformer to_lonlat(*src_spec, lonlat);
    std::optional<crs::Transformer> to_ws;
    if (ws.srid() != 4490) {
        to_ws.emplace(lonlat, ws_spec);
    }

    // Rules for codes and parents of this layer.
    detail::ImportRules rules(ws, info.name);

    // The INSERT (or upsert) statement.
    std::string cols_sql, vals_sql, update_sql;
    for (const auto& c : columns) {
        cols_sql += (cols_sql.empty() ? "" : ", ") + c.field;
        vals_sql += vals_sql.empty() ? "?" : ", ?";
        if (c.field != info.key) {
            update_sql += (update_sql.empty() ? "" : ", ") + c.field + " = excluded." + c.field;
        }
    }
    const std::string srid = std::to_string(ws.srid());
    const bool write_geom = has_geom && (xy_mode || source_has_geom);
    if (write_geom) {
        if (info.geometry_type == "POINT") {
            cols_sql += ", " + info.geometry_column;
            vals_sql += ", MakePoint(?, ?, " + srid + ")";
            update_sql += (update_sql.empty() ? "" : ", ") + info.geometry_column + " = excluded." + info.geometry_column;
        } else {
            cols_sql += ", " + info.geometry_column;
            vals_sql += ", GeomFromWKB(?, " + srid + ")";
            update_sql += (update_sql.empty() ? "" : ", ") + info.geometry_column + " = excluded." + info.geometry_column;
        }
        if (!info.point_column.empty()) {
            cols_sql += ", " + info.point_column;
            vals_sql += ", MakePoint(?, ?, " + srid + ")";
            update_sql += (update_sql.empty() ? "" : ", ") + info.point_column + " = excluded." + info.point_column;
        }
    }
    std::string sql = "INSERT INTO " + info.name + " (" + cols_sql + ") VALUES (" + vals_sql + ")";
    if (options.upsert && !info.key.empty()) {
        sql += " ON CONFLICT(" + info.key + ") DO " + (update_sql.empty() ? "NOTHING" : "UPDATE SET " + update_sql);
    }

    // Rejects go to a temporary file renamed at the end, so a failed import leaves none behind.
    std::unique_ptr<CsvWriter> rejects;
    const std::string rejects_tmp = options.rejects_path.empty() ? "" : options.rejects_path + ".tmp";
    struct RemoveOnError {
        const std::string& path;
        ~RemoveOnError() {
            if (!path.empty()) {
                std::remove(path.c_str()); // gone after the rename; left only when the import failed
            }
        }
    } remove_tmp{rejects_tmp};
    if (!options.rejects_path.empty()) {
        rejects = std::make_unique<CsvWriter>(rejects_tmp);
        std::vector<std::string> header{"source", "row", "column", "reason"};
        for (const auto& n : src_names) {
            header.push_back(n);
        }
        rejects->row(header);
    }
    // Per source column: the personal-data field it fills (masked in the rejects file), or "".
    std::vector<std::string> sensitive_source(static_cast<std::size_t>(nfields));
    for (const auto& c : columns) {
        const LayerField* f = info.field(c.field);
        if (c.source >= 0 && f != nullptr && f->sensitive) {
            sensitive_source[static_cast<std::size_t>(c.source)] = c.field;
        }
    }
    const std::string source_name = std::filesystem::path(source).filename().string();

    const bool row_numbers_are_lines = ext == ".csv" || ext == ".tsv" || ext == ".txt" || ext == ".xlsx" || ext == ".ods";
    const std::int64_t total = OGR_L_GetFeatureCount(src, 1);

    // A bulk load (over 20,000 rows and over a quarter of the layer) drops the layer's triggers
    // (SpatiaLite's R-tree maintenance, geometry constraints, geometry_columns_time stamps) and
    // secondary indexes, and restores them at the end inside the same transaction: a killed
    // import rolls all of it back. gridkit builds every geometry itself with the layer's type
    // and SRID, so the constraints hold by construction. The new rows' R-tree entries are
    // packed into the R-tree at the end (detail/rtree_bulk.hpp) instead of row by row.
    const std::int64_t existing = ws.count(info.name);
    const bool bulk = total > 20000 && total > existing / 4;
    Transaction tx(ws);
    std::optional<detail::SchemaAside> aside;
    if (bulk) {
        aside.emplace(ws, "'" + info.name + "'", detail::SchemaAside::What::triggers_and_indexes);
    }
    // R-tree entries of the rows written in bulk mode, per spatial column (0: geometry, 1: point).
    std::vector<detail::RTreeEntry> rtree_entries[2];
    std::vector<std::int64_t> updated_rowids;
    Statement insert = ws.prepare(sql);
    Statement exists = ws.prepare(info.key.empty() ? "SELECT 0" : "SELECT id FROM " + info.name + " WHERE " + info.key + " = ?");
    std::unordered_map<std::string, std::int64_t> seen_keys;
    seen_keys.reserve(static_cast<std::size_t>(std::max<std::int64_t>(total, 0)));

    std::vector<std::optional<std::string>> values(columns.size());
    std::int64_t feature_no = 0;
    OGR_L_ResetReading(src);
    QuietGdal quiet_reading;
    while (true) {
        Feature feat(OGR_L_GetNextFeature(src));
        if (!feat) {
            const std::string why = QuietGdal::last();
            if (!why.empty() && CPLGetLastErrorType() >= CE_Failure) {
                throw io_error(source, "reading stopped after feature " + std::to_string(feature_no) + ": " + why,
                               "repair the file and import it again (nothing was written)");
            }
            break;
        }
        ++feature_no;
        ++result.read;
        const std::int64_t row = row_numbers_are_lines ? feature_no + 1 : feature_no;
        std::string reject_column, reject_reason;
        auto reject = [&](std::string column, std::string reason) {
            if (reject_reason.empty()) {
                reject_column = std::move(column);
                reject_reason = std::move(reason);
            }
        };

        // Attribute values.
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const Column& c = columns[i];
            values[i].reset();
            if (c.source < 0) {
                continue;
            }
            if (!OGR_F_IsFieldSetAndNotNull(feat.get(), c.source)) {
                continue;
            }
            std::string v = trim(OGR_F_GetFieldAsString(feat.get(), c.source));
            if (!is_valid_utf8(v.data(), v.size())) {
                std::string converted;
                if (encoding != "UTF-8" && gb18030_to_utf8(v, converted) && is_valid_utf8(converted.data(), converted.size())) {
                    v = std::move(converted);
                } else {
                    reject(src_names[static_cast<std::size_t>(c.source)], "text is not valid UTF-8; give the right --encoding");
                    continue;
                }
            }
            if (v.empty()) {
                continue;
            }
            if (c.type == LayerField::Type::integer) {
                std::int64_t iv = 0;
                if (!parse_int(v, iv)) {
                    reject(src_names[static_cast<std::size_t>(c.source)], "'" + v.substr(0, 40) + "' is not a whole number (field " + c.field + ")");
                    continue;
                }
                v = std::to_string(iv);
            } else if (c.type == LayerField::Type::real) {
                double dv = 0;
                if (!parse_double(v, dv) || !std::isfinite(dv)) {
                    reject(src_names[static_cast<std::size_t>(c.source)], "'" + v.substr(0, 40) + "' is not a number (field " + c.field + ")");
                    continue;
                }
            }
            values[i] = std::move(v);
        }

        // Codes, parents, derived fields.
        if (reject_reason.empty()) {
            detail::RowView view{columns.size(), [&](const std::string& field) -> std::optional<std::string>* {
                                     for (std::size_t i = 0; i < columns.size(); ++i) {
                                         if (columns[i].field == field) return &values[i];
                                     }
                                     return nullptr;
                                 }};
            if (address_filler) {
                address_filler->fill(view);
            }
            if (generates_codes) {
                auto* code = view.get("code");
                if (code != nullptr && (!code->has_value() || (*code)->empty())) {
                    *code = rules.next_code(new_codes_parent);
                }
            }
            rules.check(view, [&](const std::string& field, const std::string& why) {
                reject(result.mapping.count(field) ? result.mapping[field] : field, why);
            });
        }

        // Geometry.
        std::vector<unsigned char> wkb;
        geom::Envelope env;
        double px = 0, py = 0;
        bool have_point = false;
        if (reject_reason.empty() && write_geom && xy_mode && info.geometry_type == "POINT") {
            // Points from columns: no GEOS object needed.
            const std::string xs = trim(OGR_F_GetFieldAsString(feat.get(), x_idx));
            const std::string ys = trim(OGR_F_GetFieldAsString(feat.get(), y_idx));
            double x = 0, y = 0;
            const bool x_ok = parse_double(xs, x) && std::isfinite(x);
            const bool y_ok = parse_double(ys, y) && std::isfinite(y);
            if (!x_ok || !y_ok) {
                reject(src_names[static_cast<std::size_t>(x_ok ? y_idx : x_idx)],
                       "coordinates '" + xs.substr(0, 30) + "', '" + ys.substr(0, 30) + "' are not numbers");
            } else {
                try {
                    to_lonlat.transform(x, y);
                    if (!inside_china(x, y)) {
                        reject("", "lies outside China (" + fmt_coord(x) + ", " + fmt_coord(y) + ")" +
                                       (inside_china(y, x) ? ": x and y look swapped; check --x/--y" : ": check the coordinates and --src-crs"));
                    } else {
                        if (to_ws) {
                            to_ws->transform(x, y);
                        }
                        px = x;
                        py = y;
                        have_point = true;
                    }
                } catch (const crs_error& e) {
                    reject("", std::string("coordinates cannot be transformed: ") + e.what());
                }
            }
        } else if (reject_reason.empty() && write_geom) {
            try {
                geom::Geometry g;
                if (xy_mode) {
                    const std::string xs = trim(OGR_F_GetFieldAsString(feat.get(), x_idx));
                    const std::string ys = trim(OGR_F_GetFieldAsString(feat.get(), y_idx));
                    double x = 0, y = 0;
                    if (!parse_double(xs, x) || !parse_double(ys, y) || !std::isfinite(x) || !std::isfinite(y)) {
                        reject(src_names[static_cast<std::size_t>(parse_double(xs, x) && std::isfinite(x) ? y_idx : x_idx)],
                               "coordinates '" + xs.substr(0, 30) + "', '" + ys.substr(0, 30) + "' are not numbers");
                    } else {
                        g = geom::make_point(x, y);
                    }
                } else {
                    OGRGeometryH og = OGR_F_GetGeometryRef(feat.get());
                    if (og == nullptr || OGR_G_IsEmpty(og)) {
                        if (info.geometry_type == "POINT") {
                            reject("", "has no geometry");
                        }
                    } else {
                        const int size = OGR_G_WkbSize(og);
                        std::vector<unsigned char> src_wkb(static_cast<std::size_t>(size));
                        OGR_G_ExportToIsoWkb(og, wkbNDR, src_wkb.data());
                        g = geom::from_wkb(src_wkb);
                    }
                }
                if (g) {
                    // Type check before transforming.
                    const int t = geom::type_id(g.get());
                    const bool want_point = info.geometry_type == "POINT";
                    const bool want_line = info.geometry_type == "MULTILINESTRING";
                    const bool is_point = t == GEOS_POINT;
                    const bool is_poly = t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
                    const bool is_line = t == GEOS_LINESTRING || t == GEOS_MULTILINESTRING;
                    const bool building_point = !info.point_column.empty() && is_point;
                    if (!(want_point ? is_point : want_line ? is_line : (is_poly || building_point))) {
                        reject("", "geometry is a " + geom::type_name(g.get()) + ", layer " + info.name + " takes " +
                                       (want_point ? "points" : want_line ? "lines" : "polygons"));
                    } else {
                        bool finite = true;
                        bool in_china = true;
                        double bad_x = 0, bad_y = 0;
                        g = geom::transform(g.get(), [&](double& x, double& y) {
                            if (!std::isfinite(x) || !std::isfinite(y)) {
                                finite = false;
                                return;
                            }
                            to_lonlat.transform(x, y);
                            if (in_china && !inside_china(x, y)) {
                                in_china = false;
                                bad_x = x;
                                bad_y = y;
                            }
                            if (to_ws) {
                                to_ws->transform(x, y);
                            }
                        });
                        if (!finite) {
                            reject("", "geometry has coordinates that are not numbers (NaN or infinite)");
                        } else if (!in_china) {
                            const bool swapped = inside_china(bad_y, bad_x);
                            reject("", "lies outside China (" + fmt_coord(bad_x) + ", " + fmt_coord(bad_y) + ")" +
                                           (swapped ? ": x and y look swapped; check --x/--y" : ": check the coordinates and --src-crs"));
                        } else if (is_poly) {
                            // Structure was checked by the WKB reader (closed rings); an invalid
                            // polygon is kept for `gridkit validate` / `repair` to report and fix.
                            g = geom::to_multipolygon(std::move(g));
                            wkb = geom::to_wkb(g.get());
                            env = geom::envelope(g.get());
                            if (!info.point_column.empty()) {
                                const auto p = geom::point_on_surface(g.get());
                                px = p.x;
                                py = p.y;
                                have_point = true;
                            }
                        } else if (is_line) {
                            if (t == GEOS_LINESTRING) {
                                std::vector<geom::Geometry> parts;
                                parts.push_back(std::move(g));
                                g = geom::make_collection(GEOS_MULTILINESTRING, std::move(parts));
                            }
                            wkb = geom::to_wkb(g.get());
                            env = geom::envelope(g.get());
                        } else {
                            const auto p = geom::point_xy(g.get());
                            px = p.x;
                            py = p.y;
                            have_point = true;
                        }
                    }
                }
            } catch (const geometry_error& e) {
                reject("", std::string("geometry is malformed: ") + e.what());
            } catch (const crs_error& e) {
                reject("", std::string("coordinates cannot be transformed: ") + e.what());
            }
        }

        // Duplicates within the file.
        std::string key;
        if (reject_reason.empty() && !info.key.empty()) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                if (columns[i].field == info.key && values[i]) {
                    key = *values[i];
                }
            }
            auto [it, inserted] = seen_keys.emplace(key, row);
            if (!inserted) {
                reject(result.mapping.count(info.key) ? result.mapping[info.key] : info.key,
                       "duplicate " + info.key + ": same as row " + std::to_string(it->second));
            }
        }

        // Write.
        if (reject_reason.empty()) {
            bool existed = false;
            std::int64_t existing_rowid = 0;
            if (options.upsert && !info.key.empty()) {
                exists.bind(1, key);
                existed = exists.step();
                existing_rowid = existed ? exists.column_int(0) : 0;
                exists.reset();
            }
            int b = 1;
            for (std::size_t i = 0; i < columns.size(); ++i, ++b) {
                if (values[i]) {
                    if (columns[i].type == LayerField::Type::integer) {
                        insert.bind(b, static_cast<std::int64_t>(std::stoll(*values[i])));
                    } else if (columns[i].type == LayerField::Type::real) {
                        insert.bind(b, std::stod(*values[i]));
                    } else {
                        insert.bind(b, *values[i]);
                    }
                } else {
                    insert.bind_null(b);
                }
            }
            if (write_geom) {
                if (info.geometry_type == "POINT") {
                    insert.bind(b, px).bind(b + 1, py);
                    b += 2;
                } else {
                    if (wkb.empty()) {
                        insert.bind_null(b++);
                    } else {
                        insert.bind_blob(b++, wkb.data(), wkb.size());
                    }
                }
                if (!info.point_column.empty()) {
                    if (have_point) {
                        insert.bind(b, px).bind(b + 1, py);
                    } else {
                        insert.bind_null(b).bind_null(b + 1);
                    }
                    b += 2;
                }
            }
            const int rc = sqlite3_step(insert.handle());
            if (rc == SQLITE_DONE) {
                ++result.written;
                existed ? ++result.updated : ++result.inserted;
                if (bulk && write_geom) {
                    const std::int64_t rowid = existed ? existing_rowid : sqlite3_last_insert_rowid(ws.db());
                    if (existed) {
                        updated_rowids.push_back(rowid);
                    }
                    if (info.geometry_type == "POINT") {
                        rtree_entries[0].push_back(detail::rtree_entry(rowid, px, py, px, py));
                    } else if (!wkb.empty()) {
                        rtree_entries[0].push_back(detail::rtree_entry(rowid, env.minx, env.miny, env.maxx, env.maxy));
                    }
                    if (!info.point_column.empty() && have_point) {
                        rtree_entries[1].push_back(detail::rtree_entry(rowid, px, py, px, py));
                    }
                }
            } else if ((rc & 0xFF) == SQLITE_CONSTRAINT) {
                const int ext_rc = sqlite3_extended_errcode(ws.db());
                if (ext_rc == SQLITE_CONSTRAINT_UNIQUE || ext_rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
                    reject(result.mapping.count(info.key) ? result.mapping[info.key] : info.key,
                           info.key + " is already in the workspace; use --mode upsert to update it");
                } else {
                    reject("", std::string("the workspace refused the row: ") + sqlite3_errmsg(ws.db()));
                }
            } else {
                const std::string why = sqlite3_errmsg(ws.db());
                insert.reset();
                throw error("writing row " + std::to_string(row) + " of " + source + " failed: " + why,
                            "nothing was written; fix the cause and import again");
            }
            insert.reset();
        }

        if (!reject_reason.empty()) {
            ++result.rejected;
            if (result.first_rejects.size() < 20) {
                result.first_rejects.push_back({row, reject_column, reject_reason});
            }
            if (rejects) {
                std::vector<std::string> line{source_name, std::to_string(row), reject_column, reject_reason};
                for (int i = 0; i < nfields; ++i) {
                    std::string v = OGR_F_IsFieldSetAndNotNull(feat.get(), i) ? OGR_F_GetFieldAsString(feat.get(), i) : "";
                    if (!is_valid_utf8(v.data(), v.size())) {
                        std::string converted;
                        v = gb18030_to_utf8(v, converted) ? converted : std::string("(not UTF-8)");
                    }
                    const std::string& personal = sensitive_source[static_cast<std::size_t>(i)];
                    if (!personal.empty() && !options.unmask_rejects) {
                        v = codes::mask_field(personal, v);
                    }
                    line.push_back(std::move(v));
                }
                rejects->row(line);
            }
        }
        if (options.progress && (feature_no % 5000 == 0)) {
            options.progress("importing", static_cast<std::uint64_t>(feature_no), static_cast<std::uint64_t>(std::max<std::int64_t>(total, 0)));
        }
    }
    if (bulk && write_geom) {
        if (options.progress) {
            options.progress("indexing", 0, 0);
        }
        const std::string columns_of[2] = {info.geometry_column, info.point_column};
        for (int k = 0; k < 2; ++k) {
            if (!columns_of[k].empty()) {
                detail::add_to_rtree(ws.db(), info.name, columns_of[k], updated_rowids, std::move(rtree_entries[k]));
            }
        }
    }
    if (aside) {
        aside->restore();
    }
    if (options.progress) {
        options.progress("importing", static_cast<std::uint64_t>(feature_no), static_cast<std::uint64_t>(feature_no));
    }
    if (result.read != result.written + result.rejected) {
        throw error("internal error: " + std::to_string(result.read) + " rows read but " +
                    std::to_string(result.written + result.rejected) + " accounted for; nothing was written");
    }
    if (rejects) {
        rejects->close();
    }
    if (!options.dry_run) {
        ws.record_audit(command_line().empty() ? "import" : command_line(), info.name, result.written,
                        source_name + ": read " + std::to_string(result.read) + ", rejected " + std::to_string(result.rejected));
        tx.commit();
    }
    if (rejects) {
        std::error_code ec;
        std::filesystem::rename(rejects_tmp, options.rejects_path, ec);
        if (ec) {
            throw io_error(options.rejects_path, "cannot write the rejects file: " + ec.message(),
                           "the import itself is committed; choose a writable --rejects path next time");
        }
    }
    return result;
}

std::string canonical_encoding(const std::string& name) {
    const std::string e = lower(name);
    if (e == "auto" || e.empty()) return "auto";
    if (e == "utf-8" || e == "utf8") return "UTF-8";
    if (e == "gb18030" || e == "gbk" || e == "gb2312" || e == "cp936") return "GB18030";
    throw usage_error("unknown encoding '" + name + "'", "use --encoding auto, UTF-8 or GB18030");
}

std::string read_text_file(const std::string& path, const std::string& requested, BadLines bad, std::string& used) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw io_error(path, "cannot read", "check the path and the file's permissions");
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() >= 3 && bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        bytes.erase(0, 3);
        if (requested == "GB18030") {
            throw parse_error(path, 1, "", "starts with a UTF-8 byte-order mark but --encoding GB18030 was given",
                              "use --encoding UTF-8 or auto");
        }
    }
    const bool valid_utf8 = is_valid_utf8(bytes.data(), bytes.size());
    // A file some of whose non-ASCII lines are UTF-8 is a UTF-8 file with bad lines, even when
    // its bytes happen to decode as GB18030 too.
    const bool utf8_with_bad_lines = !valid_utf8 && requested == "auto" && [&] {
        for (std::size_t start = 0; start < bytes.size();) {
            const std::size_t end = std::min(bytes.find('\n', start), bytes.size());
            const bool ascii = std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(start),
                                           bytes.begin() + static_cast<std::ptrdiff_t>(end),
                                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
            if (!ascii && is_valid_utf8(bytes.data() + start, end - start)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }();
    if (requested == "UTF-8" || valid_utf8 || utf8_with_bad_lines) {
        if (!valid_utf8 && bad == BadLines::refuse) {
            const auto row = line_of_offset(bytes, first_invalid_utf8(bytes));
            std::string probe;
            const bool looks_gb = !utf8_with_bad_lines && gb18030_to_utf8(bytes, probe);
            throw parse_error(path, row, "", std::string("is not valid UTF-8") + (looks_gb ? " (it looks like GB18030)" : ""),
                              looks_gb ? "use --encoding GB18030 (or auto)" : "save the file as UTF-8 and try again");
        }
        used = "UTF-8";
        return bytes;
    }
    std::string utf8;
    if (!gb18030_to_utf8(bytes, utf8)) {
        if (requested == "auto" && bad == BadLines::keep) {
            used = "UTF-8"; // neither: every row with bad bytes gets its own error
            return bytes;
        }
        throw parse_error(path, 0, "", requested == "GB18030" ? "is not GB18030 text" : "is neither UTF-8 nor GB18030 text",
                          "give the right --encoding (auto, UTF-8 or GB18030), or save the file as UTF-8");
    }
    used = "GB18030";
    return utf8;
}

} // namespace grid::io

// gridkit export: one workspace layer -> any OGR format, personal data masked unless asked.
#include "libgrid/io.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"
#include "libgrid/geometry.hpp"
#include "libgrid/workspace.hpp"

#include "detail/gdal_util.hpp"

#include <algorithm>
#include <filesystem>
#include <random>

namespace grid::io {

using detail::Dataset;
using detail::QuietGdal;

std::string driver_for_path(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".gpkg") return "GPKG";
    if (ext == ".shp") return "ESRI Shapefile";
    if (ext == ".geojson" || ext == ".json") return "GeoJSON";
    if (ext == ".csv") return "CSV";
    if (ext == ".xlsx") return "XLSX";
    if (ext == ".kml") return "KML";
    if (ext == ".sqlite") return "SQLite";
    if (ext == ".fgb") return "FlatGeobuf";
    throw usage_error("cannot tell the format of '" + path + "' from its extension",
                      "use .gpkg .shp .geojson .csv .xlsx .kml .sqlite .fgb, or give -f DRIVER");
}

namespace {

OGRwkbGeometryType ogr_type(const std::string& t) {
    if (t == "POINT") return wkbPoint;
    if (t == "MULTILINESTRING") return wkbMultiLineString;
    return wkbMultiPolygon;
}

std::vector<std::string> files_of(const std::string& path, const std::string& driver) {
    if (driver != "ESRI Shapefile") {
        return {path};
    }
    std::vector<std::string> out;
    const std::filesystem::path p(path);
    for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"}) {
        out.push_back((p.parent_path() / p.stem()).string() + ext);
    }
    return out;
}

} // namespace

ExportResult export_layer(const Workspace& ws, const ExportOptions& options) {
    detail::gdal_init();
    const LayerInfo& info = layer(options.layer);
    ExportResult result;
    result.layer = info.name;
    result.output = options.output;
    result.driver = options.driver.empty() ? driver_for_path(options.output) : options.driver;
    result.masked = !options.unmask;

    GDALDriverH driver = GDALGetDriverByName(result.driver.c_str());
    if (driver == nullptr) {
        throw usage_error("unknown output format '" + result.driver + "'", "use a GDAL vector driver name such as GPKG, GeoJSON, CSV");
    }
    const auto targets = files_of(options.output, result.driver);
    if (std::filesystem::exists(options.output) && !options.overwrite) {
        throw io_error(options.output, "already exists", "use --overwrite to replace it");
    }
    const std::filesystem::path out_path(options.output);
    const auto dir = out_path.has_parent_path() ? out_path.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(dir)) {
        throw io_error(options.output, "folder " + dir.string() + " does not exist", "create it first");
    }

    // Target CRS.
    crs::CrsSpec dst{crs::CrsSpec::Kind::epsg, ws.srid()};
    if (!options.dst_crs.empty()) {
        dst = crs::CrsSpec::parse(options.dst_crs);
    }
    const crs::CrsSpec src{crs::CrsSpec::Kind::epsg, ws.srid()};
    std::optional<crs::Transformer> transformer;
    if (dst != src) {
        transformer.emplace(src, dst);
    }
    // GCJ-02 and BD-09 have no EPSG code: their coordinates are labelled WGS 84, as Amap's and
    // Baidu's own exports are.
    const int out_epsg = dst.kind == crs::CrsSpec::Kind::epsg ? dst.epsg : 4326;

    // Building: the footprint column, unless no building has one.
    std::string geom_col = info.geometry_column;
    std::string geom_type = info.geometry_type;
    if (!info.point_column.empty() &&
        ws.query_int("SELECT count(*) FROM " + info.name + " WHERE " + info.geometry_column + " IS NOT NULL") == 0) {
        geom_col = info.point_column;
        geom_type = "POINT";
    }

    // Write into a temporary name in the same folder, then rename: never a half-written file.
    std::mt19937_64 rng(std::random_device{}());
    const std::string tag = ".gridkit-tmp-" + std::to_string(rng() % 1000000000ULL);
    const std::string tmp = (dir / (out_path.stem().string() + tag + out_path.extension().string())).string();
    const auto tmp_files = files_of(tmp, result.driver);
    struct Cleanup {
        std::vector<std::string> files;
        ~Cleanup() {
            for (const auto& f : files) {
                std::error_code ec;
                std::filesystem::remove(f, ec);
            }
        }
    } cleanup{tmp_files};

    QuietGdal quiet;
    std::vector<const char*> dsco{nullptr};
    std::string layer_name = info.name;
    Dataset ds(GDALCreate(driver, tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) {
        throw io_error(options.output, "cannot create: " + QuietGdal::last(), "check the folder is writable");
    }
    std::vector<std::string> lco_strings;
    if (result.driver == "ESRI Shapefile") {
        lco_strings.push_back("ENCODING=UTF-8"); // writes a .cpg so QGIS reads the Chinese text right
    } else if (result.driver == "CSV") {
        lco_strings.push_back(geom_type == "POINT" ? "GEOMETRY=AS_XY" : "GEOMETRY=AS_WKT");
        lco_strings.push_back("WRITE_BOM=YES"); // Excel opens UTF-8 CSV correctly with it
    } else if (result.driver == "GeoJSON") {
        lco_strings.push_back("COORDINATE_PRECISION=9");
        lco_strings.push_back("RFC7946=NO");
    }
    std::vector<const char*> lco;
    for (const auto& s : lco_strings) {
        lco.push_back(s.c_str());
    }
    lco.push_back(nullptr);
    const bool has_geom = !geom_col.empty();
    detail::Srs srs = has_geom ? detail::srs_from_epsg(out_epsg) : nullptr;
    if (has_geom && !srs) {
        throw usage_error("EPSG:" + std::to_string(out_epsg) + " is not known to GDAL", "choose another --dst-crs");
    }
    OGRLayerH out = GDALDatasetCreateLayer(ds.get(), layer_name.c_str(), srs.get(),
                                           has_geom ? ogr_type(geom_type) : wkbNone, lco.data());
    if (out == nullptr) {
        throw io_error(options.output, "cannot create layer " + layer_name + ": " + QuietGdal::last());
    }
    for (const auto& f : info.fields) {
        const OGRFieldType t = f.type == LayerField::Type::integer ? OFTInteger64
                               : f.type == LayerField::Type::real  ? OFTReal
                                                                   : OFTString;
        OGRFieldDefnH fd = OGR_Fld_Create(f.name.c_str(), t);
        const OGRErr err = OGR_L_CreateField(out, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) {
            throw io_error(options.output, "cannot create field " + f.name + ": " + QuietGdal::last());
        }
    }
    OGRFeatureDefnH out_defn = OGR_L_GetLayerDefn(out);

    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < info.fields.size(); ++i) {
        sql += (i ? ", " : "") + info.fields[i].name;
    }
    if (has_geom) {
        sql += ", AsBinary(" + geom_col + ")";
    }
    sql += " FROM " + info.name;
    if (!options.where.empty()) {
        sql += " WHERE " + options.where;
    }
    sql += " ORDER BY id";
    const std::int64_t total = ws.count(info.name);
    Statement st = [&] {
        try {
            return ws.prepare(sql);
        } catch (const error& e) {
            throw usage_error(std::string("--where: ") + e.what(), "use an SQL condition on the layer's fields");
        }
    }();
    const int nf = static_cast<int>(info.fields.size());
    const bool transactions = GDALDatasetTestCapability(ds.get(), ODsCTransactions) != 0;
    if (transactions) {
        GDALDatasetStartTransaction(ds.get(), FALSE);
    }
    while (st.step()) {
        OGRFeatureH feat = OGR_F_Create(out_defn);
        for (int i = 0; i < nf; ++i) {
            if (st.is_null(i)) {
                OGR_F_SetFieldNull(feat, i);
                continue;
            }
            const LayerField& f = info.fields[static_cast<std::size_t>(i)];
            if (f.type == LayerField::Type::integer) {
                OGR_F_SetFieldInteger64(feat, i, st.column_int(i));
            } else if (f.type == LayerField::Type::real) {
                OGR_F_SetFieldDouble(feat, i, st.column_double(i));
            } else {
                std::string v = st.column_text(i);
                if (f.sensitive && !options.unmask) {
                    v = codes::mask_field(f.name, v);
                }
                OGR_F_SetFieldString(feat, i, v.c_str());
            }
        }
        if (has_geom && !st.is_null(nf)) {
            std::size_t size = 0;
            const unsigned char* blob = st.column_blob(nf, size);
            std::vector<unsigned char> wkb(blob, blob + size);
            if (transformer) {
                auto g = geom::from_wkb(wkb);
                g = geom::transform(g.get(), [&](double& x, double& y) { transformer->transform(x, y); });
                wkb = geom::to_wkb(g.get());
            }
            OGRGeometryH og = nullptr;
            if (OGR_G_CreateFromWkb(wkb.data(), nullptr, &og, static_cast<int>(wkb.size())) == OGRERR_NONE) {
                OGR_F_SetGeometryDirectly(feat, og);
            }
        }
        const OGRErr err = OGR_L_CreateFeature(out, feat);
        OGR_F_Destroy(feat);
        if (err != OGRERR_NONE) {
            throw io_error(options.output, "writing feature " + std::to_string(result.rows + 1) + " failed: " + QuietGdal::last());
        }
        ++result.rows;
        if (options.progress && result.rows % 5000 == 0) {
            options.progress("exporting", static_cast<std::uint64_t>(result.rows), static_cast<std::uint64_t>(total));
        }
    }
    if (transactions && GDALDatasetCommitTransaction(ds.get()) != OGRERR_NONE) {
        throw io_error(options.output, "cannot finish writing: " + QuietGdal::last());
    }
    ds.reset(); // flush and close before renaming
    if (CPLGetLastErrorType() >= CE_Failure && !std::filesystem::exists(tmp)) {
        throw io_error(options.output, "cannot write: " + QuietGdal::last());
    }
    for (std::size_t i = 0; i < targets.size(); ++i) {
        std::error_code ec;
        if (std::filesystem::exists(tmp_files[i])) {
            std::filesystem::rename(tmp_files[i], targets[i], ec);
            if (ec) {
                throw io_error(targets[i], "cannot write: " + ec.message(), "check the folder is writable");
            }
        } else if (options.overwrite) {
            std::filesystem::remove(targets[i], ec); // a stale sidecar of the file replaced
        }
    }
    if (options.progress) {
        options.progress("exporting", static_cast<std::uint64_t>(result.rows), static_cast<std::uint64_t>(result.rows));
    }
    return result;
}

} // namespace grid::io

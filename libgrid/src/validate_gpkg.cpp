// The error GeoPackage of validate (the GDAL check-geometry idea): one point layer with every
// finding that has a location, one polygon layer with the gap, overlap and outside polygons.
#include "libgrid/validate.hpp"

#include "detail/gdal_util.hpp"
#include "libgrid/error.hpp"

#include <cstdio>
#include <filesystem>
#include <random>

namespace grid {

namespace {

struct FieldDef {
    const char* name;
    OGRFieldType type;
};

const FieldDef k_fields[] = {{"code", OFTInteger},       {"name", OFTString},   {"severity", OFTString},
                             {"layer", OFTString},       {"feature_id", OFTString}, {"message", OFTString},
                             {"related_id", OFTString},  {"area_m2", OFTReal},  {"households", OFTInteger64}};

OGRLayerH make_layer(GDALDatasetH ds, const char* name, OGRSpatialReferenceH srs, OGRwkbGeometryType type,
                     const std::string& path) {
    OGRLayerH layer = GDALDatasetCreateLayer(ds, name, srs, type, nullptr);
    if (layer == nullptr) {
        throw io_error(path, std::string("cannot create layer ") + name + ": " + detail::QuietGdal::last());
    }
    for (const auto& f : k_fields) {
        OGRFieldDefnH def = OGR_Fld_Create(f.name, f.type);
        const OGRErr err = OGR_L_CreateField(layer, def, 1);
        OGR_Fld_Destroy(def);
        if (err != OGRERR_NONE) {
            throw io_error(path, std::string("cannot create field ") + f.name + ": " + detail::QuietGdal::last());
        }
    }
    return layer;
}

void add_feature(OGRLayerH layer, const ValidationError& e, OGRGeometryH g, const std::string& path) {
    detail::Feature f(OGR_F_Create(OGR_L_GetLayerDefn(layer)));
    const ErrorCode& ec = error_code(e.code);
    OGR_F_SetFieldInteger(f.get(), 0, e.code);
    OGR_F_SetFieldString(f.get(), 1, std::string(ec.name).c_str());
    OGR_F_SetFieldString(f.get(), 2, ec.severity == Severity::warning ? "warning" : "error");
    OGR_F_SetFieldString(f.get(), 3, e.layer.c_str());
    OGR_F_SetFieldString(f.get(), 4, e.id.c_str());
    OGR_F_SetFieldString(f.get(), 5, e.message.c_str());
    if (!e.related_id.empty()) {
        OGR_F_SetFieldString(f.get(), 6, e.related_id.c_str());
    }
    if (e.area_m2) {
        OGR_F_SetFieldDouble(f.get(), 7, *e.area_m2);
    }
    if (e.households) {
        OGR_F_SetFieldInteger64(f.get(), 8, *e.households);
    }
    OGR_F_SetGeometryDirectly(f.get(), g);
    if (OGR_L_CreateFeature(layer, f.get()) != OGRERR_NONE) {
        throw io_error(path, "cannot write a feature: " + detail::QuietGdal::last());
    }
}

} // namespace

void check_error_geopackage_target(const std::string& path, bool overwrite) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec) && !overwrite) {
        throw io_error(path, "already exists", "use --overwrite to replace it");
    }
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) {
        throw io_error(path, "folder " + dir.string() + " does not exist", "create the folder first");
    }
}

void write_error_geopackage(const ValidationReport& report, const std::string& path, bool overwrite) {
    namespace fs = std::filesystem;
    check_error_geopackage_target(path, overwrite);
    std::error_code ec;
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    detail::gdal_init();
    detail::QuietGdal quiet;
    // Written beside the target and renamed at the end: never a half-written file.
    std::mt19937_64 rng(std::random_device{}());
    const std::string tmp = (dir / (".gridkit-" + std::to_string(rng() % 1000000000ULL) + ".gpkg")).string();
    struct Cleanup {
        std::string file;
        bool keep = false;
        ~Cleanup() {
            if (!keep) {
                std::remove(file.c_str());
            }
        }
    } cleanup{tmp};
    {
        GDALDriverH driver = GDALGetDriverByName("GPKG");
        if (driver == nullptr) {
            throw io_error(path, "GDAL has no GeoPackage driver", "install a GDAL built with SQLite");
        }
        detail::Dataset ds(GDALCreate(driver, tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds) {
            throw io_error(path, "cannot create: " + detail::QuietGdal::last(), "check the folder is writable");
        }
        const detail::Srs srs = detail::srs_from_epsg(report.srid);
        OGRLayerH points = make_layer(ds.get(), "error_locations", srs.get(), wkbPoint, path);
        OGRLayerH areas = make_layer(ds.get(), "error_areas", srs.get(), wkbMultiPolygon, path);
        GDALDatasetStartTransaction(ds.get(), 0);
        for (const auto& e : report.errors) {
            if (e.location) {
                OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
                OGR_G_SetPoint_2D(p, 0, e.location->x, e.location->y);
                OGR_G_AssignSpatialReference(p, srs.get());
                add_feature(points, e, p, path);
            }
            if (!e.geometry.empty()) {
                OGRGeometryH g = nullptr;
                if (OGR_G_CreateFromWkb(e.geometry.data(), srs.get(), &g, static_cast<int>(e.geometry.size())) !=
                        OGRERR_NONE ||
                    g == nullptr) {
                    continue;
                }
                add_feature(areas, e, OGR_G_ForceToMultiPolygon(g), path);
            }
        }
        if (GDALDatasetCommitTransaction(ds.get()) != OGRERR_NONE) {
            throw io_error(path, "cannot write: " + detail::QuietGdal::last(), "check the free disk space");
        }
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        throw io_error(path, "cannot write: " + ec.message(), "check the folder is writable");
    }
    cleanup.keep = true;
}

} // namespace grid

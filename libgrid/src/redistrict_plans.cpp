// Redistricting plans in the workspace: applying a result (snapshot of the micro-grids that were
// there, the new plan recorded in plan/plan_zone, micro-grids and codes replaced, one transaction),
// listing, showing and restoring plans, and writing a plan to a vector file for QGIS.
#include "libgrid/redistrict.hpp"

#include "libgrid/error.hpp"
#include "libgrid/households.hpp"
#include "libgrid/io.hpp"
#include "libgrid/workspace.hpp"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <unistd.h>

namespace grid::redistrict {

namespace {

using Wkb = std::vector<unsigned char>;

struct ZoneToWrite {
    std::string code;
    std::int64_t households = 0;
    std::vector<std::string> members;
    Wkb wkb;
};

std::int64_t insert_plan(const Workspace& ws, const std::string& grid_code, const std::string& parameters,
                         const std::string& result, bool applied, const std::vector<ZoneToWrite>& zones) {
    Statement plan = ws.prepare("INSERT INTO plan (created_at, command, grid_code, parameters, result, applied) "
                                "VALUES (?, ?, ?, ?, ?, ?)");
    plan.bind(1, utc_now()).bind(2, command_line()).bind(3, grid_code).bind(4, parameters).bind(5, result);
    plan.bind(6, applied ? 1 : 0);
    plan.run();
    const std::int64_t id = ws.query_int("SELECT last_insert_rowid()");
    Statement zone = ws.prepare("INSERT INTO plan_zone (plan_id, code, grid_code, households, members, geom) "
                                "VALUES (?, ?, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, " +
                                std::to_string(ws.srid()) + ")))");
    for (const ZoneToWrite& z : zones) {
        zone.bind(1, id).bind(2, z.code).bind(3, grid_code).bind(4, z.households);
        zone.bind(5, nlohmann::json(z.members).dump());
        if (z.wkb.empty()) {
            zone.bind_null(6);
        } else {
            zone.bind_blob(6, z.wkb.data(), z.wkb.size());
        }
        zone.run();
    }
    return id;
}

/// The grid's micro-grids as they are now, for the snapshot plan.
std::vector<ZoneToWrite> current_zones(const Workspace& ws, const std::string& grid_code,
                                       const std::map<std::string, std::int64_t>& households) {
    std::map<std::string, ZoneToWrite> zones;
    Statement st = ws.prepare("SELECT code, AsBinary(geom) FROM microgrid WHERE grid_code = ? ORDER BY code");
    st.bind(1, grid_code);
    while (st.step()) {
        ZoneToWrite z;
        z.code = st.column_text(0);
        std::size_t size = 0;
        const unsigned char* data = st.column_blob(1, size);
        if (data != nullptr) {
            z.wkb.assign(data, data + size);
        }
        zones.emplace(z.code, std::move(z));
    }
    Statement b = ws.prepare("SELECT code, microgrid_code FROM building WHERE microgrid_code IS NOT NULL ORDER BY code");
    while (b.step()) {
        auto it = zones.find(b.column_text(1));
        if (it != zones.end()) {
            const std::string code = b.column_text(0);
            it->second.members.push_back(code);
            auto h = households.find(code);
            it->second.households += h == households.end() ? 0 : h->second;
        }
    }
    std::vector<ZoneToWrite> out;
    for (auto& [code, z] : zones) {
        out.push_back(std::move(z));
    }
    return out;
}

/// Records a snapshot and the plan, replaces the grid's micro-grids and the codes of its buildings,
/// addresses and houses. Runs inside the caller's transaction; returns the plan id and adds the
/// rows written to `rows`.
std::int64_t write_grid(const Workspace& ws, const std::string& grid_code, const std::vector<ZoneToWrite>& zones,
                        const std::string& parameters, const std::string& result,
                        const std::map<std::string, std::int64_t>& households, std::int64_t& rows) {
    const std::vector<ZoneToWrite> before = current_zones(ws, grid_code, households);
    if (!before.empty()) {
        insert_plan(ws, grid_code, nlohmann::json{{"snapshot", "micro-grids before the plan recorded next"}}.dump(),
                    "{}", false, before);
    }
    const std::int64_t id = insert_plan(ws, grid_code, parameters, result, true, zones);

    std::set<std::string> codes;
    const std::string geom_sql = "CastToMultiPolygon(GeomFromWKB(?, " + std::to_string(ws.srid()) + "))";
    Statement update = ws.prepare("UPDATE microgrid SET grid_code = ?, geom = " + geom_sql + " WHERE code = ?");
    Statement insert = ws.prepare("INSERT INTO microgrid (code, grid_code, geom) VALUES (?, ?, " + geom_sql + ")");
    Statement exists = ws.prepare("SELECT count(*) FROM microgrid WHERE code = ?");
    for (const ZoneToWrite& z : zones) {
        codes.insert(z.code);
        exists.bind(1, z.code);
        exists.step();
        const bool present = exists.column_int(0) > 0;
        exists.reset();
        Statement& st = present ? update : insert;
        if (present) {
            st.bind(1, grid_code);
            z.wkb.empty() ? st.bind_null(2) : st.bind_blob(2, z.wkb.data(), z.wkb.size());
            st.bind(3, z.code);
        } else {
            st.bind(1, z.code).bind(2, grid_code);
            z.wkb.empty() ? st.bind_null(3) : st.bind_blob(3, z.wkb.data(), z.wkb.size());
        }
        st.run();
        ++rows;
    }
    // Micro-grids of this grid that the plan does not hold are deleted (their codes stay retired:
    // plan_zone remembers them); buildings still pointing at them lose the code.
    std::vector<std::string> vanished;
    for (const ZoneToWrite& z : before) {
        if (codes.count(z.code) == 0) {
            vanished.push_back(z.code);
        }
    }
    Statement del = ws.prepare("DELETE FROM microgrid WHERE code = ?");
    Statement clear_b = ws.prepare("UPDATE building SET microgrid_code = NULL WHERE microgrid_code = ?");
    Statement clear_a = ws.prepare("UPDATE address SET microgrid_code = NULL WHERE microgrid_code = ?");
    Statement clear_h = ws.prepare("UPDATE house SET microgrid_code = NULL WHERE microgrid_code = ?");
    for (const std::string& code : vanished) {
        for (Statement* st : {&del, &clear_b, &clear_a, &clear_h}) {
            st->bind(1, code);
            st->run();
        }
        ++rows;
    }
    Statement set_b = ws.prepare("UPDATE building SET microgrid_code = ? WHERE code = ?");
    Statement set_a = ws.prepare("UPDATE address SET microgrid_code = ? WHERE building_code = ?");
    Statement set_h = ws.prepare("UPDATE house SET microgrid_code = ? WHERE address_code IN "
                                 "(SELECT code FROM address WHERE building_code = ?)");
    for (const ZoneToWrite& z : zones) {
        for (const std::string& member : z.members) {
            for (Statement* st : {&set_b, &set_a, &set_h}) {
                st->bind(1, z.code).bind(2, member);
                st->run();
            }
            ++rows;
        }
    }
    return id;
}

std::map<std::string, std::int64_t> households_map(const Workspace& ws) {
    std::map<std::string, std::int64_t> out;
    for (const auto& b : households_by_building(ws)) {
        out[b.building_code] = b.households;
    }
    return out;
}

struct DatasetCloser {
    void operator()(void* ds) const noexcept { GDALClose(ds); }
};
struct SrsDeleter {
    void operator()(OGRSpatialReferenceH s) const noexcept { OSRDestroySpatialReference(s); }
};
struct FeatureDeleter {
    void operator()(OGRFeatureH f) const noexcept { OGR_F_Destroy(f); }
};

void add_field(OGRLayerH layer, const char* name, OGRFieldType type, const std::string& path) {
    OGRFieldDefnH def = OGR_Fld_Create(name, type);
    const OGRErr err = OGR_L_CreateField(layer, def, TRUE);
    OGR_Fld_Destroy(def);
    if (err != OGRERR_NONE) {
        throw io_error(path, std::string("cannot create field ") + name + ": " + CPLGetLastErrorMsg());
    }
}

void set_geometry(OGRFeatureH f, const Wkb& wkb) {
    if (wkb.empty()) {
        return;
    }
    OGRGeometryH g = nullptr;
    if (OGR_G_CreateFromWkb(wkb.data(), nullptr, &g, static_cast<int>(wkb.size())) == OGRERR_NONE && g != nullptr) {
        OGR_F_SetGeometryDirectly(f, g);
    }
}

constexpr const char* k_plan_select =
    "SELECT p.id, p.created_at, p.command, p.grid_code, p.parameters, p.result, p.applied, count(z.id), "
    "coalesce(sum(z.households), 0) FROM plan p LEFT JOIN plan_zone z ON z.plan_id = p.id ";

PlanRecord plan_row(const Statement& st) {
    PlanRecord p;
    p.id = st.column_int(0);
    p.created_at = st.column_text(1);
    p.command = st.column_text(2);
    p.grid_code = st.column_text(3);
    p.parameters = st.column_text(4);
    p.result = st.column_text(5);
    p.applied = st.column_int(6) != 0;
    p.zones = static_cast<std::size_t>(st.column_int(7));
    p.households = st.column_int(8);
    return p;
}

/// A layer with its fields; throws io_error naming the file.
OGRLayerH create_layer(GDALDatasetH ds, const char* name, OGRSpatialReferenceH srs,
                       const std::vector<std::pair<const char*, OGRFieldType>>& fields, const std::string& path) {
    OGRLayerH layer = GDALDatasetCreateLayer(ds, name, srs, wkbMultiPolygon, nullptr);
    if (layer == nullptr) {
        throw io_error(path, std::string("cannot create layer ") + name + ": " + CPLGetLastErrorMsg());
    }
    for (const auto& [field, type] : fields) {
        add_field(layer, field, type, path);
    }
    return layer;
}

std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const std::string& i : items) {
        s += (s.empty() ? "" : ",") + i;
    }
    return s;
}

} // namespace

std::vector<std::int64_t> apply_results(Workspace& ws, const std::vector<GridResult>& results, const RunOptions& options) {
    const std::map<std::string, std::int64_t> households = households_map(ws);
    const std::string parameters = parameters_json(options);
    std::vector<std::int64_t> ids;
    std::int64_t rows = 0;
    Transaction tx(ws);
    for (const GridResult& r : results) {
        std::vector<ZoneToWrite> zones;
        for (const ZoneResult& z : r.zones) {
            zones.push_back({z.code, z.households, z.members, z.wkb});
        }
        ids.push_back(write_grid(ws, r.grid_code, zones, parameters, result_json(r), households, rows));
    }
    ws.record_audit("redistrict", "microgrid", rows,
                    std::to_string(results.size()) + " grid(s), plan ids " + std::to_string(ids.empty() ? 0 : ids.front()) +
                        (ids.size() > 1 ? "-" + std::to_string(ids.back()) : ""));
    tx.commit();
    return ids;
}

std::vector<PlanRecord> list_plans(const Workspace& ws, std::string_view grid_code) {
    std::string sql = k_plan_select;
    if (!grid_code.empty()) {
        sql += "WHERE p.grid_code = ? ";
    }
    sql += "GROUP BY p.id ORDER BY p.id DESC";
    Statement st = ws.prepare(sql);
    if (!grid_code.empty()) {
        st.bind(1, grid_code);
    }
    std::vector<PlanRecord> out;
    while (st.step()) {
        out.push_back(plan_row(st));
    }
    return out;
}

PlanRecord get_plan(const Workspace& ws, std::int64_t id, std::vector<PlanZoneRecord>* zones) {
    Statement st = ws.prepare(std::string(k_plan_select) + "WHERE p.id = ? GROUP BY p.id");
    st.bind(1, id);
    if (!st.step()) {
        throw usage_error("plan: no plan " + std::to_string(id) + " in " + ws.path(),
                          "gridkit plan list " + ws.path() + " lists the plans");
    }
    const PlanRecord p = plan_row(st);
    if (zones != nullptr) {
        zones->clear();
        Statement z = ws.prepare("SELECT code, grid_code, households, members, AsBinary(geom) FROM plan_zone "
                                 "WHERE plan_id = ? ORDER BY code");
        z.bind(1, id);
        while (z.step()) {
            PlanZoneRecord r;
            r.code = z.column_text(0);
            r.grid_code = z.column_text(1);
            r.households = z.column_int(2);
            try {
                r.members = nlohmann::json::parse(z.column_text(3)).get<std::vector<std::string>>();
            } catch (const nlohmann::json::exception&) {
                throw schema_error("plan " + std::to_string(id) + ": micro-grid " + r.code + " has unreadable members",
                                   "the plan_zone row was edited by hand; restore another plan");
            }
            std::size_t size = 0;
            const unsigned char* data = z.column_blob(4, size);
            if (data != nullptr) {
                r.wkb.assign(data, data + size);
            }
            zones->push_back(std::move(r));
        }
    }
    return p;
}

std::int64_t restore_plan(Workspace& ws, std::int64_t id) {
    std::vector<PlanZoneRecord> zones;
    const PlanRecord p = get_plan(ws, id, &zones);
    const std::map<std::string, std::int64_t> households = households_map(ws);
    std::vector<ZoneToWrite> out;
    for (PlanZoneRecord& z : zones) {
        // Households as the data holds them now (the plan's figures may be out of date).
        std::int64_t h = 0;
        for (const std::string& m : z.members) {
            auto it = households.find(m);
            h += it == households.end() ? 0 : it->second;
        }
        out.push_back({z.code, h, z.members, z.wkb});
    }
    std::int64_t rows = 0;
    Transaction tx(ws);
    const std::int64_t new_id = write_grid(ws, p.grid_code, out, nlohmann::json{{"restored_from", id}}.dump(), p.result,
                                           households, rows);
    ws.record_audit("plan restore", "microgrid", rows, "plan " + std::to_string(id) + " -> " + std::to_string(new_id));
    tx.commit();
    return new_id;
}

void write_plan_file(const std::string& path, const Workspace& ws, const std::vector<GridResult>& results,
                     bool overwrite) {
    const std::string driver_name = io::driver_for_path(path);
    if (driver_name != "GPKG" && driver_name != "GeoJSON" && driver_name != "FlatGeobuf" && driver_name != "SQLite") {
        throw usage_error("redistrict: -o " + path + ": write the plan as .gpkg (or .geojson, .fgb, .sqlite)",
                          "a GeoPackage holds both layers, microgrid_plan and plan_violation");
    }
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !overwrite) {
        throw io_error(path, "exists", "use --overwrite to replace it");
    }
    GDALAllRegister();
    GDALDriverH driver = GDALGetDriverByName(driver_name.c_str());
    if (driver == nullptr) {
        throw io_error(path, "GDAL has no " + driver_name + " driver");
    }
    const std::filesystem::path target(path);
    const std::string tmp = (target.parent_path() / ("." + target.stem().string() + ".tmp-" + std::to_string(getpid()) +
                                                     target.extension().string())).string();
    std::filesystem::remove(tmp, ec);
    try {
        std::unique_ptr<void, DatasetCloser> ds(GDALCreate(driver, tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds) {
            throw io_error(path, std::string("cannot create: ") + CPLGetLastErrorMsg());
        }
        std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsDeleter> srs(OSRNewSpatialReference(nullptr));
        OSRImportFromEPSG(srs.get(), ws.srid());
        OSRSetAxisMappingStrategy(srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
        OGRLayerH zones = create_layer(ds.get(), "microgrid_plan", srs.get(),
                                       {{"code", OFTString},
                                        {"grid_code", OFTString},
                                        {"households", OFTInteger64},
                                        {"buildings", OFTInteger},
                                        {"area_m2", OFTReal},
                                        {"polsby_popper", OFTReal},
                                        {"kept", OFTInteger},
                                        {"locked", OFTInteger},
                                        {"members", OFTString}},
                                       path);
        // Formats with one layer per file get the micro-grids only.
        const bool two_layers = driver_name == "GPKG" || driver_name == "SQLite";
        OGRLayerH violations = !two_layers ? nullptr
                                           : create_layer(ds.get(), "plan_violation", srs.get(),
                                                          {{"kind", OFTString},
                                                           {"hard", OFTInteger},
                                                           {"grid_code", OFTString},
                                                           {"microgrid", OFTString},
                                                           {"households", OFTInteger64},
                                                           {"buildings", OFTString},
                                                           {"message", OFTString}},
                                                          path);
        GDALDatasetStartTransaction(ds.get(), FALSE);
        for (const GridResult& r : results) {
            std::map<std::string, const ZoneResult*> by_code;
            for (const ZoneResult& z : r.zones) {
                by_code[z.code] = &z;
                std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDeleter> f(OGR_F_Create(OGR_L_GetLayerDefn(zones)));
                OGR_F_SetFieldString(f.get(), 0, z.code.c_str());
                OGR_F_SetFieldString(f.get(), 1, r.grid_code.c_str());
                OGR_F_SetFieldInteger64(f.get(), 2, z.households);
                OGR_F_SetFieldInteger(f.get(), 3, static_cast<int>(z.members.size()));
                OGR_F_SetFieldDouble(f.get(), 4, z.area_m2);
                OGR_F_SetFieldDouble(f.get(), 5, z.polsby_popper);
                OGR_F_SetFieldInteger(f.get(), 6, z.kept ? 1 : 0);
                OGR_F_SetFieldInteger(f.get(), 7, z.locked ? 1 : 0);
                OGR_F_SetFieldString(f.get(), 8, join(z.members).c_str());
                set_geometry(f.get(), z.wkb);
                if (OGR_L_CreateFeature(zones, f.get()) != OGRERR_NONE) {
                    throw io_error(path, std::string("cannot write micro-grid ") + z.code + ": " + CPLGetLastErrorMsg());
                }
            }
            for (const ViolationResult& v : r.violations) {
                if (violations == nullptr) {
                    break;
                }
                std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDeleter> f(
                    OGR_F_Create(OGR_L_GetLayerDefn(violations)));
                OGR_F_SetFieldString(f.get(), 0, std::string(violation_name(v.kind)).c_str());
                OGR_F_SetFieldInteger(f.get(), 1, v.hard ? 1 : 0);
                OGR_F_SetFieldString(f.get(), 2, r.grid_code.c_str());
                OGR_F_SetFieldString(f.get(), 3, v.zone_code.c_str());
                OGR_F_SetFieldInteger64(f.get(), 4, v.households);
                OGR_F_SetFieldString(f.get(), 5, join(v.buildings).c_str());
                OGR_F_SetFieldString(f.get(), 6, v.message.c_str());
                auto it = by_code.find(v.zone_code);
                if (it != by_code.end()) {
                    set_geometry(f.get(), it->second->wkb);
                }
                if (OGR_L_CreateFeature(violations, f.get()) != OGRERR_NONE) {
                    throw io_error(path, std::string("cannot write a violation: ") + CPLGetLastErrorMsg());
                }
            }
        }
        if (GDALDatasetCommitTransaction(ds.get()) != OGRERR_NONE) {
            throw io_error(path, std::string("cannot write: ") + CPLGetLastErrorMsg());
        }
    } catch (...) {
        std::filesystem::remove(tmp, ec); // never a half-written file
        throw;
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw io_error(path, "cannot move the written file into place: " + ec.message());
    }
}

} // namespace grid::redistrict

// The JSON report against schemas/validation_report.schema.json (walked by a small validator of
// the keywords the schema uses), and the error GeoPackage read back through GDAL.
#include "fixture.hpp"

#include "libgrid/error.hpp"

#include <doctest/doctest.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

using namespace validate_fixture;
using nlohmann::json;

namespace {

bool type_matches(const json& v, const std::string& t) {
    if (t == "object") {
        return v.is_object();
    }
    if (t == "array") {
        return v.is_array();
    }
    if (t == "string") {
        return v.is_string();
    }
    if (t == "integer") {
        return v.is_number_integer();
    }
    if (t == "number") {
        return v.is_number();
    }
    if (t == "boolean") {
        return v.is_boolean();
    }
    return t == "null" && v.is_null();
}

/// Appends a line per violation of `schema` by `v` at `path`.
void check_schema(const json& schema, const json& v, const std::string& path, std::vector<std::string>& problems) {
    if (schema.contains("type")) {
        const json& t = schema["type"];
        bool ok = false;
        for (const auto& one : t.is_array() ? t : json::array({t})) {
            ok = ok || type_matches(v, one.get<std::string>());
        }
        if (!ok) {
            problems.push_back(path + ": type is not " + t.dump());
            return;
        }
    }
    if (v.is_null()) {
        return;
    }
    if (schema.contains("const") && schema["const"] != v) {
        problems.push_back(path + ": not " + schema["const"].dump());
    }
    if (schema.contains("enum") &&
        std::find(schema["enum"].begin(), schema["enum"].end(), v) == schema["enum"].end()) {
        problems.push_back(path + ": " + v.dump() + " not in " + schema["enum"].dump());
    }
    if (v.is_number() && schema.contains("minimum") && v.get<double>() < schema["minimum"].get<double>()) {
        problems.push_back(path + ": below minimum");
    }
    if (v.is_number() && schema.contains("maximum") && v.get<double>() > schema["maximum"].get<double>()) {
        problems.push_back(path + ": above maximum");
    }
    if (v.is_string() && schema.contains("pattern") &&
        !std::regex_search(v.get<std::string>(), std::regex(schema["pattern"].get<std::string>()))) {
        problems.push_back(path + ": does not match " + schema["pattern"].get<std::string>());
    }
    if (v.is_object()) {
        for (const auto& r : schema.value("required", json::array())) {
            if (!v.contains(r.get<std::string>())) {
                problems.push_back(path + ": lacks required " + r.get<std::string>());
            }
        }
        for (const auto& [key, value] : v.items()) {
            if (schema.contains("properties") && schema["properties"].contains(key)) {
                check_schema(schema["properties"][key], value, path + "." + key, problems);
            } else if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
                check_schema(schema["additionalProperties"], value, path + "." + key, problems);
            }
        }
    }
    if (v.is_array()) {
        if (schema.contains("minItems") && v.size() < schema["minItems"].get<std::size_t>()) {
            problems.push_back(path + ": too few items");
        }
        if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<std::size_t>()) {
            problems.push_back(path + ": too many items");
        }
        if (schema.contains("items")) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                check_schema(schema["items"], v[i], path + "[" + std::to_string(i) + "]", problems);
            }
        }
    }
}

json load_schema() {
    std::ifstream in(std::string(GRIDKIT_SOURCE_DIR) + "/schemas/validation_report.schema.json");
    REQUIRE(in.good());
    return json::parse(in);
}

/// A fixture with an overlap (location and polygon), a bad resident ID (no location) and a
/// sequence warning.
void plant_faults(const Fixture& f) {
    f.exec("UPDATE microgrid SET geom = " + box(mx(2), oy, mx(2) + u + 0.0001, oy + 2 * u) + " WHERE code = '" + m21 + "'");
    f.exec("UPDATE person SET id_number = '32120219800101001' WHERE id = 3");
}

} // namespace

TEST_CASE("validate report: JSON follows schemas/validation_report.schema.json") {
    const json schema = load_schema();
    const Fixture f;
    SUBCASE("clean") {
        const json doc = grid::to_json(f.run());
        std::vector<std::string> problems;
        check_schema(schema, doc, "$", problems);
        CHECK(problems.empty());
        CHECK(doc["valid"] == true);
        CHECK(doc["errors"].empty());
    }
    SUBCASE("with findings") {
        plant_faults(f);
        const json doc = grid::to_json(f.run());
        std::vector<std::string> problems;
        check_schema(schema, doc, "$", problems);
        for (const auto& p : problems) {
            MESSAGE(p);
        }
        CHECK(problems.empty());
        CHECK(doc["valid"] == false);
        CHECK(doc["overview"]["errors"] == 2);
        REQUIRE(doc["errors"].size() == 2);
        CHECK(doc["errors"][0]["code"] == 201);
        CHECK(doc["errors"][0]["location"]["type"] == "Point");
        CHECK(doc["errors"][1]["code"] == 301);
        CHECK(doc["errors"][1]["location"].is_null());
    }
    SUBCASE("the validator itself rejects a broken report") {
        json doc = grid::to_json(f.run());
        doc.erase("valid");
        doc["errors"] = json::array({{{"code", "201"}}});
        std::vector<std::string> problems;
        check_schema(schema, doc, "$", problems);
        CHECK(problems.size() >= 3);
    }
}

TEST_CASE("validate report: the error GeoPackage has the locations and areas, in the workspace CRS") {
    const Fixture f;
    plant_faults(f);
    const auto report = f.run();
    const std::string out = f.path() + ".errors.gpkg";
    std::remove(out.c_str());
    grid::write_error_geopackage(report, out, false);
    CHECK_THROWS_AS(grid::write_error_geopackage(report, out, false), grid::io_error);
    grid::write_error_geopackage(report, out, true);

    GDALDatasetH ds = GDALOpenEx(out.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    OGRLayerH points = GDALDatasetGetLayerByName(ds, "error_locations");
    OGRLayerH areas = GDALDatasetGetLayerByName(ds, "error_areas");
    REQUIRE(points != nullptr);
    REQUIRE(areas != nullptr);
    CHECK(OGR_L_GetFeatureCount(points, 1) == 1); // the resident ID error has no location
    CHECK(OGR_L_GetFeatureCount(areas, 1) == 1);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(points);
    REQUIRE(srs != nullptr);
    CHECK(std::string(OSRGetAuthorityCode(srs, nullptr)) == "4490");
    OGRFeatureH feat = OGR_L_GetNextFeature(areas);
    REQUIRE(feat != nullptr);
    CHECK(OGR_F_GetFieldAsInteger(feat, OGR_F_GetFieldIndex(feat, "code")) == 201);
    CHECK(std::string(OGR_F_GetFieldAsString(feat, OGR_F_GetFieldIndex(feat, "feature_id"))) == m21);
    OGREnvelope env;
    OGR_G_GetEnvelope(OGR_F_GetGeometryRef(feat), &env);
    CHECK(env.MinX >= mx(3) - 1e-7);
    CHECK(env.MaxX <= mx(3) + 0.0001 + 1e-7);
    OGR_F_Destroy(feat);
    GDALClose(ds);
    std::remove(out.c_str());
}

// gridkit map, part 1: options, and reading the features of a view from the workspace.
#include "libgrid/map.hpp"

#include "detail/map_internal.hpp"
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"
#include "libgrid/households.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

namespace grid::map {

std::string_view band_name(Band band) noexcept {
    switch (band) {
    case Band::under: return "under";
    case Band::within: return "within";
    case Band::over: return "over";
    }
    return "within";
}

void Options::check() const {
    if (min_households && *min_households < 0) {
        throw usage_error("--min " + std::to_string(*min_households) + " is negative", "give --min 0 or more");
    }
    if (max_households && *max_households < 1) {
        throw usage_error("--max " + std::to_string(*max_households) + " is less than 1", "give --max 1 or more");
    }
    if (min_households && max_households && *min_households > *max_households) {
        throw usage_error("--min " + std::to_string(*min_households) + " is larger than --max " +
                              std::to_string(*max_households),
                          "give bounds with min <= max, e.g. --min 50 --max 100");
    }
    if (bbox && !(bbox->minx < bbox->maxx && bbox->miny < bbox->maxy)) {
        throw usage_error("--bbox is empty: minx must be less than maxx and miny less than maxy",
                          "give --bbox minx,miny,maxx,maxy in the workspace CRS");
    }
    if (!grid.empty() && bbox) {
        throw usage_error("--grid and --bbox cannot be combined",
                          "choose one view: a grid, a box, or neither for the whole workspace");
    }
    if (plan && bbox) {
        throw usage_error("--plan and --bbox cannot be combined", "--plan shows the plan's grid; drop --bbox");
    }
}

geom::Envelope parse_bbox(std::string_view text) {
    std::vector<double> v;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string_view part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        std::string_view trimmed = part;
        while (!trimmed.empty() && trimmed.front() == ' ') {
            trimmed.remove_prefix(1);
        }
        while (!trimmed.empty() && trimmed.back() == ' ') {
            trimmed.remove_suffix(1);
        }
        const auto n = crs::parse_number(trimmed);
        if (!n) {
            throw usage_error("--bbox '" + std::string(text) + "': '" + std::string(part) + "' is not a number",
                              "give four numbers minx,miny,maxx,maxy in the workspace CRS, e.g. 119.90,32.44,119.95,32.48");
        }
        v.push_back(*n);
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    if (v.size() != 4) {
        throw usage_error("--bbox '" + std::string(text) + "' has " + std::to_string(v.size()) + " numbers, not 4",
                          "give minx,miny,maxx,maxy in the workspace CRS, e.g. 119.90,32.44,119.95,32.48");
    }
    return geom::Envelope{v[0], v[1], v[2], v[3]};
}

Band View::band(std::int64_t households) const noexcept {
    if (households < min_households) {
        return Band::under;
    }
    if (households > max_households) {
        return Band::over;
    }
    return Band::within;
}

std::size_t View::zones_in(Band b) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(zones.begin(), zones.end(), [&](const Zone& z) { return !z.context && band(z.households) == b; }));
}

Format format_of(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".html" || ext == ".htm") {
        return Format::html;
    }
    if (ext == ".png") {
        return Format::png;
    }
    if (ext == ".svg") {
        return Format::svg;
    }
    throw usage_error("-o " + path + ": unknown map format '" + ext + "'",
                      "name the output .html (interactive page), .png or .svg (picture)");
}

void RenderOptions::check() const {
    for (const auto& [name, v] : {std::pair<const char*, int>{"--width", width}, {"--height", height}}) {
        if (v < 200 || v > 20000) {
            throw usage_error(std::string(name) + " " + std::to_string(v) + " is outside 200-20000 pixels",
                              "give a size such as --width 1600 --height 1200");
        }
    }
}

// --- helpers shared with the renderers -----------------------------------------------------

namespace detail {

namespace {

struct Circle {
    geom::Point centre;
    double radius = 0;
};

/// The largest circle inside `g` (GEOS, to 1/200 of its extent); empty when GEOS cannot tell.
std::optional<Circle> inscribed_circle(const GEOSGeometry* g) {
    const geom::Envelope e = geom::envelope(g);
    const double tolerance = std::max(e.width(), e.height()) / 200.0;
    GEOSGeometry* line = tolerance > 0 ? GEOSMaximumInscribedCircle_r(geom::context(), g, tolerance) : nullptr;
    if (line == nullptr) {
        return std::nullopt;
    }
    // A line from the centre to the nearest point of the boundary.
    const geom::Geometry owned(line);
    const std::vector<geom::Point> pts = geom::coordinates(owned.get());
    if (pts.size() < 2 || !std::isfinite(pts[0].x) || !std::isfinite(pts[0].y)) {
        return std::nullopt;
    }
    return Circle{pts[0], std::hypot(pts[1].x - pts[0].x, pts[1].y - pts[0].y)};
}

} // namespace

geom::Point label_point(const GEOSGeometry* g) {
    const auto circle = inscribed_circle(g);
    return circle ? circle->centre : geom::point_on_surface(g);
}

geom::Point marker_point(const GEOSGeometry* g, const geom::Point& label) {
    const auto circle = inscribed_circle(g);
    if (!circle) {
        return label;
    }
    // The circle's centre, or, when the label sits there, a point above it inside the circle.
    const geom::Point c = circle->centre;
    if (std::hypot(label.x - c.x, label.y - c.y) >= 0.4 * circle->radius) {
        return c;
    }
    return {c.x, c.y + 0.6 * circle->radius};
}

void write_atomically(const std::string& path, bool overwrite, const std::function<void(const std::string&)>& write) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec) && !overwrite) {
        throw io_error(path, "already exists", "use --overwrite to replace it");
    }
    const fs::path target(path);
    fs::path dir = target.parent_path();
    if (dir.empty()) {
        dir = ".";
    }
    if (!fs::is_directory(dir, ec)) {
        throw io_error(path, "folder " + dir.string() + " does not exist", "create it first or choose another output");
    }
    std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
        throw io_error(path, "cannot create a temporary file beside it", "check that the folder is writable");
    }
    ::close(fd);
    try {
        write(tmp);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    // mkstemp creates 0600; a map is an ordinary document.
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
                    ec);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw io_error(path, "cannot be written (rename failed)", "check that the folder is writable");
    }
}

std::string short_code(const std::string& code) {
    if (code.size() == 18 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return code.substr(15);
    }
    return code;
}

std::string thousands(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    const int len = static_cast<int>(digits.size());
    for (int i = 0; i < len; ++i) {
        if (i > 0 && (len - i) % 3 == 0) {
            out += ',';
        }
        out += digits[static_cast<std::size_t>(i)];
    }
    return n < 0 ? "-" + out : out;
}

std::string band_label(const View& view, Band band) {
    switch (band) {
    case Band::under: return "少于 " + std::to_string(view.min_households) + " 户";
    case Band::within:
        return std::to_string(view.min_households) + "–" + std::to_string(view.max_households) + " 户";
    case Band::over: return "多于 " + std::to_string(view.max_households) + " 户";
    }
    return {};
}

const char* band_colour(Band band) noexcept {
    // Blue, pale green, vermilion: told apart with the common colour-vision deficiencies too, and
    // the labels carry the numbers.
    switch (band) {
    case Band::under: return "#5aa0d8";
    case Band::within: return "#b5dca5";
    case Band::over: return "#e4572e";
    }
    return "#cccccc";
}

} // namespace detail

// --- validation report ---------------------------------------------------------------------

std::vector<ErrorMarker> read_error_report(const std::string& path, int srid) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw io_error(path, "cannot be opened", "write a report with: gridkit validate WS --format json > " + path);
    }
    nlohmann::json doc;
    try {
        in >> doc;
    } catch (const nlohmann::json::exception& e) {
        throw parse_error(path, 0, "", std::string("not JSON (") + e.what() + ")",
                          "write a report with: gridkit validate WS --format json > REPORT.json");
    }
    if (!doc.is_object() || doc.value("type", "") != "gridkit_validation_report" || !doc.contains("errors") ||
        !doc["errors"].is_array()) {
        throw parse_error(path, 0, "type", "not a gridkit validation report (no \"type\": \"gridkit_validation_report\")",
                          "write a report with: gridkit validate WS --format json > REPORT.json");
    }
    std::optional<crs::Transformer> to_ws;
    if (doc.contains("crs") && doc["crs"].is_string()) {
        const crs::CrsSpec from = crs::CrsSpec::parse(doc["crs"].get<std::string>());
        const crs::CrsSpec to{crs::CrsSpec::Kind::epsg, srid};
        if (from != to) {
            to_ws.emplace(from, to);
        }
    }
    std::vector<ErrorMarker> out;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::size_t index = 0;
    for (const auto& e : doc["errors"]) {
        ++index;
        if (!e.is_object()) {
            throw parse_error(path, 0, "errors[" + std::to_string(index - 1) + "]", "is not an object",
                              "write the report with gridkit validate --format json");
        }
        ErrorMarker m;
        auto text = [&](const char* key) {
            const auto it = e.find(key);
            if (it == e.end() || it->is_null()) {
                return std::string();
            }
            return it->is_string() ? it->get<std::string>() : it->dump();
        };
        m.code = e.value("code", 0);
        m.name = text("name");
        m.severity = e.contains("severity") ? text("severity") : "error";
        m.layer = text("layer");
        m.id = text("id");
        m.message = text("message");
        m.location = {nan, nan};
        const auto loc = e.find("location");
        const nlohmann::json* coords = nullptr;
        if (loc != e.end() && loc->is_object() && loc->value("type", "") == "Point" && loc->contains("coordinates")) {
            coords = &(*loc)["coordinates"];
        } else if (loc != e.end() && loc->is_array()) {
            coords = &*loc;
        }
        if (coords != nullptr && coords->is_array() && coords->size() >= 2 && (*coords)[0].is_number() &&
            (*coords)[1].is_number()) {
            double x = (*coords)[0].get<double>();
            double y = (*coords)[1].get<double>();
            std::string reason;
            if (!to_ws || to_ws->try_transform(x, y, reason)) {
                m.location = {x, y};
            }
        }
        out.push_back(std::move(m));
    }
    return out;
}

// --- collect -------------------------------------------------------------------------------

namespace {

geom::Geometry read_geometry(const Statement& st, int column) {
    if (st.is_null(column)) {
        return nullptr;
    }
    std::size_t size = 0;
    const unsigned char* data = st.column_blob(column, size);
    if (data == nullptr || size == 0) {
        return nullptr;
    }
    try {
        geom::Geometry g = geom::from_wkb(data, size);
        return geom::is_empty(g.get()) ? nullptr : std::move(g);
    } catch (const geometry_error&) {
        return nullptr; // unreadable geometry: `gridkit validate` reports it (107); the map leaves it out
    }
}

bool has_table(const Workspace& ws, const std::string& name) {
    Statement st = ws.prepare("SELECT count(*) FROM sqlite_master WHERE name = ?");
    st.bind(1, name);
    return st.step() && st.column_int(0) > 0;
}

/// A SQL condition selecting the rows of `table` whose `column` envelope meets the box, through
/// the SpatiaLite R-tree when it exists. Binds nothing: the box is written as numbers.
std::string box_condition(const Workspace& ws, const std::string& table, const std::string& column,
                          const geom::Envelope& b) {
    char buf[256];
    const std::string idx = "idx_" + table + "_" + column;
    if (has_table(ws, idx)) {
        std::snprintf(buf, sizeof buf, "xmin <= %.17g AND xmax >= %.17g AND ymin <= %.17g AND ymax >= %.17g", b.maxx,
                      b.minx, b.maxy, b.miny);
        return "id IN (SELECT pkid FROM \"" + idx + "\" WHERE " + buf + ")";
    }
    std::snprintf(buf, sizeof buf, "BuildMbr(%.17g, %.17g, %.17g, %.17g)", b.minx, b.miny, b.maxx, b.maxy);
    return "MbrIntersects(\"" + column + "\", " + buf + ")";
}

std::string households_text(std::int64_t n, Band band, const View& v) {
    std::string s = detail::thousands(n);
    switch (band) {
    case Band::under: s += "（少于下限 " + std::to_string(v.min_households) + "）"; break;
    case Band::over: s += "（超过上限 " + std::to_string(v.max_households) + "）"; break;
    case Band::within: break;
    }
    return s;
}

void add_if(Attributes& a, const char* label, const std::string& value) {
    if (!value.empty()) {
        a.emplace_back(label, value);
    }
}

struct Collector {
    const Workspace& ws;
    View& view;
    std::vector<BuildingHouseholds> hh;                     // every building of the workspace
    std::map<std::string, std::int64_t> grid_hh, micro_hh;  // by recorded code
    std::map<std::string, std::int64_t> grid_bld, micro_bld;
    std::map<std::string, const BuildingHouseholds*> by_building;

    Collector(const Workspace& w, View& v) : ws(w), view(v), hh(households_by_building(w)) {
        for (const auto& b : hh) {
            by_building[b.building_code] = &b;
            if (!b.grid_code.empty()) {
                grid_hh[b.grid_code] += b.households;
                grid_bld[b.grid_code] += 1;
            }
            if (!b.microgrid_code.empty()) {
                micro_hh[b.microgrid_code] += b.households;
                micro_bld[b.microgrid_code] += 1;
            }
        }
    }

    static std::int64_t lookup(const std::map<std::string, std::int64_t>& m, const std::string& k) {
        const auto it = m.find(k);
        return it == m.end() ? 0 : it->second;
    }

    std::vector<Zone> grids(const std::string& where) {
        Statement st = ws.prepare("SELECT code, coalesce(name, ''), coalesce(kind, ''), coalesce(community_code, ''), "
                                  "coalesce(leader, ''), AsBinary(geom) FROM grid WHERE " +
                                  where + " ORDER BY code");
        std::vector<Zone> out;
        while (st.step()) {
            Zone z;
            z.layer = "grid";
            z.code = st.column_text(0);
            z.name = st.column_text(1);
            z.parent_code = st.column_text(3);
            z.households = lookup(grid_hh, z.code);
            z.buildings = lookup(grid_bld, z.code);
            z.geometry = read_geometry(st, 5);
            z.attributes.emplace_back("网格编码", z.code);
            add_if(z.attributes, "名称", z.name);
            add_if(z.attributes, "类型", st.column_text(2));
            add_if(z.attributes, "社区", z.parent_code);
            z.attributes.emplace_back("户数", detail::thousands(z.households));
            z.attributes.emplace_back("楼栋", detail::thousands(z.buildings));
            add_if(z.attributes, "网格员", st.column_text(4));
            out.push_back(std::move(z));
        }
        return out;
    }

    std::vector<Zone> microgrids(const std::string& where) {
        Statement st = ws.prepare("SELECT code, coalesce(grid_code, ''), coalesce(name, ''), coalesce(leader, ''), "
                                  "AsBinary(geom) FROM microgrid WHERE " +
                                  where + " ORDER BY code");
        std::vector<Zone> out;
        while (st.step()) {
            Zone z;
            z.layer = "microgrid";
            z.code = st.column_text(0);
            z.parent_code = st.column_text(1);
            z.name = st.column_text(2);
            z.households = lookup(micro_hh, z.code);
            z.buildings = lookup(micro_bld, z.code);
            z.geometry = read_geometry(st, 4);
            z.attributes.emplace_back("微网格编码", z.code);
            add_if(z.attributes, "名称", z.name);
            add_if(z.attributes, "网格", z.parent_code);
            z.attributes.emplace_back("户数", households_text(z.households, view.band(z.households), view));
            z.attributes.emplace_back("楼栋", detail::thousands(z.buildings));
            add_if(z.attributes, "微网格长", st.column_text(3));
            out.push_back(std::move(z));
        }
        return out;
    }

    std::vector<Zone> plan_zones(std::int64_t plan) {
        Statement st = ws.prepare("SELECT code, grid_code, households, members, AsBinary(geom) FROM plan_zone "
                                  "WHERE plan_id = ? ORDER BY code");
        st.bind(1, plan);
        std::vector<Zone> out;
        while (st.step()) {
            Zone z;
            z.layer = "plan_zone";
            z.code = st.column_text(0);
            z.parent_code = st.column_text(1);
            z.households = st.column_int(2);
            const nlohmann::json members = nlohmann::json::parse(st.column_text(3), nullptr, false);
            z.buildings = members.is_array() ? static_cast<std::int64_t>(members.size()) : 0;
            z.geometry = read_geometry(st, 4);
            z.attributes.emplace_back("方案", "#" + std::to_string(plan));
            z.attributes.emplace_back("微网格编码", z.code);
            add_if(z.attributes, "网格", z.parent_code);
            z.attributes.emplace_back("户数", households_text(z.households, view.band(z.households), view));
            z.attributes.emplace_back("楼栋", detail::thousands(z.buildings));
            out.push_back(std::move(z));
        }
        return out;
    }

    std::vector<Building> buildings(const std::string& where) {
        Statement st = ws.prepare("SELECT code, coalesce(name, ''), coalesce(compound, ''), floors, units, "
                                  "coalesce(use, ''), coalesce(grid_code, ''), coalesce(microgrid_code, ''), "
                                  "AsBinary(geom), AsBinary(location) FROM building WHERE " +
                                  where + " ORDER BY code");
        std::vector<Building> out;
        while (st.step()) {
            Building b;
            b.code = st.column_text(0);
            b.name = st.column_text(1);
            b.microgrid_code = st.column_text(7);
            b.geometry = read_geometry(st, 8);
            if (!b.geometry) {
                b.geometry = read_geometry(st, 9);
            }
            const auto it = by_building.find(b.code);
            bool from_houses = false;
            if (it != by_building.end()) {
                b.households = it->second->households;
                from_houses = it->second->from_houses;
            }
            b.attributes.emplace_back("楼栋编码", b.code);
            add_if(b.attributes, "名称", b.name);
            add_if(b.attributes, "小区", st.column_text(2));
            if (!st.is_null(3)) {
                b.attributes.emplace_back("层数", std::to_string(st.column_int(3)));
            }
            if (!st.is_null(4)) {
                b.attributes.emplace_back("单元", std::to_string(st.column_int(4)));
            }
            add_if(b.attributes, "用途", st.column_text(5));
            b.attributes.emplace_back("户数", detail::thousands(b.households) + (from_houses ? "（实有房屋）" : "（登记户数）"));
            add_if(b.attributes, "网格", st.column_text(6));
            add_if(b.attributes, "微网格", b.microgrid_code);
            out.push_back(std::move(b));
        }
        return out;
    }
};

/// Label points: grids at their widest inside point; micro-grids and plan zones at the widest
/// point of what their building footprints leave free, so that labels sit between buildings.
void place_labels(View& v) {
    std::vector<geom::Envelope> boxes;
    std::vector<const GEOSGeometry*> footprints;
    for (const auto& b : v.buildings) {
        if (b.geometry && geom::type_id(b.geometry.get()) != GEOS_POINT) {
            boxes.push_back(geom::envelope(b.geometry.get()));
            footprints.push_back(b.geometry.get());
        }
    }
    const geom::STRtree tree(boxes);
    std::vector<std::size_t> hits;
    for (auto& z : v.zones) {
        if (!z.geometry || z.label) {
            continue;
        }
        hits.clear();
        tree.query(geom::envelope(z.geometry.get()), hits);
        std::vector<geom::Geometry> inside;
        for (const std::size_t i : hits) {
            if (geom::intersects(z.geometry.get(), footprints[i])) {
                inside.push_back(geom::clone(footprints[i]));
            }
        }
        try {
            if (!inside.empty()) {
                const geom::Geometry built = geom::union_all(std::move(inside));
                const geom::Geometry free = geom::difference(z.geometry.get(), built.get());
                // Use the free space unless the buildings leave (almost) nothing.
                if (!geom::is_empty(free.get()) && geom::area(free.get()) > 0.2 * geom::area(z.geometry.get())) {
                    z.label = detail::label_point(free.get());
                }
            }
        } catch (const geometry_error&) {
            // Invalid footprints (validate reports them): fall back to the zone alone.
        }
        if (!z.label) {
            z.label = detail::label_point(z.geometry.get());
        }
    }
    for (auto& g : v.grids) {
        if (g.geometry && !g.label) {
            g.label = detail::label_point(g.geometry.get());
        }
    }
}

struct PlanRow {
    std::string grid_code;
    nlohmann::json parameters;
    std::string created_at;
};

PlanRow read_plan(const Workspace& ws, std::int64_t id) {
    Statement st = ws.prepare("SELECT grid_code, parameters, created_at FROM plan WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) {
        std::string known;
        Statement all = ws.prepare("SELECT id FROM plan ORDER BY id DESC LIMIT 10");
        while (all.step()) {
            known += (known.empty() ? "" : ", ") + std::to_string(all.column_int(0));
        }
        throw usage_error("--plan " + std::to_string(id) + ": no such plan in " + ws.path(),
                          known.empty() ? "this workspace holds no plans yet: make one with gridkit redistrict"
                                        : "latest plans: " + known);
    }
    PlanRow p;
    p.grid_code = st.column_text(0);
    p.parameters = nlohmann::json::parse(st.column_text(1), nullptr, false);
    p.created_at = st.column_text(2);
    return p;
}

/// A bound from the plan's parameters ("min"/"min_households", ...), if it recorded one.
std::optional<std::int64_t> plan_bound(const nlohmann::json& params, const char* a, const char* b) {
    if (!params.is_object()) {
        return std::nullopt;
    }
    for (const char* key : {a, b}) {
        const auto it = params.find(key);
        if (it != params.end() && it->is_number_integer()) {
            return it->get<std::int64_t>();
        }
    }
    return std::nullopt;
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out + "'";
}

void expand(std::optional<geom::Envelope>& e, const GEOSGeometry* g) {
    if (g == nullptr) {
        return;
    }
    const geom::Envelope x = geom::envelope(g);
    if (!e) {
        e = x;
    } else {
        e->expand(x);
    }
}

} // namespace

View collect(const Workspace& ws, const Options& options) {
    options.check();
    View v;
    v.workspace = ws.path();
    v.srid = ws.srid();

    std::string focus = options.grid;
    std::optional<PlanRow> plan;
    if (options.plan) {
        plan = read_plan(ws, *options.plan);
        if (!focus.empty() && focus != plan->grid_code) {
            throw usage_error("plan " + std::to_string(*options.plan) + " is for grid " + plan->grid_code + ", not --grid " +
                                  focus,
                              "drop --grid (the plan's grid is shown) or choose a plan of grid " + focus);
        }
        focus = plan->grid_code;
    }
    v.min_households = options.min_households.value_or(
        plan ? plan_bound(plan->parameters, "min_households", "min").value_or(50) : 50);
    v.max_households = options.max_households.value_or(
        plan ? plan_bound(plan->parameters, "max_households", "max").value_or(100) : 100);
    if (v.min_households > v.max_households) {
        throw usage_error("household bounds " + std::to_string(v.min_households) + " > " +
                              std::to_string(v.max_households) + " (one of them from plan " +
                              std::to_string(options.plan.value_or(0)) + ")",
                          "give both --min and --max");
    }

    Collector c(ws, v);
    std::optional<geom::Envelope> extent;
    const std::string file = std::filesystem::path(ws.path()).filename().string();
    std::string what;
    if (!focus.empty()) {
        v.grids = c.grids("code = " + quote(focus));
        if (v.grids.empty()) {
            throw usage_error("--grid " + focus + ": no such grid in " + ws.path(),
                              "list the grids with: gridkit info " + ws.path());
        }
        const Zone& g = v.grids.front();
        v.title = "网格 " + (g.name.empty() ? g.code : g.name + "（" + g.code + "）");
        v.zones = plan ? c.plan_zones(*options.plan) : c.microgrids("grid_code = " + quote(focus));
        expand(extent, g.geometry.get());
        if (!extent) {
            for (const auto& z : v.zones) {
                expand(extent, z.geometry.get());
            }
        }
        // Buildings recorded in the grid, and those lying in it whatever they record (so that
        // unassigned or misassigned buildings show up where they are).
        std::string where = "grid_code = " + quote(focus);
        if (extent) {
            where += " OR " + box_condition(ws, "building", "location", *extent);
        }
        std::vector<Building> all = c.buildings(where);
        geom::Prepared inside = g.geometry ? geom::prepare(g.geometry.get()) : nullptr;
        for (auto& b : all) {
            const bool recorded = c.by_building.count(b.code) && c.by_building[b.code]->grid_code == focus;
            bool located = false;
            if (inside && b.geometry) {
                const geom::Point p = geom::type_id(b.geometry.get()) == GEOS_POINT ? geom::point_xy(b.geometry.get())
                                                                                     : geom::point_on_surface(b.geometry.get());
                located = geom::contains_xy(inside.get(), p.x, p.y);
            }
            if (recorded || located) {
                v.buildings.push_back(std::move(b));
            }
        }
        if (!extent) {
            for (const auto& b : v.buildings) {
                expand(extent, b.geometry.get());
            }
        }
        if (extent) {
            for (auto& n : c.grids("code <> " + quote(focus) + " AND " + box_condition(ws, "grid", "geom", *extent))) {
                n.context = true;
                v.grids.push_back(std::move(n));
            }
        }
        what = "grid " + focus;
    } else if (options.bbox) {
        const geom::Envelope& b = *options.bbox;
        v.grids = c.grids(box_condition(ws, "grid", "geom", b));
        v.zones = c.microgrids(box_condition(ws, "microgrid", "geom", b));
        v.buildings = c.buildings(box_condition(ws, "building", "location", b));
        if (v.grids.empty() && v.zones.empty() && v.buildings.empty()) {
            std::optional<geom::Envelope> all;
            Statement st = ws.prepare("SELECT AsBinary(Extent(geom)) FROM grid UNION ALL SELECT AsBinary(Extent(geom)) "
                                      "FROM microgrid UNION ALL SELECT AsBinary(Extent(location)) FROM building");
            while (st.step()) {
                geom::Geometry e = read_geometry(st, 0);
                expand(all, e.get());
            }
            char buf[200] = "";
            if (all) {
                std::snprintf(buf, sizeof buf, " (its features lie within %.6f,%.6f,%.6f,%.6f)", all->minx, all->miny,
                              all->maxx, all->maxy);
            }
            throw usage_error("--bbox holds no grid, micro-grid or building of " + ws.path() + buf,
                              "give minx,miny,maxx,maxy in the workspace CRS, EPSG:" + std::to_string(ws.srid()));
        }
        // Frame the micro-grids and buildings met by the box whole (grids can reach far beyond it).
        for (const auto& z : v.zones) {
            expand(extent, z.geometry.get());
        }
        for (const auto& bl : v.buildings) {
            expand(extent, bl.geometry.get());
        }
        if (!extent) {
            extent = b;
        }
        char buf[200];
        std::snprintf(buf, sizeof buf, "%.6g,%.6g,%.6g,%.6g", b.minx, b.miny, b.maxx, b.maxy);
        v.title = "范围 " + std::string(buf);
        what = "bbox " + std::string(buf);
    } else {
        v.grids = c.grids("1");
        v.zones = c.microgrids("1");
        v.buildings = c.buildings("1");
        for (const auto& g : v.grids) {
            expand(extent, g.geometry.get());
        }
        for (const auto& z : v.zones) {
            expand(extent, z.geometry.get());
        }
        for (const auto& b : v.buildings) {
            expand(extent, b.geometry.get());
        }
        if (!extent) {
            throw error("nothing to draw: " + ws.path() + " holds no grid, micro-grid or building with a geometry",
                        "import them first, e.g. gridkit import " + ws.path() + " grids.geojson --layer grid");
        }
        v.title = file + " 全部网格";
        what = "whole workspace";
    }
    if (!extent) {
        throw error("nothing to draw: grid " + focus + " of " + ws.path() +
                        " has no outline, micro-grid or building with a geometry",
                    "import the grid outline, e.g. gridkit import " + ws.path() + " grids.geojson --layer grid");
    }
    v.extent = *extent;
    v.zone_layer = plan ? "plan_zone" : "microgrid";
    v.zone_title = plan ? "方案 #" + std::to_string(*options.plan) + " 微网格户数" : "微网格户数";
    if (plan) {
        v.title += " · 方案 #" + std::to_string(*options.plan) + (plan->created_at.empty() ? "" : "（" + plan->created_at + "）");
    }
    if (!options.title.empty()) {
        v.title = options.title;
    }
    place_labels(v);

    std::int64_t households = 0;
    for (const auto& z : v.zones) {
        households += z.households;
    }
    std::ostringstream sub;
    sub << file << " · EPSG:" << v.srid << " · " << what << " · " << v.zones.size()
        << (plan ? " plan zones" : " micro-grids") << " · " << detail::thousands(households) << " 户 · "
        << v.buildings.size() << " 楼栋";
    v.subtitle = sub.str();

    if (!options.errors.empty()) {
        v.errors_report = options.errors;
        std::map<std::pair<std::string, std::string>, geom::Point> where;
        for (const auto* zones : {&v.grids, &v.zones}) {
            for (const auto& z : *zones) {
                if (z.label && !z.context) {
                    where[{z.layer, z.code}] = detail::marker_point(z.geometry.get(), *z.label);
                }
            }
        }
        for (const auto& b : v.buildings) {
            if (b.geometry) {
                where[{"building", b.code}] = geom::type_id(b.geometry.get()) == GEOS_POINT
                                                  ? geom::point_xy(b.geometry.get())
                                                  : geom::point_on_surface(b.geometry.get());
            }
        }
        geom::Envelope box = v.extent;
        const double pad = std::max(box.width(), box.height()) * 0.02;
        box = {box.minx - pad, box.miny - pad, box.maxx + pad, box.maxy + pad};
        for (auto& m : read_error_report(options.errors, ws.srid())) {
            if (!std::isfinite(m.location.x)) {
                const auto it = where.find({m.layer, m.id});
                if (it == where.end()) {
                    ++v.errors_elsewhere;
                    continue;
                }
                m.location = it->second;
            }
            if (box.contains(m.location.x, m.location.y)) {
                v.errors.push_back(std::move(m));
            } else {
                ++v.errors_elsewhere;
            }
        }
    }
    return v;
}

} // namespace grid::map

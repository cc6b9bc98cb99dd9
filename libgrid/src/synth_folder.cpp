// Writing a synthetic district as a folder of import files: GeoJSON for the layers with
// polygons and lines (EPSG:4490, 9 decimals, "crs" member as GDAL writes it) and GB18030 CSV
// for the tables (as street offices receive them), plus a README.txt. Files are written under
// temporary names and renamed when all are complete.
#include "libgrid/synth.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iconv.h>

namespace grid::synth {

namespace {

const std::vector<std::string> k_files = {"division.geojson", "grid.geojson",    "microgrid.geojson", "road.geojson",
                                          "compound.geojson", "building.geojson", "address.csv",       "house.csv",
                                          "person.csv",       "org.csv",          "README.txt"};

// A file written through a buffer, optionally converted from UTF-8 to GB18030 by iconv.
class OutFile {
public:
    OutFile(std::string path, bool gb18030) : m_path(std::move(path)) {
        m_file = std::fopen(m_path.c_str(), "wb");
        if (m_file == nullptr) {
            throw io_error(m_path, std::string("cannot write: ") + std::strerror(errno), "check the folder's permissions");
        }
        if (gb18030) {
            m_iconv = iconv_open("GB18030", "UTF-8");
            if (m_iconv == reinterpret_cast<iconv_t>(-1)) {
                std::fclose(m_file);
                throw error("iconv cannot convert UTF-8 to GB18030 on this system");
            }
        }
    }
    ~OutFile() {
        if (m_file != nullptr) {
            std::fclose(m_file);
        }
        if (m_iconv != reinterpret_cast<iconv_t>(-1)) {
            iconv_close(m_iconv);
        }
    }
    OutFile(const OutFile&) = delete;
    OutFile& operator=(const OutFile&) = delete;

    std::string& buffer() { return m_buf; }
    /// Call at the end of a line or feature: writes the buffer once it is large.
    void maybe_flush() {
        if (m_buf.size() > (1u << 20)) {
            flush();
        }
    }
    void close() {
        flush();
        if (std::fclose(m_file) != 0) {
            m_file = nullptr;
            throw io_error(m_path, std::string("cannot write: ") + std::strerror(errno), "check the free disk space");
        }
        m_file = nullptr;
    }

private:
    void flush() {
        const char* data = m_buf.data();
        std::size_t size = m_buf.size();
        std::string converted;
        if (m_iconv != reinterpret_cast<iconv_t>(-1)) {
            converted.resize(size * 2 + 16); // GB18030 takes at most 4 bytes where UTF-8 takes 3 or 4
            char* in = m_buf.data();
            std::size_t in_left = size;
            char* out = converted.data();
            std::size_t out_left = converted.size();
            if (iconv(m_iconv, &in, &in_left, &out, &out_left) == static_cast<std::size_t>(-1)) {
                throw error("synth: cannot encode text for " + m_path + " in GB18030: " + std::strerror(errno));
            }
            converted.resize(converted.size() - out_left);
            data = converted.data();
            size = converted.size();
        }
        if (size > 0 && std::fwrite(data, 1, size, m_file) != size) {
            throw io_error(m_path, std::string("cannot write: ") + std::strerror(errno), "check the free disk space");
        }
        m_buf.clear();
    }

    std::string m_path;
    std::FILE* m_file = nullptr;
    iconv_t m_iconv = reinterpret_cast<iconv_t>(-1);
    std::string m_buf;
};

void put_number(std::string& out, double v, int decimals) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    out.append(buf, r.ptr);
}

void put_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

// GeoJSON FeatureCollection, one feature per line.
class GeoJsonWriter {
public:
    GeoJsonWriter(const std::string& path, const std::string& layer) : m_file(path, false) {
        std::string& b = m_file.buffer();
        b += "{\n\"type\": \"FeatureCollection\",\n\"name\": \"" + layer +
             "\",\n\"crs\": { \"type\": \"name\", \"properties\": { \"name\": \"urn:ogc:def:crs:EPSG::4490\" } },\n"
             "\"features\": [\n";
    }
    /// Starts a feature: then call text()/integer()/real() for each property, then a geometry.
    void begin() {
        std::string& b = m_file.buffer();
        b += m_count++ == 0 ? "" : ",\n";
        b += "{ \"type\": \"Feature\", \"properties\": { ";
        m_first_prop = true;
    }
    void text(const char* name, std::string_view value) {
        key(name);
        if (value.empty()) {
            m_file.buffer() += "null";
        } else {
            put_json_string(m_file.buffer(), value);
        }
    }
    void integer(const char* name, std::int64_t value) {
        key(name);
        m_file.buffer() += std::to_string(value);
    }
    void multipolygon(const MultiPolygon& mp) {
        std::string& b = m_file.buffer();
        if (mp.empty()) {
            b += " }, \"geometry\": null }";
        } else {
            b += " }, \"geometry\": { \"type\": \"MultiPolygon\", \"coordinates\": [ ";
            for (std::size_t p = 0; p < mp.size(); ++p) {
                b += p == 0 ? "[ " : ", [ ";
                for (std::size_t r = 0; r < mp[p].size(); ++r) {
                    b += r == 0 ? "" : ", ";
                    ring(mp[p][r]);
                }
                b += " ]";
            }
            b += " ] } }";
        }
        m_file.maybe_flush();
    }
    void multiline(const MultiLine& ml) {
        std::string& b = m_file.buffer();
        b += " }, \"geometry\": { \"type\": \"MultiLineString\", \"coordinates\": [ ";
        for (std::size_t l = 0; l < ml.size(); ++l) {
            b += l == 0 ? "" : ", ";
            ring(ml[l]);
        }
        b += " ] } }";
        m_file.maybe_flush();
    }
    void close() {
        m_file.buffer() += "\n]\n}\n";
        m_file.close();
    }

private:
    void key(const char* name) {
        std::string& b = m_file.buffer();
        b += m_first_prop ? "\"" : ", \"";
        b += name;
        b += "\": ";
        m_first_prop = false;
    }
    void ring(const Ring& r) {
        std::string& b = m_file.buffer();
        b += "[ ";
        for (std::size_t i = 0; i < r.size(); ++i) {
            b += i == 0 ? "[ " : ", [ ";
            put_number(b, r[i].x, 9);
            b += ", ";
            put_number(b, r[i].y, 9);
            b += " ]";
        }
        b += " ]";
    }
    OutFile m_file;
    std::size_t m_count = 0;
    bool m_first_prop = true;
};

// CSV (RFC 4180: fields with a comma, quote or line break are quoted) in GB18030.
class CsvWriter {
public:
    CsvWriter(const std::string& path, const std::vector<std::string>& columns) : m_file(path, true) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            field(columns[i]);
        }
        end_row();
    }
    CsvWriter& field(std::string_view s) {
        std::string& b = m_file.buffer();
        if (!m_first) {
            b += ',';
        }
        m_first = false;
        if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
            b += s;
        } else {
            b += '"';
            for (char c : s) {
                b += c;
                if (c == '"') {
                    b += '"';
                }
            }
            b += '"';
        }
        return *this;
    }
    CsvWriter& field(std::int64_t v) { return field(std::string_view(std::to_string(v))); }
    CsvWriter& field(double v, int decimals) {
        std::string s;
        put_number(s, v, decimals);
        return field(std::string_view(s));
    }
    void end_row() {
        m_file.buffer() += "\r\n";
        m_first = true;
        m_file.maybe_flush();
    }
    void close() { m_file.close(); }

private:
    OutFile m_file;
    bool m_first = true;
};

// The CSV header of a layer: the workspace's columns (from the schema), plus extra ones.
std::vector<std::string> columns(const char* layer, std::vector<std::string> extra = {}) {
    std::vector<std::string> out;
    for (const auto& f : grid::layer(layer).fields) {
        out.push_back(f.name);
    }
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

std::string readme(const Options& o, const Counts& counts) {
    std::string s =
        "Synthetic district made by gridkit synth (households " + std::to_string(o.households) + ", seed " +
        std::to_string(o.seed) +
        ").\n"
        "Invented data in a real place: 江苏省泰州市海陵区 (Taizhou, Jiangsu). No real person, house or\n"
        "organisation is described; resident IDs and social credit codes only have valid check characters.\n"
        "\n"
        "Coordinates: CGCS2000 longitude/latitude (EPSG:4490), 9 decimals.\n"
        "Properties and columns are named like the workspace columns (docs/workspace.md), so\n"
        "`gridkit import WS FILE --layer LAYER` needs no mapping.\n"
        "\n"
        "Files (rows):\n";
    auto line = [&](const char* file, const char* layer, const char* what) {
        const auto it = counts.layers.find(layer);
        const std::int64_t n = it == counts.layers.end() ? 0 : it->second;
        s += "  " + std::string(file) + std::string(20 - std::strlen(file), ' ') + what + " (" + std::to_string(n) + ")\n";
    };
    line("division.geojson", "division", "province, city, county, townships (街道/镇) and communities (社区), with outlines");
    line("grid.geojson", "grid", "grids (网格), 15-digit codes, 250-450 households each");
    line("microgrid.geojson", "microgrid", "micro-grids (微网格), 18-digit codes, 50-100 households each");
    line("road.geojson", "road", "named road centre lines");
    line("compound.geojson", "compound", "compounds (小区)");
    line("building.geojson", "building", "building footprints (楼栋) with floors, units, declared households");
    line("address.csv", "address", "standard addresses (标准地址), building and room level, with lng/lat");
    line("house.csv", "house", "real houses (实有房屋): use, rental (出租), status, occupied");
    line("person.csv", "person", "real population (实有人口): name, resident ID, phone (personal data)");
    line("org.csv", "org", "real organisations (实有单位): social credit code, name, address code");
    s += "\n"
         "The .csv files are encoded in GB18030 (no BOM), as spreadsheets of street offices usually are;\n"
         "the .geojson files in UTF-8.\n"
         "\n"
         "Import into a new workspace, parents first:\n"
         "  gridkit init ws.sqlite\n"
         "  for l in division grid microgrid road compound building; do gridkit import ws.sqlite DIR/$l.geojson --layer $l; done\n"
         "  for l in address house person org; do gridkit import ws.sqlite DIR/$l.csv --layer $l; done\n";
    return s;
}

} // namespace

const std::vector<std::string>& folder_files() { return k_files; }

Counts write_folder(const std::string& dir, const Options& options_in, bool overwrite) {
    Options options = options_in;
    options.srid = 4490;
    options.check();
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool existed = fs::exists(dir, ec);
    if (existed) {
        if (!fs::is_directory(dir, ec)) {
            throw io_error(dir, "exists and is not a folder", "choose another name, or use a name ending in .sqlite for a workspace");
        }
        if (!overwrite) {
            throw io_error(dir, "already exists", "use --overwrite to replace its files, or choose another folder");
        }
    } else if (!fs::create_directory(dir, ec)) {
        throw io_error(dir, "cannot create the folder: " + ec.message(), "check that the parent folder exists and is writable");
    }
    auto tmp = [&](const std::string& name) { return (fs::path(dir) / (name + ".tmp")).string(); };
    struct Cleanup {
        std::vector<std::string> files;
        std::string dir;
        bool done = false;
        ~Cleanup() {
            if (done) {
                return;
            }
            for (const auto& f : files) {
                std::remove(f.c_str());
            }
            if (!dir.empty()) {
                std::error_code e;
                fs::remove(dir, e); // only when we made it and it is empty
            }
        }
    } cleanup;
    for (const auto& f : k_files) {
        cleanup.files.push_back(tmp(f));
    }
    cleanup.dir = existed ? "" : dir;

    GeoJsonWriter division(tmp("division.geojson"), "division");
    GeoJsonWriter grid_w(tmp("grid.geojson"), "grid");
    GeoJsonWriter micro(tmp("microgrid.geojson"), "microgrid");
    GeoJsonWriter road(tmp("road.geojson"), "road");
    GeoJsonWriter compound(tmp("compound.geojson"), "compound");
    GeoJsonWriter building(tmp("building.geojson"), "building");
    CsvWriter address(tmp("address.csv"), columns("address", {"lng", "lat"}));
    CsvWriter house(tmp("house.csv"), columns("house"));
    CsvWriter person(tmp("person.csv"), columns("person"));
    CsvWriter org(tmp("org.csv"), columns("org"));

    const Counts counts = generate(options, [&](Batch&& b) {
        for (const auto& r : b.divisions) {
            division.begin();
            division.text("code", r.code);
            division.text("name", r.name);
            division.integer("level", r.level);
            division.text("parent_code", r.parent_code);
            division.text("urban_rural", r.urban_rural);
            division.multipolygon(r.geom);
        }
        for (const auto& r : b.grids) {
            grid_w.begin();
            grid_w.text("code", r.code);
            grid_w.text("name", r.name);
            grid_w.text("kind", r.kind);
            grid_w.text("community_code", r.community_code);
            grid_w.text("leader", r.leader);
            grid_w.text("leader_phone", r.leader_phone);
            grid_w.multipolygon(r.geom);
        }
        for (const auto& r : b.microgrids) {
            micro.begin();
            micro.text("code", r.code);
            micro.text("grid_code", r.grid_code);
            micro.text("name", r.name);
            micro.text("leader", r.leader);
            micro.text("leader_phone", r.leader_phone);
            micro.multipolygon(r.geom);
        }
        for (const auto& r : b.roads) {
            road.begin();
            road.text("name", r.name);
            road.text("kind", r.kind);
            road.multiline(r.geom);
        }
        for (const auto& r : b.compounds) {
            compound.begin();
            compound.text("name", r.name);
            compound.text("community_code", r.community_code);
            compound.multipolygon(r.geom);
        }
        for (const auto& r : b.buildings) {
            building.begin();
            building.text("code", r.code);
            building.text("name", r.name);
            building.text("compound", r.compound);
            building.text("community_code", r.community_code);
            building.integer("floors", r.floors);
            building.integer("units", r.units);
            building.integer("households", r.households);
            building.text("use", r.use);
            building.text("grid_code", r.grid_code);
            building.text("microgrid_code", r.microgrid_code);
            building.multipolygon(r.geom);
        }
        for (const auto& r : b.addresses) {
            address.field(r.code).field(r.text).field(r.province).field(r.city).field(r.county).field(r.township);
            address.field(r.community).field(r.road).field(r.number).field(r.compound).field(r.building).field(r.unit);
            address.field(r.floor).field(r.room).field(r.level).field(r.building_code).field(r.grid_code);
            address.field(r.microgrid_code).field(r.geom.x, 9).field(r.geom.y, 9);
            address.end_row();
        }
        for (const auto& r : b.houses) {
            house.field(r.code).field(r.address_code).field(r.use).field(static_cast<std::int64_t>(r.rental));
            house.field(r.area, 2).field(r.status).field(static_cast<std::int64_t>(r.occupied)).field(r.grid_code);
            house.field(r.microgrid_code);
            house.end_row();
        }
        for (const auto& r : b.persons) {
            person.field(r.id_number).field(r.name).field(r.phone).field(r.house_code).field(r.kind);
            person.field(static_cast<std::int64_t>(r.tenant));
            person.end_row();
        }
        for (const auto& r : b.orgs) {
            org.field(r.uscc).field(r.name).field(r.address_code).field(r.type).field(r.contact).field(r.phone);
            org.end_row();
        }
    });
    division.close();
    grid_w.close();
    micro.close();
    road.close();
    compound.close();
    building.close();
    address.close();
    house.close();
    person.close();
    org.close();
    {
        OutFile readme_file(tmp("README.txt"), false);
        readme_file.buffer() = readme(options, counts);
        readme_file.close();
    }
    for (const auto& f : k_files) {
        const std::string target = (fs::path(dir) / f).string();
        if (std::rename(tmp(f).c_str(), target.c_str()) != 0) {
            throw io_error(target, std::string("cannot write: ") + std::strerror(errno), "check the folder's permissions");
        }
    }
    cleanup.done = true;
    return counts;
}

} // namespace grid::synth

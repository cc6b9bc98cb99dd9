// Writing a synthetic district into a workspace: prepared statements in one transaction,
// geometries encoded straight into SpatiaLite's BLOB format, spatial indexes filled once at
// the end. write_workspace() builds a new file beside the target and moves it into place.
#include "libgrid/synth.hpp"

#include "detail/rtree_bulk.hpp"
#include "detail/schema_aside.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace grid::synth {

namespace {

// --- SpatiaLite BLOB geometry (little endian) ----------------------------------------------------
// 0x00, 0x01, srid (int32), MBR (4 doubles), 0x7C, class (int32), body, 0xFE; the parts of a
// collection each start with 0x69 and their class.

class Blob {
public:
    const unsigned char* data() const { return m_buf.data(); }
    std::size_t size() const { return m_buf.size(); }

    void point(const geom::Point& p, int srid) {
        header(srid, p.x, p.y, p.x, p.y, 1);
        put(p.x);
        put(p.y);
        m_buf.push_back(0xFE);
    }
    void multipolygon(const MultiPolygon& mp, int srid) {
        double minx = 0, miny = 0, maxx = 0, maxy = 0;
        bounds(mp, minx, miny, maxx, maxy);
        header(srid, minx, miny, maxx, maxy, 6);
        put(static_cast<std::int32_t>(mp.size()));
        for (const Polygon& poly : mp) {
            m_buf.push_back(0x69);
            put(static_cast<std::int32_t>(3));
            put(static_cast<std::int32_t>(poly.size()));
            for (const Ring& ring : poly) {
                coords(ring);
            }
        }
        m_buf.push_back(0xFE);
    }
    void multiline(const MultiLine& ml, int srid) {
        double minx = 0, miny = 0, maxx = 0, maxy = 0;
        bool first = true;
        for (const Ring& line : ml) {
            for (const auto& p : line) {
                extend(p, first, minx, miny, maxx, maxy);
            }
        }
        header(srid, minx, miny, maxx, maxy, 5);
        put(static_cast<std::int32_t>(ml.size()));
        for (const Ring& line : ml) {
            m_buf.push_back(0x69);
            put(static_cast<std::int32_t>(2));
            coords(line);
        }
        m_buf.push_back(0xFE);
    }

private:
    static void extend(const geom::Point& p, bool& first, double& minx, double& miny, double& maxx, double& maxy) {
        if (first) {
            minx = maxx = p.x;
            miny = maxy = p.y;
            first = false;
            return;
        }
        minx = std::min(minx, p.x);
        miny = std::min(miny, p.y);
        maxx = std::max(maxx, p.x);
        maxy = std::max(maxy, p.y);
    }
    static void bounds(const MultiPolygon& mp, double& minx, double& miny, double& maxx, double& maxy) {
        bool first = true;
        for (const Polygon& poly : mp) {
            for (const auto& p : poly.front()) {
                extend(p, first, minx, miny, maxx, maxy);
            }
        }
    }
    void header(int srid, double minx, double miny, double maxx, double maxy, std::int32_t cls) {
        m_buf.clear();
        m_buf.push_back(0x00);
        m_buf.push_back(0x01);
        put(static_cast<std::int32_t>(srid));
        put(minx);
        put(miny);
        put(maxx);
        put(maxy);
        m_buf.push_back(0x7C);
        put(cls);
    }
    void coords(const Ring& ring) {
        put(static_cast<std::int32_t>(ring.size()));
        for (const auto& p : ring) {
            put(p.x);
            put(p.y);
        }
    }
    template <typename T>
    void put(T v) {
        unsigned char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T)); // x86/ARM hosts are little endian, as the header says
        m_buf.insert(m_buf.end(), b, b + sizeof(T));
    }
    std::vector<unsigned char> m_buf;
};

static_assert(sizeof(double) == 8, "SpatiaLite BLOBs hold IEEE doubles");

// Text and blobs are bound without a copy: every value outlives the statement's step.
void bind_text(Statement& st, int index, std::string_view s) {
    sqlite3_bind_text(st.handle(), index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}
void bind_text_or_null(Statement& st, int index, std::string_view s) {
    if (s.empty()) {
        sqlite3_bind_null(st.handle(), index);
    } else {
        bind_text(st, index, s);
    }
}
void bind_blob(Statement& st, int index, const Blob& blob) {
    sqlite3_bind_blob(st.handle(), index, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
}

// The spatial columns and their R*Tree indexes, in the order of `Index` below.
const char* const k_spatial[][2] = {{"division", "geom"}, {"grid", "geom"},      {"microgrid", "geom"},
                                    {"building", "geom"}, {"building", "location"}, {"address", "geom"},
                                    {"road", "geom"},     {"compound", "geom"}};
enum Index { i_division, i_grid, i_microgrid, i_building, i_location, i_address, i_road, i_compound, i_count };

struct Bounds {
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    void add(const geom::Point& p, bool first) {
        if (first) {
            minx = maxx = p.x;
            miny = maxy = p.y;
        } else {
            minx = std::min(minx, p.x);
            maxx = std::max(maxx, p.x);
            miny = std::min(miny, p.y);
            maxy = std::max(maxy, p.y);
        }
    }
};

Bounds bounds_of(const MultiPolygon& mp) {
    Bounds b;
    bool first = true;
    for (const auto& poly : mp) {
        for (const auto& p : poly.front()) {
            b.add(p, first);
            first = false;
        }
    }
    return b;
}

Bounds bounds_of(const MultiLine& ml) {
    Bounds b;
    bool first = true;
    for (const auto& line : ml) {
        for (const auto& p : line) {
            b.add(p, first);
            first = false;
        }
    }
    return b;
}

// A resident in 48 bytes: persons are kept until the end and inserted in resident-ID order,
// because the UNIQUE index on id_number costs four times more when filled in random order.
struct CompactPerson {
    std::uint64_t id17 = 0;     ///< first 17 digits of the resident ID
    std::uint64_t phone = 0;    ///< 11 digits, 0 = none
    std::uint32_t building = 0; ///< index into the building codes seen
    std::uint16_t unit = 0;
    std::uint16_t room = 0;
    char name[15] = {};
    std::uint8_t name_len = 0;
    char check = '0';
    std::uint8_t flags = 0;     ///< 1 = 户籍 (else 流动), 2 = tenant
};

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}


} // namespace

Counts insert(const Workspace& ws, const Options& options_in) {
    Options options = options_in;
    options.srid = ws.srid();
    options.check();
    const std::int64_t present = ws.count("division") + ws.count("grid") + ws.count("microgrid") + ws.count("building") +
                                 ws.count("address") + ws.count("person");
    if (present > 0) {
        throw usage_error("workspace " + ws.path() + " already holds divisions, grids, buildings or residents",
                          "write a synthetic district into a new workspace");
    }
    const int srid = ws.srid();
    sqlite3* db = ws.db();
    Transaction tx(ws);
    // SpatiaLite's triggers check each geometry's type and SRID, stamp geometry_columns_time and
    // insert into the R*Tree on every row, which together cost far more than the insert. The
    // blobs written here have the column's type and SRID by construction, and the R*Trees are
    // bulk-loaded at the end: set the triggers aside and put them back, unchanged, before the commit.
    using grid::detail::SchemaAside;
    SchemaAside triggers(ws, "'division', 'grid', 'microgrid', 'building', 'address', 'road', 'compound'",
                         SchemaAside::What::triggers);
    // person's secondary indexes are rebuilt after the (sorted) insert.
    SchemaAside person_indexes(ws, "'person'", SchemaAside::What::indexes);
    Statement division = ws.prepare("INSERT INTO division (code, name, level, parent_code, urban_rural, geom) VALUES (?,?,?,?,?,?)");
    Statement grid_st = ws.prepare(
        "INSERT INTO grid (code, name, kind, community_code, leader, leader_phone, geom) VALUES (?,?,?,?,?,?,?)");
    Statement micro = ws.prepare(
        "INSERT INTO microgrid (code, grid_code, name, leader, leader_phone, geom) VALUES (?,?,?,?,?,?)");
    Statement road = ws.prepare("INSERT INTO road (name, kind, geom) VALUES (?,?,?)");
    Statement compound = ws.prepare("INSERT INTO compound (name, community_code, geom) VALUES (?,?,?)");
    Statement building = ws.prepare(
        "INSERT INTO building (code, name, compound, community_code, floors, units, households, use, grid_code, "
        "microgrid_code, geom, location) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    Statement address = ws.prepare(
        "INSERT INTO address (code, text, province, city, county, township, community, road, number, compound, "
        "building, unit, floor, room, level, building_code, grid_code, microgrid_code, geom) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    Statement house = ws.prepare(
        "INSERT INTO house (code, address_code, use, rental, area, status, occupied, grid_code, microgrid_code) "
        "VALUES (?,?,?,?,?,?,?,?,?)");
    Statement org = ws.prepare("INSERT INTO org (uscc, name, address_code, type, contact, phone) VALUES (?,?,?,?,?,?)");
    Blob blob;
    Blob blob2;
    std::vector<std::vector<grid::detail::RTreeEntry>> index(i_count);
    std::vector<CompactPerson> persons;
    persons.reserve(static_cast<std::size_t>(options.households) * 5 / 2);
    std::vector<std::string> building_codes;

    auto polygons = [&](Statement& st, int col, const MultiPolygon& mp, Index ix) {
        if (mp.empty()) {
            sqlite3_bind_null(st.handle(), col);
            st.run();
            return;
        }
        blob.multipolygon(mp, srid);
        bind_blob(st, col, blob);
        st.run();
        const Bounds b = bounds_of(mp);
        index[ix].push_back(grid::detail::rtree_entry(sqlite3_last_insert_rowid(db), b.minx, b.miny, b.maxx, b.maxy));
    };

    Counts counts = generate(options, [&](Batch&& b) {
        for (const auto& r : b.divisions) {
            bind_text(division, 1, r.code);
            bind_text(division, 2, r.name);
            division.bind(3, r.level);
            bind_text_or_null(division, 4, r.parent_code);
            bind_text_or_null(division, 5, r.urban_rural);
            polygons(division, 6, r.geom, i_division);
        }
        for (const auto& r : b.grids) {
            bind_text(grid_st, 1, r.code);
            bind_text(grid_st, 2, r.name);
            bind_text(grid_st, 3, r.kind);
            bind_text(grid_st, 4, r.community_code);
            bind_text(grid_st, 5, r.leader);
            bind_text(grid_st, 6, r.leader_phone);
            polygons(grid_st, 7, r.geom, i_grid);
        }
        for (const auto& r : b.microgrids) {
            bind_text(micro, 1, r.code);
            bind_text(micro, 2, r.grid_code);
            bind_text(micro, 3, r.name);
            bind_text(micro, 4, r.leader);
            bind_text(micro, 5, r.leader_phone);
            polygons(micro, 6, r.geom, i_microgrid);
        }
        for (const auto& r : b.roads) {
            bind_text(road, 1, r.name);
            bind_text(road, 2, r.kind);
            blob.multiline(r.geom, srid);
            bind_blob(road, 3, blob);
            road.run();
            const Bounds bb = bounds_of(r.geom);
            index[i_road].push_back(grid::detail::rtree_entry(sqlite3_last_insert_rowid(db), bb.minx, bb.miny, bb.maxx, bb.maxy));
        }
        for (const auto& r : b.compounds) {
            bind_text(compound, 1, r.name);
            bind_text(compound, 2, r.community_code);
            polygons(compound, 3, r.geom, i_compound);
        }
        for (const auto& r : b.buildings) {
            bind_text(building, 1, r.code);
            bind_text(building, 2, r.name);
            bind_text(building, 3, r.compound);
            bind_text(building, 4, r.community_code);
            building.bind(5, r.floors).bind(6, r.units).bind(7, r.households);
            bind_text(building, 8, r.use);
            bind_text(building, 9, r.grid_code);
            bind_text(building, 10, r.microgrid_code);
            blob2.point(r.location, srid);
            bind_blob(building, 12, blob2);
            polygons(building, 11, r.geom, i_building);
            const std::int64_t rowid = sqlite3_last_insert_rowid(db);
            index[i_location].push_back(
                grid::detail::rtree_entry(rowid, r.location.x, r.location.y, r.location.x, r.location.y));
        }
        for (const auto& r : b.addresses) {
            bind_text(address, 1, r.code);
            bind_text(address, 2, r.text);
            bind_text(address, 3, r.province);
            bind_text(address, 4, r.city);
            bind_text(address, 5, r.county);
            bind_text(address, 6, r.township);
            bind_text(address, 7, r.community);
            bind_text(address, 8, r.road);
            bind_text(address, 9, r.number);
            bind_text(address, 10, r.compound);
            bind_text(address, 11, r.building);
            bind_text_or_null(address, 12, r.unit);
            bind_text_or_null(address, 13, r.floor);
            bind_text_or_null(address, 14, r.room);
            bind_text(address, 15, r.level);
            bind_text(address, 16, r.building_code);
            bind_text(address, 17, r.grid_code);
            bind_text(address, 18, r.microgrid_code);
            blob.point(r.geom, srid);
            bind_blob(address, 19, blob);
            address.run();
            index[i_address].push_back(
                grid::detail::rtree_entry(sqlite3_last_insert_rowid(db), r.geom.x, r.geom.y, r.geom.x, r.geom.y));
        }
        for (const auto& r : b.houses) {
            bind_text(house, 1, r.code);
            bind_text(house, 2, r.address_code);
            bind_text(house, 3, r.use);
            house.bind(4, r.rental).bind(5, r.area);
            bind_text(house, 6, r.status);
            house.bind(7, r.occupied);
            bind_text(house, 8, r.grid_code);
            bind_text(house, 9, r.microgrid_code);
            house.run();
        }
        for (const auto& r : b.persons) {
            CompactPerson c;
            c.id17 = std::stoull(r.id_number.substr(0, 17));
            c.check = r.id_number[17];
            c.phone = r.phone.empty() ? 0 : std::stoull(r.phone);
            const std::string_view bcode = std::string_view(r.house_code).substr(0, 17);
            if (building_codes.empty() || building_codes.back() != bcode) {
                building_codes.emplace_back(bcode);
            }
            c.building = static_cast<std::uint32_t>(building_codes.size() - 1);
            c.unit = static_cast<std::uint16_t>(std::stoi(r.house_code.substr(17, 3)));
            c.room = static_cast<std::uint16_t>(std::stoi(r.house_code.substr(20, 4)));
            c.name_len = static_cast<std::uint8_t>(std::min(r.name.size(), sizeof c.name));
            std::memcpy(c.name, r.name.data(), c.name_len);
            c.flags = static_cast<std::uint8_t>((r.kind == "户籍" ? 1 : 0) | (r.tenant != 0 ? 2 : 0));
            persons.push_back(c);
        }
        for (const auto& r : b.orgs) {
            bind_text(org, 1, r.uscc);
            bind_text(org, 2, r.name);
            bind_text(org, 3, r.address_code);
            bind_text(org, 4, r.type);
            bind_text(org, 5, r.contact);
            bind_text(org, 6, r.phone);
            org.run();
        }
    });

    if (options.progress) {
        options.progress("residents", 0, persons.size());
    }
    std::sort(persons.begin(), persons.end(),
              [](const CompactPerson& a, const CompactPerson& b) { return a.id17 < b.id17; });
    {
        Statement person = ws.prepare(
            "INSERT INTO person (id_number, name, phone, house_code, kind, tenant) VALUES (?,?,?,?,?,?)");
        char id[19];
        char phone[12];
        char house_code[25];
        for (std::size_t k = 0; k < persons.size(); ++k) {
            const CompactPerson& c = persons[k];
            std::snprintf(id, sizeof id, "%017llu%c", static_cast<unsigned long long>(c.id17), c.check);
            std::snprintf(house_code, sizeof house_code, "%s%03u%04u", building_codes[c.building].c_str(),
                          static_cast<unsigned>(c.unit), static_cast<unsigned>(c.room));
            bind_text(person, 1, std::string_view(id, 18));
            bind_text(person, 2, std::string_view(c.name, c.name_len));
            if (c.phone != 0) {
                std::snprintf(phone, sizeof phone, "%011llu", static_cast<unsigned long long>(c.phone));
                bind_text(person, 3, std::string_view(phone, 11));
            } else {
                sqlite3_bind_null(person.handle(), 3);
            }
            bind_text(person, 4, std::string_view(house_code, 24));
            bind_text(person, 5, (c.flags & 1) != 0 ? "户籍" : "流动");
            person.bind(6, (c.flags & 2) != 0 ? 1 : 0);
            person.run();
            if (options.progress && k % 100000 == 0) {
                options.progress("residents", k, persons.size());
            }
        }
    }
    person_indexes.restore();

    // Spatial indexes, then the triggers back.
    bool slow_index = false;
    for (int ix = 0; ix < i_count; ++ix) {
        if (options.progress) {
            options.progress("spatial index", static_cast<std::uint64_t>(ix), i_count);
        }
        const std::string name = std::string("idx_") + k_spatial[ix][0] + "_" + k_spatial[ix][1];
        slow_index = !grid::detail::bulk_load_rtree(db, name, index[static_cast<std::size_t>(ix)]) || slow_index;
    }
    triggers.restore();
    if (slow_index) {
        for (const auto& sc : k_spatial) {
            Statement st = ws.prepare("SELECT RecoverSpatialIndex(?, ?, 1)");
            st.bind(1, sc[0]).bind(2, sc[1]);
            st.step();
        }
    }
    ws.exec("UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE "
            "f_table_name IN ('division', 'grid', 'microgrid', 'building', 'address', 'road', 'compound')");
    const std::string detail = "{\"households\": " + std::to_string(options.households) +
                               ", \"seed\": " + std::to_string(options.seed) + "}";
    std::int64_t rows = 0;
    for (const auto& [layer, n] : counts.layers) {
        rows += n;
    }
    ws.record_audit(command_line(), "", rows, detail);
    tx.commit();
    return counts;
}

Counts write_workspace(const std::string& path, const Options& options, bool overwrite) {
    options.check();
    if (exists(path)) {
        if (std::filesystem::is_directory(path)) {
            throw io_error(path, "is a folder", "give a new .sqlite file name, or a folder name without .sqlite");
        }
        if (!overwrite) {
            throw io_error(path, "already exists", "use --overwrite to replace it, or choose another name");
        }
    }
    std::mt19937_64 rng(std::random_device{}());
    const std::string tmp = path + ".synth-" + std::to_string(rng() % 1000000000ULL) + ".sqlite";
    struct Cleanup {
        std::string file;
        bool keep = false;
        ~Cleanup() {
            if (!keep) {
                for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
                    std::remove((file + suffix).c_str());
                }
            }
        }
    } cleanup{tmp};
    Counts counts;
    {
        Workspace ws = Workspace::create(tmp, options.srid);
        // The file is private until it is moved into place: no journal, no syncs.
        ws.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
        counts = insert(ws, options);
        ws.exec("PRAGMA journal_mode=WAL;");
    }
    if (overwrite && exists(path)) {
        // A stale WAL beside the old file would be replayed into the new one.
        for (const char* suffix : {"-wal", "-shm"}) {
            std::remove((path + suffix).c_str());
        }
        if (std::rename(tmp.c_str(), path.c_str()) != 0) {
            throw io_error(path, std::string("cannot replace: ") + std::strerror(errno), "check the folder's permissions");
        }
    } else if (::link(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        throw io_error(path, std::string("cannot create: ") + std::strerror(err),
                       err == EEXIST ? "use --overwrite to replace it, or choose another name" : "check the folder");
    }
    return counts;
}

} // namespace grid::synth

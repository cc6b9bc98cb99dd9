#include "libgrid/workspace.hpp"

#include "libgrid/error.hpp"

#include <sqlite3.h>
// spatialite.h needs sqlite3.h first
#include <spatialite.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace grid {

namespace detail {
extern const char* const workspace_sql; // generated from schemas/workspace.sql
}

namespace {

std::string g_command_line;

std::string sqlite_message(sqlite3* db) { return db != nullptr ? sqlite3_errmsg(db) : "out of memory"; }

void check(sqlite3* db, int rc, std::string_view what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::string msg = std::string(what) + ": " + sqlite_message(db);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            throw error(msg, "another process holds the workspace; try again when it has finished");
        }
        if (rc == SQLITE_FULL) {
            throw error(msg, "the disk is full; free space and run the command again");
        }
        if (rc == SQLITE_READONLY) {
            throw error(msg, "the workspace or its folder is read-only; copy it somewhere writable");
        }
        throw error(msg);
    }
}

using LF = LayerField;
constexpr auto T = LF::Type::text;
constexpr auto I = LF::Type::integer;
constexpr auto R = LF::Type::real;

std::vector<LayerInfo> make_layers() {
    std::vector<LayerInfo> v;
    v.push_back({"division", "code", "geom", "MULTIPOLYGON", "",
                 {{"code", T, true, false, "NBS division code (2/4/6/9/12 digits)"},
                  {"name", T, true, false, "name, e.g. 十里铺社区居民委员会"},
                  {"level", I, true, false, "1 province, 2 city, 3 county, 4 township, 5 community/village"},
                  {"parent_code", T, false, false, "code of the parent division"},
                  {"urban_rural", T, false, false, "NBS urban-rural class (111..220)"}}});
    v.push_back({"grid", "code", "geom", "MULTIPOLYGON", "",
                 {{"code", T, true, false, "15-digit grid code"},
                  {"name", T, false, false, "grid name"},
                  {"kind", T, false, false, "基础网格 / 专属网格"},
                  {"community_code", T, false, false, "12-digit community code"},
                  {"leader", T, false, false, "grid worker (public service contact)"},
                  {"leader_phone", T, false, false, "grid worker's service phone"}}});
    v.push_back({"microgrid", "code", "geom", "MULTIPOLYGON", "",
                 {{"code", T, true, false, "18-digit micro-grid code"},
                  {"grid_code", T, false, false, "15-digit grid code"},
                  {"name", T, false, false, "micro-grid name"},
                  {"leader", T, false, false, "micro-grid leader (微网格长)"},
                  {"leader_phone", T, false, false, "micro-grid leader's service phone"}}});
    v.push_back({"building", "code", "geom", "MULTIPOLYGON", "location",
                 {{"code", T, true, false, "17-digit building code"},
                  {"name", T, false, false, "building name, e.g. 3幢"},
                  {"compound", T, false, false, "compound (小区)"},
                  {"community_code", T, false, false, "12-digit community code"},
                  {"floors", I, false, false, "number of floors"},
                  {"units", I, false, false, "number of units (单元)"},
                  {"households", I, false, false, "declared household count"},
                  {"use", T, false, false, "use"},
                  {"grid_code", T, false, false, "grid the building is recorded in"},
                  {"microgrid_code", T, false, false, "micro-grid the building is recorded in"}}});
    v.push_back({"address", "code", "geom", "POINT", "",
                 {{"code", T, true, false, "24-digit standard-address code"},
                  {"text", T, true, false, "canonical standard-address text"},
                  {"province", T, false, false, ""}, {"city", T, false, false, ""},
                  {"county", T, false, false, ""}, {"township", T, false, false, ""},
                  {"community", T, false, false, ""}, {"road", T, false, false, ""},
                  {"number", T, false, false, "door number (门牌号)"}, {"compound", T, false, false, ""},
                  {"building", T, false, false, ""}, {"unit", T, false, false, ""},
                  {"floor", T, false, false, ""}, {"room", T, false, false, ""},
                  {"level", T, false, false, "door / building / unit / room"},
                  {"building_code", T, false, false, "17-digit building code"},
                  {"grid_code", T, false, false, "grid the address is recorded in"},
                  {"microgrid_code", T, false, false, "micro-grid the address is recorded in"}}});
    v.push_back({"house", "code", "", "", "",
                 {{"code", T, true, false, "house code (usually the 24-digit address code of the room)"},
                  {"address_code", T, false, false, "standard-address code"},
                  {"use", T, false, false, "住宅 / 商业 / 办公 / ..."},
                  {"rental", I, false, false, "1 for a rental house (出租房屋)"},
                  {"area", R, false, false, "floor area in m²"},
                  {"status", T, false, false, "自住 / 出租 / 空置"},
                  {"occupied", I, false, false, "1 when occupied (a household)"},
                  {"grid_code", T, false, false, ""},
                  {"microgrid_code", T, false, false, ""}}});
    v.push_back({"person", "id_number", "", "", "",
                 {{"id_number", T, true, true, "resident ID (GB 11643), personal data"},
                  {"name", T, false, false, "name"},
                  {"phone", T, false, true, "phone, personal data"},
                  {"house_code", T, false, false, "house code"},
                  {"kind", T, false, false, "户籍 / 流动 / 境外"},
                  {"tenant", I, false, false, "1 for a tenant"}}});
    v.push_back({"org", "uscc", "", "", "",
                 {{"uscc", T, true, false, "unified social credit code (GB 32100)"},
                  {"name", T, true, false, "name"},
                  {"address_code", T, false, false, "standard-address code"},
                  {"type", T, false, false, "type"},
                  {"contact", T, false, false, "contact person"},
                  {"phone", T, false, true, "contact phone"}}});
    v.push_back({"road", "", "geom", "MULTILINESTRING", "",
                 {{"name", T, false, false, "road name"}, {"kind", T, false, false, "road class"}}});
    v.push_back({"compound", "", "geom", "MULTIPOLYGON", "",
                 {{"name", T, false, false, "compound name (小区)"},
                  {"community_code", T, false, false, "12-digit community code"}}});
    v.push_back({"allowed_gap", "", "geom", "MULTIPOLYGON", "",
                 {{"name", T, false, false, "name, e.g. a river or park"},
                  {"reason", T, false, false, "why this gap is intended"}}});
    return v;
}

// Migrations: index i upgrades schema version i+1 to i+2. Append, never edit.
const std::vector<std::function<void(sqlite3*)>>& migrations() {
    static const std::vector<std::function<void(sqlite3*)>> list{};
    return list;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

void exec_raw(sqlite3* db, const std::string& sql, std::string_view what) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = std::string(what) + ": " + (err != nullptr ? err : sqlite_message(db));
        sqlite3_free(err);
        throw error(msg);
    }
}

void configure(sqlite3* db, bool writable) {
    sqlite3_busy_timeout(db, 30000);
    if (writable) {
        exec_raw(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "setting WAL mode");
    }
    exec_raw(db, "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;", "configuring");
}

} // namespace

const LayerField* LayerInfo::field(std::string_view field_name) const {
    for (const auto& f : fields) {
        if (f.name == field_name) {
            return &f;
        }
    }
    return nullptr;
}

const std::vector<LayerInfo>& layers() {
    static const std::vector<LayerInfo> all = make_layers();
    return all;
}

const LayerInfo& layer(std::string_view name) {
    for (const auto& l : layers()) {
        if (l.name == name) {
            return l;
        }
    }
    std::string known;
    for (const auto& l : layers()) {
        known += (known.empty() ? "" : ", ") + l.name;
    }
    throw usage_error("unknown layer '" + std::string(name) + "'", "layers are: " + known);
}

// --- Statement ------------------------------------------------------------------------------

Statement::Statement(sqlite3* db, std::string_view sql) : m_db(db) {
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr);
    if (rc != SQLITE_OK) {
        throw error("SQL error: " + sqlite_message(db) + " in: " + std::string(sql.substr(0, 200)));
    }
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement::Statement(Statement&& other) noexcept : m_stmt(other.m_stmt), m_db(other.m_db) { other.m_stmt = nullptr; }

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = other.m_stmt;
        m_db = other.m_db;
        other.m_stmt = nullptr;
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(m_db, sqlite3_bind_int64(m_stmt, index, value), "binding");
    return *this;
}
Statement& Statement::bind(int index, double value) {
    check(m_db, sqlite3_bind_double(m_stmt, index, value), "binding");
    return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
    check(m_db, sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
          "binding");
    return *this;
}
Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
    check(m_db, sqlite3_bind_blob(m_stmt, index, data, static_cast<int>(size), SQLITE_TRANSIENT), "binding");
    return *this;
}
Statement& Statement::bind_null(int index) {
    check(m_db, sqlite3_bind_null(m_stmt, index), "binding");
    return *this;
}
Statement& Statement::bind_text_or_null(int index, std::string_view text) {
    return text.empty() ? bind_null(index) : bind(index, text);
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    const std::string msg = sqlite_message(m_db);
    sqlite3_reset(m_stmt);
    check(m_db, rc, "SQL");
    throw error("SQL: " + msg);
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
std::int64_t Statement::column_int(int column) const { return sqlite3_column_int64(m_stmt, column); }
double Statement::column_double(int column) const { return sqlite3_column_double(m_stmt, column); }
std::string Statement::column_text(int column) const {
    const auto* p = sqlite3_column_text(m_stmt, column);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
                        : std::string();
}
const unsigned char* Statement::column_blob(int column, std::size_t& size) const {
    const void* p = sqlite3_column_blob(m_stmt, column);
    size = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column));
    return static_cast<const unsigned char*>(p);
}
int Statement::column_count() const { return sqlite3_column_count(m_stmt); }
std::string Statement::column_name(int column) const { return sqlite3_column_name(m_stmt, column); }

// --- Transaction ----------------------------------------------------------------------------

Transaction::Transaction(const Workspace& ws) : m_db(ws.db()) {
    if (ws.read_only()) {
        throw error("workspace " + ws.path() + " is open read-only");
    }
    exec_raw(m_db, "BEGIN IMMEDIATE", "starting a transaction on the workspace");
}

Transaction::~Transaction() {
    if (!m_done) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    exec_raw(m_db, "COMMIT", "committing to the workspace");
    m_done = true;
}

ReadSnapshot::ReadSnapshot(const Workspace& ws) : m_db(ws.db()) {
    if (sqlite3_get_autocommit(m_db) != 0) {
        exec_raw(m_db, "BEGIN", "starting to read the workspace");
        m_open = true;
    }
}

void ReadSnapshot::end() noexcept {
    if (m_open) {
        sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr);
        m_open = false;
    }
}

// --- Workspace ------------------------------------------------------------------------------

Workspace::Workspace(sqlite3* db, void* cache, std::string path, Mode mode)
    : m_db(db), m_spatialite(cache), m_path(std::move(path)), m_mode(mode) {}

Workspace::~Workspace() { close(); }

void Workspace::close() noexcept {
    if (m_db != nullptr) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
    if (m_spatialite != nullptr) {
        spatialite_cleanup_ex(m_spatialite);
        m_spatialite = nullptr;
    }
}

Workspace::Workspace(Workspace&& o) noexcept
    : m_db(o.m_db), m_spatialite(o.m_spatialite), m_path(std::move(o.m_path)), m_mode(o.m_mode), m_srid(o.m_srid) {
    o.m_db = nullptr;
    o.m_spatialite = nullptr;
}

Workspace& Workspace::operator=(Workspace&& o) noexcept {
    if (this != &o) {
        close();
        m_db = o.m_db;
        m_spatialite = o.m_spatialite;
        m_path = std::move(o.m_path);
        m_mode = o.m_mode;
        m_srid = o.m_srid;
        o.m_db = nullptr;
        o.m_spatialite = nullptr;
    }
    return *this;
}

namespace {

struct Connection {
    sqlite3* db = nullptr;
    void* cache = nullptr;
    ~Connection() {
        if (db != nullptr) {
            sqlite3_close_v2(db);
        }
        if (cache != nullptr) {
            spatialite_cleanup_ex(cache);
        }
    }
};

void open_connection(Connection& c, const std::string& path, int flags) {
    // SQLite's global memory statistics take a mutex on every allocation; gridkit never reads
    // them. Only possible before SQLite initialises, so try once and ignore a refusal.
    static const bool memstatus_off = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
    (void)memstatus_off;
    const int rc = sqlite3_open_v2(path.c_str(), &c.db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = sqlite_message(c.db);
        throw io_error(path, "cannot open: " + msg,
                       (flags & SQLITE_OPEN_CREATE) != 0 ? "check that the folder exists and is writable"
                                                         : "check the path and the file's permissions");
    }
    sqlite3_extended_result_codes(c.db, 1);
    c.cache = spatialite_alloc_connection();
    spatialite_init_ex(c.db, c.cache, 0);
}

/// file: URI of a path, read as immutable (percent-encoding what a URI path cannot hold).
std::string immutable_uri(const std::string& path) {
    std::string uri = "file:";
    for (const char ch : std::filesystem::absolute(path).string()) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '?' || ch == '#' || ch == '%' || u < 0x20 || ch == ' ') {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", u);
            uri += buf;
        } else {
            uri += ch;
        }
    }
    return uri + "?immutable=1";
}

} // namespace

Workspace Workspace::create(const std::string& path, int srid) {
    if (file_exists(path)) {
        throw io_error(path, "already exists", "choose another name, or remove the file first");
    }
    const std::filesystem::path target(path);
    const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(dir)) {
        throw io_error(path, "folder " + dir.string() + " does not exist", "create the folder first");
    }
    if (::access(dir.c_str(), W_OK) != 0) {
        throw io_error(path, "folder " + dir.string() + " is not writable", "choose a writable folder");
    }
    // Build in a temporary file and rename it into place: a failure never leaves a half-made workspace.
    std::mt19937_64 rng(std::random_device{}());
    const std::string tmp = path + ".tmp-" + std::to_string(rng() % 1000000000ULL);
    struct Cleanup {
        std::string file;
        bool keep = false;
        ~Cleanup() {
            if (!keep) {
                std::remove(file.c_str());
                std::remove((file + "-journal").c_str());
            }
        }
    } cleanup{tmp};
    {
        Connection c;
        open_connection(c, tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
        exec_raw(c.db, "PRAGMA journal_mode=DELETE; PRAGMA application_id=1196575051;", "creating");
        exec_raw(c.db, "BEGIN", "creating");
        exec_raw(c.db, "SELECT InitSpatialMetadata(0, 'NONE')", "initialising SpatiaLite metadata");
        {
            const std::string sql = "SELECT InsertEpsgSrid(" + std::to_string(srid) + ")";
            Statement st(c.db, sql);
            if (!st.step() || st.column_int(0) != 1) {
                throw usage_error("EPSG:" + std::to_string(srid) + " is not a CRS SpatiaLite knows",
                                  "use a projected or geographic EPSG code such as 4490 (CGCS2000) or 4528");
            }
        }
        if (srid != 4326) {
            exec_raw(c.db, "SELECT InsertEpsgSrid(4326)", "initialising SpatiaLite metadata");
        }
        std::string ddl = detail::workspace_sql;
        const std::string placeholder = "{{SRID}}";
        for (auto pos = ddl.find(placeholder); pos != std::string::npos; pos = ddl.find(placeholder, pos)) {
            ddl.replace(pos, placeholder.size(), std::to_string(srid));
        }
        exec_raw(c.db, ddl, "creating the workspace schema");
        // AddGeometryColumn reports failure by returning 0, not by an SQL error: check them all.
        for (const auto& l : layers()) {
            for (const auto& col : {l.geometry_column, l.point_column}) {
                if (col.empty()) {
                    continue;
                }
                Statement st(c.db, "SELECT count(*) FROM geometry_columns WHERE f_table_name = ? AND f_geometry_column = ?");
                st.bind(1, l.name).bind(2, col);
                if (!st.step() || st.column_int(0) != 1) {
                    throw schema_error("creating the workspace: geometry column " + l.name + "." + col + " was not registered");
                }
            }
        }
        Statement set(c.db, "INSERT INTO settings (key, value) VALUES (?, ?)");
        set.bind(1, "gridkit").bind(2, "workspace").run();
        set.bind(1, "srid").bind(2, std::to_string(srid)).run();
        set.bind(1, "created_at").bind(2, utc_now()).run();
        exec_raw(c.db, "PRAGMA user_version=" + std::to_string(schema_version_current), "creating");
        exec_raw(c.db, "COMMIT", "creating");
    }
    std::error_code ec;
    if (::link(tmp.c_str(), path.c_str()) != 0) {
        // link() refuses to replace an existing file, so a concurrent create cannot be clobbered.
        const int err = errno;
        throw io_error(path, std::string("cannot create: ") + std::strerror(err),
                       err == EEXIST ? "choose another name, or remove the file first" : "check the folder");
    }
    return open(path, Mode::read_write);
}

Workspace Workspace::open(const std::string& path, Mode mode) {
    if (!file_exists(path)) {
        throw io_error(path, "no such workspace", "create one with 'gridkit init " + path + "'");
    }
    if (std::filesystem::is_directory(path)) {
        throw io_error(path, "is a folder, not a workspace file", "give the path of a .sqlite workspace");
    }
    Connection c;
    const int flags = (mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    open_connection(c, path, flags);
    if (mode == Mode::read_write && sqlite3_db_readonly(c.db, "main") == 1) {
        throw io_error(path, "is read-only (the file or its folder)",
                       "copy the workspace to a writable folder, or fix its permissions");
    }
    // A file that is not SQLite fails on the first read, not on open.
    int version = 0;
    auto read_version = [&] {
        sqlite3_stmt* st = nullptr;
        int rc = sqlite3_prepare_v2(c.db, "PRAGMA user_version", -1, &st, nullptr);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) {
                version = sqlite3_column_int(st, 0);
            }
        }
        sqlite3_finalize(st);
        return rc;
    };
    {
        int rc = read_version();
        const auto refused = [](int r) {
            return (r & 0xFF) == SQLITE_READONLY || (r & 0xFF) == SQLITE_CANTOPEN || (r & 0xFF) == SQLITE_PERM;
        };
        std::error_code ec;
        const auto wal_size = std::filesystem::file_size(path + "-wal", ec);
        if (refused(rc) && mode == Mode::read_only && (ec || wal_size == 0)) {
            // A WAL workspace in a read-only folder (a hand-over disc, a share): SQLite cannot
            // create the -shm file beside it. With no pending WAL content the file alone holds
            // all the data, so read it as immutable.
            Connection again;
            open_connection(again, immutable_uri(path), flags | SQLITE_OPEN_URI);
            std::swap(c.db, again.db);
            std::swap(c.cache, again.cache);
            rc = read_version();
        }
        if (refused(rc)) {
            throw io_error(path, std::string("cannot be opened: ") + sqlite_message(c.db),
                           "the file or its folder is read-only; copy the workspace somewhere writable");
        }
        if (rc != SQLITE_ROW) {
            throw schema_error(path + ": not a gridkit workspace (" + sqlite_message(c.db) + ")",
                               "create one with 'gridkit init', or check the path");
        }
    }
    {
        sqlite3_stmt* st = nullptr;
        bool marked = false;
        if (sqlite3_prepare_v2(c.db, "SELECT value FROM settings WHERE key = 'gridkit'", -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            const auto* v = sqlite3_column_text(st, 0);
            marked = v != nullptr && std::strcmp(reinterpret_cast<const char*>(v), "workspace") == 0;
        }
        sqlite3_finalize(st);
        if (!marked) {
            throw schema_error(path + ": not a gridkit workspace (no gridkit settings table)",
                               "create one with 'gridkit init' and import the data into it");
        }
    }
    if (version > schema_version_current) {
        throw schema_error(path + ": workspace schema version " + std::to_string(version) +
                               " is newer than this gridkit understands (" + std::to_string(schema_version_current) + ")",
                           "upgrade gridkit to open it");
    }
    configure(c.db, mode == Mode::read_write);
    if (version < schema_version_current) {
        if (mode == Mode::read_only) {
            throw schema_error(path + ": workspace schema version " + std::to_string(version) + " needs migrating",
                               "run a writing command such as 'gridkit info' without read-only access to upgrade it");
        }
        exec_raw(c.db, "BEGIN IMMEDIATE", "migrating");
        for (int v = version; v < schema_version_current; ++v) {
            migrations().at(static_cast<std::size_t>(v - 1))(c.db);
        }
        exec_raw(c.db, "PRAGMA user_version=" + std::to_string(schema_version_current) + "; COMMIT", "migrating");
    }
    Workspace ws(c.db, c.cache, path, mode);
    c.db = nullptr;
    c.cache = nullptr;
    ws.load_settings();
    return ws;
}

void Workspace::load_settings() {
    if (auto s = setting("srid")) {
        m_srid = std::stoi(*s);
    }
}

int Workspace::schema_version() const { return static_cast<int>(query_int("PRAGMA user_version")); }

void Workspace::exec(std::string_view sql) const { exec_raw(m_db, std::string(sql), "SQL"); }

std::int64_t Workspace::query_int(std::string_view sql) const {
    Statement st(m_db, sql);
    return st.step() ? st.column_int(0) : 0;
}

std::int64_t Workspace::count(std::string_view table) const {
    return query_int("SELECT count(*) FROM \"" + std::string(table) + "\"");
}

std::optional<std::string> Workspace::setting(std::string_view key) const {
    Statement st(m_db, "SELECT value FROM settings WHERE key = ?");
    st.bind(1, key);
    if (st.step()) {
        return st.column_text(0);
    }
    return std::nullopt;
}

void Workspace::set_setting(std::string_view key, std::string_view value) const {
    Statement st(m_db, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    st.bind(1, key).bind(2, value).run();
}

void Workspace::record_audit(std::string_view command, std::string_view layer_name, std::int64_t rows,
                             std::string_view detail) const {
    Statement st(m_db, "INSERT INTO audit (time, command, layer, rows, detail) VALUES (?, ?, ?, ?, ?)");
    st.bind(1, utc_now()).bind(2, command).bind_text_or_null(3, layer_name).bind(4, rows).bind_text_or_null(5, detail);
    st.run();
}

void Workspace::rebuild_spatial_index(std::string_view table, std::string_view column) const {
    Statement st(m_db, "SELECT RecoverSpatialIndex(?, ?, 1)");
    st.bind(1, table).bind(2, column);
    st.step();
}

void set_command_line(std::string line) { g_command_line = std::move(line); }
const std::string& command_line() { return g_command_line; }

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace grid

// The workspace: one SpatiaLite database file that QGIS opens as it is (schemas/workspace.sql,
// docs/workspace.md). Schema version in PRAGMA user_version, migrated forward on open; WAL mode;
// a busy timeout so two gridkit processes wait for each other; one transaction per write command.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace grid {

/// RAII over a prepared SQLite statement. Binding indices are 1-based, columns 0-based.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind_blob(int index, const void* data, std::size_t size);
    Statement& bind_null(int index);
    /// Binds the text, or NULL when it is empty.
    Statement& bind_text_or_null(int index, std::string_view text);

    /// Runs one step; true when a row is available. Throws grid::error on failure.
    bool step();
    /// Runs a statement that returns no rows (step + reset).
    void run();
    void reset();

    bool is_null(int column) const;
    std::int64_t column_int(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    /// Blob bytes (valid until the next step/reset).
    const unsigned char* column_blob(int column, std::size_t& size) const;
    int column_count() const;
    std::string column_name(int column) const;

    sqlite3_stmt* handle() const noexcept { return m_stmt; }

private:
    sqlite3_stmt* m_stmt = nullptr;
    sqlite3* m_db = nullptr;
};

class Workspace;

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
public:
    explicit Transaction(const Workspace& ws);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    sqlite3* m_db;
    bool m_done = false;
};

/// BEGIN (deferred) ... COMMIT around reads: every read in between sees one state of the
/// workspace and the file is locked once, not once per statement. Works on read-only
/// workspaces; inside a transaction already open it does nothing. Ends at end() or destruction.
class ReadSnapshot {
public:
    explicit ReadSnapshot(const Workspace& ws);
    ~ReadSnapshot() { end(); }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;
    void end() noexcept;

private:
    sqlite3* m_db;
    bool m_open = false;
};

/// One field of a layer as importers, exporters and docs see it.
struct LayerField {
    std::string name;
    enum class Type { text, integer, real } type = Type::text;
    bool required = false;
    bool sensitive = false; ///< personal data: masked on export unless asked
    std::string description;
};

/// A layer (table) of the workspace.
struct LayerInfo {
    std::string name;
    std::string key;               ///< the field upserts are keyed by ("code", "id_number", "uscc"; "" = none)
    std::string geometry_column;   ///< "" when the layer has no geometry
    std::string geometry_type;     ///< MULTIPOLYGON, POINT, MULTILINESTRING
    std::string point_column;      ///< a second POINT column (building.location), "" if none
    std::vector<LayerField> fields;
    const LayerField* field(std::string_view name) const;
};

/// All layers of the current schema, in import order (parents first).
const std::vector<LayerInfo>& layers();
/// One layer; throws grid::usage_error naming the known layers when unknown.
const LayerInfo& layer(std::string_view name);

class Workspace {
public:
    static constexpr int schema_version_current = 1;
    enum class Mode { read_only, read_write };

    /// Creates a new workspace at `path` (which must not exist) with the given EPSG SRID.
    /// Built in a temporary file beside it and renamed at the end: never half-written.
    static Workspace create(const std::string& path, int srid = 4490);
    /// Opens an existing workspace; migrates an older schema forward (read_write only).
    /// Throws io_error (missing/unreadable), schema_error (not a workspace, newer schema).
    static Workspace open(const std::string& path, Mode mode = Mode::read_write);

    ~Workspace();
    Workspace(Workspace&& other) noexcept;
    Workspace& operator=(Workspace&& other) noexcept;
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    const std::string& path() const noexcept { return m_path; }
    int srid() const noexcept { return m_srid; }
    int schema_version() const;
    bool read_only() const noexcept { return m_mode == Mode::read_only; }

    /// The raw connection, for libgrid modules that run their own SQL.
    sqlite3* db() const noexcept { return m_db; }
    Statement prepare(std::string_view sql) const { return Statement(m_db, sql); }
    void exec(std::string_view sql) const;
    /// Runs a query returning one integer (0 when no row).
    std::int64_t query_int(std::string_view sql) const;
    std::int64_t count(std::string_view table) const;

    std::optional<std::string> setting(std::string_view key) const;
    void set_setting(std::string_view key, std::string_view value) const;

    /// Adds a row to `audit` (call inside the command's transaction).
    void record_audit(std::string_view command, std::string_view layer, std::int64_t rows,
                      std::string_view detail = {}) const;

    /// Drops and rebuilds the spatial index of a geometry column (after bulk writes).
    void rebuild_spatial_index(std::string_view table, std::string_view column) const;

private:
    Workspace(sqlite3* db, void* spatialite_cache, std::string path, Mode mode);
    void load_settings();
    void close() noexcept;

    sqlite3* m_db = nullptr;
    void* m_spatialite = nullptr;
    std::string m_path;
    Mode m_mode = Mode::read_write;
    int m_srid = 4490;
};

/// The command line of this process as one string, for audit and plan records.
/// Set by the CLI at start; empty in library use unless set.
void set_command_line(std::string command_line);
const std::string& command_line();

/// Current UTC time as ISO 8601 (2026-11-22T01:40:00Z).
std::string utc_now();

} // namespace grid

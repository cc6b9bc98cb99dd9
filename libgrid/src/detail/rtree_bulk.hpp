// Bulk loading of an SQLite R*Tree (the spatial indexes SpatiaLite keeps in idx_<table>_<column>):
// the nodes are packed Sort-Tile-Recursive and written straight into the R*Tree's shadow tables
// in its documented on-disk format. Filling the index row by row costs ~15 us per feature; this
// costs well under 1 us and gives fuller, better-shaped nodes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;

namespace grid::detail {

/// One entry of a 2-D R*Tree with 32-bit float coordinates (SpatiaLite's rtree(pkid, xmin,
/// xmax, ymin, ymax)), rounded outward like SQLite rounds them.
struct RTreeEntry {
    std::int64_t id = 0;
    float minx = 0, maxx = 0, miny = 0, maxy = 0;
};

RTreeEntry rtree_entry(std::int64_t id, double minx, double miny, double maxx, double maxy);

/// Replaces the content of the R*Tree virtual table `name` with `entries` (reordered in place).
/// Returns false, writing nothing, when the connection forbids writing shadow tables
/// (SQLITE_DBCONFIG_DEFENSIVE): the caller then fills the index the slow way. Throws grid::error
/// on SQL errors. Run it inside the caller's transaction.
bool bulk_load_rtree(sqlite3* db, const std::string& name, std::vector<RTreeEntry>& entries);

/// Adds `entries` to the spatial index of `table`.`column` (idx_<table>_<column>), after removing
/// the entries of the `replaced` rowids; the index is rebuilt in one pass with the entries it
/// already holds (bulk_load_rtree), or filled row by row where that is refused. Does nothing
/// when the column has no spatial index. Run it inside the caller's transaction.
void add_to_rtree(sqlite3* db, const std::string& table, const std::string& column,
                  const std::vector<std::int64_t>& replaced, std::vector<RTreeEntry> entries);

} // namespace grid::detail

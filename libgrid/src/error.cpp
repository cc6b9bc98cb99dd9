#include "libgrid/error.hpp"

#include <utility>

namespace grid {

error::error(const std::string& message, std::string hint)
    : std::runtime_error(message), m_hint(std::move(hint)) {}

io_error::io_error(const std::string& path, const std::string& message, std::string hint)
    : error(path + ": " + message, std::move(hint)), m_path(path) {}

namespace {
std::string locate(const std::string& file, std::int64_t row, const std::string& column) {
    std::string where = file;
    if (row > 0) {
        where += (where.empty() ? "row " : ", row ") + std::to_string(row);
    }
    if (!column.empty()) {
        where += (where.empty() ? "column " : ", column ") + column;
    }
    return where;
}
} // namespace

parse_error::parse_error(const std::string& file, std::int64_t row, const std::string& column,
                         const std::string& message, std::string hint)
    : error(locate(file, row, column) + ": " + message, std::move(hint)),
      m_file(file), m_row(row), m_column(column) {}

geometry_error::geometry_error(const std::string& message, std::string feature_id, std::string hint)
    : error(feature_id.empty() ? message : feature_id + ": " + message, std::move(hint)),
      m_feature_id(std::move(feature_id)) {}

} // namespace grid

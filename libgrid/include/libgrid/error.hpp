// Errors thrown by libgrid. The library never prints and never exits: it throws one of these,
// and cli/main.cpp alone turns them into a one-line message and an exit status.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace grid {

/// Exit statuses of every gridkit command (docs/errors.md). Never renumbered.
enum class exit_status : int {
    ok = 0,            ///< done, data clean
    data_problems = 1, ///< done, but the data has problems (rows rejected, validation errors)
    usage = 2,         ///< bad options or arguments
    cannot_run = 3,    ///< could not run (unreadable input, I/O, broken workspace); nothing written
};

/// Base of every libgrid error. `what()` is the one-line message (it names the file, row or
/// feature); `hint()` says what the user can do about it. Messages never contain personal data.
class error : public std::runtime_error {
public:
    explicit error(const std::string& message, std::string hint = {});
    const std::string& hint() const noexcept { return m_hint; }
    /// The exit status the CLI returns for this error.
    virtual exit_status status() const noexcept { return exit_status::cannot_run; }

private:
    std::string m_hint;
};

/// A bad argument value found by the library (unknown layer, malformed CRS string, ...).
class usage_error : public error {
public:
    using error::error;
    exit_status status() const noexcept override { return exit_status::usage; }
};

/// A file could not be opened, read or written.
class io_error : public error {
public:
    io_error(const std::string& path, const std::string& message, std::string hint = {});
    const std::string& path() const noexcept { return m_path; }

private:
    std::string m_path;
};

/// Input text or data could not be parsed. Row is 1-based (0: not applicable).
class parse_error : public error {
public:
    parse_error(const std::string& file, std::int64_t row, const std::string& column,
                const std::string& message, std::string hint = {});
    const std::string& file() const noexcept { return m_file; }
    std::int64_t row() const noexcept { return m_row; }
    const std::string& column() const noexcept { return m_column; }

private:
    std::string m_file;
    std::int64_t m_row;
    std::string m_column;
};

/// A CRS could not be understood or a transformation failed.
class crs_error : public error {
public:
    using error::error;
};

/// A geometry operation failed; carries the feature id when known.
class geometry_error : public error {
public:
    geometry_error(const std::string& message, std::string feature_id = {}, std::string hint = {});
    const std::string& feature_id() const noexcept { return m_feature_id; }

private:
    std::string m_feature_id;
};

/// The workspace is not a gridkit workspace, is from a newer version, or is damaged.
class schema_error : public error {
public:
    using error::error;
};

} // namespace grid

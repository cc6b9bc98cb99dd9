// Coordinates as text: numbers in and out, and cs2cs-style line conversion for `crs convert`.
#include "libgrid/crs.hpp"

#include "libgrid/error.hpp"

#include <charconv>
#include <cmath>
#include <istream>
#include <ostream>

namespace grid::crs {

int default_precision(const CrsSpec& crs) { return crs.is_geographic() ? 9 : 3; }

std::optional<double> parse_number(std::string_view text) {
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::string format_number(double value, int precision) {
    if (!std::isfinite(value)) {
        return "*";
    }
    char buf[400];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, precision);
    if (ec != std::errc()) {
        return "*";
    }
    return std::string(buf, ptr);
}

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool ends_token(char c) { return is_blank(c) || c == ','; }

// One "x<sep>y<rest>" line split like cs2cs reads it.
struct SplitLine {
    std::string_view x;
    std::string_view separator; // between x and y, kept for the output
    std::string_view y;
    std::string_view rest;      // everything after y, with its leading separator
};

bool split_line(std::string_view line, SplitLine& out) {
    std::size_t i = 0;
    while (i < line.size() && is_blank(line[i])) {
        ++i;
    }
    const std::size_t x_begin = i;
    while (i < line.size() && !ends_token(line[i])) {
        ++i;
    }
    out.x = line.substr(x_begin, i - x_begin);
    const std::size_t sep_begin = i;
    while (i < line.size() && is_blank(line[i])) {
        ++i;
    }
    if (i < line.size() && line[i] == ',') {
        ++i;
        while (i < line.size() && is_blank(line[i])) {
            ++i;
        }
    }
    out.separator = line.substr(sep_begin, i - sep_begin);
    const std::size_t y_begin = i;
    while (i < line.size() && !ends_token(line[i])) {
        ++i;
    }
    out.y = line.substr(y_begin, i - y_begin);
    out.rest = line.substr(i);
    return !out.x.empty() && !out.separator.empty() && !out.y.empty();
}

std::string shorten(std::string_view text) {
    constexpr std::size_t k_max = 40;
    return text.size() <= k_max ? std::string(text) : std::string(text.substr(0, k_max)) + "...";
}

} // namespace

LineStats convert_lines(std::istream& in, std::ostream& out, const Transformer& transformer, int precision,
                        const bad_line_fn& on_bad_line) {
    LineStats stats;
    std::string line;
    while (std::getline(in, line)) {
        ++stats.lines;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        std::string_view view = line;
        if (stats.lines == 1 && view.substr(0, 3) == "\xEF\xBB\xBF") {
            view.remove_prefix(3); // UTF-8 byte order mark
        }
        std::size_t first = 0;
        while (first < view.size() && is_blank(view[first])) {
            ++first;
        }
        if (first == view.size() || view[first] == '#') {
            out << view << '\n';
            continue;
        }
        SplitLine split;
        std::string reason;
        if (!split_line(view, split)) {
            reason = "expected two numbers 'x y' (or 'x,y'), got '" + shorten(view.substr(first)) + "'";
        }
        std::optional<double> x;
        std::optional<double> y;
        if (reason.empty()) {
            x = parse_number(split.x);
            y = parse_number(split.y);
            if (!x) {
                reason = "x '" + shorten(split.x) + "' is not a number";
            } else if (!y) {
                reason = "y '" + shorten(split.y) + "' is not a number";
            }
        }
        double px = x.value_or(0.0);
        double py = y.value_or(0.0);
        if (reason.empty() && !transformer.try_transform(px, py, reason) && reason.empty()) {
            reason = "could not transform the point";
        }
        if (!reason.empty()) {
            ++stats.failed;
            const bool split_ok = !split.separator.empty();
            out << '*' << (split_ok ? split.separator : std::string_view(" ")) << '*' << (split_ok ? split.rest : "")
                << '\n';
            if (on_bad_line) {
                on_bad_line(stats.lines, reason);
            }
            continue;
        }
        ++stats.converted;
        out << format_number(px, precision) << split.separator << format_number(py, precision) << split.rest << '\n';
    }
    if (in.bad()) {
        throw io_error("<input>", "read error after line " + std::to_string(stats.lines));
    }
    return stats;
}

} // namespace grid::crs

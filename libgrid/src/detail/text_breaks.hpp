// Private: line-break control for text laid out by Pango (plates, map titles).
#pragma once

#include <string>
#include <string_view>

namespace grid::detail {

/// `text` with a WORD JOINER (U+2060) between its characters and its spaces made no-break
/// (U+00A0), so Pango keeps it on one line unless it is longer than a line (PANGO_WRAP_WORD_CHAR
/// then still breaks it). Chinese text may otherwise break between any two characters.
inline std::string unbreakable(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 2);
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (i > 0) {
            out += "\u2060";
        }
        if (text[i] == ' ') {
            out += "\u00A0";
        } else {
            out.append(text.substr(i, len));
        }
        i += len;
    }
    return out;
}

} // namespace grid::detail

// Private text helpers of the address module: UTF-8 decoding with byte offsets, per-character
// normalisation (full-width -> half-width, traditional -> simplified), Chinese numerals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace grid::address::detail {

/// One decoded character: its normalised code point and its bytes in the input.
struct Char {
    char32_t cp = 0;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
};

/// Decodes UTF-8 into `out` (cleared first). Returns the byte offset of the first invalid
/// sequence, or std::string_view::npos when the whole text is valid. Overlongs, surrogates and
/// code points above U+10FFFF are invalid.
std::size_t decode_utf8(std::string_view text, std::vector<Char>& out);

/// True when the bytes are not UTF-8 but decode cleanly as GB18030 and hold at least one
/// double-byte character.
bool looks_like_gb18030(std::string_view text) noexcept;

/// Appends a code point as UTF-8.
void append_utf8(std::string& out, char32_t cp);
/// Encodes one code point.
std::string utf8(char32_t cp);

/// Normalises one character: full-width ASCII and U+3000 to ASCII, dashes to '-', traditional
/// to simplified when `simplify` (a built-in table of the characters common in addresses).
char32_t normalise_char(char32_t cp, bool simplify) noexcept;

/// Character classes used by the scanner.
inline bool is_digit(char32_t c) noexcept { return c >= U'0' && c <= U'9'; }
inline bool is_latin(char32_t c) noexcept { return (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z'); }
inline bool is_han(char32_t c) noexcept {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2EBEF) ||
           c == 0x3007; // 〇
}
/// 零〇一二三四五六七八九十百千两
bool is_cn_numeral(char32_t c) noexcept;
/// Value of a run of Chinese numerals (十二 -> 12, 二十 -> 20, 一零一 -> 101, 三百零五 -> 305),
/// or -1 when it is not a well-formed number.
long long cn_numeral_value(const char32_t* begin, const char32_t* end) noexcept;

} // namespace grid::address::detail

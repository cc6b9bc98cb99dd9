// Private: a PNG writer for pictures made of flat colour (doorplates). zlib spends about 3 ns on
// every byte even of an all-zero image (its window and hash upkeep), 10 ms for one 300 dpi
// medium plate; here the filtered scanlines go into one fixed-Huffman deflate block in which
// every run of a byte is a literal and distance-1 matches, found a word at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace grid::detail {

/// Builds a zlib stream (RFC 1950/1951) from bytes whose only redundancy worth having is runs.
/// On a plate: about 1.2 times the size of zlib's level 2, in a quarter of the time.
class RunDeflater {
public:
    RunDeflater();
    /// Appends bytes to the stream (a scanline: filter type byte, then the filtered row).
    void add(const std::uint8_t* data, std::size_t size);
    /// Ends the stream and hands it over; add nothing afterwards.
    std::vector<std::uint8_t> finish();

private:
    void put(std::uint32_t bits, int count);
    void run(std::uint8_t byte, std::size_t count);
    std::vector<std::uint8_t> m_out;
    std::uint64_t m_bits = 0;
    int m_bit_count = 0;
    std::uint32_t m_adler_a = 1, m_adler_b = 0;
};

/// What IHDR and the chunks before the image data say.
struct PngHeader {
    int width = 0, height = 0;
    int bit_depth = 8;
    int color_type = 2;                ///< 2 RGB, 3 palette
    std::vector<std::uint8_t> palette; ///< r, g, b triples (colour type 3)
    double dpi = 0;                    ///< written as pHYs when > 0
};

/// Writes a PNG whose image data is `zlib_stream` (filtered scanlines, e.g. from RunDeflater).
/// Returns an empty string or what failed.
std::string write_png(std::FILE* file, const PngHeader& header, const std::vector<std::uint8_t>& zlib_stream);

} // namespace grid::detail

#include "detail/png_write.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace grid::detail {

namespace {

/// A code of the fixed Huffman table of deflate (RFC 1951 3.2.6), bits in stream order.
struct Code {
    std::uint32_t bits = 0;
    int count = 0;
};

std::uint32_t reversed(std::uint32_t code, int count) {
    std::uint32_t r = 0;
    for (int i = 0; i < count; ++i) {
        r = (r << 1U) | ((code >> i) & 1U);
    }
    return r;
}

struct FixedCodes {
    std::array<Code, 286> literal{};
    /// A match of length 3..258 at distance 1: length symbol, its extra bits, distance code 0.
    std::array<Code, 259> match{};

    FixedCodes() {
        for (std::uint32_t v = 0; v < literal.size(); ++v) {
            if (v < 144) {
                literal[v] = {reversed(0x30 + v, 8), 8};
            } else if (v < 256) {
                literal[v] = {reversed(0x190 + v - 144, 9), 9};
            } else if (v < 280) {
                literal[v] = {reversed(v - 256, 7), 7};
            } else {
                literal[v] = {reversed(0xC0 + v - 280, 8), 8};
            }
        }
        static constexpr int base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                         31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
        static constexpr int extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                          2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        int symbol = 0;
        for (int length = 3; length <= 258; ++length) {
            while (symbol < 28 && base[symbol + 1] <= length) {
                ++symbol;
            }
            const Code& s = literal[257 + static_cast<std::size_t>(symbol)];
            const auto extra_bits = static_cast<std::uint32_t>(length - base[symbol]);
            // The distance code 0 (distance 1) is five zero bits.
            match[static_cast<std::size_t>(length)] = {s.bits | (extra_bits << s.count), s.count + extra[symbol] + 5};
        }
    }
};

const FixedCodes& fixed_codes() {
    static const FixedCodes codes;
    return codes;
}

constexpr std::uint32_t adler_mod = 65521;
constexpr std::size_t max_match = 258;

/// Where the run of equal bytes that starts at p ends, eight bytes at a time.
const std::uint8_t* run_end(const std::uint8_t* p, const std::uint8_t* end) {
    const std::uint64_t pattern = 0x0101010101010101ULL * *p;
    const std::uint8_t* q = p + 1;
    for (; end - q >= 8; q += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, q, 8);
        const std::uint64_t diff = word ^ pattern;
        if (diff != 0) {
            // The first differing byte: the lowest set byte on a little-endian machine.
            const int bit = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_ctzll(diff) : __builtin_clzll(diff);
            return q + bit / 8;
        }
    }
    while (q < end && *q == *p) {
        ++q;
    }
    return q;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

} // namespace

RunDeflater::RunDeflater() {
    m_out = {0x78, 0x01}; // deflate, 32 KiB window, fastest
    put(0x3, 3);          // the one and last block, fixed Huffman codes
}

void RunDeflater::put(std::uint32_t bits, int count) {
    m_bits |= static_cast<std::uint64_t>(bits) << m_bit_count;
    m_bit_count += count;
    if (m_bit_count >= 32) {
        for (int i = 0; i < 4; ++i) {
            m_out.push_back(static_cast<std::uint8_t>(m_bits));
            m_bits >>= 8U;
        }
        m_bit_count -= 32;
    }
}

void RunDeflater::run(std::uint8_t byte, std::size_t count) {
    const FixedCodes& codes = fixed_codes();
    const Code& literal = codes.literal[byte];
    put(literal.bits, literal.count);
    if (count < 4) { // a match is 3 bytes or more: shorter runs are literals
        for (std::size_t i = 1; i < count; ++i) {
            put(literal.bits, literal.count);
        }
    } else {
        for (std::size_t left = count - 1; left > 0;) {
            // Never leave fewer than 3 for the last match.
            const std::size_t take = left <= max_match ? left : std::min(max_match, left - 3);
            put(codes.match[take].bits, codes.match[take].count);
            left -= take;
        }
    }
    // Adler-32 of `count` copies of `byte` in closed form: b gains the running sums of a.
    const std::uint64_t n = count;
    m_adler_b = static_cast<std::uint32_t>(
        (m_adler_b + (n % adler_mod) * m_adler_a + byte * ((n * (n + 1) / 2) % adler_mod)) % adler_mod);
    m_adler_a = static_cast<std::uint32_t>((m_adler_a + byte * (n % adler_mod)) % adler_mod);
}

void RunDeflater::add(const std::uint8_t* data, std::size_t size) {
    const std::uint8_t* const end = data + size;
    for (const std::uint8_t* p = data; p < end;) {
        const std::uint8_t* q = run_end(p, end);
        run(*p, static_cast<std::size_t>(q - p));
        p = q;
    }
}

std::vector<std::uint8_t> RunDeflater::finish() {
    const Code& end_of_block = fixed_codes().literal[256];
    put(end_of_block.bits, end_of_block.count);
    while (m_bit_count > 0) {
        m_out.push_back(static_cast<std::uint8_t>(m_bits));
        m_bits >>= 8U;
        m_bit_count -= 8;
    }
    put_u32(m_out, (m_adler_b << 16U) | m_adler_a);
    return std::move(m_out);
}

std::string write_png(std::FILE* file, const PngHeader& header, const std::vector<std::uint8_t>& zlib_stream) {
    bool ok = true;
    const auto chunk = [&](const char* type, const std::vector<std::uint8_t>& data) {
        std::vector<std::uint8_t> head;
        put_u32(head, static_cast<std::uint32_t>(data.size()));
        head.insert(head.end(), type, type + 4);
        std::uint32_t crc = crc32(0, head.data() + 4, 4);
        if (!data.empty()) { // crc32() of a null pointer is 0, not the CRC so far
            crc = crc32(crc, data.data(), static_cast<uInt>(data.size()));
        }
        std::vector<std::uint8_t> tail;
        put_u32(tail, crc);
        ok = ok && std::fwrite(head.data(), 1, head.size(), file) == head.size() &&
             (data.empty() || std::fwrite(data.data(), 1, data.size(), file) == data.size()) && // IEND: no data
             std::fwrite(tail.data(), 1, tail.size(), file) == tail.size();
    };
    static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    ok = std::fwrite(signature, 1, sizeof signature, file) == sizeof signature;
    std::vector<std::uint8_t> ihdr;
    put_u32(ihdr, static_cast<std::uint32_t>(header.width));
    put_u32(ihdr, static_cast<std::uint32_t>(header.height));
    // compression 0 (deflate), filter method 0, no interlace
    ihdr.insert(ihdr.end(),
                {static_cast<std::uint8_t>(header.bit_depth), static_cast<std::uint8_t>(header.color_type), 0, 0, 0});
    chunk("IHDR", ihdr);
    if (!header.palette.empty()) {
        chunk("PLTE", header.palette);
    }
    if (header.dpi > 0) {
        std::vector<std::uint8_t> phys;
        const auto ppm = static_cast<std::uint32_t>(std::lround(header.dpi / 0.0254));
        put_u32(phys, ppm);
        put_u32(phys, ppm);
        phys.push_back(1); // pixels per metre
        chunk("pHYs", phys);
    }
    chunk("IDAT", zlib_stream);
    chunk("IEND", {});
    return ok ? std::string() : std::strerror(errno);
}

} // namespace grid::detail

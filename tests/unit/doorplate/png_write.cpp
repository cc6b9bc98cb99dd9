// The PNG writer of doorplates (detail/png_write): its zlib stream inflates, with zlib, to exactly
// the bytes given, for runs of every length around the limits of a deflate match; the chunks of
// a written file carry their CRCs.
#include "detail/png_write.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using grid::detail::PngHeader;
using grid::detail::RunDeflater;

namespace {

std::vector<std::uint8_t> inflate_all(const std::vector<std::uint8_t>& stream, std::size_t expected) {
    std::vector<std::uint8_t> out(expected + 1);
    uLongf size = out.size();
    // uncompress() also checks the Adler-32 at the end of the stream.
    REQUIRE(uncompress(out.data(), &size, stream.data(), stream.size()) == Z_OK);
    out.resize(size);
    return out;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        v = (v << 8U) | static_cast<std::uint8_t>(s[at + i]);
    }
    return v;
}

} // namespace

TEST_CASE("png_write: runs of any length inflate to the same bytes") {
    std::vector<std::uint8_t> data;
    std::uint32_t seed = 12345;
    for (std::size_t length :
         {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 258, 259, 260, 261, 262, 516, 517, 518, 519, 1000, 70000}) {
        seed = seed * 1103515245U + 12345U;
        data.insert(data.end(), length, static_cast<std::uint8_t>(seed >> 16U));
        data.push_back(static_cast<std::uint8_t>(seed >> 8U)); // mostly a different byte: the run ends
    }
    for (int i = 0; i < 5000; ++i) { // noise: literals of every value
        seed = seed * 1103515245U + 12345U;
        data.push_back(static_cast<std::uint8_t>(seed >> 16U));
    }
    RunDeflater deflater;
    // Fed in pieces of different sizes, as scanlines are: a run may end at a piece's end.
    std::size_t at = 0;
    for (std::size_t piece = 1; at < data.size(); piece = piece * 3 + 1) {
        const std::size_t n = std::min(piece, data.size() - at);
        deflater.add(data.data() + at, n);
        at += n;
    }
    const std::vector<std::uint8_t> stream = deflater.finish();
    CHECK(inflate_all(stream, data.size()) == data);
    CHECK(stream.size() < data.size() / 4);
}

TEST_CASE("png_write: an empty stream and one of zeros") {
    CHECK(inflate_all(RunDeflater().finish(), 0).empty());
    const std::vector<std::uint8_t> zeros(3'000'000, 0);
    RunDeflater deflater;
    deflater.add(zeros.data(), zeros.size());
    const std::vector<std::uint8_t> stream = deflater.finish();
    CHECK(inflate_all(stream, zeros.size()) == zeros);
    CHECK(stream.size() < 20'000);
}

TEST_CASE("png_write: a palette PNG with its resolution, every chunk with its CRC") {
    doorplate_test::TempDir dir;
    const std::string path = (dir.path / "a.png").string();
    PngHeader header;
    header.width = 3;
    header.height = 2;
    header.bit_depth = 4;
    header.color_type = 3;
    header.palette = {0, 77, 158, 255, 255, 255};
    header.dpi = 300;
    const std::vector<std::uint8_t> rows = {2, 0x01, 0x00, 2, 0x10, 0x00}; // Up filter, 2 bytes a row
    RunDeflater deflater;
    deflater.add(rows.data(), rows.size());
    const std::vector<std::uint8_t> stream = deflater.finish();
    std::FILE* file = std::fopen(path.c_str(), "wb");
    REQUIRE(file != nullptr);
    CHECK(grid::detail::write_png(file, header, stream).empty());
    std::fclose(file);

    std::ifstream in(path, std::ios::binary);
    const std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    std::vector<std::string> types;
    std::string idat;
    for (std::size_t at = 8; at + 12 <= png.size();) {
        const std::uint32_t length = be32(png, at);
        const std::string type = png.substr(at + 4, 4);
        const std::string body = png.substr(at + 8, length);
        const auto* typed = reinterpret_cast<const Bytef*>(png.data() + at + 4);
        CHECK(be32(png, at + 8 + length) == crc32(0, typed, 4 + length));
        if (type == "IHDR") {
            CHECK(be32(body, 0) == 3);
            CHECK(be32(body, 4) == 2);
            CHECK(body.substr(8) == std::string("\x04\x03\x00\x00\x00", 5));
        } else if (type == "pHYs") {
            CHECK(be32(body, 0) == 11811); // 300 dpi in pixels per metre
            CHECK(body[8] == 1);
        } else if (type == "IDAT") {
            idat += body;
        }
        types.push_back(type);
        at += 12 + length;
    }
    CHECK(types == std::vector<std::string>{"IHDR", "PLTE", "pHYs", "IDAT", "IEND"});
    CHECK(inflate_all(std::vector<std::uint8_t>(idat.begin(), idat.end()), rows.size()) == rows);
}

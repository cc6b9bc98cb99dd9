// io::read_text_file: the one reader of CSV/TXT text for import and geocode, and its encodings.
#include "../doorplate/temp_dir.hpp"

#include "libgrid/error.hpp"
#include "libgrid/io.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

namespace {

std::string write(const doorplate_test::TempDir& dir, const std::string& name, const std::string& bytes) {
    const std::string path = (dir.path / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

const std::string utf8_rows = "code,text\n1,泰州市海陵区京泰路街道\n2,凤凰路18号\n";

std::string gb18030(const std::string& utf8) {
    std::string out;
    REQUIRE(grid::io::utf8_to_gb18030(utf8, out));
    return out;
}

} // namespace

TEST_CASE("read_text_file: UTF-8 (with or without a byte-order mark) and GB18030 come back as UTF-8") {
    namespace io = grid::io;
    doorplate_test::TempDir dir;
    std::string used;
    for (const auto bad : {io::BadLines::refuse, io::BadLines::keep}) {
        CHECK(io::read_text_file(write(dir, "a.csv", utf8_rows), "auto", bad, used) == utf8_rows);
        CHECK(used == "UTF-8");
        CHECK(io::read_text_file(write(dir, "b.csv", "\xEF\xBB\xBF" + utf8_rows), "auto", bad, used) == utf8_rows);
        CHECK(used == "UTF-8");
        CHECK(io::read_text_file(write(dir, "c.csv", gb18030(utf8_rows)), "auto", bad, used) == utf8_rows);
        CHECK(used == "GB18030");
        CHECK(io::read_text_file(write(dir, "c.csv", gb18030(utf8_rows)), "GB18030", bad, used) == utf8_rows);
        CHECK(used == "GB18030");
    }
    CHECK(io::canonical_encoding("gbk") == "GB18030");
    CHECK(io::canonical_encoding("UTF8") == "UTF-8");
    CHECK(io::canonical_encoding("") == "auto");
    CHECK_THROWS_AS(io::canonical_encoding("latin1"), grid::usage_error);
}

TEST_CASE("read_text_file: a UTF-8 file with one GB18030 line is refused at that line, or kept for per-row errors") {
    namespace io = grid::io;
    doorplate_test::TempDir dir;
    const std::string mixed = utf8_rows + gb18030("3,泰州市姜堰区\n");
    const std::string path = write(dir, "mixed.csv", mixed);
    std::string used;
    try {
        io::read_text_file(path, "auto", io::BadLines::refuse, used);
        FAIL("a mixed file was read");
    } catch (const grid::parse_error& e) {
        const std::string what = e.what();
        CHECK(what.find("mixed.csv") != std::string::npos);
        CHECK(what.find("row 4") != std::string::npos);
        CHECK(what.find("not valid UTF-8") != std::string::npos);
    }
    CHECK(io::read_text_file(path, "auto", io::BadLines::keep, used) == mixed);
    CHECK(used == "UTF-8");
    // A whole GB18030 file read as UTF-8 is refused with a hint; a BOM contradicts GB18030.
    CHECK_THROWS_AS(io::read_text_file(write(dir, "gb.csv", gb18030(utf8_rows)), "UTF-8", io::BadLines::refuse, used),
                    grid::parse_error);
    CHECK_THROWS_AS(io::read_text_file(write(dir, "bom.csv", "\xEF\xBB\xBF" + utf8_rows), "GB18030", io::BadLines::keep, used),
                    grid::parse_error);
    CHECK_THROWS_AS(io::read_text_file((dir.path / "none.csv").string(), "auto", io::BadLines::keep, used), grid::io_error);
}

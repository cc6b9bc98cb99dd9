// Codes: the test vectors and check-digit examples of design/CODES.md, the division rules,
// grid/micro-grid/building/address structure, resident IDs, USCCs and masking.
#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <string>

using namespace grid::codes;

namespace {

// Replaces character i of s by the next digit (a "mistyped digit").
std::string change_digit(std::string s, std::size_t i) {
    s[i] = s[i] == '9' ? '0' : static_cast<char>(s[i] + 1);
    return s;
}

// An ID with the given first 17 digits and its correct check character.
std::string make_id(const std::string& first17) { return first17 + resident_id_check_char(first17); }

bool has_alternative(const CodeInfo& info, CodeKind kind) {
    return std::find(info.alternatives.begin(), info.alternatives.end(), kind) != info.alternatives.end();
}

} // namespace

TEST_CASE("resident ID: the GB 11643 example is valid and a changed digit is not") {
    const std::string id = "11010519491231002X";
    CHECK(resident_id_check_char(id.substr(0, 17)) == 'X');
    CHECK(valid_resident_id(id));
    const CodeInfo info = explain(id);
    CHECK(info.kind == CodeKind::resident_id);
    CHECK(info.valid);
    CHECK(info.fields.at("birth_date") == "1949-12-31");
    CHECK(info.fields.at("sex") == "female"); // sequence 002: even
    // Every single-digit change of the first 17 breaks the check (weights are all non-zero mod 11).
    for (std::size_t i = 0; i < 17; ++i) {
        const std::string typo = change_digit(id, i);
        const CodeInfo bad = check(typo, CodeKind::resident_id);
        CHECK_MESSAGE(!bad.valid, "digit " << i);
    }
    std::string wrong_check = id;
    wrong_check[17] = '5';
    CHECK_FALSE(valid_resident_id(wrong_check));
}

TEST_CASE("resident ID: lowercase x is read as X") {
    CHECK(valid_resident_id("11010519491231002x"));
}

TEST_CASE("resident ID: the birth date must be a real calendar date, not in the future") {
    CHECK(valid_resident_id(make_id("11010520000229001"))); // 2000 is a leap year
    CHECK_FALSE(valid_resident_id(make_id("11010519000229001"))); // 1900 is not
    CHECK_FALSE(valid_resident_id(make_id("11010520010229001")));
    CHECK_FALSE(valid_resident_id(make_id("11010519491301001"))); // month 13
    CHECK_FALSE(valid_resident_id(make_id("11010519490431001"))); // 31 April
    CHECK_FALSE(valid_resident_id(make_id("11010519490100001"))); // day 0

    const std::time_t later = std::time(nullptr) + 3 * 24 * 3600;
    std::tm tm{};
    localtime_r(&later, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y%m%d", &tm);
    const CodeInfo future = check(make_id(std::string("110105") + date + "001"), CodeKind::resident_id);
    CHECK_FALSE(future.valid);
    CHECK(future.message.find("future") != std::string::npos);
}

TEST_CASE("resident ID: the message never contains the ID or its digits") {
    const std::string good = "11010519491231002X";
    const std::string bad_check = "110105194912310021";
    const std::string bad_date = make_id("11010519491331002");
    for (const std::string& id : {good, bad_check, bad_date}) {
        const CodeInfo info = check(id, CodeKind::resident_id);
        CHECK(info.message.find(id) == std::string::npos);
        CHECK(info.message.find(id.substr(0, 6)) == std::string::npos);
        CHECK(info.message.find(id.substr(6, 8)) == std::string::npos);
        CHECK(info.message.find(id.substr(14, 3)) == std::string::npos);
    }
    CHECK(check(bad_check, CodeKind::resident_id).message.find("check character") != std::string::npos);
}

TEST_CASE("resident ID: sex from the sequence digit") {
    const CodeInfo male = check(make_id("11010519491231001"), CodeKind::resident_id);
    CHECK(male.valid);
    CHECK(male.fields.at("sex") == "male");
}

TEST_CASE("USCC: the GB 32100 example is valid and a changed character is not") {
    const std::string code = "91350100M000100Y43";
    CHECK(uscc_check_char(code.substr(0, 17)) == '3');
    CHECK(valid_uscc(code));
    const CodeInfo info = explain(code);
    CHECK(info.kind == CodeKind::uscc);
    CHECK(info.valid);
    CHECK(info.fields.at("division") == "350100");
    CHECK(info.fields.at("org_code") == "M000100Y4");
    CHECK(info.fields.at("org_code_check") == "ok");
    CHECK(info.fields.at("authority") == "9");
    CHECK(info.fields.at("type") == "1");
    for (std::size_t i = 0; i < 17; ++i) {
        if (code[i] < '0' || code[i] > '9') {
            continue;
        }
        CHECK_MESSAGE(!valid_uscc(change_digit(code, i)), "position " << i);
    }
    CHECK_FALSE(valid_uscc("91350100M000100Y44"));
}

TEST_CASE("USCC: alphabet without I O S V Z; lowercase accepted") {
    CHECK_FALSE(valid_uscc("91350100I000100Y43"));
    CHECK_FALSE(valid_uscc("91350100O000100Y43"));
    CHECK_THROWS_AS(uscc_check_char("91350100S000100Y4"), grid::usage_error);
    CHECK(valid_uscc("91350100m000100y43"));
    CHECK_FALSE(valid_uscc("91350100M000100Y4")); // 17 characters
}

TEST_CASE("organisation code GB 11714: check character of the USCC example") {
    CHECK(org_code_check_char("M000100Y") == '4');
    // C9 = 11 - (S mod 11) with weights 3,7,9,10,5,8,4,2; 10 -> X, 11 -> 0.
    CHECK(org_code_check_char("00000001") == '9'); // S = 2
    CHECK(org_code_check_char("00000100") == '3'); // S = 8
    CHECK(org_code_check_char("40000000") == 'X'); // S = 12, 12 mod 11 = 1
    CHECK(org_code_check_char("00000000") == '0'); // S = 0
}

TEST_CASE("USCC of an individual business: an organisation-code mismatch is a field, not invalid") {
    // 16 characters; 9-16 form the organisation-code body. Character 17 is chosen so that it
    // does NOT fit GB 11714, then character 18 is the USCC check.
    const std::string body = "92350100MA2YQ8KP";
    const char org_check = org_code_check_char(body.substr(8, 8));
    const char other = org_check == '1' ? '2' : '1';
    std::string first17 = body + other;
    const std::string code = first17 + uscc_check_char(first17);
    const CodeInfo info = check(code, CodeKind::uscc);
    CHECK(info.valid);
    CHECK(info.fields.at("org_code_check") == "mismatch");
    const std::string fitting17 = body + org_check;
    const CodeInfo fitting = check(fitting17 + uscc_check_char(fitting17), CodeKind::uscc);
    CHECK(fitting.valid);
    CHECK(fitting.fields.at("org_code_check") == "ok");
}

TEST_CASE("division chain of CODES.md: 32 -> 3212 -> 321202 -> 321202007 -> 321202007004") {
    struct Case {
        const char* code;
        CodeKind kind;
        const char* parent;
    };
    const Case cases[] = {
        {"32", CodeKind::province, ""},
        {"3212", CodeKind::city, "32"},
        {"321202", CodeKind::county, "3212"},
        {"321202007", CodeKind::township, "321202"},
        {"321202007004", CodeKind::community, "321202007"},
    };
    for (const Case& c : cases) {
        const CodeInfo info = explain(c.code);
        CHECK_MESSAGE(info.kind == c.kind, c.code);
        CHECK_MESSAGE(info.valid, c.code << ": " << info.message);
        CHECK(info.parent == c.parent);
        CHECK(parent_code(c.code, c.kind) == c.parent);
    }
    const CodeInfo township = explain("321202007");
    CHECK(township.fields.at("township_type") == "subdistrict");
    CHECK(township.fields.at("township_type_zh") == "街道");
    const CodeInfo community = explain("321202007004");
    CHECK(community.fields.at("village") == "004");
    CHECK(community.fields.at("village_type_zh") == "居委会");
}

TEST_CASE("division: township type from digits 7-9") {
    CHECK(explain("321202001").fields.at("township_type") == "subdistrict");
    CHECK(explain("321202099").fields.at("township_type") == "subdistrict");
    CHECK(explain("321202100").fields.at("township_type") == "town");
    CHECK(explain("321202199").fields.at("township_type") == "town");
    CHECK(explain("321202200").fields.at("township_type") == "township");
    CHECK(explain("321202399").fields.at("township_type") == "township");
    CHECK(explain("321202400").fields.at("township_type") == "other");
    CHECK(explain("321202599").fields.at("township_type") == "other");
}

TEST_CASE("division: village digits are a sequence, not rejected by range") {
    for (const char* code : {"321202007004", "321202007204", "321202007404", "321202007599", "321202007999"}) {
        CHECK_MESSAGE(explain(code).valid, code);
    }
    CHECK(explain("321202007204").fields.at("village_type_zh") == "村委会");
}

TEST_CASE("division: zero-padded GB/T 2260 and NBS forms read as the shorter level") {
    CHECK(explain("320000").kind == CodeKind::province);
    CHECK(explain("321200").kind == CodeKind::city);
    CHECK(explain("321200").parent == "32");
    CHECK(explain("321202007000").kind == CodeKind::township);
    CHECK(explain("321202000000").kind == CodeKind::county);
    CHECK(explain("321202007000").fields.at("padded_from") == "321202007");
    // A padded township is not a community.
    CHECK_FALSE(check("321202007000", CodeKind::community).valid);
    CHECK(check("321202007000", CodeKind::township).valid);
}

TEST_CASE("division: 东莞-style cities without counties") {
    const CodeInfo town = explain("441900003");
    CHECK(town.valid);
    CHECK(town.kind == CodeKind::township);
    CHECK(town.parent == "4419");
}

TEST_CASE("division: invalid codes") {
    CHECK_FALSE(explain("00").valid);
    CHECK_FALSE(explain("99").valid);
    CHECK_FALSE(explain("3200").valid);      // city 00 at city level
    CHECK_FALSE(explain("320012").valid);    // city 00 with a county
    CHECK_FALSE(explain("321202000").valid); // township 000
    CHECK_FALSE(explain("321202000004").valid);
    CHECK(explain("32120").kind == CodeKind::unknown);
}

TEST_CASE("grid, micro-grid and building codes") {
    const CodeInfo grid = explain("321202007004001");
    CHECK(grid.kind == CodeKind::grid);
    CHECK(grid.valid);
    CHECK(grid.parent == "321202007004");
    CHECK(grid.fields.at("sequence") == "001");
    CHECK_FALSE(explain("321202007004000").valid);
    CHECK_FALSE(explain("321202007000001").valid); // hangs on a township, not a community

    const CodeInfo micro = explain("321202007004001002");
    CHECK(micro.kind == CodeKind::microgrid);
    CHECK(micro.valid);
    CHECK(micro.parent == "321202007004001");
    CHECK(micro.fields.at("sequence") == "002");
    CHECK_FALSE(check("321202007004001000", CodeKind::microgrid).valid);
    CHECK_FALSE(check("321202007004000002", CodeKind::microgrid).valid);

    const CodeInfo building = explain("32120200700400017");
    CHECK(building.kind == CodeKind::building);
    CHECK(building.valid);
    CHECK(building.fields.at("sequence") == "00017");
    CHECK_FALSE(explain("32120200700400000").valid);
}

TEST_CASE("standard address codes: unit 000-999, room 0000-9999, level") {
    const std::string building = "32120200700400017";
    const CodeInfo room = explain(building + "002" + "0501");
    CHECK(room.kind == CodeKind::address);
    CHECK(room.valid);
    CHECK(room.parent == building);
    CHECK(room.fields.at("unit") == "002");
    CHECK(room.fields.at("room") == "0501");
    CHECK(room.fields.at("level") == "room");
    CHECK(explain(building + "000" + "0000").fields.at("level") == "building");
    CHECK(explain(building + "003" + "0000").fields.at("level") == "unit");
    CHECK(explain(building + "000" + "0012").fields.at("level") == "room");
    CHECK(explain(building + "999" + "9999").valid);
    CHECK_FALSE(explain("32120200700400000" "001" "0101").valid);
}

TEST_CASE("18 characters: resident ID, USCC or micro-grid") {
    const CodeInfo id = explain("11010519491231002X");
    CHECK(id.kind == CodeKind::resident_id);
    const CodeInfo id_digits = explain(make_id("11010519800101001"));
    if (id_digits.code.back() != 'X') {
        CHECK(id_digits.kind == CodeKind::resident_id);
        CHECK(has_alternative(id_digits, CodeKind::microgrid));
    }
    // A micro-grid code whose digits 7-14 are no date is never read as an ID.
    const CodeInfo micro = explain("321202007004001002");
    CHECK(micro.kind == CodeKind::microgrid);
    CHECK_FALSE(has_alternative(micro, CodeKind::resident_id));
    // An ID-shaped string whose check character does not fit stays readable as an ID.
    const CodeInfo typo = explain("110105194912310021");
    CHECK(has_alternative(typo, CodeKind::resident_id));
    // Forced kind.
    CHECK(check("11010519491231002X", CodeKind::microgrid).valid == false);
}

TEST_CASE("check(): a code of the wrong kind is invalid for that kind") {
    const CodeInfo info = check("321202007004001", CodeKind::building);
    CHECK_FALSE(info.valid);
    CHECK(info.kind == CodeKind::building);
    CHECK_FALSE(check("321202", CodeKind::township).valid);
    CHECK(check("321202", CodeKind::county).valid);
    CHECK(check(" 321202 ", CodeKind::county).valid);
}

TEST_CASE("kind names round-trip") {
    for (CodeKind k : {CodeKind::province, CodeKind::city, CodeKind::county, CodeKind::township, CodeKind::community,
                       CodeKind::grid, CodeKind::microgrid, CodeKind::building, CodeKind::address,
                       CodeKind::resident_id, CodeKind::uscc}) {
        CHECK(kind_from_name(kind_name(k)) == k);
    }
    CHECK(kind_from_name("nonsense") == CodeKind::unknown);
}

TEST_CASE("builders") {
    CHECK(make_grid_code("321202007004", 1) == "321202007004001");
    CHECK(make_grid_code("321202007004", 999) == "321202007004999");
    CHECK_THROWS_AS(make_grid_code("321202007004", 0), grid::usage_error);
    CHECK_THROWS_AS(make_grid_code("321202007004", 1000), grid::usage_error);
    CHECK_THROWS_AS(make_grid_code("32120200700", 1), grid::usage_error);
    CHECK_THROWS_AS(make_grid_code("321202007000", 1), grid::usage_error);
    CHECK(make_microgrid_code("321202007004001", 12) == "321202007004001012");
    CHECK_THROWS_AS(make_microgrid_code("321202007004000", 1), grid::usage_error);
    CHECK(make_building_code("321202007004", 17) == "32120200700400017");
    CHECK_THROWS_AS(make_building_code("321202007004", 100000), grid::usage_error);
    CHECK(make_address_code("32120200700400017", 2, 501) == "321202007004000170020501");
    CHECK(make_address_code("32120200700400017", 0, 0) == "321202007004000170000000");
    CHECK_THROWS_AS(make_address_code("32120200700400017", 1000, 0), grid::usage_error);
    CHECK_THROWS_AS(make_address_code("32120200700400017", 1, 10000), grid::usage_error);
    // Whatever a builder makes, explain() reads back as that kind.
    CHECK(explain(make_address_code("32120200700400017", 2, 501)).kind == CodeKind::address);
}

TEST_CASE("parent codes") {
    CHECK(parent_code("321202007004001002", CodeKind::microgrid) == "321202007004001");
    CHECK(parent_code("321202007004001", CodeKind::grid) == "321202007004");
    CHECK(parent_code("32120200700400017", CodeKind::building) == "321202007004");
    CHECK(parent_code("321202007004000170020501", CodeKind::address) == "32120200700400017");
    CHECK_THROWS_AS(parent_code("3212020070040", CodeKind::grid), grid::usage_error);
}

TEST_CASE("masking") {
    CHECK(mask_resident_id("11010519491231002X") == "110105********002X");
    CHECK(mask_resident_id("110105491231002") == "110105******002"); // first-generation 15 digits
    CHECK(mask_resident_id("ABC123") == "****23");
    CHECK(mask_phone("13812345678") == "138****5678");
    CHECK(mask_phone("138-1234-5678") == "138****5678");
    CHECK(mask_phone("+86 13812345678") == "+86 138****5678");
    CHECK(mask_phone("010-12345678") == "**********78");
    CHECK(mask_phone("张三丰") == "*三丰");
    CHECK(mask_phone("") == "");
}

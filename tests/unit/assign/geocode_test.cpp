// Geocoding: every standard address of a synth workspace, rewritten in three styles, comes back
// to its own code; fuzzy matches say why; what does not fit is never guessed; bad text is a
// per-row error; the importer fills the components of a text-only address file.
#include "fixture.hpp"

#include "libgrid/assign.hpp"
#include "libgrid/error.hpp"
#include "libgrid/io.hpp"
#include "libgrid/synth.hpp"
#include "libgrid/workspace.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <memory>

using namespace assign_test;
namespace ga = grid::assign;

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
    return s;
}

/// ASCII digits -> full-width digits (U+FF10..U+FF19).
std::string full_width_digits(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            out += "\xEF\xBC";
            out += static_cast<char>(0x90 + (c - '0'));
        } else {
            out += c;
        }
    }
    return out;
}

/// One synth workspace shared by the tests of this file (building it takes a second or two).
struct SynthWorkspace {
    TempDir dir;
    std::string path;
    std::unique_ptr<ga::Geocoder> geocoder;
    SynthWorkspace() {
        path = dir.file("synth.sqlite");
        grid::synth::Options o;
        o.households = 1200;
        o.seed = 3;
        o.threads = 2;
        grid::synth::write_workspace(path, o, false);
        auto ws = grid::Workspace::open(path, grid::Workspace::Mode::read_only);
        geocoder = std::make_unique<ga::Geocoder>(ws);
    }
};

SynthWorkspace& synth() {
    static SynthWorkspace s;
    return s;
}

const ga::StandardAddress& matched(const ga::Geocoder& g, const ga::Match& m) { return g.addresses()[m.candidates.at(0).address]; }

} // namespace

TEST_CASE("geocode: every standard address of a synth workspace, in three styles, matches back to its own code") {
    const ga::Geocoder& g = *synth().geocoder;
    REQUIRE(g.addresses().size() > 1000);
    std::map<std::string, int> failures;
    std::size_t tried = 0;
    for (const auto& a : g.addresses()) {
        REQUIRE(a.text.rfind("江苏省泰州市", 0) == 0);
        const std::string styles[3] = {
            a.text.substr(std::string("江苏省").size()),                                  // without the province
            replace_all(a.text, "幢", "栋"),                                               // 栋 for 幢
            full_width_digits(replace_all(a.text.substr(std::string("江苏省泰州市").size()), "幢", "号楼")), // full-width, 号楼, no province/city
        };
        for (int s = 0; s < 3; ++s) {
            const ga::Match m = g.match(styles[s]);
            ++tried;
            const bool ok = m.status == ga::MatchStatus::matched && matched(g, m).code == a.code;
            if (!ok) {
                ++failures["style " + std::to_string(s)];
                if (failures["style " + std::to_string(s)] <= 3) {
                    MESSAGE("style " << s << ": " << styles[s] << " -> " << ga::status_name(m.status)
                                     << (m.candidates.empty() ? std::string() : " " + matched(g, m).code) << " (want " << a.code << ")");
                }
            }
        }
    }
    CHECK(tried == 3 * g.addresses().size());
    CHECK(failures.empty());
}

TEST_CASE("geocode: exact matches carry the address's building, grid, micro-grid and point") {
    const ga::Geocoder& g = *synth().geocoder;
    const ga::StandardAddress& a = g.addresses()[g.addresses().size() / 2];
    const ga::Match m = g.match(a.text);
    REQUIRE(m.status == ga::MatchStatus::matched);
    CHECK(m.method == "exact");
    CHECK(m.candidates[0].score == 1.0);
    const ga::StandardAddress& got = matched(g, m);
    CHECK(got.code == a.code);
    CHECK(got.building_code == a.code.substr(0, 17));
    CHECK(got.grid_code.size() == 15);
    CHECK(got.microgrid_code.rfind(got.grid_code, 0) == 0);
    CHECK(got.has_point);
}

TEST_CASE("geocode: a missing unit matches when one unit fits and is ambiguous when several do, with the candidates") {
    const ga::Geocoder& g = *synth().geocoder;
    // Rooms by (building, room) and how many units hold each.
    std::map<std::string, std::vector<const ga::StandardAddress*>> rooms;
    for (const auto& a : g.addresses()) {
        if (!a.parts[static_cast<int>(grid::address::Component::unit)].empty()) {
            rooms[a.building_code + a.parts[static_cast<int>(grid::address::Component::room)]].push_back(&a);
        }
    }
    const ga::StandardAddress* single = nullptr;
    const std::vector<const ga::StandardAddress*>* several = nullptr;
    for (const auto& [key, list] : rooms) {
        if (list.size() == 1 && single == nullptr) {
            single = list[0];
        }
        if (list.size() > 1 && several == nullptr) {
            several = &list;
        }
    }
    REQUIRE(several != nullptr);
    const auto without_unit = [](const ga::StandardAddress& a) {
        return replace_all(a.text, a.parts[static_cast<int>(grid::address::Component::unit)], "");
    };
    const ga::Match amb = g.match(without_unit(*several->front()));
    CHECK(amb.status == ga::MatchStatus::ambiguous);
    REQUIRE(amb.candidates.size() >= 2);
    bool listed = false;
    for (const auto& c : amb.candidates) {
        listed = listed || g.addresses()[c.address].code == several->front()->code;
        CHECK(c.reason.find("unit") != std::string::npos);
    }
    CHECK(listed);
    if (single != nullptr) {
        const ga::Match one = g.match(without_unit(*single));
        CHECK(one.status == ga::MatchStatus::matched);
        CHECK(one.method == "fuzzy");
        CHECK(matched(g, one).code == single->code);
        CHECK(one.candidates[0].reason.find("missing unit") != std::string::npos);
    }
}

TEST_CASE("geocode: a misspelt compound is matched with the reason; a room the workspace lacks is not guessed") {
    const ga::Geocoder& g = *synth().geocoder;
    const ga::StandardAddress* a = nullptr;
    for (const auto& x : g.addresses()) {
        const std::string& comp = x.parts[static_cast<int>(grid::address::Component::compound)];
        if (!x.parts[static_cast<int>(grid::address::Component::room)].empty() && comp.size() >= 9) {
            a = &x;
            break;
        }
    }
    REQUIRE(a != nullptr);
    const std::string& comp = a->parts[static_cast<int>(grid::address::Component::compound)];
    // Swap the compound's first character for another Han character.
    const std::string typo = "翠" + comp.substr(3) == comp ? "碧" + comp.substr(3) : "翠" + comp.substr(3);
    const ga::Match m = g.match(replace_all(a->text, comp, typo));
    REQUIRE(m.status == ga::MatchStatus::matched);
    CHECK(m.method == "fuzzy");
    CHECK(matched(g, m).code == a->code);
    CHECK(m.candidates[0].score < 1.0);
    CHECK(m.candidates[0].reason.find("compound") != std::string::npos);

    // Room 9901 exists nowhere: never matched to another room, but candidates are offered.
    const std::string& room = a->parts[static_cast<int>(grid::address::Component::room)];
    const ga::Match none = g.match(replace_all(a->text, room, "9901室"));
    CHECK(none.status == ga::MatchStatus::unmatched);
    CHECK_FALSE(none.candidates.empty());
    for (const auto& c : none.candidates) {
        CHECK(c.score < 0.8);
    }
    // A different building of the same compound is not this building.
    const ga::Match other = g.match(replace_all(a->text, a->parts[static_cast<int>(grid::address::Component::building)], "97幢"));
    CHECK(other.status != ga::MatchStatus::matched);
}

TEST_CASE("geocode: empty, overlong, invalid UTF-8 and GB18030 text are per-row errors") {
    const ga::Geocoder& g = *synth().geocoder;
    const ga::StandardAddress& a = g.addresses().front();
    CHECK(g.match("").status == ga::MatchStatus::error);
    CHECK(g.match("   ").status == ga::MatchStatus::error);
    std::string long_line;
    while (long_line.size() < 2000 * 3) {
        long_line += a.text;
    }
    const ga::Match too_long = g.match(long_line);
    CHECK(too_long.status == ga::MatchStatus::error);
    CHECK_FALSE(too_long.error.empty());
    CHECK(g.match(std::string("\xFF\xFE\x80", 3)).status == ga::MatchStatus::error);
    std::string gb;
    REQUIRE(grid::io::utf8_to_gb18030(a.text, gb));
    const ga::Match wrong = g.match(gb);
    CHECK(wrong.status == ga::MatchStatus::error);
    CHECK(wrong.error.find("GB18030") != std::string::npos);
    CHECK(wrong.error.find(a.text) == std::string::npos); // the message never repeats the input
}

TEST_CASE("geocode: a CSV file gives one result per row, a GB18030 file is read as such, the output keeps every row") {
    const auto& s = synth();
    auto ws = grid::Workspace::open(s.path, grid::Workspace::Mode::read_only);
    const ga::Geocoder& g = *s.geocoder;
    TempDir dir;
    const std::string text = g.addresses()[5].text;
    std::string gb;
    REQUIRE(grid::io::utf8_to_gb18030("编号,地址\r\n1," + text + "\r\n2,\r\n3,不存在的地址\r\n", gb));
    {
        std::ofstream(dir.file("gb.csv"), std::ios::binary) << gb;
    }
    ga::GeocodeOptions o;
    o.output = dir.file("out.csv");
    const ga::GeocodeResult r = ga::geocode_file(ws, dir.file("gb.csv"), o);
    CHECK(r.encoding == "GB18030");
    CHECK(r.text_column == "地址");
    CHECK(r.rows == 3);
    CHECK(r.matched == 1);
    CHECK(r.errors == 1);
    CHECK(r.unmatched == 1);
    REQUIRE(r.details.size() == 3);
    CHECK(r.details[0].row == 2);
    CHECK(r.details[0].candidates.at(0).code == g.addresses()[5].code);
    std::ifstream in(o.output, std::ios::binary);
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(out.rfind("\xEF\xBB\xBF", 0) == 0);
    CHECK(out.find(g.addresses()[5].code) != std::string::npos);
    std::size_t lines = 0;
    for (char c : out) {
        lines += c == '\n' ? 1 : 0;
    }
    CHECK(lines == 4); // header + one line per input row

    // The output is never replaced without overwrite.
    CHECK_THROWS_AS(ga::geocode_file(ws, dir.file("gb.csv"), o), grid::io_error);
    o.overwrite = true;
    CHECK_NOTHROW(ga::geocode_file(ws, dir.file("gb.csv"), o));
    o.text_column = "nope";
    CHECK_THROWS_AS(ga::geocode_file(ws, dir.file("gb.csv"), o), grid::usage_error);
}

TEST_CASE("import: an address file with only a text column gets its components from the parser") {
    TempDir dir;
    const std::string path = dir.file("ws.sqlite");
    auto ws = grid::Workspace::create(path);
    {
        std::ofstream csv(dir.file("addresses.csv"), std::ios::binary);
        csv << "code,地址,lng,lat\n"
            << "321202007004000010010501,泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3栋2单元501室,119.92,32.46\n"
            << "321202007004000010000000,海陵区迎春东路18号翠竹苑３号楼,119.92,32.46\n";
    }
    grid::io::ImportOptions io;
    io.layer = "address";
    const auto r = grid::io::import_layer(ws, dir.file("addresses.csv"), io);
    REQUIRE(r.written == 2);
    grid::Statement st = ws.prepare(
        "SELECT coalesce(county, ''), coalesce(road, ''), coalesce(number, ''), coalesce(compound, ''), coalesce(building, ''), "
        "coalesce(unit, ''), coalesce(room, ''), coalesce(level, '') FROM address ORDER BY code DESC");
    REQUIRE(st.step());
    CHECK(st.column_text(0) == "海陵区");
    CHECK(st.column_text(1) == "迎春东路");
    CHECK(st.column_text(2) == "18号");
    CHECK(st.column_text(3) == "翠竹苑");
    CHECK(st.column_text(4) == "3幢");
    CHECK(st.column_text(5) == "2单元");
    CHECK(st.column_text(6) == "501室");
    CHECK(st.column_text(7) == "room");
    REQUIRE(st.step());
    CHECK(st.column_text(4) == "3幢");
    CHECK(st.column_text(6).empty());

    // A mapped component turns the parser off: what the file says is kept as it is.
    std::ofstream(dir.file("mapped.csv"), std::ios::binary)
        << "code,地址,building,lng,lat\n321202007004000020000000,翠竹苑4栋,4栋,119.92,32.46\n";
    const auto r2 = grid::io::import_layer(ws, dir.file("mapped.csv"), io);
    REQUIRE(r2.written == 1);
    CHECK(ws.query_int("SELECT count(*) FROM address WHERE building = '4栋' AND compound IS NULL") == 1);
}

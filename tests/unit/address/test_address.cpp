// Unit tests of the address parser: each component, each normalisation rule, the division
// table (a small hand-made table of the Taizhou chain of design/CODES.md), bad input.
#include "libgrid/address.hpp"
#include "libgrid/error.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

using grid::address::AddressParser;
using grid::address::Component;
using grid::address::DivisionTable;
using grid::address::InputError;
using grid::address::ParsedAddress;

namespace {

// The chain 江苏省 > 泰州市 > 海陵区 > 京泰路街道 > 十里铺社区居民委员会 (design/CODES.md) plus a
// few neighbours that make short names ambiguous.
DivisionTable taizhou_table() {
    return DivisionTable(std::vector<grid::Division>{
        {"32", "江苏省", 1, ""},
        {"33", "浙江省", 1, ""},
        {"11", "北京市", 1, ""},
        {"3212", "泰州市", 2, "32"},
        {"3206", "南通市", 2, "32"},
        {"3301", "杭州市", 2, "33"},
        {"1101", "市辖区", 2, "11"},
        {"321202", "海陵区", 3, "3212"},
        {"320612", "通州区", 3, "3206"},
        {"110105", "朝阳区", 3, "1101"},
        {"330106", "西湖区", 3, "3301"},
        {"321202007", "京泰路街道", 4, "321202"},
        {"321202001", "城东街道", 4, "321202"},
        {"320612001", "金沙街道", 4, "320612"},
        {"321202007004", "十里铺社区居民委员会", 5, "321202007"},
        {"321202007201", "新桥村村民委员会", 5, "321202007"},
        {"320612001001", "东市社区居委会", 5, "320612001"},
    });
}

std::string val(const ParsedAddress& a, Component c) { return a.value(c); }

// The text a component was read from.
std::string span_text(const std::string& input, const ParsedAddress& a, Component c) {
    const auto& f = a[c];
    return input.substr(f.span.begin, f.span.end - f.span.begin);
}

} // namespace

TEST_CASE("address: full Taizhou address, every component") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const std::string in = "江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3栋2单元501室";
    const ParsedAddress a = parser.parse(in);
    REQUIRE(a.ok());
    CHECK(val(a, Component::province) == "江苏省");
    CHECK(val(a, Component::city) == "泰州市");
    CHECK(val(a, Component::county) == "海陵区");
    CHECK(val(a, Component::township) == "京泰路街道");
    CHECK(val(a, Component::community) == "十里铺社区");
    CHECK(val(a, Component::road) == "迎春东路");
    CHECK(val(a, Component::number) == "18号");
    CHECK(val(a, Component::compound) == "翠竹苑");
    CHECK(val(a, Component::building) == "3幢");
    CHECK(val(a, Component::unit) == "2单元");
    CHECK(val(a, Component::room) == "501室");
    CHECK(val(a, Component::rest).empty());
    CHECK(a[Component::community].code == "321202007004");
    CHECK(a.division_code == "321202007004");
    // Spans are byte offsets into the input.
    CHECK(span_text(in, a, Component::road) == "迎春东路");
    CHECK(span_text(in, a, Component::building) == "3栋");
    CHECK(span_text(in, a, Component::province) == "江苏省");
    CHECK(grid::address::format_standard(a) ==
          "江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3幢2单元501室");
    CHECK(a.confidence > 0.95);
}

TEST_CASE("address: missing upper levels are filled from the division table") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("京泰路街道十里铺社区迎春东路18号");
    REQUIRE(a.ok());
    CHECK(val(a, Component::county) == "海陵区");
    CHECK(val(a, Component::city) == "泰州市");
    CHECK(val(a, Component::province) == "江苏省");
    CHECK(a[Component::province].inferred);
    CHECK(a[Component::province].span.empty());
    CHECK_FALSE(a[Component::township].inferred);
    CHECK(a[Component::county].code == "321202");

    grid::address::ParserOptions no_fill;
    no_fill.fill_upper_levels = false;
    const AddressParser plain(&table, no_fill);
    CHECK_FALSE(plain.parse("京泰路街道十里铺社区迎春东路18号")[Component::province].present());
}

TEST_CASE("address: a name shared by two divisions is the one under the levels written before it") {
    // Two 城东街道 and two 新桥村: the county (or township) written first decides. The table's
    // codes are compared as padded numbers; codes that are not digits take the string path.
    for (const bool digits : {true, false}) {
        CAPTURE(digits);
        const std::string p = digits ? "" : "X";
        const DivisionTable table(std::vector<grid::Division>{
            {p + "32", "江苏省", 1, ""},
            {p + "3212", "泰州市", 2, p + "32"},
            {p + "3206", "南通市", 2, p + "32"},
            {p + "321202", "海陵区", 3, p + "3212"},
            {p + "320612", "通州区", 3, p + "3206"},
            {p + "321202001", "城东街道", 4, p + "321202"},
            {p + "320612002", "城东街道", 4, p + "320612"},
            {p + "321202001201", "新桥村村民委员会", 5, p + "321202001"},
            {p + "320612002201", "新桥村村民委员会", 5, p + "320612002"},
        });
        const AddressParser parser(&table);
        const ParsedAddress a = parser.parse("南通市通州区城东街道新桥村18号");
        CHECK(a[Component::township].code == p + "320612002");
        CHECK(a[Component::community].code == p + "320612002201");
        const ParsedAddress b = parser.parse("海陵区城东街道新桥村18号");
        CHECK(b[Component::township].code == p + "321202001");
        CHECK(b[Component::community].code == p + "321202001201");
        if (digits) { // (the upper levels are filled by NBS code widths: 2/4/6/9/12 digits)
            CHECK(val(b, Component::city) == "泰州市");
            CHECK(table.find_code("3212")->name == "泰州市");
        } else {
            // Codes that are not digits are not looked up by code, nor mistaken for one another.
            CHECK_FALSE(b[Component::city].present());
            CHECK(table.find_code("X3212") == nullptr);
        }
        // Written from the bottom up, the upper levels narrow to the village's own chain.
        const ParsedAddress c = parser.parse("泰州市城东街道新桥村18号");
        CHECK(c[Component::community].code == p + "321202001201");
    }
}

TEST_CASE("address: short division names and context") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("江苏泰州海陵京泰路街道迎春东路18号");
    REQUIRE(a.ok());
    CHECK(val(a, Component::province) == "江苏省");
    CHECK(val(a, Component::city) == "泰州市");
    CHECK(val(a, Component::county) == "海陵区");
    CHECK(val(a, Component::road) == "迎春东路");
    // 京泰路 alone, followed by a number, is a road, not the township 京泰路街道.
    const ParsedAddress r = parser.parse("泰州市海陵区京泰路88号");
    CHECK(val(r, Component::road) == "京泰路");
    CHECK(val(r, Component::number) == "88号");
    CHECK_FALSE(r[Component::township].present());
}

TEST_CASE("address: a municipality is province and city") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("北京市朝阳区建国路88号");
    REQUIRE(a.ok());
    CHECK(val(a, Component::city) == "北京市");
    CHECK(val(a, Component::province) == "北京市");
    CHECK(val(a, Component::county) == "朝阳区");
    CHECK(grid::address::format_standard(a) == "北京市朝阳区建国路88号");
}

TEST_CASE("address: duplicated levels go to rest") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("浙江省杭州市西湖区杭州市西湖区文三路100号");
    CHECK(val(a, Component::county) == "西湖区");
    CHECK(val(a, Component::road) == "文三路");
    CHECK(val(a, Component::rest) == "杭州市西湖区");
}

TEST_CASE("address: building synonyms normalise to one canonical word") {
    const AddressParser parser;
    for (const char* in : {"翠竹苑3栋", "翠竹苑3幢", "翠竹苑3座", "翠竹苑3号楼", "翠竹苑三幢", "翠竹苑３号楼"}) {
        CAPTURE(in);
        const ParsedAddress a = parser.parse(in);
        CHECK(val(a, Component::compound) == "翠竹苑");
        CHECK(val(a, Component::building) == "3幢");
    }
    grid::address::ParserOptions opt;
    opt.building_suffix = "栋";
    CHECK(val(AddressParser(nullptr, opt).parse("翠竹苑3号楼"), Component::building) == "3栋");
    CHECK(val(parser.parse("金色西溪商务中心A座13层"), Component::building) == "A幢");
}

TEST_CASE("address: unit, floor and room words") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("翠竹苑3栋三单元十二层1203户");
    CHECK(val(a, Component::unit) == "3单元");
    CHECK(val(a, Component::floor) == "12层");
    CHECK(val(a, Component::room) == "1203室");
    CHECK(val(parser.parse("翠竹苑3栋2单元501房"), Component::room) == "501室");
    CHECK(val(parser.parse("星星大厦15楼"), Component::floor) == "15层");
    CHECK(val(parser.parse("星星大厦15F"), Component::floor) == "15层");
    CHECK(val(parser.parse("星星大厦负一层"), Component::floor) == "-1层");
    // The floor is implied by the room: left out of the standard text and the key.
    const ParsedAddress f = parser.parse("翠竹苑3栋2单元5层501室");
    CHECK(val(f, Component::floor) == "5层");
    CHECK(grid::address::format_standard(f) == "翠竹苑3幢2单元501室");
}

TEST_CASE("address: dash forms building-unit-room") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("缤纷北苑47-6-746");
    CHECK(val(a, Component::compound) == "缤纷北苑");
    CHECK(val(a, Component::building) == "47幢");
    CHECK(val(a, Component::unit) == "6单元");
    CHECK(val(a, Component::room) == "746室");
    const ParsedAddress b = parser.parse("江滨西路东明锦园7-2225");
    CHECK(val(b, Component::road) == "江滨西路");
    CHECK(val(b, Component::compound) == "东明锦园");
    CHECK(val(b, Component::building) == "7幢");
    CHECK(val(b, Component::room) == "2225室");
}

TEST_CASE("address: door number after a road, building after a compound") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("文三路478号华星时代广场A座1201室");
    CHECK(val(a, Component::road) == "文三路");
    CHECK(val(a, Component::number) == "478号");
    CHECK(val(a, Component::compound) == "华星时代广场");
    CHECK(val(a, Component::building) == "A幢");
    CHECK(val(a, Component::room) == "1201室");
    const ParsedAddress b = parser.parse("浦阳路146浙江农林大学");
    CHECK(val(b, Component::number) == "146号");
    CHECK(val(b, Component::compound) == "浙江农林大学");
}

TEST_CASE("address: full-width characters become half-width") {
    const AddressParser parser;
    const std::string in = "翠竹苑１号楼２单元３０１室";
    const ParsedAddress a = parser.parse(in);
    CHECK(val(a, Component::building) == "1幢");
    CHECK(val(a, Component::unit) == "2单元");
    CHECK(val(a, Component::room) == "301室");
    // The span still points at the full-width bytes of the input.
    CHECK(span_text(in, a, Component::building) == "１号楼");
    CHECK(val(parser.parse("翠竹苑Ａ座"), Component::building) == "A幢");
}

TEST_CASE("address: Chinese numerals inside names are kept") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("一品小区三幢");
    CHECK(val(a, Component::compound) == "一品小区");
    CHECK(val(a, Component::building) == "3幢");
    CHECK(val(parser.parse("广州市三元里大道1号"), Component::road) == "三元里大道");
    CHECK(val(parser.parse("文一西路100号"), Component::road) == "文一西路");
    CHECK(val(parser.parse("银海三区68幢"), Component::compound) == "银海三区");
}

TEST_CASE("address: community suffixes 社区居民委员会 / 居委会 / 村民委员会") {
    const AddressParser parser; // no table: suffix rules only
    CHECK(val(parser.parse("京泰路街道十里铺社区居民委员会"), Component::community) == "十里铺社区");
    CHECK(val(parser.parse("京泰路街道十里铺社区居委会"), Component::community) == "十里铺社区");
    CHECK(val(parser.parse("某某镇新桥村村民委员会"), Component::community) == "新桥村");
    CHECK(val(parser.parse("某某镇新桥村委会"), Component::community) == "新桥村");
    const DivisionTable table = taizhou_table();
    const AddressParser with_table(&table);
    const ParsedAddress a = with_table.parse("海陵区京泰路街道十里铺社区居民委员会");
    CHECK(val(a, Component::community) == "十里铺社区");
    CHECK(a[Component::community].code == "321202007004");
    CHECK(table.normalised_name(*table.find_code("320612001001")) == "东市社区");
}

TEST_CASE("address: traditional characters are simplified") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("江蘇省泰州市海陵區翠竹苑3號樓2單元501室");
    CHECK(val(a, Component::province) == "江苏省");
    CHECK(val(a, Component::county) == "海陵区");
    CHECK(val(a, Component::building) == "3幢");
    CHECK(val(a, Component::unit) == "2单元");
    grid::address::ParserOptions keep;
    keep.traditional_to_simplified = false;
    CHECK(val(AddressParser(nullptr, keep).parse("海陵區翠竹苑"), Component::county) != "海陵区");
}

TEST_CASE("address: suffix rules work without a table") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("浙江省杭州市余杭区闲林街道五常大道翡翠城");
    CHECK(val(a, Component::province) == "浙江省");
    CHECK(val(a, Component::city) == "杭州市");
    CHECK(val(a, Component::county) == "余杭区");
    CHECK(val(a, Component::township) == "闲林街道");
    CHECK(val(a, Component::road) == "五常大道");
    CHECK(val(a, Component::compound) == "翡翠城");
    CHECK(a.division_code.empty());
}

TEST_CASE("address: the key is the same for different spellings of one door") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const std::string k1 = parser.parse("江苏省泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑1幢2单元301室").key();
    const std::string k2 = parser.parse("泰州市海陵区京泰路街道十里铺社区居民委员会迎春东路18号翠竹苑一栋二单元三零一室").key();
    const std::string k3 = parser.parse("京泰路街道十里铺社区迎春东路１８号翠竹苑１号楼２单元３０１室").key();
    CHECK(k1 == k2);
    CHECK(k1 == k3);
    CHECK(k1 != parser.parse("京泰路街道十里铺社区迎春东路18号翠竹苑2幢2单元301室").key());
}

TEST_CASE("address: bad input gives an error, never a crash") {
    const AddressParser parser;
    CHECK(parser.parse("").error_kind == InputError::empty);
    CHECK(parser.parse("   ").error_kind == InputError::empty);
    const ParsedAddress bad = parser.parse(std::string("\xff\xfe\x41", 3));
    CHECK(bad.error_kind == InputError::invalid_utf8);
    CHECK_FALSE(bad.ok());
    // 泰州市 in GB18030 bytes.
    const ParsedAddress gb = parser.parse(std::string("\xcc\xa9\xd6\xdd\xca\xd0", 6));
    CHECK(gb.error_kind == InputError::looks_gb18030);
    CHECK(gb.error.find("GB18030") != std::string::npos);
    std::string long_text;
    for (int i = 0; i < 2000; ++i) {
        long_text += "路";
    }
    const ParsedAddress too_long = parser.parse(long_text);
    CHECK(too_long.error_kind == InputError::too_long);
    CHECK(parser.parse(long_text.substr(0, 512 * 3)).ok());
    // Emoji and other scripts are kept in rest.
    const std::string mixed = "翠竹苑3栋😀Straße2单元";
    const ParsedAddress m = parser.parse(mixed);
    REQUIRE(m.ok());
    CHECK(val(m, Component::building) == "3幢");
    CHECK(val(m, Component::rest).find("😀") != std::string::npos);
    // An overlong encoding and an encoded surrogate are invalid UTF-8.
    CHECK(parser.parse(std::string("a\xc0\xaf\xff", 4)).error_kind == InputError::invalid_utf8);
    CHECK(parser.parse(std::string("\xed\xa0\x80", 3)).error_kind == InputError::invalid_utf8);
}

TEST_CASE("address: encodings") {
    CHECK(grid::address::to_utf8(std::string("\xcc\xa9\xd6\xdd\xca\xd0", 6), "GB18030") == "泰州市");
    CHECK(grid::address::to_utf8("abc", "UTF-8") == "abc");
    CHECK_THROWS_AS(grid::address::to_utf8("abc", "KOI8-R"), grid::usage_error);
    CHECK(grid::address::to_valid_utf8(std::string("a\xff" "b", 3)) == "a\xEF\xBF\xBD" "b");
    CHECK(grid::address::is_valid_utf8("泰州"));
    CHECK_FALSE(grid::address::is_valid_utf8(std::string("\xcc\xa9\xd6", 3)));
}

TEST_CASE("address: component names") {
    CHECK(grid::address::component_name(Component::number) == "number");
    CHECK(grid::address::component_from_name("compound") == Component::compound);
    CHECK_FALSE(grid::address::component_from_name("street").has_value());
}

TEST_CASE("address: the gazetteer knows roads and compounds without suffixes") {
    grid::address::Gazetteer gaz;
    gaz.compounds.push_back("翡翠城");
    gaz.roads.push_back("杨公堤");
    const AddressParser parser(nullptr, {}, &gaz);
    const ParsedAddress a = parser.parse("西湖区杨公堤43号");
    CHECK(val(a, Component::road) == "杨公堤");
    CHECK(val(a, Component::number) == "43号");
}

TEST_CASE("address: parse is safe from many threads") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const std::string in = "泰州市海陵区京泰路街道十里铺社区迎春东路18号翠竹苑3栋2单元501室";
    const std::string want = parser.parse(in).key();
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                ok[static_cast<std::size_t>(t)] += parser.parse(in).key() == want ? 1 : 0;
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    for (int n : ok) {
        CHECK(n == 200);
    }
}

TEST_CASE("address: a road written right after another is one road") {
    const AddressParser parser;
    const std::string in = "拱墅区莫干山路萍水街天阳尚景国际4栋6单元1594室";
    const ParsedAddress a = parser.parse(in);
    CHECK(val(a, Component::road) == "莫干山路萍水街");
    CHECK(span_text(in, a, Component::road) == "莫干山路萍水街");
    CHECK(val(a, Component::compound) == "天阳尚景国际");
    // A numbered lane of the road: 银兴路五巷4号 is door 4 of the lane.
    const ParsedAddress b = parser.parse("白云区银兴路五巷4号");
    CHECK(val(b, Component::road) == "银兴路五巷");
    CHECK(val(b, Component::number) == "4号");
    CHECK_FALSE(b[Component::building].present());
    // A second road after a door number is not glued on.
    const ParsedAddress c = parser.parse("迎春东路18号青年路");
    CHECK(val(c, Component::road) == "迎春东路");
}

TEST_CASE("address: road N弄 N号 (Shanghai style): the lane is part of the road, N号 the door number") {
    const AddressParser parser;
    const std::string in = "松江区雪家桥路1弄125号831室";
    const ParsedAddress a = parser.parse(in);
    CHECK(val(a, Component::road) == "雪家桥路1弄");
    CHECK(span_text(in, a, Component::road) == "雪家桥路1弄");
    CHECK(val(a, Component::number) == "125号");
    CHECK(val(a, Component::room) == "831室");
    CHECK_FALSE(a[Component::building].present());
    // A lane with no door number after it stays the door number of the road.
    const ParsedAddress b = parser.parse("宁波市江北区文汇路553弄");
    CHECK(val(b, Component::road) == "文汇路");
    CHECK(val(b, Component::number) == "553弄");
}

TEST_CASE("address: N号 after a named place that is not an estate is its door number") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("海陵区京泰路街道新桥村李家角192号");
    CHECK(val(a, Component::community) == "新桥村");
    CHECK(val(a, Component::compound) == "李家角");
    CHECK(val(a, Component::number) == "192号");
    CHECK_FALSE(a[Component::building].present());
    // An estate's N号 is a building, and so is one followed by a unit or a room.
    const ParsedAddress b = parser.parse("海陵区翠竹苑3号");
    CHECK(val(b, Component::building) == "3幢");
    CHECK_FALSE(b[Component::number].present());
    const ParsedAddress c = parser.parse("海陵区李家角3号2单元");
    CHECK(val(c, Component::building) == "3幢");
    CHECK(val(c, Component::unit) == "2单元");
}

TEST_CASE("address: a county or township name right before a road of its own") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    // 京泰路 is a township alias only in context: at the start it is the road.
    const ParsedAddress a = parser.parse("京泰路18号");
    CHECK(val(a, Component::road) == "京泰路");
    // The county name repeated in a road after the county is the road (海陵南路), not a repeat.
    const std::string in = "泰州市海陵区海陵南路18号";
    const ParsedAddress b = parser.parse(in);
    CHECK(val(b, Component::county) == "海陵区");
    CHECK(val(b, Component::road) == "海陵南路");
    CHECK(val(b, Component::number) == "18号");
    CHECK_FALSE(b[Component::rest].present());
    // A township name before a road of three or more characters is the township (金沙 is 金沙街道).
    const ParsedAddress c = parser.parse("南通市通州区金沙人民东路8号");
    CHECK(val(c, Component::township) == "金沙街道");
    CHECK(val(c, Component::road) == "人民东路");
    // ... also with nothing before it; the upper levels are filled in from the table.
    const ParsedAddress e = parser.parse("金沙人民东路8号");
    CHECK(val(e, Component::township) == "金沙街道");
    CHECK(val(e, Component::county) == "通州区");
    CHECK(val(e, Component::road) == "人民东路");
    // ... but not before a direction: 中山北路 / 金沙南路 are roads.
    const ParsedAddress f = parser.parse("金沙南路8号");
    CHECK(val(f, Component::road) == "金沙南路");
    CHECK_FALSE(f[Component::township].present());
    // A city name before a long road name stays in the road (杭州湾大道).
    const ParsedAddress d = parser.parse("杭州湾大道18号");
    CHECK(val(d, Component::road) == "杭州湾大道");
    CHECK_FALSE(d[Component::city].present());
}

TEST_CASE("address: a division name written twice in a row: the second is the division, the first rest") {
    const DivisionTable table = taizhou_table();
    const AddressParser parser(&table);
    const std::string in = "泰州泰州市海陵区迎春东路18号";
    const ParsedAddress a = parser.parse(in);
    CHECK(val(a, Component::city) == "泰州市");
    CHECK(span_text(in, a, Component::city) == "泰州市");
    CHECK(val(a, Component::rest) == "泰州");
    CHECK(val(a, Component::county) == "海陵区");
    // Not when a different name follows: 泰州海陵区 is city then county.
    const std::string in2 = "泰州海陵区迎春东路18号";
    const ParsedAddress b = parser.parse(in2);
    CHECK(span_text(in2, b, Component::city) == "泰州");
    CHECK_FALSE(b[Component::rest].present());
}

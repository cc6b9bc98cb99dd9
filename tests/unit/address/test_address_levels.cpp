// Unit tests of the address parser's ordering and structure rules (docs/address.md): what a
// number means from what was read before it. Addresses are made up for the tests.
#include "libgrid/address.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using grid::address::AddressParser;
using grid::address::Component;
using grid::address::ParsedAddress;

namespace {

// The text a component was read from ("" when absent).
std::string written(const std::string& input, const ParsedAddress& a, Component c) {
    const auto& f = a[c];
    return input.substr(f.span.begin, f.span.end - f.span.begin);
}

} // namespace

TEST_CASE("address levels: after a floor, what follows is the room") {
    const AddressParser parser;
    const std::string a = "金城商贸大厦6楼85";
    const ParsedAddress pa = parser.parse(a);
    CHECK(pa.value(Component::floor) == "6层");
    CHECK(pa.value(Component::room) == "85室");
    CHECK_FALSE(pa[Component::building].present());
    // A stall range after the floor is one room, dashes and all.
    const std::string b = "义新小商品市场二楼3120-3122";
    const ParsedAddress pb = parser.parse(b);
    CHECK(written(b, pb, Component::room) == "3120-3122");
    CHECK(pb.value(Component::room) == "3120-3122室");
    CHECK_FALSE(pb[Component::building].present());
    // ... and so is a N号 after it.
    const std::string c = "星河商务楼12F-3-5号";
    const ParsedAddress pc = parser.parse(c);
    CHECK(pc.value(Component::floor) == "12层");
    CHECK(written(c, pc, Component::room) == "3-5号");
    CHECK_FALSE(pc[Component::building].present());
    CHECK_FALSE(pc[Component::unit].present());
    // Before a floor the dash form still reads building-unit-room.
    const ParsedAddress pd = parser.parse("丹桂苑12-3-601");
    CHECK(pd.value(Component::building) == "12幢");
    CHECK(pd.value(Component::room) == "601室");
}

TEST_CASE("address levels: N号 closing the address after a village is its door number") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("城关镇新华村桥头新村58号");
    CHECK(a.value(Component::compound) == "桥头新村");
    CHECK(a.value(Component::number) == "58号");
    CHECK_FALSE(a[Component::building].present());
    const ParsedAddress b = parser.parse("长乐镇云峰村下洋村26号");
    CHECK(b.value(Component::community) == "云峰村");
    CHECK(b.value(Component::number) == "26号");
    // With a unit after it, the N号 of a 新村 is a building.
    const ParsedAddress c = parser.parse("城关镇新华村桥头新村58号2单元");
    CHECK(c.value(Component::building) == "58幢");
    CHECK(c.value(Component::unit) == "2单元");
}

TEST_CASE("address levels: a village name without its suffix between the township and its road") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("城关镇杨家塘人民西路5号");
    CHECK(a.value(Component::township) == "城关镇");
    CHECK(a.value(Component::community) == "杨家塘");
    CHECK(a.value(Component::road) == "人民西路");
    CHECK(a.value(Component::number) == "5号");
    const ParsedAddress b = parser.parse("白沙镇岙口兴业大道18号");
    CHECK(b.value(Component::community) == "岙口");
    CHECK(b.value(Component::road) == "兴业大道");
    // A road whose own name is short is one road, also with an ordinal (一号路, 纬三路).
    for (const char* in : {"城关镇解放西路5号", "城关镇范家一号路5号", "城关镇东新纬三路5号"}) {
        const ParsedAddress c = parser.parse(in);
        CHECK_FALSE(c[Component::community].present());
        CHECK(c[Component::road].present());
    }
    // A zone's road is not split (科技园区中路), nor a road not right after the township.
    CHECK_FALSE(parser.parse("城关镇科技园区中路5号")[Component::community].present());
    CHECK(parser.parse("城关镇新华村杨家塘人民西路5号").value(Component::road) == "杨家塘人民西路");
}

TEST_CASE("address levels: a side between the compound and its number is not part of the name") {
    const AddressParser parser;
    const std::string a = "丽景公寓东715";
    const ParsedAddress pa = parser.parse(a);
    CHECK(pa.value(Component::compound) == "丽景公寓");
    CHECK(pa.value(Component::rest) == "东");
    const ParsedAddress pb = parser.parse("松林新村西34幢");
    CHECK(pb.value(Component::compound) == "松林新村");
    CHECK(pb.value(Component::building) == "34幢");
    CHECK(parser.parse("银泰大楼左侧5楼").value(Component::compound) == "银泰大楼");
    // Not when no number follows, nor in a short name.
    CHECK(parser.parse("丽景公寓东").value(Component::compound) == "丽景公寓东");
    CHECK(parser.parse("河东12幢").value(Component::compound) == "河东");
}

TEST_CASE("address levels: a park or new town before a road is a compound, not part of the road") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("滨江新城海宁街18号");
    CHECK(a.value(Component::compound) == "滨江新城");
    CHECK(a.value(Component::road) == "海宁街");
    CHECK(a.value(Component::number) == "18号");
    const ParsedAddress b = parser.parse("石门工业园振华北路70号");
    CHECK(b.value(Component::compound) == "石门工业园");
    CHECK(b.value(Component::road) == "振华北路");
    // 工业园区 is one word (not 工业园 + a road starting with 区).
    const ParsedAddress c = parser.parse("石门工业园区科泰路7号");
    CHECK(c.value(Component::compound) == "石门工业园区");
    CHECK(c.value(Component::road) == "科泰路");
    // A road named after the place stays a road.
    CHECK(parser.parse("新城大道18号").value(Component::road) == "新城大道");
    CHECK(parser.parse("科技园路9号").value(Component::road) == "科技园路");
}

TEST_CASE("address levels: with a table, an unknown X市 is a county-level city") {
    // The table knows every prefecture-level city; 奉化市 (now 奉化区) is not in it.
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3302", "宁波市", 2, "33"},
        {"330213", "奉化区", 3, "3302"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("浙江省奉化市西坞街道肖桥路88号");
    CHECK(a.value(Component::province) == "浙江省");
    CHECK_FALSE(a[Component::city].present());
    CHECK(a.value(Component::county) == "奉化市");
    CHECK(a.value(Component::road) == "肖桥路");
    CHECK(parser.parse("奉化市肖桥路88号").value(Component::county) == "奉化市");
    // Without a table the first X市 is still read as the city.
    CHECK(AddressParser().parse("奉化市肖桥路88号").value(Component::city) == "奉化市");
}

TEST_CASE("address levels: a county or township short name naming a zone or school is part of it") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3307", "金华市", 2, "33"},
        {"330784", "永康市", 3, "3307"},
        {"330784101", "古山镇", 4, "330784"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("永康市古山工业园区兴业路5号");
    CHECK(a.value(Component::county) == "永康市");
    CHECK_FALSE(a[Component::township].present());
    CHECK(a.value(Component::compound) == "古山工业园区");
    CHECK(a.value(Component::road) == "兴业路");
    const ParsedAddress b = parser.parse("永康市古山中心小学");
    CHECK_FALSE(b[Component::township].present());
    CHECK(b.value(Component::compound) == "古山中心小学");
    // The full name stays the township; a road after the short name keeps it one too.
    CHECK(parser.parse("永康市古山镇工业园区").value(Component::township) == "古山镇");
    CHECK(parser.parse("永康市古山兴业路5号").value(Component::township) == "古山镇");
    // Written again after the township it is no repeat before such a zone or school either.
    const ParsedAddress c = parser.parse("永康市古山镇古山工业园区兴业路5号");
    CHECK(c.value(Component::township) == "古山镇");
    CHECK(c.value(Component::compound) == "古山工业园区");
    CHECK(c.value(Component::road) == "兴业路");
    CHECK(c.value(Component::number) == "5号");
    CHECK(parser.parse("永康市古山镇古山派出所").value(Component::compound) == "古山派出所");
    // ... but before anything else it is a repeat, kept in rest.
    const ParsedAddress d = parser.parse("永康市古山镇古山兴业路5号");
    CHECK(d.value(Component::road) == "兴业路");
    CHECK_FALSE(d[Component::compound].present());
}

TEST_CASE("address levels: a range of door numbers after a road is one door number") {
    const AddressParser parser;
    const std::string a = "解放东路233-239号";
    const ParsedAddress pa = parser.parse(a);
    CHECK(pa.value(Component::road) == "解放东路");
    CHECK(written(a, pa, Component::number) == "233-239号");
    CHECK(pa.value(Component::number) == "233-239号");
    CHECK_FALSE(pa[Component::building].present());
    CHECK(parser.parse("解放东路17-19").value(Component::number) == "17-19号");
    // A second number that is not a range is the building (84-66号, 182-11, 1250-16号).
    for (const char* in : {"解放东路84-66号", "解放东路182-11", "解放东路1250-16号"}) {
        const ParsedAddress c = parser.parse(in);
        CHECK(c[Component::number].present());
        CHECK(c[Component::building].present());
    }
}

TEST_CASE("address levels: two numbers after a compound") {
    const AddressParser parser;
    // A one-digit second number is the unit: building 63, unit 5.
    const ParsedAddress a = parser.parse("紫荆花园63-5");
    CHECK(a.value(Component::building) == "63幢");
    CHECK(a.value(Component::unit) == "5单元");
    CHECK_FALSE(a[Component::room].present());
    // Neighbouring rooms written together are one room (a shop of two units).
    const std::string b = "新华商厦1106-1107";
    const ParsedAddress pb = parser.parse(b);
    CHECK(written(b, pb, Component::room) == "1106-1107");
    CHECK_FALSE(pb[Component::building].present());
    // Otherwise building and room.
    const ParsedAddress c = parser.parse("紫荆花园105-518");
    CHECK(c.value(Component::building) == "105幢");
    CHECK(c.value(Component::room) == "518室");
}

TEST_CASE("address levels: in a market hall the numbered aisle (N街) is the unit") {
    const AddressParser parser;
    const std::string a = "小商品城五区二楼12街30518";
    const ParsedAddress pa = parser.parse(a);
    CHECK(pa.value(Component::floor) == "2层");
    CHECK(written(a, pa, Component::unit) == "12街");
    CHECK(pa.value(Component::unit) == "12街");
    CHECK(pa.value(Component::room) == "30518室");
    CHECK(written("服装市场8街207", parser.parse("服装市场8街207"), Component::unit) == "8街");
    // Outside a market N街 is not a unit (a numbered street after a housing estate).
    CHECK(parser.parse("英华小区5街12号").value(Component::unit) != "5街");
}

TEST_CASE("address levels: a named place after a road without a door number gets the N号") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("海王路石岸头130号");
    CHECK(a.value(Component::road) == "海王路");
    CHECK(a.value(Component::compound) == "石岸头");
    CHECK(a.value(Component::number) == "130号");
    CHECK_FALSE(a[Component::building].present());
    // With the road's door number written, the place's N号 is a building; an estate's too.
    CHECK(parser.parse("海王路88号石岸头3号").value(Component::building) == "3幢");
    CHECK(parser.parse("海王路翠竹苑3号").value(Component::building) == "3幢");
}

TEST_CASE("address levels: township short names under a county the table knows or once knew") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3301", "杭州市", 2, "33"},
        {"3304", "嘉兴市", 2, "33"},
        {"330102", "上城区", 3, "3301"},
        {"330483", "桐乡市", 3, "3304"},
        {"330102018", "九堡街道", 4, "330102"},
        {"330483101", "濮院镇", 4, "330483"},
    });
    const AddressParser parser(&table);
    // A short name followed by 中... (only 中心 is a compound word).
    const ParsedAddress a = parser.parse("桐乡市濮院中国毛衫城2163号");
    CHECK(a.value(Component::township) == "濮院镇");
    CHECK(a.value(Component::compound) == "中国毛衫城");
    // 江干区 is no longer in the table: the city is the context for 九堡.
    const std::string in = "杭州市江干区九堡商贸中心3-2277";
    const ParsedAddress b = parser.parse(in);
    CHECK(written(in, b, Component::county) == "江干区");
    CHECK(b.value(Component::county) == "上城区"); // the county 九堡街道 is in now
    CHECK(b.value(Component::township) == "九堡街道");
    CHECK(b.value(Component::compound) == "商贸中心");
    // Without any context the short name is still not taken.
    CHECK_FALSE(parser.parse("九堡商贸中心3-2277")[Component::township].present());
}

TEST_CASE("address levels: a city short name before a road with a name of its own") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3301", "杭州市", 2, "33"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("杭州文三路598号");
    CHECK(a.value(Component::city) == "杭州市");
    CHECK(a.value(Component::road) == "文三路");
    CHECK(a.value(Component::number) == "598号");
    // A road named after the city stays a road: 杭州湾大道, 杭州东路.
    CHECK_FALSE(parser.parse("杭州湾大道18号")[Component::city].present());
    CHECK(parser.parse("杭州东路18号").value(Component::road) == "杭州东路");
}

TEST_CASE("address levels: a name after the floor or the room is not the compound") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("人民路162号3楼云裳服饰");
    CHECK(a.value(Component::floor) == "3层");
    CHECK_FALSE(a[Component::compound].present());
    CHECK(a.value(Component::rest) == "云裳服饰");
    CHECK(parser.parse("人民路162号1203室财务部").value(Component::rest) == "财务部");
    // Before the floor it is the compound.
    CHECK(parser.parse("人民路162号云裳大厦3楼").value(Component::compound) == "云裳大厦");
}

TEST_CASE("address levels: 内 / 旁 between two names ends the compound") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("新城路15号和顺家纺内锦绣服饰");
    CHECK(a.value(Component::compound) == "和顺家纺");
    CHECK(a.value(Component::rest) == "内锦绣服饰");
    CHECK(parser.parse("人民医院旁华庭小区").value(Component::compound) == "人民医院");
    // Not at the end (a trailing note) and not in 旁边 (a longer note word).
    CHECK(parser.parse("人民医院旁").value(Component::compound) == "人民医院");
    CHECK(parser.parse("人民医院旁边").value(Component::compound) == "人民医院");
}

TEST_CASE("address levels: road shapes: a number inside the name, numbered avenues, villagers' groups") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("城东街道建设4路215号");
    CHECK(a.value(Component::road) == "建设4路");
    CHECK(a.value(Component::number) == "215号");
    CHECK(parser.parse("城东街道经20路437号").value(Component::road) == "经20路");
    // Only a short name: a market hall's aisle is no road.
    CHECK_FALSE(parser.parse("商贸城四区六楼7街41050")[Component::road].present());
    const ParsedAddress b = parser.parse("龙湾区滨海四道664号");
    CHECK(b.value(Component::road) == "滨海四道");
    CHECK(b.value(Component::number) == "664号");
    // A villagers' group with a name, under the village just read.
    const ParsedAddress c = parser.parse("龙沙镇老林村田陀组72号");
    CHECK(c.value(Component::community) == "老林村");
    CHECK(c.value(Component::road) == "田陀组");
    CHECK(c.value(Component::number) == "72号");
    const ParsedAddress d = parser.parse("遮放镇嘎中村民委员会南蚌村民小组");
    CHECK(d.value(Component::community) == "嘎中村");
    CHECK(d.value(Component::road) == "南蚌村民小组");
    // 组团 is a cluster of an estate, not a group.
    CHECK(parser.parse("茶山街道山根村雀力组团216号").value(Component::compound) == "雀力组团");
}

TEST_CASE("address levels: a division's short name repeated as the name of a road") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3310", "台州市", 2, "33"},
        {"331023", "天台县", 3, "3310"},
        {"331023001", "赤城街道", 4, "331023"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("天台县赤城街道赤城路839号");
    CHECK(a.value(Component::township) == "赤城街道");
    CHECK(a.value(Component::road) == "赤城路");
    CHECK(a.value(Component::number) == "839号");
    CHECK_FALSE(a[Component::compound].present());
    CHECK_FALSE(a[Component::rest].present());
}

TEST_CASE("address levels: one character is no compound name") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("阿祥路2302号东10幢11楼");
    CHECK_FALSE(a[Component::compound].present());
    CHECK(a.value(Component::rest) == "东");
    CHECK(a.value(Component::building) == "10幢");
    CHECK_FALSE(parser.parse("新港村8组后184号")[Component::compound].present());
    // Two characters are a name.
    CHECK(parser.parse("阿祥路2302号东苑10幢").value(Component::compound) == "东苑");
}

TEST_CASE("address levels: a place name before 新村 / 小区 / 家园 / 公寓 is the estate's name") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3301", "杭州市", 2, "33"},
        {"330106", "西湖区", 3, "3301"},
        {"330106109", "转塘街道", 4, "330106"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("西湖区转塘家园46-3-975");
    CHECK_FALSE(a[Component::township].present());
    CHECK(a.value(Component::compound) == "转塘家园");
    // After the full township name its short name is no repeat there either.
    const ParsedAddress b = parser.parse("西湖区转塘街道转塘公寓5幢");
    CHECK(b.value(Component::township) == "转塘街道");
    CHECK(b.value(Component::compound) == "转塘公寓");
    // A road or a village name before the word: 大学路新村, 柯村新苑.
    const AddressParser plain;
    CHECK(plain.parse("大学路新村42栋").value(Component::compound) == "大学路新村");
    CHECK_FALSE(plain.parse("大学路新村42栋")[Component::road].present());
    CHECK(plain.parse("稠江街道柯村新苑10栋").value(Component::compound) == "柯村新苑");
    // 花园路 is a road.
    CHECK(plain.parse("前仓村花园路157号").value(Component::road) == "花园路");
}

TEST_CASE("address levels: a township short name before a numbered road") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3301", "杭州市", 2, "33"},
        {"330114", "钱塘区", 3, "3301"},
        {"330114001", "下沙街道", 4, "330114"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("杭州市下沙3号大街88号");
    CHECK(a.value(Component::township) == "下沙街道");
    CHECK(a.value(Component::road) == "3号大街");
    CHECK(a.value(Component::number) == "88号");
    // A bare number after the short name is no road: not the township.
    CHECK_FALSE(parser.parse("杭州市下沙3幢")[Component::township].present());
}

TEST_CASE("address levels: Latin letters inside a compound name") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("新业路18号UDC时代大厦A座11楼");
    CHECK(a.value(Component::compound) == "UDC时代大厦");
    CHECK(a.value(Component::building) == "A幢");
    CHECK(parser.parse("望京soho塔9b座").value(Component::compound) == "望京soho塔");
    // A letter before an id word is the id (翠苑A区 is the compound's zone A).
    CHECK(parser.parse("翠苑A区3幢").value(Component::compound) == "翠苑A区");
}

TEST_CASE("address levels: N号 in a market is the stall, a four-digit one in a tower the room") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("城西街道综合市场55号");
    CHECK(a.value(Component::room) == "55室");
    CHECK_FALSE(a[Component::building].present());
    CHECK(parser.parse("江干区汽配城1550号").value(Component::room) == "1550室");
    CHECK(parser.parse("柯桥金昌商务大厦1788号").value(Component::room) == "1788室");
    CHECK(parser.parse("黄龙鞋料市场C区279号").value(Component::room) == "279室");
    // An estate's N号 is the building, and a tower's short one too.
    CHECK(parser.parse("阳光新城12号").value(Component::building) == "12幢");
    CHECK(parser.parse("金昌商务大厦3号").value(Component::building) == "3幢");
}

TEST_CASE("address levels: a county road X线 before its door number") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("尚田镇甬临线81号");
    CHECK(a.value(Component::road) == "甬临线");
    CHECK(a.value(Component::number) == "81号");
    CHECK(parser.parse("乔司镇乔下线1221号").value(Component::road) == "乔下线");
    // A line in a name is no road (物流专线 before more name).
    CHECK_FALSE(parser.parse("城南物流专线仓库")[Component::road].present());
}

TEST_CASE("address levels: a town named X街镇 is a township, not a road") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("鄞州区横街镇上阵村");
    CHECK(a.value(Component::township) == "横街镇");
    CHECK(a.value(Component::community) == "上阵村");
    CHECK_FALSE(a[Component::road].present());
    CHECK(parser.parse("萧山区新街镇花木城160幢").value(Component::township) == "新街镇");
    // A street before another word stays a road.
    CHECK(parser.parse("鄞州区横街88号").value(Component::road) == "横街");
}

TEST_CASE("address levels: X新村 numbered by doors right after the township is the village") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("濮院镇红晓新村116号");
    CHECK(a.value(Component::community) == "红晓新村");
    CHECK(a.value(Component::number) == "116号");
    CHECK_FALSE(a[Component::compound].present());
    // With buildings it is an estate.
    const ParsedAddress b = parser.parse("濮院镇红晓新村12幢3单元");
    CHECK(b.value(Component::compound) == "红晓新村");
    CHECK_FALSE(b[Component::community].present());
    CHECK(parser.parse("濮院镇红晓新村116号2单元").value(Component::compound) == "红晓新村");
}

TEST_CASE("address levels: a road starting with a side after a place word, and a front desk") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("掌起镇工业区北一环路164号");
    CHECK(a.value(Component::compound) == "工业区");
    CHECK(a.value(Component::road) == "北一环路");
    CHECK(a.value(Component::number) == "164号");
    // The parts of an estate stay in its name.
    CHECK(parser.parse("华通花园东区3幢").value(Component::compound) == "华通花园东区");
    // 前台 / 总台 after a name are where to leave the parcel, not the name.
    const ParsedAddress b = parser.parse("老浙大横路102号瑞丰酒店前台");
    CHECK(b.value(Component::compound) == "瑞丰酒店");
    CHECK(b.value(Component::rest) == "前台");
}

TEST_CASE("address levels: a village's numbered zone is numbered by doors") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("城西街道上杨村5区77号");
    CHECK(a.value(Component::community) == "上杨村");
    CHECK(a.value(Component::compound) == "5区");
    CHECK(a.value(Component::number) == "77号");
    CHECK_FALSE(a[Component::building].present());
    // An estate's zone has buildings.
    CHECK(parser.parse("华通花园一区13号").value(Component::building) == "13幢");
}

TEST_CASE("address levels: 一 between two digits is a dash") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("丹桂苑194一6一875");
    CHECK(a.value(Component::building) == "194幢");
    CHECK(a.value(Component::unit) == "6单元");
    CHECK(a.value(Component::room) == "875室");
    // Elsewhere 一 is a numeral: 一单元, 三一零室.
    CHECK(parser.parse("丹桂苑5幢一单元").value(Component::unit) == "1单元");
}

TEST_CASE("address levels: a development zone the table lists as a township is not read as one") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3301", "杭州市", 2, "33"},
        {"330185", "临安区", 3, "3301"},
        {"330185400", "经济开发区", 4, "330185"},
        {"330185001", "锦城街道", 4, "330185"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("临安区经济开发区南环路154号");
    CHECK(a.value(Component::county) == "临安区");
    CHECK_FALSE(a[Component::township].present());
    CHECK(a.value(Component::road) == "南环路");
    CHECK(parser.parse("临安区锦城街道南环路154号").value(Component::township) == "锦城街道");
}

TEST_CASE("address levels: a crossing word or a distance after the road is not the compound") {
    const AddressParser parser;
    const std::string a = "文峰路口明珠大厦5楼";
    const ParsedAddress pa = parser.parse(a);
    CHECK(pa.value(Component::road) == "文峰路");
    CHECK(written(a, pa, Component::compound) == "明珠大厦");
    CHECK(pa.value(Component::floor) == "5层");
    CHECK(pa.value(Component::rest) == "口");
    // The crossing road and its words, then a distance along it.
    const std::string b = "学林街与云涛路交界口往西200米绿苑公寓3幢";
    const ParsedAddress pb = parser.parse(b);
    CHECK(pb.value(Component::road) == "学林街");
    CHECK(written(b, pb, Component::compound) == "绿苑公寓");
    CHECK(pb.value(Component::building) == "3幢");
    CHECK(pb.value(Component::rest) == "与云涛路交界口往西200米");
    // 口 inside a name after the road stays in the name.
    CHECK(parser.parse("文峰路港口花园2幢").value(Component::compound) == "港口花园");
}

TEST_CASE("address levels: an empty field written as null is skipped") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("浙江省湖州市null吴兴区织里镇利济路88号");
    CHECK(a.value(Component::county) == "吴兴区");
    CHECK(a.value(Component::township) == "织里镇");
    CHECK(a.value(Component::road) == "利济路");
    CHECK(a.value(Component::number) == "88号");
    CHECK_FALSE(a[Component::compound].present());
    CHECK(a.value(Component::rest) == "null");
    // Inside a Latin word it is the word's (Nullbar咖啡馆).
    CHECK(parser.parse("利济路88号Nullbar咖啡馆").value(Component::compound) == "Nullbar咖啡馆");
}

TEST_CASE("address levels: 委会 / 委 and a second 村 after a village name belong to it") {
    const AddressParser parser;
    const std::string a = "新安镇下坂村委会东侧农机站";
    const ParsedAddress pa = parser.parse(a);
    CHECK(written(a, pa, Component::community) == "下坂村委会");
    CHECK(pa.value(Component::community) == "下坂村");
    CHECK(pa.value(Component::compound) == "农机站");
    // A village whose name ends in 村 (塘村), written with its own 村.
    const std::string b = "新安镇塘村村288号";
    const ParsedAddress pb = parser.parse(b);
    CHECK(written(b, pb, Component::community) == "塘村村");
    CHECK(pb.value(Component::number) == "288号");
    CHECK_FALSE(pb[Component::compound].present());
    // 村口 is a place at the village, not part of its name.
    CHECK(written("新安镇塘村村口", parser.parse("新安镇塘村村口"), Component::community) == "塘村");
}

TEST_CASE("address levels: a distance from a landmark ends the landmark's name") {
    const AddressParser parser;
    const std::string a = "清河镇中心小学向东200米";
    const ParsedAddress pa = parser.parse(a);
    CHECK(written(a, pa, Component::compound) == "中心小学");
    CHECK(pa.value(Component::rest) == "向东200米");
    const std::string b = "长兴路电信大楼南五十米";
    const ParsedAddress pb = parser.parse(b);
    CHECK(pb.value(Component::road) == "长兴路");
    CHECK(pb.value(Component::compound) == "电信大楼");
    CHECK(pb.value(Component::rest) == "南五十米");
}

TEST_CASE("address levels: a short name before a division under it whose name starts with 镇 / 市 / 区") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3302", "宁波市", 2, "33"},
        {"330211", "镇海区", 3, "3302"},
        {"330211005", "骆驼街道", 4, "330211"},
        {"330211005201", "镇东村民委员会", 5, "330211005"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("宁波镇海区骆驼街道静安路77号");
    CHECK(a.value(Component::city) == "宁波市");
    CHECK(a.value(Component::county) == "镇海区");
    CHECK(a.value(Component::township) == "骆驼街道");
    CHECK(a.value(Component::road) == "静安路");
    // A village's short name (镇东) does not count: 宁波镇东 stays unread as a city.
    CHECK_FALSE(parser.parse("宁波镇东")[Component::city].present());
}

TEST_CASE("address levels: 中国 is the country only before a division") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3306", "绍兴市", 2, "33"},
    });
    const AddressParser parser(&table);
    const ParsedAddress a = parser.parse("中国浙江省绍兴市柯华路1号");
    CHECK(a.value(Component::province) == "浙江省");
    CHECK(a.value(Component::rest) == "中国");
    const ParsedAddress b = parser.parse("中国针织城东区二楼318");
    CHECK(b.value(Component::compound) == "中国针织城东区");
    CHECK(b.value(Component::floor) == "2层");
    CHECK_FALSE(b[Component::rest].present());
    // After another address it is the country before the address written again.
    const ParsedAddress c = parser.parse("浙江省台州市中国浙江省绍兴市柯华路1号");
    CHECK(c.value(Component::city) == "绍兴市");
    CHECK(c.value(Component::road) == "柯华路");
    CHECK(c.value(Component::rest) == "浙江省台州市中国");
}

TEST_CASE("address levels: a province's full name after other divisions starts the address over") {
    const grid::address::DivisionTable table(std::vector<grid::Division>{
        {"33", "浙江省", 1, ""},
        {"3307", "金华市", 2, "33"},
        {"330723", "武义县", 3, "3307"},
        {"330723001", "壶山街道", 4, "330723"},
    });
    const AddressParser parser(&table);
    const std::string in = "壶山街道浙江省武义县壶山街道熟溪路8号";
    const ParsedAddress a = parser.parse(in);
    CHECK(a.value(Component::province) == "浙江省");
    CHECK(a.value(Component::county) == "武义县");
    CHECK(written(in, a, Component::township) == "壶山街道");
    CHECK(a[Component::township].span.begin > 0); // the second one
    CHECK(a.value(Component::road) == "熟溪路");
    CHECK(a.value(Component::rest) == "壶山街道");
    // The whole chain written twice: the second one is read.
    const std::string twice = "浙江金华武义县浙江省金华市武义县熟溪路8号";
    const ParsedAddress b = parser.parse(twice);
    CHECK(written(twice, b, Component::province) == "浙江省");
    CHECK(written(twice, b, Component::city) == "金华市");
    CHECK(b[Component::county].span.begin > 12);
    CHECK(b.value(Component::road) == "熟溪路");
    // The province alone written twice is a repeat: one of them is read, the county kept.
    const ParsedAddress c = parser.parse("浙江省浙江省武义县熟溪路8号");
    CHECK(c.value(Component::province) == "浙江省");
    CHECK(c.value(Component::rest) == "浙江省");
    CHECK(c.value(Component::county) == "武义县");
}

TEST_CASE("address levels: a village right before a building is an estate of that name") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("城东街道前进村12幢3单元402室");
    CHECK(a.value(Component::compound) == "前进村");
    CHECK_FALSE(a[Component::community].present());
    CHECK(a.value(Component::building) == "12幢");
    CHECK(a.value(Component::unit) == "3单元");
    // Numbered by doors it stays the village; a 社区 stays one before a building too.
    CHECK(parser.parse("城东街道前进村26号").value(Component::community) == "前进村");
    CHECK(parser.parse("城东街道前进社区12幢").value(Component::community) == "前进社区");
}

TEST_CASE("address levels: N号 between the building and the room is the unit") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("翠湖家园36幢118号1502室");
    CHECK(a.value(Component::building) == "36幢");
    CHECK(a.value(Component::unit) == "118单元");
    CHECK(a.value(Component::room) == "1502室");
    // Without a number after it, a three-digit N号 after the building is the room.
    const ParsedAddress b = parser.parse("翠湖家园36幢118号");
    CHECK(b.value(Component::room) == "118室");
    CHECK_FALSE(b[Component::unit].present());
}

TEST_CASE("address levels: a side before a numbered zone is part of the zone's name") {
    const AddressParser parser;
    const std::string a = "南三区二楼2315";
    const ParsedAddress pa = parser.parse(a);
    CHECK(written(a, pa, Component::compound) == "南三区");
    CHECK(pa.value(Component::floor) == "2层");
    CHECK(pa.value(Component::room) == "2315室");
    CHECK_FALSE(pa[Component::rest].present());
}

TEST_CASE("address levels: N组团 is a cluster of the estate, not a villagers' group") {
    const AddressParser parser;
    const ParsedAddress a = parser.parse("瓯海区景山花园3组团12栋502室");
    CHECK(a.value(Component::compound) == "景山花园3组团");
    CHECK_FALSE(a[Component::road].present());
    CHECK(a.value(Component::building) == "12幢");
    CHECK(a.value(Component::room) == "502室");
    // A villagers' group stays one: 新塘村3组.
    CHECK(parser.parse("新塘村3组15号").value(Component::road) == "3组");
}

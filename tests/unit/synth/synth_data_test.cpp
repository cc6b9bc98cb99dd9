// synth: what users of a synthetic district rely on. The same (households, seed) gives the
// same rows whatever the threads; zones tile their parents exactly; households add up and
// every micro-grid holds 50-100; every code, resident ID and USCC is valid and unique; each
// building lies in the micro-grid it names; addresses are the canonical text of their parts.
#include "common.hpp"

#include "libgrid/address.hpp"
#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"
#include "libgrid/geometry.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

using namespace grid;
using synth_test::district;
using synth_test::options;

namespace {

geom::Geometry to_geos(const synth::MultiPolygon& mp) {
    std::vector<geom::Geometry> parts;
    for (const auto& poly : mp) {
        std::vector<std::vector<geom::Point>> holes(poly.begin() + 1, poly.end());
        parts.push_back(geom::make_polygon(poly.front(), holes));
    }
    return geom::make_collection(GEOS_MULTIPOLYGON, std::move(parts));
}

struct Zone {
    std::string code;
    std::string parent;
    geom::Geometry g;
};

// Children tile the parent: areas add up, siblings do not overlap, the union is the parent.
void check_tiling(const Zone& parent, const std::vector<const Zone*>& children) {
    REQUIRE_FALSE(children.empty());
    const double parent_area = geom::area(parent.g.get());
    double sum = 0;
    std::vector<geom::Geometry> parts;
    for (const Zone* c : children) {
        sum += geom::area(c->g.get());
        parts.push_back(geom::clone(c->g.get()));
    }
    CHECK_MESSAGE(std::abs(sum - parent_area) <= 1e-9 * parent_area, parent.code);
    for (std::size_t a = 0; a < children.size(); ++a) {
        const auto ea = geom::envelope(children[a]->g.get());
        for (std::size_t b = a + 1; b < children.size(); ++b) {
            if (!ea.intersects(geom::envelope(children[b]->g.get()))) {
                continue;
            }
            const auto overlap = geom::intersection(children[a]->g.get(), children[b]->g.get());
            CHECK_MESSAGE(geom::area(overlap.get()) == 0.0, children[a]->code << " / " << children[b]->code);
        }
    }
    const auto u = geom::coverage_union(std::move(parts));
    const auto diff = geom::difference(parent.g.get(), u.get());
    const auto extra = geom::difference(u.get(), parent.g.get());
    CHECK_MESSAGE(geom::area(diff.get()) <= 1e-12 * parent_area, "gap in " << parent.code);
    CHECK_MESSAGE(geom::area(extra.get()) <= 1e-12 * parent_area, "outside " << parent.code);
}

} // namespace

TEST_CASE("synth: the same households and seed give identical rows, whatever the threads") {
    const auto one = synth::generate(options(3000, 7, 1));
    const auto two = synth::generate(options(3000, 7, 2));
    const std::string text = synth_test::dump(one);
    CHECK(text == synth_test::dump(two));
    CHECK(text == synth_test::dump(district()));
    CHECK(text != synth_test::dump(synth::generate(options(3000, 8, 2))));
}

TEST_CASE("synth: households are exact, micro-grids hold 50-100, grids the sum of their micro-grids") {
    for (const std::int64_t n : {50LL, 120LL, 451LL, 3000LL, 12345LL}) {
        CAPTURE(n);
        const auto b = synth::generate(options(n, 3));
        std::map<std::string, std::int64_t> per_micro, per_grid, from_houses;
        std::int64_t total = 0;
        for (const auto& bl : b.buildings) {
            per_micro[bl.microgrid_code] += bl.households;
            per_grid[bl.grid_code] += bl.households;
            total += bl.households;
        }
        CHECK(total == n);
        std::int64_t occupied_homes = 0;
        for (const auto& h : b.houses) {
            if (h.occupied == 1 && h.use == "住宅") {
                ++occupied_homes;
                from_houses[h.microgrid_code] += 1;
            }
        }
        CHECK(occupied_homes == n);
        CHECK(from_houses == per_micro);
        for (const auto& m : b.microgrids) {
            CHECK(per_micro[m.code] >= 50);
            CHECK(per_micro[m.code] <= 100);
            CHECK(per_micro[m.code] == m.households);
        }
        std::map<std::string, std::int64_t> micro_sum;
        for (const auto& m : b.microgrids) {
            micro_sum[m.grid_code] += m.households;
        }
        for (const auto& g : b.grids) {
            CHECK(per_grid[g.code] == micro_sum[g.code]);
            CHECK(g.households == per_grid[g.code]);
            if (n >= 250) {
                CHECK(g.households >= 200);
                CHECK(g.households <= 500);
            }
        }
    }
}

TEST_CASE("synth: a large district has a few thousand households per community and ~330 per grid") {
    const auto b = synth::generate(options(60000, 1));
    const double grids = static_cast<double>(b.grids.size());
    const double micro = static_cast<double>(b.microgrids.size());
    CHECK(60000 / grids > 250);
    CHECK(60000 / grids < 450);
    CHECK(60000 / micro > 60);
    CHECK(60000 / micro < 95);
    std::int64_t in_band = 0;
    for (const auto& g : b.grids) {
        in_band += g.households >= 250 && g.households <= 450 ? 1 : 0;
    }
    CHECK(in_band == static_cast<std::int64_t>(b.grids.size())); // the strict band fits at this size
    std::size_t townships = 0;
    for (const auto& d : b.divisions) {
        townships += d.level == 4 ? 1 : 0;
    }
    CHECK(townships >= 1);
}

TEST_CASE("synth: communities tile townships, grids tile communities, micro-grids tile grids, exactly") {
    const auto& b = district();
    std::vector<Zone> zones;
    for (const auto& d : b.divisions) {
        if (!d.geom.empty()) {
            zones.push_back({d.code, d.parent_code, to_geos(d.geom)});
        }
    }
    for (const auto& g : b.grids) {
        zones.push_back({g.code, g.community_code, to_geos(g.geom)});
    }
    for (const auto& m : b.microgrids) {
        zones.push_back({m.code, m.grid_code, to_geos(m.geom)});
    }
    std::map<std::string, std::vector<const Zone*>> children;
    for (const auto& z : zones) {
        const auto v = geom::validity(z.g.get());
        CHECK_MESSAGE(v.valid, z.code << ": " << v.reason);
        children[z.parent].push_back(&z);
    }
    int parents = 0;
    for (const auto& z : zones) {
        if (children.count(z.code) != 0) {
            check_tiling(z, children[z.code]);
            ++parents;
        }
    }
    // county -> townships, township -> communities, communities -> grids, grids -> micro-grids
    CHECK(parents == static_cast<int>(zones.size() - b.microgrids.size()));
}

TEST_CASE("synth: every building lies inside the micro-grid it names, addresses inside their building's") {
    const auto& b = district();
    std::map<std::string, geom::Geometry> micro;
    std::map<std::string, std::string> micro_grid;
    for (const auto& m : b.microgrids) {
        micro.emplace(m.code, to_geos(m.geom));
        micro_grid[m.code] = m.grid_code;
    }
    std::map<std::string, const synth::BuildingRow*> buildings;
    for (const auto& bl : b.buildings) {
        buildings[bl.code] = &bl;
        const auto g = to_geos(bl.geom);
        CHECK(geom::validity(g.get()).valid);
        REQUIRE(micro.count(bl.microgrid_code) == 1);
        CHECK_MESSAGE(geom::within(g.get(), micro.at(bl.microgrid_code).get()), bl.code);
        CHECK(micro_grid[bl.microgrid_code] == bl.grid_code);
        const auto loc = geom::make_point(bl.location.x, bl.location.y);
        CHECK(geom::within(loc.get(), g.get()));
        // Footprints of a few hundred to a few thousand m² (1e-9 deg² is about 10 m² here).
        CHECK(geom::area(g.get()) > 1e-8);
        CHECK(geom::area(g.get()) < 5e-7);
    }
    for (const auto& a : b.addresses) {
        REQUIRE(buildings.count(a.building_code) == 1);
        const auto* bl = buildings.at(a.building_code);
        CHECK(a.grid_code == bl->grid_code);
        CHECK(a.microgrid_code == bl->microgrid_code);
        const auto pt = geom::make_point(a.geom.x, a.geom.y);
        CHECK(geom::within(pt.get(), to_geos(bl->geom).get()));
    }
}

TEST_CASE("synth: codes are valid and follow their parents; sequences run west to east, north to south") {
    const auto& b = district();
    std::set<std::string> townships, communities;
    for (const auto& d : b.divisions) {
        const auto kind = d.level == 4 ? codes::CodeKind::township : d.level == 5 ? codes::CodeKind::community
                                                                                  : codes::CodeKind::unknown;
        if (kind != codes::CodeKind::unknown) {
            CHECK_MESSAGE(codes::check(d.code, kind).valid, d.code);
            CHECK(d.code.rfind(d.parent_code, 0) == 0);
            (d.level == 4 ? townships : communities).insert(d.code);
        }
    }
    CHECK(townships.count("321202007") == 1); // 京泰路街道
    std::map<std::string, std::vector<const synth::GridRow*>> grids_of;
    for (const auto& g : b.grids) {
        CHECK_MESSAGE(codes::check(g.code, codes::CodeKind::grid).valid, g.code);
        CHECK(communities.count(g.community_code) == 1);
        CHECK(g.code.substr(0, 12) == g.community_code);
        CHECK(g.name == "第" + std::to_string(std::stoi(g.code.substr(12))) + "网格");
        CHECK(std::regex_match(g.leader_phone, std::regex("1[3-9][0-9]{9}")));
        grids_of[g.community_code].push_back(&g);
    }
    std::map<std::string, std::vector<const synth::MicroGridRow*>> micro_of;
    for (const auto& m : b.microgrids) {
        CHECK_MESSAGE(codes::check(m.code, codes::CodeKind::microgrid).valid, m.code);
        CHECK(m.code.substr(0, 15) == m.grid_code);
        micro_of[m.grid_code].push_back(&m);
    }
    // Sequences 1..n without holes, and consecutive zones never step north, nor west in a row.
    auto check_order = [](const auto& list) {
        for (std::size_t k = 0; k < list.size(); ++k) {
            CHECK(std::stoi(list[k]->code.substr(list[k]->code.size() - 3)) == static_cast<int>(k) + 1);
            if (k == 0) {
                continue;
            }
            const auto a = geom::envelope(to_geos(list[k - 1]->geom).get());
            const auto e = geom::envelope(to_geos(list[k]->geom).get());
            const double overlap_y = std::min(a.maxy, e.maxy) - std::max(a.miny, e.miny);
            const bool same_row = overlap_y > 0.5 * std::min(a.height(), e.height());
            CHECK_FALSE(e.miny >= a.maxy); // not north of the previous one
            const bool west_in_row = same_row && e.maxx <= a.minx;
            CHECK_FALSE(west_in_row); // not west of it in the same row
        }
    };
    for (auto& [community, list] : grids_of) {
        check_order(list);
    }
    for (auto& [grid_code, list] : micro_of) {
        check_order(list);
    }
    std::set<std::string> building_codes, address_codes, house_codes;
    for (const auto& bl : b.buildings) {
        CHECK_MESSAGE(codes::check(bl.code, codes::CodeKind::building).valid, bl.code);
        CHECK(bl.code.substr(0, 12) == bl.community_code);
        CHECK(building_codes.insert(bl.code).second);
    }
    for (const auto& a : b.addresses) {
        CHECK_MESSAGE(codes::check(a.code, codes::CodeKind::address).valid, a.code);
        CHECK(a.code.substr(0, 17) == a.building_code);
        CHECK(address_codes.insert(a.code).second);
        CHECK((a.level == "building") == (a.code.substr(17) == "0000000"));
    }
    for (const auto& h : b.houses) {
        CHECK(address_codes.count(h.address_code) == 1);
        CHECK(house_codes.insert(h.code).second);
    }
    for (const auto& p : b.persons) {
        CHECK(house_codes.count(p.house_code) == 1);
    }
}

TEST_CASE("synth: resident IDs and social credit codes have valid check characters and are unique") {
    const auto b = synth::generate(options(20000, 11));
    std::set<std::string> ids;
    for (const auto& p : b.persons) {
        CHECK_MESSAGE(codes::valid_resident_id(p.id_number), codes::mask_resident_id(p.id_number));
        CHECK(p.id_number.substr(0, 4) == "3212");
        CHECK(ids.insert(p.id_number).second);
        CHECK((p.phone.empty() || std::regex_match(p.phone, std::regex("1[3-9][0-9]{9}"))));
        CHECK((p.kind == "户籍" || p.kind == "流动"));
    }
    CHECK(ids.size() > 40000); // about 2.4 residents per household
    std::set<std::string> usccs, names;
    std::map<std::string, const synth::HouseRow*> houses;
    for (const auto& h : b.houses) {
        houses[h.code] = &h;
    }
    for (const auto& o : b.orgs) {
        CHECK_MESSAGE(codes::valid_uscc(o.uscc), o.uscc);
        CHECK(codes::check(o.uscc, codes::CodeKind::uscc).valid);
        // The organisation code inside (characters 9-17) carries its own GB 11714 check.
        CHECK(codes::org_code_check_char(o.uscc.substr(8, 8)) == o.uscc[16]);
        CHECK(o.uscc.substr(2, 6) == "321202");
        CHECK(usccs.insert(o.uscc).second);
        CHECK(names.insert(o.name).second);
        REQUIRE(houses.count(o.address_code) == 1);
        CHECK(houses.at(o.address_code)->use == "商业");
    }
    CHECK_FALSE(b.orgs.empty());
}

TEST_CASE("synth: houses are mostly owner-occupied, some rented with tenants, shops on ground floors") {
    const auto b = synth::generate(options(20000, 5));
    std::int64_t homes = 0, rented = 0, vacant = 0, shops = 0;
    std::set<std::string> rented_codes;
    for (const auto& h : b.houses) {
        if (h.use == "住宅") {
            ++homes;
            if (h.rental == 1) {
                CHECK(h.status == "出租");
                CHECK(h.occupied == 1);
                rented_codes.insert(h.code);
                ++rented;
            } else if (h.occupied == 0) {
                CHECK(h.status == "空置");
                ++vacant;
            } else {
                CHECK(h.status == "自住");
            }
        } else {
            CHECK(h.use == "商业");
            ++shops;
        }
    }
    const double occupied = static_cast<double>(homes - vacant);
    CHECK(rented / occupied > 0.10);
    CHECK(rented / occupied < 0.20);
    CHECK(static_cast<double>(vacant) / static_cast<double>(homes) < 0.10);
    CHECK(shops > 0);
    for (const auto& p : b.persons) {
        CHECK((p.tenant == 1) == (rented_codes.count(p.house_code) == 1));
    }
}

TEST_CASE("synth: standard addresses are the canonical text of their components, all different") {
    const auto& b = district();
    std::set<std::string> texts;
    for (const auto& a : b.addresses) {
        address::ParsedAddress parts;
        using address::Component;
        parts[Component::province].value = a.province;
        parts[Component::city].value = a.city;
        parts[Component::county].value = a.county;
        parts[Component::township].value = a.township;
        parts[Component::community].value = a.community;
        parts[Component::road].value = a.road;
        parts[Component::number].value = a.number;
        parts[Component::compound].value = a.compound;
        parts[Component::building].value = a.building;
        parts[Component::unit].value = a.unit;
        parts[Component::floor].value = a.floor;
        parts[Component::room].value = a.room;
        CHECK(address::format_standard(parts) == a.text);
        CHECK(texts.insert(a.text).second);
        CHECK(a.text.rfind("江苏省泰州市海陵区", 0) == 0);
    }
    CHECK(b.addresses.front().text.find("京泰路街道十里铺社区") != std::string::npos);
}

TEST_CASE("synth: households outside 50-5000000 are a usage error") {
    CHECK_THROWS_AS(synth::generate(options(49, 1)), usage_error);
    CHECK_THROWS_AS(synth::generate(options(5000001, 1)), usage_error);
    CHECK_THROWS_AS(synth::generate(options(0, 1)), usage_error);
}

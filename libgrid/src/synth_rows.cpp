// Buildings and everything in them, one community at a time: footprints laid out in rows
// inside each micro-grid, floors chosen so the occupied dwellings match the micro-grid's
// households exactly, standard addresses (building and room level), houses, residents and
// the organisations in ground-floor shops.
#include "detail/synth_internal.hpp"

#include "libgrid/address.hpp"
#include "libgrid/codes.hpp"
#include "libgrid/crs.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace grid::synth::detail {

namespace {

constexpr int k_metric_epsg = 4528;
constexpr std::uint64_t tag_rows = 101;
constexpr int k_reference_year = 2024; // ages are counted to mid-2024 so that output never changes with the clock

// Collects metric points, transforms them in one call, and hands back output coordinates.
class Points {
public:
    std::size_t add(double x, double y) {
        m_x.push_back(x);
        m_y.push_back(y);
        return m_x.size() - 1;
    }
    void transform(int srid) {
        // One PROJ transformation per thread (building one costs milliseconds).
        thread_local std::unique_ptr<crs::Transformer> t;
        thread_local int t_srid = 0;
        if (!t || t_srid != srid) {
            t = std::make_unique<crs::Transformer>(crs::CrsSpec{crs::CrsSpec::Kind::epsg, k_metric_epsg},
                                                   crs::CrsSpec{crs::CrsSpec::Kind::epsg, srid});
            t_srid = srid;
        }
        t->transform(m_x, m_y);
        for (std::size_t i = 0; i < m_x.size(); ++i) {
            m_x[i] = round9(m_x[i]);
            m_y[i] = round9(m_y[i]);
        }
    }
    geom::Point at(std::size_t i) const { return {m_x[i], m_y[i]}; }

private:
    std::vector<double> m_x, m_y;
};

struct Draft {
    int cell = 0;
    int compound = 0;
    int units = 1;
    int per_floor = 2;   ///< dwellings per floor and unit
    int floors = 1;
    bool shops = false;  ///< ground floor is shops (rooms 101.. with unit 000)
    bool towers = false;
    std::vector<std::size_t> ring;      ///< footprint vertices (indices into Points), open
    std::vector<std::size_t> entrances; ///< one per unit
    std::vector<std::size_t> shop_points;
    std::size_t first_dwelling = 0;     ///< index of its first dwelling in the community's occupancy list
    int dwellings() const { return (floors - (shops ? 1 : 0)) * units * per_floor; }
    int shop_count() const { return shops ? units * 2 : 0; }
};

// Lays out the buildings of one cell (micro-grid) and chooses floors so that its dwellings
// number at least the households plus a few vacant ones.
void layout_cell(const Plan& p, int i, int j, const CompoundPlan& cp, int households, Rng& rng, Points& pts,
                 std::vector<Draft>& out, std::vector<char>& occupied) {
    const auto area = p.building_area(i, j);
    const double ax0 = area[0], ay0 = area[1], ax1 = area[2], ay1 = area[3];
    const double height = ay1 - ay0;
    struct Slot {
        double x0, x1, yb, yt;
        int units, per_floor;
        int row;
        bool last_in_row = false;
        int wing = 0; // 0 none, -1 west end, +1 east end (L-shaped slab)
        double wing_width = 0, wing_depth = 0;
    };
    std::vector<Slot> slots;
    int rows = 0;
    if (cp.towers) {
        // 高层 towers: one stair with four flats per floor, or two stairs with two.
        const double tw = rng.uniform(20, 26);
        const double td = std::min(height, rng.uniform(15, 19));
        const double gx = 14, gy = 24;
        rows = std::max(1, static_cast<int>((height + gy) / (td + gy)));
        for (int r = 0; r < rows; ++r) {
            const double yt = ay1 - r * (td + gy);
            for (double x = ax0; x + tw <= ax1 + 1e-9; x += tw + gx) {
                const bool two = rng.chance(0.5);
                slots.push_back({x, x + tw, yt - td, yt, two ? 2 : 1, two ? 2 : 4, r});
            }
        }
    } else {
        // 多层 slabs facing south: units of 11-14 m, two flats per floor and unit.
        const double uw = rng.uniform(11, 14);
        double depth = rng.uniform(10, 12.5);
        double wing = 6.0;
        const double gap = 16;
        if (height < depth + wing) {
            wing = 0;
            depth = std::min(depth, height);
        }
        const double band = depth + wing;
        rows = std::max(1, static_cast<int>((height + gap) / (band + gap)));
        for (int r = 0; r < rows; ++r) {
            const double yt = ay1 - r * (band + gap);
            double x = ax0;
            while (ax1 - x >= uw - 1e-9) {
                int u = rng.range(2, 4);
                while (u > 1 && x + u * uw > ax1 + 1e-9) {
                    --u;
                }
                Slot s{x, x + u * uw, yt - depth, yt, u, 2, r};
                if (u >= 2 && wing > 0 && rng.chance(0.15)) {
                    s.wing = rng.chance(0.5) ? -1 : 1;
                    s.wing_width = uw;
                    s.wing_depth = wing;
                }
                slots.push_back(s);
                x += u * uw + 10;
            }
        }
    }
    if (slots.empty()) {
        // A very narrow cell: one small building filling what there is.
        slots.push_back({ax0, ax1, ay1 - std::min(height, 12.0), ay1, 1, 2, 0});
        rows = 1;
    }
    for (std::size_t k = 0; k < slots.size(); ++k) {
        slots[k].last_in_row = k + 1 == slots.size() || slots[k + 1].row != slots[k].row;
    }

    // Keep as few buildings as reach the target at typical heights (6 floors, towers 14);
    // the others stay open ground. Then add floors round-robin until the dwellings suffice.
    const int vacant_target = static_cast<int>(std::lround(households * rng.uniform(0.02, 0.08)));
    const int target = households + vacant_target;
    std::vector<std::size_t> order(slots.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        order[k] = k;
    }
    rng.shuffle(order);
    const int typical = cp.towers ? 14 : 6;
    std::size_t keep = 0;
    long capacity = 0;
    while (keep < order.size() && capacity < target) {
        const Slot& s = slots[order[keep]];
        capacity += static_cast<long>(typical) * s.units * s.per_floor;
        ++keep;
    }
    order.resize(keep);
    std::sort(order.begin(), order.end());

    const bool road_north = p.y_road[static_cast<std::size_t>(j)] >= 0;
    const bool road_south = p.y_road[static_cast<std::size_t>(j) + 1] >= 0;
    const bool road_west = p.x_road[static_cast<std::size_t>(i)] >= 0;
    const bool road_east = p.x_road[static_cast<std::size_t>(i) + 1] >= 0;
    const std::size_t first = out.size();
    for (std::size_t k : order) {
        const Slot& s = slots[k];
        Draft d;
        d.cell = p.cell(i, j);
        d.compound = static_cast<int>(&cp - p.compounds.data());
        d.units = s.units;
        d.per_floor = s.per_floor;
        d.towers = cp.towers;
        d.floors = 0;
        // Shops on the ground floor of buildings along a road (底商).
        const bool on_road = (s.row == 0 && road_north) || (s.row == rows - 1 && road_south) ||
                             (s.x0 <= ax0 + 1e-9 && road_west) || (s.last_in_row && road_east);
        d.shops = on_road && rng.chance(cp.towers ? 0.3 : 0.4);
        if (s.wing == 0) {
            d.ring = {pts.add(s.x0, s.yb), pts.add(s.x1, s.yb), pts.add(s.x1, s.yt), pts.add(s.x0, s.yt)};
        } else if (s.wing < 0) {
            const double yw = s.yb - s.wing_depth;
            d.ring = {pts.add(s.x0, yw), pts.add(s.x0 + s.wing_width, yw), pts.add(s.x0 + s.wing_width, s.yb),
                      pts.add(s.x1, s.yb), pts.add(s.x1, s.yt), pts.add(s.x0, s.yt)};
        } else {
            const double yw = s.yb - s.wing_depth;
            d.ring = {pts.add(s.x0, s.yb), pts.add(s.x1 - s.wing_width, s.yb), pts.add(s.x1 - s.wing_width, yw),
                      pts.add(s.x1, yw), pts.add(s.x1, s.yt), pts.add(s.x0, s.yt)};
        }
        const double uw = (s.x1 - s.x0) / s.units;
        for (int u = 0; u < s.units; ++u) {
            d.entrances.push_back(pts.add(s.x0 + (u + 0.5) * uw, s.yb + 1.0));
        }
        const int n_shops = d.shops ? s.units * 2 : 0;
        for (int q = 0; q < n_shops; ++q) {
            d.shop_points.push_back(pts.add(s.x0 + (q + 0.5) * (s.x1 - s.x0) / n_shops, s.yb + 2.5));
        }
        out.push_back(std::move(d));
    }
    // Floors: residential floors one by one, round-robin in a random order.
    std::vector<std::size_t> turn;
    for (std::size_t k = first; k < out.size(); ++k) {
        turn.push_back(k);
    }
    rng.shuffle(turn);
    long dwellings = 0;
    while (dwellings < target) {
        for (std::size_t k : turn) {
            if (dwellings >= target) {
                break;
            }
            out[k].floors += 1;
            dwellings += static_cast<long>(out[k].units) * out[k].per_floor;
        }
    }
    for (std::size_t k = first; k < out.size(); ++k) {
        if (out[k].floors == 0) {
            // Never reached (dwellings >= target before its turn): a one-storey building with flats.
            out[k].floors = 1;
            dwellings += static_cast<long>(out[k].units) * out[k].per_floor;
        }
        if (out[k].shops) {
            out[k].floors += 1;
        }
    }
    // Exactly `households` of the dwellings are occupied (selection sampling, Knuth's algorithm S).
    long need = households;
    long left = dwellings;
    for (std::size_t k = first; k < out.size(); ++k) {
        out[k].first_dwelling = occupied.size();
        for (int n = 0; n < out[k].dwellings(); ++n) {
            const bool take = static_cast<long>(rng.below(static_cast<std::uint64_t>(left))) < need;
            occupied.push_back(take ? 1 : 0);
            need -= take ? 1 : 0;
            --left;
        }
    }
}

std::string pad(int v, int width) {
    std::string s = std::to_string(v);
    return std::string(s.size() < static_cast<std::size_t>(width) ? static_cast<std::size_t>(width) - s.size() : 0, '0') + s;
}

int days_in_month(int y, int m) {
    static constexpr int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : k[m - 1];
}

// A resident ID for someone of `age` (GB 11643): area, birth date, sequence (odd for men), check.
std::string resident_id(Rng& rng, const char* area, int age, bool male) {
    const int year = k_reference_year - age;
    const int month = rng.range(1, year == k_reference_year ? 6 : 12);
    const int day = rng.range(1, days_in_month(year, month));
    const int seq = static_cast<int>(rng.below(500)) * 2 + (male ? 1 : 0);
    std::string id = std::string(area) + pad(year, 4) + pad(month, 2) + pad(day, 2) + pad(seq, 3);
    id += codes::resident_id_check_char(id);
    return id;
}

const char* home_area(Rng& rng, bool registered) {
    // 户籍 residents are mostly of 海陵区; 流动 ones come from the other counties of Taizhou.
    static const char* const others[] = {"321203", "321204", "321281", "321282", "321283"};
    if (registered && rng.chance(0.8)) {
        return "321202";
    }
    return others[rng.below(std::size(others))];
}

// The people of one occupied dwelling: a head, a spouse, children or a parent.
void household(Rng& rng, const std::string& house_code, bool rental, std::vector<PersonRow>& out) {
    static const std::vector<double> sizes{0, 0.2, 0.35, 0.3, 0.15};
    const int n = static_cast<int>(rng.weighted(sizes));
    const bool registered = rental ? rng.chance(0.25) : rng.chance(0.92);
    const int head_age = rental ? rng.range(20, 55) : rng.range(25, 85);
    const bool head_male = rng.chance(0.55);
    for (int k = 0; k < n; ++k) {
        bool male = head_male;
        int age = head_age;
        if (k == 1) {
            male = !head_male;
            age = std::clamp(head_age + rng.range(-4, 4), 20, 95);
        } else if (k >= 2) {
            male = rng.chance(0.5);
            if (head_age >= 40 && (k == 2 || rng.chance(0.5))) {
                age = std::max(0, head_age - rng.range(24, 36)); // a child
            } else if (head_age <= 60) {
                age = std::min(95, head_age + rng.range(24, 30)); // a parent
            } else {
                age = std::max(0, head_age - rng.range(24, 36));
            }
        }
        PersonRow p;
        p.id_number = resident_id(rng, home_area(rng, registered), age, male);
        p.name = person_name(rng, male);
        if (age >= 14) {
            p.phone = phone_number(rng);
        }
        p.house_code = house_code;
        p.kind = registered ? "户籍" : "流动";
        p.tenant = rental ? 1 : 0;
        out.push_back(std::move(p));
    }
}

double area2(Rng& rng, double lo, double hi) { return std::round(rng.uniform(lo, hi) * 100.0) / 100.0; }

} // namespace

Batch community_rows(const Plan& p, int c) {
    const CommunityPlan& cp = p.communities[static_cast<std::size_t>(c)];
    const TownshipPlan& tp = p.townships[static_cast<std::size_t>(cp.township)];
    Rng rng(derive(p.options.seed, tag_rows, static_cast<std::uint64_t>(c)));
    Points pts;
    std::vector<Draft> drafts;
    std::vector<char> occupied;
    for (int k : cp.compounds) {
        const CompoundPlan& comp = p.compounds[static_cast<std::size_t>(k)];
        for (int j = comp.cells.j0; j < comp.cells.j1; ++j) {
            for (int i = comp.cells.i0; i < comp.cells.i1; ++i) {
                layout_cell(p, i, j, comp, p.cells[static_cast<std::size_t>(p.cell(i, j))].households, rng, pts, drafts,
                            occupied);
            }
        }
    }
    pts.transform(p.options.srid);

    Batch b;
    address::ParsedAddress parts;
    using address::Component;
    parts[Component::province].value = "江苏省";
    parts[Component::city].value = "泰州市";
    parts[Component::county].value = "海陵区";
    parts[Component::township].value = tp.name;
    parts[Component::community].value = cp.name;
    int building_seq = 0;
    int previous_compound = -1;
    int in_compound = 0;
    for (std::size_t k = 0; k < drafts.size(); ++k) {
        const Draft& d = drafts[k];
        const CompoundPlan& comp = p.compounds[static_cast<std::size_t>(d.compound)];
        const CellPlan& cell = p.cells[static_cast<std::size_t>(d.cell)];
        const std::string& grid_code = p.grid_rows[static_cast<std::size_t>(cell.grid)].code;
        const std::string& micro_code = p.microgrid_rows[static_cast<std::size_t>(cell.microgrid)].code;
        in_compound = d.compound == previous_compound ? in_compound + 1 : 1;
        previous_compound = d.compound;

        BuildingRow br;
        br.code = codes::make_building_code(cp.code, ++building_seq);
        br.name = std::to_string(in_compound) + "幢";
        br.compound = comp.name;
        br.community_code = cp.code;
        br.floors = d.floors;
        br.units = d.units;
        br.use = d.shops ? "商住" : "住宅";
        br.grid_code = grid_code;
        br.microgrid_code = micro_code;
        Ring ring;
        for (std::size_t v : d.ring) {
            ring.push_back(pts.at(v));
        }
        ring.push_back(ring.front());
        br.location = geom::point_on_surface(geom::make_polygon(ring).get());
        br.geom = {{std::move(ring)}};

        // Standard addresses: the building (unit 000, room 0000), then rooms.
        parts[Component::road].value = p.segments[static_cast<std::size_t>(comp.segment)].name;
        parts[Component::number].value = comp.number;
        parts[Component::compound].value = comp.name;
        parts[Component::building].value = br.name;
        const std::string prefix = address::format_standard(parts);
        auto make_address = [&](int unit, int floor, int room, geom::Point at) {
            AddressRow a;
            a.code = br.code + pad(unit, 3) + pad(room, 4);
            a.province = "江苏省";
            a.city = "泰州市";
            a.county = "海陵区";
            a.township = tp.name;
            a.community = cp.name;
            a.road = parts[Component::road].value;
            a.number = comp.number;
            a.compound = comp.name;
            a.building = br.name;
            a.text = prefix;
            if (room > 0) {
                if (unit > 0) {
                    a.unit = std::to_string(unit) + "单元";
                }
                a.floor = std::to_string(floor) + "层";
                a.room = std::to_string(room) + "室";
                a.text += a.unit + a.room; // format_standard leaves the floor out when a room is given
                a.level = "room";
            } else {
                a.level = "building";
            }
            a.building_code = br.code;
            a.grid_code = grid_code;
            a.microgrid_code = micro_code;
            a.geom = at;
            return a;
        };
        // Rounded like every other coordinate, so the address files hold exactly this point.
        b.addresses.push_back(make_address(0, 0, 0, {round9(br.location.x), round9(br.location.y)}));
        auto make_house = [&](const AddressRow& a) {
            HouseRow h;
            h.code = a.code;
            h.address_code = a.code;
            h.grid_code = grid_code;
            h.microgrid_code = micro_code;
            return h;
        };
        for (int q = 0; q < d.shop_count(); ++q) {
            b.addresses.push_back(make_address(0, 1, 101 + q, pts.at(d.shop_points[static_cast<std::size_t>(q)])));
            HouseRow h = make_house(b.addresses.back());
            h.use = "商业";
            h.area = area2(rng, 20, 80);
            h.occupied = rng.chance(0.75) ? 1 : 0;
            h.rental = h.occupied;
            h.status = h.occupied ? "出租" : "空置";
            if (h.occupied) {
                OrgRow o;
                o.type = rng.chance(0.55) ? "企业" : "个体工商户"; // name and USCC are given in order later
                o.address_code = h.code;
                o.contact = person_name(rng, rng.chance(0.5));
                o.phone = phone_number(rng);
                b.orgs.push_back(std::move(o));
            }
            b.houses.push_back(std::move(h));
        }
        std::size_t dwelling = d.first_dwelling;
        int households = 0;
        for (int u = 1; u <= d.units; ++u) {
            for (int f = d.shops ? 2 : 1; f <= d.floors; ++f) {
                for (int pos = 1; pos <= d.per_floor; ++pos) {
                    const bool occ = occupied[dwelling++] != 0;
                    b.addresses.push_back(make_address(u, f, f * 100 + pos, pts.at(d.entrances[static_cast<std::size_t>(u - 1)])));
                    HouseRow h = make_house(b.addresses.back());
                    h.use = "住宅";
                    h.area = d.towers ? area2(rng, 75, 145) : area2(rng, 60, 130);
                    h.occupied = occ ? 1 : 0;
                    h.rental = occ && rng.chance(0.15) ? 1 : 0;
                    h.status = !occ ? "空置" : h.rental ? "出租" : "自住";
                    if (occ) {
                        ++households;
                        household(rng, h.code, h.rental != 0, b.persons);
                    }
                    b.houses.push_back(std::move(h));
                }
            }
        }
        br.households = households;
        b.buildings.push_back(std::move(br));
    }
    return b;
}

} // namespace grid::synth::detail

// The geocoder: free text -> a standard address of the workspace. Exact first (the parser's
// normalised key), then fuzzy: candidates found through the fine components (compound or road
// and door number, building, room), each scored component by component with the reason.
#include "libgrid/assign.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include "detail/address_text.hpp"
#include "detail/assign_internal.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace grid::assign {

using address::Component;

namespace {

constexpr std::size_t idx(Component c) { return static_cast<std::size_t>(c); }

/// How much each component weighs in a fuzzy score.
constexpr std::array<double, address_parts> k_weight{
    0.25, // province
    0.25, // city
    0.5,  // county
    0.5,  // township
    0.5,  // community
    1.0,  // road
    1.0,  // number
    1.5,  // compound
    2.0,  // building
    1.5,  // unit
    0.5,  // floor
    2.0,  // room
};

/// Credit when the input leaves out a component the standard address has: people drop the
/// upper levels, the road when they give the compound, the unit, and the floor when they give
/// the room; a building or room left out is a different (coarser) address.
constexpr std::array<double, address_parts> k_missing_credit{
    1.0, 1.0, 0.9, 0.8, 0.8, // province .. community
    0.8, 0.8,                // road, number
    0.5,                     // compound
    0.0,                     // building
    0.6,                     // unit
    1.0,                     // floor
    0.0,                     // room
};

/// Credit when the input has a component the standard address lacks (workspace addresses often
/// carry no upper levels; a unit or room the workspace does not have is not this address).
constexpr std::array<double, address_parts> k_extra_credit{
    0.9, 0.9, 0.8, 0.8, 0.8, // province .. community
    0.7, 0.5,                // road, number
    0.5,                     // compound
    0.0,                     // building
    0.0,                     // unit
    0.6,                     // floor
    0.0,                     // room
};

/// Names compared by spelling; the others are numbers that match or do not.
bool is_name(std::size_t c) {
    return c <= idx(Component::community) || c == idx(Component::road) || c == idx(Component::compound);
}

/// Components whose conflict makes a candidate a different address.
bool is_decisive(std::size_t c) { return c >= idx(Component::county) && c != idx(Component::floor); }

std::u32string to_u32(std::string_view s) {
    std::vector<address::detail::Char> chars;
    address::detail::decode_utf8(s, chars);
    std::u32string out;
    out.reserve(chars.size());
    for (const auto& ch : chars) {
        out.push_back(ch.cp);
    }
    return out;
}

std::size_t edit_distance(const std::u32string& a, const std::u32string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

/// Generic endings of place names, longest first: 翠竹苑小区 and 翠竹苑 name one compound.
const std::vector<std::u32string>& generic_endings() {
    static const std::vector<std::u32string> endings{
        U"社区居民委员会", U"居民委员会", U"村民委员会", U"居委会", U"村委会", U"小区", U"花园", U"家园", U"新村",
        U"公寓", U"社区", U"街道", U"大道", U"苑", U"园", U"村", U"镇", U"乡", U"路", U"街", U"巷"};
    return endings;
}

std::u32string core_of(std::u32string s) {
    for (const auto& e : generic_endings()) {
        if (s.size() > e.size() + 1 && s.compare(s.size() - e.size(), e.size(), e) == 0) {
            s.resize(s.size() - e.size());
            break;
        }
    }
    return s;
}

/// 0..1: how alike two names are (1 - edit distance / length, 0.9 when they differ only in a
/// generic ending such as 小区 / 苑).
double name_similarity(const std::u32string& a, const std::u32string& b) {
    if (a == b) {
        return 1.0;
    }
    if (a.empty() || b.empty()) {
        return 0.0;
    }
    const double plain = 1.0 - static_cast<double>(edit_distance(a, b)) / static_cast<double>(std::max(a.size(), b.size()));
    const std::u32string ca = core_of(a), cb = core_of(b);
    const double core = ca == cb ? 0.9
                                 : 0.9 * (1.0 - static_cast<double>(edit_distance(ca, cb)) /
                                                    static_cast<double>(std::max(ca.size(), cb.size())));
    return std::max(plain, core);
}

constexpr double k_spelling_threshold = 0.6;

std::string join(std::initializer_list<std::string_view> parts) {
    std::string s;
    bool first = true;
    for (auto p : parts) {
        if (!first) {
            s += '|';
        }
        s += p;
        first = false;
    }
    return s;
}

using Parts = std::array<std::string, address_parts>;

Parts parts_of(const address::ParsedAddress& a) {
    Parts p;
    for (std::size_t i = 0; i < address_parts; ++i) {
        p[i] = a.fields[i].value;
    }
    return p;
}

} // namespace

std::string_view status_name(MatchStatus status) noexcept {
    switch (status) {
    case MatchStatus::matched: return "matched";
    case MatchStatus::ambiguous: return "ambiguous";
    case MatchStatus::unmatched: return "unmatched";
    case MatchStatus::error: return "error";
    }
    return "unknown";
}

struct Geocoder::Impl {
    GeocoderOptions options;
    detail::WorkspaceParser owned;           // when built from a workspace
    std::unique_ptr<address::AddressParser> given;
    std::vector<StandardAddress> addresses;
    std::vector<std::string> keys;
    using Index = std::unordered_map<std::string, std::vector<std::uint32_t>>;
    Index exact;        // parser key
    Index by_cbr;       // compound|building|room
    Index by_rnbr;      // road|number|building|room
    Index by_cb;        // compound|building
    Index by_rnb;       // road|number|building
    Index by_c;         // compound
    Index by_rn;        // road|number
    std::vector<std::pair<std::string, std::u32string>> compound_names, road_names;

    address::ParsedAddress parse(std::string_view text) const { return given ? given->parse(text) : owned.parse(text); }
    void index();
    void add_names(const std::unordered_set<std::string>& names, std::vector<std::pair<std::string, std::u32string>>& out) {
        for (const auto& n : names) {
            out.emplace_back(n, to_u32(n));
        }
        std::sort(out.begin(), out.end());
    }
    /// Names spelled like `name` (itself first when known).
    std::vector<std::string> similar(const std::string& name, const std::vector<std::pair<std::string, std::u32string>>& names) const {
        std::vector<std::pair<double, std::string>> found;
        const std::u32string u = to_u32(name);
        for (const auto& [n, nu] : names) {
            const double s = name_similarity(u, nu);
            if (s >= k_spelling_threshold) {
                found.emplace_back(s, n);
            }
        }
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        std::vector<std::string> out;
        for (std::size_t i = 0; i < found.size() && i < 5; ++i) {
            out.push_back(found[i].second);
        }
        return out;
    }
    Candidate score(const Parts& q, std::uint32_t a) const;
    Match match(std::string_view text) const;
};

void Geocoder::Impl::index() {
    // Every standard address is parsed again, so both sides of a match are normalised alike.
    keys.assign(addresses.size(), {});
    detail::for_chunks(addresses.size(), 512, 2, [&]() -> detail::ChunkFn {
        return [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                StandardAddress& a = addresses[i];
                std::string joined;
                for (const auto& p : a.parts) {
                    joined += p;
                }
                const address::ParsedAddress parsed = parse(joined.empty() ? std::string_view(a.text) : joined);
                if (!parsed.ok()) {
                    continue; // never matched exactly; still found through its stored parts
                }
                Parts p = parts_of(parsed);
                // What the workspace spelled out wins where the parser found nothing.
                for (std::size_t c = 0; c < address_parts; ++c) {
                    if (p[c].empty() && !a.parts[c].empty()) {
                        p[c] = a.parts[c];
                    }
                }
                a.parts = std::move(p);
                keys[i] = parsed.key();
            }
        };
    });
    std::unordered_set<std::string> compounds, roads;
    for (std::uint32_t i = 0; i < addresses.size(); ++i) {
        const Parts& p = addresses[i].parts;
        const std::string& road = p[idx(Component::road)];
        const std::string& number = p[idx(Component::number)];
        const std::string& comp = p[idx(Component::compound)];
        const std::string& building = p[idx(Component::building)];
        const std::string& room = p[idx(Component::room)];
        if (!keys[i].empty()) {
            exact[keys[i]].push_back(i);
        }
        if (!comp.empty()) {
            compounds.insert(comp);
            by_c[comp].push_back(i);
            by_cb[join({comp, building})].push_back(i);
            by_cbr[join({comp, building, room})].push_back(i);
        }
        if (!road.empty()) {
            roads.insert(road);
            by_rn[join({road, number})].push_back(i);
            by_rnb[join({road, number, building})].push_back(i);
            by_rnbr[join({road, number, building, room})].push_back(i);
        }
    }
    add_names(compounds, compound_names);
    add_names(roads, road_names);
}

Candidate Geocoder::Impl::score(const Parts& q, std::uint32_t a) const {
    const Parts& s = addresses[a].parts;
    double earned = 0, possible = 0;
    int conflicts = 0;
    std::string missing, extra, reasons;
    auto note = [&](std::string& list, std::size_t c) {
        list += (list.empty() ? "" : ", ") + std::string(address::component_name(static_cast<Component>(c)));
    };
    auto reason = [&](const std::string& r) { reasons += (reasons.empty() ? "" : "; ") + r; };
    const bool room_given = !q[idx(Component::room)].empty() && !s[idx(Component::room)].empty();
    for (std::size_t c = 0; c < address_parts; ++c) {
        const std::string& qa = q[c];
        const std::string& sa = s[c];
        if (qa.empty() && sa.empty()) {
            continue;
        }
        if (c == idx(Component::floor) && room_given) {
            continue; // the room says the floor (501室 is on 5层)
        }
        const double w = k_weight[c];
        possible += w;
        if (qa == sa) {
            earned += w;
        } else if (qa.empty()) {
            earned += w * k_missing_credit[c];
            if (k_missing_credit[c] < 1.0) { // leaving out the province or city is no news
                note(missing, c);
            }
        } else if (sa.empty()) {
            earned += w * k_extra_credit[c];
            note(extra, c);
        } else if (is_name(c)) {
            const double sim = name_similarity(to_u32(qa), to_u32(sa));
            const std::string what(address::component_name(static_cast<Component>(c)));
            if (sim >= k_spelling_threshold) {
                earned += w * sim;
                reason("different spelling of the " + what + " (" + qa + " / " + sa + ")");
            } else {
                reason("different " + what + " (" + qa + " / " + sa + ")");
                conflicts += is_decisive(c) ? 1 : 0;
            }
        } else {
            reason("different " + std::string(address::component_name(static_cast<Component>(c))) + " (" + qa + " / " + sa + ")");
            conflicts += is_decisive(c) ? 1 : 0;
        }
    }
    Candidate cand;
    cand.address = a;
    cand.score = possible > 0 ? earned / possible : 0;
    for (int k = 0; k < conflicts; ++k) {
        cand.score *= 0.5; // a different building, room, road ... is another address
    }
    std::string r;
    if (!missing.empty()) {
        r = "missing " + missing;
    }
    if (!extra.empty()) {
        r += (r.empty() ? "" : "; ") + std::string("not in the standard address: ") + extra;
    }
    if (!reasons.empty()) {
        r += (r.empty() ? "" : "; ") + reasons;
    }
    cand.reason = r;
    return cand;
}

Match Geocoder::Impl::match(std::string_view text) const {
    Match m;
    m.parsed = parse(text);
    if (!m.parsed.ok()) {
        m.status = MatchStatus::error;
        m.error = m.parsed.error.empty() ? "the text cannot be read as an address" : m.parsed.error;
        if (m.parsed.error_kind == address::InputError::looks_gb18030) {
            m.error += ": save the file in one encoding (or give --encoding GB18030 if all of it is)";
        }
        return m;
    }
    const Parts q = parts_of(m.parsed);
    auto rank = [&](std::vector<Candidate>& cands) {
        std::sort(cands.begin(), cands.end(), [&](const Candidate& a, const Candidate& b) {
            if (a.score != b.score) {
                return a.score > b.score;
            }
            return addresses[a.address].code < addresses[b.address].code;
        });
    };

    // Exact: the same normalised components.
    if (auto it = exact.find(m.parsed.key()); it != exact.end()) {
        for (const std::uint32_t a : it->second) {
            Candidate c;
            c.address = a;
            c.score = 1.0;
            if (it->second.size() > 1) {
                c.reason = "the workspace has " + std::to_string(it->second.size()) + " standard addresses with these components";
            }
            m.candidates.push_back(std::move(c));
        }
        rank(m.candidates);
        if (m.candidates.size() > 3) {
            m.candidates.resize(3);
        }
        m.status = m.candidates.size() == 1 ? MatchStatus::matched : MatchStatus::ambiguous;
        m.method = "exact";
        return m;
    }

    // Fuzzy: candidates through the fine components, each spelling of the compound and road
    // close to the input's.
    const std::string& comp = q[idx(Component::compound)];
    const std::string& road = q[idx(Component::road)];
    const std::string& number = q[idx(Component::number)];
    const std::string& building = q[idx(Component::building)];
    const std::string& room = q[idx(Component::room)];
    const std::vector<std::string> comps = comp.empty() ? std::vector<std::string>{} : similar(comp, compound_names);
    const std::vector<std::string> roads = road.empty() ? std::vector<std::string>{} : similar(road, road_names);
    std::vector<std::uint32_t> pool;
    auto take = [&](const Index& index, const std::string& key, std::size_t cap) {
        if (auto it = index.find(key); it != index.end()) {
            for (std::size_t k = 0; k < it->second.size() && k < cap; ++k) {
                pool.push_back(it->second[k]);
            }
        }
    };
    constexpr std::size_t unlimited = static_cast<std::size_t>(-1);
    if (!building.empty()) {
        for (const auto& c : comps) {
            take(by_cbr, join({c, building, room}), unlimited);
        }
        for (const auto& r : roads) {
            take(by_rnbr, join({r, number, building, room}), unlimited);
        }
        if (pool.empty() || room.empty()) {
            for (const auto& c : comps) {
                take(by_cb, join({c, building}), unlimited);
            }
            for (const auto& r : roads) {
                take(by_rnb, join({r, number, building}), unlimited);
            }
        }
    }
    if (pool.empty()) {
        // Coarse: the whole compound or door number (its building-level addresses come first).
        for (const auto& c : comps) {
            take(by_c, c, 4000);
        }
        for (const auto& r : roads) {
            take(by_rn, join({r, number}), 4000);
        }
    }
    std::sort(pool.begin(), pool.end());
    pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
    std::vector<Candidate> cands;
    cands.reserve(pool.size());
    for (const std::uint32_t a : pool) {
        cands.push_back(score(q, a));
    }
    rank(cands);
    if (cands.size() > 3) {
        cands.resize(3);
    }
    m.candidates = std::move(cands);
    m.method = "fuzzy";
    if (m.candidates.empty() || m.candidates[0].score < options.min_score) {
        m.status = MatchStatus::unmatched;
    } else if (m.candidates.size() > 1 && m.candidates[0].score - m.candidates[1].score < options.margin) {
        m.status = MatchStatus::ambiguous;
    } else {
        m.status = MatchStatus::matched;
    }
    return m;
}

// --- Geocoder ----------------------------------------------------------------------------------

Geocoder::Geocoder(const Workspace& ws, GeocoderOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    m_impl->owned = detail::make_workspace_parser(ws, m_impl->options.divisions);
    Statement st = ws.prepare(
        "SELECT code, coalesce(text, ''), coalesce(province, ''), coalesce(city, ''), coalesce(county, ''), "
        "coalesce(township, ''), coalesce(community, ''), coalesce(road, ''), coalesce(number, ''), "
        "coalesce(compound, ''), coalesce(building, ''), coalesce(unit, ''), coalesce(floor, ''), coalesce(room, ''), "
        "coalesce(building_code, ''), coalesce(grid_code, ''), coalesce(microgrid_code, ''), geom "
        "FROM address WHERE code IS NOT NULL ORDER BY code");
    while (st.step()) {
        StandardAddress a;
        a.code = st.column_text(0);
        a.text = st.column_text(1);
        for (std::size_t c = 0; c < address_parts; ++c) {
            a.parts[c] = st.column_text(static_cast<int>(2 + c));
        }
        a.building_code = st.column_text(14);
        a.grid_code = st.column_text(15);
        a.microgrid_code = st.column_text(16);
        std::size_t size = 0;
        const unsigned char* blob = st.column_blob(17, size);
        a.has_point = detail::spatialite_point(blob, size, a.x, a.y);
        m_impl->addresses.push_back(std::move(a));
    }
    m_impl->index();
}

Geocoder::Geocoder(std::vector<StandardAddress> addresses, std::unique_ptr<address::AddressParser> parser,
                   GeocoderOptions options)
    : m_impl(std::make_unique<Impl>()) {
    if (!parser) {
        throw error("internal error: a Geocoder needs a parser");
    }
    m_impl->options = std::move(options);
    m_impl->given = std::move(parser);
    m_impl->addresses = std::move(addresses);
    m_impl->index();
}

Geocoder::~Geocoder() = default;
Geocoder::Geocoder(Geocoder&&) noexcept = default;
Geocoder& Geocoder::operator=(Geocoder&&) noexcept = default;

Match Geocoder::match(std::string_view text) const { return m_impl->match(text); }
const std::vector<StandardAddress>& Geocoder::addresses() const noexcept { return m_impl->addresses; }

} // namespace grid::assign

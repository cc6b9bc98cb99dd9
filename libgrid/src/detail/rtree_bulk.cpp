// SQLite R*Tree on-disk format (sqlite/ext/rtree/rtree.c): node 1 is the root; every node blob
// has the root's length; bytes 0-1 hold the tree depth (root only), bytes 2-3 the number of
// cells, then cells of an 8-byte integer (rowid in leaves, child node number above) and the
// coordinates (min, max per dimension) as 4-byte floats, all big-endian. %_rowid maps each
// rowid to its leaf, %_parent each non-root node to its parent.
#include "detail/rtree_bulk.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace grid::detail {

namespace {

float down(double d) {
    float f = static_cast<float>(d);
    return static_cast<double>(f) > d ? std::nextafter(f, -std::numeric_limits<float>::infinity()) : f;
}

float up(double d) {
    float f = static_cast<float>(d);
    return static_cast<double>(f) < d ? std::nextafter(f, std::numeric_limits<float>::infinity()) : f;
}

struct Item {
    std::int64_t ref = 0; ///< rowid (leaf level) or index of the child node in the level below
    float minx = 0, maxx = 0, miny = 0, maxy = 0;
};

Item bounds(const std::vector<Item>& items, std::size_t first, std::size_t last, std::int64_t ref) {
    Item b{ref, items[first].minx, items[first].maxx, items[first].miny, items[first].maxy};
    for (std::size_t i = first + 1; i < last; ++i) {
        b.minx = std::min(b.minx, items[i].minx);
        b.maxx = std::max(b.maxx, items[i].maxx);
        b.miny = std::min(b.miny, items[i].miny);
        b.maxy = std::max(b.maxy, items[i].maxy);
    }
    return b;
}

// Sort-Tile-Recursive packing of one level: reorders `items` so that consecutive runs of
// `cap` form the nodes; returns the [first, last) range of each node.
std::vector<std::pair<std::size_t, std::size_t>> pack(std::vector<Item>& items, std::size_t cap) {
    const std::size_t n = items.size();
    const std::size_t nodes = (n + cap - 1) / cap;
    const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
    const std::size_t per_slice = slices * cap;
    auto cx = [](const Item& a) { return static_cast<double>(a.minx) + a.maxx; };
    auto cy = [](const Item& a) { return static_cast<double>(a.miny) + a.maxy; };
    std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) { return cx(a) < cx(b); });
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t s = 0; s < n; s += per_slice) {
        const std::size_t e = std::min(n, s + per_slice);
        std::sort(items.begin() + static_cast<std::ptrdiff_t>(s), items.begin() + static_cast<std::ptrdiff_t>(e),
                  [&](const Item& a, const Item& b) { return cy(a) < cy(b); });
        for (std::size_t k = s; k < e; k += cap) {
            out.emplace_back(k, std::min(e, k + cap));
        }
    }
    return out;
}

void put_be16(unsigned char* p, unsigned v) {
    p[0] = static_cast<unsigned char>(v >> 8);
    p[1] = static_cast<unsigned char>(v);
}

void put_be64(unsigned char* p, std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) {
        p[i] = static_cast<unsigned char>(u >> (56 - 8 * i));
    }
}

void put_bef(unsigned char* p, float f) {
    std::uint32_t u = 0;
    std::memcpy(&u, &f, 4);
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<unsigned char>(u >> (24 - 8 * i));
    }
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

} // namespace

RTreeEntry rtree_entry(std::int64_t id, double minx, double miny, double maxx, double maxy) {
    return {id, down(minx), up(maxx), down(miny), up(maxy)};
}

bool bulk_load_rtree(sqlite3* db, const std::string& name, std::vector<RTreeEntry>& entries) {
    int defensive = 0;
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
    if (defensive != 0) {
        return false;
    }
    std::size_t node_size = 0;
    {
        Statement st(db, "SELECT length(data) FROM " + quoted(name + "_node") + " WHERE nodeno = 1");
        if (!st.step()) {
            throw error("spatial index " + name + " has no root node", "rebuild it with RecoverSpatialIndex()");
        }
        node_size = static_cast<std::size_t>(st.column_int(0));
    }
    constexpr std::size_t cell = 8 + 4 * 4;
    const std::size_t cap = node_size >= 4 ? (node_size - 4) / cell : 0;
    if (cap < 2) {
        throw error("spatial index " + name + ": unexpected node size " + std::to_string(node_size));
    }

    // Levels bottom-up: level 0 holds the entries, each level above the nodes of the one below.
    std::vector<std::vector<Item>> items(1);
    items[0].reserve(entries.size());
    for (const auto& e : entries) {
        items[0].push_back({e.id, e.minx, e.maxx, e.miny, e.maxy});
    }
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> nodes; // per level: item ranges
    while (true) {
        auto& level = items.back();
        if (level.size() <= cap) {
            nodes.push_back({{0, level.size()}});
            break;
        }
        nodes.push_back(pack(level, cap));
        std::vector<Item> above;
        for (std::size_t k = 0; k < nodes.back().size(); ++k) {
            above.push_back(bounds(level, nodes.back()[k].first, nodes.back()[k].second, static_cast<std::int64_t>(k)));
        }
        items.push_back(std::move(above));
    }
    // Node numbers: the root is 1, then level by level downwards.
    const std::size_t depth = nodes.size() - 1;
    std::vector<std::vector<std::int64_t>> number(nodes.size());
    std::int64_t next = 1;
    for (std::size_t l = nodes.size(); l-- > 0;) {
        for (std::size_t k = 0; k < nodes[l].size(); ++k) {
            number[l].push_back(next++);
        }
    }

    for (const char* table : {"_node", "_parent", "_rowid"}) {
        Statement(db, "DELETE FROM " + quoted(name + table)).run();
    }
    Statement node_st(db, "INSERT INTO " + quoted(name + "_node") + " (nodeno, data) VALUES (?, ?)");
    Statement parent_st(db, "INSERT INTO " + quoted(name + "_parent") + " (nodeno, parentnode) VALUES (?, ?)");
    Statement rowid_st(db, "INSERT INTO " + quoted(name + "_rowid") + " (rowid, nodeno) VALUES (?, ?)");
    std::vector<unsigned char> blob(node_size);
    for (std::size_t l = 0; l < nodes.size(); ++l) {
        const auto& level = items[l];
        for (std::size_t k = 0; k < nodes[l].size(); ++k) {
            const auto [first, last] = nodes[l][k];
            std::fill(blob.begin(), blob.end(), 0);
            const std::int64_t nodeno = number[l][k];
            if (nodeno == 1) {
                put_be16(blob.data(), static_cast<unsigned>(depth));
            }
            put_be16(blob.data() + 2, static_cast<unsigned>(last - first));
            for (std::size_t i = first; i < last; ++i) {
                unsigned char* p = blob.data() + 4 + (i - first) * cell;
                const Item& it = level[i];
                const std::int64_t ref = l == 0 ? it.ref : number[l - 1][static_cast<std::size_t>(it.ref)];
                put_be64(p, ref);
                put_bef(p + 8, it.minx);
                put_bef(p + 12, it.maxx);
                put_bef(p + 16, it.miny);
                put_bef(p + 20, it.maxy);
                if (l == 0) {
                    rowid_st.bind(1, ref).bind(2, nodeno).run();
                } else {
                    parent_st.bind(1, ref).bind(2, nodeno).run();
                }
            }
            node_st.bind(1, nodeno).bind_blob(2, blob.data(), blob.size()).run();
        }
    }
    return true;
}

void add_to_rtree(sqlite3* db, const std::string& table, const std::string& column,
                  const std::vector<std::int64_t>& replaced, std::vector<RTreeEntry> entries) {
    {
        Statement st(db, "SELECT spatial_index_enabled FROM geometry_columns "
                         "WHERE lower(f_table_name) = lower(?) AND lower(f_geometry_column) = lower(?)");
        st.bind(1, table).bind(2, column);
        if (!st.step() || st.column_int(0) != 1) {
            return;
        }
    }
    const std::string name = "idx_" + table + "_" + column;
    const std::unordered_set<std::int64_t> gone(replaced.begin(), replaced.end());
    const std::size_t added = entries.size();
    {
        Statement st(db, "SELECT pkid, xmin, xmax, ymin, ymax FROM " + quoted(name));
        while (st.step()) {
            const std::int64_t id = st.column_int(0);
            if (gone.count(id) == 0) {
                entries.push_back({id, static_cast<float>(st.column_double(1)), static_cast<float>(st.column_double(2)),
                                   static_cast<float>(st.column_double(3)), static_cast<float>(st.column_double(4))});
            }
        }
    }
    if (bulk_load_rtree(db, name, entries)) {
        return;
    }
    // Defensive connection: the R*Tree's own INSERT and DELETE, row by row.
    Statement del(db, "DELETE FROM " + quoted(name) + " WHERE pkid = ?");
    for (const auto id : replaced) {
        del.bind(1, id).run();
    }
    Statement ins(db, "INSERT OR REPLACE INTO " + quoted(name) + " (pkid, xmin, xmax, ymin, ymax) VALUES (?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < added; ++i) {
        const auto& e = entries[i];
        ins.bind(1, e.id).bind(2, e.minx).bind(3, e.maxx).bind(4, e.miny).bind(5, e.maxy).run();
    }
}

} // namespace grid::detail

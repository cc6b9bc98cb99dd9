// Shared helpers of the synth tests: a temporary folder and a cached small district.
#pragma once

#include "libgrid/synth.hpp"

#include <filesystem>
#include <random>
#include <sstream>
#include <string>

namespace synth_test {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / ("gridkit-synth-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

inline grid::synth::Options options(std::int64_t households, std::uint64_t seed, unsigned threads = 0) {
    grid::synth::Options o;
    o.households = households;
    o.seed = seed;
    o.threads = threads;
    return o;
}

/// The district of (3000 households, seed 7), generated once for the tests that only read it.
inline const grid::synth::Batch& district() {
    static const grid::synth::Batch b = grid::synth::generate(options(3000, 7));
    return b;
}

/// Every row of a batch as text (coordinates with all their digits): equal text = equal rows.
inline std::string dump(const grid::synth::Batch& b) {
    std::ostringstream o;
    o.precision(17);
    auto mp = [&](const grid::synth::MultiPolygon& m) {
        for (const auto& poly : m) {
            for (const auto& ring : poly) {
                for (const auto& p : ring) {
                    o << p.x << ' ' << p.y << ' ';
                }
                o << ';';
            }
        }
    };
    for (const auto& r : b.divisions) {
        o << r.code << '|' << r.name << '|' << r.level << '|' << r.parent_code << '|' << r.urban_rural << '|';
        mp(r.geom);
        o << '\n';
    }
    for (const auto& r : b.grids) {
        o << r.code << '|' << r.name << '|' << r.kind << '|' << r.community_code << '|' << r.leader << '|'
          << r.leader_phone << '|';
        mp(r.geom);
        o << '\n';
    }
    for (const auto& r : b.microgrids) {
        o << r.code << '|' << r.grid_code << '|' << r.name << '|' << r.leader << '|' << r.leader_phone << '|';
        mp(r.geom);
        o << '\n';
    }
    for (const auto& r : b.roads) {
        o << r.name << '|' << r.kind << '|';
        for (const auto& l : r.geom) {
            for (const auto& p : l) {
                o << p.x << ' ' << p.y << ' ';
            }
        }
        o << '\n';
    }
    for (const auto& r : b.compounds) {
        o << r.name << '|' << r.community_code << '|';
        mp(r.geom);
        o << '\n';
    }
    for (const auto& r : b.buildings) {
        o << r.code << '|' << r.name << '|' << r.compound << '|' << r.community_code << '|' << r.floors << '|' << r.units
          << '|' << r.households << '|' << r.use << '|' << r.grid_code << '|' << r.microgrid_code << '|'
          << r.location.x << ' ' << r.location.y << '|';
        mp(r.geom);
        o << '\n';
    }
    for (const auto& r : b.addresses) {
        o << r.code << '|' << r.text << '|' << r.province << r.city << r.county << r.township << r.community << r.road
          << r.number << r.compound << r.building << r.unit << r.floor << r.room << '|' << r.level << '|'
          << r.building_code << '|' << r.grid_code << '|' << r.microgrid_code << '|' << r.geom.x << ' ' << r.geom.y
          << '\n';
    }
    for (const auto& r : b.houses) {
        o << r.code << '|' << r.address_code << '|' << r.use << '|' << r.rental << '|' << r.area << '|' << r.status
          << '|' << r.occupied << '|' << r.grid_code << '|' << r.microgrid_code << '\n';
    }
    for (const auto& r : b.persons) {
        o << r.id_number << '|' << r.name << '|' << r.phone << '|' << r.house_code << '|' << r.kind << '|' << r.tenant
          << '\n';
    }
    for (const auto& r : b.orgs) {
        o << r.uscc << '|' << r.name << '|' << r.address_code << '|' << r.type << '|' << r.contact << '|' << r.phone
          << '\n';
    }
    return o.str();
}

} // namespace synth_test

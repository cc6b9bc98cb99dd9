// Private pieces of the assign module (libgrid/src/assign*.cpp): the chunked worker loop, the
// SpatiaLite point reader, and the parser the workspace's own names configure.
#pragma once

#include "libgrid/address.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace grid {
class Workspace;
}

namespace grid::assign::detail {

/// Runs `work(begin, end)` over [0, n) in chunks of `chunk` items on `threads` threads (the
/// calling thread included; 0 = 2). Every thread builds its own per-thread state inside
/// `make_worker`, which returns the chunk function: GEOS objects never cross threads. The
/// calling thread reports progress(done) between its chunks. The first exception is rethrown.
using ChunkFn = std::function<void(std::size_t begin, std::size_t end)>;
void for_chunks(std::size_t n, std::size_t chunk, unsigned threads, const std::function<ChunkFn()>& make_worker,
                const std::function<void(std::size_t done)>& progress = {});

/// Reads X and Y from a SpatiaLite geometry BLOB holding a 2D POINT (the format every gridkit
/// point column uses). False for anything else (NULL, another type, a damaged blob).
bool spatialite_point(const unsigned char* blob, std::size_t size, double& x, double& y) noexcept;

/// The workspace's division table (its `division` layer), plus the NBS table in `extra_dir`
/// when not empty (codes already in the workspace win).
address::DivisionTable workspace_divisions(const Workspace& ws, const std::string& extra_dir = {});
/// Road and compound names of the workspace (road, compound, building.compound, address.road/compound).
address::Gazetteer workspace_gazetteer(const Workspace& ws);

/// A parser configured with the workspace's divisions and names; it owns what it points to.
struct WorkspaceParser {
    std::unique_ptr<address::DivisionTable> divisions;
    std::unique_ptr<address::Gazetteer> gazetteer;
    std::unique_ptr<address::AddressParser> parser;       ///< with the division table
    std::unique_ptr<address::AddressParser> plain_parser; ///< with the gazetteer only
    /// The parse with the division table, unless the one without it explains more of the text
    /// (leaves less in `rest`): a short division alias must not swallow a road named after the
    /// place (海陵路 after 海陵区). Thread-safe.
    address::ParsedAddress parse(std::string_view text) const;
};
WorkspaceParser make_workspace_parser(const Workspace& ws, const std::string& extra_divisions_dir = {});

} // namespace grid::assign::detail

#include "detail/gdal_util.hpp"

#include "libgrid/error.hpp"

#include <cpl_vsi.h>

#include <atomic>
#include <mutex>

namespace grid::detail {

void gdal_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // Coordinates stay in GIS order everywhere in gridkit.
        CPLSetConfigOption("OGR_CT_FORCE_TRADITIONAL_GIS_ORDER", "YES");
    });
}

Srs srs_from_epsg(int epsg) {
    Srs srs(OSRNewSpatialReference(nullptr));
    if (OSRImportFromEPSG(srs.get(), epsg) != OGRERR_NONE) {
        return nullptr;
    }
    OSRSetAxisMappingStrategy(srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

MemoryFile::MemoryFile(std::string bytes, const std::string& suffix) : m_bytes(std::move(bytes)) {
    static std::atomic<int> counter{0};
    m_path = "/vsimem/gridkit_" + std::to_string(counter++) + suffix;
    VSILFILE* f = VSIFileFromMemBuffer(m_path.c_str(), reinterpret_cast<GByte*>(m_bytes.data()),
                                       static_cast<vsi_l_offset>(m_bytes.size()), FALSE);
    if (f == nullptr) {
        throw error("cannot hand " + std::to_string(m_bytes.size()) + " bytes to GDAL in memory",
                    "the file may be too large for this machine");
    }
    VSIFCloseL(f);
}

MemoryFile::~MemoryFile() { VSIUnlink(m_path.c_str()); }

} // namespace grid::detail

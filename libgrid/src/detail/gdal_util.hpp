// Small RAII and error helpers over GDAL's C API, private to libgrid.
#pragma once

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <memory>
#include <string>

namespace grid::detail {

/// Registers GDAL's drivers once, quietly.
void gdal_init();

/// Bytes handed to GDAL as a file under /vsimem/ (no copy), named with `suffix` (".csv"), and
/// unlinked when destroyed. Throws grid::error when GDAL cannot make the file.
class MemoryFile {
public:
    MemoryFile(std::string bytes, const std::string& suffix);
    ~MemoryFile();
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    const std::string& path() const noexcept { return m_path; }

private:
    std::string m_bytes;
    std::string m_path;
};

struct DatasetCloser {
    void operator()(GDALDatasetH ds) const noexcept {
        if (ds != nullptr) {
            GDALClose(ds);
        }
    }
};
using Dataset = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, DatasetCloser>;

struct FeatureDestroyer {
    void operator()(OGRFeatureH f) const noexcept { OGR_F_Destroy(f); }
};
using Feature = std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDestroyer>;

struct SrsReleaser {
    void operator()(OGRSpatialReferenceH s) const noexcept {
        if (s != nullptr) {
            OSRRelease(s);
        }
    }
};
using Srs = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsReleaser>;

struct CslDestroyer {
    void operator()(char** l) const noexcept { CSLDestroy(l); }
};
using StringList = std::unique_ptr<char*, CslDestroyer>;

/// Silences GDAL's stderr output while alive and keeps the last error message.
class QuietGdal {
public:
    QuietGdal() {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        CPLErrorReset();
    }
    ~QuietGdal() { CPLPopErrorHandler(); }
    QuietGdal(const QuietGdal&) = delete;
    QuietGdal& operator=(const QuietGdal&) = delete;
    static std::string last() {
        const char* m = CPLGetLastErrorMsg();
        return m != nullptr ? m : "";
    }
};

/// An SRS for an EPSG code in traditional GIS axis order (x = longitude/easting).
Srs srs_from_epsg(int epsg);

} // namespace grid::detail

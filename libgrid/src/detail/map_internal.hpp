// Private to the map module: shared by collect (map.cpp), the HTML page (map_html.cpp) and the
// cairo renderer (map_render.cpp).
#pragma once

#include "libgrid/map.hpp"

#include <functional>
#include <string>

namespace grid::map::detail {

/// Where a zone's label goes: the centre of its largest inscribed circle (GEOS), which lies
/// inside even U-shaped zones; the point on surface when that fails. Same CRS as `g`.
geom::Point label_point(const GEOSGeometry* g);

/// Where the marker of a finding about a whole zone goes: inside the zone and off its label (the
/// centre of the largest inscribed circle, or a point above it inside the circle when the label
/// is there). `label` itself when GEOS cannot tell.
geom::Point marker_point(const GEOSGeometry* g, const geom::Point& label);

/// Writes a file through `write(tmp_path)` into a temporary file beside `path`, then renames it
/// over `path`. Refuses an existing `path` unless `overwrite` (io_error with the --overwrite
/// hint); removes the temporary file when `write` throws.
void write_atomically(const std::string& path, bool overwrite, const std::function<void(const std::string&)>& write);

/// Last three digits of an 18-digit micro-grid / plan-zone code (its sequence in the grid), else the code.
std::string short_code(const std::string& code);

/// "1,234".
std::string thousands(std::int64_t n);

/// Legend texts shared by the page and the pictures: "少于 50 户", "50–100 户", "多于 100 户".
std::string band_label(const View& view, Band band);

/// Fill colours (#rrggbb) of the bands; the same in HTML and PNG/SVG.
const char* band_colour(Band band) noexcept;

/// write_map() for Format::html (map_html.cpp).
MapResult write_html(const View& view, const std::string& path, bool overwrite);

} // namespace grid::map::detail

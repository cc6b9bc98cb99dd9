// gridkit map, part 2: the self-contained HTML page. Leaflet (embedded at build time by
// cmake/leaflet.cmake) and its CSS are inlined, the features are GeoJSON in a JSON script block,
// and a Content-Security-Policy forbids every network request, so the page works offline and
// cannot leak anything when opened. No tile layer: a plain background.
#include "libgrid/map.hpp"

#include "detail/map_internal.hpp"
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>

namespace grid::detail {
extern const char* const leaflet_js;
extern const char* const leaflet_css;
extern const char* const leaflet_license_text;
extern const char* const leaflet_version;
extern const char* const leaflet_license;
} // namespace grid::detail

namespace grid::map {

std::string_view leaflet_version() noexcept { return grid::detail::leaflet_version; }
std::string_view leaflet_license() noexcept { return grid::detail::leaflet_license; }

namespace {

/// Above this many features the page draws on a canvas instead of SVG (much faster; no DOM node per feature).
constexpr std::size_t canvas_threshold = 20000;

/// Workspace CRS -> longitude/latitude (CGCS2000 = WGS84 within centimetres, which is what Leaflet expects).
class LonLat {
public:
    explicit LonLat(int srid) {
        if (srid != 4490 && srid != 4326) {
            m_t.emplace(crs::CrsSpec{crs::CrsSpec::Kind::epsg, srid}, crs::CrsSpec{crs::CrsSpec::Kind::epsg, 4490});
        }
    }
    geom::Point operator()(double x, double y) const {
        if (m_t) {
            m_t->transform(x, y);
        }
        return {x, y};
    }

private:
    std::optional<crs::Transformer> m_t;
};

void append_number(std::string& out, double v) {
    char buf[32];
    // 7 decimals of a degree: about 1 cm.
    const int n = std::snprintf(buf, sizeof buf, "%.7f", v);
    std::string_view s(buf, static_cast<std::size_t>(n));
    while (s.size() > 1 && s.back() == '0') {
        s.remove_suffix(1);
    }
    if (s.back() == '.') {
        s.remove_suffix(1);
    }
    out += s;
}

void append_position(std::string& out, const LonLat& ll, double x, double y) {
    const geom::Point p = ll(x, y);
    out += '[';
    append_number(out, p.x);
    out += ',';
    append_number(out, p.y);
    out += ']';
}

void append_ring(std::string& out, const LonLat& ll, const GEOSGeometry* ring) {
    const GEOSContextHandle_t ctx = geom::context();
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned int n = 0;
    if (seq != nullptr) {
        GEOSCoordSeq_getSize_r(ctx, seq, &n);
    }
    out += '[';
    for (unsigned int i = 0; i < n; ++i) {
        double x = 0;
        double y = 0;
        GEOSCoordSeq_getXY_r(ctx, seq, i, &x, &y);
        if (i > 0) {
            out += ',';
        }
        append_position(out, ll, x, y);
    }
    out += ']';
}

void append_polygon_rings(std::string& out, const LonLat& ll, const GEOSGeometry* poly) {
    const GEOSContextHandle_t ctx = geom::context();
    out += '[';
    append_ring(out, ll, GEOSGetExteriorRing_r(ctx, poly));
    const int holes = GEOSGetNumInteriorRings_r(ctx, poly);
    for (int i = 0; i < holes; ++i) {
        out += ',';
        append_ring(out, ll, GEOSGetInteriorRingN_r(ctx, poly, i));
    }
    out += ']';
}

/// A GeoJSON geometry object, or "null" for what a map cannot show.
std::string geojson(const GEOSGeometry* g, const LonLat& ll) {
    if (g == nullptr || geom::is_empty(g)) {
        return "null";
    }
    std::string out;
    switch (geom::type_id(g)) {
    case GEOS_POINT: {
        const geom::Point p = geom::point_xy(g);
        out = R"({"type":"Point","coordinates":)";
        append_position(out, ll, p.x, p.y);
        break;
    }
    case GEOS_POLYGON:
        out = R"({"type":"Polygon","coordinates":)";
        append_polygon_rings(out, ll, g);
        break;
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        out = R"({"type":"MultiPolygon","coordinates":[)";
        bool first = true;
        for (int i = 0; i < geom::num_geometries(g); ++i) {
            const GEOSGeometry* part = geom::geometry_n(g, i);
            if (geom::type_id(part) != GEOS_POLYGON || geom::is_empty(part)) {
                continue;
            }
            if (!first) {
                out += ',';
            }
            first = false;
            append_polygon_rings(out, ll, part);
        }
        out += ']';
        if (first) {
            return "null";
        }
        break;
    }
    default: return "null";
    }
    out += '}';
    return out;
}

nlohmann::json attributes_json(const Attributes& a) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [k, v] : a) {
        rows.push_back({k, v});
    }
    return rows;
}

/// Appends one feature; returns false (and appends nothing) when the geometry cannot be shown.
bool append_feature(std::string& out, const GEOSGeometry* g, const LonLat& ll, const nlohmann::json& properties) {
    const std::string geometry = geojson(g, ll);
    if (geometry == "null") {
        return false;
    }
    if (out.back() != '[') {
        out += ',';
    }
    out += R"({"type":"Feature","geometry":)";
    out += geometry;
    out += R"(,"properties":)";
    out += properties.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '}';
    return true;
}

std::string collection(const std::string& features) { return R"({"type":"FeatureCollection","features":)" + features + "]}"; }

/// Makes text safe inside <script>…</script> and HTML comments.
std::string script_safe(std::string s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<' && i + 1 < s.size() && (s[i + 1] == '/' || s[i + 1] == '!')) {
            out += "\\u003c"; // valid in JSON strings, which is the only place '<' can occur in our JSON
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

/// A band colour as it looks on the map (fill opacity 0.7 over the background), for the legend.
std::string swatch(const char* colour) {
    unsigned c = 0;
    unsigned bg = 0;
    std::sscanf(colour + 1, "%06x", &c);
    std::sscanf("f3f2ed", "%06x", &bg);
    char out[8];
    unsigned rgb[3];
    for (int i = 0; i < 3; ++i) {
        const int shift = 16 - 8 * i;
        rgb[i] = static_cast<unsigned>(std::lround(0.7 * ((c >> shift) & 255) + 0.3 * ((bg >> shift) & 255)));
    }
    std::snprintf(out, sizeof out, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return out;
}

struct Counts {
    std::size_t grids = 0, zones = 0, buildings = 0, errors = 0;
};

std::string data_block(const View& v, Counts& counts) {
    const LonLat ll(v.srid);
    std::string grids = "[";
    for (const auto& g : v.grids) {
        nlohmann::json p{{"code", g.code}, {"name", g.name}, {"context", g.context}, {"attrs", attributes_json(g.attributes)}};
        if (g.label) {
            const geom::Point l = ll(g.label->x, g.label->y);
            p["label"] = {l.y, l.x};
        }
        counts.grids += append_feature(grids, g.geometry.get(), ll, p) ? 1 : 0;
    }
    std::string zones = "[";
    for (const auto& z : v.zones) {
        nlohmann::json p{{"code", z.code},
                         {"short", detail::short_code(z.code)},
                         {"grid", z.parent_code},
                         {"hh", z.households},
                         {"band", band_name(v.band(z.households))},
                         {"attrs", attributes_json(z.attributes)}};
        if (z.label) {
            const geom::Point l = ll(z.label->x, z.label->y);
            p["label"] = {l.y, l.x};
        }
        counts.zones += append_feature(zones, z.geometry.get(), ll, p) ? 1 : 0;
    }
    std::string buildings = "[";
    for (const auto& b : v.buildings) {
        counts.buildings += append_feature(buildings, b.geometry.get(), ll, {{"attrs", attributes_json(b.attributes)}}) ? 1 : 0;
    }
    std::string errors = "[";
    for (const auto& e : v.errors) {
        geom::Geometry pt = geom::make_point(e.location.x, e.location.y);
        Attributes a{{"错误", std::to_string(e.code) + " " + e.name}, {"级别", e.severity == "warning" ? "警告" : "错误"}};
        if (!e.layer.empty()) {
            a.emplace_back("图层", e.layer);
        }
        if (!e.id.empty()) {
            a.emplace_back("要素", e.id);
        }
        a.emplace_back("说明", e.message);
        counts.errors += append_feature(errors, pt.get(), ll,
                                        {{"code", e.code}, {"severity", e.severity}, {"attrs", attributes_json(a)}})
                             ? 1
                             : 0;
    }
    const geom::Point sw = ll(v.extent.minx, v.extent.miny);
    const geom::Point ne = ll(v.extent.maxx, v.extent.maxy);
    nlohmann::json bands = nlohmann::json::object();
    for (Band b : {Band::under, Band::within, Band::over}) {
        bands[std::string(band_name(b))] = {
            {"label", detail::band_label(v, b)},
            {"colour", detail::band_colour(b)},
            {"swatch", swatch(detail::band_colour(b))},
            {"count", v.zones_in(b)}};
    }
    nlohmann::json head{{"title", v.title},
                        {"subtitle", v.subtitle},
                        {"zoneTitle", v.zone_title},
                        {"zoneLayer", v.zone_layer},
                        {"min", v.min_households},
                        {"max", v.max_households},
                        {"bands", bands},
                        {"extent", {{sw.y, sw.x}, {ne.y, ne.x}}},
                        {"canvas", v.grids.size() + v.zones.size() + v.buildings.size() > canvas_threshold},
                        {"errorsReport", v.errors_report},
                        {"errorsElsewhere", v.errors_elsewhere},
                        {"gridkit", GRIDKIT_VERSION},
                        {"leaflet", {{"version", grid::detail::leaflet_version}, {"license", grid::detail::leaflet_license}}}};
    std::string out = head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.pop_back(); // '}'
    out += R"(,"grids":)" + collection(grids) + R"(,"zones":)" + collection(zones) + R"(,"buildings":)" +
           collection(buildings) + R"(,"errors":)" + collection(errors) + "}";
    return script_safe(std::move(out));
}

constexpr const char* page_css = R"css(
html, body { margin: 0; height: 100%; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
#map { position: absolute; top: 0; right: 0; bottom: 0; left: 0; background: #f3f2ed; }
.leaflet-container { font: 13px/1.4 "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; background: #f3f2ed; }
/* Leaflet's CSS points at marker and layer images we do not ship: never fetch them. */
.leaflet-control-layers-toggle, .leaflet-default-icon-path { background-image: none !important; }
.gk-panel { background: rgba(255, 255, 255, 0.94); padding: 8px 12px; border-radius: 4px; box-shadow: 0 1px 5px rgba(0, 0, 0, 0.35); }
.gk-title { max-width: 60vw; }
.gk-title h1 { font-size: 17px; margin: 0 0 2px; line-height: 1.3; }
.gk-title p { font-size: 12px; margin: 0; color: #555; }
.gk-legend { min-width: 170px; }
.gk-legend h2 { font-size: 13px; margin: 0 0 4px; }
.gk-legend .row { display: flex; align-items: center; margin: 3px 0; white-space: nowrap; }
.gk-legend .sw { display: inline-block; width: 22px; height: 14px; margin-right: 8px; border: 1px solid #3d3d3d; box-sizing: border-box; flex: none; }
.gk-legend .line { height: 0; border: 0; border-top: 3px solid #111; }
.gk-legend .dash { height: 0; border: 0; border-top: 2px dashed #8a8a8a; }
.gk-legend .dot { width: 14px; height: 14px; border-radius: 50%; border: 2px solid #fff; box-shadow: 0 0 0 1px #888; margin: 0 12px 0 4px; }
.gk-legend .n { margin-left: auto; padding-left: 10px; color: #555; }
.gk-legend .note { font-size: 11px; color: #666; margin-top: 5px; }
.gk-label { width: 0; height: 0; }
.gk-label div { position: absolute; transform: translate(-50%, -50%); white-space: nowrap; text-align: center;
  font-size: 12px; line-height: 1.15; color: #111; pointer-events: none;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.gk-label.grid div { font-size: 14px; font-weight: bold; color: #000; }
.gk-label.grid small { font-size: 11px; font-weight: normal; }
.gk-attrs { border-collapse: collapse; }
.gk-attrs th { text-align: left; font-weight: normal; color: #666; padding: 1px 10px 1px 0; white-space: nowrap; vertical-align: top; }
.gk-attrs td { padding: 1px 0; }
)css";

constexpr const char* page_js = R"js(
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('gridkit-data').textContent);
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function table(attrs) {
    var h = '<table class="gk-attrs">';
    attrs.forEach(function (a) { h += '<tr><th>' + esc(a[0]) + '</th><td>' + esc(a[1]) + '</td></tr>'; });
    return h + '</table>';
  }
  function popup(f, layer) { layer.bindPopup(table(f.properties.attrs), { maxWidth: 420 }); }

  // The layers first (drawn once the map has a view), then the controls, then the view, so that
  // the first view leaves room for the title and the legend.
  var zones = L.geoJSON(D.zones, {
    style: function (f) {
      return { color: '#3d3d3d', weight: 1, opacity: 0.9, fillColor: D.bands[f.properties.band].colour,
               fillOpacity: 0.7, className: 'gk-zone gk-' + f.properties.band };
    },
    onEachFeature: popup
  });
  var buildings = L.geoJSON(D.buildings, {
    style: { color: '#383838', weight: 0.6, fillColor: '#6f6f6f', fillOpacity: 0.85, className: 'gk-building' },
    pointToLayer: function (f, ll) {
      return L.circleMarker(ll, { radius: 3, color: '#383838', weight: 0.6, fillColor: '#6f6f6f', fillOpacity: 0.9,
                                  className: 'gk-building' });
    },
    onEachFeature: popup
  });
  var grids = L.geoJSON(D.grids, {
    style: function (f) {
      return f.properties.context
        ? { color: '#8a8a8a', weight: 1.5, dashArray: '6 4', fill: false, className: 'gk-grid gk-context' }
        : { color: '#111111', weight: 3, fill: false, className: 'gk-grid' };
    },
    onEachFeature: popup
  });
  var errors = L.geoJSON(D.errors, {
    pointToLayer: function (f, ll) {
      return L.circleMarker(ll, { radius: 8, color: '#ffffff', weight: 2, fillOpacity: 1, className: 'gk-error',
                                  fillColor: f.properties.severity === 'warning' ? '#f0a30a' : '#c8102e' });
    },
    onEachFeature: popup
  });
  var labels = L.layerGroup();

  var map = L.map('map', { preferCanvas: D.canvas, zoomControl: false, zoomSnap: 0.25, zoomDelta: 0.5,
                           wheelPxPerZoomLevel: 90, maxZoom: 22 });
  map.attributionControl.setPrefix(esc('Leaflet ' + D.leaflet.version + ' (' + D.leaflet.license + ') · gridkit ' + D.gridkit));

  var title = L.control({ position: 'topleft' });
  title.onAdd = function () {
    var d = L.DomUtil.create('div', 'gk-panel gk-title');
    d.innerHTML = '<h1>' + esc(D.title) + '</h1><p>' + esc(D.subtitle) + '</p>';
    return d;
  };
  title.addTo(map);
  L.control.zoom({ position: 'topleft' }).addTo(map);
  L.control.scale({ position: 'bottomleft', imperial: false, maxWidth: 160 }).addTo(map);
  var layersControl = L.control.layers(null, { '网格边界': grids, '微网格': zones, '楼栋': buildings, '标注': labels,
                                               '校验错误': errors }, { collapsed: false, position: 'topright' });
  layersControl.addTo(map);

  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var d = L.DomUtil.create('div', 'gk-panel gk-legend');
    var h = '<h2>' + esc(D.zoneTitle) + '</h2>';
    ['under', 'within', 'over'].forEach(function (k) {
      var b = D.bands[k];
      h += '<div class="row"><span class="sw" style="background:' + b.swatch + '"></span>' + esc(b.label) +
           '<span class="n">' + b.count + '</span></div>';
    });
    h += '<div class="row"><span class="sw line"></span>网格边界</div>';
    if (D.grids.features.some(function (f) { return f.properties.context; })) {
      h += '<div class="row"><span class="sw dash"></span>相邻网格</div>';
    }
    h += '<div class="row"><span class="sw" style="background:#6f6f6f;border-color:#383838"></span>楼栋' +
         '<span class="n">' + D.buildings.features.length + '</span></div>';
    if (D.errorsReport) {
      h += '<div class="row"><span class="sw dot" style="background:#c8102e"></span>校验错误' +
           '<span class="n">' + D.errors.features.length + '</span></div>';
      if (D.errorsElsewhere) { h += '<div class="note">另有 ' + D.errorsElsewhere + ' 条不在本图范围内</div>'; }
    }
    h += '<div class="note">标注：' + (D.zoneLayer === 'plan_zone' ? '方案' : '') +
         '微网格序号（编码后三位）与户数<br>点击要素查看属性</div>';
    d.innerHTML = h;
    L.DomEvent.disableClickPropagation(d);
    L.DomEvent.disableScrollPropagation(d);
    return d;
  };
  legend.addTo(map);

  // First view: the extent, clear of the title (top left) and the legend (bottom right).
  var titleBox = document.querySelector('.gk-title').getBoundingClientRect();
  var legendBox = document.querySelector('.gk-legend').getBoundingClientRect();
  var size = map.getSize();
  var padTop = titleBox.bottom + 12, padRight = legendBox.width + 24;
  if (padTop > size.y * 0.3) { padTop = 24; }
  if (padRight > size.x * 0.35) { padRight = 24; }
  map.fitBounds(D.extent, { paddingTopLeft: [24, padTop], paddingBottomRight: [padRight, 24] });

  zones.addTo(map);
  buildings.addTo(map);
  grids.addTo(map);
  errors.addTo(map);
  labels.addTo(map);

  // Labels: a zone's sequence number and households where the zone is big enough on screen;
  // a grid's name where none of its zones has room for a label (zoomed-out views).
  var zoneItems = [], gridItems = [];
  function item(list, latlng, html, cls, bounds, minW, minH, key) {
    var m = L.marker(latlng, { icon: L.divIcon({ className: 'gk-label ' + cls, html: '<div>' + html + '</div>', iconSize: null }),
                               interactive: false, keyboard: false });
    list.push({ marker: m, bounds: bounds, minW: minW, minH: minH, key: key });
  }
  zones.eachLayer(function (l) {
    var p = l.feature.properties;
    if (p.label) { item(zoneItems, p.label, '<b>' + esc(p.short) + '</b><br>' + esc(p.hh) + ' 户', 'zone', l.getBounds(), 52, 34, p.grid); }
  });
  grids.eachLayer(function (l) {
    var p = l.feature.properties;
    // Grid names repeat from one community to the next: the code goes with them.
    if (p.label && !p.context) {
      item(gridItems, p.label, p.name ? esc(p.name) + '<br><small>' + esc(p.code) + '</small>' : esc(p.code), 'grid',
           l.getBounds(), 130, 44, p.code);
    }
  });
  function fits(it) {
    var a = map.latLngToContainerPoint(it.bounds.getNorthWest());
    var b = map.latLngToContainerPoint(it.bounds.getSouthEast());
    return b.x - a.x >= it.minW && b.y - a.y >= it.minH;
  }
  function toggle(it, show) {
    if (show && !labels.hasLayer(it.marker)) { labels.addLayer(it.marker); }
    if (!show && labels.hasLayer(it.marker)) { labels.removeLayer(it.marker); }
  }
  function updateLabels() {
    var shown = {};
    zoneItems.forEach(function (it) { var s = fits(it); toggle(it, s); if (s) { shown[it.key] = true; } });
    gridItems.forEach(function (it) { toggle(it, !shown[it.key] && fits(it)); });
  }
  map.on('zoomend', updateLabels);
  updateLabels();

  // For scripts and tests: what was drawn.
  window.gridkitMap = {
    ready: true,
    renderer: D.canvas ? 'canvas' : 'svg',
    counts: { grids: grids.getLayers().length, zones: zones.getLayers().length,
              buildings: buildings.getLayers().length, errors: errors.getLayers().length },
    labels: function () { return labels.getLayers().length; },
    map: map
  };
})();
)js";

} // namespace

std::string html(const View& view) {
    if (*grid::detail::leaflet_js == '\0') {
        throw error("this gridkit was built without Leaflet, so it cannot write HTML maps",
                    "write a .png or .svg instead, or rebuild after 'npm ci' in the source tree (docs/cli/gridkit-map.md)");
    }
    Counts counts;
    const std::string data = data_block(view, counts);
    std::string out;
    out.reserve(data.size() + 200000);
    out += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
    // Nothing may be fetched: scripts and styles are inline, images only data: URLs.
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
           "style-src 'unsafe-inline'; img-src data:; font-src data:\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<meta name=\"generator\" content=\"gridkit " GRIDKIT_VERSION "\">\n";
    out += "<title>" + html_escape(view.title) + "</title>\n";
    out += "<!--\n  Made by gridkit " GRIDKIT_VERSION " (gridkit map). Works offline: everything it needs is in this file.\n";
    out += "  It contains Leaflet " + std::string(grid::detail::leaflet_version) + " (https://leafletjs.com), licence " +
           std::string(grid::detail::leaflet_license) + ":\n\n";
    out += script_safe(grid::detail::leaflet_license_text);
    out += "\n-->\n<style>\n";
    out += grid::detail::leaflet_css;
    out += "\n</style>\n<style>";
    out += page_css;
    out += "</style>\n<script>\n";
    out += grid::detail::leaflet_js;
    out += "\n</script>\n</head>\n<body>\n<div id=\"map\"></div>\n<script type=\"application/json\" id=\"gridkit-data\">";
    out += data;
    out += "</script>\n<script>";
    out += page_js;
    out += "</script>\n</body>\n</html>\n";
    return out;
}

namespace detail {

MapResult write_html(const View& view, const std::string& path, bool overwrite) {
    const std::string page = html(view);
    write_atomically(path, overwrite, [&](const std::string& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(page.data(), static_cast<std::streamsize>(page.size()));
        out.close();
        if (!out) {
            throw io_error(path, "cannot be written", "check the free space and that the folder is writable");
        }
    });
    MapResult r;
    r.path = path;
    r.format = Format::html;
    for (const auto& g : view.grids) {
        r.grids += g.context ? 0 : 1;
    }
    r.zones = view.zones.size();
    r.zones_under = view.zones_in(Band::under);
    r.zones_within = view.zones_in(Band::within);
    r.zones_over = view.zones_in(Band::over);
    r.buildings = view.buildings.size();
    r.errors = view.errors.size();
    r.errors_elsewhere = view.errors_elsewhere;
    r.labels = view.zones.size();
    r.projection = "EPSG:3857 (Leaflet's Web Mercator, from longitude/latitude)";
    return r;
}

} // namespace detail

} // namespace grid::map

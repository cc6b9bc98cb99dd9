// gridkit map, part 3: PNG and SVG pictures with cairo and pango (no browser). The view is
// projected to the CGCS2000 3-degree Gauss-Kruger zone of its centre (crs::gauss_kruger_epsg),
// so shapes keep their true proportions and the scale bar is in real metres (the zone's scale
// error is below 0.03% within its 1.5 degrees). The north arrow points to true north at the
// centre of the picture (it leans by the meridian convergence away from the central meridian).
#include "libgrid/map.hpp"

#include "detail/map_internal.hpp"
#include "detail/text_breaks.hpp"
#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"

#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <set>

namespace grid::map {

namespace {

struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct LayoutDeleter {
    void operator()(PangoLayout* l) const { g_object_unref(l); }
};
struct FontDeleter {
    void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using LayoutPtr = std::unique_ptr<PangoLayout, LayoutDeleter>;
using FontPtr = std::unique_ptr<PangoFontDescription, FontDeleter>;

constexpr const char* font_family = "Noto Sans CJK SC";
constexpr double pi = 3.14159265358979323846;

struct Rgb {
    double r, g, b;
};
Rgb hex(const char* s) {
    unsigned v = 0;
    std::sscanf(s + 1, "%06x", &v);
    return {((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0};
}
void set(cairo_t* cr, Rgb c, double alpha = 1.0) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

const Rgb background = hex("#f3f2ed");
const Rgb zone_line = hex("#3d3d3d");
const Rgb building_fill = hex("#6f6f6f");
const Rgb building_line = hex("#383838");
const Rgb grid_line = hex("#111111");
const Rgb context_line = hex("#8a8a8a");
const Rgb error_fill = hex("#c8102e");
const Rgb warning_fill = hex("#f0a30a");
constexpr double zone_alpha = 0.7;

struct Rect {
    double x = 0, y = 0, w = 0, h = 0;
    bool overlaps(const Rect& o) const { return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h; }
};

/// The metric frame of the picture: workspace CRS -> Gauss-Kruger metres.
struct Projection {
    int epsg = 0;
    std::string name;
    std::optional<crs::Transformer> to_metres;
    double north = 0; ///< angle of true north from grid north at the centre, radians (positive: east of up)

    geom::Point operator()(double x, double y) const {
        to_metres->transform(x, y);
        return {x, y};
    }
    geom::Geometry project(const GEOSGeometry* g) const {
        return geom::transform(g, [this](double& x, double& y) { to_metres->transform(x, y); });
    }
};

Projection make_projection(int srid, const geom::Envelope& extent) {
    Projection p;
    const crs::CrsSpec ws{crs::CrsSpec::Kind::epsg, srid};
    const crs::CrsSpec lonlat{crs::CrsSpec::Kind::epsg, 4490};
    double lon = (extent.minx + extent.maxx) / 2;
    double lat = (extent.miny + extent.maxy) / 2;
    if (srid != 4490 && srid != 4326) {
        crs::Transformer(ws, lonlat).transform(lon, lat);
    }
    p.epsg = crs::gauss_kruger_epsg(lon);
    p.name = "EPSG:" + std::to_string(p.epsg) + " CGCS2000 / 3-degree Gauss-Kruger CM " +
             std::to_string(static_cast<int>(std::lround(lon / 3.0) * 3)) + "E";
    p.to_metres.emplace(ws, crs::CrsSpec{crs::CrsSpec::Kind::epsg, p.epsg});
    const crs::Transformer ll_to_m(lonlat, crs::CrsSpec{crs::CrsSpec::Kind::epsg, p.epsg});
    double x0 = lon, y0 = lat, x1 = lon, y1 = lat + 0.01;
    ll_to_m.transform(x0, y0);
    ll_to_m.transform(x1, y1);
    p.north = std::atan2(x1 - x0, y1 - y0);
    return p;
}

/// One view projected to metres, ready to draw.
struct Projected {
    const View* view = nullptr;
    struct Shape {
        const Zone* zone = nullptr;
        geom::Geometry g;
        geom::Prepared prepared;
        std::optional<geom::Point> label;
    };
    std::vector<Shape> grids, zones;
    std::vector<geom::Geometry> buildings;
    std::vector<std::pair<const ErrorMarker*, geom::Point>> errors;
    geom::Envelope extent;
};

Projected project(const View& v, const Projection& p) {
    Projected out;
    out.view = &v;
    auto shapes = [&](const std::vector<Zone>& zones, std::vector<Projected::Shape>& dst) {
        for (const auto& z : zones) {
            if (!z.geometry) {
                continue;
            }
            Projected::Shape s;
            s.zone = &z;
            s.g = p.project(z.geometry.get());
            s.prepared = geom::prepare(s.g.get());
            if (z.label) {
                s.label = p(z.label->x, z.label->y);
            }
            dst.push_back(std::move(s));
        }
    };
    shapes(v.grids, out.grids);
    shapes(v.zones, out.zones);
    for (const auto& b : v.buildings) {
        if (b.geometry) {
            out.buildings.push_back(p.project(b.geometry.get()));
        }
    }
    for (const auto& e : v.errors) {
        out.errors.emplace_back(&e, p(e.location.x, e.location.y));
    }
    // The extent's outline, densified, so that its curved image in metres is framed whole.
    const geom::Envelope& e = v.extent;
    bool first = true;
    for (int i = 0; i <= 8; ++i) {
        const double t = i / 8.0;
        for (const auto& [x, y] : {std::pair{e.minx + t * e.width(), e.miny}, std::pair{e.minx + t * e.width(), e.maxy},
                                   std::pair{e.minx, e.miny + t * e.height()}, std::pair{e.maxx, e.miny + t * e.height()}}) {
            const geom::Point m = p(x, y);
            const geom::Envelope pt{m.x, m.y, m.x, m.y};
            if (first) {
                out.extent = pt;
                first = false;
            } else {
                out.extent.expand(pt);
            }
        }
    }
    return out;
}

/// Metres -> pixels of one panel.
struct Frame {
    Rect area;          ///< the map area in pixels
    geom::Envelope ext; ///< metres shown (centred in area)
    double scale = 1;   ///< pixels per metre
    double px(double x) const { return area.x + area.w / 2 + (x - (ext.minx + ext.maxx) / 2) * scale; }
    double py(double y) const { return area.y + area.h / 2 - (y - (ext.miny + ext.maxy) / 2) * scale; }
    double mx(double px_) const { return (ext.minx + ext.maxx) / 2 + (px_ - area.x - area.w / 2) / scale; }
    double my(double py_) const { return (ext.miny + ext.maxy) / 2 - (py_ - area.y - area.h / 2) / scale; }
};

void ring_path(cairo_t* cr, const GEOSGeometry* ring, const Frame& f) {
    const GEOSContextHandle_t ctx = geom::context();
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned int n = 0;
    if (seq == nullptr || GEOSCoordSeq_getSize_r(ctx, seq, &n) == 0 || n == 0) {
        return;
    }
    for (unsigned int i = 0; i < n; ++i) {
        double x = 0;
        double y = 0;
        GEOSCoordSeq_getXY_r(ctx, seq, i, &x, &y);
        if (i == 0) {
            cairo_move_to(cr, f.px(x), f.py(y));
        } else {
            cairo_line_to(cr, f.px(x), f.py(y));
        }
    }
    cairo_close_path(cr);
}

/// Adds the polygons of g to the current path (points are left out).
void polygon_path(cairo_t* cr, const GEOSGeometry* g, const Frame& f) {
    const GEOSContextHandle_t ctx = geom::context();
    const int type = geom::type_id(g);
    if (type == GEOS_POLYGON) {
        ring_path(cr, GEOSGetExteriorRing_r(ctx, g), f);
        const int holes = GEOSGetNumInteriorRings_r(ctx, g);
        for (int i = 0; i < holes; ++i) {
            ring_path(cr, GEOSGetInteriorRingN_r(ctx, g, i), f);
        }
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < geom::num_geometries(g); ++i) {
            polygon_path(cr, geom::geometry_n(g, i), f);
        }
    }
}

class Painter {
public:
    Painter(cairo_t* cr, double unit) : m_cr(cr), m_u(unit), m_layout(pango_cairo_create_layout(cr)) {
        cairo_font_options_t* fo = cairo_font_options_create();
        cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
        PangoContext* pc = pango_layout_get_context(m_layout.get());
        pango_cairo_context_set_font_options(pc, fo);
        cairo_font_options_destroy(fo);
        pango_context_set_language(pc, pango_language_from_string("zh-cn"));
        pango_layout_context_changed(m_layout.get());
        m_font.reset(pango_font_description_new());
        pango_font_description_set_family(m_font.get(), font_family);
    }

    double u() const { return m_u; }
    cairo_t* cr() const { return m_cr; }

    /// Lays out `markup` (pango markup) at `px` pixels; returns its logical size.
    /// A `wrap` width > 0 wraps the text at that many pixels.
    Rect text(const std::string& markup, double px, bool bold = false, PangoAlignment align = PANGO_ALIGN_LEFT,
              double wrap = 0) {
        pango_layout_set_width(m_layout.get(), wrap > 0 ? static_cast<int>(wrap * PANGO_SCALE) : -1);
        pango_layout_set_wrap(m_layout.get(), PANGO_WRAP_WORD_CHAR);
        pango_font_description_set_absolute_size(m_font.get(), px * PANGO_SCALE);
        pango_font_description_set_weight(m_font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        pango_layout_set_font_description(m_layout.get(), m_font.get());
        pango_layout_set_alignment(m_layout.get(), align);
        pango_layout_set_markup(m_layout.get(), markup.c_str(), static_cast<int>(markup.size()));
        PangoRectangle logical;
        pango_layout_get_pixel_extents(m_layout.get(), nullptr, &logical);
        return {0, 0, static_cast<double>(logical.width), static_cast<double>(logical.height)};
    }
    /// Draws the last laid-out text with its top-left corner at (x, y).
    void show(double x, double y, Rgb colour, double halo = 0) {
        cairo_t* cr = m_cr;
        cairo_save(cr);
        cairo_move_to(cr, x, y);
        if (halo > 0) {
            pango_cairo_layout_path(cr, m_layout.get());
            cairo_set_line_width(cr, halo);
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
            cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
            cairo_stroke(cr);
            cairo_move_to(cr, x, y);
        }
        set(cr, colour);
        pango_cairo_show_layout(cr, m_layout.get());
        cairo_restore(cr);
    }
    /// Lays out and draws; returns the box drawn.
    Rect put(const std::string& markup, double x, double y, double px, Rgb colour, bool bold = false, double wrap = 0) {
        Rect r = text(markup, px, bold, PANGO_ALIGN_LEFT, wrap);
        show(x, y, colour);
        r.x = x;
        r.y = y;
        return r;
    }

private:
    cairo_t* m_cr;
    double m_u;
    LayoutPtr m_layout;
    FontPtr m_font;
};

std::string escape(const std::string& s) {
    gchar* e = g_markup_escape_text(s.c_str(), static_cast<gssize>(s.size()));
    std::string out(e);
    g_free(e);
    return out;
}

/// Draws the features of one panel inside f.area; returns zone labels drawn.
std::size_t draw_features(Painter& p, const Projected& pv, const Frame& f) {
    cairo_t* cr = p.cr();
    const double u = p.u();
    const View& v = *pv.view;
    cairo_save(cr);
    cairo_rectangle(cr, f.area.x, f.area.y, f.area.w, f.area.h);
    cairo_clip(cr);
    set(cr, background);
    cairo_paint(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);

    // Micro-grids (or plan zones), filled by band.
    for (const auto& s : pv.zones) {
        cairo_new_path(cr);
        polygon_path(cr, s.g.get(), f);
        set(cr, hex(detail::band_colour(v.band(s.zone->households))), zone_alpha);
        cairo_fill_preserve(cr);
        set(cr, zone_line, 0.9);
        cairo_set_line_width(cr, 1.0 * u);
        cairo_stroke(cr);
    }
    // Buildings: footprints, or dots where only a location is known.
    for (const auto& b : pv.buildings) {
        cairo_new_path(cr);
        if (geom::type_id(b.get()) == GEOS_POINT) {
            const geom::Point pt = geom::point_xy(b.get());
            cairo_arc(cr, f.px(pt.x), f.py(pt.y), 2.5 * u, 0, 2 * pi);
        } else {
            polygon_path(cr, b.get(), f);
        }
        set(cr, building_fill, 0.88);
        cairo_fill_preserve(cr);
        set(cr, building_line);
        cairo_set_line_width(cr, 0.5 * u);
        cairo_stroke(cr);
    }
    // Grid outlines: neighbours dashed and grey, the grids of the view black and thick.
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& s : pv.grids) {
            if (s.zone->context != (pass == 0)) {
                continue;
            }
            cairo_new_path(cr);
            polygon_path(cr, s.g.get(), f);
            if (s.zone->context) {
                const double dash[] = {6 * u, 4 * u};
                cairo_set_dash(cr, dash, 2, 0);
                set(cr, context_line);
                cairo_set_line_width(cr, 1.5 * u);
            } else {
                cairo_set_dash(cr, nullptr, 0, 0);
                set(cr, grid_line);
                cairo_set_line_width(cr, 3.0 * u);
            }
            cairo_stroke(cr);
        }
    }
    cairo_set_dash(cr, nullptr, 0, 0);

    // Labels, each wholly inside its zone (the four corners of its box) and over no other label:
    // micro-grid labels when nearly all of them fit, else grid names (zoomed-out views), never
    // a scattering of both that leaves the reader guessing which zones are unlabelled.
    struct Placed {
        std::string markup;
        double size = 0;
        bool bold = false;
        Rect r;
    };
    std::vector<Rect> taken;
    auto fit = [&](const Projected::Shape& s, const std::vector<std::string>& markups, double size,
                   bool bold) -> std::optional<Placed> {
        if (!s.label) {
            return std::nullopt;
        }
        for (const auto& markup : markups) {
            for (const double k : {1.0, 0.85}) {
                Rect r = p.text(markup, size * k * u, bold, PANGO_ALIGN_CENTER);
                r.x = f.px(s.label->x) - r.w / 2;
                r.y = f.py(s.label->y) - r.h / 2;
                const Rect padded{r.x - 2 * u, r.y - u, r.w + 4 * u, r.h + 2 * u};
                bool inside = padded.x >= f.area.x && padded.y >= f.area.y && padded.x + padded.w <= f.area.x + f.area.w &&
                              padded.y + padded.h <= f.area.y + f.area.h;
                for (const auto& [cx, cy] : {std::pair{padded.x, padded.y}, std::pair{padded.x + padded.w, padded.y},
                                             std::pair{padded.x, padded.y + padded.h},
                                             std::pair{padded.x + padded.w, padded.y + padded.h}}) {
                    inside = inside && geom::contains_xy(s.prepared.get(), f.mx(cx), f.my(cy));
                }
                if (inside && std::none_of(taken.begin(), taken.end(), [&](const Rect& t) { return t.overlaps(padded); })) {
                    taken.push_back(padded);
                    return Placed{markup, size * k * u, bold, r};
                }
            }
        }
        return std::nullopt;
    };
    std::vector<Placed> labels;
    std::set<std::string> labelled; // grids with zone labels
    std::size_t wanted = 0;
    for (const auto& s : pv.zones) {
        wanted += s.label ? 1 : 0;
        const std::string markup = "<b>" + escape(detail::short_code(s.zone->code)) + "</b>\n" +
                                   detail::thousands(s.zone->households) + " 户";
        if (auto pl = fit(s, {markup}, 13.0, false)) {
            labels.push_back(std::move(*pl));
            labelled.insert(s.zone->parent_code);
        }
    }
    if (static_cast<double>(labels.size()) < 0.8 * static_cast<double>(wanted)) {
        labels.clear();
        labelled.clear();
        taken.clear();
    }
    const std::size_t drawn = labels.size();
    for (const auto& s : pv.grids) {
        if (s.zone->context || labelled.count(s.zone->code) > 0) {
            continue;
        }
        // Grid names repeat from one community to the next: the code goes with them where it fits.
        const std::string name = escape(s.zone->name.empty() ? s.zone->code : s.zone->name);
        std::vector<std::string> markups{name};
        if (!s.zone->name.empty()) {
            markups.insert(markups.begin(), name + "\n<small>" + escape(s.zone->code) + "</small>");
        }
        if (auto pl = fit(s, markups, 14.0, true)) {
            labels.push_back(std::move(*pl));
        }
    }
    for (const auto& l : labels) {
        p.text(l.markup, l.size, l.bold, PANGO_ALIGN_CENTER);
        p.show(l.r.x, l.r.y, hex("#111111"), 3.0 * u);
    }

    // Validation findings on top.
    for (const auto& [e, pt] : pv.errors) {
        const double x = f.px(pt.x);
        const double y = f.py(pt.y);
        cairo_new_path(cr);
        cairo_arc(cr, x, y, 7.5 * u, 0, 2 * pi);
        set(cr, e->severity == "warning" ? warning_fill : error_fill);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 2 * u);
        cairo_stroke(cr);
        const Rect r = p.text("<b>!</b>", 11 * u, true, PANGO_ALIGN_CENTER);
        p.show(x - r.w / 2, y - r.h / 2, {1, 1, 1});
    }
    cairo_restore(cr);
    // Frame.
    cairo_rectangle(cr, f.area.x, f.area.y, f.area.w, f.area.h);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.5);
    cairo_set_line_width(cr, 1.0 * u);
    cairo_stroke(cr);
    return drawn;
}

/// 1, 2, 2.5 or 5 times a power of ten, at most `metres`.
double nice_length(double metres) {
    const double p = std::pow(10.0, std::floor(std::log10(metres)));
    for (const double k : {5.0, 2.5, 2.0, 1.0}) {
        if (k * p <= metres) {
            return k * p;
        }
    }
    return p;
}

/// "25", "0.5": a scale-bar tick in the unit of the bar's end.
std::string tick_text(double m, bool km) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", km ? m / 1000 : m);
    return buf;
}

struct LegendCounts {
    std::size_t bands[3] = {0, 0, 0};
    std::size_t buildings = 0;
    std::size_t errors = 0;
    std::size_t elsewhere = 0;
};

LegendCounts legend_counts(const View& v) {
    LegendCounts c;
    c.bands[0] = v.zones_in(Band::under);
    c.bands[1] = v.zones_in(Band::within);
    c.bands[2] = v.zones_in(Band::over);
    c.buildings = v.buildings.size();
    c.errors = v.errors.size();
    c.elsewhere = v.errors_elsewhere;
    return c;
}

/// North arrow centred at the top of the sidebar, turned to true north; returns the height used.
double draw_north_arrow(Painter& p, const Rect& side, double north) {
    cairo_t* cr = p.cr();
    const double u = p.u();
    const double r = 26 * u;
    const double cx = side.x + side.w / 2;
    const double cy = side.y + 4 * u + r;
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, r, 0, 2 * pi);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
    cairo_set_line_width(cr, 1.0 * u);
    cairo_stroke(cr);
    cairo_save(cr);
    cairo_translate(cr, cx, cy + 5 * u);
    cairo_rotate(cr, north);
    const double tip = 15 * u;
    const double w = 7 * u;
    // Two-tone arrow: west half dark, east half light.
    cairo_move_to(cr, 0, -tip);
    cairo_line_to(cr, -w, tip * 0.6);
    cairo_line_to(cr, 0, tip * 0.3);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_fill(cr);
    cairo_move_to(cr, 0, -tip);
    cairo_line_to(cr, w, tip * 0.6);
    cairo_line_to(cr, 0, tip * 0.3);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.0 * u);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    cairo_restore(cr);
    const Rect n = p.text("<b>N</b>", 11 * u, true);
    p.show(cx - n.w / 2, cy - r + 1 * u, hex("#111111"));
    return 8 * u + 2 * r;
}

/// The legend from `y` down in the sidebar; `before` is set for side-by-side pictures (counts
/// "before → after"). Returns the height used.
double draw_legend(Painter& p, const Rect& side, double y0, const View& v, const LegendCounts& now,
                   const LegendCounts* before, bool context, bool report) {
    cairo_t* cr = p.cr();
    const double u = p.u();
    const double size = 13.5 * u;
    const double sw_w = 26 * u;
    const double sw_h = 15 * u;
    const double row_h = 23 * u;
    auto count = [&](std::size_t n, std::size_t b) {
        return before == nullptr ? std::to_string(n) : std::to_string(b) + " → " + std::to_string(n);
    };
    struct Row {
        int kind; // 0 band, 1 grid line, 2 context line, 3 building, 4 error
        std::string text;
        std::string n;
        Rgb colour{0, 0, 0};
    };
    std::vector<Row> rows;
    const Band bands[3] = {Band::under, Band::within, Band::over};
    for (int i = 0; i < 3; ++i) {
        rows.push_back({0, detail::band_label(v, bands[i]), count(now.bands[i], before ? before->bands[i] : 0),
                        hex(detail::band_colour(bands[i]))});
    }
    rows.push_back({1, "网格边界", "", {}});
    if (context) {
        rows.push_back({2, "相邻网格", "", {}});
    }
    rows.push_back({3, "楼栋", count(now.buildings, before ? before->buildings : 0), {}});
    if (report) {
        rows.push_back({4, "校验错误", count(now.errors, before ? before->errors : 0), error_fill});
    }

    double y = y0;
    y += p.put("<b>" + escape(v.zone_title) + "</b>", side.x, y, size * 1.1, hex("#111111"), true, side.w).h + 6 * u;
    for (const auto& r : rows) {
        const double sx = side.x;
        const double sy = y + (row_h - sw_h) / 2;
        cairo_new_path(cr);
        switch (r.kind) {
        case 0:
            cairo_rectangle(cr, sx, sy, sw_w, sw_h);
            set(cr, background);
            cairo_fill_preserve(cr);
            set(cr, r.colour, zone_alpha);
            cairo_fill_preserve(cr);
            set(cr, zone_line);
            cairo_set_line_width(cr, 1.0 * u);
            cairo_stroke(cr);
            break;
        case 1:
        case 2:
            cairo_move_to(cr, sx, sy + sw_h / 2);
            cairo_line_to(cr, sx + sw_w, sy + sw_h / 2);
            if (r.kind == 2) {
                const double dash[] = {6 * u, 4 * u};
                cairo_set_dash(cr, dash, 2, 0);
                set(cr, context_line);
                cairo_set_line_width(cr, 1.5 * u);
            } else {
                set(cr, grid_line);
                cairo_set_line_width(cr, 3 * u);
            }
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0);
            break;
        case 3:
            cairo_rectangle(cr, sx + 5 * u, sy, sw_w - 10 * u, sw_h);
            set(cr, building_fill);
            cairo_fill_preserve(cr);
            set(cr, building_line);
            cairo_set_line_width(cr, 0.5 * u);
            cairo_stroke(cr);
            break;
        default:
            cairo_arc(cr, sx + sw_w / 2, sy + sw_h / 2, 7 * u, 0, 2 * pi);
            set(cr, r.colour);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_set_line_width(cr, 1.5 * u);
            cairo_stroke(cr);
            break;
        }
        const Rect t = p.text(escape(r.text), size);
        p.show(sx + sw_w + 9 * u, y + (row_h - t.h) / 2, hex("#111111"));
        if (!r.n.empty()) {
            const Rect nt = p.text(r.n, size);
            p.show(side.x + side.w - nt.w, y + (row_h - nt.h) / 2, hex("#444444"));
        }
        y += row_h;
    }
    y += 6 * u;
    std::vector<std::string> notes;
    if (report && now.elsewhere > 0) {
        notes.push_back("另有 " + std::to_string(now.elsewhere) + " 条校验错误不在本图范围内");
    }
    notes.push_back(v.zone_layer == "plan_zone" ? "标注：方案微网格序号（编码后三位）与户数"
                                                : "标注：微网格序号（编码后三位）与户数");
    for (const auto& n : notes) {
        y += p.put(escape(n), side.x, y, 11 * u, hex("#555555"), false, side.w).h + 2 * u;
    }
    return y - y0;
}

/// Scale bar, projection and maker at the bottom of the sidebar.
double draw_scale_bar(Painter& p, const Rect& side, const Frame& f, const std::string& projection) {
    cairo_t* cr = p.cr();
    const double u = p.u();
    const double len_m = nice_length(side.w * 0.8 / f.scale);
    const double len_px = len_m * f.scale;
    const bool km = len_m >= 1000;
    const double bar_h = 7 * u;
    const double label_size = 12 * u;
    const Rect proj = p.text(escape(projection), 10.5 * u, false, PANGO_ALIGN_LEFT, side.w);
    const Rect maker = p.text("gridkit " GRIDKIT_VERSION, 10.5 * u);
    const Rect tick = p.text("0", label_size);
    const double h = tick.h + 3 * u + bar_h + 8 * u + proj.h + 2 * u + maker.h;
    const double x0 = side.x + p.text("0", label_size).w / 2;
    double y = side.y + side.h - h;
    // Ticks over the bar: 0, half, and the end with the unit.
    const std::string end = tick_text(len_m, km) + (km ? " km" : " m");
    p.put("0", x0 - tick.w / 2, y, label_size, hex("#111111"));
    const std::string mid = tick_text(len_m / 2, km);
    p.put(mid, x0 + len_px / 2 - p.text(mid, label_size).w / 2, y, label_size, hex("#111111"));
    p.put(end, x0 + len_px - p.text(tick_text(len_m, km), label_size).w / 2, y, label_size, hex("#111111"));
    y += tick.h + 3 * u;
    for (int i = 0; i < 4; ++i) {
        cairo_rectangle(cr, x0 + len_px * i / 4, y, len_px / 4, bar_h);
        if (i % 2 == 0) {
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        } else {
            cairo_set_source_rgb(cr, 1, 1, 1);
        }
        cairo_fill(cr);
    }
    cairo_rectangle(cr, x0, y, len_px, bar_h);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.0 * u);
    cairo_stroke(cr);
    y += bar_h + 8 * u;
    y += p.put(escape(projection), side.x, y, 10.5 * u, hex("#555555"), false, side.w).h + 2 * u;
    p.put("gridkit " GRIDKIT_VERSION, side.x, y, 10.5 * u, hex("#888888"));
    return len_m;
}

/// Title block of a panel at the top of `r`, wrapped to the panel's width; returns its height.
double draw_title(Painter& p, const Rect& r, const View& v) {
    const double u = p.u();
    const double pad = 12 * u;
    const double wrap = r.w - 2 * pad;
    const std::string title = "<b>" + escape(v.title) + "</b>";
    const Rect t = p.put(title, r.x + pad, r.y + pad, 22 * u, hex("#111111"), true, wrap);
    // The subtitle breaks only between its items ("4 micro-grids · 325 户 · 12 楼栋").
    std::string subtitle;
    for (std::size_t at = 0; at <= v.subtitle.size();) {
        const std::size_t sep = std::min(v.subtitle.find(" · ", at), v.subtitle.size());
        subtitle += (at > 0 ? " · " : "") + grid::detail::unbreakable(std::string_view(v.subtitle).substr(at, sep - at));
        at = sep + std::string_view(" · ").size();
    }
    const Rect s = p.put(escape(subtitle), r.x + pad, r.y + pad + t.h + 2 * u, 13 * u, hex("#555555"), false, wrap);
    return pad + t.h + 2 * u + s.h + pad * 0.8;
}

MapResult render(const std::vector<const View*>& views, const std::string& path, const RenderOptions& options,
                 bool overwrite) {
    options.check();
    const Format format = format_of(path);
    if (format == Format::html) {
        throw usage_error("-o " + path + ": side-by-side maps are pictures", "name the output .png or .svg");
    }
    geom::Envelope all = views.front()->extent;
    for (const View* v : views) {
        all.expand(v->extent);
        if (v->srid != views.front()->srid) {
            throw usage_error("the views to draw side by side come from workspaces in different CRSs");
        }
    }
    const Projection proj = make_projection(views.front()->srid, all);
    std::vector<Projected> projected;
    for (const View* v : views) {
        projected.push_back(project(*v, proj));
    }
    geom::Envelope ext = projected.front().extent;
    for (const auto& pv : projected) {
        ext.expand(pv.extent);
    }
    // A little air around the features; a point-sized view gets 50 m either way.
    const double size = std::max(ext.width(), ext.height());
    const double pad = std::max(size * 0.03, 50.0 - size / 2);
    ext = {ext.minx - pad, ext.miny - pad, ext.maxx + pad, ext.maxy + pad};

    const int width = options.width;
    const int height = options.height;
    MapResult result;
    result.path = path;
    result.format = format;
    result.width = width;
    result.height = height;
    result.projection = proj.name;

    auto draw = [&](cairo_surface_t* surface) {
        CairoPtr cr(cairo_create(surface));
        // One unit: a pixel at 1000 px of picture; text, lines and markers scale with it.
        const double u = std::max(0.5, std::min(static_cast<double>(width), 1.33 * height) / 1333.0);
        Painter p(cr.get(), u);
        cairo_set_source_rgb(cr.get(), 1, 1, 1);
        cairo_paint(cr.get());
        // Map panels on the left, a sidebar (north arrow, legend, scale bar) on the right.
        const double margin = 12 * u;
        const double side_w = std::min(250 * u, width * 0.3);
        const double panel_w = (width - side_w - margin) / static_cast<double>(views.size());
        double top = 0;
        for (std::size_t i = 0; i < views.size(); ++i) {
            top = std::max(top, draw_title(p, {panel_w * i, 0, panel_w, static_cast<double>(height)}, *views[i]));
        }
        std::vector<Frame> frames(views.size());
        double scale = std::numeric_limits<double>::max();
        for (std::size_t i = 0; i < views.size(); ++i) {
            frames[i].area = {panel_w * i + margin, top, panel_w - (views.size() > 1 ? 1.5 : 1.0) * margin,
                              height - top - margin};
            scale = std::min(scale, std::min(frames[i].area.w / ext.width(), frames[i].area.h / ext.height()));
        }
        for (std::size_t i = 0; i < views.size(); ++i) {
            frames[i].ext = ext;
            frames[i].scale = scale;
            result.labels += draw_features(p, projected[i], frames[i]);
        }
        const Rect side{width - side_w + margin * 0.5, top, side_w - 1.5 * margin, height - top - margin};
        double y = side.y + draw_north_arrow(p, side, proj.north) + 14 * u;
        bool context = false;
        bool report = false;
        for (const View* v : views) {
            context = context || std::any_of(v->grids.begin(), v->grids.end(), [](const Zone& z) { return z.context; });
            report = report || !v->errors_report.empty();
        }
        const LegendCounts now = legend_counts(*views.back());
        const LegendCounts before = legend_counts(*views.front());
        draw_legend(p, side, y, *views.back(), now, views.size() > 1 ? &before : nullptr, context, report);
        result.scale_bar_m = draw_scale_bar(p, side, frames.front(), proj.name);
        cairo_surface_flush(surface);
    };

    detail::write_atomically(path, overwrite, [&](const std::string& tmp) {
        cairo_status_t status = CAIRO_STATUS_SUCCESS;
        if (format == Format::png) {
            SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
            if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
                throw error(path + ": cannot allocate a " + std::to_string(width) + "x" + std::to_string(height) +
                                " picture",
                            "choose a smaller --width/--height");
            }
            draw(surface.get());
            status = cairo_surface_write_to_png(surface.get(), tmp.c_str());
        } else {
            SurfacePtr surface(cairo_svg_surface_create(tmp.c_str(), width, height));
            cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PX);
            draw(surface.get());
            cairo_surface_finish(surface.get());
            status = cairo_surface_status(surface.get());
        }
        if (status != CAIRO_STATUS_SUCCESS) {
            throw io_error(path, std::string("cannot be written (") + cairo_status_to_string(status) + ")",
                           "check the free space and that the folder is writable");
        }
    });

    const View& last = *views.back();
    for (const auto& g : last.grids) {
        result.grids += g.context ? 0 : 1;
    }
    result.zones = last.zones.size();
    result.zones_under = last.zones_in(Band::under);
    result.zones_within = last.zones_in(Band::within);
    result.zones_over = last.zones_in(Band::over);
    result.buildings = last.buildings.size();
    result.errors = last.errors.size();
    result.errors_elsewhere = last.errors_elsewhere;
    return result;
}

} // namespace

MapResult write_map(const View& view, const std::string& path, const RenderOptions& options, bool overwrite) {
    if (format_of(path) == Format::html) {
        return detail::write_html(view, path, overwrite);
    }
    return render({&view}, path, options, overwrite);
}

MapResult render_side_by_side(const View& left, const View& right, const std::string& path,
                              const RenderOptions& options, bool overwrite) {
    return render({&left, &right}, path, options, overwrite);
}

} // namespace grid::map

// Private to the doorplate module: the QR symbol and the drawing of one plate on a cairo context
// whose user units are millimetres. One PlateRenderer per thread (pango contexts are not shared).
#pragma once

#include "libgrid/doorplate.hpp"

#include <cairo.h>
#include <pango/pangocairo.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace grid::doorplate::detail {

/// A QR symbol as one byte per module (1 = dark), without quiet zone.
struct QrSymbol {
    int version = 0;
    int width = 0; ///< modules per side
    std::vector<std::uint8_t> dark;
};

/// Encodes the payload (libqrencode picks numeric / alphanumeric / byte segments). ec: 'L' 'M' 'Q' 'H'.
/// Throws usage_error when the payload does not fit in a QR code.
QrSymbol encode_qr(const std::string& payload, char ec);

struct GObjectDeleter {
    void operator()(void* p) const;
};
struct FontDescDeleter {
    void operator()(PangoFontDescription* p) const { pango_font_description_free(p); }
};
struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct RegionDeleter {
    void operator()(cairo_region_t* r) const { cairo_region_destroy(r); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using RegionPtr = std::unique_ptr<cairo_region_t, RegionDeleter>;

/// Lays out and draws plates of one size. Not thread-safe: one per thread.
class PlateRenderer {
public:
    /// `vector_qr`: draw the modules as filled rectangles instead of an image (for SVG, whose
    /// viewers smooth upscaled images).
    PlateRenderer(const PlateSpec& spec, std::string title, bool vector_qr = false);
    ~PlateRenderer();
    PlateRenderer(const PlateRenderer&) = delete;
    PlateRenderer& operator=(const PlateRenderer&) = delete;

    /// Draws one plate with its trim box at (0,0)-(width,height) in the current user space
    /// (millimetres). `bleed` > 0 extends the blue ground that far beyond the trim box.
    /// `symbol` is encode_qr(payload, spec.ec_level). Fills qr_version, module_mm, address_mm and
    /// warnings of `result`. The same as draw_fixed, then draw_variable.
    void draw(cairo_t* cr, const PlateData& plate, const QrSymbol& symbol, double bleed, PlateResult& result);
    /// The parts that are the same on every plate whose QR symbol is `symbol_width` modules
    /// wide: ground, frame, title and rule.
    void draw_fixed(cairo_t* cr, int symbol_width, double bleed);
    /// The rest of the plate over draw_fixed's: QR code, address and footer lines. When `drawn`
    /// is given, adds to it the device pixels to restore from an image of the fixed parts
    /// before the next plate with a symbol as wide: those drawn on, but for the inside of the QR
    /// code's patch, which the next plate covers.
    void draw_variable(cairo_t* cr, const PlateData& plate, const QrSymbol& symbol, PlateResult& result,
                       cairo_region_t* drawn);

private:
    /// A layout at `size_mm`, bold or regular, no wrapping.
    PangoLayout* layout(PangoLayout* l, const std::string& text, double size_mm, bool bold, int width_mm);
    void check_glyphs(PangoLayout* l, const char* what, const PlateData& plate, PlateResult& result);
    void show(cairo_t* cr, PangoLayout* l, double x, double y, cairo_region_t* drawn);

    /// Where the parts of a plate go (millimetres); lays the title out when the column changes.
    struct Geometry {
        double pad = 0;
        bool compact = false;                         ///< the footer runs under the QR (label plates)
        double module = 0, patch = 0, px = 0, py = 0; ///< QR module, white patch and its top-left
        double tx = 0, tw = 0;                        ///< text column
        double title_y = 0, rule_y = 0, rule_h = 0;
    };
    Geometry geometry(int symbol_width);

    const PlateSpec& m_spec;
    std::string m_title;
    bool m_vector_qr;
    std::unique_ptr<PangoContext, GObjectDeleter> m_context;
    std::unique_ptr<PangoLayout, GObjectDeleter> m_title_layout;
    std::unique_ptr<PangoLayout, GObjectDeleter> m_address_layout;
    /// Footer lines from the bottom; consecutive plates of one grid share the grid and worker
    /// lines, so each is laid out again only when its text (or the column width) changes.
    std::array<std::unique_ptr<PangoLayout, GObjectDeleter>, 3> m_footer;
    std::array<std::string, 3> m_footer_key;
    std::unique_ptr<PangoFontDescription, FontDescDeleter> m_regular;
    std::unique_ptr<PangoFontDescription, FontDescDeleter> m_bold;
    double m_title_width = -1.0; ///< the title is the same on every plate: laid out once per column width
    PangoRectangle m_title_ink{};
};

} // namespace grid::doorplate::detail

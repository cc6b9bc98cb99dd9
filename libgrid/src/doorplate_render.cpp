// Drawing one doorplate (docs/doorplate.md, "Plate layout"): blue ground, white 黑体-style text in
// Noto Sans CJK SC, and the QR code on a white patch on the right, drawn as an image with
// nearest-neighbour filtering (1 pixel per module) so PDFs stay small and fast to write.
#include "detail/doorplate_render.hpp"
#include "detail/doorplate_text.hpp"
#include "detail/text_breaks.hpp"

#include "libgrid/error.hpp"

#include <dlfcn.h>
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace grid::doorplate {

namespace {

// Plate sizes from Tianjin's rule (design/DOORPLATE.md); the label is ours: a 100 × 70 mm
// thermal-label roll size for an indoor door or a meter box (docs/doorplate.md says why).
constexpr PlateSpec specs[] = {
    {PlateSize::large, "large", 570.0, 370.0, 120.0, 'H', 20.0},
    {PlateSize::medium, "medium", 270.0, 170.0, 75.0, 'H', 9.0},
    {PlateSize::small, "small", 150.0, 90.0, 40.0, 'H', 5.0},
    {PlateSize::label, "label", 100.0, 70.0, 40.0, 'Q', 3.5},
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace

const PlateSpec& plate_spec(PlateSize size) noexcept { return specs[static_cast<int>(size)]; }

PlateSize plate_size_from_name(std::string_view name) {
    const std::string n = lower(name);
    for (const auto& s : specs) {
        if (n == s.name) {
            return s.size;
        }
    }
    throw usage_error("unknown plate size '" + std::string(name) + "'", "use large, medium, small or label");
}

Page page_from_name(std::string_view name) {
    const std::string n = lower(name);
    if (n == "a4") {
        return Page::a4;
    }
    if (n == "a3") {
        return Page::a3;
    }
    throw usage_error("unknown page size '" + std::string(name) + "'", "use A4 or A3");
}

OutputFormat format_from_name(std::string_view name) {
    const std::string n = lower(name);
    if (n == "pdf") {
        return OutputFormat::pdf;
    }
    if (n == "svg") {
        return OutputFormat::svg;
    }
    if (n == "png") {
        return OutputFormat::png;
    }
    throw usage_error("unknown output format '" + std::string(name) + "'", "use pdf, svg or png");
}

std::string_view page_name(Page page) noexcept { return page == Page::a4 ? "A4" : "A3"; }

std::string_view format_name(OutputFormat format) noexcept {
    switch (format) {
    case OutputFormat::pdf: return "pdf";
    case OutputFormat::svg: return "svg";
    case OutputFormat::png: return "png";
    }
    return "pdf";
}

std::string_view warning_name(WarningKind kind) noexcept {
    switch (kind) {
    case WarningKind::missing_glyph: return "missing_glyph";
    case WarningKind::small_module: return "small_module";
    case WarningKind::address_too_long: return "address_too_long";
    case WarningKind::no_standard_address: return "no_standard_address";
    case WarningKind::missing_field: return "missing_field";
    }
    return "unknown";
}

std::size_t RenderReport::made() const {
    return static_cast<std::size_t>(std::count_if(plates.begin(), plates.end(), [](const auto& p) { return p.made; }));
}

std::size_t RenderReport::with_warnings() const {
    return static_cast<std::size_t>(
        std::count_if(plates.begin(), plates.end(), [](const auto& p) { return !p.warnings.empty(); }));
}

void release_font_caches() {
    pango_cairo_font_map_set_default(nullptr);
    cairo_debug_reset_static_data();
    // fontconfig is loaded with pango but not linked directly: look its FcFini up.
    using fini_fn = void (*)();
    if (auto* fini = reinterpret_cast<fini_fn>(dlsym(RTLD_DEFAULT, "FcFini"))) {
        fini();
    }
}

namespace detail {

/// The address with a WORD JOINER (U+2060) between the characters of each component, so lines
/// break only between components (泰和家园 | 1幢) where one fits a line; a component longer than
/// a line still breaks inside (PANGO_WRAP_WORD_CHAR). Components the text leaves out (the floor
/// of 702室) are skipped; the text as it is when the components do not spell it.
std::string unbreakable_parts(const std::string& text, const std::vector<std::string>& parts) {
    std::vector<std::string> used;
    std::size_t at = 0;
    for (const auto& p : parts) {
        if (!p.empty() && text.compare(at, p.size(), p) == 0) {
            used.push_back(p);
            at += p.size();
        }
    }
    if (used.empty() || at != text.size()) {
        return text;
    }
    std::string out;
    out.reserve(text.size() * 2);
    for (const auto& p : used) {
        out += grid::detail::unbreakable(p);
    }
    return out;
}

namespace {

// GB 17733 plates: blue ground, white text. The blue is dark enough for white text to reach a
// contrast ratio of about 8:1.
constexpr double blue_r = 0.0, blue_g = 0.30, blue_b = 0.62;
constexpr const char* font_family = "Noto Sans CJK SC";

double to_mm(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }
int to_pango(double mm) { return static_cast<int>(std::lround(mm * PANGO_SCALE)); }

/// True when the last line of a wrapped layout is under half as wide as the widest.
bool short_last_line(PangoLayout* l) {
    PangoRectangle last, all;
    pango_layout_line_get_extents(pango_layout_get_line_readonly(l, pango_layout_get_line_count(l) - 1), nullptr,
                                  &last);
    pango_layout_get_extents(l, nullptr, &all);
    return last.width * 2 < all.width;
}

double logical_width(PangoLayout* l) {
    PangoRectangle logical;
    pango_layout_get_extents(l, nullptr, &logical);
    return to_mm(logical.width);
}

std::string code_point_list(const std::vector<gunichar>& cps) {
    std::string out;
    for (std::size_t i = 0; i < cps.size() && i < 5; ++i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%sU+%04X", i == 0 ? "" : " ", static_cast<unsigned>(cps[i]));
        out += buf;
    }
    if (cps.size() > 5) {
        out += " …";
    }
    return out;
}

void rounded_rect(cairo_t* cr, double x, double y, double w, double h, double r) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
    cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

/// Adds the device pixels under a user-space rectangle to `drawn`, with one more all round for
/// anti-aliasing.
void mark_drawn(cairo_t* cr, double x, double y, double w, double h, cairo_region_t* drawn) {
    double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
    for (double cx : {x, x + w}) {
        for (double cy : {y, y + h}) {
            double dx = cx, dy = cy;
            cairo_user_to_device(cr, &dx, &dy);
            x0 = std::min(x0, dx);
            y0 = std::min(y0, dy);
            x1 = std::max(x1, dx);
            y1 = std::max(y1, dy);
        }
    }
    const int left = static_cast<int>(std::floor(x0)) - 1, top = static_cast<int>(std::floor(y0)) - 1;
    const cairo_rectangle_int_t r = {left, top, static_cast<int>(std::ceil(x1)) + 1 - left,
                                     static_cast<int>(std::ceil(y1)) + 1 - top};
    cairo_region_union_rectangle(drawn, &r);
}

} // namespace

QrSymbol encode_qr(const std::string& payload, char ec) {
    QRecLevel level = QR_ECLEVEL_H;
    switch (ec) {
    case 'L': level = QR_ECLEVEL_L; break;
    case 'M': level = QR_ECLEVEL_M; break;
    case 'Q': level = QR_ECLEVEL_Q; break;
    default: level = QR_ECLEVEL_H; break;
    }
    // Case-sensitive, mode hint 8-bit: libqrencode still splits the text into numeric and
    // alphanumeric segments where they are shorter, so an upper-case URL stays small.
    QRcode* qr = QRcode_encodeString(payload.c_str(), 0, level, QR_MODE_8, 1);
    if (qr == nullptr) {
        throw usage_error("the payload (" + std::to_string(payload.size()) + " characters) does not fit in a QR code",
                          "use a shorter --url-template");
    }
    QrSymbol sym;
    sym.version = qr->version;
    sym.width = qr->width;
    const std::size_t n = static_cast<std::size_t>(qr->width) * static_cast<std::size_t>(qr->width);
    sym.dark.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        sym.dark[i] = qr->data[i] & 1U;
    }
    QRcode_free(qr);
    return sym;
}

void GObjectDeleter::operator()(void* p) const {
    if (p != nullptr) {
        g_object_unref(p);
    }
}

PlateRenderer::PlateRenderer(const PlateSpec& spec, std::string title, bool vector_qr)
    : m_spec(spec), m_title(std::move(title)), m_vector_qr(vector_qr) {
    // The default font map is per thread in pangocairo; the context is ours.
    m_context.reset(pango_font_map_create_context(pango_cairo_font_map_get_default()));
    cairo_font_options_t* options = cairo_font_options_create();
    // Unhinted metrics: the same layout at any resolution, PDF, SVG or PNG.
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(m_context.get(), options);
    cairo_font_options_destroy(options);
    pango_context_set_round_glyph_positions(m_context.get(), FALSE);
    pango_context_set_language(m_context.get(), pango_language_from_string("zh-cn"));

    m_regular.reset(pango_font_description_new());
    pango_font_description_set_family(m_regular.get(), font_family);
    pango_font_description_set_weight(m_regular.get(), PANGO_WEIGHT_NORMAL);
    m_bold.reset(pango_font_description_copy(m_regular.get()));
    pango_font_description_set_weight(m_bold.get(), PANGO_WEIGHT_BOLD);

    m_title_layout.reset(pango_layout_new(m_context.get()));
    m_address_layout.reset(pango_layout_new(m_context.get()));
    for (auto& l : m_footer) {
        l.reset(pango_layout_new(m_context.get()));
    }
    pango_layout_set_wrap(m_address_layout.get(), PANGO_WRAP_WORD_CHAR);
    // Noto CJK's line box is 1.45 em; 0.88 of it gives a baseline pitch of about 1.27 em.
    pango_layout_set_line_spacing(m_address_layout.get(), 0.88F);
}

PlateRenderer::~PlateRenderer() = default;

PangoLayout* PlateRenderer::layout(PangoLayout* l, const std::string& text, double size_mm, bool bold, int width) {
    PangoFontDescription* desc = bold ? m_bold.get() : m_regular.get();
    pango_font_description_set_absolute_size(desc, size_mm * PANGO_SCALE);
    pango_layout_set_font_description(l, desc);
    pango_layout_set_width(l, width);
    pango_layout_set_text(l, text.c_str(), static_cast<int>(text.size()));
    return l;
}

void PlateRenderer::check_glyphs(PangoLayout* l, const char* what, const PlateData& plate, PlateResult& result) {
    if (pango_layout_get_unknown_glyphs_count(l) == 0) {
        return;
    }
    std::vector<gunichar> cps;
    PangoLayoutIter* it = pango_layout_get_iter(l);
    do {
        PangoLayoutRun* run = pango_layout_iter_get_run_readonly(it);
        if (run != nullptr) {
            for (int i = 0; i < run->glyphs->num_glyphs; ++i) {
                const PangoGlyph g = run->glyphs->glyphs[i].glyph;
                if ((g & PANGO_GLYPH_UNKNOWN_FLAG) != 0U) {
                    cps.push_back(g & ~PANGO_GLYPH_UNKNOWN_FLAG);
                }
            }
        }
    } while (pango_layout_iter_next_run(it));
    pango_layout_iter_free(it);
    result.warnings.push_back(
        {WarningKind::missing_glyph, "plate " + plate.address_code + ": the " + what + " has " +
                                         std::to_string(cps.size()) + " character(s) no installed font has (" +
                                         code_point_list(cps) + "): they would print as boxes"});
}

void PlateRenderer::show(cairo_t* cr, PangoLayout* l, double x, double y, cairo_region_t* drawn) {
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    if (drawn != nullptr) {
        PangoRectangle ink;
        pango_layout_get_extents(l, &ink, nullptr);
        mark_drawn(cr, x + to_mm(ink.x), y + to_mm(ink.y), to_mm(ink.width), to_mm(ink.height), drawn);
    }
}

PlateRenderer::Geometry PlateRenderer::geometry(int symbol_width) {
    Geometry g;
    const double w = m_spec.width_mm;
    const double h = m_spec.height_mm;
    const double u = h; // proportions are fractions of the plate height
    g.pad = 0.06 * u;
    // QR on a white patch: the symbol is qr_mm wide, the 4-module quiet zone comes on top.
    // Where that would make modules under 1.0 mm (a version 6 code on the small plate's 40 mm),
    // the symbol grows to 1.0 mm modules as far as the patch still fits the plate's height: the
    // printing rule (phones read 1.0 mm modules at arm's length) weighs more than the nominal
    // size of Tianjin's table.
    const int total = symbol_width + 8;
    // A label is too narrow for the footer beside the QR: there the footer runs under it, full
    // width, and the QR sits at the top.
    g.compact = m_spec.size == PlateSize::label;
    const double largest_patch = g.compact ? 0.62 * h : h - 2 * g.pad;
    g.module = std::max(m_spec.qr_mm / symbol_width, std::min(1.0, largest_patch / total));
    g.patch = g.module * total;
    g.px = w - g.pad - g.patch;
    g.py = g.compact ? g.pad : (h - g.patch) / 2;

    // Text column left of the QR.
    g.tx = g.pad;
    g.tw = g.px - 0.05 * u - g.pad;
    // Title: one line, shrunk to the column width if needed; its ink top at the padding.
    PangoLayout* title = m_title_layout.get();
    if (m_title_width != g.tw) {
        PangoRectangle ink, logical;
        double title_size = 0.15 * u;
        layout(title, m_title, title_size, true, -1);
        pango_layout_get_extents(title, &ink, &logical);
        if (to_mm(logical.width) > g.tw) {
            title_size *= g.tw / to_mm(logical.width);
            layout(title, m_title, title_size, true, -1);
            pango_layout_get_extents(title, &ink, &logical);
        }
        m_title_ink = ink;
        m_title_width = g.tw;
    }
    g.title_y = g.pad - to_mm(m_title_ink.y);
    g.rule_y = g.pad + to_mm(m_title_ink.height) + 0.035 * u;
    g.rule_h = 0.008 * u;
    return g;
}

void PlateRenderer::draw(cairo_t* cr, const PlateData& plate, const QrSymbol& sym, double bleed,
                         PlateResult& result) {
    draw_fixed(cr, sym.width, bleed);
    draw_variable(cr, plate, sym, result, nullptr);
}

void PlateRenderer::draw_fixed(cairo_t* cr, int symbol_width, double bleed) {
    const double w = m_spec.width_mm;
    const double h = m_spec.height_mm;
    const double u = h;
    pango_cairo_update_context(cr, m_context.get()); // before any layout
    const Geometry g = geometry(symbol_width);
    cairo_save(cr);
    // Ground, extended into the bleed on sheets.
    cairo_set_source_rgb(cr, blue_r, blue_g, blue_b);
    cairo_rectangle(cr, -bleed, -bleed, w + 2 * bleed, h + 2 * bleed);
    cairo_fill(cr);
    // The white frame line of GB 17733 plates.
    cairo_set_source_rgb(cr, 1, 1, 1);
    const double inset = 0.028 * u;
    cairo_set_line_width(cr, 0.007 * u);
    rounded_rect(cr, inset, inset, w - 2 * inset, h - 2 * inset, 0.04 * u);
    cairo_stroke(cr);
    show(cr, m_title_layout.get(), g.tx, g.title_y, nullptr);
    cairo_rectangle(cr, g.tx, g.rule_y, g.tw, g.rule_h);
    cairo_fill(cr);
    cairo_restore(cr);
}

void PlateRenderer::draw_variable(cairo_t* cr, const PlateData& plate, const QrSymbol& sym, PlateResult& result,
                                  cairo_region_t* drawn) {
    const double w = m_spec.width_mm;
    const double h = m_spec.height_mm;
    const double u = h;                              // proportions below are fractions of the plate height
    pango_cairo_update_context(cr, m_context.get()); // before any layout
    const Geometry g = geometry(sym.width);
    const double module = g.module, px = g.px, py = g.py;
    const int total = sym.width + 8;

    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    result.qr_version = sym.version;
    result.module_mm = module;
    if (module < 1.0) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "plate %s: QR module %.2f mm is under 1.0 mm (%s plate, version %d, level %c): phones may not "
                      "read it at arm's length; use a larger size or a shorter --url-template",
                      plate.address_code.c_str(), module, std::string(m_spec.name).c_str(), sym.version,
                      m_spec.ec_level);
        result.warnings.push_back({WarningKind::small_module, buf});
    }
    if (m_vector_qr) {
        cairo_rectangle(cr, px, py, g.patch, g.patch);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        // One path of horizontal runs: no seams between modules in any rasteriser.
        for (int y = 0; y < sym.width; ++y) {
            int x = 0;
            while (x < sym.width) {
                if (sym.dark[static_cast<std::size_t>(y) * sym.width + x] == 0) {
                    ++x;
                    continue;
                }
                const int start = x;
                while (x < sym.width && sym.dark[static_cast<std::size_t>(y) * sym.width + x] != 0) {
                    ++x;
                }
                cairo_rectangle(cr, px + (start + 4) * module, py + (y + 4) * module, (x - start) * module, module);
            }
        }
        cairo_fill(cr);
    } else {
        SurfacePtr img(cairo_image_surface_create(CAIRO_FORMAT_RGB24, total, total));
        cairo_surface_flush(img.get());
        unsigned char* data = cairo_image_surface_get_data(img.get());
        const int stride = cairo_image_surface_get_stride(img.get());
        for (int y = 0; y < total; ++y) {
            auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
            for (int x = 0; x < total; ++x) {
                const int mx = x - 4, my = y - 4;
                const bool dark = mx >= 0 && my >= 0 && mx < sym.width && my < sym.width &&
                                  sym.dark[static_cast<std::size_t>(my) * sym.width + mx] != 0;
                row[x] = dark ? 0x000000U : 0xFFFFFFU;
            }
        }
        cairo_surface_mark_dirty(img.get());
        cairo_save(cr);
        cairo_translate(cr, px, py);
        cairo_scale(cr, module, module);
        cairo_set_source_surface(cr, img.get(), 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
        cairo_rectangle(cr, 0, 0, total, total);
        cairo_fill(cr);
        cairo_restore(cr);
    }

    if (drawn != nullptr) {
        // The next plate's patch covers this one but for its anti-aliased edges, which blend
        // with what is under them.
        for (const double x : {px, px + g.patch}) {
            mark_drawn(cr, x, py, 0, g.patch, drawn);
        }
        for (const double y : {py, py + g.patch}) {
            mark_drawn(cr, px, y, g.patch, 0, drawn);
        }
    }

    const double tx = g.tx;
    const double tw = g.tw;
    const int tw_pango = to_pango(tw);
    PangoRectangle ink, logical;
    cairo_set_source_rgb(cr, 1, 1, 1);
    // The title is drawn with the fixed parts; its glyphs are checked on every plate, which
    // lists its own warnings.
    check_glyphs(m_title_layout.get(), "title", plate, result);

    // Footer lines, bottom up from the padding: address code, grid, grid worker.
    const double line_size = 0.052 * u;
    const double pitch = 1.45 * line_size;
    const double footer_w = g.compact ? w - 2 * g.pad : tw;
    struct FooterLine {
        std::string text;
        std::string bare; ///< the text without its caption, when the caption does not fit
        const char* what;
    };
    std::vector<FooterLine> lines;
    lines.push_back({"地址编码 " + plate.address_code, plate.address_code, "address code"});
    std::string worker;
    if (!plate.worker_name.empty() || !plate.worker_phone.empty()) {
        worker = "网格员 " + plate.worker_name;
        if (!plate.worker_phone.empty()) {
            worker += (plate.worker_name.empty() ? "" : "  ") + plate.worker_phone;
        }
    }
    if (g.compact) {
        std::string both = plate.grid_name.empty() ? std::string() : "网格 " + plate.grid_name;
        both += (both.empty() || worker.empty() ? "" : "  ") + worker;
        if (!both.empty()) {
            lines.push_back({both, "", "grid and grid worker line"});
        }
    } else {
        if (!plate.grid_name.empty()) {
            lines.push_back({"网格 " + plate.grid_name, "", "grid name"});
        }
        if (!worker.empty()) {
            lines.push_back({worker, "", "grid worker line"});
        }
    }
    double baseline = h - g.pad - 0.16 * line_size;
    double footer_top = baseline;
    std::size_t slot = 0;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it, ++slot) {
        PangoLayout* line = m_footer[slot].get();
        std::string key = it->text + '\n' + std::to_string(footer_w);
        if (key != m_footer_key[slot]) {
            double size = line_size;
            layout(line, it->text, size, false, -1);
            double fit = footer_w / logical_width(line);
            if (fit < 0.8 && !it->bare.empty()) {
                // Too narrow for the caption at a readable size: the digits alone.
                layout(line, it->bare, size, false, -1);
                fit = footer_w / logical_width(line);
            }
            if (fit < 1.0) {
                size *= fit;
                pango_font_description_set_absolute_size(m_regular.get(), size * PANGO_SCALE);
                pango_layout_set_font_description(line, m_regular.get());
            }
            m_footer_key[slot] = std::move(key);
        }
        check_glyphs(line, it->what, plate, result);
        show(cr, line, tx, baseline - to_mm(pango_layout_get_baseline(line)), drawn);
        footer_top = baseline - 0.9 * line_size;
        baseline -= pitch;
    }
    if (plate.grid_name.empty()) {
        result.warnings.push_back({WarningKind::missing_field, "plate " + plate.address_code + ": no grid name"});
    }
    if (worker.empty()) {
        result.warnings.push_back(
            {WarningKind::missing_field, "plate " + plate.address_code + ": no grid worker (service contact)"});
    }

    // The address fills the box between the rule and the footer: wrapped, shrunk until it fits.
    const double box_top = g.rule_y + g.rule_h + 0.04 * u;
    const double box_h = footer_top - 0.05 * u - box_top;
    std::string address = unbreakable_parts(plate.address_text, plate.address_parts);
    if (address.empty()) {
        address = "（无标准地址文本）";
        result.warnings.push_back({WarningKind::missing_field,
                                   "plate " + plate.address_code + ": the address code has no address text"});
    }
    PangoLayout* addr = m_address_layout.get();
    pango_layout_set_ellipsize(addr, PANGO_ELLIPSIZE_NONE);
    pango_layout_set_height(addr, -1);
    const double floor_size = 0.75 * m_spec.min_address_mm;
    double size = 0.1 * u;
    bool fits = false;
    while (true) {
        layout(addr, address, size, true, tw_pango);
        pango_layout_get_extents(addr, &ink, &logical);
        fits = to_mm(logical.height) <= box_h && to_mm(logical.width) <= tw + 1e-6;
        if (fits || size * 0.93 < floor_size) {
            break;
        }
        size *= 0.93;
    }
    result.address_mm = size;
    if (fits && pango_layout_get_line_count(addr) > 1 && short_last_line(addr)) {
        // Even out the lines so that no lone character or two ends the address: the narrowest
        // width (in a few steps) that keeps the same number of lines.
        const int n = pango_layout_get_line_count(addr);
        pango_layout_set_width(addr, -1);
        const double one_line = logical_width(addr);
        int chosen = tw_pango;
        for (double f = 1.03; f < 1.3; f += 0.05) {
            const int width = to_pango(std::min(tw, one_line / n * f));
            pango_layout_set_width(addr, width);
            if (pango_layout_get_line_count(addr) == n) {
                chosen = width;
                break;
            }
        }
        pango_layout_set_width(addr, chosen);
        pango_layout_get_extents(addr, &ink, &logical);
    }
    if (!fits) {
        pango_layout_set_ellipsize(addr, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(addr, to_pango(box_h));
        pango_layout_get_extents(addr, &ink, &logical);
        char buf[160];
        std::snprintf(buf, sizeof buf, "plate %s: the address does not fit the %s plate even at %.1f mm: it is cut off",
                      plate.address_code.c_str(), std::string(m_spec.name).c_str(), size);
        result.warnings.push_back({WarningKind::address_too_long, buf});
    } else if (size < m_spec.min_address_mm) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "plate %s: the address is shrunk to %.1f mm, under the %.1f mm minimum of a %s plate",
                      plate.address_code.c_str(), size, m_spec.min_address_mm, std::string(m_spec.name).c_str());
        result.warnings.push_back({WarningKind::address_too_long, buf});
    }
    check_glyphs(addr, "address", plate, result);
    show(cr, addr, tx, box_top + (box_h - to_mm(logical.height)) / 2 - to_mm(logical.y), drawn);
    cairo_restore(cr);
}

} // namespace detail

} // namespace grid::doorplate

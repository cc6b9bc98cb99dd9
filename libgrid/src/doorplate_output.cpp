// Writing plates: PDF sheets (A4 / A3, as many plates per page as fit, 3 mm bleed, crop marks),
// or a folder of SVG / PNG files, one per plate, rendered on every core. PNGs go through
// detail/png_write, which deflates a plate's runs itself: through libpng, zlib took more time
// than anything else, and cairo's own PNG writer three times as much.
#include "detail/doorplate_render.hpp"
#include "detail/parallel.hpp"
#include "detail/png_write.hpp"

#include "libgrid/error.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace grid::doorplate {

namespace {

constexpr double pt_per_mm = 72.0 / 25.4;

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string house_list(const std::vector<std::string>& houses) {
    if (houses.empty()) {
        return "a house";
    }
    std::string out = "house " + houses.front();
    if (houses.size() > 1) {
        out += " (and " + std::to_string(houses.size() - 1) + " more)";
    }
    return out;
}

/// Where plates go on a sheet.
struct SheetLayout {
    double page_w = 0, page_h = 0; ///< mm
    int cols = 0, rows = 0;
    double x0 = 0, y0 = 0;         ///< top-left of the first cell
    double cell_w = 0, cell_h = 0; ///< plate + bleed + crop marks on each side
    bool custom = false;           ///< the plate did not fit the page: one plate per page of its own size
};

SheetLayout sheet_layout(const PlateSpec& spec, Page page) {
    const double slug = bleed_mm + crop_mark_mm;
    SheetLayout s;
    s.cell_w = spec.width_mm + 2 * slug;
    s.cell_h = spec.height_mm + 2 * slug;
    const double short_side = page == Page::a4 ? 210.0 : 297.0;
    const double long_side = page == Page::a4 ? 297.0 : 420.0;
    int best = 0;
    for (int landscape = 0; landscape < 2; ++landscape) {
        const double pw = landscape != 0 ? long_side : short_side;
        const double ph = landscape != 0 ? short_side : long_side;
        const int cols = static_cast<int>((pw - 2 * page_margin_mm) / s.cell_w);
        const int rows = static_cast<int>((ph - 2 * page_margin_mm) / s.cell_h);
        if (cols * rows > best) {
            best = cols * rows;
            s.page_w = pw;
            s.page_h = ph;
            s.cols = cols;
            s.rows = rows;
        }
    }
    if (best == 0) {
        s.custom = true;
        s.page_w = s.cell_w;
        s.page_h = s.cell_h;
        s.cols = s.rows = 1;
    }
    s.x0 = (s.page_w - s.cols * s.cell_w) / 2;
    s.y0 = (s.page_h - s.rows * s.cell_h) / 2;
    return s;
}

void crop_marks(cairo_t* cr, const PlateSpec& spec) {
    const double w = spec.width_mm, h = spec.height_mm;
    const double a = bleed_mm, b = bleed_mm + crop_mark_mm;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.1);
    for (double x : {0.0, w}) {
        for (double y : {0.0, h}) {
            const double sx = x == 0.0 ? -1.0 : 1.0, sy = y == 0.0 ? -1.0 : 1.0;
            cairo_move_to(cr, x + sx * a, y);
            cairo_line_to(cr, x + sx * b, y);
            cairo_move_to(cr, x, y + sy * a);
            cairo_line_to(cr, x, y + sy * b);
        }
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

cairo_status_t write_to_file(void* closure, const unsigned char* data, unsigned int length) {
    return std::fwrite(data, 1, length, static_cast<std::FILE*>(closure)) == length ? CAIRO_STATUS_SUCCESS
                                                                                    : CAIRO_STATUS_WRITE_ERROR;
}

/// A plate has three colours and the anti-aliased blends between two of them: ground to white
/// (text, frame) and black to white (QR). Such an image is stored as a 4-bit palette PNG of
/// those two ramps (8 steps each), a sixth of the RGB data; any other colour falls back to RGB.
class PlatePalette {
public:
    static constexpr int steps = 8; // 16 colours: a 4-bit PNG, half the bytes of an 8-bit one

    explicit PlatePalette(std::uint32_t ground) {
        m_ground[0] = static_cast<int>((ground >> 16) & 0xFFU);
        m_ground[1] = static_cast<int>((ground >> 8) & 0xFFU);
        m_ground[2] = static_cast<int>(ground & 0xFFU);
        // The channel that changes most along the ground-to-white ramp says where a pixel is on it.
        m_channel = 0;
        for (int c = 1; c < 3; ++c) {
            if (m_ground[c] < m_ground[m_channel]) {
                m_channel = c;
            }
        }
        m_colors.resize(std::size_t{3} * 2 * steps);
        for (int i = 0; i < steps; ++i) {
            std::uint8_t* ramp = &m_colors[3 * static_cast<std::size_t>(i)];
            std::uint8_t* grey = &m_colors[3 * static_cast<std::size_t>(steps + i)];
            for (int c = 0; c < 3; ++c) {
                ramp[c] = blend(m_ground[c], i);
                grey[c] = static_cast<std::uint8_t>(std::lround(255.0 * i / (steps - 1)));
            }
        }
        const int span = 255 - m_ground[m_channel];
        for (int v = 0; v < 256; ++v) {
            m_grey_index[v] = static_cast<std::uint8_t>(steps + std::lround(v * (steps - 1) / 255.0));
            m_ramp_index[v] = static_cast<std::uint8_t>(
                span <= 0
                    ? 0
                    : std::clamp<long>(std::lround((v - m_ground[m_channel]) * (steps - 1.0) / span), 0, steps - 1));
            // The colour on the ground-to-white ramp whose deciding channel is v, unquantised:
            // a pixel is on the ramp when it is near this, whatever step it is stored as.
            const double t =
                span <= 0 ? 0.0 : std::clamp((v - m_ground[m_channel]) / static_cast<double>(span), 0.0, 1.0);
            for (int c = 0; c < 3; ++c) {
                m_ideal[v][c] = static_cast<int>(std::lround(m_ground[c] + (255 - m_ground[c]) * t));
            }
        }
    }

    /// r, g, b of the 16 colours.
    const std::vector<std::uint8_t>& colors() const { return m_colors; }

    /// Maps one row of 0xXXRRGGBB words to indices, two a byte (the left pixel in the high
    /// nibble), into `out`, and writes its PNG Up filtering (each byte minus the byte above) to
    /// `filtered`; false when a pixel is on neither ramp. `above` is the row above and
    /// `above_packed` its indices, or null and zeros on the first row. Stretches equal to the row
    /// above (most of a plate: ground, and text repeats the row above) are copied, 16 pixels
    /// (a cache line) at a time; pixel pairs equal to the last pair mapped cost one comparison.
    bool pack_row(const std::uint32_t* in, const std::uint32_t* above, const std::uint8_t* above_packed,
                  std::uint8_t* out, std::uint8_t* filtered, int width) const {
        constexpr int chunk = 16;
        const auto filter = [&](int from, int to) { // pixels
            for (int k = from / 2; k < (to + 1) / 2; ++k) {
                filtered[k] = static_cast<std::uint8_t>(out[k] - above_packed[k]);
            }
        };
        LastPair last;
        int x = 0;
        for (; above != nullptr && x + chunk <= width; x += chunk) {
            std::uint32_t diff = 0;
            for (int i = 0; i < chunk; ++i) { // a fixed count: the compiler vectorises it
                diff |= in[x + i] ^ above[x + i];
            }
            if (diff == 0) {
                std::memcpy(out + x / 2, above_packed + x / 2, chunk / 2);
                std::memset(filtered + x / 2, 0, chunk / 2);
            } else {
                if (!pack_pairs(in, x, x + chunk, out, last)) {
                    return false;
                }
                filter(x, x + chunk);
            }
        }
        if (!pack_pairs(in, x, width - width % 2, out, last)) {
            return false;
        }
        if (width % 2 != 0) {
            const int index = index_of(in[width - 1]);
            if (index < 0) {
                return false;
            }
            out[width / 2] = static_cast<std::uint8_t>(index << 4);
        }
        filter(x, width);
        return true;
    }

private:
    static std::uint8_t blend(int ground, int i) {
        return static_cast<std::uint8_t>(std::lround(ground + (255 - ground) * static_cast<double>(i) / (steps - 1)));
    }

    struct LastPair {
        std::uint64_t pixels = 0;
        std::uint8_t packed = 0;
        bool valid = false;
    };

    /// Maps the pixel pairs of [from, to) (`from` even); false when a pixel is on neither ramp.
    bool pack_pairs(const std::uint32_t* in, int from, int to, std::uint8_t* out, LastPair& last) const {
        for (int x = from; x + 1 < to; x += 2) {
            std::uint64_t pair = 0;
            std::memcpy(&pair, in + x, sizeof pair);
            if (!last.valid || pair != last.pixels) {
                const int left = index_of(in[x]);
                const int right = index_of(in[x + 1]);
                if (left < 0 || right < 0) {
                    return false;
                }
                last = {pair, static_cast<std::uint8_t>((left << 4) | right), true};
            }
            out[x / 2] = last.packed;
        }
        return true;
    }

    /// The palette index of a 0xXXRRGGBB pixel, or -1 when it is on neither ramp.
    int index_of(std::uint32_t pixel) const {
        const int rgb[3] = {static_cast<int>((pixel >> 16) & 0xFFU), static_cast<int>((pixel >> 8) & 0xFFU),
                            static_cast<int>(pixel & 0xFFU)};
        if (rgb[0] == rgb[1] && rgb[1] == rgb[2]) {
            return m_grey_index[rgb[0]];
        }
        const int* c = m_ideal[rgb[m_channel]];
        if (std::abs(c[0] - rgb[0]) > 8 || std::abs(c[1] - rgb[1]) > 8 || std::abs(c[2] - rgb[2]) > 8) {
            return -1;
        }
        return m_ramp_index[rgb[m_channel]];
    }

    int m_ground[3] = {0, 0, 0};
    int m_channel = 0;
    std::vector<std::uint8_t> m_colors;
    std::uint8_t m_grey_index[256] = {};
    std::uint8_t m_ramp_index[256] = {};
    int m_ideal[256][3] = {};
};

constexpr std::uint8_t png_filter_sub = 1;
constexpr std::uint8_t png_filter_up = 2;

/// The image data of an RGB24 cairo surface (native-endian 0xXXRRGGBB words) as a 4-bit palette
/// PNG, each scanline filtered Up (stored as its difference to the one above: a row that
/// repeats the one above becomes zeros). False when a pixel is not on the plate's ramps.
bool palette_stream(const PlatePalette& palette, const unsigned char* data, int width, int height, int stride,
                    std::vector<std::uint8_t>& stream) {
    const auto row_of = [&](int y) {
        return reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    };
    const std::size_t packed_size = static_cast<std::size_t>(width + 1) / 2;
    std::vector<std::uint8_t> above(packed_size, 0), current(packed_size), line(packed_size + 1);
    line[0] = png_filter_up;
    grid::detail::RunDeflater deflater;
    for (int y = 0; y < height; ++y) {
        if (y > 0 && std::memcmp(row_of(y), row_of(y - 1), static_cast<std::size_t>(width) * 4) == 0) {
            std::fill(line.begin() + 1, line.end(), 0);
        } else {
            if (!palette.pack_row(row_of(y), y > 0 ? row_of(y - 1) : nullptr, above.data(), current.data(),
                                  line.data() + 1, width)) {
                return false;
            }
            std::swap(above, current);
        }
        deflater.add(line.data(), line.size());
    }
    stream = deflater.finish();
    return true;
}

/// The same as 8-bit RGB, each scanline filtered Sub (the flat ground becomes zeros).
std::vector<std::uint8_t> rgb_stream(const unsigned char* data, int width, int height, int stride) {
    std::vector<std::uint8_t> line(static_cast<std::size_t>(width) * 3 + 1);
    line[0] = png_filter_sub;
    grid::detail::RunDeflater deflater;
    for (int y = 0; y < height; ++y) {
        const auto* in = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
        std::uint32_t left = 0;
        std::uint8_t* out = line.data() + 1;
        for (int x = 0; x < width; ++x) {
            for (int shift = 16; shift >= 0; shift -= 8) {
                *out++ = static_cast<std::uint8_t>(((in[x] >> shift) & 0xFFU) - ((left >> shift) & 0xFFU));
            }
            left = in[x];
        }
        deflater.add(line.data(), line.size());
    }
    return deflater.finish();
}

void write_png(const std::string& path, cairo_surface_t* surface, double dpi) {
    cairo_surface_flush(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    grid::detail::PngHeader header;
    header.width = cairo_image_surface_get_width(surface);
    header.height = cairo_image_surface_get_height(surface);
    header.dpi = dpi;
    const int stride = cairo_image_surface_get_stride(surface);
    const PlatePalette palette(*reinterpret_cast<const std::uint32_t*>(data));
    std::vector<std::uint8_t> stream;
    if (palette_stream(palette, data, header.width, header.height, stride, stream)) {
        header.bit_depth = 4;
        header.color_type = 3;
        header.palette = palette.colors();
    } else {
        stream = rgb_stream(data, header.width, header.height, stride);
    }
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
        throw io_error(path, std::string("cannot create: ") + std::strerror(errno));
    }
    const std::string msg = grid::detail::write_png(file, header, stream);
    const bool closed = std::fclose(file) == 0;
    if (!msg.empty() || !closed) {
        std::remove(path.c_str());
        throw io_error(path, "cannot write the PNG: " + (msg.empty() ? std::string(std::strerror(errno)) : msg));
    }
}

detail::SurfacePtr new_image(int width_px, int height_px) {
    detail::SurfacePtr image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width_px, height_px));
    if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS) {
        throw error("cannot allocate a " + std::to_string(width_px) + " × " + std::to_string(height_px) +
                        " pixel image",
                    "use a lower --dpi");
    }
    return image;
}

/// Copies the pixels of `rect`, as far as it lies on the image, from one image to another of
/// the same size and format.
void copy_pixels(cairo_surface_t* from, cairo_surface_t* to, const cairo_rectangle_int_t& rect) {
    const int x0 = std::max(0, rect.x);
    const int y0 = std::max(0, rect.y);
    const int x1 = std::min(cairo_image_surface_get_width(to), rect.x + rect.width);
    const int y1 = std::min(cairo_image_surface_get_height(to), rect.y + rect.height);
    if (x0 >= x1 || y0 >= y1) {
        return;
    }
    const std::ptrdiff_t stride = cairo_image_surface_get_stride(to);
    const unsigned char* src = cairo_image_surface_get_data(from);
    unsigned char* dst = cairo_image_surface_get_data(to);
    cairo_surface_flush(to);
    for (int y = y0; y < y1; ++y) {
        const std::ptrdiff_t at = y * stride + std::ptrdiff_t{4} * x0;
        std::memcpy(dst + at, src + at, static_cast<std::size_t>(x1 - x0) * 4);
    }
    cairo_surface_mark_dirty_rectangle(to, x0, y0, x1 - x0, y1 - y0);
}

/// Images of the fixed parts of PNG plates (PlateRenderer::draw_fixed), one per QR symbol
/// width (one in a run whose payloads have the same length), drawn by the first thread that
/// needs it and only read afterwards.
class FixedParts {
public:
    FixedParts(int width_px, int height_px, double px_per_mm)
        : m_width_px(width_px), m_height_px(height_px), m_px_per_mm(px_per_mm) {}

    /// The image for plates whose QR symbol is `symbol_width` modules wide; `renderer` draws
    /// it when it is the first.
    cairo_surface_t* image(detail::PlateRenderer& renderer, int symbol_width) {
        const std::lock_guard<std::mutex> lock(m_mutex);
        detail::SurfacePtr& image = m_images[symbol_width];
        if (!image) {
            detail::SurfacePtr drawn = new_image(m_width_px, m_height_px);
            detail::CairoPtr cr(cairo_create(drawn.get()));
            cairo_scale(cr.get(), m_px_per_mm, m_px_per_mm);
            // The ground runs past the trim so the last, partly covered pixel column is blue too.
            renderer.draw_fixed(cr.get(), symbol_width, 1.0);
            cr.reset();
            cairo_surface_flush(drawn.get());
            image = std::move(drawn);
        }
        return image.get();
    }

private:
    int m_width_px, m_height_px;
    double m_px_per_mm;
    std::mutex m_mutex;
    std::map<int, detail::SurfacePtr> m_images;
};

/// One thread's PNG plate image. It keeps the fixed parts from plate to plate: each plate first
/// restores from FixedParts only the pixels the one before drew on, instead of drawing the
/// ground (6.4 million pixels of a medium plate at 300 dpi), frame and title again.
class PlateCanvas {
public:
    PlateCanvas(FixedParts& fixed, int width_px, int height_px, double px_per_mm)
        : m_fixed(fixed), m_image(new_image(width_px, height_px)), m_cr(cairo_create(m_image.get())),
          m_drawn(cairo_region_create()) {
        cairo_scale(m_cr.get(), px_per_mm, px_per_mm);
    }

    /// Draws a plate into image().
    void draw(detail::PlateRenderer& renderer, const PlateData& plate, const detail::QrSymbol& symbol,
              PlateResult& result) {
        cairo_surface_t* fixed = m_fixed.image(renderer, symbol.width);
        if (fixed != m_restored_from) {
            copy_pixels(fixed, m_image.get(),
                        {0, 0, cairo_image_surface_get_width(fixed), cairo_image_surface_get_height(fixed)});
            m_restored_from = fixed;
        } else {
            for (int i = 0; i < cairo_region_num_rectangles(m_drawn.get()); ++i) {
                cairo_rectangle_int_t rect;
                cairo_region_get_rectangle(m_drawn.get(), i, &rect);
                copy_pixels(fixed, m_image.get(), rect);
            }
        }
        m_drawn.reset(cairo_region_create());
        renderer.draw_variable(m_cr.get(), plate, symbol, result, m_drawn.get());
    }

    cairo_surface_t* image() const { return m_image.get(); }

private:
    FixedParts& m_fixed;
    detail::SurfacePtr m_image;
    detail::CairoPtr m_cr;
    detail::RegionPtr m_drawn;                  ///< by the last plate, in pixels
    cairo_surface_t* m_restored_from = nullptr; ///< the FixedParts image under the last plate
};

/// The plates to draw, in input order; the others are listed in the report and skipped.
struct Job {
    std::size_t index; ///< into the input and the report
    std::string payload;
};

class Progress {
public:
    Progress(const progress_fn& fn, std::size_t total) : m_fn(fn), m_total(total) {}
    void step() {
        const std::size_t done = ++m_done;
        if (m_fn && (done % 50 == 0 || done == m_total)) {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_fn("plates", done, m_total);
        }
    }

private:
    const progress_fn& m_fn;
    std::size_t m_total;
    std::atomic<std::size_t> m_done{0};
    std::mutex m_mutex;
};

void render_pdf(const std::vector<PlateData>& plates, const std::vector<Job>& jobs, const RenderOptions& options,
                const std::string& output, RenderReport& report) {
    const PlateSpec& spec = plate_spec(options.size);
    const SheetLayout sheet = sheet_layout(spec, options.page);
    report.page_width_mm = sheet.page_w;
    report.page_height_mm = sheet.page_h;
    report.plates_per_page = sheet.cols * sheet.rows;
    if (sheet.custom) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "a %s plate (%.0f × %.0f mm) does not fit on %s: one plate per %.0f × %.0f mm page (bleed and "
                      "crop marks included) for a large-format printer",
                      std::string(spec.name).c_str(), spec.width_mm, spec.height_mm,
                      std::string(page_name(options.page)).c_str(), sheet.page_w, sheet.page_h);
        report.notes.emplace_back(buf);
    }
    // Write beside the target and rename at the end: a failed run leaves nothing behind.
    const fs::path target(output);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
        throw io_error(output, std::string("cannot create: ") + std::strerror(errno),
                       "check that the folder exists and is writable");
    }
    std::FILE* file = ::fdopen(fd, "wb");
    if (file == nullptr) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw io_error(output, std::string("cannot create: ") + std::strerror(errno));
    }
    auto fail = [&](const std::string& msg) {
        std::fclose(file);
        ::unlink(tmp.c_str());
        throw io_error(output, msg);
    };
    try {
        detail::SurfacePtr surface(cairo_pdf_surface_create_for_stream(write_to_file, file, sheet.page_w * pt_per_mm,
                                                                       sheet.page_h * pt_per_mm));
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, "gridkit doorplates");
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "gridkit doorplate");
        detail::CairoPtr cr(cairo_create(surface.get()));
        cairo_scale(cr.get(), pt_per_mm, pt_per_mm);
        detail::PlateRenderer renderer(spec, options.title);
        Progress progress(options.progress, jobs.size());
        const int per_page = sheet.cols * sheet.rows;
        // QR encoding (a fifth of the work) runs a batch ahead on another core; cairo's PDF
        // surface is drawn on this one.
        constexpr std::size_t batch = 256;
        const char ec = spec.ec_level;
        auto encode = [&jobs, ec](std::size_t begin) {
            std::vector<detail::QrSymbol> out;
            for (std::size_t k = begin; k < std::min(jobs.size(), begin + batch); ++k) {
                out.push_back(detail::encode_qr(jobs[k].payload, ec));
            }
            return out;
        };
        std::future<std::vector<detail::QrSymbol>> ahead = std::async(std::launch::async, encode, 0);
        std::vector<detail::QrSymbol> symbols;
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            if (i % batch == 0) {
                symbols = ahead.get();
                if (i + batch < jobs.size()) {
                    ahead = std::async(std::launch::async, encode, i + batch);
                }
            }
            const int slot = static_cast<int>(i % static_cast<std::size_t>(per_page));
            if (slot == 0 && i > 0) {
                cairo_show_page(cr.get());
            }
            const double slug = bleed_mm + crop_mark_mm;
            const double x = sheet.x0 + (slot % sheet.cols) * sheet.cell_w + slug;
            const double y = sheet.y0 + (slot / sheet.cols) * sheet.cell_h + slug;
            PlateResult& result = report.plates[jobs[i].index];
            cairo_save(cr.get());
            cairo_translate(cr.get(), x, y);
            renderer.draw(cr.get(), plates[jobs[i].index], symbols[i % batch], bleed_mm, result);
            crop_marks(cr.get(), spec);
            cairo_restore(cr.get());
            result.page = static_cast<int>(i / static_cast<std::size_t>(per_page)) + 1;
            result.file = output;
            progress.step();
        }
        report.pages = jobs.empty() ? 0 : static_cast<int>((jobs.size() + per_page - 1) / per_page);
        if (jobs.empty()) {
            // An empty PDF is still a valid file (one blank page) so scripts find what they asked for.
            cairo_show_page(cr.get());
        }
        cr.reset();
        cairo_surface_finish(surface.get());
        if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
            fail(std::string("cannot write the PDF: ") + cairo_status_to_string(cairo_surface_status(surface.get())));
        }
    } catch (const io_error&) {
        throw;
    } catch (...) {
        std::fclose(file);
        ::unlink(tmp.c_str());
        throw;
    }
    if (std::fflush(file) != 0 || ::fsync(fileno(file)) != 0) {
        fail(std::string("cannot write the PDF: ") + std::strerror(errno));
    }
    ::fchmod(fileno(file), 0644);
    if (std::fclose(file) != 0) {
        ::unlink(tmp.c_str());
        throw io_error(output, std::string("cannot write the PDF: ") + std::strerror(errno));
    }
    if (::rename(tmp.c_str(), output.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw io_error(output, std::string("cannot write: ") + std::strerror(err));
    }
}

void render_files(const std::vector<PlateData>& plates, const std::vector<Job>& jobs, const RenderOptions& options,
                  const std::string& output, RenderReport& report) {
    const PlateSpec& spec = plate_spec(options.size);
    const bool png = options.format == OutputFormat::png;
    const std::string ext = png ? ".png" : ".svg";
    // File names by address code; a code given twice gets _2, _3, ...
    std::map<std::string, int> seen;
    std::vector<std::string> files(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const std::string& code = plates[jobs[i].index].address_code;
        const int n = ++seen[code];
        files[i] = (fs::path(output) / (code + (n > 1 ? "_" + std::to_string(n) : "") + ext)).string();
        if (!options.overwrite && fs::exists(files[i])) {
            throw io_error(files[i], "already exists", "use --overwrite to replace the plates in " + output);
        }
    }
    const double px_per_mm = options.dpi / 25.4;
    const int width_px = static_cast<int>(std::lround(spec.width_mm * px_per_mm));
    const int height_px = static_cast<int>(std::lround(spec.height_mm * px_per_mm));
    Progress progress(options.progress, jobs.size());
    FixedParts fixed_parts(width_px, height_px, px_per_mm);
    // One renderer and image per thread (cairo and pango objects stay on their thread).
    grid::detail::parallel_workers(
        jobs.size(), grid::detail::thread_count(static_cast<unsigned>(std::max(0, options.threads))),
        [&](const grid::detail::NextTask& next) {
            detail::PlateRenderer renderer(spec, options.title, !png);
            std::optional<PlateCanvas> canvas;
            if (png) {
                canvas.emplace(fixed_parts, width_px, height_px, px_per_mm);
            }
            for (std::size_t i = next(); i != grid::detail::no_task; i = next()) {
                PlateResult& result = report.plates[jobs[i].index];
                const PlateData& plate = plates[jobs[i].index];
                if (png) {
                    canvas->draw(renderer, plate, detail::encode_qr(jobs[i].payload, spec.ec_level), result);
                    write_png(files[i], canvas->image(), options.dpi);
                } else {
                    detail::SurfacePtr svg(cairo_svg_surface_create(files[i].c_str(), spec.width_mm, spec.height_mm));
                    cairo_svg_surface_set_document_unit(svg.get(), CAIRO_SVG_UNIT_MM);
                    {
                        detail::CairoPtr scr(cairo_create(svg.get()));
                        renderer.draw(scr.get(), plate, detail::encode_qr(jobs[i].payload, spec.ec_level), 0.0, result);
                    }
                    cairo_surface_finish(svg.get());
                    if (cairo_surface_status(svg.get()) != CAIRO_STATUS_SUCCESS) {
                        throw io_error(files[i], std::string("cannot write the SVG: ") +
                                                     cairo_status_to_string(cairo_surface_status(svg.get())));
                    }
                }
                result.file = files[i];
                progress.step();
            }
        });
}

} // namespace

RenderReport render_plates(const std::vector<PlateData>& plates, const Key& key, const RenderOptions& options,
                           const std::string& output) {
    RenderReport report;
    report.output = output;
    report.format = options.format;
    report.size = options.size;
    if (output.empty()) {
        throw usage_error("no output given", "use -o plates.pdf, or -o FOLDER with --format svg|png");
    }
    if (options.format == OutputFormat::png && (options.dpi < 72.0 || options.dpi > 1200.0)) {
        throw usage_error("--dpi must be between 72 and 1200");
    }
    const std::string tpl = effective_url_template(options.url_template, options.sign);
    if (!key.has_hmac || (options.sign == Signature::ed25519 && !key.has_sign_secret)) {
        throw usage_error("key " + key.kid + " is a public key: it can check plates but not make them",
                          "use the secret key file written by 'gridkit key gen -o KEYFILE'");
    }
    // Check the output before drawing anything.
    if (options.format == OutputFormat::pdf) {
        if (fs::is_directory(output)) {
            throw io_error(output, "is a folder", "give a .pdf file name, or --format svg|png for one file per plate");
        }
        if (fs::exists(output) && !options.overwrite) {
            throw io_error(output, "already exists", "use --overwrite to replace it");
        }
    } else {
        std::error_code ec;
        if (fs::exists(output) && !fs::is_directory(output)) {
            throw io_error(output, "exists and is not a folder", "give a folder for --format svg|png");
        }
        fs::create_directories(output, ec);
        if (ec) {
            throw io_error(output, "cannot create the folder: " + ec.message());
        }
    }

    std::vector<Job> jobs;
    report.plates.resize(plates.size());
    for (std::size_t i = 0; i < plates.size(); ++i) {
        const PlateData& plate = plates[i];
        PlateResult& result = report.plates[i];
        result.address_code = plate.address_code;
        result.houses = plate.houses;
        if (!plate.address_found) {
            result.warnings.push_back({WarningKind::no_standard_address,
                                       house_list(plate.houses) + ": address code " + plate.address_code +
                                           " is not in the address layer: no plate made; import the address and "
                                           "run again"});
            continue;
        }
        if (plate.address_code.size() != 24 || !all_digits(plate.address_code)) {
            result.warnings.push_back(
                {WarningKind::no_standard_address,
                 plate.address_code.empty()
                     ? house_list(plate.houses) + ": no standard address: no plate made; give the house an address "
                                                  "code and run again"
                     : house_list(plate.houses) + ": address code '" + plate.address_code +
                           "' is not 24 digits: no plate made; fix the house's address code and run again"});
            continue;
        }
        result.made = true;
        result.payload = make_payload(key, plate.address_code, tpl, options.sign);
        jobs.push_back({i, result.payload});
    }
    if (options.format == OutputFormat::pdf) {
        render_pdf(plates, jobs, options, output, report);
    } else {
        render_files(plates, jobs, options, output, report);
    }
    return report;
}

} // namespace grid::doorplate

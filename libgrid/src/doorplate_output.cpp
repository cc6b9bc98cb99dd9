// Writing plates: PDF sheets (A4 / A3, as many plates per page as fit, 3 mm bleed, crop marks),
// or a folder of SVG / PNG files, one per plate, rendered on every core. PNGs are written with
// libpng at a low compression level: cairo's own writer was three times slower here.
#include "detail/doorplate_render.hpp"
#include "detail/parallel.hpp"

#include "libgrid/error.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
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

/// libpng reports errors through longjmp; keep the C++ objects out of that frame.
struct PngErrorBuffer {
    std::jmp_buf jmp;
    char message[200];
};

void png_error_fn(png_structp png, png_const_charp msg) {
    auto* buf = static_cast<PngErrorBuffer*>(png_get_error_ptr(png));
    std::snprintf(buf->message, sizeof buf->message, "%s", msg);
    std::longjmp(buf->jmp, 1);
}

void png_warning_fn(png_structp, png_const_charp) {}

/// A plate has three colours and the anti-aliased blends between two of them: ground to white
/// (text, frame) and black to white (QR). Such an image is stored as a 4-bit palette PNG of
/// those two ramps (8 steps each), a sixth of the RGB data for zlib; any other colour falls back
/// to RGB.
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
        for (int i = 0; i < steps; ++i) {
            m_colors[i] = {blend(m_ground[0], i), blend(m_ground[1], i), blend(m_ground[2], i)};
            const auto grey = static_cast<png_byte>(std::lround(255.0 * i / (steps - 1)));
            m_colors[steps + i] = {grey, grey, grey};
        }
        const int span = 255 - m_ground[m_channel];
        for (int v = 0; v < 256; ++v) {
            m_grey_index[v] = static_cast<png_byte>(steps + std::lround(v * (steps - 1) / 255.0));
            m_ramp_index[v] = static_cast<png_byte>(
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

    const png_color* colors() const { return m_colors; }

    /// Maps one row of 0xXXRRGGBB words; false when a pixel is on neither ramp.
    bool map_row(const std::uint32_t* in, png_byte* out, int width) const {
        std::uint32_t last = ~0U;
        png_byte last_index = 0;
        for (int x = 0; x < width; ++x) {
            const std::uint32_t v = in[x] & 0xFFFFFFU;
            if (v == last) { // most pixels repeat their left neighbour
                out[x] = last_index;
                continue;
            }
            const int rgb[3] = {static_cast<int>((v >> 16) & 0xFFU), static_cast<int>((v >> 8) & 0xFFU),
                                static_cast<int>(v & 0xFFU)};
            png_byte i = 0;
            if (rgb[0] == rgb[1] && rgb[1] == rgb[2]) {
                i = m_grey_index[rgb[0]];
            } else {
                i = m_ramp_index[rgb[m_channel]];
                const int* c = m_ideal[rgb[m_channel]];
                if (std::abs(c[0] - rgb[0]) > 8 || std::abs(c[1] - rgb[1]) > 8 || std::abs(c[2] - rgb[2]) > 8) {
                    return false;
                }
            }
            out[x] = i;
            last = v;
            last_index = i;
        }
        return true;
    }

  private:
    static png_byte blend(int ground, int i) {
        return static_cast<png_byte>(std::lround(ground + (255 - ground) * static_cast<double>(i) / (steps - 1)));
    }
    int m_ground[3] = {0, 0, 0};
    int m_channel = 0;
    png_color m_colors[2 * steps] = {};
    png_byte m_grey_index[256] = {};
    png_byte m_ramp_index[256] = {};
    int m_ideal[256][3] = {};
};

/// Writes an RGB24 cairo surface (native-endian 0xXXRRGGBB words) as a PNG with the resolution
/// recorded: palette when every pixel is on the plate's ramps, else 8-bit RGB. Returns an empty
/// string or the error message.
std::string write_png_rows(std::FILE* file, const unsigned char* data, int width, int height, int stride, double dpi,
                           int level) {
    const auto row_of = [&](int y) {
        return reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    };
    // Map the whole image first: the choice of colour type comes before the first row is written.
    // Rows are packed as they are mapped, two 4-bit indices a byte (the left pixel in the high
    // nibble); a row equal to the one above (ground, frame) copies its packed bytes.
    const PlatePalette palette(row_of(0)[0]);
    const std::size_t packed_stride = static_cast<std::size_t>(width + 1) / 2;
    std::vector<png_byte> packed(packed_stride * static_cast<std::size_t>(height));
    std::vector<png_byte> indices(static_cast<std::size_t>(width));
    bool use_palette = true;
    for (int y = 0; y < height && use_palette; ++y) {
        png_byte* out = packed.data() + packed_stride * static_cast<std::size_t>(y);
        if (y > 0 && std::memcmp(row_of(y), row_of(y - 1), static_cast<std::size_t>(width) * 4) == 0) {
            std::memcpy(out, out - packed_stride, packed_stride);
            continue;
        }
        use_palette = palette.map_row(row_of(y), indices.data(), width);
        for (int x = 0; x + 1 < width; x += 2) {
            out[x / 2] = static_cast<png_byte>((indices[static_cast<std::size_t>(x)] << 4) |
                                               indices[static_cast<std::size_t>(x) + 1]);
        }
        if (width % 2 != 0) {
            out[width / 2] = static_cast<png_byte>(indices[static_cast<std::size_t>(width) - 1] << 4);
        }
    }
    std::vector<png_byte> rgb;
    if (!use_palette) {
        packed.clear();
        rgb.resize(static_cast<std::size_t>(width) * 3);
    }
    PngErrorBuffer err{};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, png_error_fn, png_warning_fn);
    if (png == nullptr) {
        return "cannot create a PNG writer";
    }
    png_infop info = png_create_info_struct(png);
    if (info == nullptr) {
        png_destroy_write_struct(&png, nullptr);
        return "cannot create a PNG writer";
    }
    if (setjmp(err.jmp) != 0) {
        png_destroy_write_struct(&png, &info);
        return err.message;
    }
    png_init_io(png, file);
    png_set_compression_level(png, level);
    // Palette rows compress best unfiltered; RGB rows with SUB (the flat ground becomes zeros).
    png_set_filter(png, PNG_FILTER_TYPE_BASE, use_palette ? PNG_FILTER_NONE : PNG_FILTER_SUB);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), use_palette ? 4 : 8,
                 use_palette ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    if (use_palette) {
        png_set_PLTE(png, info, palette.colors(), 2 * PlatePalette::steps);
    }
    const auto ppm = static_cast<png_uint_32>(std::lround(dpi / 0.0254));
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y) {
        if (use_palette) {
            png_write_row(png, packed.data() + packed_stride * static_cast<std::size_t>(y));
        } else {
            const std::uint32_t* in = row_of(y);
            for (int x = 0; x < width; ++x) {
                rgb[3 * x] = static_cast<png_byte>((in[x] >> 16) & 0xFFU);
                rgb[3 * x + 1] = static_cast<png_byte>((in[x] >> 8) & 0xFFU);
                rgb[3 * x + 2] = static_cast<png_byte>(in[x] & 0xFFU);
            }
            png_write_row(png, rgb.data());
        }
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return {};
}

void write_png(const std::string& path, cairo_surface_t* surface, double dpi, int level) {
    cairo_surface_flush(surface);
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
        throw io_error(path, std::string("cannot create: ") + std::strerror(errno));
    }
    const std::string msg =
        write_png_rows(file, cairo_image_surface_get_data(surface), cairo_image_surface_get_width(surface),
                       cairo_image_surface_get_height(surface), cairo_image_surface_get_stride(surface), dpi, level);
    const bool closed = std::fclose(file) == 0;
    if (!msg.empty() || !closed) {
        std::remove(path.c_str());
        throw io_error(path, "cannot write the PNG: " + (msg.empty() ? std::string(std::strerror(errno)) : msg));
    }
}

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
    // One renderer and image per thread (cairo and pango objects stay on their thread).
    grid::detail::parallel_workers(
        jobs.size(), grid::detail::thread_count(static_cast<unsigned>(std::max(0, options.threads))),
        [&](const grid::detail::NextTask& next) {
            detail::PlateRenderer renderer(spec, options.title, !png);
            detail::SurfacePtr surface;
            detail::CairoPtr cr;
            if (png) {
                surface.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width_px, height_px));
                cr.reset(cairo_create(surface.get()));
                if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
                    throw error("cannot allocate a " + std::to_string(width_px) + " × " + std::to_string(height_px) +
                                    " pixel image",
                                "use a lower --dpi");
                }
            }
            for (std::size_t i = next(); i != grid::detail::no_task; i = next()) {
                PlateResult& result = report.plates[jobs[i].index];
                const PlateData& plate = plates[jobs[i].index];
                if (png) {
                    cairo_identity_matrix(cr.get());
                    cairo_scale(cr.get(), px_per_mm, px_per_mm);
                    // The ground runs past the trim so the last, partly covered pixel column is blue too.
                    renderer.draw(cr.get(), plate, detail::encode_qr(jobs[i].payload, spec.ec_level), 1.0, result);
                    write_png(files[i], surface.get(), options.dpi, options.png_compression);
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

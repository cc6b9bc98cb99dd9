// Doorplate rendering: every QR code of a PDF sheet, an SVG and a PNG folder is decoded (zbarimg
// in binary mode) and must equal its payload byte for byte and verify; glyph coverage with rare
// place-name characters; the warnings a user relies on; sheet layout.
#include "libgrid/doorplate.hpp"
#include "detail/doorplate_text.hpp"
#include "libgrid/error.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <set>
#include <unistd.h>

using namespace grid::doorplate;
namespace fs = std::filesystem;
using doorplate_test::TempDir;

// cairo 1.16 loses 768 bytes per embedded font subset when a PDF surface with text is finished
// (a plain cairo + pango program does the same; not ours to fix). cairo has no frame pointers, so
// the sanitizer's fast unwinder sees only the allocation inside libcairo: suppress leaks allocated
// there (our own objects are checked through everything else). Used only by sanitizer builds.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcairo.so\n"; }

namespace {

// Pango, cairo and fontconfig keep caches for the life of the process; free them at exit so that
// LeakSanitizer (CI's sanitizer build) sees only real leaks. Registered after the sanitizer's own
// exit hook, so it runs before it.
const bool release_at_exit = [] {
    std::atexit([] { release_font_caches(); });
    return true;
}();

/// Runs a shell command; returns its stdout (binary-safe) and sets status.
std::string run(const std::string& cmd, int& status) {
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
        out.append(buf.data(), n);
    }
    status = ::pclose(pipe);
    return out;
}

/// Every QR code in an image, in binary mode: zbarimg prints the raw bytes of each symbol with
/// nothing between them.
std::string decode(const fs::path& image) {
    int status = 0;
    const std::string out =
        run("zbarimg --raw -q --nodbus -Sdisable -Sqrcode.enable -Sbinary '" + image.string() + "' 2>/dev/null", status);
    return out;
}

/// Removes each expected payload from the decoded bytes exactly once; true when nothing is left,
/// i.e. the decoded symbols are exactly the payloads, byte for byte.
bool decoded_exactly(std::string decoded, const std::vector<std::string>& payloads) {
    for (const auto& p : payloads) {
        const std::size_t at = decoded.find(p);
        if (at == std::string::npos) {
            return false;
        }
        decoded.erase(at, p.size());
    }
    return decoded.empty();
}

PlateData plate(const std::string& code, const std::string& address) {
    PlateData p;
    p.address_code = code;
    p.address_text = address;
    p.grid_name = "龙西社区第三网格";
    p.worker_name = "王晓明";
    p.worker_phone = "0512-65281234";
    p.houses = {"H-" + code};
    return p;
}

std::vector<PlateData> sample_plates(int n) {
    std::vector<PlateData> plates;
    for (int i = 0; i < n; ++i) {
        char code[32];
        std::snprintf(code, sizeof code, "3205060040110001200%02d%03d", 1 + i % 3, 101 + i);
        plates.push_back(plate(code, "苏州市吴中区长桥街道龙西路" + std::to_string(100 + i) + "号" +
                                         std::to_string(i % 9 + 1) + "幢" + std::to_string(i + 1) + "01室"));
    }
    return plates;
}

std::vector<std::string> payloads_of(const RenderReport& report) {
    std::vector<std::string> out;
    for (const auto& p : report.plates) {
        if (p.made) {
            out.push_back(p.payload);
        }
    }
    return out;
}

bool has_warning(const PlateResult& r, WarningKind kind) {
    return std::any_of(r.warnings.begin(), r.warnings.end(), [kind](const auto& w) { return w.kind == kind; });
}

} // namespace

TEST_CASE("every QR code on a PDF sheet decodes to its payload and verifies") {
    TempDir dir;
    const Key key = generate_key();
    RenderOptions o;
    o.size = PlateSize::small;
    o.page = Page::a4;
    const auto plates = sample_plates(5);
    const fs::path pdf = dir.path / "plates.pdf";
    const RenderReport report = render_plates(plates, key, o, pdf.string());
    REQUIRE(report.made() == 5);
    REQUIRE(report.plates_per_page >= 1);
    CHECK(report.pages == (5 + report.plates_per_page - 1) / report.plates_per_page);

    int status = 0;
    const std::string info = run("pdfinfo '" + pdf.string() + "'", status);
    REQUIRE(status == 0);
    const std::size_t pages_at = info.find("Pages:");
    REQUIRE(pages_at != std::string::npos);
    CHECK(std::stoi(info.substr(pages_at + 6)) == report.pages);
    CHECK(info.find("595.276 x 841.89 pts (A4)") != std::string::npos);

    run("pdftoppm -r 150 -png '" + pdf.string() + "' '" + (dir.path / "page").string() + "'", status);
    REQUIRE(status == 0);
    std::string decoded;
    int pages = 0;
    for (const auto& entry : fs::directory_iterator(dir.path)) {
        if (entry.path().extension() == ".png") {
            decoded += decode(entry.path());
            ++pages;
        }
    }
    CHECK(pages == report.pages);
    const auto payloads = payloads_of(report);
    CHECK(decoded_exactly(decoded, payloads));
    for (const auto& p : payloads) {
        CHECK(verify(p, {key}).valid());
    }
}

TEST_CASE("every PNG decodes to its payload; files are named by address code") {
    TempDir dir;
    const Key key = generate_key();
    RenderOptions o;
    o.size = PlateSize::medium;
    o.format = OutputFormat::png;
    o.dpi = 150;
    const auto plates = sample_plates(3);
    const RenderReport report = render_plates(plates, key, o, (dir.path / "png").string());
    REQUIRE(report.made() == 3);
    for (std::size_t i = 0; i < plates.size(); ++i) {
        const PlateResult& r = report.plates[i];
        CHECK(fs::path(r.file).filename().string() == plates[i].address_code + ".png");
        CHECK(decoded_exactly(decode(r.file), {r.payload}));
        CHECK(verify(r.payload, {key}).valid());
    }
    // Never overwritten without asking.
    CHECK_THROWS_AS(render_plates(plates, key, o, (dir.path / "png").string()), grid::io_error);
    o.overwrite = true;
    CHECK(render_plates(plates, key, o, (dir.path / "png").string()).made() == 3);
}

TEST_CASE("every SVG decodes to its payload, signed payloads included") {
    TempDir dir;
    const Key key = generate_key();
    RenderOptions o;
    o.size = PlateSize::label;
    o.format = OutputFormat::svg;
    o.sign = Signature::ed25519;
    const auto plates = sample_plates(2);
    const RenderReport report = render_plates(plates, key, o, (dir.path / "svg").string());
    REQUIRE(report.made() == 2);
    for (const auto& r : report.plates) {
        CHECK(fs::path(r.file).extension() == ".svg");
        int status = 0;
        const fs::path png = dir.path / (r.address_code + ".png");
        run("rsvg-convert -d 300 -p 300 -o '" + png.string() + "' '" + r.file + "'", status);
        REQUIRE(status == 0);
        CHECK(decoded_exactly(decode(png), {r.payload}));
        const Verification v = verify(r.payload, {key});
        CHECK(v.valid());
        CHECK(v.signature_checked);
    }
}

TEST_CASE("rare place-name characters have glyphs; a character no font has is reported") {
    TempDir dir;
    const Key key = generate_key();
    RenderOptions o;
    o.size = PlateSize::small;
    o.format = OutputFormat::png;
    o.dpi = 100;
    std::vector<PlateData> plates = {plate("320506004011000120010101", "长桥街道㙟村𡌶里路8号"),
                                     plate("320506004011000120010102", "长桥街道\xF3\xB0\x80\x80村8号")}; // U+F0000
    const RenderReport report = render_plates(plates, key, o, (dir.path / "png").string());
    REQUIRE(report.plates.size() == 2);
    CHECK_FALSE(has_warning(report.plates[0], WarningKind::missing_glyph));
    REQUIRE(has_warning(report.plates[1], WarningKind::missing_glyph));
    const auto& w = *std::find_if(report.plates[1].warnings.begin(), report.plates[1].warnings.end(),
                                  [](const auto& x) { return x.kind == WarningKind::missing_glyph; });
    CHECK(w.message.find("U+F0000") != std::string::npos);
    CHECK(w.message.find("320506004011000120010102") != std::string::npos);
    CHECK(report.plates[1].made); // reported, still made
}

TEST_CASE("warnings: small QR modules, addresses too long, no standard address; no plate dropped") {
    TempDir dir;
    const Key key = generate_key();
    RenderOptions o;
    o.format = OutputFormat::png;
    o.dpi = 72;
    std::string very_long;
    for (int i = 0; i < 12; ++i) {
        very_long += "苏州市吴中区长桥街道龙西社区";
    }
    std::vector<PlateData> plates = {plate("320506004011000120010101", "龙西路8号"),
                                     plate("320506004011000120010102", very_long), plate("", ""),
                                     plate("3205060040", "龙西路9号")};
    for (PlateSize size : {PlateSize::large, PlateSize::medium, PlateSize::small, PlateSize::label}) {
        o.size = size;
        o.overwrite = true;
        const RenderReport report = render_plates(plates, key, o, (dir.path / "out").string());
        REQUIRE(report.plates.size() == plates.size());
        const PlateResult& ok = report.plates[0];
        CHECK(ok.made);
        CHECK(ok.module_mm > 0);
        CHECK(has_warning(ok, WarningKind::small_module) == (ok.module_mm < 1.0));
        CHECK_FALSE(has_warning(ok, WarningKind::address_too_long));
        CHECK(report.plates[1].made);
        CHECK(has_warning(report.plates[1], WarningKind::address_too_long));
        CHECK(report.plates[1].address_mm < plate_spec(size).min_address_mm);
        for (int i : {2, 3}) {
            CHECK_FALSE(report.plates[static_cast<std::size_t>(i)].made);
            CHECK(has_warning(report.plates[static_cast<std::size_t>(i)], WarningKind::no_standard_address));
        }
    }
    // Every size meets 1.0 mm with the default template: the small plate's version 6 symbol
    // grows from its nominal 40 mm to 41 mm rather than print 0.98 mm modules.
    for (PlateSize size : {PlateSize::large, PlateSize::medium, PlateSize::small, PlateSize::label}) {
        o.size = size;
        const RenderReport r = render_plates({plates[0]}, key, o, (dir.path / "out").string());
        CAPTURE(plate_spec(size).name);
        CHECK(r.plates[0].module_mm >= 1.0);
        CHECK(r.plates[0].module_mm * 0.999 <= std::max(1.0, plate_spec(size).qr_mm / (17 + 4 * r.plates[0].qr_version)));
        CHECK_FALSE(has_warning(r.plates[0], WarningKind::small_module));
    }
    // A payload too long for the plate even at its full height still warns.
    o.size = PlateSize::small;
    o.url_template = "HTTPS://GRID.EXAMPLE.GOV.CN/" + std::string(200, 'X') + "/{code}/{kid}/{mac}";
    const RenderReport long_url = render_plates({plates[0]}, key, o, (dir.path / "out").string());
    CHECK(long_url.plates[0].module_mm < 1.0);
    CHECK(has_warning(long_url.plates[0], WarningKind::small_module));
}

TEST_CASE("a plate larger than the page gets a page of its own size and a note") {
    TempDir dir;
    const Key key = generate_key();
    RenderOptions o;
    o.size = PlateSize::large;
    o.page = Page::a3;
    const RenderReport report = render_plates(sample_plates(2), key, o, (dir.path / "large.pdf").string());
    CHECK(report.plates_per_page == 1);
    CHECK(report.pages == 2);
    CHECK_FALSE(report.notes.empty());
    const PlateSpec& spec = plate_spec(PlateSize::large);
    CHECK(report.page_width_mm == doctest::Approx(spec.width_mm + 2 * (bleed_mm + crop_mark_mm)));

    // Smaller plates share a page; every cell with bleed and crop marks lies inside the page.
    for (PlateSize size : {PlateSize::medium, PlateSize::small, PlateSize::label}) {
        for (Page page : {Page::a4, Page::a3}) {
            o.size = size;
            o.page = page;
            o.overwrite = true;
            const RenderReport r = render_plates(sample_plates(1), key, o, (dir.path / "s.pdf").string());
            CHECK(r.notes.empty());
            CHECK(r.plates_per_page >= 1);
            const PlateSpec& s = plate_spec(size);
            const double cell_w = s.width_mm + 2 * (bleed_mm + crop_mark_mm);
            const double cell_h = s.height_mm + 2 * (bleed_mm + crop_mark_mm);
            const int cols = static_cast<int>((r.page_width_mm - 2 * page_margin_mm) / cell_w);
            const int rows = static_cast<int>((r.page_height_mm - 2 * page_margin_mm) / cell_h);
            CHECK(r.plates_per_page == cols * rows);
        }
    }
}

TEST_CASE("output problems are errors before anything is written") {
    TempDir dir;
    const Key key = generate_key();
    RenderOptions o;
    const fs::path pdf = dir.path / "plates.pdf";
    render_plates(sample_plates(1), key, o, pdf.string());
    CHECK_THROWS_AS(render_plates(sample_plates(1), key, o, pdf.string()), grid::io_error);
    CHECK_THROWS_AS(render_plates(sample_plates(1), key, o, (dir.path / "no/such/dir/x.pdf").string()),
                    grid::io_error);
    Key pub;
    pub.kid = key.kid;
    pub.has_sign_public = true;
    o.overwrite = true;
    CHECK_THROWS_AS(render_plates(sample_plates(1), pub, o, pdf.string()), grid::usage_error);
    // Nothing but the one PDF in the folder: no temporary files left behind.
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("address lines break between components, not inside a name") {
    using grid::doorplate::detail::unbreakable_parts;
    const std::string wj = "\u2060";
    // The floor (7层) is a component the text leaves out: skipped.
    CHECK(unbreakable_parts("海陵区泰和家园1幢702室", {"海陵区", "泰和家园", "1幢", "7层", "702室"}) ==
          "海" + wj + "陵" + wj + "区泰" + wj + "和" + wj + "家" + wj + "园1" + wj + "幢7" + wj + "0" + wj + "2" + wj + "室");
    // Components that do not spell the text leave it as it is.
    CHECK(unbreakable_parts("海陵区泰和家园1幢", {"海陵区", "泰和花园", "1幢"}) == "海陵区泰和家园1幢");
    CHECK(unbreakable_parts("海陵区泰和家园1幢", {}) == "海陵区泰和家园1幢");
    CHECK(unbreakable_parts("海陵区泰和家园1幢附", {"海陵区", "泰和家园", "1幢"}) == "海陵区泰和家园1幢附");
}

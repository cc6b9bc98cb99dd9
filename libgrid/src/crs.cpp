// CRS handling: CrsSpec parsing, the GCJ-02 / BD-09 offsets (design/CODES.md) and the PROJ
// Transformer. PROJ logging is switched off: libgrid never prints, it throws crs_error.
#include "libgrid/crs.hpp"

#include "libgrid/error.hpp"

#include <proj.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <utility>

namespace grid::crs {

namespace {

constexpr double k_pi = 3.14159265358979323846;
// Krasovsky 1940, as in the public GCJ-02 algorithm.
constexpr double k_gcj_a = 6378245.0;
constexpr double k_gcj_ee = 0.00669342162296594323;
constexpr double k_bd_x_pi = k_pi * 3000.0 / 180.0;
// The inverses iterate until the step is below this. design/CODES.md asks for < 1e-9 degrees;
// going on to 1e-12 (0.1 micrometre) costs one or two more steps and makes round trips exact
// to 1e-6 m, which the tests check.
constexpr double k_inverse_step = 1e-12;
constexpr int k_max_iterations = 100;

std::string lower_trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

double gcj_transform_lat(double x, double y) {
    double ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
    ret += (20.0 * std::sin(6.0 * x * k_pi) + 20.0 * std::sin(2.0 * x * k_pi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(y * k_pi) + 40.0 * std::sin(y / 3.0 * k_pi)) * 2.0 / 3.0;
    ret += (160.0 * std::sin(y / 12.0 * k_pi) + 320.0 * std::sin(y * k_pi / 30.0)) * 2.0 / 3.0;
    return ret;
}

double gcj_transform_lng(double x, double y) {
    double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
    ret += (20.0 * std::sin(6.0 * x * k_pi) + 20.0 * std::sin(2.0 * x * k_pi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(x * k_pi) + 40.0 * std::sin(x / 3.0 * k_pi)) * 2.0 / 3.0;
    ret += (150.0 * std::sin(x / 12.0 * k_pi) + 300.0 * std::sin(x / 30.0 * k_pi)) * 2.0 / 3.0;
    return ret;
}

// GCJ-02 offset (degrees) at a WGS84 point inside China.
void gcj_offset(double lng, double lat, double& d_lng, double& d_lat) {
    double dlat = gcj_transform_lat(lng - 105.0, lat - 35.0);
    double dlng = gcj_transform_lng(lng - 105.0, lat - 35.0);
    const double rad_lat = lat / 180.0 * k_pi;
    double magic = std::sin(rad_lat);
    magic = 1.0 - k_gcj_ee * magic * magic;
    const double sqrt_magic = std::sqrt(magic);
    dlat = (dlat * 180.0) / ((k_gcj_a * (1.0 - k_gcj_ee)) / (magic * sqrt_magic) * k_pi);
    dlng = (dlng * 180.0) / (k_gcj_a / sqrt_magic * std::cos(rad_lat) * k_pi);
    d_lng = dlng;
    d_lat = dlat;
}

// Solves forward(w) = g for w by fixed-point iteration w <- w - (forward(w) - g), from `start`.
template <typename Forward>
void invert(Forward forward, double g_lng, double g_lat, double start_lng, double start_lat, double& out_lng,
            double& out_lat) {
    double w_lng = start_lng;
    double w_lat = start_lat;
    for (int i = 0; i < k_max_iterations; ++i) {
        double f_lng = 0;
        double f_lat = 0;
        forward(w_lng, w_lat, f_lng, f_lat);
        const double step_lng = f_lng - g_lng;
        const double step_lat = f_lat - g_lat;
        w_lng -= step_lng;
        w_lat -= step_lat;
        if (std::abs(step_lng) < k_inverse_step && std::abs(step_lat) < k_inverse_step) {
            break;
        }
    }
    out_lng = w_lng;
    out_lat = w_lat;
}

// --- PROJ ------------------------------------------------------------------------------------

struct ContextDeleter {
    void operator()(PJ_CONTEXT* ctx) const { proj_context_destroy(ctx); }
};
struct PjDeleter {
    void operator()(PJ* pj) const { proj_destroy(pj); }
};
using ContextPtr = std::unique_ptr<PJ_CONTEXT, ContextDeleter>;
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

ContextPtr make_context() {
    ContextPtr ctx(proj_context_create());
    if (!ctx) {
        throw crs_error("could not create a PROJ context (out of memory?)");
    }
    proj_log_level(ctx.get(), PJ_LOG_NONE);
    return ctx;
}

std::string epsg_name(int code) { return "EPSG:" + std::to_string(code); }

// Creates the CRS EPSG:code or throws: usage_error when PROJ does not know it, crs_error when
// PROJ itself cannot work (no proj.db).
PjPtr create_epsg_crs(PJ_CONTEXT* ctx, int code) {
    const std::string name = epsg_name(code);
    PjPtr crs(proj_create(ctx, name.c_str()));
    if (crs && proj_is_crs(crs.get()) != 0) {
        return crs;
    }
    const int err = proj_context_errno(ctx);
    // If even WGS84 fails, PROJ's database is missing: that is not the user's CRS's fault.
    PjPtr probe(proj_create(ctx, "EPSG:4326"));
    if (!probe) {
        const char* why = proj_context_errno_string(ctx, err);
        throw crs_error(std::string("PROJ cannot create any CRS: ") + (why ? why : "unknown error"),
                        "check that PROJ's database proj.db is installed (package proj-data) or set PROJ_DATA");
    }
    throw usage_error(name + " is not a coordinate reference system PROJ knows",
                      "look the code up with 'projinfo " + name + "'; common ones: EPSG:4490 (CGCS2000), "
                      "EPSG:4326 (WGS84), EPSG:3857 (web Mercator), EPSG:4513-4533 (CGCS2000 Gauss-Kruger zones)");
}

bool is_geographic_type(PJ_TYPE type) {
    return type == PJ_TYPE_GEOGRAPHIC_CRS || type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS;
}

bool epsg_is_geographic(int code) {
    if (code == 4326 || code == 4490) {
        return true;
    }
    if (code == 3857 || (code >= 4491 && code <= 4554)) {
        return false;
    }
    try {
        ContextPtr ctx = make_context();
        PjPtr crs = create_epsg_crs(ctx.get(), code);
        return is_geographic_type(proj_get_type(crs.get()));
    } catch (const error&) {
        return false; // an unknown code is reported by Transformer, which names it
    }
}

std::string point_text(double x, double y) {
    return "(" + format_number(x, 9) + ", " + format_number(y, 9) + ")";
}

} // namespace

// --- CrsSpec ---------------------------------------------------------------------------------

CrsSpec CrsSpec::parse(std::string_view text) {
    const std::string t = lower_trimmed(text);
    CrsSpec spec;
    if (t == "gcj02" || t == "gcj-02" || t == "gcj_02") {
        spec.kind = Kind::gcj02;
        return spec;
    }
    if (t == "bd09" || t == "bd-09" || t == "bd_09") {
        spec.kind = Kind::bd09;
        return spec;
    }
    if (t == "wgs84" || t == "wgs-84" || t == "wgs_84") {
        spec.epsg = 4326;
        return spec;
    }
    if (t == "cgcs2000") {
        spec.epsg = 4490;
        return spec;
    }
    std::string_view digits = t;
    if (digits.rfind("epsg:", 0) == 0) {
        digits.remove_prefix(5);
    }
    if (!digits.empty() && digits.size() <= 9 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        spec.epsg = std::stoi(std::string(digits));
        if (spec.epsg > 0) {
            return spec;
        }
    }
    throw usage_error("unknown CRS '" + std::string(text) + "'",
                      "use EPSG:<code> (e.g. EPSG:4490, or just 4490), wgs84, cgcs2000, gcj02 or bd09");
}

std::string CrsSpec::to_string() const {
    switch (kind) {
    case Kind::gcj02:
        return "gcj02";
    case Kind::bd09:
        return "bd09";
    case Kind::epsg:
        break;
    }
    return epsg_name(epsg);
}

bool CrsSpec::is_geographic() const { return kind != Kind::epsg || epsg_is_geographic(epsg); }

// --- offsets ---------------------------------------------------------------------------------

bool outside_china(double lng, double lat) noexcept {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

void wgs84_to_gcj02(double lng, double lat, double& out_lng, double& out_lat) noexcept {
    if (outside_china(lng, lat)) {
        out_lng = lng;
        out_lat = lat;
        return;
    }
    double d_lng = 0;
    double d_lat = 0;
    gcj_offset(lng, lat, d_lng, d_lat);
    out_lng = lng + d_lng;
    out_lat = lat + d_lat;
}

void gcj02_to_wgs84(double lng, double lat, double& out_lng, double& out_lat) noexcept {
    if (outside_china(lng, lat)) {
        out_lng = lng;
        out_lat = lat;
        return;
    }
    invert(wgs84_to_gcj02, lng, lat, lng, lat, out_lng, out_lat);
}

void gcj02_to_bd09(double lng, double lat, double& out_lng, double& out_lat) noexcept {
    const double z = std::sqrt(lng * lng + lat * lat) + 0.00002 * std::sin(lat * k_bd_x_pi);
    const double theta = std::atan2(lat, lng) + 0.000003 * std::cos(lng * k_bd_x_pi);
    out_lng = z * std::cos(theta) + 0.0065;
    out_lat = z * std::sin(theta) + 0.006;
}

void bd09_to_gcj02_closed_form(double lng, double lat, double& out_lng, double& out_lat) noexcept {
    const double x = lng - 0.0065;
    const double y = lat - 0.006;
    const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * k_bd_x_pi);
    const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * k_bd_x_pi);
    out_lng = z * std::cos(theta);
    out_lat = z * std::sin(theta);
}

void bd09_to_gcj02(double lng, double lat, double& out_lng, double& out_lat) noexcept {
    double start_lng = 0;
    double start_lat = 0;
    bd09_to_gcj02_closed_form(lng, lat, start_lng, start_lat);
    invert(gcj02_to_bd09, lng, lat, start_lng, start_lat, out_lng, out_lat);
}

int gauss_kruger_epsg(double lng) {
    // China spans 73.5-135.1 E; a little beyond still gets the outermost zone.
    if (!std::isfinite(lng) || lng < 72.0 || lng > 138.0) {
        throw crs_error("longitude " + format_number(lng, 6) +
                            " is outside China (72-138 E): no CGCS2000 3-degree Gauss-Kruger zone",
                        "check the coordinates are longitudes in degrees, or give a metric CRS explicitly");
    }
    const int zone = std::clamp(static_cast<int>(std::floor(lng / 3.0 + 0.5)), 25, 45);
    return 4513 + (zone - 25);
}

// --- Transformer -----------------------------------------------------------------------------

struct Transformer::Impl {
    CrsSpec src;
    CrsSpec dst;
    ContextPtr ctx;
    PjPtr op;                      ///< the PROJ step between EPSG CRSs; null when none is needed
    bool src_geographic = false;   ///< check input ranges in degrees
    std::string name;              ///< "EPSG:4490 to EPSG:3857", for messages

    // Offset step before PROJ (to WGS84) and after PROJ (from WGS84).
    bool pre_offset() const { return src.kind != CrsSpec::Kind::epsg; }
    bool post_offset() const { return dst.kind != CrsSpec::Kind::epsg; }

    void to_wgs84(double& x, double& y) const {
        if (src.kind == CrsSpec::Kind::bd09) {
            bd09_to_gcj02(x, y, x, y);
        }
        gcj02_to_wgs84(x, y, x, y);
    }
    void from_wgs84(double& x, double& y) const {
        wgs84_to_gcj02(x, y, x, y);
        if (dst.kind == CrsSpec::Kind::bd09) {
            gcj02_to_bd09(x, y, x, y);
        }
    }
    // gcj02 <-> bd09 directly, without a detour through WGS84.
    bool offsets_only() const { return pre_offset() && post_offset(); }
    void between_offsets(double& x, double& y) const {
        if (src.kind == CrsSpec::Kind::bd09) {
            bd09_to_gcj02(x, y, x, y);
        }
        if (dst.kind == CrsSpec::Kind::bd09) {
            gcj02_to_bd09(x, y, x, y);
        }
    }

    // Checks one input point; returns the reason it cannot be transformed, or "".
    std::string check_input(double x, double y) const {
        if (std::isnan(x) || std::isnan(y) || std::isinf(x) || std::isinf(y)) {
            return "the coordinate is not a finite number";
        }
        if (src_geographic && (std::abs(x) > 180.0 || std::abs(y) > 90.0)) {
            std::string guess;
            if (std::abs(x) <= 90.0 && std::abs(y) <= 180.0) {
                guess = "; are x and y swapped?";
            } else if (std::abs(x) > 360.0 || std::abs(y) > 360.0) {
                guess = "; are these metres of a projected CRS?";
            }
            return "x must be a longitude (-180..180) and y a latitude (-90..90) in " + src.to_string() + guess;
        }
        return {};
    }

    std::string proj_reason() const {
        const int err = proj_errno(op.get());
        const char* why = err != 0 ? proj_context_errno_string(ctx.get(), err) : nullptr;
        return std::string("PROJ cannot transform this point from ") + name + (why ? std::string(": ") + why : "");
    }

    // Transforms n points; returns the index of the first that failed (n if none) and its reason.
    std::size_t run(double* xs, double* ys, std::size_t n, std::string& reason) const {
        for (std::size_t i = 0; i < n; ++i) {
            reason = check_input(xs[i], ys[i]);
            if (!reason.empty()) {
                return i;
            }
        }
        if (src == dst) {
            return n;
        }
        if (offsets_only()) {
            for (std::size_t i = 0; i < n; ++i) {
                between_offsets(xs[i], ys[i]);
            }
            return n;
        }
        if (pre_offset()) {
            for (std::size_t i = 0; i < n; ++i) {
                to_wgs84(xs[i], ys[i]);
            }
        }
        if (op) {
            proj_errno_reset(op.get());
            proj_trans_generic(op.get(), PJ_FWD, xs, sizeof(double), n, ys, sizeof(double), n, nullptr, 0, 0,
                               nullptr, 0, 0);
            for (std::size_t i = 0; i < n; ++i) {
                if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) {
                    reason = proj_reason();
                    return i;
                }
            }
        }
        if (post_offset()) {
            for (std::size_t i = 0; i < n; ++i) {
                from_wgs84(xs[i], ys[i]);
            }
        }
        return n;
    }
};

Transformer::Transformer(const CrsSpec& src, const CrsSpec& dst) : m_impl(std::make_unique<Impl>()) {
    Impl& impl = *m_impl;
    impl.src = src;
    impl.dst = dst;
    impl.name = src.to_string() + " to " + dst.to_string();
    impl.ctx = make_context();
    const int src_epsg = src.kind == CrsSpec::Kind::epsg ? src.epsg : 4326;
    const int dst_epsg = dst.kind == CrsSpec::Kind::epsg ? dst.epsg : 4326;
    PjPtr src_crs = create_epsg_crs(impl.ctx.get(), src_epsg);
    PjPtr dst_crs = create_epsg_crs(impl.ctx.get(), dst_epsg);
    impl.src_geographic = is_geographic_type(proj_get_type(src_crs.get()));
    if (src_epsg == dst_epsg || impl.offsets_only()) {
        return;
    }
    PjPtr op(proj_create_crs_to_crs_from_pj(impl.ctx.get(), src_crs.get(), dst_crs.get(), nullptr, nullptr));
    if (!op) {
        const char* why = proj_context_errno_string(impl.ctx.get(), proj_context_errno(impl.ctx.get()));
        throw crs_error("PROJ has no transformation from " + impl.name + (why ? std::string(": ") + why : ""),
                        "choose CRSs PROJ can relate (see 'projinfo -s " + epsg_name(src_epsg) + " -t " +
                            epsg_name(dst_epsg) + "')");
    }
    // GIS axis order (longitude, latitude / easting, northing) whatever the EPSG definition says.
    PjPtr normalized(proj_normalize_for_visualization(impl.ctx.get(), op.get()));
    if (!normalized) {
        throw crs_error("PROJ could not set longitude/latitude axis order for " + impl.name);
    }
    impl.op = std::move(normalized);
}

Transformer::~Transformer() = default;
Transformer::Transformer(Transformer&&) noexcept = default;
Transformer& Transformer::operator=(Transformer&&) noexcept = default;

void Transformer::transform(double& x, double& y) const {
    const double in_x = x;
    const double in_y = y;
    std::string reason;
    if (!try_transform(x, y, reason)) {
        throw crs_error("point " + point_text(in_x, in_y) + ": " + reason);
    }
}

bool Transformer::try_transform(double& x, double& y, std::string& reason) const {
    return m_impl->run(&x, &y, 1, reason) == 1;
}

void Transformer::transform(std::vector<double>& xs, std::vector<double>& ys) const {
    if (xs.size() != ys.size()) {
        throw usage_error("transform: " + std::to_string(xs.size()) + " x values but " + std::to_string(ys.size()) +
                          " y values");
    }
    std::string reason;
    const std::size_t failed = m_impl->run(xs.data(), ys.data(), xs.size(), reason);
    if (failed != xs.size()) {
        throw crs_error("point " + std::to_string(failed + 1) + " of " + std::to_string(xs.size()) + ": " + reason);
    }
}

bool Transformer::is_identity() const noexcept { return m_impl->src == m_impl->dst; }

const CrsSpec& Transformer::source() const noexcept { return m_impl->src; }

const CrsSpec& Transformer::target() const noexcept { return m_impl->dst; }

} // namespace grid::crs

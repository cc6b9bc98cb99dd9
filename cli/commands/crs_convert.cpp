// gridkit crs convert --src-crs CRS --dst-crs CRS [X Y] [--precision N]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/crs.hpp"
#include "libgrid/error.hpp"

#include <iostream>

namespace gridkit {

namespace {

namespace crs = grid::crs;

struct CrsConvertOptions {
    std::string src;
    std::string dst;
    std::string x;
    std::string y;
    int precision = -1;
};

// Bad lines are all reported on stderr up to this many; then only the count at the end.
constexpr std::uint64_t k_max_reported_lines = 100;

double coordinate_argument(const std::string& name, const std::string& text) {
    const auto value = crs::parse_number(text);
    if (!value) {
        throw grid::usage_error(name + " '" + text + "' is not a number",
                                "give X Y as numbers (x = longitude or easting, y = latitude or northing)");
    }
    return *value;
}

int run_crs_convert(const CrsConvertOptions& opt) {
    const crs::CrsSpec src = crs::CrsSpec::parse(opt.src);
    const crs::CrsSpec dst = crs::CrsSpec::parse(opt.dst);
    if (opt.x.empty() != opt.y.empty()) {
        throw grid::usage_error("give both X and Y, or neither to read 'x y' lines from stdin");
    }
    const crs::Transformer transformer(src, dst);
    const int precision = opt.precision >= 0 ? opt.precision : crs::default_precision(dst);

    if (!opt.x.empty()) {
        double x = coordinate_argument("X", opt.x);
        double y = coordinate_argument("Y", opt.y);
        std::string reason;
        if (!transformer.try_transform(x, y, reason)) {
            std::cout << "* *\n";
            std::cerr << "gridkit crs convert: point (" << opt.x << ", " << opt.y << "): " << reason << '\n';
            return static_cast<int>(grid::exit_status::data_problems);
        }
        std::cout << crs::format_number(x, precision) << ' ' << crs::format_number(y, precision) << '\n';
        return static_cast<int>(grid::exit_status::ok);
    }

    std::uint64_t reported = 0;
    const crs::LineStats stats =
        crs::convert_lines(std::cin, std::cout, transformer, precision, [&reported](std::uint64_t line, const std::string& reason) {
            if (++reported <= k_max_reported_lines) {
                std::cerr << "gridkit crs convert: line " << line << ": " << reason << '\n';
            }
        });
    std::cout.flush();
    if (stats.failed > 0) {
        std::cerr << "gridkit crs convert: " << stats.failed << " of " << stats.lines
                  << " lines could not be converted (written as '* *')";
        if (stats.failed > k_max_reported_lines) {
            std::cerr << "; the first " << k_max_reported_lines << " are listed above";
        }
        std::cerr << '\n';
        return static_cast<int>(grid::exit_status::data_problems);
    }
    return static_cast<int>(grid::exit_status::ok);
}

} // namespace

void register_crs_convert(RegistryContext& ctx) {
    auto opt = std::make_shared<CrsConvertOptions>();
    CLI::App* group = command_group(ctx.app, "crs", "Coordinate reference systems: EPSG codes, gcj02, bd09");
    CLI::App* cmd = group->add_subcommand(
        "convert", "Convert coordinates like PROJ's cs2cs: the point X Y, or 'x y' lines from stdin");
    cmd->add_option("--src-crs", opt->src, "Source CRS: EPSG:<code> (or <code>), wgs84, cgcs2000, gcj02, bd09")
        ->required();
    cmd->add_option("--dst-crs", opt->dst, "Target CRS, same forms")->required();
    cmd->add_option("X", opt->x, "Longitude or easting of one point (else stdin is read)");
    cmd->add_option("Y", opt->y, "Latitude or northing of that point");
    cmd->add_option("--precision", opt->precision, "Decimals printed (default 9 for degrees, 3 for metres)")
        ->check(CLI::Range(0, 17));
    Runner* selected = &ctx.selected;
    cmd->callback([opt, selected] { *selected = [opt] { return run_crs_convert(*opt); }; });
}

} // namespace gridkit

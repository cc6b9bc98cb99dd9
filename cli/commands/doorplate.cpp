// gridkit doorplate WS [--rental] [--where SQL] [--grid CODE] [--size S] [--page P] [--title T]
//   [--url-template URL] [--sign ed25519] --key KEYFILE -o OUT(.pdf|DIR) [--format pdf|svg|png] [--dpi N]
//   [--overwrite] [--json]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/doorplate.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>

namespace gridkit {

namespace {

namespace dp = grid::doorplate;

struct DoorplateOptions {
    std::string workspace;
    bool rental = false;
    std::string where;
    std::string grid_code;
    std::string size = "medium";
    std::string page = "A4";
    std::string title = "出租房屋";
    std::string url_template = std::string(dp::default_url_template);
    std::string sign = "none";
    std::string key_file;
    std::string output;
    std::string format;
    double dpi = 300.0;
    bool overwrite = false;
    bool json = false;
};

bool ends_with_pdf(const std::string& path) {
    if (path.size() < 4) {
        return false;
    }
    std::string ext = path.substr(path.size() - 4);
    for (char& c : ext) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return ext == ".pdf";
}

nlohmann::json plate_json(const dp::PlateResult& p) {
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& w : p.warnings) {
        warnings.push_back({{"kind", std::string(dp::warning_name(w.kind))}, {"message", w.message}});
    }
    nlohmann::json j{{"address_code", p.address_code}, {"houses", p.houses}, {"made", p.made},
                     {"warnings", warnings}};
    if (p.made) {
        j["payload"] = p.payload;
        j["file"] = p.file;
        if (p.page > 0) {
            j["page"] = p.page;
        }
        j["qr_version"] = p.qr_version;
        j["module_mm"] = std::round(p.module_mm * 1000.0) / 1000.0;
        j["address_mm"] = std::round(p.address_mm * 10.0) / 10.0;
    }
    return j;
}

int run_doorplate(const DoorplateOptions& opt, const GlobalOptions& global) {
    if (opt.workspace.empty()) {
        throw grid::usage_error("no workspace given", "gridkit doorplate WS --key KEYFILE -o plates.pdf");
    }
    if (opt.key_file.empty()) {
        throw grid::usage_error("--key is required", "make a key once with 'gridkit key gen -o KEYFILE'");
    }
    if (opt.output.empty()) {
        throw grid::usage_error("-o is required", "-o plates.pdf, or -o FOLDER with --format svg|png");
    }
    dp::RenderOptions ro;
    ro.size = dp::plate_size_from_name(opt.size);
    ro.page = dp::page_from_name(opt.page);
    if (!opt.format.empty()) {
        ro.format = dp::format_from_name(opt.format);
    } else if (ends_with_pdf(opt.output)) {
        ro.format = dp::OutputFormat::pdf;
    } else {
        throw grid::usage_error("-o " + opt.output + " is not a .pdf file: say --format svg or --format png for a "
                                                     "folder of plates (or --format pdf)");
    }
    ro.title = opt.title;
    ro.url_template = opt.url_template;
    ro.sign = opt.sign == "ed25519" ? dp::Signature::ed25519 : dp::Signature::none;
    ro.dpi = opt.dpi;
    ro.overwrite = opt.overwrite;
    dp::effective_url_template(ro.url_template, ro.sign); // usage errors before any I/O
    std::string literal = dp::effective_url_template(ro.url_template, ro.sign);
    for (std::size_t open = literal.find('{'); open != std::string::npos; open = literal.find('{')) {
        literal.erase(open, literal.find('}', open) - open + 1); // the values are alphanumeric already
    }
    if (!dp::qr_alphanumeric(literal) && !global.quiet) {
        warn("the URL template has characters outside the QR alphanumeric set (0-9 A-Z $%*+-./: and space): "
             "the QR code gets larger; use upper case");
    }

    dp::KeyFile key = dp::read_key_file(opt.key_file);
    for (const auto& w : key.warnings) {
        warn(w);
    }
    const auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    dp::PlateQuery query;
    query.rental_only = opt.rental;
    query.where = opt.where;
    query.grid_code = opt.grid_code;
    const std::vector<dp::PlateData> plates = dp::plates_from_workspace(ws, query);
    std::size_t houses = 0;
    for (const auto& p : plates) {
        houses += p.houses.size();
    }
    if (plates.empty()) {
        if (opt.json) {
            print_json({{"workspace", opt.workspace}, {"output", nullptr}, {"houses", 0}, {"plates", nlohmann::json::array()},
                        {"valid", true}});
        }
        if (!global.quiet) {
            note("no house matches the selection: nothing written");
        }
        return 0;
    }

    ProgressBar bar(opt.json || global.quiet);
    ro.progress = bar.callback();
    const dp::RenderReport report = dp::render_plates(plates, key.key, ro, opt.output);
    bar.finish();

    std::map<std::string, std::size_t> by_kind;
    for (const auto& p : report.plates) {
        for (const auto& w : p.warnings) {
            ++by_kind[std::string(dp::warning_name(w.kind))];
        }
    }
    const std::size_t made = report.made();
    const std::size_t with_warnings = report.with_warnings();
    if (opt.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : report.plates) {
            list.push_back(plate_json(p));
        }
        nlohmann::json doc{{"version", 1},
                           {"workspace", opt.workspace},
                           {"output", opt.output},
                           {"format", std::string(dp::format_name(report.format))},
                           {"size", std::string(dp::plate_spec(ro.size).name)},
                           {"title", ro.title},
                           {"url_template", dp::effective_url_template(ro.url_template, ro.sign)},
                           {"kid", key.key.kid},
                           {"houses", houses},
                           {"counts",
                            {{"plates", report.plates.size()},
                             {"made", made},
                             {"not_made", report.plates.size() - made},
                             {"with_warnings", with_warnings},
                             {"warnings", by_kind}}},
                           {"notes", report.notes},
                           {"plates", list},
                           {"valid", with_warnings == 0}};
        if (report.format == dp::OutputFormat::pdf) {
            doc["page"] = {{"name", std::string(dp::page_name(ro.page))},
                           {"width_mm", report.page_width_mm},
                           {"height_mm", report.page_height_mm},
                           {"pages", report.pages},
                           {"plates_per_page", report.plates_per_page}};
        } else if (report.format == dp::OutputFormat::png) {
            doc["dpi"] = ro.dpi;
        }
        print_json(doc);
    } else {
        const auto& spec = dp::plate_spec(ro.size);
        std::printf("%zu %s plate(s) (%.0f × %.0f mm) for %zu house(s) written to %s", made,
                    std::string(spec.name).c_str(), spec.width_mm, spec.height_mm, houses, opt.output.c_str());
        if (report.format == dp::OutputFormat::pdf) {
            std::printf(": %d page(s) of %.0f × %.0f mm, %d per page", report.pages, report.page_width_mm,
                        report.page_height_mm, report.plates_per_page);
        }
        std::printf("\n");
        if (made < report.plates.size()) {
            std::printf("%zu address(es) got no plate (see the warnings)\n", report.plates.size() - made);
        }
        for (const auto& n : report.notes) {
            if (!global.quiet) {
                note(n);
            }
        }
        // Every warning is in --json; on the terminal a few of each kind and a count.
        constexpr std::size_t shown_per_kind = 5;
        std::map<std::string, std::size_t> shown;
        for (const auto& p : report.plates) {
            for (const auto& w : p.warnings) {
                if (shown[std::string(dp::warning_name(w.kind))]++ < shown_per_kind) {
                    warn(w.message);
                }
            }
        }
        for (const auto& [kind, count] : by_kind) {
            if (count > shown_per_kind) {
                warn("... " + std::to_string(count - shown_per_kind) + " more " + kind + " warning(s); --json lists all");
            }
        }
    }
    return with_warnings == 0 ? 0 : 1;
}

} // namespace

void register_doorplate(RegistryContext& ctx) {
    auto opt = std::make_shared<DoorplateOptions>();
    CLI::App* cmd = command_group(ctx.app, "doorplate", "QR doorplates (二维码门牌): make plates, check payloads");
    cmd->require_subcommand(0, 1); // `doorplate verify` is a subcommand; `doorplate WS` makes plates
    cmd->add_option("WS", opt->workspace, "Workspace file (read only)");
    cmd->add_flag("--rental", opt->rental, "Only rental houses (house.rental = 1)");
    cmd->add_option("--where", opt->where,
                    "SQL condition on house, address, grid, microgrid columns, e.g. \"house.use = '住宅'\"");
    cmd->add_option("--grid", opt->grid_code, "Only houses in this grid (15 digits) or micro-grid (18 digits)");
    cmd->add_option("--size", opt->size, "Plate size: large 570×370, medium 270×170, small 150×90, label 100×70 mm")
        ->check(CLI::IsMember({"large", "medium", "small", "label"}, CLI::ignore_case))
        ->capture_default_str();
    cmd->add_option("--page", opt->page, "PDF sheet size; plates that do not fit get a page of their own size")
        ->check(CLI::IsMember({"A4", "A3"}, CLI::ignore_case))
        ->capture_default_str();
    cmd->add_option("--title", opt->title, "Title on the plate (default 出租房屋; 标准地址 for a neutral plate)");
    cmd->add_option("--url-template", opt->url_template,
                    "QR payload with {code}, {kid}, {mac} and optionally {sig}; upper case keeps the QR small")
        ->capture_default_str();
    cmd->add_option("--sign", opt->sign, "Add an Ed25519 signature for offline checking (larger QR code)")
        ->check(CLI::IsMember({"none", "ed25519"}))
        ->capture_default_str();
    cmd->add_option("--key", opt->key_file, "Key file from 'gridkit key gen' (required)");
    cmd->add_option("-o,--output", opt->output, "A .pdf file, or a folder for --format svg|png (required)");
    cmd->add_option("-f,--format", opt->format, "pdf (sheets with bleed and crop marks), svg or png (one per plate)")
        ->check(CLI::IsMember({"pdf", "svg", "png"}, CLI::ignore_case));
    cmd->add_option("--dpi", opt->dpi, "PNG resolution")->check(CLI::Range(72.0, 1200.0))->capture_default_str();
    cmd->add_flag("--overwrite", opt->overwrite, "Replace an existing PDF or plate files");
    cmd->add_flag("--json", opt->json, "Print the report (every plate, payload and warning) as JSON");
    Runner* selected = &ctx.selected;
    const GlobalOptions* global = &ctx.global;
    cmd->callback([cmd, opt, selected, global] {
        if (!cmd->get_subcommands().empty()) {
            return; // `doorplate verify` set the runner
        }
        *selected = [opt, global] { return run_doorplate(*opt, *global); };
    });
}

} // namespace gridkit

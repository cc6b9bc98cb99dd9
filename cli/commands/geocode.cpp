// gridkit geocode WS SOURCE [--text-column COL] [-o OUT] [--min-score S] [--json]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/assign.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace gridkit {

namespace {

namespace ga = grid::assign;

struct GeocodeCliOptions {
    std::string workspace;
    std::string source;
    std::string text_column;
    std::string output;
    std::string format;
    bool overwrite = false;
    double min_score = 0.8;
    std::string encoding = "auto";
    std::string source_layer;
    std::string divisions;
    bool json = false;
    unsigned threads = 2;
};

double round3(double v) { return std::round(v * 1000) / 1000; }

std::string score_text(double s) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", s);
    return buf;
}

nlohmann::ordered_json address_json(const ga::StandardAddress& a) {
    nlohmann::ordered_json j{{"address_code", a.code},         {"standard_address", a.text},
                             {"building_code", a.building_code}, {"grid_code", a.grid_code},
                             {"microgrid_code", a.microgrid_code}};
    j["x"] = a.has_point ? nlohmann::ordered_json(a.x) : nlohmann::ordered_json();
    j["y"] = a.has_point ? nlohmann::ordered_json(a.y) : nlohmann::ordered_json();
    return j;
}

nlohmann::ordered_json row_json(const ga::GeocodeRow& r) {
    const ga::Match& m = r.match;
    nlohmann::ordered_json j{{"row", r.row}, {"text", r.text}, {"status", std::string(ga::status_name(m.status))}};
    if (m.status == ga::MatchStatus::error) {
        j["error"] = m.error;
        return j;
    }
    j["method"] = m.method;
    if (m.status == ga::MatchStatus::matched) {
        j["score"] = round3(m.candidates[0].score);
        j["reason"] = m.candidates[0].reason;
        const nlohmann::ordered_json a = address_json(r.candidates[0]);
        for (const auto& [k, v] : a.items()) {
            j[k] = v;
        }
    }
    nlohmann::ordered_json cands = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < m.candidates.size(); ++i) {
        nlohmann::ordered_json c = address_json(r.candidates[i]);
        c["score"] = round3(m.candidates[i].score);
        c["reason"] = m.candidates[i].reason;
        cands.push_back(std::move(c));
    }
    j["candidates"] = cands;
    return j;
}

int run_geocode(const GeocodeCliOptions& opt, const GlobalOptions& global) {
    ga::GeocodeOptions o;
    o.text_column = opt.text_column;
    o.output = opt.output;
    o.format = opt.format;
    o.overwrite = opt.overwrite;
    o.encoding = opt.encoding;
    o.source_layer = opt.source_layer;
    o.geocoder.min_score = opt.min_score;
    o.geocoder.divisions = opt.divisions;
    o.threads = opt.threads;
    auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    ProgressBar bar(global.quiet || opt.json);
    o.progress = bar.callback();
    const auto r = ga::geocode_file(ws, opt.source, o);
    bar.finish();

    if (opt.json) {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const auto& row : r.details) {
            rows.push_back(row_json(row));
        }
        print_json({{"version", 1},
                    {"workspace", opt.workspace},
                    {"source", r.source},
                    {"text_column", r.text_column},
                    {"encoding", r.encoding},
                    {"output", r.output.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.output)},
                    {"min_score", opt.min_score},
                    {"addresses", r.addresses},
                    {"counts", {{"rows", r.rows}, {"matched", r.matched}, {"exact", r.exact}, {"fuzzy", r.fuzzy},
                                {"ambiguous", r.ambiguous}, {"unmatched", r.unmatched}, {"error", r.errors}}},
                    {"rows", rows}});
    } else if (opt.output.empty()) {
        // One line per row: row, status, score, code, standard address.
        for (const auto& row : r.details) {
            const ga::Match& m = row.match;
            std::cout << row.row << '\t' << ga::status_name(m.status) << '\t'
                      << (m.candidates.empty() ? "" : score_text(m.candidates[0].score)) << '\t'
                      << (m.status == ga::MatchStatus::matched ? row.candidates[0].code : "") << '\t'
                      << (m.status == ga::MatchStatus::matched ? row.candidates[0].text : "") << '\n';
        }
    }
    if (r.addresses == 0) {
        warn("the workspace has no standard addresses to match: import them first (gridkit import " + opt.workspace +
             " FILE --layer address)");
    }
    if (!global.quiet) {
        std::cerr << "gridkit geocode: " << r.source << ": " << r.rows << " rows: " << r.matched << " matched (" << r.exact
                  << " exact, " << r.fuzzy << " fuzzy), " << r.ambiguous << " ambiguous, " << r.unmatched << " unmatched, "
                  << r.errors << " errors" << (r.output.empty() ? "" : "; written to " + r.output) << "\n";
        std::size_t shown = 0;
        std::int64_t hidden = 0;
        for (const auto& row : r.details) {
            const ga::Match& m = row.match;
            if (m.status == ga::MatchStatus::matched) {
                continue;
            }
            if (shown == 20) {
                ++hidden;
                continue;
            }
            ++shown;
            std::cerr << "gridkit geocode: " << r.source << ", row " << row.row << ": " << ga::status_name(m.status);
            if (m.status == ga::MatchStatus::error) {
                std::cerr << ": " << m.error << "\n";
                continue;
            }
            // The row number names the row; its text is not repeated (it may hold a name or a phone).
            if (m.candidates.empty()) {
                std::cerr << ", no candidate\n";
                continue;
            }
            std::cerr << ", candidates:";
            for (std::size_t i = 0; i < m.candidates.size(); ++i) {
                std::cerr << (i ? " |" : "") << ' ' << row.candidates[i].code << ' ' << score_text(m.candidates[i].score);
                if (!m.candidates[i].reason.empty()) {
                    std::cerr << " (" << m.candidates[i].reason << ")";
                }
            }
            std::cerr << "\n";
        }
        if (hidden > 0) {
            std::cerr << "gridkit geocode: ... and " << hidden << " more rows not matched ("
                      << (r.output.empty() ? "all of them with -o FILE or --json" : "all of them in " + r.output) << ")\n";
        }
    }
    return static_cast<int>(r.all_matched() ? grid::exit_status::ok : grid::exit_status::data_problems);
}

} // namespace

void register_geocode(RegistryContext& ctx) {
    auto opt = std::make_shared<GeocodeCliOptions>();
    CLI::App* cmd = ctx.app.add_subcommand("geocode", "Match text addresses to the workspace's standard addresses, buildings and grids");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    cmd->add_option("SOURCE", opt->source, "CSV, XLSX or any table GDAL reads, one address per row")->required();
    cmd->add_option("--text-column", opt->text_column, "Column holding the address (default: address, 地址, 标准地址, 详细地址, 住址, text, or the only column)");
    cmd->add_option("-o,--output", opt->output, "Write every row with its result: .csv (UTF-8 with BOM), .xlsx, .gpkg, .geojson, .shp ...");
    cmd->add_option("-f,--format", opt->format, "GDAL driver of the output (default: from its extension)");
    cmd->add_flag("--overwrite", opt->overwrite, "Replace the output if it exists");
    cmd->add_option("--min-score", opt->min_score, "Lowest score (0-1) a fuzzy match is accepted with")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option("--encoding", opt->encoding, "Text encoding of a CSV source: auto, UTF-8 or GB18030")->capture_default_str();
    cmd->add_option("--source-layer", opt->source_layer, "Sheet or layer of a multi-layer source");
    cmd->add_option("--divisions", opt->divisions, "Folder of NBS division CSVs to add to the workspace's own divisions");
    cmd->add_flag("--json", opt->json, "Print the counts and every row with its candidates as JSON");
    cmd->add_option("--threads", opt->threads, "Threads to match with")->check(CLI::Range(1, 64))->capture_default_str();
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_geocode(*opt, *global); }; });
}

} // namespace gridkit

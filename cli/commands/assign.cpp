// gridkit assign WS [--dry-run] [--json] [--layer building,address,house]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/assign.hpp"
#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <sstream>

namespace gridkit {

namespace {

struct AssignCliOptions {
    std::string workspace;
    std::vector<std::string> layers;
    bool dry_run = false;
    bool json = false;
    unsigned threads = 2;
};

double round_to(double v, double unit) { return std::round(v / unit) * unit; }

std::string describe(const grid::assign::Finding& f) {
    using grid::assign::Issue;
    std::ostringstream s;
    s << f.layer << ' ' << (f.code.empty() ? "(no code)" : f.code) << ": ";
    auto zones = [&] {
        std::string z;
        for (std::size_t i = 0; i < f.zones.size(); ++i) {
            z += (i ? ", " : "") + f.zones[i];
            if (i < f.shares.size()) {
                z += " " + std::to_string(static_cast<int>(std::lround(f.shares[i] * 100))) + "%";
            }
        }
        return z;
    };
    switch (f.issue) {
    case Issue::no_grid:
    case Issue::no_microgrid:
        s << "in no " << (f.issue == Issue::no_grid ? "grid" : "micro-grid");
        if (!f.nearest.empty()) {
            char d[32];
            std::snprintf(d, sizeof d, "%.1f", f.distance_m);
            s << " (nearest " << f.nearest << ", " << d << " m away)";
        }
        break;
    case Issue::several_grids:
    case Issue::several_microgrids:
        s << "in " << f.zones.size() << ' ' << (f.issue == Issue::several_grids ? "grids" : "micro-grids") << ' '
          << (f.on_boundary ? "(on their shared boundary)" : "(they overlap)") << ": " << zones();
        break;
    case Issue::straddles_grids:
    case Issue::straddles_microgrids:
        s << "footprint across " << (f.issue == Issue::straddles_grids ? "grids" : "micro-grids") << ": " << zones();
        if (f.outside_share >= 0.005) {
            s << ", outside " << std::lround(f.outside_share * 100) << "%";
        }
        s << "; placed in " << (f.zones.empty() ? "" : f.zones.front());
        break;
    case Issue::no_location:
        s << (f.layer == "house" ? "its address has no point (or is not in the workspace)" : "has no geometry");
        break;
    }
    return s.str();
}

nlohmann::ordered_json to_json(const grid::assign::Result& r, const std::string& ws) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : r.layers) {
        layers.push_back({{"layer", l.layer},
                          {"rows", l.rows},
                          {"placed", l.placed},
                          {"no_grid", l.no_grid},
                          {"several_grids", l.several_grids},
                          {"no_microgrid", l.no_microgrid},
                          {"several_microgrids", l.several_microgrids},
                          {"straddling", l.straddling},
                          {"no_location", l.no_location},
                          {"grid_changed", l.grid_changed},
                          {"microgrid_changed", l.microgrid_changed},
                          {"newly_assigned", l.newly_assigned},
                          {"rows_changed", l.rows_changed}});
    }
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto& f : r.findings) {
        nlohmann::ordered_json j{{"layer", f.layer}, {"code", f.code}, {"issue", std::string(grid::assign::issue_name(f.issue))}};
        if (!f.zones.empty()) {
            j["zones"] = f.zones;
        }
        if (!f.shares.empty()) {
            nlohmann::ordered_json shares = nlohmann::ordered_json::array();
            for (double s : f.shares) {
                shares.push_back(round_to(s, 1e-4));
            }
            j["shares"] = shares;
            j["outside_share"] = round_to(f.outside_share, 1e-4);
        }
        if (f.issue == grid::assign::Issue::several_grids || f.issue == grid::assign::Issue::several_microgrids) {
            j["on_boundary"] = f.on_boundary;
        }
        if (f.issue == grid::assign::Issue::no_grid || f.issue == grid::assign::Issue::no_microgrid) {
            j["nearest"] = f.nearest.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.nearest);
            j["distance_m"] = f.distance_m < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(round_to(f.distance_m, 0.01));
        }
        if (f.has_location) {
            j["x"] = f.x;
            j["y"] = f.y;
        }
        findings.push_back(std::move(j));
    }
    return {{"version", 1},
            {"workspace", ws},
            {"dry_run", r.dry_run},
            {"written", r.written},
            {"rows_written", r.rows_written},
            {"zones", {{"grids", r.grids}, {"microgrids", r.microgrids}, {"grids_without_outline", r.grids_without_outline},
                       {"microgrids_without_outline", r.microgrids_without_outline}}},
            {"layers", layers},
            {"findings", findings},
            {"all_placed", r.all_placed()},
            {"threads", r.threads},
            {"seconds", {{"read", round_to(r.seconds_read, 1e-3)}, {"place", round_to(r.seconds_place, 1e-3)},
                         {"report", round_to(r.seconds_report, 1e-3)},
                         {"write", round_to(r.seconds_write, 1e-3)}}}};
}

int run_assign(const AssignCliOptions& opt, const GlobalOptions& global) {
    grid::assign::Options o;
    o.layers = opt.layers;
    o.dry_run = opt.dry_run;
    o.threads = opt.threads;
    auto ws = grid::Workspace::open(opt.workspace, opt.dry_run ? grid::Workspace::Mode::read_only : grid::Workspace::Mode::read_write);
    ProgressBar bar(global.quiet || opt.json);
    o.progress = bar.callback();
    const auto r = grid::assign::assign(ws, o);
    bar.finish();
    if (opt.json) {
        print_json(to_json(r, opt.workspace));
    } else {
        for (const auto& l : r.layers) {
            std::cout << l.layer << ": " << l.rows << " rows, " << l.placed << " placed";
            if (l.no_grid + l.no_microgrid > 0) {
                std::cout << ", " << l.no_grid << " in no grid, " << l.no_microgrid << " in no micro-grid";
            }
            if (l.several_grids + l.several_microgrids > 0) {
                std::cout << ", " << l.several_grids << " in several grids, " << l.several_microgrids << " in several micro-grids";
            }
            if (l.straddling > 0) {
                std::cout << ", " << l.straddling << " straddling";
            }
            if (l.no_location > 0) {
                std::cout << ", " << l.no_location << " without location";
            }
            std::cout << "; " << l.rows_changed << " changed (grid " << l.grid_changed << ", micro-grid " << l.microgrid_changed
                      << ", newly assigned " << l.newly_assigned << ")" << (r.dry_run ? " [dry run: nothing written]" : "") << "\n";
        }
    }
    const std::size_t shown = std::min<std::size_t>(r.findings.size(), 20);
    if (!global.quiet) {
        for (std::size_t i = 0; i < shown; ++i) {
            std::cerr << "gridkit assign: " << describe(r.findings[i]) << "\n";
        }
        if (r.findings.size() > shown) {
            std::cerr << "gridkit assign: ... and " << r.findings.size() - shown << " more (all of them with --json)\n";
        }
        if (r.grids == 0 || r.microgrids == 0) {
            note(std::string("the workspace has no ") + (r.grids == 0 ? "grid" : "micro-grid") +
                 " outline: that level was not assigned");
        }
    }
    return static_cast<int>(r.all_placed() ? grid::exit_status::ok : grid::exit_status::data_problems);
}

} // namespace

void register_assign(RegistryContext& ctx) {
    auto opt = std::make_shared<AssignCliOptions>();
    CLI::App* cmd = ctx.app.add_subcommand("assign", "Put buildings, addresses and houses into their grid and micro-grid by location");
    cmd->add_option("WS", opt->workspace, "Workspace file")->required();
    cmd->add_option("-l,--layer", opt->layers, "Layers to place, comma-separated: building, address, house (default: all three)")
        ->delimiter(',')
        ->check(CLI::IsMember({"building", "address", "house"}));
    cmd->add_flag("--dry-run", opt->dry_run, "Place and report, write nothing");
    cmd->add_flag("--json", opt->json, "Print the counts and every finding as JSON");
    cmd->add_option("--threads", opt->threads, "Threads to place with")->check(CLI::Range(1, 64))->capture_default_str();
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_assign(*opt, *global); }; });
}

} // namespace gridkit

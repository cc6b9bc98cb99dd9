// gridkit plan list WS [--grid CODE] [--json]
// gridkit plan show WS ID [--json]
// gridkit plan restore WS ID [--json]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/error.hpp"
#include "libgrid/redistrict.hpp"
#include "libgrid/workspace.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace gridkit {

namespace {

namespace rd = grid::redistrict;

struct PlanCliOptions {
    std::string workspace;
    std::string grid;
    std::int64_t id = 0;
    bool json = false;
};

nlohmann::json parse_or_text(const std::string& text) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        return text;
    }
}

nlohmann::json plan_json(const rd::PlanRecord& p, bool with_result) {
    nlohmann::json j{{"id", p.id},
                     {"created_at", p.created_at},
                     {"grid_code", p.grid_code},
                     {"applied", p.applied},
                     {"zones", p.zones},
                     {"households", p.households},
                     {"command", p.command},
                     {"parameters", parse_or_text(p.parameters)}};
    if (with_result) {
        j["result"] = parse_or_text(p.result);
    }
    return j;
}

int run_list(const PlanCliOptions& opt) {
    const auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    const auto plans = rd::list_plans(ws, opt.grid);
    if (opt.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& p : plans) {
            arr.push_back(plan_json(p, false));
        }
        print_json({{"workspace", opt.workspace}, {"plans", arr}});
        return 0;
    }
    if (plans.empty()) {
        std::cout << "no plans" << (opt.grid.empty() ? "" : " for grid " + opt.grid) << '\n';
        return 0;
    }
    std::printf("%6s  %-20s  %-15s  %-8s  %5s  %10s\n", "id", "created", "grid", "state", "zones", "households");
    for (const auto& p : plans) {
        const bool snapshot = p.parameters.find("\"snapshot\"") != std::string::npos;
        std::printf("%6lld  %-20s  %-15s  %-8s  %5zu  %10lld\n", static_cast<long long>(p.id), p.created_at.c_str(),
                    p.grid_code.c_str(), p.applied ? "applied" : snapshot ? "snapshot" : "-", p.zones,
                    static_cast<long long>(p.households));
    }
    return 0;
}

int run_show(const PlanCliOptions& opt) {
    const auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_only);
    std::vector<rd::PlanZoneRecord> zones;
    const rd::PlanRecord p = rd::get_plan(ws, opt.id, &zones);
    if (opt.json) {
        nlohmann::json j = plan_json(p, true);
        nlohmann::json zs = nlohmann::json::array();
        for (const auto& z : zones) {
            zs.push_back({{"code", z.code}, {"households", z.households}, {"buildings", z.members.size()},
                          {"members", z.members}, {"has_outline", !z.wkb.empty()}});
        }
        j["microgrids"] = zs;
        print_json(j);
        return 0;
    }
    std::cout << "plan " << p.id << " of grid " << p.grid_code << ", " << p.created_at << ", "
              << (p.applied ? "applied" : "not applied") << "\n"
              << "command:    " << p.command << "\n"
              << "parameters: " << p.parameters << "\n";
    for (const auto& z : zones) {
        std::printf("  %-20s %6lld households %4zu buildings%s\n", z.code.c_str(), static_cast<long long>(z.households),
                    z.members.size(), z.wkb.empty() ? " (no outline)" : "");
    }
    return 0;
}

int run_restore(const PlanCliOptions& opt) {
    auto ws = grid::Workspace::open(opt.workspace, grid::Workspace::Mode::read_write);
    const std::int64_t id = rd::restore_plan(ws, opt.id);
    const rd::PlanRecord p = rd::get_plan(ws, id);
    if (opt.json) {
        print_json({{"workspace", opt.workspace}, {"restored", opt.id}, {"plan_id", id}, {"grid_code", p.grid_code},
                    {"zones", p.zones}});
    } else {
        std::cout << "restored plan " << opt.id << " of grid " << p.grid_code << " (" << p.zones
                  << " micro-grids) as plan " << id << '\n';
    }
    return 0;
}

} // namespace

void register_plan(RegistryContext& ctx) {
    CLI::App* group = command_group(ctx.app, "plan", "List, show and restore the redistricting plans of a workspace");
    Runner* selected = &ctx.selected;

    auto list = std::make_shared<PlanCliOptions>();
    CLI::App* l = group->add_subcommand("list", "List the recorded plans, newest first");
    l->add_option("WS", list->workspace, "Workspace file")->required();
    l->add_option("--grid", list->grid, "Only the plans of this grid");
    l->add_flag("--json", list->json, "Print the plans as one JSON document");
    l->callback([list, selected] { *selected = [list] { return run_list(*list); }; });

    auto add_id_command = [&](const char* name, const char* description, const char* json_help,
                              int (*run)(const PlanCliOptions&)) {
        auto opt = std::make_shared<PlanCliOptions>();
        CLI::App* c = group->add_subcommand(name, description);
        c->add_option("WS", opt->workspace, "Workspace file")->required();
        c->add_option("ID", opt->id, "Plan id (from gridkit plan list)")->required();
        c->add_flag("--json", opt->json, json_help);
        c->callback([opt, selected, run] { *selected = [opt, run] { return run(*opt); }; });
    };
    add_id_command("show", "Show one plan: parameters, result and micro-grids", "Print the plan as one JSON document",
                   run_show);
    add_id_command("restore", "Write an earlier plan back into the workspace", "Print the result as JSON", run_restore);
}

} // namespace gridkit

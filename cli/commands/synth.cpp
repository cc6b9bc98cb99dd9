// gridkit synth OUT --households N [--seed S] [--overwrite] [--json]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/synth.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

namespace gridkit {

namespace {

struct SynthOptions {
    std::string out;
    std::int64_t households = 0;
    std::uint64_t seed = 1;
    bool overwrite = false;
    bool json = false;
};

int run_synth(const SynthOptions& opt, const GlobalOptions& global) {
    grid::synth::Options options;
    options.households = opt.households;
    options.seed = opt.seed;
    options.check();
    ProgressBar bar(global.quiet);
    options.progress = bar.callback();
    const auto start = std::chrono::steady_clock::now();
    const bool workspace = grid::synth::is_workspace_path(opt.out);
    const grid::synth::Counts counts = workspace ? grid::synth::write_workspace(opt.out, options, opt.overwrite)
                                                 : grid::synth::write_folder(opt.out, options, opt.overwrite);
    bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (opt.json) {
        nlohmann::json layers = nlohmann::json::object();
        for (const auto& [layer, n] : counts.layers) {
            layers[layer] = n;
        }
        print_json({{"output", opt.out},
                    {"format", workspace ? "workspace" : "folder"},
                    {"households", counts.households},
                    {"seed", opt.seed},
                    {"layers", layers},
                    {"seconds", std::round(seconds * 100) / 100}});
    } else if (!global.quiet) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f s", seconds);
        note("wrote " + opt.out + (workspace ? " (workspace): " : " (folder): ") + std::to_string(counts.households) +
             " households, " + std::to_string(counts.layers.at("grid")) + " grids, " +
             std::to_string(counts.layers.at("microgrid")) + " micro-grids, " +
             std::to_string(counts.layers.at("building")) + " buildings, " +
             std::to_string(counts.layers.at("person")) + " residents in " + buf);
    }
    return 0;
}

} // namespace

void register_synth(RegistryContext& ctx) {
    auto opt = std::make_shared<SynthOptions>();
    CLI::App* cmd = ctx.app.add_subcommand(
        "synth", "Write a deterministic synthetic district (Taizhou 海陵区) as a workspace or a folder of import files");
    cmd->add_option("OUT", opt->out, "A .sqlite workspace to create, or a folder for GeoJSON + GB18030 CSV files")
        ->required();
    cmd->add_option("--households", opt->households, "Number of households (occupied dwellings), 50-5000000")
        ->required();
    cmd->add_option("--seed", opt->seed, "Random seed: the same seed and households give the same rows")
        ->check(CLI::Validator(
            [](std::string& value) {
                return value.find('-') == std::string::npos ? std::string()
                                                           : "the seed is a whole number from 0 up, not " + value;
            },
            ""))
        ->capture_default_str();
    cmd->add_flag("--overwrite", opt->overwrite, "Replace an existing workspace, or the files in an existing folder");
    cmd->add_flag("--json", opt->json, "Print the rows written per layer as JSON");
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_synth(*opt, *global); }; });
}

} // namespace gridkit

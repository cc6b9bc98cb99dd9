// gridkit code check CODE... [--kind KIND] [--json] [--unmask]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace gridkit {

namespace {

namespace codes = grid::codes;

struct CodeCheckOptions {
    std::vector<std::string> codes;
    std::string kind;
    bool json = false;
    bool unmask = false;
};

bool could_be_resident_id(const codes::CodeInfo& info) {
    return info.kind == codes::CodeKind::resident_id ||
           std::find(info.alternatives.begin(), info.alternatives.end(), codes::CodeKind::resident_id) !=
               info.alternatives.end();
}

// Output may be logged: anything that could be a resident ID is shown masked, with the parts
// that would give the masked digits away (birth date, or the digits of another reading).
void mask(codes::CodeInfo& info) {
    if (!could_be_resident_id(info)) {
        return;
    }
    info.code = codes::mask_resident_id(info.code);
    if (info.kind == codes::CodeKind::resident_id) {
        if (info.fields.count("birth_date") != 0) {
            info.fields["birth_date"] = "****-**-**";
        }
        return;
    }
    info.message = "reads as a " + std::string(codes::kind_name(info.kind)) +
                   " code, but could be a resident ID, so it is masked (use --kind " +
                   std::string(codes::kind_name(info.kind)) + " or --unmask to see it)";
    info.parent.clear();
    info.fields.clear();
}

std::string details(const codes::CodeInfo& info) {
    std::string out;
    const auto add = [&out](const std::string& key, const std::string& value) {
        out += (out.empty() ? "" : " ") + key + "=" + value;
    };
    if (!info.parent.empty()) {
        add("parent", info.parent);
    }
    for (const auto& [key, value] : info.fields) {
        add(key, value);
    }
    for (const codes::CodeKind alt : info.alternatives) {
        add("also", std::string(codes::kind_name(alt)));
    }
    return out;
}

int run_code_check(const CodeCheckOptions& opt) {
    std::vector<std::string> inputs;
    for (const std::string& code : opt.codes) {
        if (code == "-") {
            std::string line;
            while (std::getline(std::cin, line)) {
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back();
                }
                if (line.find_first_not_of(" \t") != std::string::npos) {
                    inputs.push_back(line);
                }
            }
        } else {
            inputs.push_back(code);
        }
    }
    const codes::CodeKind kind = opt.kind.empty() ? codes::CodeKind::unknown : codes::kind_from_name(opt.kind);
    bool all_valid = true;
    for (const std::string& input : inputs) {
        codes::CodeInfo info = kind == codes::CodeKind::unknown ? codes::explain(input) : codes::check(input, kind);
        all_valid = all_valid && info.valid;
        if (!opt.unmask) {
            mask(info);
        }
        if (opt.json) {
            nlohmann::json alternatives = nlohmann::json::array();
            for (const codes::CodeKind alt : info.alternatives) {
                alternatives.push_back(codes::kind_name(alt));
            }
            print_json({{"code", info.code},
                        {"kind", codes::kind_name(info.kind)},
                        {"valid", info.valid},
                        {"message", info.message},
                        {"parent", info.parent},
                        {"fields", info.fields},
                        {"alternatives", alternatives}});
        } else {
            std::cout << info.code << '\t' << codes::kind_name(info.kind) << '\t' << (info.valid ? "valid" : "INVALID")
                      << '\t' << info.message << '\t' << details(info) << '\n';
        }
    }
    return static_cast<int>(all_valid ? grid::exit_status::ok : grid::exit_status::data_problems);
}

} // namespace

void register_code_check(RegistryContext& ctx) {
    auto opt = std::make_shared<CodeCheckOptions>();
    CLI::App* group = command_group(ctx.app, "code", "Explain and check codes (divisions, grids, IDs, USCCs)");
    CLI::App* cmd = group->add_subcommand(
        "check", "Say what each code is (kind, parent, parts) and whether it is valid; exit 1 if any is invalid");
    cmd->add_option("CODE", opt->codes, "Codes to check; '-' reads one code per line from stdin")->required();
    std::vector<std::string> kinds;
    for (const codes::CodeKind k :
         {codes::CodeKind::province, codes::CodeKind::city, codes::CodeKind::county, codes::CodeKind::township,
          codes::CodeKind::community, codes::CodeKind::grid, codes::CodeKind::microgrid, codes::CodeKind::building,
          codes::CodeKind::address, codes::CodeKind::resident_id, codes::CodeKind::uscc}) {
        kinds.emplace_back(codes::kind_name(k));
    }
    cmd->add_option("--kind", opt->kind, "Check as this kind instead of guessing it from the code")
        ->check(CLI::IsMember(kinds));
    cmd->add_flag("--json", opt->json, "One JSON object per code and line: code, kind, valid, message, parent, fields");
    cmd->add_flag("--unmask", opt->unmask, "Show resident IDs and their birth dates in clear (masked by default)");
    Runner* selected = &ctx.selected;
    cmd->callback([opt, selected] { *selected = [opt] { return run_code_check(*opt); }; });
}

} // namespace gridkit

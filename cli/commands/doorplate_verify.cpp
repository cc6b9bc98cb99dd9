// gridkit doorplate verify PAYLOAD... --key KEYFILE [--key KEYFILE...] [--url-template URL] [--json]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/doorplate.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace gridkit {

namespace {

namespace dp = grid::doorplate;

struct VerifyOptions {
    std::vector<std::string> payloads;
    std::vector<std::string> key_files;
    std::string url_template = std::string(dp::default_url_template);
    bool json = false;
};

int run_verify(const VerifyOptions& opt) {
    std::vector<dp::Key> keys;
    for (const auto& file : opt.key_files) {
        dp::KeyFile kf = dp::read_key_file(file);
        for (const auto& w : kf.warnings) {
            warn(w);
        }
        keys.push_back(kf.key);
    }
    dp::effective_url_template(opt.url_template, dp::Signature::none); // a bad template is a usage error up front
    std::vector<std::string> payloads;
    for (const auto& p : opt.payloads) {
        if (p == "-") {
            // One scanned payload per line (a scanner's or zbarimg's output).
            std::string line;
            while (std::getline(std::cin, line)) {
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back();
                }
                if (!line.empty()) {
                    payloads.push_back(line);
                }
            }
        } else {
            payloads.push_back(p);
        }
    }
    bool all_valid = true;
    for (const auto& payload : payloads) {
        const dp::Verification v = dp::verify(payload, keys, opt.url_template);
        all_valid = all_valid && v.valid();
        if (opt.json) {
            print_json({{"payload", payload},
                        {"valid", v.valid()},
                        {"status", std::string(dp::status_name(v.status))},
                        {"reason", v.reason},
                        {"address_code", v.address_code},
                        {"kid", v.kid},
                        {"mac_checked", v.mac_checked},
                        {"signature_checked", v.signature_checked}});
        } else if (v.valid()) {
            std::cout << "valid    " << v.address_code << "  key " << v.kid << "  ("
                      << (v.mac_checked ? "MAC" : "") << (v.mac_checked && v.signature_checked ? " + " : "")
                      << (v.signature_checked ? "Ed25519 signature" : "") << ")\n";
        } else {
            std::cout << "INVALID  " << dp::status_name(v.status) << ": " << v.reason << "  [" << payload << "]\n";
        }
    }
    return all_valid ? 0 : 1;
}

} // namespace

void register_doorplate_verify(RegistryContext& ctx) {
    auto opt = std::make_shared<VerifyOptions>();
    CLI::App* doorplate = command_group(ctx.app, "doorplate", "QR doorplates (二维码门牌): make plates, check payloads");
    doorplate->require_subcommand(0, 1); // `gridkit doorplate WS` itself makes plates
    CLI::App* cmd = doorplate->add_subcommand(
        "verify", "Check scanned doorplate payloads against doorplate keys (MAC and Ed25519 signature)");
    cmd->add_option("PAYLOAD", opt->payloads, "Scanned payloads; '-' reads one per line from stdin")->required();
    cmd->add_option("--key", opt->key_files,
                    "Key file (repeat for several keys, e.g. old and new after a rotation; a public key file "
                    "checks signatures only)")
        ->required();
    cmd->add_option("--url-template", opt->url_template, "The URL template the plates were made with")
        ->capture_default_str();
    cmd->add_flag("--json", opt->json,
                  "One JSON object per payload: payload, valid, status, reason, address_code, kid, mac_checked, "
                  "signature_checked");
    Runner* selected = &ctx.selected;
    cmd->callback([opt, selected] { *selected = [opt] { return run_verify(*opt); }; });
}

} // namespace gridkit

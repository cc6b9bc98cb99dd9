// gridkit key gen -o KEYFILE [--overwrite] [--kid ID] [--public FILE] [--json]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/doorplate.hpp"
#include "libgrid/error.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace gridkit {

namespace {

struct KeyGenOptions {
    std::string output;
    std::string public_output;
    std::string kid;
    bool overwrite = false;
    bool json = false;
};

int run_key_gen(const KeyGenOptions& opt, const GlobalOptions& global) {
    // Both files are checked before either is written, so a refusal leaves nothing behind.
    for (const std::string& file : {opt.output, opt.public_output}) {
        if (!file.empty() && !opt.overwrite && std::filesystem::exists(file)) {
            throw grid::io_error(file, "already exists",
                                 "use --overwrite to replace it (plates made with the old key stop verifying)");
        }
    }
    if (!opt.public_output.empty() && opt.public_output == opt.output) {
        throw grid::usage_error("--public must name another file than -o");
    }
    const grid::doorplate::Key key = grid::doorplate::generate_key(opt.kid);
    grid::doorplate::write_key_file(key, opt.output, opt.overwrite);
    if (!opt.public_output.empty()) {
        grid::doorplate::write_key_file(key, opt.public_output, opt.overwrite, true);
    }
    // The key id is not secret (every plate shows it); the key material is never printed.
    if (opt.json) {
        nlohmann::json doc{{"kid", key.kid}, {"file", opt.output}, {"mode", "0600"}};
        if (!opt.public_output.empty()) {
            doc["public_file"] = opt.public_output;
        }
        print_json(doc);
    } else if (!global.quiet) {
        note("wrote key " + key.kid + " to " + opt.output + " (mode 0600; keep it secret, keep a backup)" +
             (opt.public_output.empty() ? "" : "; public key to " + opt.public_output));
    }
    return 0;
}

} // namespace

void register_key_gen(RegistryContext& ctx) {
    auto opt = std::make_shared<KeyGenOptions>();
    CLI::App* group = command_group(ctx.app, "key", "Doorplate keys");
    CLI::App* cmd = group->add_subcommand(
        "gen", "Make a doorplate key: key id, HMAC-SHA256 secret and Ed25519 key pair (file mode 0600)");
    cmd->add_option("-o,--output", opt->output, "Key file to write (created new unless --overwrite)")->required();
    cmd->add_flag("--overwrite", opt->overwrite,
                  "Replace an existing key file (plates made with the old key stop verifying)");
    cmd->add_option("--kid", opt->kid, "Key id printed into every payload: 1-8 of 0-9 A-Z (default: 4 random)");
    cmd->add_option("--public", opt->public_output,
                    "Also write a public key file (key id + Ed25519 public key) for offline checking");
    cmd->add_flag("--json", opt->json, "Print the key id and file names as JSON");
    Runner* selected = &ctx.selected;
    const GlobalOptions* global = &ctx.global;
    cmd->callback([opt, selected, global] { *selected = [opt, global] { return run_key_gen(*opt, *global); }; });
}

} // namespace gridkit

// How a command plugs into gridkit: one file per command in cli/commands/, each with a
// register function listed in cli/commands/registry.cpp. Parsing does no I/O: a command's
// CLI11 callback only stores a runner; main() calls it after parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

namespace gridkit {

/// The work a parsed command will do; returns the exit status (grid::exit_status as int).
using Runner = std::function<int()>;

/// Options shared by all commands.
struct GlobalOptions {
    bool quiet = false;
};

/// What a command's register function gets.
struct RegistryContext {
    CLI::App& app;              ///< the top-level app (add subcommands here)
    Runner& selected;           ///< set this from the subcommand's callback
    const GlobalOptions& global;
};

/// Finds or creates a command group such as `code` in `gridkit code check`.
CLI::App* command_group(CLI::App& app, const std::string& name, const std::string& description);

/// A CLI11 check for numeric options that must be 0 or more, with a one-line message
/// ("--tolerance: must be 0 or more, got -1"); shown as NONNEGATIVE in --help.
inline CLI::Validator non_negative() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            double v = 0;
            if (!CLI::detail::lexical_cast(value, v)) {
                return "not a number: " + value;
            }
            return v >= 0 ? std::string() : "must be 0 or more, got " + value;
        },
        "NONNEGATIVE");
}

/// Registers every command (cli/commands/registry.cpp).
void register_all(RegistryContext& ctx);

} // namespace gridkit

// gridkit's entry point and its only try/catch: every libgrid error becomes one line
// "gridkit <command>: <message>" (plus a hint) and its documented exit status.
#include "command.hpp"

#include "libgrid/error.hpp"
#include "libgrid/workspace.hpp"

#include <iostream>
#include <string>

namespace gridkit {

CLI::App* command_group(CLI::App& app, const std::string& name, const std::string& description) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_name() == name) {
            return sub;
        }
    }
    CLI::App* group = app.add_subcommand(name, description);
    group->require_subcommand(1);
    return group;
}

} // namespace gridkit

namespace {

std::string command_path(const CLI::App& app) {
    std::string path;
    const CLI::App* current = &app;
    while (true) {
        const auto subs = current->get_subcommands();
        if (subs.empty()) {
            break;
        }
        current = subs.front();
        path += (path.empty() ? "" : " ") + current->get_name();
    }
    return path;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"gridkit: GIS data of grid-based community management (网格化服务管理)", "gridkit"};
    app.set_version_flag("--version", std::string("gridkit ") + GRIDKIT_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    gridkit::GlobalOptions global;
    app.add_flag("-q,--quiet", global.quiet, "No progress bars or notes on stderr");

    std::string line = "gridkit";
    for (int i = 1; i < argc; ++i) {
        line += ' ';
        line += argv[i];
    }
    grid::set_command_line(line);

    gridkit::Runner selected;
    gridkit::RegistryContext ctx{app, selected, global};
    gridkit::register_all(ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e); // prints help, returns 0
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "gridkit";
        const std::string path = command_path(app);
        if (!path.empty()) {
            std::cerr << ' ' << path;
        }
        std::cerr << ": " << e.what() << "\n  run 'gridkit " << (path.empty() ? "" : path + " ") << "--help' for the options\n";
        return static_cast<int>(grid::exit_status::usage);
    } catch (const grid::error& e) {
        // A library error raised while a callback validated its options.
        std::cerr << "gridkit " << command_path(app) << ": " << e.what() << '\n';
        if (!e.hint().empty()) {
            std::cerr << "  " << e.hint() << '\n';
        }
        return static_cast<int>(e.status());
    }

    const std::string path = command_path(app);
    if (!selected) {
        std::cerr << "gridkit " << path << ": no command given\n  run 'gridkit --help'\n";
        return static_cast<int>(grid::exit_status::usage);
    }
    try {
        return selected();
    } catch (const grid::error& e) {
        std::cerr << "gridkit " << path << ": " << e.what() << '\n';
        if (!e.hint().empty()) {
            std::cerr << "  " << e.hint() << '\n';
        }
        return static_cast<int>(e.status());
    } catch (const std::bad_alloc&) {
        std::cerr << "gridkit " << path << ": out of memory\n";
        return static_cast<int>(grid::exit_status::cannot_run);
    } catch (const std::exception& e) {
        // Not a libgrid error: a bug. Still one line and a defined status, never a crash.
        std::cerr << "gridkit " << path << ": internal error: " << e.what()
                  << "\n  please report this with the command line that caused it\n";
        return static_cast<int>(grid::exit_status::cannot_run);
    }
}

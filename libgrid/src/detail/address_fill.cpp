#include "detail/address_fill.hpp"

#include "libgrid/address.hpp"

#include "detail/assign_internal.hpp"

namespace grid::detail {

namespace {

constexpr std::size_t k_parts = 12; // province .. room: every component but `rest`

} // namespace

struct AddressFiller::Impl {
    assign::detail::WorkspaceParser parser;
};

bool AddressFiller::wanted(const std::string& layer, const std::map<std::string, std::string>& mapping) {
    if (layer != "address" || mapping.count("text") == 0) {
        return false;
    }
    for (const auto& f : fields()) {
        if (mapping.count(f) > 0) {
            return false;
        }
    }
    return true;
}

const std::vector<std::string>& AddressFiller::fields() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (std::size_t i = 0; i < k_parts; ++i) {
            n.emplace_back(address::component_name(static_cast<address::Component>(i)));
        }
        return n;
    }();
    return names;
}

AddressFiller::AddressFiller(const Workspace& ws) : m_impl(std::make_unique<Impl>()) {
    m_impl->parser = assign::detail::make_workspace_parser(ws);
}

AddressFiller::~AddressFiller() = default;

void AddressFiller::fill(const RowView& row) const {
    const std::optional<std::string>* text = row.get("text");
    if (text == nullptr || !text->has_value() || (*text)->empty()) {
        return;
    }
    const address::ParsedAddress parsed = m_impl->parser.parse(**text);
    if (!parsed.ok()) {
        return;
    }
    for (std::size_t i = 0; i < k_parts; ++i) {
        std::optional<std::string>* slot = row.get(fields()[i]);
        const std::string& value = parsed.fields[i].value;
        if (slot != nullptr && !value.empty()) {
            *slot = value;
        }
    }
}

} // namespace grid::detail

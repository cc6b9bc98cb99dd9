// Private: address components for imported address rows that only map the text column; the
// importer (io_import.cpp) calls this after a row's values are read.
#pragma once

#include "detail/import_rules.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace grid {
class Workspace;
}

namespace grid::detail {

/// Fills province .. room of an address row from its text with the parser, configured with the
/// workspace's divisions, roads and compounds.
class AddressFiller {
public:
    /// True for the address layer when `text` is mapped and no component is (mapping:
    /// destination field -> source column, as ImportResult::mapping).
    static bool wanted(const std::string& layer, const std::map<std::string, std::string>& mapping);
    /// The fields it fills: province, city, ..., room.
    static const std::vector<std::string>& fields();

    explicit AddressFiller(const Workspace& ws);
    ~AddressFiller();
    AddressFiller(const AddressFiller&) = delete;
    AddressFiller& operator=(const AddressFiller&) = delete;

    /// Sets the row's components from its `text` value. Text the parser cannot read (too long,
    /// not an address) leaves them empty: the row is still imported.
    void fill(const RowView& row) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace grid::detail

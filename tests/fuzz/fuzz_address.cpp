// libFuzzer target for the address parser: any bytes in, never a crash, a leak or UB, and the
// invariants a caller relies on hold (spans inside the input, errors only with no components).
// Built with -DGRIDKIT_FUZZ=ON and clang (tests/CMakeLists.txt); docs/address.md says how to run it.
#include "libgrid/address.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

const grid::address::DivisionTable& table() {
    // A small table so the division paths (aliases, context, fill-in) run too.
    static const grid::address::DivisionTable t(std::vector<grid::Division>{
        {"32", "江苏省", 1, ""},
        {"11", "北京市", 1, ""},
        {"3212", "泰州市", 2, "32"},
        {"1101", "市辖区", 2, "11"},
        {"321202", "海陵区", 3, "3212"},
        {"110105", "朝阳区", 3, "1101"},
        {"321202007", "京泰路街道", 4, "321202"},
        {"321202007004", "十里铺社区居民委员会", 5, "321202007"},
        {"321202007201", "新桥村村民委员会", 5, "321202007"},
    });
    return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const grid::address::AddressParser with_table(&table());
    static const grid::address::AddressParser plain;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const auto* parser : {&with_table, &plain}) {
        const grid::address::ParsedAddress a = parser->parse(text);
        if (!a.ok()) {
            for (const auto& f : a.fields) {
                if (f.present()) {
                    std::abort(); // an error comes with no components
                }
            }
            continue;
        }
        for (const auto& f : a.fields) {
            if (f.span.begin > f.span.end || f.span.end > size) {
                std::abort();
            }
            if (f.present() && !grid::address::is_valid_utf8(f.value)) {
                std::abort(); // values are always UTF-8
            }
        }
        (void)grid::address::format_standard(a);
        (void)a.key();
    }
    return 0;
}

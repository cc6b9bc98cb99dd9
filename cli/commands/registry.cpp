// The one list of gridkit's commands. Each register_* lives in cli/commands/<verb>.cpp.
#include "command.hpp"

namespace gridkit {

void register_init(RegistryContext& ctx);
void register_info(RegistryContext& ctx);

void register_all(RegistryContext& ctx) {
    register_init(ctx);
    register_info(ctx);
}

} // namespace gridkit

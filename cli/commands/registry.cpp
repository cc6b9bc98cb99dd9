// The one list of gridkit's commands. Each register_* lives in cli/commands/<verb>.cpp.
#include "command.hpp"

namespace gridkit {

void register_init(RegistryContext& ctx);
void register_info(RegistryContext& ctx);
void register_import(RegistryContext& ctx);
void register_export(RegistryContext& ctx);
void register_code_check(RegistryContext& ctx);
void register_crs_convert(RegistryContext& ctx);
void register_synth(RegistryContext& ctx);
void register_validate(RegistryContext& ctx);
void register_repair(RegistryContext& ctx);
void register_address(RegistryContext& ctx);
void register_doorplate(RegistryContext& ctx);
void register_doorplate_verify(RegistryContext& ctx);
void register_key_gen(RegistryContext& ctx);
void register_map(RegistryContext& ctx);
void register_assign(RegistryContext& ctx);
void register_geocode(RegistryContext& ctx);
void register_redistrict(RegistryContext& ctx);
void register_plan(RegistryContext& ctx);

void register_all(RegistryContext& ctx) {
    register_init(ctx);
    register_info(ctx);
    register_import(ctx);
    register_export(ctx);
    register_code_check(ctx);
    register_crs_convert(ctx);
    register_synth(ctx);
    register_validate(ctx);
    register_repair(ctx);
    register_address(ctx);
    register_doorplate(ctx);
    register_doorplate_verify(ctx);
    register_key_gen(ctx);
    register_map(ctx);
    register_assign(ctx);
    register_geocode(ctx);
    register_redistrict(ctx);
    register_plan(ctx);
}

} // namespace gridkit

// synth + validate: a synthetic workspace is clean data, so validation finds nothing at all
// (no error, no warning) and counts every household.
#include "common.hpp"

#include "libgrid/validate.hpp"
#include "libgrid/workspace.hpp"

#include <doctest/doctest.h>

using namespace grid;
using synth_test::options;
using synth_test::TempDir;

TEST_CASE("synth workspace: validates without any finding") {
    TempDir tmp;
    const std::string path = tmp.file("v.sqlite");
    synth::write_workspace(path, options(5000, 2), false);
    const auto ws = Workspace::open(path, Workspace::Mode::read_only);
    ValidationOptions vo;
    vo.threads = 1;
    const auto report = validate(ws, vo);
    for (const auto& e : report.errors) {
        MESSAGE(e.code << " " << e.layer << " " << e.id << ": " << e.message);
    }
    CHECK(report.valid());
    CHECK(report.overview.warnings == 0);
    CHECK(report.overview.households == 5000);
}

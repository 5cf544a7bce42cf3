#pragma once

#include <string_view>

namespace workstream {

// The semantic version this binary was built as (from the CMake project).
std::string_view buildVersion();

}  // namespace workstream

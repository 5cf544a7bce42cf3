#pragma once

#include <string_view>

namespace workstream {

// The WHATWG "valid e-mail address", with a dot required in the domain and
// at most 254 characters: what we accept as a recipient anywhere.
bool isValidEmail(std::string_view address);

}  // namespace workstream

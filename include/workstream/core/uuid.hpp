#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace workstream {

// A random (version 4) UUID in canonical lowercase form.
std::string newUuid();
// The name-based (version 5, SHA-1) UUID of `name` in `namespaceUuid`: the
// same inputs always give the same id.
std::string uuidV5(std::string_view namespaceUuid, std::string_view name);
// The canonical lowercase form of a UUID written 8-4-4-4-12 in hex, or
// nullopt when `text` is not one.
std::optional<std::string> canonicalUuid(std::string_view text);

}  // namespace workstream

#pragma once

#include <memory>

#include "app/module.hpp"
#include "app/roles_root.hpp"

namespace workstream::app {

// The notifications role: consumes task events, records them in MongoDB,
// deduplicates through Redis, requests mails; serves /debug/notifications.
std::unique_ptr<Module> startNotifications(RoleContext& context);

}  // namespace workstream::app

#pragma once

#include <memory>

#include "app/module.hpp"
#include "app/roles_root.hpp"

namespace workstream::app {

// The mailer role: consumes workstream.mailer and sends each request over
// SMTP once, deduplicated through Redis.
std::unique_ptr<Module> startMailer(RoleContext& context);

}  // namespace workstream::app

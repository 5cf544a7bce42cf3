#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "workstream/core/result.hpp"

namespace workstream {

enum class Role : std::uint8_t { gateway = 1, tasks = 2, notifications = 4, mailer = 8 };

// The modules one process hosts, chosen by `--role`.
class RoleSet {
 public:
  static RoleSet all();

  bool has(Role role) const { return (bits_ & static_cast<std::uint8_t>(role)) != 0; }
  bool empty() const { return bits_ == 0; }
  void add(Role role) { bits_ |= static_cast<std::uint8_t>(role); }
  bool operator==(const RoleSet&) const = default;

  // "all", or the hosted roles joined by commas in a fixed order.
  std::string str() const;
  // The `service` name in logs and /health: "workstream-tasks" for one role,
  // "workstream" for several.
  std::string serviceName() const;

 private:
  std::uint8_t bits_ = 0;
};

struct RoleError {
  std::string message;
};

// Parses "all" or a comma-separated list such as "gateway,tasks".
Result<RoleSet, RoleError> parseRoles(std::string_view text);

}  // namespace workstream

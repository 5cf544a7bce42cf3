#include "workstream/core/roles.hpp"

#include <array>
#include <utility>

namespace workstream {
namespace {

constexpr std::array<std::pair<std::string_view, Role>, 4> kRoles{{
    {"gateway", Role::gateway},
    {"tasks", Role::tasks},
    {"notifications", Role::notifications},
    {"mailer", Role::mailer},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

RoleSet RoleSet::all() {
  RoleSet set;
  for (const auto& [name, role] : kRoles) set.add(role);
  return set;
}

std::string RoleSet::str() const {
  if (*this == all()) return "all";
  std::string out;
  for (const auto& [name, role] : kRoles) {
    if (!has(role)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::string RoleSet::serviceName() const {
  for (const auto& [name, role] : kRoles) {
    RoleSet only;
    only.add(role);
    if (*this == only) return "workstream-" + std::string(name);
  }
  return "workstream";
}

Result<RoleSet, RoleError> parseRoles(std::string_view text) {
  RoleSet set;
  while (true) {
    const auto comma = text.find(',');
    const auto word = trim(text.substr(0, comma));
    if (word == "all") {
      set = RoleSet::all();
    } else {
      bool known = false;
      for (const auto& [name, role] : kRoles) {
        if (word == name) {
          set.add(role);
          known = true;
        }
      }
      if (!known) {
        return RoleError{word.empty() ? std::string("empty role in --role")
                                      : "unknown role \"" + std::string(word) +
                                            "\" (expected all, gateway, tasks, notifications "
                                            "or mailer)"};
      }
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return set;
}

}  // namespace workstream

#include <catch2/catch.hpp>

#include "workstream/core/roles.hpp"

using namespace workstream;

TEST_CASE("roles: all hosts every module") {
  auto parsed = parseRoles("all");
  REQUIRE(parsed.ok());
  const auto roles = *parsed;
  for (auto role : {Role::gateway, Role::tasks, Role::notifications, Role::mailer}) {
    CHECK(roles.has(role));
  }
  CHECK(roles.str() == "all");
  CHECK(roles.serviceName() == "workstream");
}

TEST_CASE("roles: a list hosts exactly what it names") {
  const auto roles = parseRoles("tasks, gateway").value();
  CHECK(roles.has(Role::gateway));
  CHECK(roles.has(Role::tasks));
  CHECK_FALSE(roles.has(Role::notifications));
  CHECK_FALSE(roles.has(Role::mailer));
  CHECK(roles.str() == "gateway,tasks");
}

TEST_CASE("roles: one role names its service") {
  CHECK(parseRoles("mailer").value().serviceName() == "workstream-mailer");
  CHECK(parseRoles("tasks").value().serviceName() == "workstream-tasks");
}

TEST_CASE("roles: the four roles listed are all") {
  CHECK(parseRoles("gateway,tasks,notifications,mailer").value() == RoleSet::all());
}

TEST_CASE("roles: an unknown role is named in the error") {
  auto parsed = parseRoles("gateway,nope");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message ==
        "unknown role \"nope\" (expected all, gateway, tasks, notifications or mailer)");
}

TEST_CASE("roles: empty input and empty items are errors") {
  CHECK(parseRoles("").error().message == "empty role in --role");
  CHECK(parseRoles("tasks,,mailer").error().message == "empty role in --role");
}

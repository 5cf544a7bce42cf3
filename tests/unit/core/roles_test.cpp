#include <catch2/catch.hpp>

#include "workstream/core/roles.hpp"

using namespace workstream;

TEST_CASE("roles: all hosts every module") {
  auto parsed = parseRoles("all");
  REQUIRE(std::holds_alternative<RoleSet>(parsed));
  const auto roles = std::get<RoleSet>(parsed);
  for (auto role : {Role::gateway, Role::tasks, Role::notifications, Role::mailer}) {
    CHECK(roles.has(role));
  }
  CHECK(roles.str() == "all");
  CHECK(roles.serviceName() == "workstream");
}

TEST_CASE("roles: a list hosts exactly what it names") {
  const auto roles = std::get<RoleSet>(parseRoles("tasks, gateway"));
  CHECK(roles.has(Role::gateway));
  CHECK(roles.has(Role::tasks));
  CHECK_FALSE(roles.has(Role::notifications));
  CHECK_FALSE(roles.has(Role::mailer));
  CHECK(roles.str() == "gateway,tasks");
}

TEST_CASE("roles: one role names its service") {
  CHECK(std::get<RoleSet>(parseRoles("mailer")).serviceName() == "workstream-mailer");
  CHECK(std::get<RoleSet>(parseRoles("tasks")).serviceName() == "workstream-tasks");
}

TEST_CASE("roles: the four roles listed are all") {
  CHECK(std::get<RoleSet>(parseRoles("gateway,tasks,notifications,mailer")) == RoleSet::all());
}

TEST_CASE("roles: an unknown role is named in the error") {
  auto parsed = parseRoles("gateway,nope");
  REQUIRE(std::holds_alternative<RoleError>(parsed));
  CHECK_THAT(std::get<RoleError>(parsed).message, Catch::Contains("\"nope\""));
}

TEST_CASE("roles: empty input and empty items are errors") {
  CHECK(std::holds_alternative<RoleError>(parseRoles("")));
  CHECK(std::holds_alternative<RoleError>(parseRoles("tasks,,mailer")));
}

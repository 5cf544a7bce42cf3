#include <catch2/catch.hpp>

#include "tasks/validation.hpp"
#include "workstream/core/email.hpp"

using workstream::isValidEmail;

using namespace workstream::tasks;

namespace {

std::string fieldOf(NewTask task) {
  auto valid = validateNewTask(std::move(task));
  return valid ? "" : valid.error().field;
}

}  // namespace

TEST_CASE("validation: a title is trimmed and must keep 1-200 characters") {
  const auto valid = validateNewTask({"  Plan  ", {}, {}, {}});
  REQUIRE(valid.ok());
  CHECK(valid->title == "Plan");
  const auto empty = validateNewTask({" \t ", {}, {}, {}});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message == "title is required");
  CHECK(empty.error().code == ErrorCode::validationFailed);
  CHECK(fieldOf({"", {}, {}, {}}) == "title");
  CHECK(fieldOf({" \t ", {}, {}, {}}) == "title");
  CHECK(fieldOf({std::string(200, 'a'), {}, {}, {}}).empty());
  CHECK(fieldOf({std::string(201, 'a'), {}, {}, {}}) == "title");
}

TEST_CASE("validation: lengths count characters, not bytes") {
  std::string twoHundredEuros;
  for (int i = 0; i < 200; ++i) twoHundredEuros += "\xE2\x82\xAC";  // U+20AC, 3 bytes
  CHECK(fieldOf({twoHundredEuros, {}, {}, {}}).empty());
  CHECK(fieldOf({twoHundredEuros + "x", {}, {}, {}}) == "title");
}

TEST_CASE("validation: control characters and broken UTF-8 are refused") {
  CHECK(fieldOf({"a\nb", {}, {}, {}}) == "title");
  CHECK(fieldOf({"a\x7f", {}, {}, {}}) == "title");
  CHECK(fieldOf({"a\xC2\x85", {}, {}, {}}) == "title");     // U+0085, a C1 control
  CHECK(fieldOf({"a\xC3", {}, {}, {}}) == "title");         // truncated sequence
  CHECK(fieldOf({"\xC0\xAF", {}, {}, {}}) == "title");      // overlong
  CHECK(fieldOf({"\xED\xA0\x80", {}, {}, {}}) == "title");  // surrogate
  // A description may hold line breaks and tabs, but no other controls.
  CHECK(fieldOf({"t", std::string("line 1\n\tline 2\r\n"), {}, {}}).empty());
  CHECK(fieldOf({"t", std::string("bell\a"), {}, {}}) == "description");
  CHECK(fieldOf({"t", std::string(10000, 'd'), {}, {}}).empty());
  CHECK(fieldOf({"t", std::string(10001, 'd'), {}, {}}) == "description");
}

TEST_CASE("validation: email addresses") {
  for (const char* good : {"a@example.com", "first.last+tag@sub.example.org", "x@a-b.io"}) {
    INFO(good);
    CHECK(isValidEmail(good));
  }
  for (const char* bad : {"", "plain", "@example.com", "a@", "a@localhost", "a b@example.com",
                          "a@exa mple.com", "a@-example.com", "a@example.com\r\nBcc: x@y.z"}) {
    INFO(bad);
    CHECK_FALSE(isValidEmail(bad));
  }
  CHECK(isValidEmail(std::string(64, 'a') + "@" + std::string(63, 'b') + ".com"));
  CHECK_FALSE(isValidEmail(std::string(250, 'a') + "@b.com"));
  CHECK(fieldOf({"t", {}, std::string("nope"), {}}) == "assignee_email");
}

TEST_CASE("validation: idempotency keys are 1-200 printable ASCII characters") {
  CHECK(fieldOf({"t", {}, {}, std::string("abc-123_XYZ")}).empty());
  CHECK(fieldOf({"t", {}, {}, std::string("")}) == "idempotency_key");
  CHECK(fieldOf({"t", {}, {}, std::string(201, 'k')}) == "idempotency_key");
  CHECK(fieldOf({"t", {}, {}, std::string("with space")}) == "idempotency_key");
}

TEST_CASE("validation: ids are UUIDs, made canonical") {
  CHECK(validateId("0AF76519-16CD-43DD-8448-EB211C80319C").value() ==
        "0af76519-16cd-43dd-8448-eb211c80319c");
  for (const char* bad :
       {"", "123", "0af7651916cd43dd8448eb211c80319c", "0af76519-16cd-43dd-8448-eb211c80319g",
        "{0af76519-16cd-43dd-8448-eb211c80319c}"}) {
    INFO(bad);
    const auto valid = validateId(bad);
    REQUIRE_FALSE(valid.ok());
    CHECK(valid.error().field == "id");
    CHECK(valid.error().message == "id must be a UUID");
    CHECK(valid.error().code == ErrorCode::validationFailed);
  }
  CHECK(validateId("x", "task_id").error().message == "task_id must be a UUID");
  CHECK(validateNewTask({"t", {}, {}, {}}).ok());
}

TEST_CASE("isValidUtf8: what protobuf accepts as a string") {
  CHECK(isValidUtf8(""));
  CHECK(isValidUtf8("plain"));
  CHECK(
      isValidUtf8("Gr\xC3\xBC\xC3\x9F"
                  "e"));
  CHECK_FALSE(isValidUtf8("\xFF"));
  CHECK_FALSE(isValidUtf8("\xC3\x28"));          // a broken sequence
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

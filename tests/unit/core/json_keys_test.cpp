#include <catch2/catch.hpp>

#include "workstream/core/json_keys.hpp"

using workstream::duplicateJsonKey;

TEST_CASE("json keys: a key repeated in one object is found, at any depth") {
  CHECK(duplicateJsonKey(R"({"title": "a", "title": "b"})") == "title");
  CHECK(duplicateJsonKey(R"({"a": {"x": 1, "y": 2, "x": 3}})") == "x");
  CHECK(duplicateJsonKey(R"([{"k": 1}, {"k": 2, "k": 3}])") == "k");
  CHECK(duplicateJsonKey(R"({"t\u0069tle": "a", "title": "b"})") == "title");  // escaped alike
  CHECK(duplicateJsonKey("{\"" + std::string(5000, 'k') + "\": 1, \"" + std::string(5000, 'k') +
                         "\": 2}") == std::string(5000, 'k'));
}

TEST_CASE("json keys: the same key in different objects, or none repeated, is fine") {
  CHECK_FALSE(duplicateJsonKey(R"({"a": {"a": 1}, "b": {"a": 2}})"));
  CHECK_FALSE(duplicateJsonKey(R"([{"k": 1}, {"k": 2}])"));
  CHECK_FALSE(duplicateJsonKey(R"({"title": "x", "Title": "y"})"));
  CHECK_FALSE(duplicateJsonKey("{}"));
  CHECK_FALSE(duplicateJsonKey("not json"));
}

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "workstream/http/message.hpp"

using namespace workstream;

TEST_CASE("http: an error body stays JSON when it echoes bytes that are not UTF-8") {
  // As the REST API answers GET /api/v1/tasks?%FF=1 and a 405 on a path
  // with such a byte: the message and details.field echo the client's bytes.
  const auto res = http::errorResponse(400, "VALIDATION_FAILED", "unknown query parameter \"\xFF\"",
                                       "{\"field\":\"a\xC3(\"}", "req-\xE2\x82");
  boost::system::error_code ec;
  const auto body = boost::json::parse(res.body, ec);
  REQUIRE_FALSE(ec);
  const auto& error = body.at("error");
  CHECK(error.at("message").as_string() == "unknown query parameter \"\xEF\xBF\xBD\"");
  CHECK(error.at("details").at("field").as_string() == "a\xEF\xBF\xBD(");
  CHECK(error.at("request_id").as_string() == "req-\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("http: an error body keeps UTF-8 as it is") {
  const auto res = http::errorResponse(404, "NOT_FOUND", "caf\xC3\xA9 \xF0\x9F\x98\x80",
                                       "{\"field\":\"\xE2\x98\x95\"}");
  const auto body = boost::json::parse(res.body);
  CHECK(body.at("error").at("message").as_string() == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(body.at("error").at("details").at("field").as_string() == "\xE2\x98\x95");
}

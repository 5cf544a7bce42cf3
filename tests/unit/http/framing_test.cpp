#include <catch2/catch.hpp>

#include "http/framing.hpp"

using namespace workstream::http;

TEST_CASE("framing: chunked alone, or a Content-Length, with one Host") {
  CHECK_FALSE(framingProblem(11, {{"Host", "x"}, {"Content-Length", "5"}}));
  CHECK_FALSE(framingProblem(11, {{"Host", "x"}, {"Transfer-Encoding", "chunked"}}));
  CHECK_FALSE(framingProblem(11, {{"host", "x"}, {"transfer-encoding", " Chunked "}}));
  CHECK_FALSE(framingProblem(10, {{"Content-Length", "5"}}));  // HTTP/1.0 needs no Host
}

TEST_CASE("framing: a Transfer-Encoding whose final coding is not chunked is refused") {
  for (const char* codings : {"xchunked", "chunked, identity", "identity", "gzip, chunked",
                              "chunked, chunked", "", ",", "chunked;q=1"}) {
    CAPTURE(codings);
    CHECK(framingProblem(11, {{"Host", "x"}, {"Transfer-Encoding", codings}}));
  }
  // Split over two lines, it is one list: chunked, identity.
  CHECK(framingProblem(
      11, {{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "identity"}}));
}

TEST_CASE("framing: Transfer-Encoding with Content-Length, or in HTTP/1.0, is refused") {
  CHECK(framingProblem(11,
                       {{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}));
  CHECK(framingProblem(
      11, {{"Host", "x"}, {"Transfer-Encoding", "xchunked"}, {"Content-Length", "5"}}));
  CHECK(framingProblem(10, {{"Transfer-Encoding", "chunked"}}));
}

TEST_CASE("framing: HTTP/1.1 needs exactly one Host") {
  CHECK(framingProblem(11, {{"Content-Length", "5"}}));
  CHECK(framingProblem(11, {{"Host", "a"}, {"Host", "b"}}));
  CHECK_FALSE(framingProblem(11, {{"Host", ""}}));
}

TEST_CASE("framing: Expect 100-continue") {
  CHECK(expectsContinue({{"Expect", "100-continue"}}));
  CHECK(expectsContinue({{"expect", "100-Continue"}}));
  CHECK_FALSE(expectsContinue({{"Expect", "something-else"}}));
  CHECK_FALSE(expectsContinue({}));
}

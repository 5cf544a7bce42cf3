#pragma once

// HTTP requests and responses as plain values, so request handling is a
// function from one to the other, testable without sockets.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace workstream::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;  // path and query, as sent
  Headers headers;
  std::string body;

  // The first header of that name (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
  std::string_view path() const;
  std::string_view query() const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string contentType = "text/plain");
};

// The one error body of every Workstream API:
// {"error": {"code": "...", "message": "...", "details": {...}, "request_id": "..."}}.
// `detailsJson` is a serialized JSON object, or empty for none; request_id is
// left out when empty.
Response errorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view detailsJson = {}, std::string_view requestId = {});

// Handing over the response. Called exactly once, from any thread.
using Respond = std::function<void(Response)>;
// Request handling: answers at once or later (after an RPC, say), never
// blocking the calling I/O thread.
using Handler = std::function<void(Request, Respond)>;

}  // namespace workstream::http

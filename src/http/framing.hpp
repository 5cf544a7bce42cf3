#pragma once

// Checks of a request's head made before its body is read, so that a
// request whose length is ambiguous is refused instead of being read one
// way here and another way by a proxy in front (request smuggling).

#include <optional>
#include <string>

#include "workstream/http/message.hpp"

namespace workstream::http {

// Why the request must be refused with 400 and its connection closed, or
// nullopt. RFC 9112: a Transfer-Encoding other than exactly `chunked` (§6.3:
// when the final coding is not chunked the length cannot be known; we decode
// no other coding), Transfer-Encoding together with Content-Length, or in an
// HTTP/1.0 request (§6.1); an HTTP/1.1 request without exactly one Host
// (§3.2). `version` is 10 or 11.
std::optional<std::string> framingProblem(unsigned version, const Headers& headers);

// Whether the client waits for `100 Continue` before it sends its body.
bool expectsContinue(const Headers& headers);

}  // namespace workstream::http

#pragma once

// The transfer encoding of a mail's text body (RFC 2045), chosen so that the
// message reads as it is in any client: 7bit when the body is plain ASCII in
// lines SMTP carries as they are, quoted-printable otherwise. Line breaks
// ("\n" or "\r\n") become CRLF either way.

#include <string>
#include <string_view>

namespace workstream::mailer {

struct EncodedBody {
  std::string_view encoding;  // the Content-Transfer-Encoding
  std::string text;           // CRLF lines, the last one ended too

  bool operator==(const EncodedBody&) const = default;
};

EncodedBody encodeBody(std::string_view body);

// What a reader gets back from `encodeBody`: the body with CRLF line breaks.
std::string withCrlf(std::string_view body);

}  // namespace workstream::mailer

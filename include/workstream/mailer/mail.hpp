#pragma once

// A mail to send, checked and composed as an RFC 5322 message.

#include <optional>
#include <string>
#include <vector>

#include "workstream/core/time.hpp"

namespace workstream::mailer {

constexpr std::size_t kMaxRecipients = 50;
constexpr std::size_t kMaxSubjectChars = 998;

struct Mail {
  std::string eventId;  // of the request: the Message-ID is derived from it
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;
  std::string traceId;
  Timestamp date;
};

// The Message-ID of the mail for request `eventId`, angle brackets included.
inline std::string messageIdOf(const std::string& eventId) {
  return "<" + eventId + "@workstream>";
}

// Why the request cannot be mailed, ever: recipients (1-50 valid
// addresses), a subject over 998 characters or with CR or LF (header
// injection), a body over `maxBodyBytes`.
std::optional<std::string> checkMail(const Mail& mail, std::size_t maxBodyBytes);

// The message, CRLF line endings: From, To, Subject (RFC 2047 when not
// ASCII or a word is too long to fold), Date, Message-ID
// <event_id@workstream>, X-Workstream-Trace-Id (when the trace id is a
// token of at most 128 characters), MIME headers, and the UTF-8 body as
// 7bit when it is plain ASCII, quoted-printable otherwise (body_encoding.hpp). Headers are folded
// to RFC 5322's line limits: 78 characters where a word allows, never over 998.
std::string composeMessage(const Mail& mail);

// RFC 2047 "Q" encoded-words of at most 75 characters, folded; printable
// ASCII without "=?" and without a word over 75 characters is left as it is.
std::string encodeHeaderText(const std::string& text);

}  // namespace workstream::mailer

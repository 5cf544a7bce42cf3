#pragma once

// What every composed mail must be, whatever it was made from: a header
// section of CRLF lines of at most 998 characters, each a header the mailer
// writes (once) or a folded continuation of one, and a base64 body that
// decodes to the mail's body.

#include <set>
#include <string>
#include <string_view>

#include "fuzz/support.hpp"
#include "mailer/mail.hpp"

namespace workstream::fuzz {

inline std::string decodeBase64(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0, count = 0;
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '=') continue;
    const auto value = kAlphabet.find(c);
    check(value != std::string_view::npos, "the body is not base64");
    bits = (bits << 6) | static_cast<unsigned>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

inline void checkHeaderLine(std::string_view line, std::set<std::string>& seen) {
  static const std::set<std::string, std::less<>> kHeaders = {
      "From",         "To",           "Subject",
      "Date",         "Message-ID",   "X-Workstream-Trace-Id",
      "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
  check(line.size() <= 998, "a header line over 998 characters");
  check(line.find_first_of("\r\n") == std::string_view::npos, "a bare CR or LF in a header");
  if (line.starts_with(' ') || line.starts_with('\t')) {
    check(line.find_first_not_of(" \t") != std::string_view::npos,
          "a folded header line of only white space");
    check(!seen.empty(), "the header section starts with a continuation");
    return;
  }
  // The value may start on the next line ("To:" CRLF " a@example.com").
  const auto colon = line.find(':');
  check(colon != std::string_view::npos, "a header line that is no header");
  const std::string name(line.substr(0, colon));
  check(kHeaders.contains(name), "a header the mailer does not write");
  check(seen.insert(name).second, "a header written twice");
}

inline void checkComposed(const mailer::Mail& mail, const std::string& message) {
  const auto end = message.find("\r\n\r\n");
  check(end != std::string::npos, "no blank line after the headers");
  const std::string_view headers = std::string_view(message).substr(0, end + 2);
  std::set<std::string> seen;
  for (std::size_t at = 0; at < headers.size();) {
    const auto eol = headers.find("\r\n", at);
    checkHeaderLine(headers.substr(at, eol - at), seen);
    at = eol + 2;
  }
  for (const char* required : {"From", "To", "Subject", "Date", "Message-ID"}) {
    check(seen.contains(required), "a required header is missing");
  }
  check(decodeBase64(std::string_view(message).substr(end + 4)) == mail.body,
        "the body does not decode to the mail's body");
}

}  // namespace workstream::fuzz

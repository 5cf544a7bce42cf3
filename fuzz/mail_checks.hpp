#pragma once

// What every composed mail must be, whatever it was made from: a header
// section of CRLF lines of at most 998 characters, each a header the mailer
// writes (once) or a folded continuation of one, and a 7bit or
// quoted-printable body that decodes to the mail's body.

#include <set>
#include <string>
#include <string_view>

#include "fuzz/support.hpp"
#include "mailer/body_encoding.hpp"
#include "workstream/mailer/delivery_log.hpp"
#include "workstream/mailer/mail.hpp"

namespace workstream::fuzz {

// The mailer writes its deliveries for `workstream trace`; the fuzzers only
// need somewhere to write them.
class IgnoredDeliveries final : public mailer::DeliveryLog {
 public:
  void sent(const std::string&, const std::string&, Timestamp, const std::string&) override {}
  void failed(const std::string&, const std::string&, const mailer::DeliveryFailure&) override {}
  std::optional<mailer::DeliveryRecord> find(const std::string&) override { return std::nullopt; }
};

// The body as a reader gets it: 7bit as it is; quoted-printable decoded,
// its soft line breaks removed. Every line within SMTP's 998 characters,
// and a quoted-printable one within 76.
inline std::string decodeBody(std::string_view encoding, std::string_view text) {
  check(encoding == "7bit" || encoding == "quoted-printable", "an unexpected transfer encoding");
  const bool qp = encoding == "quoted-printable";
  std::string out;
  while (!text.empty()) {
    const auto eol = text.find("\r\n");
    check(eol != std::string_view::npos, "a body line without CRLF");
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 2);
    check(line.size() <= (qp ? 76u : 998u), "a body line too long");
    check(line.find_first_of("\r\n") == std::string_view::npos, "a bare CR or LF in the body");
    if (!qp) {
      out.append(line).append("\r\n");
      continue;
    }
    const bool soft = line.ends_with('=');
    if (soft) line.remove_suffix(1);
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      check(c == '\t' || (c >= 0x20 && c <= 0x7E),
            "quoted-printable text that is not printable ASCII");
      if (c != '=') {
        out += static_cast<char>(c);
        continue;
      }
      check(i + 2 < line.size(), "a truncated =XX");
      const std::string hex(line.substr(i + 1, 2));
      check(hex.find_first_not_of("0123456789ABCDEF") == std::string::npos, "=XX that is no hex");
      out += static_cast<char>(std::stoi(hex, nullptr, 16));
      i += 2;
    }
    if (!soft) out += "\r\n";
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
  constexpr std::string_view kEncoding = "\r\nContent-Transfer-Encoding: ";
  const auto at = headers.find(kEncoding);
  check(at != std::string_view::npos, "no Content-Transfer-Encoding");
  const auto value = headers.substr(at + kEncoding.size());
  check(decodeBody(value.substr(0, value.find("\r\n")),
                   std::string_view(message).substr(end + 4)) == mailer::withCrlf(mail.body),
        "the body does not decode to the mail's body");
}

}  // namespace workstream::fuzz

#include "workstream/mailer/mail.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "mailer/body_encoding.hpp"
#include "workstream/core/email.hpp"

namespace workstream::mailer {
namespace {

std::size_t utf8Chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

constexpr std::size_t kMaxEncodedWord = 75;  // RFC 2047
constexpr std::size_t kWantedLine = 78;      // RFC 5322: SHOULD; 998 is the MUST
constexpr std::size_t kMaxTraceId = 128;

bool printableAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// Text that can go into a header as it is, and fold there: printable ASCII
// that could not be taken for an encoded-word, and no word too long to fold.
bool plainHeaderText(const std::string& s) {
  if (!printableAscii(s) || s.find("=?") != std::string::npos) return false;
  std::size_t word = 0;
  for (char c : s) {
    word = c == ' ' ? 0 : word + 1;
    if (word > kMaxEncodedWord) return false;
  }
  return true;
}

// "Name: value" folded (RFC 5322 2.2.3): CRLF goes before a space, so that
// each line keeps within 78 characters unless one word is longer. Lines
// never hold whitespace alone. Unfolding (removing the CRLFs) gives the
// value back exactly.
std::string headerField(std::string_view name, std::string_view value) {
  const std::string whole = std::string(name) + ": " + std::string(value);
  std::string_view line = whole;
  std::string out;
  while (line.size() > kWantedLine) {
    const auto firstWord = line.find_first_not_of(' ');
    if (firstWord == std::string_view::npos) break;
    auto at = line.substr(0, kWantedLine + 1).find_last_of(' ');
    if (at == std::string_view::npos || at <= firstWord) at = line.find(' ', firstWord);
    if (at == std::string_view::npos || line.find_first_not_of(' ', at) == line.npos) break;
    out.append(line.substr(0, at)).append("\r\n");
    line.remove_prefix(at);
  }
  return out.append(line).append("\r\n");
}

std::string rfc5322Date(Timestamp t) {
  const std::tm utc = fmt::gmtime(
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t)));
  return fmt::format("{:%a, %d %b %Y %H:%M:%S} +0000", utc);
}

}  // namespace

std::optional<std::string> checkMail(const Mail& mail, std::size_t maxBodyBytes) {
  if (mail.to.empty() || mail.to.size() > kMaxRecipients) return "to must hold 1 to 50 addresses";
  for (const auto& address : mail.to) {
    if (!isValidEmail(address)) return "not a valid address: \"" + address + "\"";
  }
  if (mail.subject.find_first_of("\r\n") != std::string::npos) {
    return "the subject must not contain CR or LF";
  }
  if (utf8Chars(mail.subject) > kMaxSubjectChars) return "the subject is over 998 characters";
  if (mail.body.size() > maxBodyBytes) {
    return "the body is over " + std::to_string(maxBodyBytes) + " bytes";
  }
  return std::nullopt;
}

std::string encodeHeaderText(const std::string& text) {
  if (plainHeaderText(text)) return text;
  constexpr std::string_view kOpen = "=?UTF-8?Q?", kClose = "?=";
  std::string out, word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += "\r\n ";
    out += std::string(kOpen) + word + std::string(kClose);
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    // One character (all bytes of a UTF-8 sequence) never splits across words.
    std::size_t length = 1;
    while (i + length < text.size() &&
           (static_cast<unsigned char>(text[i + length]) & 0xC0) == 0x80)
      ++length;
    std::string encoded;
    for (std::size_t k = 0; k < length; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if (c == ' ') {
        encoded += '_';
      } else if (std::isalnum(c)) {
        encoded += static_cast<char>(c);
      } else {
        encoded += fmt::format("={:02X}", c);
      }
    }
    if (kOpen.size() + word.size() + encoded.size() + kClose.size() > kMaxEncodedWord) flush();
    word += encoded;
    i += length;
  }
  flush();
  return out;
}

std::string composeMessage(const Mail& mail) {
  std::string to;
  for (const auto& address : mail.to) to += (to.empty() ? "" : ", ") + address;
  std::string message;
  message += headerField("From", mail.from);
  message += headerField("To", to);
  // Encoded-words come folded already.
  const auto subject = encodeHeaderText(mail.subject);
  message +=
      subject == mail.subject ? headerField("Subject", subject) : "Subject: " + subject + "\r\n";
  message += "Date: " + rfc5322Date(mail.date) + "\r\n";
  message += "Message-ID: " + messageIdOf(mail.eventId) + "\r\n";
  // The trace id comes from the request: only a token that fits a line.
  if (!mail.traceId.empty() && mail.traceId.size() <= kMaxTraceId && printableAscii(mail.traceId) &&
      mail.traceId.find(' ') == std::string::npos) {
    message += "X-Workstream-Trace-Id: " + mail.traceId + "\r\n";
  }
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=utf-8\r\n";
  const auto body = encodeBody(mail.body);
  message += "Content-Transfer-Encoding: " + std::string(body.encoding) + "\r\n\r\n";
  message += body.text;
  return message;
}

}  // namespace workstream::mailer

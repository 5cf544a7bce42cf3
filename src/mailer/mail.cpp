#include "mailer/mail.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>

#include "workstream/core/email.hpp"

namespace workstream::mailer {
namespace {

std::size_t utf8Chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string base64Lines(const std::string& data) {
  using namespace boost::archive::iterators;
  using Encoder = base64_from_binary<transform_width<std::string::const_iterator, 6, 8>>;
  std::string encoded(Encoder(data.begin()), Encoder(data.end()));
  encoded.append((3 - data.size() % 3) % 3, '=');
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

bool plainHeaderText(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return s.find("=?") == std::string::npos;
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
  constexpr std::size_t kMaxWord = 75;
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
    if (kOpen.size() + word.size() + encoded.size() + kClose.size() > kMaxWord) flush();
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
  message += "From: " + mail.from + "\r\n";
  message += "To: " + to + "\r\n";
  message += "Subject: " + encodeHeaderText(mail.subject) + "\r\n";
  message += "Date: " + rfc5322Date(mail.date) + "\r\n";
  message += "Message-ID: <" + mail.eventId + "@workstream>\r\n";
  if (!mail.traceId.empty()) message += "X-Workstream-Trace-Id: " + mail.traceId + "\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=utf-8\r\n";
  message += "Content-Transfer-Encoding: base64\r\n\r\n";
  message += base64Lines(mail.body);
  return message;
}

}  // namespace workstream::mailer

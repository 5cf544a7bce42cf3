#include "mailer/body_encoding.hpp"

#include <fmt/format.h>

#include <vector>

namespace workstream::mailer {
namespace {

constexpr std::size_t kMaxSmtpLine = 998;  // RFC 5321 4.5.3.1.6, without CRLF
constexpr std::size_t kMaxQpLine = 76;     // RFC 2045 6.7 (5), the soft break's "=" included

// The lines of `body`: split at "\n" and "\r\n"; a CR elsewhere stays in its line.
std::vector<std::string_view> lines(std::string_view body) {
  std::vector<std::string_view> out;
  while (true) {
    const auto eol = body.find('\n');
    if (eol == std::string_view::npos) break;
    const bool crlf = eol > 0 && body[eol - 1] == '\r';
    out.push_back(body.substr(0, crlf ? eol - 1 : eol));
    body.remove_prefix(eol + 1);
  }
  if (!body.empty() || out.empty()) out.push_back(body);
  return out;
}

bool sevenBit(const std::vector<std::string_view>& lines) {
  for (const auto line : lines) {
    if (line.size() > kMaxSmtpLine) return false;
    for (const unsigned char c : line) {
      if (c != '\t' && (c < 0x20 || c > 0x7E)) return false;
    }
  }
  return true;
}

// One line, quoted-printable, with soft breaks that keep each encoded line
// within 76 characters; an encoded octet is never split.
void appendQuotedPrintable(std::string_view line, std::string& out) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    // Space and tab are literal except at the end of a line, where
    // transports may strip them.
    const bool literal = (c >= 0x21 && c <= 0x7E && c != '=') || ((c == ' ' || c == '\t') && !last);
    const std::string piece =
        literal ? std::string(1, static_cast<char>(c)) : fmt::format("={:02X}", c);
    // Room for the piece and, unless it ends the line, a soft break's "=".
    const std::size_t room = last ? kMaxQpLine : kMaxQpLine - 1;
    if (width + piece.size() > room) {
      out += "=\r\n";
      width = 0;
    }
    out += piece;
    width += piece.size();
  }
  out += "\r\n";
}

}  // namespace

EncodedBody encodeBody(std::string_view body) {
  const auto split = lines(body);
  EncodedBody encoded;
  if (sevenBit(split)) {
    encoded.encoding = "7bit";
    for (const auto line : split) encoded.text.append(line).append("\r\n");
    return encoded;
  }
  encoded.encoding = "quoted-printable";
  for (const auto line : split) appendQuotedPrintable(line, encoded.text);
  return encoded;
}

std::string withCrlf(std::string_view body) {
  std::string out;
  for (const auto line : lines(body)) out.append(line).append("\r\n");
  return out;
}

}  // namespace workstream::mailer

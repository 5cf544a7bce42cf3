#include <catch2/catch.hpp>

#include "mailer/body_encoding.hpp"
#include "workstream/mailer/mail.hpp"

using namespace workstream;
using namespace workstream::mailer;

namespace {

Mail mail() {
  Mail m;
  m.eventId = "0af76519-16cd-43dd-8448-eb211c80319c";
  m.from = "workstream@example.com";
  m.to = {"a@example.com", "b@example.org"};
  m.subject = "Hello";
  m.body = "Hi!";
  m.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  m.date = Timestamp(std::chrono::seconds(1'700'000'000));
  return m;
}

}  // namespace

TEST_CASE("mail: the message has the headers of RFC 5322 and a plain-ASCII body as 7bit") {
  const auto message = composeMessage(mail());
  CHECK_THAT(message,
             Catch::StartsWith("From: workstream@example.com\r\n"
                               "To: a@example.com, b@example.org\r\n"
                               "Subject: Hello\r\n"
                               "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                               "Message-ID: <0af76519-16cd-43dd-8448-eb211c80319c@workstream>\r\n"
                               "X-Workstream-Trace-Id: 4bf92f3577b34da6a3ce929d0e0e4736\r\n"
                               "MIME-Version: 1.0\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: 7bit\r\n\r\n"));
  CHECK_THAT(message, Catch::EndsWith("\r\n\r\nHi!\r\n"));
}

TEST_CASE("mail: a 7bit body keeps its text, with CRLF line breaks") {
  const auto body = encodeBody("Line one\nLine two\r\n\tindented .\n");
  CHECK(body.encoding == "7bit");
  CHECK(body.text == "Line one\r\nLine two\r\n\tindented .\r\n");
  CHECK(encodeBody("").text == "\r\n");
  CHECK(encodeBody(std::string(998, 'x')).encoding == "7bit");
}

TEST_CASE("mail: non-ASCII, control characters and long lines are quoted-printable") {
  CHECK(encodeBody("Grüße, Zoë\n") ==
        EncodedBody{"quoted-printable", "Gr=C3=BC=C3=9Fe, Zo=C3=AB\r\n"});
  // A CR alone, and "=" once the body is quoted-printable.
  CHECK(encodeBody("a\rb = c").text == "a=0Db =3D c\r\n");
  // Trailing white space is encoded, inner white space is not.
  CHECK(encodeBody("é tab\t\nspace \n").text == "=C3=A9 tab=09\r\nspace=20\r\n");
  // A line of 999 characters is too long for SMTP: soft breaks keep each
  // encoded line within 76 characters, never inside an encoded octet.
  const auto longLine = encodeBody(std::string(999, 'x'));
  CHECK(longLine.encoding == "quoted-printable");
  std::string joined;
  std::size_t at = 0;
  while (at < longLine.text.size()) {
    const auto eol = longLine.text.find("\r\n", at);
    const auto line = longLine.text.substr(at, eol - at);
    CHECK(line.size() <= 76);
    joined += line.ends_with('=') ? line.substr(0, line.size() - 1) : line;
    at = eol + 2;
  }
  CHECK(joined == std::string(999, 'x'));
  std::string accents;
  for (int i = 0; i < 40; ++i) accents += "é";
  const auto encoded = encodeBody(accents).text;
  CHECK(encoded.find("=\r\n") == 75);  // 25 encoded octets ("=C3") of 3 characters, then "="
}

TEST_CASE("mail: non-ASCII subjects are RFC 2047 encoded-words of at most 75 characters") {
  CHECK(encodeHeaderText("Plain subject") == "Plain subject");
  CHECK(encodeHeaderText("Grüße") == "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=");
  CHECK(encodeHeaderText("a b") == "a b");
  CHECK(encodeHeaderText("=?trick?=") == "=?UTF-8?Q?=3D=3Ftrick=3F=3D?=");
  std::string longText;
  for (int i = 0; i < 60; ++i) longText += "é";
  const auto encoded = encodeHeaderText(longText);
  std::size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    auto end = encoded.find("\r\n ", start);
    const auto word =
        encoded.substr(start, end == std::string::npos ? std::string::npos : end - start);
    CHECK(word.size() <= 75);
    CHECK_THAT(word, Catch::StartsWith("=?UTF-8?Q?") && Catch::EndsWith("?="));
    CHECK(word.find("=C3?=") == std::string::npos);  // no character split across words
    ++words;
    start = end == std::string::npos ? encoded.size() : end + 3;
  }
  CHECK(words > 1);
}

TEST_CASE("mail: requests that can never be mailed are refused with the reason") {
  CHECK_FALSE(checkMail(mail(), 1024));
  auto m = mail();
  m.subject = "Hi\r\nBcc: x@y.z";
  CHECK_THAT(*checkMail(m, 1024), Catch::Contains("CR or LF"));
  m = mail();
  m.to = {};
  CHECK(checkMail(m, 1024));
  m.to.assign(51, "a@example.com");
  CHECK_THAT(*checkMail(m, 1024), Catch::Contains("1 to 50"));
  m.to.assign(50, "a@example.com");
  CHECK_FALSE(checkMail(m, 1024));
  m = mail();
  m.to = {"a@example.com", "nope"};
  CHECK_THAT(*checkMail(m, 1024), Catch::Contains("nope"));
  m = mail();
  m.subject = std::string(998, 's');
  CHECK_FALSE(checkMail(m, 1024));
  m.subject += "s";
  CHECK(checkMail(m, 1024));
  m = mail();
  m.body = std::string(1025, 'b');
  CHECK_THAT(*checkMail(m, 1024), Catch::Contains("1024"));
}

namespace {

// The header lines of a message, folded lines apart.
std::vector<std::string> headerLines(const std::string& message) {
  std::vector<std::string> lines;
  const auto end = message.find("\r\n\r\n");
  for (std::size_t start = 0; start <= end;) {
    const auto next = message.find("\r\n", start);
    lines.push_back(message.substr(start, next - start));
    start = next + 2;
  }
  return lines;
}

// Removes the folds (RFC 5322 2.2.3) and gives the header's value.
std::string unfolded(const std::string& message, const std::string& name) {
  std::string value;
  bool in = false;
  for (const auto& line : headerLines(message)) {
    if (line.starts_with(name + ": ")) {
      in = true;
      value = line.substr(name.size() + 2);
    } else if (in && (line.starts_with(" ") || line.starts_with("\t"))) {
      value += line;
    } else {
      in = false;
    }
  }
  return value;
}

void checkLineLimits(const std::string& message, std::size_t wanted) {
  for (const auto& line : headerLines(message)) {
    CAPTURE(line);
    CHECK(line.size() <= wanted);
    CHECK(line.find_first_not_of(" \t") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("mail: a subject of 998 characters is folded within the line limits") {
  auto m = mail();
  m.subject = std::string(998, 'x');  // one word: encoded-words, which fold anywhere
  checkLineLimits(composeMessage(m), 84);
  m.subject = std::string("word ").append(993, 'w');
  checkLineLimits(composeMessage(m), 84);

  std::string words;
  while (words.size() < 998) words += "word ";
  m.subject = words.substr(0, 998);
  const auto message = composeMessage(m);
  checkLineLimits(message, 78);
  CHECK(unfolded(message, "Subject") == m.subject);  // plain text, folded at its spaces
}

TEST_CASE("mail: fifty long recipients fold after their commas") {
  auto m = mail();
  m.to.clear();
  for (int i = 0; i < 50; ++i) m.to.push_back(std::string(60, 'a') + std::to_string(i) + "@x.org");
  const auto message = composeMessage(m);
  checkLineLimits(message, 78);
  CHECK(unfolded(message, "To").size() == 50 * 68 + 49 * 2 - 10);
}

TEST_CASE("mail: a trace id that is no token of a line is left out") {
  auto m = mail();
  m.traceId = "abc\r\nBcc: victim@example.com";
  CHECK(composeMessage(m).find("Bcc") == std::string::npos);
  m.traceId = std::string(2000, 't');
  CHECK(composeMessage(m).find("X-Workstream-Trace-Id") == std::string::npos);
}

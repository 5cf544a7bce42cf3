// Mail composition: a workstream.mail.send.v1 payload through the mailer
// (payload check, mail check, composition); the raw input also goes through
// the subject's RFC 2047 encoding. Every message composed must pass
// fuzz/mail_checks.hpp, and its subject's encoded-words the checks below.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string>

#include "events/event_router.hpp"
#include "fuzz/mail_checks.hpp"
#include "mailer/mailer_processor.hpp"

namespace {

using namespace workstream;
using workstream::fuzz::check;

// Encoded-words of at most 75 characters, folded with CRLF and a space.
void checkEncodedSubject(const std::string& text) {
  const auto encoded = mailer::encodeHeaderText(text);
  if (encoded == text) return;  // plain ASCII, left as it is
  for (std::size_t at = 0; at <= encoded.size();) {
    auto eol = encoded.find("\r\n ", at);
    if (eol == std::string::npos) eol = encoded.size();
    const std::string_view word = std::string_view(encoded).substr(at, eol - at);
    check(word.size() <= 75, "an encoded-word over 75 characters");
    check(word.starts_with("=?UTF-8?Q?") && word.ends_with("?="), "not an encoded-word");
    check(word.find_first_of("\r\n ") == std::string_view::npos, "white space in an encoded-word");
    at = eol + 3;
  }
}

class ComposingSender final : public mailer::MailSender {
 public:
  mailer::SendResult send(const mailer::Mail& mail) override {
    checkEncodedSubject(mail.subject);
    fuzz::checkComposed(mail, mailer::composeMessage(mail));
    return {};
  }
};

class NothingMailed final : public events::DedupStore {
 public:
  bool processed(const std::string&) override { return false; }
  void markProcessed(const std::string&) override {}
  bool claim(const std::string&, std::chrono::seconds) override { return true; }
  void release(const std::string&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  mailer::encodeHeaderText(input);  // any bytes; the invariants hold for UTF-8 (below)

  boost::system::error_code ec;
  const auto payload = boost::json::parse(input, ec);
  if (ec || !payload.is_object()) return 0;
  const auto payloadJson = boost::json::serialize(payload);
  if (events::checkMailPayload(payloadJson)) return 0;  // the router refuses it
  static NothingMailed mailed;
  static ComposingSender sender;
  static fuzz::IgnoredDeliveries deliveries;
  mailer::MailerProcessor mailer(
      mailed, deliveries, sender, mailer::MailerOptions{"workstream@example.com"},
      [] { return Timestamp(std::chrono::microseconds(1'700'000'000'000'000)); },
      fuzz::quietLogger());
  const events::Envelope request{"0b7e6a52-7c1e-4d0a-8f4b-2e6c1a9d7e30",
                                 "workstream.mail.send.v1",
                                 "2026-11-22T14:08:00Z",
                                 "workstream-notifications",
                                 "4bf92f3577b34da6a3ce929d0e0e4736",
                                 payloadJson};
  mailer.process(request, events::Delivery{});
  return 0;
}

// The mailer's adapters against their ports' contracts: the curl SMTP sender
// with the local SMTP sink (its mailbox read back), the delivery log on
// Redis. The in-memory fakes meet the same contracts in tests/unit/contracts.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "contracts/delivery_log_contract.hpp"
#include "contracts/mail_sender_contract.hpp"
#include "redis/redis_delivery_log.hpp"
#include "smtp/curl_smtp_sender.hpp"
#include "support/server_env.hpp"

using namespace workstream;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The sink's mailbox (scripts/smtp_sink.py): <n>.eml with <n>.json (the
// envelope) beside it, numbered on. Only mails numbered after the ones there
// at the start are read: the mailbox keeps every test's mail.
class Mailbox {
 public:
  explicit Mailbox(fs::path dir) : dir_(std::move(dir)) {
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (entry.path().extension() == ".eml") first_ = std::max(first_, number(entry.path()) + 1);
    }
  }

  std::vector<contracts::ReceivedMail> receivedFor(const std::string& address) const {
    std::vector<contracts::ReceivedMail> out;
    for (long n = first_;; ++n) {
      const auto base = dir_ / name(n);
      if (!fs::exists(fs::path(base).replace_extension(".eml"))) break;
      const auto meta = boost::json::parse(slurp(fs::path(base).replace_extension(".json")));
      contracts::ReceivedMail mail;
      mail.mailFrom = meta.at("mail_from").as_string().c_str();
      bool forAddress = false;
      for (const auto& to : meta.at("rcpt_tos").as_array()) {
        mail.rcptTo.emplace_back(to.as_string());
        forAddress = forAddress || mail.rcptTo.back() == address;
      }
      if (!forAddress) continue;
      mail.message = slurp(fs::path(base).replace_extension(".eml"));
      out.push_back(std::move(mail));
    }
    return out;
  }

 private:
  static long number(const fs::path& path) { return std::stol(path.stem().string()); }
  static std::string name(long n) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%06ld", n);
    return buffer;
  }

  fs::path dir_;
  long first_ = 1;
};

}  // namespace

TEST_CASE("mail sender contract: SMTP") {
  const Mailbox mailbox(testing::serverEnv("WORKSTREAM_TEST_MAILDIR"));
  mailer::CurlSmtpSender sender(testing::serverEnv("WORKSTREAM_SMTP_URL"), mailer::StartTls::off,
                                5s);
  // The sink refuses local parts starting "reject" (550) and "tempfail" (451).
  contracts::MailSenderHarness harness{
      sender, [&](const std::string& address) { return mailbox.receivedFor(address); },
      "reject-" + contracts::freshAddress(), "tempfail-" + contracts::freshAddress()};
  contracts::checkMailSenderContract(harness);

  mailer::CurlSmtpSender unreachable("smtp://127.0.0.1:1", mailer::StartTls::off, 2s);
  contracts::checkMailSenderUnreachable(unreachable);
}

TEST_CASE("delivery log contract: Redis") {
  // Records live beside the test's own dedup prefix and expire with its TTL.
  redis::RedisDedupStore mailed(testing::serverEnv("WORKSTREAM_REDIS_URL"),
                                "test:" + newUuid() + ":", 60s, 2s);
  redis::RedisDeliveryLog log(mailed);
  contracts::checkDeliveryLogContract(log);
}

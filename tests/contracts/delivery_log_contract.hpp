#pragma once

// The DeliveryLog contract (src/mailer/delivery_log.hpp), run against every
// adapter: the in-memory fake in the unit tests, Redis in the integration
// tests.
#include <catch2/catch.hpp>

#include "workstream/core/uuid.hpp"
#include "workstream/mailer/delivery_log.hpp"

namespace workstream::contracts {

inline void checkDeliveryLogContract(mailer::DeliveryLog& log) {
  using namespace std::chrono_literals;
  const Timestamp t0{std::chrono::seconds(1'700'000'000)};
  const std::string requestedAt = "2023-11-14T22:13:19.500000Z";

  CHECK_FALSE(log.find(newUuid()));

  // A send: its time as RFC 3339 with microseconds, the Message-ID, no failure.
  const auto sent = newUuid();
  log.sent(sent, requestedAt, t0 + 250ms, "<" + sent + "@workstream>");
  auto record = log.find(sent);
  REQUIRE(record);
  CHECK(record->requestedAt == requestedAt);
  CHECK(record->sentAt == "2023-11-14T22:13:20.250000Z");
  CHECK(record->messageId == "<" + sent + "@workstream>");
  CHECK(record->failedAt.empty());
  CHECK(record->errorCode.empty());
  CHECK(record->attempt == 0);
  CHECK_FALSE(record->deadLettered);

  // A failure, then a later one: the last is kept, with its attempt.
  const auto failing = newUuid();
  log.failed(failing, requestedAt, {t0, "SMTP_UNAVAILABLE", "451 try later", 1, false});
  log.failed(failing, requestedAt, {t0 + 2s, "SMTP_REJECTED", "550 no such user", 2, true});
  record = log.find(failing);
  REQUIRE(record);
  CHECK(record->sentAt.empty());
  CHECK(record->messageId.empty());
  CHECK(record->failedAt == "2023-11-14T22:13:22.000000Z");
  CHECK(record->errorCode == "SMTP_REJECTED");
  CHECK(record->errorMessage == "550 no such user");
  CHECK(record->attempt == 2);
  CHECK(record->deadLettered);

  // A send after a failure: both show (trace tells the whole story).
  log.failed(sent + "-x", requestedAt, {t0, "SMTP_UNAVAILABLE", "timeout", 1, false});
  log.sent(sent + "-x", requestedAt, t0 + 5s, "<m@workstream>");
  record = log.find(sent + "-x");
  REQUIRE(record);
  CHECK(record->sentAt == "2023-11-14T22:13:25.000000Z");
  CHECK(record->errorCode == "SMTP_UNAVAILABLE");
  CHECK(record->attempt == 1);
  CHECK_FALSE(record->deadLettered);

  // Text is kept as given, whatever it holds.
  const auto odd = newUuid();
  log.failed(odd, requestedAt, {t0, "E", "reply: \"quoted\"\r\nsecond line, ünïcode", 7, false});
  record = log.find(odd);
  REQUIRE(record);
  CHECK(record->errorMessage == "reply: \"quoted\"\r\nsecond line, ünïcode");
  CHECK(record->attempt == 7);
}

}  // namespace workstream::contracts

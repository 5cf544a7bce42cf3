#pragma once

// The MailRequests contract (include/workstream/notifications/mail_requests.hpp), run
// against every adapter: the in-memory fake in the unit tests, the requests
// as events on RabbitMQ (read back off the mailer's queue) in the
// integration tests.
#include <catch2/catch.hpp>
#include <functional>

#include "workstream/core/errors.hpp"
#include "workstream/core/uuid.hpp"
#include "workstream/notifications/mail_requests.hpp"

namespace workstream::contracts {

struct MailRequestsHarness {
  notifications::MailRequests& requests;
  // The requests that reached the mailer since the last call, in order.
  std::function<std::vector<notifications::MailRequest>()> take;
};

inline void checkSame(const notifications::MailRequest& got,
                      const notifications::MailRequest& sent) {
  CHECK(got.eventId == sent.eventId);
  CHECK(got.to == sent.to);
  CHECK(got.subject == sent.subject);
  CHECK(got.body == sent.body);
  CHECK(got.traceId == sent.traceId);
}

inline void checkMailRequestsContract(MailRequestsHarness& h) {
  CHECK(h.take().empty());
  // Once send returns, the request is on its way to the mailer, whole, in order.
  const notifications::MailRequest first{newUuid(),
                                         {"a@example.com", "b@example.com"},
                                         "Task assigned: ünïcode \"quoted\"",
                                         "Line one\nline two\n",
                                         "4bf92f3577b34da6a3ce929d0e0e4736"};
  const notifications::MailRequest second{
      newUuid(), {"c@example.com"}, "Second", "", "0af7651916cd43dd8448eb211c80319c"};
  h.requests.send(first);
  h.requests.send(second);
  auto got = h.take();
  REQUIRE(got.size() == 2);
  checkSame(got[0], first);
  checkSame(got[1], second);

  // A request sent again (a redelivered event's) goes again, same id: the
  // mailer, not this port, sends each id once.
  h.requests.send(first);
  got = h.take();
  REQUIRE(got.size() == 1);
  checkSame(got[0], first);

  // Several at once: each, whole, in order; an id repeated in the call goes
  // once.
  const notifications::MailRequest third{
      newUuid(), {"d@example.com"}, "Third", "3\n", "4bf92f3577b34da6a3ce929d0e0e4736"};
  h.requests.sendAll({third, second, third});
  got = h.take();
  REQUIRE(got.size() == 2);
  checkSame(got[0], third);
  checkSame(got[1], second);
  h.requests.sendAll({});
  CHECK(h.take().empty());
}

// Without a broker, send throws Unavailable (the caller retries the event).
inline void checkMailRequestsUnavailable(notifications::MailRequests& down) {
  CHECK_THROWS_AS(
      down.send({newUuid(), {"a@example.com"}, "s", "b", "4bf92f3577b34da6a3ce929d0e0e4736"}),
      Unavailable);
  CHECK_THROWS_AS(
      down.sendAll({{newUuid(), {"a@example.com"}, "s", "b", "4bf92f3577b34da6a3ce929d0e0e4736"}}),
      Unavailable);
}

}  // namespace workstream::contracts

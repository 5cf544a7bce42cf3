// HTTP request parsing and routing: the bytes a client sends on one
// connection, read as src/http/server.cpp reads them (Beast's request parser
// with the server's limits, the head's framing checks before the body), each
// request handed to the REST API with a tasks client that answers at once.
// Every request must get exactly one answer (and no longer count as
// outstanding), an error body that is JSON, and a response Beast can write.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

#include "fuzz/support.hpp"
#include "gateway/rest_api.hpp"
#include "http/framing.hpp"
#include "tasks/page_token.hpp"
#include "tasks/validation.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/core/uuid.hpp"

namespace {

using namespace workstream;
namespace bhttp = boost::beast::http;
using gateway::CallError;
using gateway::CallMeta;
using workstream::fuzz::check;

constexpr std::size_t kHeaderBytes = 16 * 1024;  // ServerLimits::headerBytes
constexpr std::size_t kBodyBytes = 64 * 1024;    // WORKSTREAM_HTTP_MAX_BODY_BYTES default

// X-Request-Id "fail-N" makes the tasks client fail with error kind N, so
// the translation of every failure is reached too.
std::optional<CallError> chosenFailure(const CallMeta& meta) {
  if (meta.requestId.size() != 6 || !meta.requestId.starts_with("fail-")) return std::nullopt;
  const int kind = meta.requestId[5] - '0';
  if (kind < 0 || kind > static_cast<int>(CallError::Kind::internal)) return std::nullopt;
  return CallError{static_cast<CallError::Kind>(kind), kind % 2 ? "IDEMPOTENCY_KEY_REUSED" : "",
                   "chosen by the fuzzer", kind == 0 ? "page_size" : ""};
}

tasks::Task someTask(std::string id) {
  tasks::Task task;
  task.id = std::move(id);
  task.title = "a task";
  task.createdAt = task.updatedAt = Timestamp(std::chrono::microseconds(1'700'000'000'000'000));
  return task;
}

// Answers synchronously, as the tasks service would: it validates what the
// gateway passes on and decodes page tokens.
class AnsweringTasks final : public gateway::TasksClient {
 public:
  void create(const tasks::NewTask& in, const CallMeta& meta,
              gateway::Reply<gateway::CreatedTask> reply) override {
    if (auto failure = chosenFailure(meta)) return reply(*failure);
    auto task = tasks::validateNewTask(in);
    if (!task) {
      const auto& error = task.error();
      return reply(CallError{CallError::Kind::invalidArgument,
                             std::string(tasks::toString(error.code)), error.message, error.field});
    }
    auto created = someTask(newUuid());
    created.title = task->title;
    created.description = task->description;
    created.assigneeEmail = task->assigneeEmail;
    reply(gateway::CreatedTask{created, task->idempotencyKey.has_value()});
  }
  void get(const std::string& id, const CallMeta& meta,
           gateway::Reply<tasks::Task> reply) override {
    if (auto failure = chosenFailure(meta)) return reply(*failure);
    reply(someTask(id));
  }
  void list(const tasks::ListQuery& query, const CallMeta& meta,
            gateway::Reply<tasks::TaskPage> reply) override {
    if (auto failure = chosenFailure(meta)) return reply(*failure);
    if (!query.pageToken.empty() && !tasks::decodePageToken(query.pageToken)) {
      return reply(CallError{CallError::Kind::invalidArgument, "INVALID_PAGE_TOKEN",
                             "the page token is not valid", "page_token"});
    }
    tasks::TaskPage page;
    page.tasks.push_back(someTask(newUuid()));
    page.nextPageToken = tasks::encodePageToken({page.tasks.back().createdAt, page.tasks[0].id});
    reply(page);
  }
  void complete(const std::string& id, const CallMeta& meta,
                gateway::Reply<tasks::Task> reply) override {
    if (auto failure = chosenFailure(meta)) return reply(*failure);
    auto task = someTask(id);
    task.status = tasks::TaskStatus::completed;
    task.completedAt = task.updatedAt;
    reply(task);
  }
};

using Parser = bhttp::request_parser<bhttp::string_body>;

http::Headers headersOf(const bhttp::request_header<>& in) {
  http::Headers out;
  for (const auto& field : in) {
    out.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return out;
}

http::Request toRequest(bhttp::request<bhttp::string_body>&& in) {
  http::Request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  out.headers = headersOf(in);
  out.body = std::move(in.body());
  return out;
}

bool hasHeader(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name && !value.empty()) return true;
  }
  return false;
}

void checkResponse(const http::Response& response) {
  check(response.status >= 200 && response.status <= 599, "status out of range");
  check(hasHeader(response, "X-Request-Id"), "no X-Request-Id");
  check(hasHeader(response, "traceparent"), "no traceparent");
  if (response.status >= 400) {
    boost::system::error_code ec;
    const auto body = boost::json::parse(response.body, ec);
    check(!ec && body.is_object() && body.as_object().contains("error"),
          "an error response without the error body");
  }
  // What the server does with it (toBeast in src/http/server.cpp).
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), 11};
  for (const auto& [name, value] : response.headers) out.set(name, value);
  out.body() = response.body;
  out.prepare_payload();
  std::ostringstream written;
  written << out;
}

// Gives the parser the client's bytes until `done` holds; false when it
// fails, or waits for bytes the client never sent.
template <class Done>
bool feed(Parser& parser, std::string_view& rest, Done done) {
  boost::beast::error_code ec;
  while (!done()) {
    const auto used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec == bhttp::error::need_more) ec = {};
    if (ec) return false;
    if (used == 0) {
      parser.put_eof(ec);
      return !ec && done();
    }
  }
  return true;
}

// The next request of the connection, read as the server reads it: the head,
// its framing checks, then the body. None when the server would answer an
// error and close.
std::optional<http::Request> readRequest(std::string_view& rest, bool& keepAlive) {
  Parser parser;
  parser.header_limit(kHeaderBytes);
  parser.body_limit(kBodyBytes);
  if (!feed(parser, rest, [&] { return parser.is_header_done(); })) return std::nullopt;
  if (http::framingProblem(parser.get().version(), headersOf(parser.get()))) return std::nullopt;
  parser.eager(true);
  if (!feed(parser, rest, [&] { return parser.is_done(); })) return std::nullopt;
  keepAlive = parser.get().keep_alive();
  return toRequest(parser.release());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static AnsweringTasks tasks;
  static Metrics metrics;
  static gateway::RestApi api(tasks, workstream::fuzz::quietLogger(), metrics);
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  bool keepAlive = true;
  while (keepAlive && !rest.empty()) {
    auto request = readRequest(rest, keepAlive);
    if (!request) break;
    int answers = 0;
    api.handle(std::move(*request), [&answers](http::Response response) {
      ++answers;
      checkResponse(response);
    });
    check(answers == 1, "a request was not answered exactly once");
    check(api.waitAnswered(std::chrono::steady_clock::now()),
          "an answered request still counts as outstanding");
  }
  return 0;
}

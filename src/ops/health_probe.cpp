#include "ops/health_probe.hpp"

#include <curl/curl.h>

#include <boost/json/parse.hpp>
#include <memory>

namespace workstream::admin {
namespace {

size_t appendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// A wildcard listen address is reached through loopback.
std::string dialable(const HostPort& address) {
  HostPort target = address;
  if (target.host == "0.0.0.0") target.host = "127.0.0.1";
  if (target.host == "::") target.host = "::1";
  return target.str();
}

}  // namespace

ProbeAnswer probeAdmin(const HostPort& adminAddr, std::chrono::milliseconds timeout, bool ready) {
  ProbeAnswer answer;
  answer.url = "http://" + dialable(adminAddr) + (ready ? "/ready" : "/health");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  curl_easy_setopt(curl.get(), CURLOPT_URL, answer.url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer.body);
  if (const CURLcode rc = curl_easy_perform(curl.get()); rc != CURLE_OK) {
    answer.error = curl_easy_strerror(rc);
    return answer;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
  boost::system::error_code ec;
  const auto json = boost::json::parse(answer.body, ec);
  answer.healthy = !ec && answer.status == 200 && json.is_object() &&
                   json.as_object().contains("status") &&
                   json.as_object().at("status") == (ready ? "ready" : "healthy");
  return answer;
}

}  // namespace workstream::admin

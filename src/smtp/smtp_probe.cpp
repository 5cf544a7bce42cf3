#include <curl/curl.h>

#include <memory>

#include "smtp/smtp_probe.hpp"

namespace workstream::probes {
namespace {

// Lets libcurl connect to `url` and run the protocol's greeting, then stop.
CheckResult curlConnect(const std::string& url, milliseconds timeout) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {false, "cannot create a curl handle"};
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) return {false, error[0] != '\0' ? error : curl_easy_strerror(rc)};
  return {true, {}};
}

}  // namespace

Probe smtp(const std::string& url, milliseconds timeout) {
  return [url, timeout] { return curlConnect(url, timeout); };
}

}  // namespace workstream::probes

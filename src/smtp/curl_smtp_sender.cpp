#include <curl/curl.h>

#include <cstring>
#include <memory>

#include "smtp/curl_smtp_sender.hpp"

namespace workstream::mailer {
namespace {

struct Upload {
  std::string message;
  std::size_t sent = 0;
};

size_t readMessage(char* buffer, size_t size, size_t count, void* data) {
  auto* upload = static_cast<Upload*>(data);
  const size_t n = std::min(size * count, upload->message.size() - upload->sent);
  std::memcpy(buffer, upload->message.data() + upload->sent, n);
  upload->sent += n;
  return n;
}

// The server's replies that matter: the first refusal (4xx or 5xx) and the
// last word, for the error context of a failure.
struct Replies {
  std::string refusal;
  std::string last;
};

int keepReplies(CURL*, curl_infotype type, char* data, size_t size, void* out) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* replies = static_cast<Replies*>(out);
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (replies->refusal.empty() && !line.empty() && (line[0] == '4' || line[0] == '5')) {
    replies->refusal = line;
  }
  replies->last = line;
  return 0;
}

}  // namespace

SendResult CurlSmtpSender::send(const Mail& mail) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {SendResult::Kind::transient, "cannot create a curl handle"};
  Upload upload{composeMessage(mail), 0};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(nullptr,
                                                                         curl_slist_free_all);
  for (const auto& address : mail.to) {
    recipients.reset(curl_slist_append(recipients.release(), ("<" + address + ">").c_str()));
  }
  const std::string from = "<" + mail.from + ">";
  Replies replies;
  char error[CURL_ERROR_SIZE] = {};
  auto* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, readMessage);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, keepReplies);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &replies);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // feeds keepReplies; nothing is printed
  if (tls_ != StartTls::off) {
    curl_easy_setopt(
        h, CURLOPT_USE_SSL,
        static_cast<long>(tls_ == StartTls::required ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  }
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return {SendResult::Kind::sent, replies.last};
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  std::string detail = !replies.refusal.empty() ? replies.refusal
                       : error[0] != '\0'       ? std::string(error)
                                                : std::string(curl_easy_strerror(rc));
  const bool permanent = code >= 500 && code < 600;
  return {permanent ? SendResult::Kind::permanent : SendResult::Kind::transient, detail};
}

}  // namespace workstream::mailer

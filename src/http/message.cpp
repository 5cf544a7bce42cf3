#include "workstream/http/message.hpp"

#include <strings.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace workstream::http {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `s`, or 0.
std::size_t utf8Sequence(std::string_view s) {
  const auto lead = static_cast<unsigned char>(s[0]);
  const std::size_t length = lead < 0x80                    ? 1
                             : lead >= 0xC2 && lead <= 0xDF ? 2
                             : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                            : 0;
  if (length == 0 || length > s.size()) return 0;
  char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(s[k]);
    if ((next & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (next & 0x3F);
  }
  const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

// JSON is UTF-8 (RFC 8259), but error messages and field names echo what a
// client sent (a path, a query parameter): a byte that is not UTF-8 becomes
// U+FFFD, so the error body stays JSON.
std::string validUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto length = utf8Sequence(text);
    out.append(length == 0 ? "\xEF\xBF\xBD" : text.substr(0, length));
    text.remove_prefix(length == 0 ? 1 : length);
  }
  return out;
}

boost::json::value validUtf8Json(const boost::json::value& value) {
  if (value.is_string()) return boost::json::string(validUtf8(value.get_string()));
  if (value.is_array()) {
    boost::json::array out;
    for (const auto& item : value.get_array()) out.push_back(validUtf8Json(item));
    return out;
  }
  if (value.is_object()) {
    boost::json::object out;
    for (const auto& [key, item] : value.get_object()) out[validUtf8(key)] = validUtf8Json(item);
    return out;
  }
  return value;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

std::string_view Request::path() const {
  std::string_view t(target);
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t(target);
  const auto mark = t.find('?');
  return mark == std::string_view::npos ? t.substr(t.size()) : t.substr(mark + 1);
}

Response Response::json(int status, std::string body) {
  return {status, {{"Content-Type", "application/json"}}, std::move(body)};
}

Response Response::text(int status, std::string body, std::string contentType) {
  return {status, {{"Content-Type", std::move(contentType)}}, std::move(body)};
}

Response errorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view detailsJson, std::string_view requestId) {
  boost::json::object error{{"code", code}, {"message", validUtf8(message)}};
  boost::json::parse_options lenient;
  lenient.allow_invalid_utf8 = true;  // made valid below
  error["details"] = detailsJson.empty()
                         ? boost::json::object()
                         : validUtf8Json(boost::json::parse(detailsJson, {}, lenient));
  if (!requestId.empty()) error["request_id"] = validUtf8(requestId);
  return Response::json(status, boost::json::serialize(boost::json::object{{"error", error}}));
}

}  // namespace workstream::http

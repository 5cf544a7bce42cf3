#include "workstream/core/json_keys.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <set>
#include <utility>
#include <vector>

namespace workstream {
namespace {

using boost::json::error_code;
using boost::json::string_view;

// A SAX handler that only watches object keys: a parsed value would have
// kept one of the two already.
struct KeyWatcher {
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  std::vector<std::set<std::string>> open;  // the keys of each object being read
  std::string key;
  std::optional<std::string> duplicate;

  bool on_key_part(string_view s, std::size_t, error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code& ec) {
    key.append(s.data(), s.size());
    if (open.back().count(key) != 0) {
      duplicate = key;
      ec = boost::json::error::syntax;  // stops the parser
      return false;
    }
    open.back().insert(std::exchange(key, {}));
    return true;
  }
  bool on_object_begin(error_code&) {
    open.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    open.pop_back();
    return true;
  }
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

}  // namespace

std::optional<std::string> duplicateJsonKey(std::string_view json) {
  boost::json::basic_parser<KeyWatcher> parser{boost::json::parse_options{}};
  error_code ec;
  parser.write_some(false, json.data(), json.size(), ec);
  return parser.handler().duplicate;
}

}  // namespace workstream

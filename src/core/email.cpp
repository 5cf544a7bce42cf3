#include "workstream/core/email.hpp"

#include <regex>

namespace workstream {

bool isValidEmail(std::string_view address) {
  static const std::regex kEmail(
      R"([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
      R"((?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)");
  return address.size() <= 254 && std::regex_match(address.begin(), address.end(), kEmail);
}

}  // namespace workstream

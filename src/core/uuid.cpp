#include "workstream/core/uuid.hpp"

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <cctype>

namespace workstream {

std::string newUuid() {
  thread_local boost::uuids::random_generator generate;  // not thread-safe; one per thread
  return boost::uuids::to_string(generate());
}

std::string uuidV5(std::string_view namespaceUuid, std::string_view name) {
  const auto ns = canonicalUuid(namespaceUuid);
  if (!ns) throw std::invalid_argument("uuidV5: namespace is not a UUID");
  boost::uuids::uuid nsId{};
  for (std::size_t i = 0, byte = 0; i < ns->size(); ++i) {
    if ((*ns)[i] == '-') continue;
    const auto nibble = std::isdigit((*ns)[i]) ? (*ns)[i] - '0' : (*ns)[i] - 'a' + 10;
    nsId.data[byte / 2] |= static_cast<std::uint8_t>(byte % 2 == 0 ? nibble << 4 : nibble);
    ++byte;
  }
  boost::uuids::name_generator_sha1 generate(nsId);
  return boost::uuids::to_string(generate(name.data(), name.size()));
}

std::optional<std::string> canonicalUuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? out[i] != '-' : !std::isxdigit(static_cast<unsigned char>(out[i]))) {
      return std::nullopt;
    }
    out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
  }
  return out;
}

}  // namespace workstream

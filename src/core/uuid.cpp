#include "workstream/core/uuid.hpp"

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <cctype>
#include <stdexcept>

#include "workstream/core/random.hpp"

namespace workstream {

std::string newUuid() {
  // Boost's random_generator asks the OS for 16 bytes per id; the thread's
  // seeded generator costs no system call.
  std::uint8_t bytes[16];
  for (int half = 0; half < 2; ++half) {
    const auto bits = random64();
    for (int i = 0; i < 8; ++i) bytes[half * 8 + i] = static_cast<std::uint8_t>(bits >> (8 * i));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0f];
  }
  return out;
}

std::string uuidV5(std::string_view namespaceUuid, std::string_view name) {
  const auto ns = canonicalUuid(namespaceUuid);
  if (!ns) throw std::logic_error("uuidV5: namespace is not a UUID");
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

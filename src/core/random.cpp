#include "workstream/core/random.hpp"

#include <array>
#include <random>

namespace workstream {
namespace {

std::mt19937_64 seededEngine() {
  std::random_device device;  // the OS's entropy, read once per thread
  std::array<std::uint32_t, 8> words{};
  for (auto& word : words) word = device();
  std::seed_seq seed(words.begin(), words.end());
  return std::mt19937_64(seed);
}

}  // namespace

std::uint64_t random64() {
  thread_local std::mt19937_64 engine = seededEngine();
  return engine();
}

}  // namespace workstream

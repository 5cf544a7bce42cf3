#pragma once

#include <cstdint>

namespace workstream {

// 64 random bits from a generator of the calling thread's own, seeded once
// from the OS: ids cost no system call. Unpredictable enough for ids that
// must not collide (request, trace, span and task ids); not for secrets, as
// enough outputs reveal the generator's state.
std::uint64_t random64();

}  // namespace workstream

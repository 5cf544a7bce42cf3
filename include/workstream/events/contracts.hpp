#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace workstream::events {

// Why a payload breaks its event type's contract; nothing when it keeps it.
using PayloadCheck = std::optional<std::string> (*)(const std::string& payloadJson);

// One event type of contracts/events/<type>.schema.json: its name (with the
// version), the producer that emits it and the check of its payload. It
// travels under routingKeyOf(type), the name without its version.
struct EventContract {
  std::string_view type;
  std::string_view producer;
  PayloadCheck checkPayload;
};

std::optional<std::string> checkTaskPayload(const std::string& payloadJson);
std::optional<std::string> checkMailPayload(const std::string& payloadJson);

inline constexpr EventContract kTaskCreated{"workstream.task.created.v1", "workstream-tasks",
                                            &checkTaskPayload};
inline constexpr EventContract kTaskCompleted{"workstream.task.completed.v1", "workstream-tasks",
                                              &checkTaskPayload};
inline constexpr EventContract kMailSend{"workstream.mail.send.v1", "workstream-notifications",
                                         &checkMailPayload};

// Every contract; a unit test holds this list to the schema files.
inline constexpr std::array kEventContracts{kTaskCreated, kTaskCompleted, kMailSend};

}  // namespace workstream::events

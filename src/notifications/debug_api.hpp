#pragma once

#include "workstream/http/message.hpp"
#include "workstream/notifications/ports.hpp"

namespace workstream::notifications {

// The read-only debug API on the admin listener. Blocking (it queries the
// record store): the admin server runs it off its I/O thread.
//   GET /debug/notifications?event_type=&task_id=&since=&limit=&cursor=
//   GET /debug/notifications/{event_id}
http::Response handleDebug(RecordStore& records, const http::Request& request);

}  // namespace workstream::notifications

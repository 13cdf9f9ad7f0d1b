// EventStreams: the operator console's live feed of helpdesk events, as
// Server-Sent Events (GET /api/helpdesk/events, see console_api.h).
//
// A stream sends "retry: 3000" and ": connected" first, then one
// "data: {json}" frame per helpdesk event its viewer may see (event_frame_for),
// and a ": keepalive" comment when it has sent nothing for `keepalive`. As
// often, it checks that its staff session is still signed in, and ends when it
// is not (logged out, expired, disabled).
//
// Time: the keepalive and the session check are measured on the gateway's
// Clock, so a test moves them with a FakeClock. The stream also wakes at least
// every kStreamTick of real time, whatever the Clock says: that is how soon it
// notices a client that went away (http::client_gone() asks the socket, which
// no Clock moves). shutdown() and new events wake it at once.
//
// A stream holds a worker thread while it is open (the server gives streams a
// pool of their own, so they never take the threads webhooks need), so their
// number is bounded: max_streams in all (more get 503) and
// max_streams_per_account for one account (more get 429). Each ends within a
// tick when the client goes away, or at shutdown(), which the owner calls when
// the server is asked to stop: HttpServer::run() waits for open requests,
// streams included.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/helpdesk/events.h"
#include "gateway/helpdesk/routing.h"
#include "gateway/http/staff_auth.h"

namespace gw {

struct EventStreamOptions {
  std::chrono::milliseconds keepalive{15000};  // an idle stream gets a comment this often (on the Clock)
  size_t max_streams = 32;                     // streams open at once; more get 503
  size_t max_streams_per_account = 4;          // of one staff account; more get 429
};

// How often, in real time, an open stream wakes to see whether its client is gone.
inline constexpr std::chrono::milliseconds kStreamTick{250};

class EventStreams {
 public:
  // Everything passed in must outlive this object.
  EventStreams(http::StaffAuth& auth, EventBus& events, Clock& clock, EventStreamOptions options = {});
  // Ends the streams still open (shutdown()).
  ~EventStreams();
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  // Answers `res` with a stream for `viewer`, signed in with session `token`:
  // 200 text/event-stream, or a JSON error (503 when stopping or when
  // max_streams are open, 429 with Retry-After when the account has
  // max_streams_per_account open).
  void open(const OperatorView& viewer, const std::string& token, httplib::Response& res);

  // Ends every open stream within a fraction of a second and refuses new ones.
  // Safe from any thread (a signal handler's thread included) and more than once.
  void shutdown();

  // Streams open now.
  size_t open_streams() const;
  // Waits up to `timeout` (real time) until at most `n` streams are open;
  // returns whether that happened. A stream counts as open until its slot is free.
  bool wait_for_open_streams(size_t n, std::chrono::milliseconds timeout) const;

 private:
  http::StaffAuth& auth_;
  EventBus& events_;
  Clock& clock_;
  const EventStreamOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable closed_;  // a stream's slot was freed
  std::set<std::shared_ptr<EventQueue>> streams_;
  std::map<int64_t, size_t> streams_of_;  // open streams by account id
};

// Whether a console of `op` is told about event `e`: events of conversations
// in queues they may open, and the transfer of one out of such a queue (so
// that it leaves their list). Nothing of other queues.
bool event_visible(const OperatorView& op, const HelpdeskEvent& e);
// The Server-Sent Events frame `op` gets for `e`, nullopt when none
// (event_visible). A transfer out of their queues does not name the new queue.
std::optional<std::string> event_frame_for(const OperatorView& op, const HelpdeskEvent& e);

}  // namespace gw

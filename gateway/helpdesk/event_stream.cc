#include "gateway/helpdesk/event_stream.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/core/log.h"
#include "gateway/http/connection_reactor.h"
#include "gateway/http/server.h"

namespace gw {
namespace {

std::string sse_frame(const HelpdeskEvent& e) {
  nlohmann::json j = {{"type", e.type},
                      {"handover_id", e.handover_id},
                      {"conversation_id", e.conversation_id},
                      {"queue", e.queue}};
  if (e.queue.empty()) j.erase("queue");
  return "data: " + j.dump() + "\n\n";
}

bool opens_queue(const OperatorView& op, const std::string& queue) {
  Handover h;
  h.queue = queue;
  return can_open(op, h);
}

}  // namespace

bool event_visible(const OperatorView& op, const HelpdeskEvent& e) {
  if (opens_queue(op, e.queue)) return true;
  return e.type == "handover.transferred" && !e.from_queue.empty() && opens_queue(op, e.from_queue);
}

std::optional<std::string> event_frame_for(const OperatorView& op, const HelpdeskEvent& e) {
  if (!event_visible(op, e)) return std::nullopt;
  HelpdeskEvent seen = e;
  seen.from_queue.clear();
  // Moved out of the viewer's queues: they learn it left, not where it went.
  if (!opens_queue(op, e.queue)) seen.queue.clear();
  return sse_frame(seen);
}

EventStreams::EventStreams(http::StaffAuth& auth, EventBus& events, Clock& clock, EventStreamOptions options)
    : auth_(auth), events_(events), clock_(clock), options_(options) {}

EventStreams::~EventStreams() {
  shutdown();
}

void EventStreams::shutdown() {
  stopping_.store(true);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& q : streams_) q->close();
}

size_t EventStreams::open_streams() const {
  std::lock_guard<std::mutex> lock(mu_);
  return streams_.size();
}

bool EventStreams::wait_for_open_streams(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return closed_.wait_for(lock, timeout, [&] { return streams_.size() <= n; });
}

void EventStreams::open(const OperatorView& viewer, const std::string& token, httplib::Response& res) {
  if (stopping_.load()) return http::send_json_error(res, 503, "unavailable", "the server is stopping");
  std::shared_ptr<EventQueue> queue;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (streams_.size() >= options_.max_streams)
      return http::send_json_error(res, 503, "unavailable", "too many live consoles; try again shortly");
    if (streams_of_[viewer.id] >= options_.max_streams_per_account) {
      res.set_header("Retry-After", "3");
      return http::send_json_error(res, 429, "too_many_streams",
                                   "this account has " + std::to_string(options_.max_streams_per_account) +
                                       " live consoles open already; close one");
    }
    queue = events_.subscribe_queue(256);
    streams_.insert(queue);
    ++streams_of_[viewer.id];
  }
  log::info("console.stream_opened", {{"operator_id", viewer.id}});
  res.status = 200;
  res.set_header("X-Accel-Buffering", "no");
  struct State {
    bool greeted = false;
    TimePoint last_write;  // on the Clock
    TimePoint last_check;  // of the session, on the Clock
  };
  auto state = std::make_shared<State>(State{false, clock_.now(), clock_.now()});
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, queue, state, viewer, token](size_t, httplib::DataSink& sink) {
        auto write = [&](const std::string& s) {
          state->last_write = clock_.now();
          return sink.write(s.data(), s.size());
        };
        // Gone: the slot and the thread are free at once, not at the next write.
        if (stopping_.load() || http::client_gone()) {
          sink.done();
          return true;
        }
        if (!state->greeted) {
          state->greeted = true;
          // The browser reconnects after 3 s if the stream breaks.
          return write("retry: 3000\n: connected\n\n");
        }
        const TimePoint now = clock_.now();
        // A wall clock set back: count from now, so nothing is late by more than one period.
        state->last_write = std::min(state->last_write, now);
        state->last_check = std::min(state->last_check, now);
        if (now - state->last_check >= options_.keepalive) {
          // Logged out, expired or disabled since the stream opened: it ends.
          state->last_check = now;
          if (!auth_.still_signed_in(token)) {
            sink.done();
            return true;
          }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(options_.keepalive -
                                                                                (now - state->last_write));
        auto e = queue->pop(std::clamp(left, std::chrono::milliseconds(1), kStreamTick));
        if (stopping_.load()) {
          sink.done();
          return true;
        }
        if (e) {
          auto frame = event_frame_for(viewer, *e);
          return frame ? write(*frame) : true;
        }
        if (clock_.now() - state->last_write >= options_.keepalive) return write(": keepalive\n\n");
        return true;
      },
      [this, queue, viewer](bool) {
        events_.unsubscribe(queue);
        {
          std::lock_guard<std::mutex> lock(mu_);
          streams_.erase(queue);
          if (auto it = streams_of_.find(viewer.id); it != streams_of_.end() && --it->second == 0)
            streams_of_.erase(it);
        }
        closed_.notify_all();
        log::info("console.stream_closed", {{"operator_id", viewer.id}});
      });
}

}  // namespace gw

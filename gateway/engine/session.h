// Session: where one person is in the flows, as plain data the shell stores.
//
// The engine never keeps state of its own: it takes a Session and returns the
// next one. The shell saves it as an opaque JSON string (to_json) with
// `expires_at` as the row's expiry, and schedules a tick at `due_at` when set.
// from_json rejects anything it cannot trust (corrupt, another version, wrong
// types); the shell then starts the person over with a fresh Session.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"

namespace gw {

// One level of the flow stack: the node the person is at in `flow`. In a parent
// frame `node` is the subflow node to continue after (its `next`), or, with
// `reenter`, the node to enter again (a global keyword's flow that resumes).
struct Frame {
  std::string flow;
  std::string node;
  bool reenter = false;

  bool operator==(const Frame&) const = default;
};

// What the session waits for: an answer to an ask, free text for a capture, any
// reply (or the timeout) at a wait. kNone when it has ended or not started.
enum class Waiting { kNone, kAnswer, kText, kReply };

struct Session {
  static constexpr int kVersion = 1;

  std::vector<Frame> stack;  // back() is where the person is
  Waiting waiting = Waiting::kNone;
  int retries = 0;  // invalid answers to the current ask
  std::map<std::string, std::string> results;
  std::map<std::string, int64_t> scores;
  TimePoint expires_at{};           // an input after this starts over
  std::optional<TimePoint> due_at;  // when the current wait times out
  bool ended = true;                // a default Session is an ended one
  // The shell's language guesses when the session began (from the number and
  // the first message's script), so that "guess.N" still holds on later turns.
  std::vector<std::string> guesses;

  // The current frame. REQUIRES: !stack.empty()
  const Frame& at() const { return stack.back(); }

  std::string to_json() const;
  static Result<Session> from_json(std::string_view text);

  bool operator==(const Session&) const = default;
};

}  // namespace gw

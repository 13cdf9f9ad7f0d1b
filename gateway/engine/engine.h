// Engine: the pure flow runtime.
//
// Given the flows, a session, what is known of the contact, an input and "now",
// it returns the next session and the effects for the shell to carry out. It
// reads no clock, does no I/O and keeps nothing between calls, so the same
// arguments always give the same result.
//
// Per input, in order:
//  0. A crisis input (Input::crisis) enters the crisis flow (globals.json
//     "crisis") as a sub-flow that returns to where the person was, from any
//     state, before language and consent too.
//  1. A global keyword (flows/globals.json) wins in any state: it enters its flow
//     from the start (or, with "resume", as a sub-flow that returns to where the
//     person was, asking the question again), or hands over.
//  2. A session that has ended, has expired (now >= expires_at) or no longer fits
//     the flows (a node was removed or changed kind) starts the entry flow; the
//     input only opens the conversation.
//  3. A wait whose due_at has passed times out first: its timeout path runs and
//     the input, sent before the person saw that path, is not used as an answer.
//  4. Otherwise the input answers the node the session waits at: an ask (choice
//     number in any digit script, number word, or choice keyword; else, when the
//     text holds a distress word (Input::distress), the crisis flow; else retry,
//     and after max_retries the fallback, whose handover says so: unclear), a capture (stored as a result), a
//     wait.
// The flow then runs until it waits again or ends. Each node with a stat tag
// (Node::stat) gives an effect::Stat when the run reaches it, before the node's
// own effects; a question asked again when the person comes back from a
// keyword's sub-flow (Frame::reenter) was reached before and gives none. A run visits at most
// `max_steps` nodes: a flow that loops without waiting for the person stops with
// an Error effect and the session ended, never a hang. Every input moves
// expires_at to now + session_ttl. Handover, erase and error end the session, as
// does reaching the end of the outermost flow; the End effect says which.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/engine/effect.h"
#include "gateway/engine/flow.h"
#include "gateway/engine/lexicon.h"
#include "gateway/engine/session.h"

namespace gw {

// What the engine may know of the person (read-only; changes go out as effects).
struct ContactView {
  std::string language;  // e.g. "ar"; the Lexicon resolves its chain
  std::string country;   // ISO 3166 alpha-2, e.g. "GB"; may be empty
  std::string channel;   // "sms", "whatsapp", "telegram" or "web"
  std::map<std::string, std::string> fields;
  std::vector<std::string> language_guesses;  // most likely first, offered by the shell
};

struct Input {
  std::string text;
  // The shell found a crisis word: the whole message is one (SOS, 112, "help
  // me" in any language). The flows' crisis flow (globals.json "crisis") is
  // entered at once from any state, and the person returns to where they were.
  bool crisis = false;
  // The text contains a distress word. Where a numbered answer was expected and
  // the text is none, the crisis flow is entered instead of the retry.
  bool distress = false;
};

struct EngineOptions {
  std::chrono::seconds session_ttl = std::chrono::hours(24);
  int max_steps = 200;  // node visits per call
  int max_depth = 16;   // nested sub-flows
};

struct StepResult {
  Session session;
  std::vector<Effect> effects;
  // "flow/node" when the session was live but that node no longer exists (a
  // newer version of the flows took it away, or made it another kind of node):
  // the session restarted at a safe point instead (see step()).
  std::string restarted_from;
};

class Engine {
 public:
  // `lexicon` must outlive the engine.
  explicit Engine(const Lexicon& lexicon, EngineOptions options = {});

  // Starts `flow_id` from its start node with a fresh session. An unknown flow
  // gives an Error effect and an ended session.
  StepResult start(const FlowSet& flows, const std::string& flow_id, const ContactView& contact,
                   TimePoint now) const;

  // Handles one message from the person. A default (ended) Session is fine for
  // someone new: the message opens the entry flow, or acts as a global keyword.
  // A live session whose position no longer exists restarts at a safe point: the
  // lowest frame whose node is gone (or the top one, if its node changed kind)
  // restarts its flow from the start, dropping the frames above it; if that flow
  // is gone too, the entry flow starts afresh. The message then only restarts
  // it (it is not taken as an answer to a question it never saw).
  StepResult step(const FlowSet& flows, const Session& session, const ContactView& contact,
                  const Input& input, TimePoint now) const;

  // Called by the shell at or after session.due_at (or any time: it does nothing
  // when nothing is due). A wait that timed out runs its timeout path; a session
  // past expires_at ends with End{"expired"} and says nothing. expires_at is not
  // moved: it counts from the person's last message.
  StepResult tick(const FlowSet& flows, const Session& session, const ContactView& contact,
                  TimePoint now) const;

  const EngineOptions& options() const { return options_; }

 private:
  const Lexicon& lexicon_;
  EngineOptions options_;
};

}  // namespace gw

// Simulator: a conversation with the flows held in memory only — no store, no
// outbox, no provider. `gateway simulate` (a terminal, or a pipe) uses it; it
// answers each line the person sends with the replies the gateway would send,
// rendered in the person's language for the chosen channel, with their SMS
// encoding and segment count, and the other things that happened (language
// set, handover, erasure, end) as events. The effects are applied as
// Conversations applies them (flow_effects.h): a handover is answered with the
// notice the gateway sends (queues count as open, nobody else waiting: place 1).
//
// Time is passed in by the caller, so a scripted conversation is repeatable.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/content/renderer.h"
#include "gateway/content/reply_composer.h"
#include "gateway/conversations/simulator_content.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/engine/engine.h"
#include "gateway/engine/flow.h"
#include "gateway/engine/stat_tag.h"

namespace gw {

struct SimulatedReply {
  std::string text;
  std::string key;       // the template key of the first part
  std::string language;  // the language actually used
  std::string encoding;  // "GSM-7" | "UCS-2"
  int segments = 1;
};

struct SimulatedTurn {
  std::vector<SimulatedReply> replies;
  std::vector<nlohmann::json> events;  // {"event": "handover", ...}
  std::vector<StatTag> stats;          // the tagged nodes reached (what would be counted), in order
};

struct SimulatorOptions {
  std::string language;  // "" = not chosen yet: the flow may ask
  std::string from;      // the person's number (E.164), for the country and language guess
  std::string channel = "sms";
  bool serve_fuzzy = true;
};

class Simulator {
 public:
  // Loads flows/, templates/ and translations/ of `content_dir`.
  static Result<std::unique_ptr<Simulator>> open(const std::string& content_dir, SimulatorOptions options);
  // A conversation over content already loaded (shared with other conversations;
  // options.serve_fuzzy is the content's). REQUIRES: `content` is not null.
  Simulator(std::shared_ptr<const SimulatorContent> content, SimulatorOptions options);

  // The replies to one message from the person.
  SimulatedTurn send(const std::string& text, TimePoint now);

  const std::string& language() const { return contact_.language; }
  const Renderer& renderer() const { return content_->renderer; }

 private:
  // The effects as Conversations applies them (apply_effects), shown instead of stored.
  void apply(const std::vector<Effect>& effects, TimePoint now, SimulatedTurn& turn);

  std::shared_ptr<const SimulatorContent> content_;
  ReplyComposer composer_;
  std::string number_country_;  // the country of options_.from ("" on Telegram and web)
  std::string lang_hint_;       // this turn's language while none is chosen: a crisis word's
  Engine engine_;
  SimulatorOptions options_;
  ContactView contact_;
  Session session_;
  bool first_ = true;
};

}  // namespace gw

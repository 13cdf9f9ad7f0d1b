// Conversations: the orchestrator between the channels and everything behind
// them. A channel hands it an authenticated InboundMessage; it
//   1. stores it durably, once (a provider's retry is recognised by its id and
//      gets no second reply),
//   2. applies the keywords that work in any state (stop, start, help),
//   3. and otherwise lets the conversation answer, through the outbox.
// Nothing is ever sent to a contact who opted out, and nothing is sent unasked:
// every reply answers a message.
#pragma once

#include <functional>
#include <string>

#include "gateway/channels/inbound_message.h"
#include "gateway/content/renderer.h"
#include "gateway/content/template_catalog.h"
#include "gateway/conversations/keywords.h"
#include "gateway/core/clock.h"
#include "gateway/engine/engine.h"
#include "gateway/engine/flow.h"
#include "gateway/store/store.h"

namespace gw {

// The flows and what renders their messages. Without it, a message that is no
// keyword gets the system.welcome template.
struct Bot {
  const FlowSet* flows = nullptr;
  const Renderer* renderer = nullptr;
  const Engine* engine = nullptr;
};

struct ReceiveResult {
  bool duplicate = false;  // already stored earlier: nothing was done again
  int64_t message_id = 0;
  int64_t contact_id = 0;
  int queued = 0;      // replies queued in the outbox
  std::string action;  // "opt_out", "opt_in", "help", "reply", "flow", "erased", "none"
};

class Conversations {
 public:
  // `outbox_ready(channel_id)` is called after a reply was queued, so that the
  // channel's sender wakes at once instead of at its next tick.
  Conversations(Store& store, Clock& clock, const TemplateCatalog& catalog,
                std::function<void(const std::string&)> outbox_ready = nullptr, Bot bot = {});

  // REQUIRES: `in` was authenticated by its channel.
  Result<ReceiveResult> receive(const InboundMessage& in);

 private:
  Result<ReceiveResult> receive_in_transaction(const InboundMessage& in);
  Status reply(const Conversation& conv, const std::string& template_key);
  Status enqueue(const Conversation& conv, const std::string& text, const std::string& template_key);
  // Runs the person's message through the flows; queues what they say.
  Status run_flow(const InboundMessage& in, const Conversation& conv, Contact& c, ReceiveResult& result);

  Store& store_;
  Clock& clock_;
  const TemplateCatalog& catalog_;
  KeywordMatcher keywords_;
  std::function<void(const std::string&)> outbox_ready_;
  Bot bot_;
};

}  // namespace gw

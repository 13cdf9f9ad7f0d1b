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
#include "gateway/content/template_catalog.h"
#include "gateway/conversations/keywords.h"
#include "gateway/core/clock.h"
#include "gateway/store/store.h"

namespace gw {

struct ReceiveResult {
  bool duplicate = false;  // already stored earlier: nothing was done again
  int64_t message_id = 0;
  int64_t contact_id = 0;
  std::string action;  // "opt_out", "opt_in", "help", "reply", "none"
};

class Conversations {
 public:
  // `outbox_ready(channel_id)` is called after a reply was queued, so that the
  // channel's sender wakes at once instead of at its next tick.
  Conversations(Store& store, Clock& clock, const TemplateCatalog& catalog,
                std::function<void(const std::string&)> outbox_ready = nullptr);

  // REQUIRES: `in` was authenticated by its channel.
  Result<ReceiveResult> receive(const InboundMessage& in);

 private:
  Status reply(const Conversation& conv, const std::string& template_key);

  Store& store_;
  Clock& clock_;
  const TemplateCatalog& catalog_;
  KeywordMatcher keywords_;
  std::function<void(const std::string&)> outbox_ready_;
};

}  // namespace gw

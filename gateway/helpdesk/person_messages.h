// PersonMessages: what the helpdesk says to a person (queue position, out of
// hours, reassurance, closing, an operator's reply) goes out the way every
// reply does: rendered in their language for their channel, then queued in the
// outbox as an outbound message of their conversation. The sender picks it up;
// `outbox_ready` wakes it at once.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/content/renderer.h"
#include "gateway/content/reply_composer.h"
#include "gateway/content/template_catalog.h"
#include "gateway/content/live_content.h"
#include "gateway/core/channel_kinds.h"
#include "gateway/core/clock.h"
#include "gateway/store/store.h"

namespace gw {

class PersonMessages {
 public:
  // `renderer` may be null: then the catalog's source text is sent, formatted
  // (ReplyComposer's fallback rule).
  // `channel_kinds` tells the kind of each configured channel (see channel_kinds.h).
  PersonMessages(Store& store, const TemplateCatalog& catalog, const Renderer* renderer,
                 ChannelKinds channel_kinds = {},
                 std::function<void(const std::string&)> outbox_ready = nullptr);
  // Composes from whatever `content` gives at the time (the published version).
  PersonMessages(Store& store, ContentSource content, ChannelKinds channel_kinds = {},
                 std::function<void(const std::string&)> outbox_ready = nullptr);

  // The channel kind the contact is reached on ("sms", "whatsapp", "telegram", "web").
  std::string channel_kind(const Contact& c) const;
  // `key` composed with `vars` in the contact's language (the source language
  // when it is not known yet) by the ReplyComposer.
  std::string render(const std::string& key, const Contact& c,
                     const nlohmann::json& vars = nlohmann::json::object()) const;
  // Queues `text` (an operator's own words when template_key is empty) for the
  // contact in `conversation_id`. Returns the message id. Does not wake the
  // sender: call wake() once the surrounding transaction is committed.
  Result<int64_t> enqueue(const Contact& c, int64_t conversation_id, const std::string& text,
                          const std::string& template_key, TimePoint now);
  // Renders and queues template `key`.
  Result<int64_t> send(const Contact& c, int64_t conversation_id, const std::string& key, TimePoint now,
                       const nlohmann::json& vars = nlohmann::json::object());
  void wake(const std::string& channel_id) const;

 private:
  Store& store_;
  ContentSource content_;
  ChannelKinds channel_kinds_;
  std::function<void(const std::string&)> outbox_ready_;
};

}  // namespace gw

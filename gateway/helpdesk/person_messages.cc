#include "gateway/helpdesk/person_messages.h"

namespace gw {

PersonMessages::PersonMessages(Store& store, const TemplateCatalog& catalog, const Renderer* renderer,
                               ChannelKinds channel_kinds,
                               std::function<void(const std::string&)> outbox_ready)
    : PersonMessages(store, fixed_content(catalog, renderer), std::move(channel_kinds), std::move(outbox_ready)) {}

PersonMessages::PersonMessages(Store& store, ContentSource content, ChannelKinds channel_kinds,
                               std::function<void(const std::string&)> outbox_ready)
    : store_(store),
      content_(std::move(content)),
      channel_kinds_(std::move(channel_kinds)),
      outbox_ready_(std::move(outbox_ready)) {}

std::string PersonMessages::channel_kind(const Contact& c) const {
  return channel_kinds_.kind(c.channel_id, c.address);
}

std::string PersonMessages::render(const std::string& key, const Contact& c,
                                   const nlohmann::json& vars) const {
  const ContentView v = content_();
  const ReplyComposer composer(*v.catalog, v.renderer);
  return composer.compose(key, composer.answer_language(c.language), channel_kind(c), vars).text;
}

Result<int64_t> PersonMessages::enqueue(const Contact& c, int64_t conversation_id, const std::string& text,
                                        const std::string& template_key, TimePoint now) {
  Message out;
  out.contact_id = c.id;
  out.conversation_id = conversation_id;
  out.channel_id = c.channel_id;
  out.body = text;
  out.template_key = template_key;
  out.created_at = now;
  return store_.enqueue_outbound(out, now);
}

Result<int64_t> PersonMessages::send(const Contact& c, int64_t conversation_id, const std::string& key,
                                     TimePoint now, const nlohmann::json& vars) {
  return enqueue(c, conversation_id, render(key, c, vars), key, now);
}

void PersonMessages::wake(const std::string& channel_id) const {
  if (outbox_ready_) outbox_ready_(channel_id);
}

}  // namespace gw

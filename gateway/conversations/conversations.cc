#include "gateway/conversations/conversations.h"

#include "gateway/core/log.h"

namespace gw {

Conversations::Conversations(Store& store, Clock& clock, const TemplateCatalog& catalog,
                             std::function<void(const std::string&)> outbox_ready)
    : store_(store), clock_(clock), catalog_(catalog), keywords_(catalog), outbox_ready_(std::move(outbox_ready)) {}

Result<ReceiveResult> Conversations::receive(const InboundMessage& in) {
  const TimePoint now = clock_.now();
  auto contact = store_.upsert_contact(in.channel_id, in.from, now);
  if (!contact) return contact.error();
  auto conv = store_.open_or_get_conversation(contact->id, in.channel_id, now);
  if (!conv) return conv.error();

  Message msg;
  msg.contact_id = contact->id;
  msg.conversation_id = conv->id;
  msg.channel_id = in.channel_id;
  msg.provider_id = in.provider_id.empty() ? std::nullopt : std::optional<std::string>(in.provider_id);
  msg.body = in.body;
  msg.segments = in.num_segments;
  msg.created_at = now;
  auto stored = store_.insert_inbound(msg);
  if (!stored) return stored.error();

  ReceiveResult result;
  result.message_id = stored->id;
  result.contact_id = contact->id;
  if (!stored->inserted) {
    result.duplicate = true;
    result.action = "none";
    log::info("message.duplicate", {{"channel", in.channel_id}, {"message_id", stored->id}});
    return result;
  }

  Contact c = *contact;
  c.last_inbound_at = now;  // opens WhatsApp's 24-hour window

  // Twilio's Advanced Opt-Out tells us what it understood; otherwise our keywords decide.
  Keyword kw = keywords_.match(in.body);
  if (in.opt_out_type == "STOP") kw = Keyword::kStop;
  else if (in.opt_out_type == "START") kw = Keyword::kStart;
  else if (in.opt_out_type == "HELP") kw = Keyword::kHelp;
  // "YES" resumes only someone who stopped; otherwise it is an answer for the conversation.
  if (kw == Keyword::kStart && !c.opted_out && fold_keyword(in.body) != "start" && fold_keyword(in.body) != "unstop") {
    kw = Keyword::kNone;
  }

  std::string reply_key;
  switch (kw) {
    case Keyword::kStop:
      c.opted_out = true;
      result.action = "opt_out";
      break;
    case Keyword::kStart:
      if (c.opted_out) reply_key = "system.opted_in";
      c.opted_out = false;
      result.action = "opt_in";
      break;
    case Keyword::kHelp:
      reply_key = "system.help";
      result.action = "help";
      break;
    case Keyword::kNone:
      // Until the flows answer, every message gets the welcome.
      reply_key = c.opted_out ? "" : "system.welcome";
      result.action = c.opted_out ? "none" : "reply";
      break;
  }
  if (Status s = store_.update_contact(c); !s) return s.error();
  if (c.opted_out) reply_key.clear();
  if (!reply_key.empty()) {
    if (Status s = reply(*conv, reply_key); !s) return s.error();
  }
  log::info("message.received", {{"channel", in.channel_id}, {"kind", channel_kind_name(in.kind)},
                                  {"message_id", stored->id}, {"contact_id", contact->id},
                                  {"action", result.action}});
  return result;
}

Status Conversations::reply(const Conversation& conv, const std::string& template_key) {
  Message out;
  out.contact_id = conv.contact_id;
  out.conversation_id = conv.id;
  out.channel_id = conv.channel_id;
  out.body = catalog_.text(template_key);
  out.template_key = template_key;
  out.created_at = clock_.now();
  auto id = store_.enqueue_outbound(out, clock_.now());
  if (!id) return id.error();
  if (outbox_ready_) outbox_ready_(conv.channel_id);
  return {};
}

}  // namespace gw

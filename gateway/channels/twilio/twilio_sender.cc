#include "gateway/channels/twilio/twilio_sender.h"

#include "gateway/channels/twilio/twilio_messages_api.h"
#include "gateway/content/sms_encoding.h"

namespace gw {

TwilioSender::TwilioSender(ChannelConfig channel, std::string public_url, HttpClient& http,
                           const Clock& clock, ContentSidLookup content_sid)
    : channel_(std::move(channel)),
      status_callback_(public_url + "/twilio/" + channel_.id + "/status"),
      http_(http),
      clock_(clock),
      content_sid_(std::move(content_sid)) {}

bool TwilioSender::inside_whatsapp_window(const Contact& contact, TimePoint now) {
  return contact.last_inbound_at && now - *contact.last_inbound_at < std::chrono::hours(24);
}

SendOutcome TwilioSender::send(const OutboxItem& item, const Contact& contact) {
  const bool whatsapp = item.address.rfind("whatsapp:", 0) == 0;
  TwilioOutbound msg;
  msg.to = item.address;
  msg.body = item.body;
  msg.status_callback = status_callback_;
  if (whatsapp && !inside_whatsapp_window(contact, clock_.now())) {
    const std::string sid = content_sid_ && !item.template_key.empty() ? content_sid_(item.template_key) : "";
    if (sid.empty()) {
      SendOutcome held;
      held.kind = SendOutcome::Kind::kHeld;
      held.error = "held: outside the WhatsApp 24-hour window and template \"" + item.template_key +
                   "\" has no approved WhatsApp template (content_sid)";
      return held;
    }
    msg.body.clear();
    msg.content_sid = sid;
    msg.content_variables = "{}";
  }
  int segments = 0;
  if (!whatsapp) {
    if (channel_.smart_encoding) msg.body = smart_encode(msg.body);
    segments = count_segments(msg.body).segments;
  }
  SendOutcome out = classify_twilio_response(http_.send(build_twilio_create_message(channel_, msg)));
  out.segments = segments;
  return out;
}

}  // namespace gw

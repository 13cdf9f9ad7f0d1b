// TwilioSender: sends outbox items of a Twilio channel (SMS and WhatsApp)
// through the Messages REST API.
//
// SMS bodies are smart-encoded when the channel enables it (curly quotes and
// the like become GSM characters, which can halve the cost) and their segment
// count is recorded. WhatsApp free text may only be sent within 24 hours of the
// person's last message; outside that window the template's approved WhatsApp
// template (ContentSid) is sent instead, or, when it has none, the message is
// held, not sent.
#pragma once

#include <functional>
#include <string>

#include "gateway/channels/channel_sender.h"
#include "gateway/config/config.h"
#include "gateway/core/clock.h"
#include "gateway/core/http_client.h"

namespace gw {

class TwilioSender final : public ChannelSender {
 public:
  // The approved WhatsApp template (ContentSid) for a template key, "" if none.
  using ContentSidLookup = std::function<std::string(const std::string& template_key)>;

  // `public_url` builds the StatusCallback: public_url + /twilio/{id}/status.
  TwilioSender(ChannelConfig channel, std::string public_url, HttpClient& http, const Clock& clock,
               ContentSidLookup content_sid = nullptr);

  const std::string& channel_id() const override { return channel_.id; }
  SendOutcome send(const OutboxItem& item, const Contact& contact) override;

  // True iff `contact` wrote within the last 24 hours before `now`.
  static bool inside_whatsapp_window(const Contact& contact, TimePoint now);

 private:
  ChannelConfig channel_;
  std::string status_callback_;
  HttpClient& http_;
  const Clock& clock_;
  ContentSidLookup content_sid_;
};

}  // namespace gw

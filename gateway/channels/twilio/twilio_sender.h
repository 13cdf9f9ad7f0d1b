// TwilioSender: sends outbox items of a Twilio channel (SMS and WhatsApp)
// through the Messages REST API.
//
// SMS bodies are smart-encoded when the channel enables it (curly quotes and
// the like become GSM characters, which can halve the cost) and their segment
// count is recorded. WhatsApp free text may only be sent within 24 hours of the
// person's last message; outside that window a message is held, not sent.
#pragma once

#include <string>

#include "gateway/channels/channel_sender.h"
#include "gateway/config/config.h"
#include "gateway/core/clock.h"
#include "gateway/core/http_client.h"

namespace gw {

class TwilioSender final : public ChannelSender {
 public:
  // `public_url` builds the StatusCallback: public_url + /twilio/{id}/status.
  TwilioSender(ChannelConfig channel, std::string public_url, HttpClient& http, const Clock& clock);

  const std::string& channel_id() const override { return channel_.id; }
  SendOutcome send(const OutboxItem& item, const Contact& contact) override;

  // True iff `contact` wrote within the last 24 hours before `now`.
  static bool inside_whatsapp_window(const Contact& contact, TimePoint now);

 private:
  ChannelConfig channel_;
  std::string status_callback_;
  HttpClient& http_;
  const Clock& clock_;
};

}  // namespace gw

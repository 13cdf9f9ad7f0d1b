// ChannelSender: hands one outbox item to a provider. One implementation per
// channel type (Twilio SMS/WhatsApp, Telegram, the browser simulator); the
// OutboxWorker drives them all the same way.
#pragma once

#include <string>

#include "gateway/channels/send_outcome.h"
#include "gateway/store/records.h"

namespace gw {

class ChannelSender {
 public:
  virtual ~ChannelSender() = default;
  virtual const std::string& channel_id() const = 0;
  // One attempt to deliver `item` (body and address decrypted) to `contact`.
  // Never throws; every failure is a SendOutcome.
  virtual SendOutcome send(const OutboxItem& item, const Contact& contact) = 0;
};

}  // namespace gw

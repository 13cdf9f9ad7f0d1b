// ChannelKinds: what kind of channel a person is reached on — "sms",
// "whatsapp", "telegram" or "web", the names content is rendered for — decided
// in one place, from the channel's configured type and the person's address:
//  - a Telegram channel is "telegram", a web (browser simulator) channel "web";
//  - a Twilio channel carries both SMS and WhatsApp, told apart by the address:
//    "whatsapp:+447700900123" is "whatsapp", "+447700900123" is "sms".
// A channel id need not say its type ("tg" is as good a Telegram id as
// "telegram"): the kind never comes from the id's spelling.
#pragma once

#include <map>
#include <string>

namespace gw {

inline constexpr const char* kWhatsAppAddressPrefix = "whatsapp:";

// The kind of a message to or from `address` on a channel of type
// `channel_type` ("twilio", "telegram", "web"; anything else counts as Twilio).
std::string channel_kind(const std::string& channel_type, const std::string& address);

// True for the kinds whose addresses are phone numbers ("sms", "whatsapp"):
// only those tell a country (Telegram chat ids and web ids are no numbers).
bool kind_has_phone_number(const std::string& kind);

class ChannelKinds {
 public:
  // No channel configured: every channel counts as Twilio.
  ChannelKinds() = default;
  // `types`: each configured channel's id → its type (config "channels": id, type).
  explicit ChannelKinds(std::map<std::string, std::string> types) : types_(std::move(types)) {}

  // The kind of `address` on channel `channel_id` (a channel not configured counts as Twilio).
  std::string kind(const std::string& channel_id, const std::string& address) const;

 private:
  std::map<std::string, std::string> types_;
};

}  // namespace gw

#include "gateway/core/channel_kinds.h"

namespace gw {

std::string channel_kind(const std::string& channel_type, const std::string& address) {
  if (channel_type == "telegram") return "telegram";
  if (channel_type == "web") return "web";
  return address.rfind(kWhatsAppAddressPrefix, 0) == 0 ? "whatsapp" : "sms";
}

bool kind_has_phone_number(const std::string& kind) {
  return kind == "sms" || kind == "whatsapp";
}

std::string ChannelKinds::kind(const std::string& channel_id, const std::string& address) const {
  auto it = types_.find(channel_id);
  return channel_kind(it == types_.end() ? "twilio" : it->second, address);
}

}  // namespace gw

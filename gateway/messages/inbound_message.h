// InboundMessage: what a channel hands to the conversations layer once a
// webhook has been parsed and authenticated, whatever the provider.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

enum class ChannelKind { kSms, kWhatsApp, kTelegram, kWeb };

const char* channel_kind_name(ChannelKind k);  // "sms", "whatsapp", "telegram", "web"

struct MediaItem {
  std::string url;
  std::string content_type;
};

struct InboundMessage {
  std::string channel_id;  // the configured channel ("uk-sms")
  ChannelKind kind = ChannelKind::kSms;
  std::string provider_id;  // Twilio MessageSid, Telegram update_id: the deduplication key
  std::string from;         // the person: "+447700900123", "whatsapp:+447700900123", a Telegram chat id
  std::string to;           // our number or bot
  std::string body;
  std::vector<MediaItem> media;
  int num_segments = 0;      // SMS segments the person paid for (Twilio NumSegments)
  std::string profile_name;  // WhatsApp profile name / Telegram first name: never logged
  std::string wa_id;         // WhatsApp id
  std::string button_text;   // WhatsApp quick reply
  std::string button_payload;
  std::string opt_out_type;  // Twilio Advanced Opt-Out: STOP, START, HELP
  std::string messaging_service_sid;
};

// The message as stored in the intake (Store::queue_inbound) until its
// conversation handles it: a JSON object of its fields. Bytes that are not
// UTF-8 in a field are kept as U+FFFD.
std::string serialize_inbound(const InboundMessage& m);
Result<InboundMessage> deserialize_inbound(std::string_view json);

}  // namespace gw

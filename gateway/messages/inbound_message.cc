#include "gateway/messages/inbound_message.h"

#include <nlohmann/json.hpp>

namespace gw {

const char* channel_kind_name(ChannelKind k) {
  switch (k) {
    case ChannelKind::kSms:
      return "sms";
    case ChannelKind::kWhatsApp:
      return "whatsapp";
    case ChannelKind::kTelegram:
      return "telegram";
    case ChannelKind::kWeb:
      return "web";
  }
  return "sms";
}

namespace {

std::optional<ChannelKind> channel_kind_from_name(const std::string& name) {
  for (ChannelKind k :
       {ChannelKind::kSms, ChannelKind::kWhatsApp, ChannelKind::kTelegram, ChannelKind::kWeb}) {
    if (name == channel_kind_name(k)) return k;
  }
  return std::nullopt;
}

}  // namespace

// Empty fields are left out: most messages carry only a few of them.
std::string serialize_inbound(const InboundMessage& m) {
  nlohmann::json j = {{"channel", m.channel_id},
                      {"kind", channel_kind_name(m.kind)},
                      {"id", m.provider_id},
                      {"from", m.from},
                      {"body", m.body}};
  auto put = [&j](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("to", m.to);
  put("profile_name", m.profile_name);
  put("wa_id", m.wa_id);
  put("button_text", m.button_text);
  put("button_payload", m.button_payload);
  put("opt_out_type", m.opt_out_type);
  put("messaging_service_sid", m.messaging_service_sid);
  if (m.num_segments != 0) j["segments"] = m.num_segments;
  if (!m.media.empty()) {
    nlohmann::json media = nlohmann::json::array();
    for (const MediaItem& item : m.media) media.push_back({{"url", item.url}, {"type", item.content_type}});
    j["media"] = std::move(media);
  }
  // A provider's fields are bytes: a sequence that is not UTF-8 becomes U+FFFD
  // rather than failing the webhook on every retry of the provider.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<InboundMessage> deserialize_inbound(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Error::invalid("a stored inbound message is not a JSON object");
  try {
    InboundMessage m;
    m.channel_id = j.at("channel").get<std::string>();
    auto kind = channel_kind_from_name(j.at("kind").get<std::string>());
    if (!kind) return Error::invalid("a stored inbound message has an unknown channel kind");
    m.kind = *kind;
    m.provider_id = j.at("id").get<std::string>();
    m.from = j.at("from").get<std::string>();
    m.body = j.at("body").get<std::string>();
    m.to = j.value("to", "");
    m.profile_name = j.value("profile_name", "");
    m.wa_id = j.value("wa_id", "");
    m.button_text = j.value("button_text", "");
    m.button_payload = j.value("button_payload", "");
    m.opt_out_type = j.value("opt_out_type", "");
    m.messaging_service_sid = j.value("messaging_service_sid", "");
    m.num_segments = j.value("segments", 0);
    if (auto it = j.find("media"); it != j.end()) {
      for (const auto& item : *it)
        m.media.push_back({item.at("url").get<std::string>(), item.at("type").get<std::string>()});
    }
    return m;
  } catch (const nlohmann::json::exception&) {
    // The message names no field value: they may be personal.
    return Error::invalid("a stored inbound message lacks a field or has one of the wrong type");
  }
}

}  // namespace gw

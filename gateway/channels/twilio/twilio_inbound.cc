#include "gateway/channels/twilio/twilio_inbound.h"

#include <algorithm>
#include <cctype>

#include "gateway/core/channel_kinds.h"

namespace gw {
namespace {

const std::string* find_param(const FormFields& params, const std::string& name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string get(const FormFields& params, const std::string& name) {
  const std::string* v = find_param(params, name);
  return v ? *v : std::string();
}

bool parse_small_int(const std::string& s, int max, int* out) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  *out = std::stoi(s);
  return *out <= max;
}

// "SM" or "MM" and 32 hexadecimal digits.
bool is_message_sid(const std::string& sid) {
  if (sid.size() != 34 || (sid.compare(0, 2, "SM") != 0 && sid.compare(0, 2, "MM") != 0)) return false;
  return std::all_of(sid.begin() + 2, sid.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

Result<InboundMessage> parse_twilio_inbound(const FormFields& params, const std::string& channel_id,
                                            const std::string& expected_account_sid) {
  InboundMessage m;
  m.channel_id = channel_id;
  const std::string account = get(params, "AccountSid");
  if (account.empty()) return Error::invalid("AccountSid is missing");
  if (account != expected_account_sid) return Error::denied("AccountSid does not match this channel");
  m.provider_id = get(params, "MessageSid");
  if (m.provider_id.empty()) m.provider_id = get(params, "SmsMessageSid");
  if (m.provider_id.empty()) return Error::invalid("MessageSid is missing");
  if (!is_message_sid(m.provider_id)) return Error::invalid("MessageSid is malformed");
  m.from = get(params, "From");
  m.to = get(params, "To");
  if (m.from.empty()) return Error::invalid("From is missing");
  if (m.to.empty()) return Error::invalid("To is missing");
  m.kind = channel_kind("twilio", m.from) == "whatsapp" ? ChannelKind::kWhatsApp : ChannelKind::kSms;
  m.body = get(params, "Body");
  m.messaging_service_sid = get(params, "MessagingServiceSid");
  m.profile_name = get(params, "ProfileName");
  m.wa_id = get(params, "WaId");
  m.button_text = get(params, "ButtonText");
  m.button_payload = get(params, "ButtonPayload");
  m.opt_out_type = get(params, "OptOutType");

  const std::string segments = get(params, "NumSegments");
  if (!segments.empty() && !parse_small_int(segments, 1000, &m.num_segments)) {
    return Error::invalid("NumSegments is not a number");
  }
  int num_media = 0;
  const std::string nm = get(params, "NumMedia");
  if (!nm.empty() && !parse_small_int(nm, 20, &num_media)) {
    return Error::invalid("NumMedia is not a number from 0 to 20");
  }
  for (int i = 0; i < num_media; ++i) {
    const std::string n = std::to_string(i);
    MediaItem item{get(params, "MediaUrl" + n), get(params, "MediaContentType" + n)};
    if (item.url.empty()) return Error::invalid("MediaUrl" + n + " is missing although NumMedia is " + nm);
    m.media.push_back(std::move(item));
  }
  return m;
}

}  // namespace gw

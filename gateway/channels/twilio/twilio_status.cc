#include "gateway/channels/twilio/twilio_status.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace gw {
namespace {

// A Twilio resource sid: two capital letters and 32 hexadecimal digits.
bool is_twilio_sid(const std::string& sid) {
  if (sid.size() != 34 || !std::isupper(static_cast<unsigned char>(sid[0])) ||
      !std::isupper(static_cast<unsigned char>(sid[1]))) {
    return false;
  }
  return std::all_of(sid.begin() + 2, sid.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// Twilio's statuses are short lower-case words ("delivered", "partially_delivered"):
// one Twilio may add later passes (and is ignored), anything else is refused.
bool is_status_word(const std::string& s) {
  constexpr size_t kMaxStatus = 32;
  if (s.empty() || s.size() > kMaxStatus) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// Twilio's MessageStatus → ours. Statuses Twilio may add later are ignored.
std::optional<std::string> map_twilio_status(const std::string& s) {
  static const std::map<std::string, std::string> kMap = {{"queued", "queued"},
                                                          {"accepted", "queued"},
                                                          {"scheduled", "queued"},
                                                          {"sending", "sending"},
                                                          {"sent", "sent"},
                                                          {"delivered", "delivered"},
                                                          {"undelivered", "undelivered"},
                                                          {"failed", "failed"},
                                                          {"canceled", "failed"},
                                                          {"read", "read"}};
  auto it = kMap.find(s);
  if (it == kMap.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<TwilioStatusUpdate> parse_twilio_status(const FormFields& params,
                                               const std::string& expected_account_sid) {
  const std::string* account = form_find(params, "AccountSid");
  if (!account || *account != expected_account_sid)
    return Error::denied("AccountSid does not match this channel");
  const std::string* sid = form_find(params, "MessageSid");
  const std::string* status = form_find(params, "MessageStatus");
  if (!sid || sid->empty()) return Error::invalid("MessageSid is missing");
  if (!status || status->empty()) return Error::invalid("MessageStatus is missing");
  if (!is_twilio_sid(*sid)) return Error::invalid("MessageSid is malformed");
  if (!is_status_word(*status)) return Error::invalid("MessageStatus is not a Twilio message status");
  TwilioStatusUpdate update;
  update.message_sid = *sid;
  update.provider_status = *status;
  update.status = map_twilio_status(*status);
  if (const std::string* ec = form_find(params, "ErrorCode"); ec && !ec->empty()) {
    if (ec->size() > 6 || ec->find_first_not_of("0123456789") != std::string::npos) {
      return Error::invalid("ErrorCode is not a number");
    }
    update.error_code = std::stoi(*ec);
  }
  return update;
}

}  // namespace gw

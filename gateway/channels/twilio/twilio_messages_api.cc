#include "gateway/channels/twilio/twilio_messages_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/core/form_encoding.h"

namespace gw {

HttpRequest build_twilio_create_message(const ChannelConfig& channel, const TwilioOutbound& message) {
  HttpRequest req;
  req.method = "POST";
  req.url = channel.api_base + "/2010-04-01/Accounts/" + channel.account_sid + "/Messages.json";
  req.basic_user = channel.account_sid;
  req.basic_password = channel.auth_token;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("Accept", "application/json");
  std::vector<std::pair<std::string, std::string>> form;
  form.emplace_back("To", message.to);
  const bool whatsapp = message.to.rfind("whatsapp:", 0) == 0;
  if (!channel.messaging_service_sid.empty()) {
    form.emplace_back("MessagingServiceSid", channel.messaging_service_sid);
  } else {
    const bool from_has_prefix = channel.from.rfind("whatsapp:", 0) == 0;
    form.emplace_back("From", whatsapp && !from_has_prefix ? "whatsapp:" + channel.from : channel.from);
  }
  if (!message.content_sid.empty()) {
    form.emplace_back("ContentSid", message.content_sid);
    if (!message.content_variables.empty()) form.emplace_back("ContentVariables", message.content_variables);
  } else {
    form.emplace_back("Body", message.body);
  }
  if (!message.status_callback.empty()) form.emplace_back("StatusCallback", message.status_callback);
  req.body = form_urlencode(form);
  return req;
}

SendOutcome classify_twilio_response(const Result<HttpResponse>& response) {
  SendOutcome out;
  if (!response.ok()) {
    out.kind = SendOutcome::Kind::kRetry;
    out.error = response.error().to_string();
    return out;
  }
  const HttpResponse& r = *response;
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status >= 200 && r.status < 300) {
    if (body.is_object() && body.contains("sid") && body["sid"].is_string()) {
      out.kind = SendOutcome::Kind::kAccepted;
      out.provider_id = body["sid"].get<std::string>();
      // Read by type: json::value() throws on a status that is not a string.
      const auto status = body.find("status");
      out.provider_status =
          status != body.end() && status->is_string() ? status->get<std::string>() : "queued";
      return out;
    }
    // Accepted without a sid we can record: treat as sent but unknown, never resend blindly.
    out.kind = SendOutcome::Kind::kAccepted;
    out.provider_status = "queued";
    out.error = "the provider answered " + std::to_string(r.status) + " without a message sid";
    return out;
  }
  if (body.is_object() && body.contains("code") && body["code"].is_number_integer()) {
    out.error_code = body["code"].get<int>();
  } else {
    out.error_code = r.status;
  }
  const std::string msg = body.is_object() && body.contains("message") && body["message"].is_string()
                              ? body["message"].get<std::string>()
                              : std::string();
  out.error = "HTTP " + std::to_string(r.status) +
              (out.error_code != r.status ? " code " + std::to_string(*out.error_code) : "");
  (void)msg;  // Twilio's message can quote the recipient's number: it is not kept.
  if (r.status == 429 || r.status >= 500) {
    out.kind = SendOutcome::Kind::kRetry;
    const std::string ra = r.header("retry-after");
    if (!ra.empty() && ra.find_first_not_of("0123456789") == std::string::npos && ra.size() < 7) {
      // At most a day, as for Telegram: a nonsense value must not park the message for weeks.
      constexpr long long kMaxSeconds = 24 * 3600;
      out.retry_after = Millis(std::min(std::stoll(ra), kMaxSeconds) * 1000);
    }
    return out;
  }
  out.kind = SendOutcome::Kind::kPermanent;
  out.recipient_opted_out = out.error_code == 21610;
  out.recipient_invalid = out.error_code == 21211 || out.error_code == 21614;
  return out;
}

}  // namespace gw

// Twilio's Messages REST API: building the "create message" request and
// reading what came back.
#pragma once

#include <string>

#include "gateway/channels/send_outcome.h"
#include "gateway/config/config.h"
#include "gateway/core/http_client.h"

namespace gw {

struct TwilioOutbound {
  std::string to;                 // "+447700900123" or "whatsapp:+…"
  std::string body;               // free text; empty when content_sid is set
  std::string content_sid;        // WhatsApp template (outside the 24-hour window)
  std::string content_variables;  // JSON object as text, with content_sid
  std::string status_callback;    // public_url + /twilio/{channel}/status
};

// POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json with Basic
// auth and a form body. A WhatsApp recipient is sent from "whatsapp:" + from.
HttpRequest build_twilio_create_message(const ChannelConfig& channel, const TwilioOutbound& message);

// Classifies the answer: 2xx accepted (sid), 429 and 5xx and transport
// errors retried (Retry-After honoured), any other 4xx permanent with
// Twilio's error code; 21610 marks the recipient opted out.
SendOutcome classify_twilio_response(const Result<HttpResponse>& response);

}  // namespace gw

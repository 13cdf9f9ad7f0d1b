// Parses the form parameters of Twilio's incoming-message webhook (SMS and
// WhatsApp) into an InboundMessage.
//
// Every documented parameter is read (From, To, Body, MessageSid, AccountSid,
// MessagingServiceSid, NumMedia with MediaUrlN/MediaContentTypeN, NumSegments,
// ProfileName, WaId, ButtonText, ButtonPayload, OptOutType); unknown ones are
// accepted and ignored, as Twilio adds parameters over time.
#pragma once

#include <string>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/core/result.h"
#include "gateway/messages/inbound_message.h"

namespace gw {

// REQUIRES: the request's signature was already checked.
// Errors (kInvalidArgument) name the parameter that is missing or malformed,
// never its value. A message for another account is kPermissionDenied.
Result<InboundMessage> parse_twilio_inbound(const FormFields& params, const std::string& channel_id,
                                            const std::string& expected_account_sid);

}  // namespace gw

// Parses the form parameters of Twilio's message status callback (StatusCallback)
// into the status to record.
//
// Every field is checked before anything is stored or logged: a field of
// unbounded length or odd bytes goes no further than the error.
#pragma once

#include <optional>
#include <string>

#include "gateway/core/form_encoding.h"
#include "gateway/core/result.h"

namespace gw {

struct TwilioStatusUpdate {
  std::string message_sid;            // two capital letters and 32 hexadecimal digits
  std::string provider_status;        // Twilio's MessageStatus: a short lower-case word
  std::optional<std::string> status;  // ours ("queued", "sent", "delivered" …); nullopt for
                                      // a status Twilio added later, which is ignored
  std::optional<int> error_code;      // ErrorCode, at most 6 digits
};

// REQUIRES: the request's signature was already checked.
// kPermissionDenied when AccountSid is missing or not `expected_account_sid`;
// kInvalidArgument, naming the parameter (never its value), when MessageSid,
// MessageStatus or ErrorCode is missing or malformed.
Result<TwilioStatusUpdate> parse_twilio_status(const FormFields& params,
                                               const std::string& expected_account_sid);

}  // namespace gw

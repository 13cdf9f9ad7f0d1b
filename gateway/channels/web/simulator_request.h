// The body of the simulator's POST /simulator/api/messages, read without trusting
// it: {"session": id|null, "text", "language", "channel", "from"}. Fields of
// another type count as absent.
#pragma once

#include <string>
#include <string_view>

#include "gateway/conversations/simulator.h"
#include "gateway/core/result.h"

namespace gw {

struct SimulatorMessageRequest {
  std::string session;       // empty: a new session
  std::string text;          // 1 to 1600 bytes
  SimulatorOptions options;  // language as given; channel sms (default), whatsapp or telegram;
                             // from in E.164 ("+" and at most 15 digits) or empty
};

// kInvalidArgument, with a message for the visitor that names the field (never
// its value), when `body` is not a JSON object, "text" is empty or longer than
// 1600 bytes, "from" is not a phone number in international form, or "channel"
// is not one of the three. "from" is checked before any phone-number library
// sees it: libphonenumber's parsing time grows with the square of the input's
// length.
Result<SimulatorMessageRequest> parse_simulator_message(std::string_view body);

}  // namespace gw

// mask_address: how an operator sees the person's address. The console never
// shows a whole phone number or chat id (a screen can be read over a shoulder,
// a screenshot can leak): a phone number keeps its country calling code and its
// last 3 digits ("+44 •••• ••• 123"), anything else its last 3 characters.
#pragma once

#include <string>

namespace gw {

// "whatsapp:+447700900123" and "+447700900123" → "+44 •••• ••• 123";
// "123456789" (a chat id) → "•••••• 789"; 3 characters or fewer → "•••".
std::string mask_address(const std::string& address);

}  // namespace gw

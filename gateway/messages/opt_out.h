// What may still be sent to a contact who opted out: the answer to a crisis word
// (crisis.numbers, crisis.restart). Conversations queues it after an opt-out only
// on channels that still deliver (Telegram, WhatsApp; not SMS); the outbox worker
// sends nothing else to such a contact.
#pragma once

#include <string>

namespace gw {

inline constexpr const char* kCrisisNumbersTemplate = "crisis.numbers";
inline constexpr const char* kCrisisRestartTemplate = "crisis.restart";

// True for the templates sent even to a contact who opted out.
inline bool sent_despite_opt_out(const std::string& template_key) {
  return template_key == kCrisisNumbersTemplate || template_key == kCrisisRestartTemplate;
}

}  // namespace gw

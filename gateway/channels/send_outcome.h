// SendOutcome: what became of one attempt to hand a message to a provider,
// the same shape for every channel so the outbox treats them alike.
#pragma once

#include <optional>
#include <string>

#include "gateway/core/clock.h"

namespace gw {

struct SendOutcome {
  enum class Kind {
    kAccepted,   // the provider took it; provider_id is set
    kRetry,      // network error, 5xx, 429: try again later
    kPermanent,  // any other refusal: never retried
    kHeld,       // not sent and not to be retried by itself (e.g. outside WhatsApp's 24-hour window)
  };
  Kind kind = Kind::kRetry;
  std::string provider_id;            // Twilio SM…/MM…, Telegram message_id
  std::string provider_status;        // "queued", "accepted", "sent"
  int segments = 0;                   // SMS segments billed (0 on channels without segments)
  std::optional<int> error_code;      // Twilio's code (21610, 21211, 20429 …) or the HTTP status
  std::string error;                  // for the operator: no address, no body
  std::optional<Millis> retry_after;  // when the provider said how long to wait
  bool recipient_opted_out = false;   // Twilio 21610: the person sent STOP to the carrier
  bool recipient_invalid = false;     // Twilio 21211, 21614: not a reachable address
};

}  // namespace gw

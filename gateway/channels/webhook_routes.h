// The provider webhooks: Twilio (SMS and WhatsApp) inbound and status
// callbacks, and Telegram updates.
//
//   POST /twilio/{channel}/inbound    → 200 empty TwiML once stored
//   POST /twilio/{channel}/status     → 200 once applied
//   POST /telegram/{channel}/webhook  → 200 once stored
//
// "Stored" is in the intake (Conversations::accept): the conversation handles
// the message right after, on the IntakeWorker's thread, and its replies go
// out through the outbox.
//
// A request whose signature (Twilio) or secret token (Telegram) is missing or
// wrong gets 403 and nothing is stored. Bad input gets a 4xx with a JSON body
// that says what is wrong, never quoting a number or a message. A store error
// gets 500, so that the provider retries (and the retry is deduplicated).
#pragma once

#include "gateway/config/config.h"
#include "gateway/conversations/conversations.h"
#include "gateway/core/core_metrics.h"
#include "gateway/http/server.h"
#include "gateway/store/store.h"

namespace gw {

struct WebhookContext {
  const Config& config;
  Conversations& conversations;
  Store& store;
  Clock& clock;
};

void add_webhook_routes(http::HttpServer& server, const WebhookContext& ctx);

// Counts a message the intake handled in gateway_messages_total (inbound),
// unless it was a provider's retry of one handled before: the IntakeWorker's
// report. `metrics` may be null.
void count_handled_inbound(metrics::CoreMetrics* metrics, const HandledInbound& handled);

}  // namespace gw

// Telegram Bot API, sending side: building one sendMessage request and reading
// what came back. Pure functions; TelegramSender (telegram_sender.h) drives them.
//
// The bot token is part of the URL path ({api_base}/bot{token}/sendMessage), so
// the URL of a request built here is a secret: never log it, never put it into
// an error. The request body holds the chat id and the text: the same applies.
#pragma once

#include <string>

#include "gateway/channels/send_outcome.h"
#include "gateway/config/config.h"
#include "gateway/core/http_client.h"

namespace gw {

// POST {api_base}/bot{bot_token}/sendMessage with a JSON body:
//   {"chat_id": <int64 when `chat_id` is a decimal integer, else the string>,
//    "text": <text>, "link_preview_options": {"is_disabled": true}}
// No parse_mode: the text goes out as plain text, so nothing in it (a "*", a
// "<b>", a "[x](y)") can be read as markup, or make Telegram refuse the message
// for malformed markup. Link previews are off: a preview would make Telegram's
// servers fetch the linked page and show it in the chat.
// Text that is not valid UTF-8 has its bad bytes replaced by U+FFFD; never throws.
HttpRequest build_telegram_send_message(const ChannelConfig& channel, const std::string& chat_id,
                                        const std::string& text);

// Classifies the answer to sendMessage:
//   2xx                      kAccepted, provider_id = result.message_id (empty
//                            when the answer carries none: sent, but unknown id);
//   429                      kRetry, retry_after = parameters.retry_after seconds
//                            (or the Retry-After header when the body has none);
//   5xx, transport error     kRetry;
//   403                      kPermanent, recipient_opted_out: the person blocked
//                            the bot or deleted their account; never write again;
//   400 "chat not found"     kPermanent, recipient_invalid;
//   any other status         kPermanent.
// error_code is Telegram's error_code (the HTTP status when the body has none).
// `error` holds the HTTP status, error_code and a fixed phrase only: Telegram's
// description can quote the request, so it is never copied.
SendOutcome classify_telegram_response(const Result<HttpResponse>& response);

}  // namespace gw

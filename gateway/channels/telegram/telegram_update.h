// Telegram Bot API: parsing webhook updates and preparing sendMessage texts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/messages/inbound_message.h"

namespace gw {

// Parses one Update (the webhook body). Returns nullopt for updates that carry
// nothing to answer (edits, membership changes, messages from groups and
// channels: a helpline conversation is only ever held in a private chat).
// kInvalidArgument when the body is not a Telegram update.
Result<std::optional<InboundMessage>> parse_telegram_update(std::string_view body,
                                                            const std::string& channel_id);

// Splits `text` into parts of at most `max_units` UTF-16 code units (Telegram
// counts message length so), cutting at a paragraph, then a line, then a space
// when one is near, and never inside a character. A character wider than
// `max_units` (only when it is below 2) is a part of its own; 0 counts as 1.
std::vector<std::string> split_telegram_text(std::string_view text, size_t max_units = 4096);

}  // namespace gw

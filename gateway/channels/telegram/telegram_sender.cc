#include "gateway/channels/telegram/telegram_sender.h"

#include <functional>
#include <string_view>
#include <vector>

#include "gateway/channels/telegram/telegram_bot_api.h"
#include "gateway/channels/telegram/telegram_update.h"

namespace gw {

TelegramSender::TelegramSender(ChannelConfig channel, HttpClient& http)
    : channel_(std::move(channel)), http_(http) {}

SendOutcome TelegramSender::send(const OutboxItem& item, const Contact& /*contact*/) {
  const std::vector<std::string> parts = split_telegram_text(item.body, kMaxUnits);
  if (parts.empty()) {
    SendOutcome empty;
    empty.kind = SendOutcome::Kind::kPermanent;
    empty.error = "the message is empty: Telegram cannot send it";
    return empty;
  }
  const size_t body_hash = std::hash<std::string_view>{}(item.body);
  SendOutcome out;
  for (size_t i = resume_point(item, body_hash, parts.size()); i < parts.size(); ++i) {
    out =
        classify_telegram_response(http_.send(build_telegram_send_message(channel_, item.address, parts[i])));
    out.segments = 0;
    out.error = scrub(std::move(out.error));
    if (out.kind != SendOutcome::Kind::kAccepted) {
      // Parts 0..i-1 are with the person: a retry resumes at part i.
      if (out.kind == SendOutcome::Kind::kRetry && i > 0) {
        remember(item, body_hash, parts.size(), i);
      } else {
        forget(item.id);
      }
      if (parts.size() > 1) {
        out.error =
            "part " + std::to_string(i + 1) + " of " + std::to_string(parts.size()) + ": " + out.error;
      }
      return out;
    }
  }
  forget(item.id);
  return out;
}

size_t TelegramSender::items_in_progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_.size();
}

size_t TelegramSender::resume_point(const OutboxItem& item, size_t body_hash, size_t parts_total) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = progress_.find(item.id);
  if (it == progress_.end()) return 0;
  const Progress& p = it->second;
  if (p.message_id != item.message_id || p.body_hash != body_hash || p.parts_total != parts_total ||
      p.parts_accepted >= parts_total) {
    progress_.erase(it);  // another item under a reused id
    return 0;
  }
  return p.parts_accepted;
}

void TelegramSender::remember(const OutboxItem& item, size_t body_hash, size_t parts_total,
                              size_t parts_accepted) {
  std::lock_guard<std::mutex> lock(mu_);
  progress_[item.id] = Progress{item.message_id, body_hash, parts_total, parts_accepted};
  // Outbox ids grow: the smallest is the oldest. A forgotten item resends from part 1.
  while (progress_.size() > kMaxRemembered) progress_.erase(progress_.begin());
}

void TelegramSender::forget(int64_t outbox_id) {
  std::lock_guard<std::mutex> lock(mu_);
  progress_.erase(outbox_id);
}

std::string TelegramSender::scrub(std::string text) const {
  const std::string& token = channel_.bot_token;
  if (token.empty()) return text;
  for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
    text.replace(at, token.size(), "<bot token>");
  }
  return text;
}

}  // namespace gw

// TelegramSender: sends outbox items of a Telegram channel through the Bot
// API's sendMessage, as plain text without link previews.
//
// Telegram takes at most 4096 UTF-16 code units a message, so a longer body is
// split (split_telegram_text: at a paragraph, line or space) and its parts are
// sent in order, one sendMessage each. The outcome of send() is the outcome of
// the first part Telegram did not accept, or, when all were accepted, kAccepted
// with provider_id = the message_id of the last part. segments is always 0.
//
// A retry in the middle of a split message (part 1 of 3 accepted, part 2
// answered 429 or 5xx): the sender remembers, per outbox item, how many parts
// Telegram already accepted, and the next attempt at the same item resumes
// with the first part not yet accepted, so the person does not get part 1
// twice. That memory is in this process only and bounded (kMaxRemembered
// items; the oldest are forgotten first). So part 1 IS sent again — a known
// duplicate window, like the outbox's own (outbox_worker.h) — when:
//   - the process restarted between the attempts, or another instance sharing
//     the store made the retry;
//   - more than kMaxRemembered items were mid-retry at once;
//   - Telegram accepted a part but its answer was lost (a timeout): that part
//     is resent, as for any single message.
// Resuming was chosen over "always resend from part 1" because the likeliest
// cause of a mid-message retry is Telegram's own flood limit (429) hit by the
// parts sent back to back; resending from part 1 would then duplicate
// on every such retry.
//
// A permanent refusal of a later part (e.g. 403: the person blocked the bot
// after part 1) fails the item; the parts already delivered stay delivered.
// An empty body is refused (kPermanent) without calling Telegram, which would
// refuse it too.
//
// The chat id is item.address (the decimal chat id the webhook stored). The
// bot token sits in the request URL: no URL is logged, and the token is
// scrubbed from SendOutcome::error as a last line of defence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "gateway/channels/channel_sender.h"
#include "gateway/config/config.h"
#include "gateway/core/http_client.h"

namespace gw {

class TelegramSender final : public ChannelSender {
 public:
  static constexpr size_t kMaxUnits = 4096;       // UTF-16 code units per Telegram message
  static constexpr size_t kMaxRemembered = 1024;  // items whose partial progress is kept

  // `http` must outlive the sender.
  TelegramSender(ChannelConfig channel, HttpClient& http);

  const std::string& channel_id() const override { return channel_.id; }
  // Thread-safe; attempts at the same item must not overlap (the outbox's
  // lease guarantees that).
  SendOutcome send(const OutboxItem& item, const Contact& contact) override;

  // Outbox items with parts accepted but not all of them (for tests and metrics).
  size_t items_in_progress() const;

 private:
  // Parts of one item Telegram accepted so far. The item is identified by its
  // outbox id, its message id and a hash of its body, so a reused id with a new
  // body starts from part 1.
  struct Progress {
    int64_t message_id = 0;
    size_t body_hash = 0;
    size_t parts_total = 0;
    size_t parts_accepted = 0;
  };

  size_t resume_point(const OutboxItem& item, size_t body_hash, size_t parts_total);
  void remember(const OutboxItem& item, size_t body_hash, size_t parts_total, size_t parts_accepted);
  void forget(int64_t outbox_id);
  std::string scrub(std::string text) const;

  ChannelConfig channel_;
  HttpClient& http_;
  mutable std::mutex mu_;
  std::map<int64_t, Progress> progress_;  // by outbox id; guarded by mu_
};

}  // namespace gw

// OutboxWorker: moves one channel's outbox items to its provider.
//
// Each pass claims the due items (the store leases them, keeps the order
// within a conversation and hands an item whose worker died to the next pass),
// waits as the channel's rate limit asks, and sends. Then:
// - accepted:  recorded as sent with the provider id and segment count;
// - retry:     due again after max(Retry-After, full-jitter backoff); given up
//              after BackoffPolicy::max_attempts attempts;
// - permanent: failed with the provider's code; Twilio 21610 (the person
//              texted STOP to the carrier) marks the contact opted out.
// Nothing is sent to a contact who has opted out, except the answer to a crisis
// word (crisis.numbers, crisis.restart), which Conversations queues after an
// opt-out only on channels that still deliver (Telegram, WhatsApp; not SMS).
//
// Duplicates: the item is marked sent only after the provider answered. A crash
// (or a lost answer) between the provider accepting and that record leaves the
// item leased; when the lease expires it is sent again. That window is the only
// source of a duplicate send; the README says so.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "gateway/channels/channel_sender.h"
#include "gateway/core/backoff.h"
#include "gateway/core/clock.h"
#include "gateway/messages/opt_out.h"
#include "gateway/store/store.h"

namespace gw {

struct OutboxWorkerOptions {
  int batch = 10;        // items claimed per pass
  Millis lease{120000};  // an item claimed by a worker that died is retried after this
  BackoffPolicy backoff;
  double max_per_second = 1.0;  // the channel's sending rate
};

// Counts for /metrics, called after each outcome.
struct OutboxObserver {
  std::function<void(const std::string& channel, int segments)> sent;
  std::function<void(const std::string& channel, const std::string& outcome)> outcome;  // retry, failed
};

class OutboxWorker {
 public:
  OutboxWorker(Store& store, Clock& clock, ChannelSender& sender, OutboxWorkerOptions options,
               UnitRandom random, OutboxObserver observer = {});

  // One pass. Returns how many items it handled (any outcome), or an Error from
  // the store. Safe to call from one thread at a time per worker; several
  // workers (processes) may share a store.
  // Once a stop is requested, the pass ends after the item in hand (at most one
  // send and one rate-limit wait later): the items it claimed but did not try
  // are given back (Store::release_outbox), so they are due at once for the
  // next worker instead of waiting for their lease to expire.
  Result<int> run_once();

  // Thread-safe; stays requested until clear_stop().
  void request_stop() { stopping_.store(true); }
  void clear_stop() { stopping_.store(false); }
  bool stop_requested() const { return stopping_.load(); }

 private:
  // False when it gave the item back because a stop was requested.
  bool handle(const OutboxItem& item);
  void release(const OutboxItem& item);
  // How long to wait before the next send: the pace the store keeps for the
  // channel across instances (Store::reserve_send_slot) when it keeps one, else
  // this worker's own limiter. A store that cannot answer falls back to the
  // limiter (and says so in the log).
  Millis pace(const std::string& channel);
  // Logs a failed record of `item`'s outcome (`what`: which one); nothing when `s` is ok.
  void record(const Status& s, const char* what, const OutboxItem& item);

  Store& store_;
  Clock& clock_;
  ChannelSender& sender_;
  OutboxWorkerOptions options_;
  UnitRandom random_;
  OutboxObserver observer_;
  RateLimiter limiter_;
  std::atomic<bool> stopping_{false};
};

}  // namespace gw

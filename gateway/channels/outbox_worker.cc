#include "gateway/channels/outbox_worker.h"

#include <algorithm>

#include "gateway/core/log.h"

namespace gw {

OutboxWorker::OutboxWorker(Store& store, Clock& clock, ChannelSender& sender, OutboxWorkerOptions options,
                           UnitRandom random, OutboxObserver observer)
    : store_(store),
      clock_(clock),
      sender_(sender),
      options_(options),
      random_(std::move(random)),
      observer_(std::move(observer)),
      limiter_(options.max_per_second, std::max(1.0, options.max_per_second), clock) {}

Result<int> OutboxWorker::run_once() {
  if (stop_requested()) return 0;
  auto items = store_.claim_due_outbox(sender_.channel_id(), clock_.now(), options_.batch, options_.lease);
  if (!items) return items.error();
  int handled = 0;
  for (size_t i = 0; i < items->size(); ++i) {
    if (stop_requested() || !handle((*items)[i])) {
      for (size_t j = i; j < items->size(); ++j) release((*items)[j]);
      break;
    }
    ++handled;
  }
  return handled;
}

void OutboxWorker::record(const Status& s, const char* what, const OutboxItem& item) {
  if (s) return;
  // Ids and the error's code and text only (store errors carry no address or body).
  log::error("outbox.record_failed", {{"channel", sender_.channel_id()},
                                      {"outbox_id", item.id},
                                      {"record", what},
                                      {"error", s.error().to_string()}});
}

void OutboxWorker::release(const OutboxItem& item) {
  if (auto s = store_.release_outbox(item.id, clock_.now()); !s && s.error().code != ErrorCode::kNotFound) {
    // Not fatal: the lease expires and the item is sent then.
    log::warn("outbox.release_failed",
              {{"channel", sender_.channel_id()}, {"outbox_id", item.id}, {"error", s.error().to_string()}});
  }
}

Millis OutboxWorker::pace(const std::string& channel) {
  auto shared = store_.reserve_send_slot(channel, options_.max_per_second);
  if (shared && *shared) return **shared;
  if (!shared)
    log::warn("outbox.pace_unshared", {{"channel", channel}, {"error", shared.error().to_string()}});
  return limiter_.reserve();
}

bool OutboxWorker::handle(const OutboxItem& item) {
  const std::string& channel = sender_.channel_id();
  auto contact = store_.get_contact(item.contact_id);
  if (!contact) {
    // Erased while queued: the outbox row went with it; nothing to send.
    // Anything else: the lease expires and the item is tried again.
    if (contact.error().code != ErrorCode::kNotFound) record(contact.error(), "read_contact", item);
    return true;
  }
  if (contact->opted_out && !sent_despite_opt_out(item.template_key)) {
    record(store_.mark_outbox_failed(item.id, std::nullopt, "the contact has opted out", clock_.now()),
           "failed_opted_out", item);
    if (observer_.outcome) observer_.outcome(channel, "opted_out");
    return true;
  }

  const Millis wait = pace(channel);
  if (wait.count() > 0) clock_.sleep_for(wait);
  if (stop_requested()) return false;  // the slot reserved is lost; stopping anyway

  const SendOutcome out = sender_.send(item, *contact);
  const TimePoint now = clock_.now();
  switch (out.kind) {
    case SendOutcome::Kind::kAccepted: {
      record(store_.mark_outbox_sent(item.id, out.provider_id, out.segments, now), "sent", item);
      if (observer_.sent) observer_.sent(channel, out.segments);
      log::info("outbox.sent", {{"channel", channel},
                                {"outbox_id", item.id},
                                {"attempt", item.attempts},
                                {"segments", out.segments}});
      return true;
    }
    case SendOutcome::Kind::kRetry: {
      if (item.attempts >= options_.backoff.max_attempts) {
        record(store_.mark_outbox_failed(
                   item.id, out.error_code,
                   "gave up after " + std::to_string(item.attempts) + " attempts: " + out.error, now),
               "failed_gave_up", item);
        if (observer_.outcome) observer_.outcome(channel, "failed");
        log::warn("outbox.gave_up",
                  {{"channel", channel}, {"outbox_id", item.id}, {"attempts", item.attempts}});
        return true;
      }
      Millis delay = full_jitter_delay(options_.backoff, item.attempts - 1, random_());
      if (out.retry_after) delay = std::max(delay, *out.retry_after);
      record(store_.mark_outbox_retry(item.id, now + delay, out.error, now), "retry", item);
      if (observer_.outcome) observer_.outcome(channel, "retry");
      log::info("outbox.retry", {{"channel", channel},
                                 {"outbox_id", item.id},
                                 {"attempt", item.attempts},
                                 {"delay_ms", delay.count()},
                                 {"error", out.error}});
      return true;
    }
    case SendOutcome::Kind::kHeld: {
      record(store_.mark_outbox_held(item.id, out.error, now), "held", item);
      if (observer_.outcome) observer_.outcome(channel, "held");
      log::info("outbox.held", {{"channel", channel}, {"outbox_id", item.id}, {"reason", out.error}});
      return true;
    }
    case SendOutcome::Kind::kPermanent: {
      record(store_.mark_outbox_failed(item.id, out.error_code, out.error, now), "failed", item);
      if (out.recipient_opted_out) {
        // Only the opt-out: the contact read before the send may be stale by now
        // (the person changed their language meanwhile).
        Status opted_out = store_.mark_contact_opted_out(item.contact_id, now);
        record(opted_out, "contact_opted_out", item);
        if (opted_out)
          log::info("contact.opted_out", {{"contact_id", item.contact_id}, {"source", "provider"}});
      }
      if (observer_.outcome) observer_.outcome(channel, "failed");
      log::warn("outbox.failed", {{"channel", channel},
                                  {"outbox_id", item.id},
                                  {"code", out.error_code ? *out.error_code : 0},
                                  {"error", out.error}});
      return true;
    }
  }
  return true;
}

}  // namespace gw

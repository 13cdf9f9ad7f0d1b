// Conversations' intake side: accept() for the webhooks, handle_queued() for
// the IntakeWorker (see conversations.h).
#include <algorithm>
#include <set>

#include "gateway/conversations/conversations.h"
#include "gateway/core/log.h"

namespace gw {

Status Conversations::accept(const InboundMessage& in) {
  if (!intake_) return Error::unavailable("no intake to store the message in");
  if (in.provider_id.empty())
    return Error::invalid("an inbound message without a provider id cannot be queued");
  if (Status s = intake_->queue(in.channel_id, in.provider_id, in.from, serialize_inbound(in), clock_.now());
      !s) {
    return s;
  }
  if (intake_ready_) intake_ready_();
  return {};
}

Result<IntakeBatch> Conversations::handle_queued(int limit) {
  if (!intake_) return Error::unavailable("no intake to handle messages from");
  const TimePoint now = clock_.now();
  auto due = intake_->due(now, limit);
  if (!due) return due.error();
  IntakeBatch batch;
  batch.more = static_cast<int>(due->size()) == limit;
  if (due->empty()) return batch;
  // One content version for the whole batch.
  const std::shared_ptr<const Speech> speech = this->speech();

  std::vector<std::optional<InboundMessage>> messages(due->size());
  std::vector<Error> unreadable(due->size(), Error::internal(""));
  for (size_t i = 0; i < due->size(); ++i) {
    const QueuedInbound& q = (*due)[i];
    if (!q.error.empty()) {
      unreadable[i] = Error::internal(q.error);
      continue;
    }
    auto in = deserialize_inbound(q.payload);
    if (in)
      messages[i] = std::move(*in);
    else
      unreadable[i] = in.error();
  }

  std::vector<int64_t> handled;
  std::vector<Intake::Deferral> deferred;
  std::set<std::string> failed_senders;  // whose later messages wait
  // In rounds: a round takes the first waiting message of each sender, so that
  // each decision reads what the sender's previous message wrote.
  std::vector<size_t> waiting(due->size());
  for (size_t i = 0; i < waiting.size(); ++i) waiting[i] = i;
  Status failure;
  while (!waiting.empty() && failure) {
    std::vector<size_t> round;
    std::vector<size_t> later;
    std::set<std::string> in_round;
    for (size_t i : waiting) {
      const std::string& sender = (*due)[i].sender_key;
      if (!sender.empty() && failed_senders.count(sender)) {
        ++batch.held;  // left as it is: due() holds it back until the failed one is handled
        continue;
      }
      if (!sender.empty() && !in_round.insert(sender).second) {
        later.push_back(i);
        continue;
      }
      round.push_back(i);
    }
    waiting = std::move(later);

    std::vector<Pending> pending(round.size());
    std::vector<Pending*> readable;
    for (size_t k = 0; k < round.size(); ++k) {
      pending[k].speech = speech;
      if (messages[round[k]]) {
        pending[k].in = &*messages[round[k]];
        readable.push_back(&pending[k]);
      }
    }
    // Read and decide without holding the store; then write the round at once.
    if (Status s = prepare(readable, now); !s) {
      failure = s;
      break;
    }
    std::vector<HandledInbound> round_handled;
    std::vector<int64_t> round_ids;
    std::vector<Intake::Deferral> round_deferred;
    std::vector<Pending*> round_done;
    std::vector<std::pair<size_t, Error>> round_failed;
    Status s = store_.in_transaction([&]() -> Status {
      round_handled.clear();
      round_ids.clear();
      round_done.clear();
      round_failed.clear();
      for (size_t k = 0; k < round.size(); ++k) {
        const QueuedInbound& q = (*due)[round[k]];
        Result<ReceiveResult> result = unreadable[round[k]];
        if (pending[k].in) {
          Status item = store_.in_transaction([&]() -> Status {
            result = apply_plan(pending[k], now);
            return result ? Status() : Status(result.error());
          });
          if (!item) result = item.error();
        }
        if (result) {
          round_ids.push_back(q.id);
          round_handled.push_back({q.channel_id, std::move(*result)});
          round_done.push_back(&pending[k]);
          continue;
        }
        if (store_failure(result.error())) return result.error();
        round_failed.emplace_back(round[k], result.error());
      }
      return {};
    });
    if (!s) {
      failure = s;
      break;
    }
    // Committed: the log lines, and what failed waits for its retry.
    for (Pending* p : round_done) {
      for (const auto& line : p->plan.logs) line(p->plan.result);
    }
    handled.insert(handled.end(), round_ids.begin(), round_ids.end());
    for (HandledInbound& h : round_handled) batch.handled.push_back(std::move(h));
    for (const auto& [i, error] : round_failed) {
      const QueuedInbound& q = (*due)[i];
      if (!q.sender_key.empty()) failed_senders.insert(q.sender_key);
      const int attempts = q.attempts + 1;
      const bool dead = attempts >= intake_retry_.max_attempts;
      const char* kind = error_code_name(error.code);
      log::error(dead ? "intake.dead_letter" : "intake.failed", {{"channel", q.channel_id},
                                                                 {"queued_id", q.id},
                                                                 {"attempts", attempts},
                                                                 {"error_kind", kind},
                                                                 {"error", error.to_string()}});
      deferred.push_back(
          {q.id, now + exponential_delay(intake_retry_, q.attempts), error.to_string(), kind, dead});
    }
  }
  if (!failure && handled.empty() && deferred.empty()) return failure.error();
  batch.deferred = static_cast<int>(deferred.size());
  batch.dead_lettered =
      static_cast<int>(std::count_if(deferred.begin(), deferred.end(), [](const auto& d) { return d.dead; }));
  // The Store has committed. Should this fail, the messages are handed over
  // again later and recognised as already stored.
  if (Status f = intake_->finish(handled, deferred, now); !f) {
    log::error("intake.finish_failed", {{"error", f.error().to_string()}});
  }
  for (const HandledInbound& h : batch.handled) after_commit(h.channel_id, h.result);
  if (!failure) return failure.error();  // the earlier rounds are kept; the rest stays queued
  return batch;
}

}  // namespace gw

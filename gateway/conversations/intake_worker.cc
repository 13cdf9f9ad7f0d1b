#include "gateway/conversations/intake_worker.h"

#include "gateway/core/log.h"

namespace gw {

IntakeWorker::IntakeWorker(Conversations& conversations, Clock& clock,
                           std::function<void(const HandledInbound&)> on_handled, int batch_size)
    : conversations_(conversations),
      on_handled_(std::move(on_handled)),
      batch_size_(batch_size),
      worker_("intake", clock, std::chrono::seconds(1), [this] { run_once(); }) {}

void IntakeWorker::run_once() {
  auto batch = conversations_.handle_queued(batch_size_);
  if (!batch) {
    log::warn("intake.batch_failed", {{"error", batch.error().to_string()}});
    return;  // tried again at the next tick
  }
  if (on_handled_) {
    for (const HandledInbound& h : batch->handled) on_handled_(h);
  }
  // A full batch: the next one runs at once (after a look at stop()).
  if (batch->more) worker_.wake();
}

}  // namespace gw

// IntakeWorker: the thread that handles what the webhooks put in the intake
// (Conversations::accept), a batch at a time, as soon as it is woken and at
// least every second (for messages deferred after a failure, or left queued by
// a stop or a crash). One thread, so each conversation's messages are handled
// in the order they arrived. stop() lets the batch in progress finish; what is
// still queued stays in the store for the next start.
#pragma once

#include <functional>

#include "gateway/conversations/conversations.h"
#include "gateway/core/periodic_worker.h"

namespace gw {

class IntakeWorker {
 public:
  // `on_handled` (may be empty) is called for each message handled, after its commit.
  // The tick is measured on `clock`; no thread runs before start().
  IntakeWorker(Conversations& conversations, Clock& clock,
               std::function<void(const HandledInbound&)> on_handled, int batch_size = 128);
  IntakeWorker(const IntakeWorker&) = delete;
  IntakeWorker& operator=(const IntakeWorker&) = delete;

  void start() { worker_.start(); }
  void stop() { worker_.stop(); }
  void wake() { worker_.wake(); }

 private:
  void run_once();

  Conversations& conversations_;
  std::function<void(const HandledInbound&)> on_handled_;
  int batch_size_;
  PeriodicWorker worker_;
};

}  // namespace gw

// Driving an OutboxWorker pass by pass from a test, and reading back what it
// recorded of each message.
#pragma once

#include <catch2/catch.hpp>
#include <cstddef>

#include "gateway/channels/outbox_worker.h"
#include "gateway/store/store.h"

namespace gw::testing {

// Runs one pass of `worker`. REQUIRES it to succeed; returns how many items it took.
inline int run_pass(OutboxWorker& worker) {
  auto n = worker.run_once();
  REQUIRE(n.ok());
  return *n;
}

// The `index`-th message (0 first) of `conv` as `store` holds it. REQUIRES it to exist.
inline Message message_at(Store& store, const Conversation& conv, size_t index) {
  auto msgs = store.list_messages(conv.id);
  REQUIRE(msgs.ok());
  REQUIRE(msgs->size() > index);
  return (*msgs)[index];
}

}  // namespace gw::testing

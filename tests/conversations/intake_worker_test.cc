// IntakeWorker on a real thread and the fixture's FakeClock: what accept()
// queues is handled soon after, and once stopped it handles nothing more.
#include "gateway/conversations/intake_worker.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/intake.h"
#include "tests/store/store_fixture.h"
#include "tests/support/inbound_sms.h"

using namespace std::chrono_literals;

namespace {

struct WorkerFixture : gw::testing::StoreFixture {
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Conversations conversations{*store, clock, catalog};
  std::unique_ptr<gw::Intake> intake = *gw::open_sqlite_intake(":memory:", crypto, clock);
  std::mutex mu;
  std::vector<std::string> handled_channels;  // guarded by mu
  gw::testing::InboundSms sms;                // sms("text"), sms("text", from)
  // Last, so that it stops before what it uses goes away.
  gw::IntakeWorker worker{conversations, clock, [this](const gw::HandledInbound& h) {
                            std::lock_guard<std::mutex> lock(mu);
                            handled_channels.push_back(h.channel_id);
                          }};

  WorkerFixture() {
    conversations.set_intake(intake.get(), [this] { worker.wake(); });
  }
  ~WorkerFixture() { worker.stop(); }

  size_t handled_count() {
    std::lock_guard<std::mutex> lock(mu);
    return handled_channels.size();
  }
  int64_t depth() {
    auto d = intake->depth();
    REQUIRE(d.ok());
    return *d;
  }
  size_t inbound_stored() {
    auto c = store->find_contact("uk-sms", "+447700900123");
    REQUIRE(c.ok());
    if (!c->has_value()) return 0;
    auto conv = store->open_or_get_conversation((*c)->id, "uk-sms", clock.now());
    REQUIRE(conv.ok());
    auto all = store->list_messages(conv->id);
    REQUIRE(all.ok());
    size_t n = 0;
    for (const auto& m : *all) n += m.direction == "in" ? 1 : 0;
    return n;
  }
};

// Polls `done` until it holds or `limit` has passed.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

}  // namespace

TEST_CASE("the intake worker handles what accept queued and stops handling once stopped",
          "[intake][conversations]") {
  WorkerFixture f;
  f.worker.start();
  for (const char* body : {"one", "two", "three"}) {
    auto r = f.conversations.accept(f.sms(body));
    REQUIRE(r.ok());
  }
  REQUIRE(eventually([&] { return f.handled_count() == 3 && f.depth() == 0; }));
  CHECK(f.inbound_stored() == 3);
  CHECK(*f.store->outbox_depth() == 3);
  {
    std::lock_guard<std::mutex> lock(f.mu);
    CHECK(f.handled_channels == std::vector<std::string>{"uk-sms", "uk-sms", "uk-sms"});
  }

  f.worker.stop();                // returns: the thread has exited
  CHECK(f.clock.waiting() == 0);  // a thread still running would be waiting for its next tick
  const uint64_t waits = f.clock.waits();
  auto late = f.conversations.accept(f.sms("after stop"));
  REQUIRE(late.ok());
  f.clock.advance(2s);  // past the worker's 1 s tick
  CHECK(f.clock.waits() == waits);
  CHECK(f.depth() == 1);
  CHECK(f.handled_count() == 3);
  CHECK(f.inbound_stored() == 3);
}

TEST_CASE("the intake worker works through more than one batch without waiting for its tick",
          "[intake][conversations]") {
  // 10 messages and batches of 3: a full batch asks for the next at once, so
  // all are handled without the fake clock's time moving (no 1 s tick passes).
  WorkerFixture f;
  gw::IntakeWorker small(f.conversations, f.clock, nullptr, /*batch_size=*/3);
  for (int i = 0; i < 10; ++i) {
    auto r = f.conversations.accept(f.sms("message " + std::to_string(i)));
    REQUIRE(r.ok());
  }
  const auto started = f.clock.now();
  small.start();
  REQUIRE(eventually([&] { return f.depth() == 0; }));
  small.stop();
  CHECK(f.clock.now() == started);
  CHECK(f.inbound_stored() == 10);
}

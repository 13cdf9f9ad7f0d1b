// Stopping the outbox senders with a backlog: they stop between items, give
// back what they claimed and did not try, and do not wait for the backlog.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "gateway/channels/channel_workers.h"
#include "gateway/channels/outbox_worker.h"
#include "gateway/content/template_catalog.h"
#include "tests/store/store_fixture.h"
#include "tests/support/channel_configs.h"
#include "tests/support/fake_http_client.h"

using gw::SendOutcome;
using namespace std::chrono_literals;

namespace {

// Accepts every send; asks its worker to stop after `stop_after` sends.
class StoppingSender final : public gw::ChannelSender {
 public:
  const std::string& channel_id() const override { return id_; }
  SendOutcome send(const gw::OutboxItem&, const gw::Contact&) override {
    ++sends;
    if (sends == stop_after && worker) worker->request_stop();
    SendOutcome ok;
    ok.kind = SendOutcome::Kind::kAccepted;
    ok.provider_id = "SM" + std::to_string(sends);
    ok.segments = 1;
    return ok;
  }
  int sends = 0;
  int stop_after = 0;
  gw::OutboxWorker* worker = nullptr;

 private:
  std::string id_ = "uk-sms";
};

// `n` contacts with one queued reply each, due at `due`, all on `channel`.
void queue_backlog(gw::testing::StoreFixture& f, int n, gw::TimePoint due, const std::string& channel) {
  gw::Status st = f.store->in_transaction([&]() -> gw::Status {
    for (int i = 0; i < n; ++i) {
      auto c = f.store->upsert_contact(channel, "+4477009" + std::to_string(10000 + i), f.clock.now());
      if (!c) return c.error();
      auto conv = f.store->open_or_get_conversation(c->id, channel, f.clock.now());
      if (!conv) return conv.error();
      if (auto id = f.store->enqueue_outbound(f.message(*conv, "reply"), due); !id) return id.error();
    }
    return {};
  });
  REQUIRE(st.ok());
}

}  // namespace

TEST_CASE("an outbox pass asked to stop returns after the item in hand and gives the rest back", "[outbox][contract]") {
  gw::testing::StoreFixture f;
  queue_backlog(f, 10, f.clock.now(), "uk-sms");
  StoppingSender sender;
  gw::OutboxWorkerOptions options;
  options.batch = 10;
  options.max_per_second = 1000;
  gw::OutboxWorker worker(*f.store, f.clock, sender, options, [] { return 0.5; });
  sender.worker = &worker;
  sender.stop_after = 3;

  auto n = worker.run_once();
  REQUIRE(n.ok());
  CHECK(*n == 3);
  CHECK(sender.sends == 3);
  // A stopped worker claims nothing more.
  auto again = worker.run_once();
  REQUIRE(again.ok());
  CHECK(*again == 0);
  CHECK(sender.sends == 3);

  // The 7 not tried are due at once (no lease to wait out), their claim not counted.
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 100, 60s);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 7);
  for (const auto& item : *claimed) CHECK(item.attempts == 1);
  auto depth = f.store->outbox_depth();
  REQUIRE(depth.ok());
  CHECK(*depth == 7);

  // After clear_stop() it works again.
  worker.clear_stop();
  for (const auto& item : *claimed) REQUIRE(f.store->release_outbox(item.id, f.clock.now()).ok());
  sender.stop_after = 0;
  auto rest = worker.run_once();
  REQUIRE(rest.ok());
  CHECK(*rest == 7);
  CHECK(sender.sends == 10);
}

TEST_CASE("release_outbox only gives back an item that is being sent", "[outbox][contract]") {
  gw::testing::StoreFixture f;
  queue_backlog(f, 1, f.clock.now(), "uk-sms");
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 1, 60s);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  const int64_t id = (*claimed)[0].id;
  REQUIRE(f.store->mark_outbox_sent(id, "SM1", 1, f.clock.now()).ok());
  REQUIRE(f.store->release_outbox(id, f.clock.now()).ok());  // a no-op on a sent item
  auto depth = f.store->outbox_depth();
  REQUIRE(depth.ok());
  CHECK(*depth == 0);
  auto missing = f.store->release_outbox(id + 1000, f.clock.now());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == gw::ErrorCode::kNotFound);
}

TEST_CASE("leases left by a dead process end at the next start: its items are claimable at once",
          "[outbox][contract]") {
  gw::testing::StoreFixture f;
  queue_backlog(f, 3, f.clock.now(), "uk-sms");
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 3, 60s);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 3);
  REQUIRE(f.store->mark_outbox_sent((*claimed)[2].id, "SM1", 1, f.clock.now()).ok());
  // The process dies here; a new one starts a second later.
  f.clock.advance(1s);
  auto before = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 60s);
  REQUIRE(before.ok());
  CHECK(before->empty());  // without ending the leases, nothing for a minute
  auto ended = f.store->end_leases_of_previous_process(f.clock.now());
  REQUIRE(ended.ok());
  CHECK(*ended == 2);
  auto again = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 60s);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 2);
  CHECK((*again)[0].attempts == 2);  // the first attempt may have reached the provider
  auto ended_twice = f.store->end_leases_of_previous_process(f.clock.now());
  REQUIRE(ended_twice.ok());
  CHECK(*ended_twice == 2);  // the new claims' leases, were it called again (it is not)
}

TEST_CASE("channel workers with a large backlog stop within a bounded time", "[outbox]") {
  // Given 300 replies queued on a channel sending 50 a second (6 s of backlog,
  // in batches of 50), then stop() returns in well under a second once sending
  // has begun, and every reply not tried is due again at once.
  gw::testing::StoreFixture f;
  gw::SystemClock clock;
  queue_backlog(f, 300, clock.now(), "uk-sms");

  gw::Config config;
  config.public_url = "http://127.0.0.1:9";
  gw::ChannelConfig ch = gw::testing::twilio_channel();
  ch.max_per_second = 50;
  config.channels.push_back(ch);
  gw::TemplateCatalog catalog;
  gw::testing::FakeHttpClient http;  // answers 200: accepted
  gw::ChannelWorkers workers(config, catalog, *f.store, clock, http, nullptr);
  workers.start();
  for (int i = 0; i < 500 && http.request_count() < 5; ++i) std::this_thread::sleep_for(2ms);
  REQUIRE(http.request_count() >= 5);

  const auto t0 = std::chrono::steady_clock::now();
  workers.stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < 500ms);

  const size_t attempted = http.request_count();
  CHECK(attempted < 300);
  auto claimed = f.store->claim_due_outbox("uk-sms", clock.now(), 1000, 60s);
  REQUIRE(claimed.ok());
  CHECK(claimed->size() == 300 - attempted);
}

TEST_CASE("two sends accepted without a provider id are both recorded sent", "[outbox][contract]") {
  gw::testing::StoreFixture f;
  queue_backlog(f, 2, f.clock.now(), "uk-sms");
  auto claimed = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, 60s);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 2);
  for (const auto& item : *claimed) REQUIRE(f.store->mark_outbox_sent(item.id, "", 1, f.clock.now()).ok());
  auto depth = f.store->outbox_depth();
  REQUIRE(depth.ok());
  CHECK(*depth == 0);
}

// The PostgreSQL intake against a real server (GATEWAY_TEST_PG_URL; without it
// each test says so and passes): the SQLite intake's behaviour, and what several
// instances need — due() claims, one message of a person in hand at a time,
// leases that run out when an instance dies and that renewal keeps.
#include "gateway/store/postgres/pg_intake.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/postgres/pg_connection.h"
#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::QueuedInbound;
using gw::pg::PgIntake;
using namespace std::chrono_literals;

namespace {

#define PG_INTAKE_OR_SKIP()                                                             \
  if (!gw::testing::test_pg_url()) {                                                    \
    WARN("GATEWAY_TEST_PG_URL is not set: skipped (scripts/pg-test-cluster.sh start)"); \
    return;                                                                             \
  }

constexpr auto kLease = 30s;

// A schema of the test's own with the store's tables (the store migrates), and
// an intake on it as instance "a".
struct PgIntakeFixture {
  gw::testing::FakeClock clock;
  gw::Crypto crypto = gw::testing::make_test_crypto();
  gw::testing::PgTestSchema schema;
  std::unique_ptr<gw::Store> store;  // applied the schema
  std::unique_ptr<PgIntake> intake;

  PgIntakeFixture() {
    gw::PostgresOptions options;
    options.url = schema.url();
    auto s = gw::open_postgres_store(options, crypto, clock);
    INFO((s.ok() ? std::string() : s.error().to_string()));
    REQUIRE(s.ok());
    store = std::move(*s);
    intake = open("a");
  }
  ~PgIntakeFixture() {
    if (intake) (void)intake->close();
    intake.reset();
    store.reset();
  }

  std::unique_ptr<PgIntake> open(const std::string& instance, const gw::Crypto* with = nullptr) {
    gw::PostgresOptions options;
    options.url = schema.url();
    options.instance_id = instance;
    auto r = PgIntake::open(options, with ? *with : crypto, clock, kLease);
    INFO((r.ok() ? std::string() : r.error().to_string()));
    REQUIRE(r.ok());
    return std::move(*r);
  }

  void queue(const std::string& provider_id, const std::string& payload, const std::string& sender,
             const std::string& channel = "uk-sms") {
    REQUIRE(intake->queue(channel, provider_id, sender, payload, clock.now()).ok());
  }

  static std::vector<QueuedInbound> due(PgIntake& from, gw::TimePoint at, int limit = 100) {
    auto r = from.due(at, limit);
    INFO((r.ok() ? std::string() : r.error().to_string()));
    REQUIRE(r.ok());
    return *r;
  }
  std::vector<QueuedInbound> due(gw::TimePoint at, int limit = 100) { return due(*intake, at, limit); }

  int64_t depth() {
    auto r = intake->depth();
    REQUIRE(r.ok());
    return *r;
  }
};

std::vector<std::string> payloads(const std::vector<QueuedInbound>& qs) {
  std::vector<std::string> out;
  for (const auto& q : qs) out.push_back(q.payload);
  return out;
}

// The lease_until of message `id` as stored (Unix ms), -1 when NULL.
int64_t lease_until_of(const std::string& url, int64_t id) {
  auto c = gw::pg::Connection::connect(url);
  REQUIRE(c.ok());
  auto v = c->query_one(
      "SELECT COALESCE(lease_until, -1) FROM inbound_queue WHERE id = $1",
      [](const gw::pg::PgRow& r) { return r.int64(0); }, id);
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  return **v;
}

}  // namespace

TEST_CASE("postgres intake: due claims the oldest message of each person, once, and finish takes it out",
          "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  PgIntakeFixture f;
  const gw::TimePoint t0 = f.clock.now();
  f.queue("SMc", "p1 first", "+447700900001");
  f.clock.advance(5ms);
  f.queue("SMb", "p2", "+447700900002");
  f.queue("SMa", "p1 second", "+447700900001");
  f.queue("SMa", "p1 again on telegram", "+447700900001", "tg");
  CHECK(f.depth() == 4);

  // Not yet due: queued after `at`.
  auto at_t0 = f.due(t0);
  REQUIRE(payloads(at_t0) == std::vector<std::string>{"p1 first"});
  CHECK(at_t0[0].received_at == t0);
  CHECK(at_t0[0].attempts == 0);
  CHECK(at_t0[0].provider_id == "SMc");
  CHECK(at_t0[0].error.empty());
  CHECK_FALSE(at_t0[0].sender_key.empty());
  CHECK(at_t0[0].sender_key.find("447700900001") == std::string::npos);

  // Claimed by "a": another instance does not get it; "p1 second" waits behind
  // it; the same number on another channel is another person.
  const gw::TimePoint now = f.clock.now();
  auto b = f.open("b");
  auto rest = f.due(*b, now);
  REQUIRE(payloads(rest) == (std::vector<std::string>{"p2", "p1 again on telegram"}));
  CHECK(rest[0].received_at == t0 + 5ms);
  CHECK(rest[0].sender_key != at_t0[0].sender_key);
  CHECK(rest[1].sender_key != at_t0[0].sender_key);
  CHECK(payloads(f.due(*b, now)) == payloads(rest));  // b's own in hand, again; nothing of a's
  // "a" asking again means its handling failed before finish(): it gets its own
  // message back (never b's), as SQLite's intake hands a message over again.
  auto again = f.due(now);
  REQUIRE(payloads(again) == std::vector<std::string>{"p1 first"});
  CHECK(again[0].id == at_t0[0].id);
  CHECK(f.depth() == 4);  // in hand, still queued

  REQUIRE(f.intake->finish({at_t0[0].id, rest[0].id}, {}, now).ok());
  CHECK(f.intake->finish({}, {}, now).ok());  // nothing to do
  CHECK(f.depth() == 2);
  auto next = f.due(now);
  REQUIRE(payloads(next) == std::vector<std::string>{"p1 second"});
  CHECK(next[0].provider_id == "SMa");
  CHECK(next[0].id > at_t0[0].id);

  // The limit: one of the two now claimable.
  REQUIRE(f.intake->finish({next[0].id, rest[1].id}, {}, now).ok());
  f.queue("SM1", "x", "+447700900003");
  f.queue("SM2", "y", "+447700900004");
  auto one = f.due(now, 1);
  REQUIRE(payloads(one) == std::vector<std::string>{"x"});
  CHECK(f.due(now, 0).empty());
  // "x" is in a's hand already: asked again, a gets it back with "y".
  CHECK(payloads(f.due(now)) == (std::vector<std::string>{"x", "y"}));
}

TEST_CASE(
    "postgres intake: a deferred message comes back at its time with its lease cleared, its person's "
    "later messages held behind it, other people's not",
    "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  PgIntakeFixture f;
  f.queue("SM1", "p1 first", "+447700900001");
  f.queue("SM2", "p1 second", "+447700900001");
  f.queue("SM3", "p2", "+447700900002");
  const gw::TimePoint now = f.clock.now();
  auto all = f.due(now);
  REQUIRE(payloads(all) == (std::vector<std::string>{"p1 first", "p2"}));

  // "p1 first" failed and waits 2 s (less than the lease: it is free again at its time).
  REQUIRE(f.intake->finish({all[1].id}, {{all[0].id, now + 2s, "boom", "internal"}}, now).ok());
  CHECK(lease_until_of(f.schema.url(), all[0].id) == -1);
  f.queue("SM4", "p2 later", "+447700900002");
  auto meanwhile = f.due(now + 2s - 1ms);
  REQUIRE(payloads(meanwhile) == std::vector<std::string>{"p2 later"});
  CHECK(f.depth() == 3);
  REQUIRE(f.intake->finish({meanwhile[0].id}, {}, now + 2s - 1ms).ok());

  auto again = f.due(now + 2s);
  REQUIRE(payloads(again) == std::vector<std::string>{"p1 first"});
  CHECK(again[0].attempts == 1);
  // A second failure counts again; then handled, and the person's next one follows.
  REQUIRE(f.intake->finish({}, {{again[0].id, now + 4s, "boom again", "internal"}}, now + 2s).ok());
  auto third = f.due(now + 4s);
  REQUIRE(payloads(third) == std::vector<std::string>{"p1 first"});
  CHECK(third[0].attempts == 2);
  REQUIRE(f.intake->finish({third[0].id}, {}, now + 4s).ok());
  auto second = f.due(now + 4s);
  REQUIRE(payloads(second) == std::vector<std::string>{"p1 second"});
  CHECK(second[0].attempts == 0);
  REQUIRE(f.intake->finish({second[0].id}, {}, now + 4s).ok());
  CHECK(f.depth() == 0);
}

TEST_CASE(
    "postgres intake: a message out of attempts becomes a dead letter, holding nothing back, listed "
    "without its content, retried on demand",
    "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  PgIntakeFixture f;
  const gw::TimePoint t0 = f.clock.now();
  f.queue("SM1", "{\"body\":\"my passport\"}", "+447700900001");
  f.clock.advance(1s);
  f.queue("SM2", "p1 later", "+447700900001");
  f.queue("SM3", "p2", "+447700900002");
  auto first = f.due(f.clock.now());
  REQUIRE(payloads(first) == (std::vector<std::string>{"{\"body\":\"my passport\"}", "p2"}));
  const gw::TimePoint failed_at = f.clock.now();
  REQUIRE(f.intake
              ->finish({first[1].id},
                       {{first[0].id, failed_at + 1s, "invalid_argument: refused", "invalid_argument",
                         /*dead=*/true}},
                       failed_at)
              .ok());

  // Never due again on its own; set aside, it no longer holds the person's later message.
  auto after = f.due(failed_at + 24h);
  REQUIRE(payloads(after) == std::vector<std::string>{"p1 later"});
  CHECK(f.depth() == 1);
  CHECK(*f.intake->dead_letter_count() == 1);
  auto dead = f.intake->dead_letters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  const gw::DeadLetter& d = (*dead)[0];
  CHECK(d.id == first[0].id);
  CHECK(d.channel_id == "uk-sms");
  CHECK(d.received_at == t0);
  CHECK(d.dead_at == failed_at);
  CHECK(d.attempts == 1);
  CHECK(d.error_kind == "invalid_argument");
  CHECK(d.held == 1);
  CHECK(f.intake->dead_letters(0)->empty());

  CHECK(f.intake->retry_dead_letter(after[0].id, f.clock.now()).error().code == ErrorCode::kNotFound);
  CHECK(f.intake->retry_dead_letter(first[0].id + 100, f.clock.now()).error().code == ErrorCode::kNotFound);

  // Retried: due at once with its attempts counted afresh, before the person's
  // later message once that one is handled.
  REQUIRE(f.intake->finish({}, {{after[0].id, f.clock.now(), "later", "unavailable"}}, f.clock.now()).ok());
  f.clock.advance(1h);
  REQUIRE(f.intake->retry_dead_letter(first[0].id, f.clock.now()).ok());
  CHECK(*f.intake->dead_letter_count() == 0);
  CHECK(f.intake->dead_letters(10)->empty());
  auto back = f.due(f.clock.now());
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == first[0].id);
  CHECK(back[0].payload == "{\"body\":\"my passport\"}");
  CHECK(back[0].attempts == 0);
  CHECK(f.intake->retry_dead_letter(first[0].id, f.clock.now()).error().code == ErrorCode::kNotFound);
}

TEST_CASE("postgres intake: other keys give an error per message, and a closed intake answers unavailable",
          "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  PgIntakeFixture f;
  f.queue("SM1", "{\"body\":\"kept\"}", "+447700900001");
  const gw::Crypto other = gw::testing::make_test_crypto();
  auto stranger = f.open("b", &other);
  auto due = PgIntakeFixture::due(*stranger, f.clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].provider_id == "SM1");
  CHECK(due[0].payload.empty());
  CHECK_FALSE(due[0].error.empty());
  CHECK(due[0].error.find("kept") == std::string::npos);
  const int64_t id = due[0].id;

  REQUIRE(f.intake->start_heartbeat(1h).ok());
  CHECK(f.intake->start_heartbeat(1h).error().code == ErrorCode::kInvalidArgument);
  REQUIRE(f.intake->close().ok());
  CHECK(f.intake->close().ok());  // idempotent
  CHECK(f.intake->start_heartbeat(1h).error().code == ErrorCode::kInvalidArgument);
  CHECK(f.intake->queue("uk-sms", "SM2", "+447700900123", "y", f.clock.now()).error().code ==
        ErrorCode::kUnavailable);
  CHECK(f.intake->due(f.clock.now(), 10).error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->finish({id}, {}, f.clock.now()).error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->depth().error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->dead_letter_count().error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->dead_letters(10).error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->retry_dead_letter(id, f.clock.now()).error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->renew_leases(f.clock.now()).error().code == ErrorCode::kUnavailable);
}

TEST_CASE("postgres intake: opening on a database without the schema says so", "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  gw::testing::FakeClock clock;
  gw::testing::PgTestSchema empty;
  gw::PostgresOptions options;
  options.url = empty.url();
  auto r = gw::open_postgres_intake(options, gw::testing::make_test_crypto(), clock, kLease);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(r.error().message.find("inbound_queue") != std::string::npos);
}

TEST_CASE(
    "postgres intake: two instances claiming at once hand each message out once, each person's in "
    "order and one at a time",
    "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  PgIntakeFixture f;
  constexpr int kSenders = 30;
  constexpr int kEach = 10;
  constexpr int kTotal = kSenders * kEach;
  // Interleaved, as people write at once: message n of sender s.
  for (int n = 0; n < kEach; ++n) {
    for (int s = 0; s < kSenders; ++s) {
      f.queue("SM" + std::to_string(s) + "-" + std::to_string(n), std::to_string(s) + " " + std::to_string(n),
              "+4477009" + std::to_string(10000 + s));
    }
  }
  std::unique_ptr<PgIntake> intakes[2] = {std::move(f.intake), f.open("b")};
  const gw::TimePoint now = f.clock.now();

  std::mutex mu;
  std::set<int> in_hand;               // senders with a message handed out and not finished
  std::vector<int> next(kSenders, 0);  // the next message each sender's should be
  std::map<int64_t, int> handed;       // id -> times handed out
  int handed_by[2] = {0, 0};
  int twice_at_once = 0;
  int out_of_order = 0;
  int errors = 0;
  std::atomic<int> finished{0};
  std::atomic<int> ready{0};
  auto work = [&](int who) {
    ++ready;
    while (ready.load() < 2) std::this_thread::yield();
    for (int round = 0; round < 10000 && finished.load() < kTotal; ++round) {
      auto got = intakes[who]->due(now, 7);
      if (!got) {
        ++errors;
        continue;
      }
      std::vector<int64_t> ids;
      {
        std::lock_guard<std::mutex> lock(mu);
        for (const QueuedInbound& q : *got) {
          const size_t sp = q.payload.find(' ');
          const int s = std::stoi(q.payload.substr(0, sp));
          const int n = std::stoi(q.payload.substr(sp + 1));
          if (!in_hand.insert(s).second) ++twice_at_once;
          if (n != next[static_cast<size_t>(s)]) ++out_of_order;
          next[static_cast<size_t>(s)] = n + 1;
          ++handed[q.id];
          ++handed_by[who];
          ids.push_back(q.id);
        }
      }
      if (ids.empty()) continue;
      // Out of hand before the rows go: until finish() commits, the row still
      // holds the sender's next message back in the database.
      {
        std::lock_guard<std::mutex> lock(mu);
        for (const QueuedInbound& q : *got)
          in_hand.erase(std::stoi(q.payload.substr(0, q.payload.find(' '))));
      }
      if (!intakes[who]->finish(ids, {}, now)) {
        ++errors;
        continue;
      }
      finished += static_cast<int>(ids.size());
    }
  };
  std::thread a(work, 0);
  std::thread b(work, 1);
  a.join();
  b.join();

  CHECK(errors == 0);
  CHECK(finished.load() == kTotal);
  CHECK(handed.size() == static_cast<size_t>(kTotal));
  int more_than_once = 0;
  for (const auto& [id, times] : handed) more_than_once += times == 1 ? 0 : 1;
  CHECK(more_than_once == 0);
  CHECK(twice_at_once == 0);
  CHECK(out_of_order == 0);
  for (int s = 0; s < kSenders; ++s) CHECK(next[static_cast<size_t>(s)] == kEach);
  CHECK(handed_by[0] + handed_by[1] == kTotal);
  auto left = intakes[0]->depth();
  REQUIRE(left.ok());
  CHECK(*left == 0);
  f.intake = std::move(intakes[0]);
}

TEST_CASE(
    "postgres intake: the messages of an instance that died go to another once their lease has run "
    "out, not before",
    "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  PgIntakeFixture f;
  f.queue("SM1", "p1 first", "+447700900001");
  f.queue("SM2", "p1 second", "+447700900001");
  f.queue("SM3", "p2", "+447700900002");
  auto other = f.open("b");
  const gw::TimePoint t0 = f.clock.now();
  // "a" claims and then never finishes nor renews.
  auto held = f.due(t0);
  REQUIRE(payloads(held) == (std::vector<std::string>{"p1 first", "p2"}));

  CHECK(PgIntakeFixture::due(*other, t0).empty());
  CHECK(PgIntakeFixture::due(*other, t0 + kLease - 1ms).empty());
  auto taken = PgIntakeFixture::due(*other, t0 + kLease);
  REQUIRE(payloads(taken) == (std::vector<std::string>{"p1 first", "p2"}));
  CHECK(taken[0].id == held[0].id);
  // Now "b"'s: "a" cannot take them back, nor renew them.
  CHECK(PgIntakeFixture::due(*f.intake, t0 + kLease).empty());
  auto renewed = f.intake->renew_leases(t0 + 10 * kLease);
  REQUIRE(renewed.ok());
  CHECK(*renewed == 0);
  // "a"'s late deferral leaves "b"'s claim as it is.
  REQUIRE(f.intake->finish({}, {{held[0].id, t0 + kLease, "late", "internal"}}, t0 + kLease).ok());
  CHECK(lease_until_of(f.schema.url(), held[0].id) == gw::to_unix_ms(t0 + 2 * kLease));

  REQUIRE(other->finish({taken[0].id, taken[1].id}, {}, t0 + kLease).ok());
  auto next = PgIntakeFixture::due(*other, t0 + kLease);
  REQUIRE(payloads(next) == std::vector<std::string>{"p1 second"});
  CHECK(next[0].attempts == 0);
}

TEST_CASE("postgres intake: renewing the leases keeps an instance's messages from the others",
          "[intake][postgres]") {
  PG_INTAKE_OR_SKIP();
  PgIntakeFixture f;
  f.queue("SM1", "p1", "+447700900001");
  f.queue("SM2", "p2", "+447700900002");
  auto other = f.open("b");
  const gw::TimePoint t0 = f.clock.now();
  auto held = f.due(t0);
  REQUIRE(held.size() == 2);

  SECTION("by a call") {
    auto renewed = f.intake->renew_leases(t0 + kLease + 10s);
    REQUIRE(renewed.ok());
    CHECK(*renewed == 2);
    auto by_other = other->renew_leases(t0 + 10 * kLease);
    REQUIRE(by_other.ok());
    CHECK(*by_other == 0);  // not its messages
    CHECK(PgIntakeFixture::due(*other, t0 + kLease).empty());
    CHECK(PgIntakeFixture::due(*other, t0 + kLease + 10s - 1ms).empty());
    CHECK(PgIntakeFixture::due(*other, t0 + kLease + 10s).size() == 2);
  }
  SECTION("by the heartbeat") {
    // The heartbeat renews until the clock's now + the lease.
    f.clock.advance(kLease - 1s);
    const int64_t want = gw::to_unix_ms(f.clock.now() + kLease);
    REQUIRE(f.intake->start_heartbeat(1ms).ok());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (lease_until_of(f.schema.url(), held[1].id) != want &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    CHECK(lease_until_of(f.schema.url(), held[0].id) == want);
    CHECK(lease_until_of(f.schema.url(), held[1].id) == want);
    REQUIRE(f.intake->close().ok());  // stops the beat
    CHECK(PgIntakeFixture::due(*other, t0 + kLease).empty());
    CHECK(PgIntakeFixture::due(*other, f.clock.now() + kLease).size() == 2);
  }
}

// The SQLite intake: inbound messages stored as they come (a provider's retry
// too: the Store recognises it when it is handled), encrypted at rest, handed
// out oldest first and taken out or deferred by finish().
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/messages/inbound_message.h"
#include "gateway/store/intake.h"
#include "tests/store/store_fixture.h"

using gw::ErrorCode;
using gw::QueuedInbound;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A fresh intake for one test: in memory, or in a file of a temporary directory.
struct IntakeFixture {
  gw::testing::FakeClock clock;
  gw::Crypto crypto = gw::testing::make_test_crypto();
  gw::testing::TempDir dir;
  std::string path = ":memory:";
  std::unique_ptr<gw::Intake> intake;

  explicit IntakeFixture(bool in_file = false) {
    if (in_file) path = gw::intake_path_for((dir.path() / "data" / "gateway.db").string());
    intake = open(crypto);
  }

  std::unique_ptr<gw::Intake> open(const gw::Crypto& with) {
    auto r = gw::open_sqlite_intake(path, with, clock);
    REQUIRE(r.ok());
    return std::move(*r);
  }

  // `sender` "": one of its own for each provider id (people unrelated to each other).
  void queue(const std::string& channel, const std::string& provider_id, const std::string& payload,
             const std::string& sender = "") {
    gw::Status s = intake->queue(channel, provider_id, sender.empty() ? "from-" + provider_id : sender,
                                 payload, clock.now());
    REQUIRE(s.ok());
  }

  std::vector<QueuedInbound> due(gw::TimePoint at, int limit = 100) {
    auto r = intake->due(at, limit);
    REQUIRE(r.ok());
    return *r;
  }

  int64_t depth() {
    auto r = intake->depth();
    REQUIRE(r.ok());
    return *r;
  }
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The database file and its -wal, when there is one.
std::string database_bytes(const std::string& path) {
  std::string out = read_bytes(path);
  if (fs::exists(path + "-wal")) out += read_bytes(path + "-wal");
  return out;
}

unsigned file_mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("the intake stores a provider's retry as another message, handed out in the order they arrived",
          "[intake][store]") {
  // Given a message queued twice on one channel, then both are kept, each with
  // its own payload, the first before the retry; the same provider id on
  // another channel is a message of its own after them.
  IntakeFixture f;
  f.queue("uk-sms", "SM1", "first");
  f.queue("uk-sms", "SM1", "the retry");
  CHECK(f.depth() == 2);
  f.queue("tg", "SM1", "other channel");
  CHECK(f.depth() == 3);
  auto due = f.due(f.clock.now());
  REQUIRE(due.size() == 3);
  CHECK(due[0].channel_id == "uk-sms");
  CHECK(due[0].provider_id == "SM1");
  CHECK(due[0].payload == "first");
  CHECK(due[0].attempts == 0);
  CHECK(due[0].error.empty());
  CHECK(due[1].channel_id == "uk-sms");
  CHECK(due[1].provider_id == "SM1");
  CHECK(due[1].payload == "the retry");
  CHECK(due[1].attempts == 0);
  CHECK(due[1].error.empty());
  CHECK(due[2].channel_id == "tg");
  CHECK(due[2].provider_id == "SM1");
  CHECK(due[2].payload == "other channel");
  CHECK(due[0].id < due[1].id);
  CHECK(due[1].id < due[2].id);
  // Taking out the first leaves the retry queued.
  REQUIRE(f.intake->finish({due[0].id}, {}, f.clock.now()).ok());
  auto left = f.due(f.clock.now());
  REQUIRE(left.size() == 2);
  CHECK(left[0].payload == "the retry");
}

TEST_CASE("due hands out the oldest first, up to the limit, and finish removes or defers",
          "[intake][store]") {
  // Provider ids in reverse order, so that an order by id of the provider would show.
  IntakeFixture f;
  const gw::TimePoint t0 = f.clock.now();
  f.queue("uk-sms", "SMc", "one");
  f.clock.advance(5ms);
  f.queue("uk-sms", "SMb", "two");
  f.clock.advance(5ms);
  f.queue("uk-sms", "SMa", "three");
  const gw::TimePoint now = f.clock.now();

  auto first_two = f.due(now, 2);
  REQUIRE(first_two.size() == 2);
  CHECK(first_two[0].payload == "one");
  CHECK(first_two[1].payload == "two");
  CHECK(first_two[0].received_at == t0);
  CHECK(first_two[1].received_at == t0 + 5ms);
  // Not yet due: a message queued after `at` is not handed out.
  auto at_t0 = f.due(t0);
  REQUIRE(at_t0.size() == 1);
  CHECK(at_t0[0].payload == "one");

  auto all = f.due(now);
  REQUIRE(all.size() == 3);
  CHECK(all[2].payload == "three");
  CHECK(f.intake->finish({}, {}, f.clock.now()).ok());  // nothing to do

  // "one" was handled, "two" failed and waits 10 s.
  REQUIRE(f.intake->finish({all[0].id}, {{all[1].id, now + 10s, "boom", "internal"}}, f.clock.now()).ok());
  CHECK(f.depth() == 2);
  auto left = f.due(now);
  REQUIRE(left.size() == 1);
  CHECK(left[0].payload == "three");
  CHECK(f.due(now + 10s - 1ms).size() == 1);

  auto later = f.due(now + 10s);
  REQUIRE(later.size() == 2);
  CHECK(later[0].payload == "two");  // still before "three": the order is the arrival's
  CHECK(later[0].attempts == 1);
  CHECK(later[1].payload == "three");
  CHECK(later[1].attempts == 0);

  // A second failure counts again.
  REQUIRE(f.intake->finish({}, {{later[0].id, now + 20s, "boom again", "internal"}}, f.clock.now()).ok());
  auto again = f.due(now + 20s);
  REQUIRE(again.size() == 2);
  CHECK(again[0].attempts == 2);

  REQUIRE(f.intake->finish({again[0].id, again[1].id}, {}, f.clock.now()).ok());
  CHECK(f.depth() == 0);
  CHECK(f.due(now + 1h).empty());
}

TEST_CASE(
    "the intake's file lies beside the database, readable by its owner only, with no number or text in clear",
    "[intake][store]") {
  IntakeFixture f(/*in_file=*/true);
  CHECK(f.path == (f.dir.path() / "data" / "gateway-intake.db").string());
  REQUIRE(fs::exists(f.path));
  CHECK(file_mode(f.path) == 0600);

  const std::string phone = "+447700900123";
  const std::string body = "They took my passport and I work without pay";
  gw::InboundMessage m;
  m.channel_id = "uk-sms";
  m.provider_id = "SM00000000000000000000000000000001";
  m.from = phone;
  m.to = "+447700900000";
  m.body = body;
  f.queue(m.channel_id, m.provider_id, gw::serialize_inbound(m));
  for (int i = 0; i < 20; ++i) {
    f.queue("uk-sms", "SMfill" + std::to_string(i), gw::serialize_inbound(m));
  }

  // While open: the log holds the recent writes.
  if (fs::exists(f.path + "-wal")) CHECK(file_mode(f.path + "-wal") == 0600);
  std::string bytes = database_bytes(f.path);
  // The scan sees what was stored: the provider id is kept in clear.
  REQUIRE(bytes.find(m.provider_id) != std::string::npos);
  CHECK(bytes.find(phone) == std::string::npos);
  CHECK(bytes.find("447700900123") == std::string::npos);
  CHECK(bytes.find(body) == std::string::npos);
  CHECK(bytes.find("passport") == std::string::npos);

  REQUIRE(f.intake->close().ok());
  bytes = database_bytes(f.path);
  REQUIRE(bytes.find(m.provider_id) != std::string::npos);
  CHECK(bytes.find("447700900123") == std::string::npos);
  CHECK(bytes.find("passport") == std::string::npos);
  CHECK(file_mode(f.path) == 0600);
}

TEST_CASE("what the intake holds survives a reopen, and other keys give an error per message, not a crash",
          "[intake][store]") {
  IntakeFixture f(/*in_file=*/true);
  f.queue("uk-sms", "SM1", "{\"body\":\"kept\"}");
  REQUIRE(f.intake->close().ok());

  SECTION("with the same keys") {
    f.intake = f.open(f.crypto);
    CHECK(f.depth() == 1);
    auto due = f.due(f.clock.now());
    REQUIRE(due.size() == 1);
    CHECK(due[0].provider_id == "SM1");
    CHECK(due[0].payload == "{\"body\":\"kept\"}");
    CHECK(due[0].error.empty());
    // A retry queued after the reopen is a row of its own, after the kept one,
    // whose payload is still the same.
    f.queue("uk-sms", "SM1", "{\"body\":\"retry\"}");
    auto both = f.due(f.clock.now());
    REQUIRE(both.size() == 2);
    CHECK(both[0].id == due[0].id);
    CHECK(both[0].payload == "{\"body\":\"kept\"}");
    CHECK(both[1].id > due[0].id);
    CHECK(both[1].payload == "{\"body\":\"retry\"}");
  }
  SECTION("with other keys") {
    f.intake = f.open(gw::testing::make_test_crypto());
    CHECK(f.depth() == 1);
    auto due = f.due(f.clock.now());
    REQUIRE(due.size() == 1);
    CHECK(due[0].provider_id == "SM1");
    CHECK(due[0].payload.empty());
    CHECK_FALSE(due[0].error.empty());
    CHECK(due[0].error.find("kept") == std::string::npos);
  }
}

TEST_CASE("a closed intake answers unavailable to every call", "[intake][store]") {
  IntakeFixture f;
  f.queue("uk-sms", "SM1", "x");
  const int64_t id = f.due(f.clock.now())[0].id;
  REQUIRE(f.intake->close().ok());
  CHECK(f.intake->close().ok());  // idempotent

  auto queued = f.intake->queue("uk-sms", "SM2", "+447700900123", "y", f.clock.now());
  REQUIRE_FALSE(queued.ok());
  CHECK(queued.error().code == ErrorCode::kUnavailable);
  auto due = f.intake->due(f.clock.now(), 10);
  REQUIRE_FALSE(due.ok());
  CHECK(due.error().code == ErrorCode::kUnavailable);
  auto handled = f.intake->finish({id}, {}, f.clock.now());
  REQUIRE_FALSE(handled.ok());
  CHECK(handled.error().code == ErrorCode::kUnavailable);
  auto deferred = f.intake->finish({}, {{id, f.clock.now() + 1s, "later", "internal"}}, f.clock.now());
  REQUIRE_FALSE(deferred.ok());
  CHECK(deferred.error().code == ErrorCode::kUnavailable);
  auto depth = f.intake->depth();
  REQUIRE_FALSE(depth.ok());
  CHECK(depth.error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->dead_letter_count().error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->dead_letters(10).error().code == ErrorCode::kUnavailable);
  CHECK(f.intake->retry_dead_letter(id, f.clock.now()).error().code == ErrorCode::kUnavailable);
}

TEST_CASE("a person's later messages are held behind their message that failed, other people's are not",
          "[intake][store]") {
  IntakeFixture f;
  f.queue("uk-sms", "SM1", "p1 first", "+447700900001");
  f.queue("uk-sms", "SM2", "p1 second", "+447700900001");
  f.queue("uk-sms", "SM3", "p2", "+447700900002");
  f.queue("tg", "SM4", "the same number on another channel", "+447700900001");
  f.queue("uk-sms", "SM5", "p1 third", "+447700900001");
  const gw::TimePoint now = f.clock.now();
  auto all = f.due(now);
  REQUIRE(all.size() == 5);
  CHECK(all[0].sender_key == all[1].sender_key);
  CHECK(all[0].sender_key != all[2].sender_key);
  CHECK(all[0].sender_key != all[3].sender_key);
  CHECK(all[0].sender_key.find("447700900001") == std::string::npos);

  // "p1 first" failed and waits 10 s: the rest of p1's wait with it.
  REQUIRE(f.intake->finish({}, {{all[0].id, now + 10s, "boom", "internal"}}, now).ok());
  auto meanwhile = f.due(now + 10s - 1ms);
  REQUIRE(meanwhile.size() == 2);
  CHECK(meanwhile[0].payload == "p2");
  CHECK(meanwhile[1].payload == "the same number on another channel");
  CHECK(f.depth() == 5);  // held ones are still queued

  // Due again: p1's messages come back in the order they arrived.
  auto later = f.due(now + 10s);
  REQUIRE(later.size() == 5);
  CHECK(later[0].payload == "p1 first");
  CHECK(later[1].payload == "p1 second");
  CHECK(later[4].payload == "p1 third");
}

TEST_CASE(
    "a message out of attempts becomes a dead letter: kept, never due, holding nothing back, listed without "
    "its content, retried on demand",
    "[intake][store]") {
  IntakeFixture f;
  const gw::TimePoint t0 = f.clock.now();
  f.queue("uk-sms", "SM1", "{\"body\":\"my passport\"}", "+447700900001");
  f.clock.advance(1s);
  f.queue("uk-sms", "SM2", "p1 later", "+447700900001");
  f.queue("uk-sms", "SM3", "p2", "+447700900002");
  auto all = f.due(f.clock.now());
  REQUIRE(all.size() == 3);
  const gw::TimePoint failed_at = f.clock.now();
  REQUIRE(f.intake
              ->finish({all[2].id},
                       {{all[0].id, failed_at + 1s, "invalid_argument: refused", "invalid_argument",
                         /*dead=*/true}},
                       failed_at)
              .ok());

  // Never due again on its own; set aside, it no longer holds the person's later message.
  auto after = f.due(failed_at + 24h);
  REQUIRE(after.size() == 1);
  CHECK(after[0].payload == "p1 later");
  CHECK(f.depth() == 1);  // "p1 later"; the dead letter is counted apart
  auto count = f.intake->dead_letter_count();
  REQUIRE(count.ok());
  CHECK(*count == 1);
  auto dead = f.intake->dead_letters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  const gw::DeadLetter& d = (*dead)[0];
  CHECK(d.id == all[0].id);
  CHECK(d.channel_id == "uk-sms");
  CHECK(d.received_at == t0);
  CHECK(d.dead_at == failed_at);
  CHECK(d.attempts == 1);
  CHECK(d.error_kind == "invalid_argument");
  CHECK(d.held == 1);

  // Another id, or a message that is no dead letter, is not found.
  CHECK(f.intake->retry_dead_letter(all[1].id, f.clock.now()).error().code == ErrorCode::kNotFound);
  CHECK(f.intake->retry_dead_letter(all[0].id + 100, f.clock.now()).error().code == ErrorCode::kNotFound);

  // Retried: due at once with its attempts counted afresh.
  f.clock.advance(1h);
  REQUIRE(f.intake->retry_dead_letter(all[0].id, f.clock.now()).ok());
  CHECK(*f.intake->dead_letter_count() == 0);
  CHECK(f.intake->dead_letters(10)->empty());
  auto back = f.due(f.clock.now());
  REQUIRE(back.size() == 2);
  CHECK(back[0].id == all[0].id);
  CHECK(back[0].payload == "{\"body\":\"my passport\"}");
  CHECK(back[0].attempts == 0);
  CHECK(back[1].payload == "p1 later");
  CHECK(f.intake->retry_dead_letter(all[0].id, f.clock.now()).error().code == ErrorCode::kNotFound);
}

TEST_CASE("concurrent queue calls all succeed and each is stored once, with its own payload",
          "[intake][store]") {
  // 8 threads, 200 calls each, all at once; threads 2k and 2k+1 queue the same
  // 200 provider ids (the odd one in reverse order), as a provider's retries
  // racing the first delivery would. Every call is a row of its own.
  IntakeFixture f(/*in_file=*/true);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  constexpr int kTotal = kThreads * kPerThread;
  auto provider_id = [](int t, int i) { return "SM" + std::to_string(t / 2 * kPerThread + i); };
  auto payload = [](int t, int n) { return "payload " + std::to_string(t) + " " + std::to_string(n); };
  std::atomic<int> failures{0};
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int n = 0; n < kPerThread; ++n) {
        const int i = t % 2 == 0 ? n : kPerThread - 1 - n;
        gw::Status s =
            f.intake->queue("uk-sms", provider_id(t, i), provider_id(t, i), payload(t, n), f.clock.now());
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();

  CHECK(failures.load() == 0);
  CHECK(f.depth() == kTotal);
  auto due = f.due(f.clock.now(), kTotal + 10);
  REQUIRE(due.size() == static_cast<size_t>(kTotal));
  // What each call stored, by payload: its provider id.
  std::map<std::string, std::string> expected;
  for (int t = 0; t < kThreads; ++t) {
    for (int n = 0; n < kPerThread; ++n) {
      expected[payload(t, n)] = provider_id(t, t % 2 == 0 ? n : kPerThread - 1 - n);
    }
  }
  std::map<std::string, int> seen;
  std::vector<int> last_of_thread(kThreads, -1);
  int not_increasing = 0;
  int wrong_provider = 0;
  int out_of_thread_order = 0;
  for (size_t k = 0; k < due.size(); ++k) {
    const QueuedInbound& q = due[k];
    if (k > 0 && q.id <= due[k - 1].id) ++not_increasing;
    ++seen[q.payload];
    auto e = expected.find(q.payload);
    if (e == expected.end() || e->second != q.provider_id) {
      ++wrong_provider;
      continue;
    }
    // "payload <t> <n>": one thread's calls follow each other, so they arrive in its order.
    const size_t sp = q.payload.find(' ', 8);
    const int t = std::stoi(q.payload.substr(8, sp - 8));
    const int n = std::stoi(q.payload.substr(sp + 1));
    if (n <= last_of_thread[static_cast<size_t>(t)]) ++out_of_thread_order;
    last_of_thread[static_cast<size_t>(t)] = n;
  }
  CHECK(not_increasing == 0);
  CHECK(wrong_provider == 0);
  CHECK(out_of_thread_order == 0);
  CHECK(seen.size() == static_cast<size_t>(kTotal));
  int not_once = 0;
  for (const auto& [p, count] : seen) not_once += count == 1 ? 0 : 1;
  CHECK(not_once == 0);
}

TEST_CASE("intake_path_for puts the intake beside the database, or in memory", "[intake][store]") {
  CHECK(gw::intake_path_for(":memory:") == ":memory:");
  CHECK(gw::intake_path_for("data/gateway.db") == "data/gateway-intake.db");
  CHECK(gw::intake_path_for("/var/lib/gw/helpline.sqlite") == "/var/lib/gw/helpline-intake.sqlite");
  CHECK(gw::intake_path_for("gateway.db") == "gateway-intake.db");
  // A URI database gets a URI intake, kept the same way (on disk, or in memory).
  CHECK(gw::intake_path_for("file:data/gateway.db?mode=rwc") == "file:data/gateway-intake.db?mode=rwc");
  CHECK(gw::intake_path_for("file:shared.db?mode=memory&cache=shared") ==
        "file:shared-intake.db?mode=memory&cache=shared");
  CHECK(gw::intake_path_for("file:data/gateway.db") == "file:data/gateway-intake.db");
}

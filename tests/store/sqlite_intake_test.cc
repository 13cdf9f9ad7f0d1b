// The SQLite intake: inbound messages stored once by (channel, provider id),
// encrypted at rest, handed out oldest first and taken out or deferred by finish().
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

#include "gateway/channels/inbound_message.h"
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

  bool queue(const std::string& channel, const std::string& provider_id, const std::string& payload) {
    auto r = intake->queue(channel, provider_id, payload, clock.now());
    REQUIRE(r.ok());
    return *r;
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

TEST_CASE("the intake queues a message once per channel and provider id", "[intake][store]") {
  // Given a message queued twice on one channel and once on another, then the
  // retry is refused and leaves the first payload, and the other channel's is a
  // message of its own.
  IntakeFixture f;
  CHECK(f.queue("uk-sms", "SM1", "first"));
  CHECK_FALSE(f.queue("uk-sms", "SM1", "the retry"));
  CHECK(f.queue("tg", "SM1", "other channel"));
  CHECK(f.depth() == 2);
  auto due = f.due(f.clock.now());
  REQUIRE(due.size() == 2);
  CHECK(due[0].channel_id == "uk-sms");
  CHECK(due[0].provider_id == "SM1");
  CHECK(due[0].payload == "first");
  CHECK(due[0].attempts == 0);
  CHECK(due[0].error.empty());
  CHECK(due[1].channel_id == "tg");
  CHECK(due[1].payload == "other channel");
}

TEST_CASE("due hands out the oldest first, up to the limit, and finish removes or defers",
          "[intake][store]") {
  // Provider ids in reverse order, so that an order by id of the provider would show.
  IntakeFixture f;
  const gw::TimePoint t0 = f.clock.now();
  REQUIRE(f.queue("uk-sms", "SMc", "one"));
  f.clock.advance(5ms);
  REQUIRE(f.queue("uk-sms", "SMb", "two"));
  f.clock.advance(5ms);
  REQUIRE(f.queue("uk-sms", "SMa", "three"));
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
  CHECK(f.intake->finish({}, {}).ok());  // nothing to do

  // "one" was handled, "two" failed and waits 10 s.
  REQUIRE(f.intake->finish({all[0].id}, {{all[1].id, now + 10s, "boom"}}).ok());
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
  REQUIRE(f.intake->finish({}, {{later[0].id, now + 20s, "boom again"}}).ok());
  auto again = f.due(now + 20s);
  REQUIRE(again.size() == 2);
  CHECK(again[0].attempts == 2);

  REQUIRE(f.intake->finish({again[0].id, again[1].id}, {}).ok());
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
  REQUIRE(f.queue(m.channel_id, m.provider_id, gw::serialize_inbound(m)));
  for (int i = 0; i < 20; ++i) {
    REQUIRE(f.queue("uk-sms", "SMfill" + std::to_string(i), gw::serialize_inbound(m)));
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
  REQUIRE(f.queue("uk-sms", "SM1", "{\"body\":\"kept\"}"));
  REQUIRE(f.intake->close().ok());

  SECTION("with the same keys") {
    f.intake = f.open(f.crypto);
    CHECK(f.depth() == 1);
    auto due = f.due(f.clock.now());
    REQUIRE(due.size() == 1);
    CHECK(due[0].provider_id == "SM1");
    CHECK(due[0].payload == "{\"body\":\"kept\"}");
    CHECK(due[0].error.empty());
    // Still recognised as queued after the reopen.
    CHECK_FALSE(f.queue("uk-sms", "SM1", "retry"));
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
  REQUIRE(f.queue("uk-sms", "SM1", "x"));
  const int64_t id = f.due(f.clock.now())[0].id;
  REQUIRE(f.intake->close().ok());
  CHECK(f.intake->close().ok());  // idempotent

  auto queued = f.intake->queue("uk-sms", "SM2", "y", f.clock.now());
  REQUIRE_FALSE(queued.ok());
  CHECK(queued.error().code == ErrorCode::kUnavailable);
  auto due = f.intake->due(f.clock.now(), 10);
  REQUIRE_FALSE(due.ok());
  CHECK(due.error().code == ErrorCode::kUnavailable);
  auto handled = f.intake->finish({id}, {});
  REQUIRE_FALSE(handled.ok());
  CHECK(handled.error().code == ErrorCode::kUnavailable);
  auto deferred = f.intake->finish({}, {{id, f.clock.now() + 1s, "later"}});
  REQUIRE_FALSE(deferred.ok());
  CHECK(deferred.error().code == ErrorCode::kUnavailable);
  auto depth = f.intake->depth();
  REQUIRE_FALSE(depth.ok());
  CHECK(depth.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("concurrent queue calls store each message once and tell exactly one caller it was new",
          "[intake][store]") {
  // 8 threads, 200 messages each; threads 2k and 2k+1 queue the same 200
  // provider ids (the odd one in reverse order), all at once.
  IntakeFixture f(/*in_file=*/true);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  constexpr int kDistinct = kThreads / 2 * kPerThread;
  auto key = [](int pair, int i) { return pair * kPerThread + i; };
  std::vector<std::atomic<int>> newly(kDistinct);
  std::atomic<int> failures{0};
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int n = 0; n < kPerThread; ++n) {
        const int i = t % 2 == 0 ? n : kPerThread - 1 - n;
        const int k = key(t / 2, i);
        auto r = f.intake->queue("uk-sms", "SM" + std::to_string(k), "payload " + std::to_string(k),
                                 f.clock.now());
        if (!r.ok()) {
          ++failures;
        } else if (*r) {
          ++newly[static_cast<size_t>(k)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  CHECK(failures.load() == 0);
  int not_once = 0;
  for (const auto& n : newly) not_once += n.load() == 1 ? 0 : 1;
  CHECK(not_once == 0);
  CHECK(f.depth() == kDistinct);
  auto due = f.due(f.clock.now(), kDistinct + 10);
  REQUIRE(due.size() == static_cast<size_t>(kDistinct));
  std::map<std::string, int> seen;
  for (const QueuedInbound& q : due) {
    ++seen[q.provider_id];
    CHECK(q.payload == "payload " + q.provider_id.substr(2));
  }
  CHECK(seen.size() == static_cast<size_t>(kDistinct));
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

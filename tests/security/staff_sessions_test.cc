#include "gateway/security/staff_sessions.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/support/fake_clock.h"

using gw::StaffSessions;
using gw::testing::FakeClock;
using namespace std::chrono_literals;

TEST_CASE("a new session has a 32-byte base64url token and its own CSRF token", "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock);
  auto a = sessions.create(7, "amina", "operator");
  auto b = sessions.create(7, "amina", "operator");
  CHECK(a.token.size() == 43);  // 32 bytes, unpadded base64url
  CHECK(a.token.find_first_of("+/=") == std::string::npos);
  CHECK(a.token != b.token);
  CHECK(a.session.csrf_token.size() == 43);
  CHECK(a.session.csrf_token != a.token);
  CHECK(a.session.csrf_token != b.session.csrf_token);
  auto found = sessions.touch(a.token);
  REQUIRE(found);
  CHECK(found->account_id == 7);
  CHECK(found->username == "amina");
  CHECK(found->role == "operator");
  CHECK(found->csrf_token == a.session.csrf_token);
  CHECK_FALSE(sessions.touch("not-a-token"));
  CHECK_FALSE(sessions.touch(""));
}

TEST_CASE("a session idle for 30 minutes expires, and use keeps it alive", "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock);
  auto s = sessions.create(1, "amina", "operator");
  clock.advance(29min);
  REQUIRE(sessions.touch(s.token));
  clock.advance(29min);
  auto kept = sessions.touch(s.token);
  REQUIRE(kept);
  CHECK(kept->last_seen == clock.now());
  clock.advance(30min);
  CHECK_FALSE(sessions.touch(s.token));
  // Gone for good, even if time were to move back.
  CHECK(sessions.size() == 0);
}

TEST_CASE("a session ends after 12 hours however busy it is", "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock);
  auto s = sessions.create(1, "amina", "operator");
  for (int i = 0; i < 47; ++i) {
    clock.advance(15min);
    REQUIRE(sessions.touch(s.token));
  }
  clock.advance(15min);  // 12 h since login
  CHECK_FALSE(sessions.touch(s.token));
}

TEST_CASE("the timeouts are options", "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock, {5min, 1h});
  auto s = sessions.create(1, "amina", "operator");
  clock.advance(5min);
  CHECK_FALSE(sessions.touch(s.token));
}

TEST_CASE("logout removes the session and only that one", "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock);
  auto a = sessions.create(1, "amina", "operator");
  auto b = sessions.create(1, "amina", "operator");
  CHECK(sessions.remove(a.token));
  CHECK_FALSE(sessions.remove(a.token));
  CHECK_FALSE(sessions.touch(a.token));
  CHECK(sessions.touch(b.token));
}

TEST_CASE("ending an account's sessions leaves other accounts and the kept session alone",
          "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock);
  auto a1 = sessions.create(1, "amina", "operator");
  auto a2 = sessions.create(1, "amina", "operator");
  auto a3 = sessions.create(1, "amina", "operator");
  auto other = sessions.create(2, "bilal", "supervisor");
  CHECK(sessions.end_for_account(1, a3.token) == 2);
  CHECK_FALSE(sessions.touch(a1.token));
  CHECK_FALSE(sessions.touch(a2.token));
  CHECK(sessions.touch(a3.token));
  CHECK(sessions.touch(other.token));
  CHECK(sessions.end_for_account(1) == 1);
  CHECK_FALSE(sessions.touch(a3.token));
  CHECK(sessions.size() == 1);
}

TEST_CASE("sessions are safe to use from many threads at once", "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock);
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto s = sessions.create(t, "user", "operator");
        if (sessions.touch(s.token)) ++found;
        if (i % 2 == 0) sessions.remove(s.token);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(found == 800);
  CHECK(sessions.size() == 400);
}

TEST_CASE("who is online: each account with a live session, once", "[security][sessions]") {
  FakeClock clock;
  StaffSessions sessions(clock);
  auto a1 = sessions.create(9, "amina", "operator");
  sessions.create(9, "amina", "operator");  // a second browser
  sessions.create(4, "ivan", "supervisor");
  CHECK(sessions.active_accounts() == std::vector<int64_t>{4, 9});
  clock.advance(20min);
  sessions.touch(a1.token);  // only amina stays active
  clock.advance(20min);
  CHECK(sessions.active_accounts() == std::vector<int64_t>{9});
  sessions.remove(a1.token);
  CHECK(sessions.active_accounts().empty());
}

namespace {

// A shared table whose database cannot be reached.
class UnreachableTable final : public gw::SharedStaffSessionTable {
 public:
  gw::Status put(const std::string&, const gw::StaffSession&) override { return down(); }
  gw::Result<std::optional<gw::StaffSession>> get(const std::string&) override { return down(); }
  gw::Status set_last_seen(const std::string&, gw::TimePoint) override { return down(); }
  gw::Result<bool> remove(const std::string&) override { return down(); }
  gw::Result<int64_t> remove_for_account(int64_t, const std::string&) override { return down(); }
  gw::Result<int64_t> remove_expired(gw::TimePoint, gw::TimePoint) override { return down(); }
  gw::Result<int64_t> count_live(gw::TimePoint, gw::TimePoint) override { return down(); }
  gw::Result<std::vector<int64_t>> live_accounts(gw::TimePoint, gw::TimePoint) override { return down(); }

 private:
  static gw::Error down() { return gw::Error::unavailable("database unreachable"); }
};

}  // namespace

TEST_CASE("sessions in an unreachable shared table let no one in and hand out no token",
          "[security][sessions]") {
  FakeClock clock;
  UnreachableTable table;
  StaffSessions sessions(clock, &table);
  auto s = sessions.create(7, "amina", "operator");
  CHECK(s.token.empty());
  CHECK_FALSE(sessions.touch("some-token"));
  CHECK_FALSE(sessions.peek("some-token"));
  CHECK_FALSE(sessions.remove("some-token"));
  CHECK(sessions.end_for_account(7) == 0);
  CHECK(sessions.size() == 0);
  CHECK(sessions.active_accounts().empty());
}

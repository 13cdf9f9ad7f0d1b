// WalCheckpointer: checkpoints run on their own thread, never in a commit.
#include "gateway/store/sqlite/wal_checkpointer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "gateway/store/sqlite/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

using gw::sqlite::Database;
using gw::sqlite::WalCheckpointer;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A WAL-mode database at `path` with one table t (id, v).
Database open_wal_db(const std::string& path) {
  auto db = Database::open(path);
  REQUIRE(db.ok());
  REQUIRE(db->exec("PRAGMA journal_mode = WAL").ok());
  REQUIRE(db->exec("PRAGMA synchronous = NORMAL").ok());
  REQUIRE(db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)").ok());
  return std::move(*db);
}

}  // namespace

TEST_CASE("commits leave checkpoints to the checkpointer thread", "[store]") {
  gw::testing::TempDir dir;
  const std::string path = (dir.path() / "wal.db").string();
  auto db = open_wal_db(path);

  gw::sqlite::WalCheckpointOptions options;
  options.pages = 50;
  options.interval = 1h;  // on the fake clock, which does not move: only the hook wakes it
  gw::testing::FakeClock clock;
  auto cp = WalCheckpointer::open(path, options, clock);
  REQUIRE(cp.ok());
  (*cp)->attach(db.handle());
  const auto main_size = [&] { return fs::file_size(path); };
  const auto before = main_size();

  // 300 commits of a 4 KB row each: far past SQLite's own 1000-page threshold
  // would be needed for an automatic checkpoint, and past ours many times. With
  // the thread not started, nothing may reach the main file.
  const std::string blob(4000, 'x');
  auto write_rows = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto st = db.prepare("INSERT INTO t (v) VALUES (?1)");
      REQUIRE(st.ok());
      st->bind(1, gw::sqlite::Blob{blob});
      REQUIRE(st->run().ok());
    }
  };
  write_rows(300);
  CHECK(main_size() == before);
  CHECK((*cp)->checkpoints() == 0);

  (*cp)->start();
  REQUIRE(clock.await_waits(1));  // its first pass finds the WAL past the threshold
  REQUIRE((*cp)->checkpoints() >= 1);
  CHECK(main_size() > before + 300 * 4000);
  const uint64_t after_first = (*cp)->checkpoints();
  write_rows(60);  // a commit past the threshold (counted from where the log rewound) wakes it again
  REQUIRE(clock.await_waits(2));
  CHECK((*cp)->checkpoints() > after_first);

  (*cp)->stop();
  WalCheckpointer::detach(db.handle());
  // The data is all there, through the writing connection.
  auto q = db.prepare("SELECT COUNT(*) FROM t");
  REQUIRE(q.ok());
  REQUIRE(q->step().ok());
  CHECK(q->int64(0) == 360);
}

TEST_CASE("a WAL below the threshold is checkpointed once the interval has passed on the clock, not before",
          "[store]") {
  gw::testing::TempDir dir;
  const std::string path = (dir.path() / "wal.db").string();
  auto db = open_wal_db(path);

  gw::sqlite::WalCheckpointOptions options;
  options.pages = 1000;
  options.interval = 1s;
  gw::testing::FakeClock clock;
  auto cp = WalCheckpointer::open(path, options, clock);
  REQUIRE(cp.ok());
  (*cp)->attach(db.handle());
  (*cp)->start();
  REQUIRE(clock.await_waits(1));
  CHECK((*cp)->checkpoints() == 0);  // nothing committed yet: nothing to do

  for (int i = 0; i < 5; ++i) REQUIRE(db.exec("INSERT INTO t (v) VALUES ('far below 1000 pages')").ok());
  clock.advance(999ms);  // the checkpointer has looked at the time and waits on
  CHECK(clock.waits() == 1);
  CHECK((*cp)->checkpoints() == 0);
  clock.advance(1ms);
  REQUIRE(clock.await_waits(2));
  CHECK((*cp)->checkpoints() == 1);

  // The WAL is copied back: nothing left to do at the next interval.
  clock.advance(1s);
  REQUIRE(clock.await_waits(3));
  CHECK((*cp)->checkpoints() == 1);
  (*cp)->stop();
  WalCheckpointer::detach(db.handle());
}

// WalCheckpointer: checkpoints run on their own thread, never in a commit.
#include "gateway/store/sqlite/wal_checkpointer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "gateway/store/sqlite/database.h"
#include "tests/support/temp_dir.h"

using gw::sqlite::Database;
using gw::sqlite::WalCheckpointer;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("commits leave checkpoints to the checkpointer thread", "[store]") {
  gw::testing::TempDir dir;
  const std::string path = (dir.path() / "wal.db").string();
  auto db = Database::open(path);
  REQUIRE(db.ok());
  REQUIRE(db->exec("PRAGMA journal_mode = WAL").ok());
  REQUIRE(db->exec("PRAGMA synchronous = NORMAL").ok());
  REQUIRE(db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)").ok());

  gw::sqlite::WalCheckpointOptions options;
  options.pages = 50;
  options.interval = 20ms;
  auto cp = WalCheckpointer::open(path, options);
  REQUIRE(cp.ok());
  (*cp)->attach(db->handle());
  const auto main_size = [&] { return fs::file_size(path); };
  const auto before = main_size();

  // 300 commits of a 4 KB row each: far past SQLite's own 1000-page threshold
  // would be needed for an automatic checkpoint, and past ours many times. With
  // the thread not started, nothing may reach the main file.
  const std::string blob(4000, 'x');
  auto write_rows = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto st = db->prepare("INSERT INTO t (v) VALUES (?1)");
      REQUIRE(st.ok());
      st->bind(1, gw::sqlite::Blob{blob});
      REQUIRE(st->run().ok());
    }
  };
  write_rows(300);
  CHECK(main_size() == before);
  CHECK((*cp)->checkpoints() == 0);

  (*cp)->start();
  write_rows(10);  // a commit past the threshold wakes it at once
  for (int i = 0; i < 300 && (*cp)->checkpoints() == 0; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE((*cp)->checkpoints() >= 1);
  CHECK(main_size() > before + 300 * 4000);

  (*cp)->stop();
  WalCheckpointer::detach(db->handle());
  // The data is all there, through the writing connection.
  auto q = db->prepare("SELECT COUNT(*) FROM t");
  REQUIRE(q.ok());
  REQUIRE(q->step().ok());
  CHECK(q->int64(0) == 310);
}

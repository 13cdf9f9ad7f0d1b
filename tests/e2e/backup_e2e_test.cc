// `gateway backup` and `gateway restore` on real gateway processes: a backup
// taken while webhooks keep coming restores every message acknowledged before it
// began, and the restored gateway serves; restore refuses while a gateway
// serves, and a backup made under other keys; backup never replaces a file and
// holds no key; an unfinished restore keeps /readyz at 503 until it is run again.
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "gateway/cli/configured_store.h"
#include "gateway/core/digest.h"
#include "gateway/core/form_encoding.h"
#include "gateway/store/intake.h"
#include "gateway/store/sqlite/database.h"
#include "gateway/store/sqlite/database_lock.h"
#include "gateway/store/sqlite/sqlite_backup.h"
#include "tests/support/fake_twilio.h"
#include "tests/support/http_wait.h"
#include "tests/support/serve_twilio.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

using namespace std::chrono_literals;

namespace {

using gw::testing::message_sid;

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "backup-auth-token";
const std::string kTokenEnv = "BACKUP_TWILIO_TOKEN";

gw::testing::RunResult gateway(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {GATEWAY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return gw::testing::run_process(argv, "", 60s, {kTokenEnv + "=" + kToken});
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

gw::FormFields inbound(const std::string& from, const std::string& sid) {
  return gw::testing::inbound_sms(kAccount, from, sid);
}

// The MessageSids of the inbound messages stored for each sender, read through
// the Store with the deployment's keys.
std::map<std::string, std::set<std::string>> stored_inbound(const std::string& config,
                                                            const std::vector<std::string>& senders) {
  REQUIRE(::setenv(kTokenEnv.c_str(), kToken.c_str(), 1) == 0);
  auto cfg = gw::cli::load_config(config);
  REQUIRE(cfg.ok());
  auto crypto = gw::cli::load_crypto(*cfg);
  REQUIRE(crypto.ok());
  gw::SystemClock clock;
  auto store = gw::cli::open_store(*cfg, *crypto, clock);
  REQUIRE(store.ok());
  std::map<std::string, std::set<std::string>> out;
  for (const std::string& from : senders) {
    auto contact = (*store)->find_contact("uk-sms", from);
    REQUIRE(contact.ok());
    if (!contact->has_value()) continue;
    auto conv = (*store)->open_or_get_conversation((*contact)->id, "uk-sms", clock.now());
    REQUIRE(conv.ok());
    auto messages = (*store)->list_messages(conv->id);
    REQUIRE(messages.ok());
    for (const gw::Message& m : *messages) {
      if (m.direction == "in" && m.provider_id) out[from].insert(*m.provider_id);
    }
  }
  REQUIRE((*store)->close().ok());
  return out;
}

// A deployment made by a gateway that served once and stopped: its config.
std::string served_once(const std::string& dir, const std::string& api_base) {
  const std::string config = gw::testing::write_twilio_serve_config(dir, api_base, kAccount, kTokenEnv);
  REQUIRE(gw::testing::serve_once(config, {kTokenEnv + "=" + kToken}));
  return config;
}

}  // namespace

TEST_CASE("a backup taken during a burst of webhooks restores every message acknowledged before it began",
          "[e2e][backup]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  const std::string dir = gw::testing::make_temp_dir("gw-backup");
  const std::string public_url = gw::testing::kServePublicUrl;
  const std::string config =
      gw::testing::write_twilio_serve_config(dir, twilio.api_base(), kAccount, kTokenEnv);
  const std::vector<std::string> argv = {GATEWAY_BINARY, "serve", "--config", config};
  const std::vector<std::string> env = {kTokenEnv + "=" + kToken};
  const std::string file = dir + "/backup.db";
  constexpr int kPeople = 4;
  auto person = [](int p) { return "+4477009003" + std::to_string(10 + p); };
  std::vector<std::string> senders;
  for (int p = 0; p < kPeople; ++p) senders.push_back(person(p));
  const std::string late_sender = "+447700900399";
  senders.push_back(late_sender);

  std::mutex mu;
  std::map<std::string, std::set<std::string>> acknowledged;
  std::map<std::string, std::set<std::string>> before_backup;  // acknowledged when the backup began
  std::atomic<int> ok{0};
  std::atomic<bool> stop{false};
  {
    gw::testing::BackgroundProcess serve(argv, env);
    const int port = gw::testing::listening_port(serve);
    REQUIRE(port > 0);
    httplib::Client probe("127.0.0.1", port);
    REQUIRE(gw::testing::get_when_up(probe, "/readyz"));
    std::vector<std::thread> people;
    for (int p = 0; p < kPeople; ++p) {
      people.emplace_back([&, p, port] {
        httplib::Client client("127.0.0.1", port);
        for (int i = 0; i < 99 && !stop.load(); ++i) {
          const std::string s = message_sid(p, i);
          auto res = gw::testing::post_signed_inbound(client, public_url, kToken, inbound(person(p), s));
          if (!res || res->status != 200) continue;
          std::lock_guard<std::mutex> lock(mu);
          acknowledged[person(p)].insert(s);
          ++ok;
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (ok.load() < 20 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    // The database's write lock held for a moment (less than the gateway's 5 s busy
    // timeout): the messages acknowledged meanwhile wait in the intake, so the
    // backup must carry the intake's rows too.
    auto holder = gw::sqlite::Database::open(dir + "/data/gateway.db");
    REQUIRE(holder.ok());
    REQUIRE(holder->exec("PRAGMA busy_timeout = 5000").ok());
    REQUIRE(holder->exec("BEGIN IMMEDIATE").ok());
    const int locked_at = ok.load();
    while (ok.load() < locked_at + 8 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    {
      std::lock_guard<std::mutex> lock(mu);
      before_backup = acknowledged;
    }
    const gw::testing::RunResult backup = gateway({"backup", file, "--config", config});
    REQUIRE(holder->exec("ROLLBACK").ok());
    REQUIRE(holder->close().ok());
    const int during = ok.load();
    stop = true;
    for (auto& t : people) t.join();
    INFO(backup.err);
    REQUIRE(backup.exit_code == 0);
    auto info = gw::sqlite::read_backup_info(file);
    REQUIRE(info.ok());
    CHECK(info->intake_rows >= 8);
    // The burst went on while the backup ran.
    CHECK(ok.load() > during - 1);
    // A message acknowledged after the backup: the restore must not have it.
    auto late = gw::testing::post_signed_inbound(probe, public_url, kToken, inbound(late_sender, message_sid(9, 0)));
    REQUIRE(late);
    REQUIRE(late->status == 200);

    // Restore refuses while the gateway serves, and changes nothing.
    const gw::testing::RunResult refused = gateway({"restore", file, "--config", config});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("serving") != std::string::npos);
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(gw::sqlite::restore_marker_path_for(dir + "/data/gateway.db")));
    // Everything handled (the late message too) before the gateway stops.
    REQUIRE(gw::testing::intake_drained(probe, 30s));
    serve.signal(SIGTERM);
    REQUIRE(serve.wait(10000ms) == 0);
  }
  int before_count = 0;
  for (const auto& [from, sids] : before_backup) before_count += static_cast<int>(sids.size());
  REQUIRE(before_count >= 20);
  // The late message is stored before the restore, and gone after it.
  REQUIRE(stored_inbound(config, {late_sender})[late_sender].count(message_sid(9, 0)) == 1);

  const gw::testing::RunResult restore = gateway({"restore", file, "--config", config});
  INFO(restore.err);
  REQUIRE(restore.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(dir + "/data/gateway.db.before-restore"));
  CHECK_FALSE(std::filesystem::exists(gw::sqlite::restore_marker_path_for(dir + "/data/gateway.db")));

  // The restored gateway serves: it handles what the backup's intake held, and new messages.
  {
    gw::testing::BackgroundProcess serve(argv, env);
    const int port = gw::testing::listening_port(serve);
    REQUIRE(port > 0);
    httplib::Client client("127.0.0.1", port);
    auto ready = gw::testing::get_when_up(client, "/readyz");
    REQUIRE(ready);
    CHECK(ready->status == 200);
    auto res = gw::testing::post_signed_inbound(client, public_url, kToken, inbound(person(0), message_sid(8, 0)));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(gw::testing::intake_drained(client, 20s));
    serve.signal(SIGTERM);
    REQUIRE(serve.wait(10000ms) == 0);
  }
  const auto stored = stored_inbound(config, senders);
  int missing = 0;
  for (const auto& [from, sids] : before_backup) {
    for (const std::string& s : sids) {
      auto it = stored.find(from);
      if (it == stored.end() || it->second.count(s) == 0) ++missing;
    }
  }
  CHECK(missing == 0);
  CHECK(stored.count(late_sender) == 0);
  CHECK(stored.at(person(0)).count(message_sid(8, 0)) == 1);
}

TEST_CASE("backup never replaces a file, holds no key, and restore refuses a backup made under other keys",
          "[e2e][backup]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  gw::testing::TempDir dir_a("gw-backup-a");
  gw::testing::TempDir dir_b("gw-backup-b");
  const std::string config_a = served_once(dir_a.path().string(), twilio.api_base());
  const std::string config_b = served_once(dir_b.path().string(), twilio.api_base());

  // An existing FILE is left as it was.
  const std::string taken = (dir_a.path() / "taken.db").string();
  { std::ofstream(taken) << "precious"; }
  const gw::testing::RunResult refused = gateway({"backup", taken, "--config", config_a});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("exists") != std::string::npos);
  CHECK(read_file(taken) == "precious");
  CHECK_FALSE(std::filesystem::exists(taken + ".tmp"));

  const std::string file = (dir_a.path() / "a.backup").string();
  const gw::testing::RunResult made = gateway({"backup", file, "--config", config_a});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  // No key material: neither the key file's base64 nor the raw keys.
  const std::string bytes = read_file(file);
  const auto keys = nlohmann::json::parse(read_file((dir_a.path() / "data" / "keys.json").string()));
  for (const char* name : {"data", "index"}) {
    const std::string b64 = keys.at(name).get<std::string>();
    auto raw = gw::base64_decode(b64);
    REQUIRE(raw);
    CHECK(bytes.find(b64) == std::string::npos);
    CHECK(bytes.find(*raw) == std::string::npos);
  }

  // Deployment B has keys of its own: its database stays as it was.
  const std::string db_b = (dir_b.path() / "data" / "gateway.db").string();
  const std::string before = read_file(db_b);
  const gw::testing::RunResult other = gateway({"restore", file, "--config", config_b});
  CHECK(other.exit_code == 1);
  CHECK(other.err.find("other keys") != std::string::npos);
  CHECK(read_file(db_b) == before);
  CHECK_FALSE(std::filesystem::exists(gw::sqlite::restore_marker_path_for(db_b)));
  // The deployment that made it takes it.
  CHECK(gateway({"restore", file, "--config", config_a}).exit_code == 0);
}

TEST_CASE("an unfinished restore keeps readyz at 503 until restore is run again", "[e2e][backup]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  gw::testing::TempDir dir("gw-backup-marker");
  const std::string config = served_once(dir.path().string(), twilio.api_base());
  const std::string db = (dir.path() / "data" / "gateway.db").string();
  const std::string file = (dir.path() / "b.backup").string();
  REQUIRE(gateway({"backup", file, "--config", config}).exit_code == 0);
  // A restore that died after moving the database aside: the marker is left, the
  // original is kept as *.before-restore, the database is missing.
  { std::ofstream(gw::sqlite::restore_marker_path_for(db)) << "unfinished\n"; }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (std::filesystem::exists(db + suffix))
      std::filesystem::rename(db + suffix, db + ".before-restore" + suffix);
  }

  const std::vector<std::string> argv = {GATEWAY_BINARY, "serve", "--config", config};
  const std::vector<std::string> env = {kTokenEnv + "=" + kToken};
  {
    gw::testing::BackgroundProcess serve(argv, env);
    const int port = gw::testing::listening_port(serve);
    REQUIRE(port > 0);
    httplib::Client client("127.0.0.1", port);
    auto ready = gw::testing::get_when_up(client, "/readyz");
    REQUIRE(ready);
    CHECK(ready->status == 503);
    const auto body = nlohmann::json::parse(ready->body);
    CHECK(body.at("status") == "not_ready");
    CHECK(body.at("checks").at("restore").get<std::string>().find("restore") != std::string::npos);
    CHECK(body.at("checks").at("store") == "ok");
    serve.signal(SIGTERM);
    REQUIRE(serve.wait(10000ms) == 0);
  }
  const gw::testing::RunResult again = gateway({"restore", file, "--config", config});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(gw::sqlite::restore_marker_path_for(db)));
  CHECK_FALSE(std::filesystem::exists(db + ".before-restore"));
  {
    gw::testing::BackgroundProcess serve(argv, env);
    const int port = gw::testing::listening_port(serve);
    REQUIRE(port > 0);
    httplib::Client client("127.0.0.1", port);
    auto ready = gw::testing::get_when_up(client, "/readyz");
    REQUIRE(ready);
    CHECK(ready->status == 200);
    serve.signal(SIGTERM);
    REQUIRE(serve.wait(10000ms) == 0);
  }
}

TEST_CASE("backup and restore refuse a PostgreSQL deployment with a pointer to pg_dump", "[e2e][backup]") {
  gw::testing::TempDir dir("gw-backup-pg");
  const std::string config = gw::testing::write_serve_config(
      dir.path().string(),
      {{"database",
        {{"driver", "postgres"}, {"url", "postgresql://nobody@127.0.0.1:1/none"}, {"path", nullptr}}},
       {"keys",
        {{"data", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
         {"index", "ERERERERERERERERERERERERERERERERERERERERERE="}}}});
  for (const char* cmd : {"backup", "restore"}) {
    const gw::testing::RunResult r = gateway({cmd, (dir.path() / "x.backup").string(), "--config", config});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("pg_dump") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

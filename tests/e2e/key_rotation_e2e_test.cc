// `gateway keys rotate` on real gateway processes: a store of 10,000 messages
// is re-sealed with a new data key while the gateway serves webhooks; a
// rotation killed half-way keeps /readyz at 503 and is finished by running it
// again; afterwards nothing is sealed with the old key and every value opens with
// the new key alone. --index rebuilds the contact index so that every contact is
// found again, with the new index key only. A serving process that does not take
// the new keys holds the rotation back, unfinished, rather than being handed
// values it cannot read.
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/cli/configured_store.h"
#include "gateway/core/digest.h"
#include "gateway/core/form_encoding.h"
#include "gateway/core/ids.h"
#include "gateway/security/key_file.h"
#include "gateway/store/intake.h"
#include "gateway/store/sqlite/database.h"
#include "tests/support/fake_twilio.h"
#include "tests/support/http_wait.h"
#include "tests/support/serve_twilio.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

using namespace std::chrono_literals;

namespace {

using gw::testing::message_sid;

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "rotation-auth-token";
const std::string kTokenEnv = "ROTATION_TWILIO_TOKEN";

gw::testing::RunResult gateway(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {GATEWAY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return gw::testing::run_process(argv, "", 120s, {kTokenEnv + "=" + kToken});
}

std::string person(int p) { return "+4477009004" + std::to_string(10 + p); }

gw::FormFields inbound(const std::string& from, const std::string& sid) {
  return gw::testing::inbound_sms(kAccount, from, sid);
}

// A deployment made by a gateway that served once and stopped: its config.
std::string served_once(const std::string& dir, const std::string& api_base,
                        const nlohmann::json& extra = nlohmann::json::object()) {
  const std::string config = gw::testing::write_twilio_serve_config(dir, api_base, kAccount, kTokenEnv, extra);
  REQUIRE(gw::testing::serve_once(config, {kTokenEnv + "=" + kToken}));
  return config;
}

// Fills the stopped deployment's store: `contacts` people, `messages` messages
// in all, and a session, a handover and a note for each person: every sealed
// column holds values.
void fill_store(const std::string& config, int contacts, int messages) {
  REQUIRE(::setenv(kTokenEnv.c_str(), kToken.c_str(), 1) == 0);
  gw::SystemClock clock;
  auto store = gw::cli::open_configured_store(config, clock);
  REQUIRE(store.ok());
  std::vector<gw::Conversation> conversations;
  for (int p = 0; p < contacts; ++p) {
    auto c = (*store)->upsert_contact("uk-sms", person(p), clock.now());
    REQUIRE(c.ok());
    auto conv = (*store)->open_or_get_conversation(c->id, "uk-sms", clock.now());
    REQUIRE(conv.ok());
    conversations.push_back(*conv);
    REQUIRE((*store)->save_session(c->id, R"({"node":"start"})", clock.now() + 24h, clock.now()).ok());
    gw::Handover h;
    h.conversation_id = conv->id;
    h.contact_id = c->id;
    h.queue = "general";
    h.language = "en";
    h.reason = "asked for a person";
    h.created_at = clock.now();
    REQUIRE((*store)->create_handover(h).ok());
    REQUIRE((*store)->add_note(conv->id, c->id, std::nullopt, "called back", clock.now()).ok());
  }
  for (int i = 0; i < messages; ++i) {
    const gw::Conversation& conv = conversations[static_cast<size_t>(i % contacts)];
    gw::Message m;
    m.contact_id = conv.contact_id;
    m.conversation_id = conv.id;
    m.channel_id = "uk-sms";
    m.provider_id = "SMfill" + std::to_string(i);
    m.body = "message number " + std::to_string(i);
    m.created_at = clock.now();
    REQUIRE((*store)->insert_inbound(m).ok());
  }
  REQUIRE((*store)->close().ok());
}

gw::KeyMaterial key_file_of(const std::string& dir) {
  auto keys = gw::read_key_file(dir + "/data/keys.json");
  REQUIRE(keys.ok());
  return *keys;
}

std::string key_id(const std::string& b64) {
  auto c = gw::Crypto::from_keys({b64}, gw::base64_encode(std::string(32, 'i')));
  REQUIRE(c.ok());
  return c->active_key_id();
}

struct Sealed {
  std::string table, column, key;
  bool intake;
};
const std::vector<Sealed> kSealed = {{"contacts", "address", "id", false},  {"messages", "body", "id", false},
                                     {"sessions", "state", "contact_id", false},
                                     {"handovers", "reason", "id", false},  {"notes", "body", "id", false},
                                     {"outbox", "last_error", "id", false}, {"inbound_queue", "payload", "id", true}};

struct Scan {
  int64_t values = 0;
  int64_t messages = 0;
  std::set<std::string> key_ids;
  int64_t not_opened = 0;
};

// Every sealed value of the deployment, read from the files, opened with
// `crypto` (which holds the new data key alone).
Scan scan(const std::string& dir, const gw::Crypto& crypto) {
  auto db = gw::sqlite::Database::open(dir + "/data/gateway.db");
  REQUIRE(db.ok());
  REQUIRE(db->run("ATTACH DATABASE ?1 AS intake", gw::intake_path_for(dir + "/data/gateway.db")).ok());
  Scan s;
  for (const Sealed& c : kSealed) {
    const std::string sql = "SELECT " + c.column + " FROM " + (c.intake ? "intake." : "") + c.table + " WHERE " +
                            c.column + " IS NOT NULL";
    REQUIRE(db->query(sql, [&](const gw::sqlite::Statement& row) {
                const std::string blob = row.blob(0);
                ++s.values;
                if (c.table == "messages") ++s.messages;
                s.key_ids.insert(gw::Crypto::key_id_of(blob));
                if (!crypto.decrypt(blob, c.table + "." + c.column).ok()) ++s.not_opened;
              }).ok());
  }
  REQUIRE(db->close().ok());
  return s;
}

int ready_status(httplib::Client& client) {
  auto res = client.Get("/readyz");
  return res ? res->status : 0;
}

bool ready_becomes(httplib::Client& client, int status, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready_status(client) == status) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("keys rotate re-seals 10,000 messages while webhooks come, resumes after a kill, and leaves no old key",
          "[e2e][keys]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  const std::string dir = gw::testing::make_temp_dir("gw-rotate");
  const std::string config = served_once(dir, twilio.api_base());
  constexpr int kPeople = 50;
  constexpr int kMessages = 10000;
  fill_store(config, kPeople, kMessages);
  const gw::KeyMaterial before = key_file_of(dir);
  const std::string old_id = key_id(before.data_b64);

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  {
    gw::testing::BackgroundProcess serve({GATEWAY_BINARY, "serve", "--config", config}, {kTokenEnv + "=" + kToken});
    const int port = gw::testing::listening_port(serve);
    REQUIRE(port > 0);
    httplib::Client probe("127.0.0.1", port);
    REQUIRE(gw::testing::get_when_up(probe, "/readyz"));
    REQUIRE(ready_becomes(probe, 200, 10s));

    // People keep texting all through the rotation.
    std::thread texting([&, port] {
      httplib::Client client("127.0.0.1", port);
      for (int i = 0; !stop.load(); ++i) {
        auto res = gw::testing::post_signed_inbound(client, gw::testing::kServePublicUrl, kToken,
                                                    inbound(person(i % 5), message_sid(i % 5, i / 5)));
        if (res && res->status == 200) ++acknowledged;
        std::this_thread::sleep_for(20ms);
      }
    });

    // A rotation killed half-way: batches of 100, a pause between them.
    {
      gw::testing::BackgroundProcess rotate(
          {GATEWAY_BINARY, "keys", "rotate", "--config", config, "--batch", "100", "--pause", "20"},
          {kTokenEnv + "=" + kToken});
      const std::string line = rotate.wait_for_line("messages.body:", 60s);
      REQUIRE_FALSE(line.empty());
      rotate.signal(SIGKILL);
      rotate.wait(5000ms);
    }
    // The new key is in the key file, the old one kept; the serving gateway
    // took it; the rotation is unfinished and /readyz says so.
    const gw::KeyMaterial during = key_file_of(dir);
    const std::string new_id = key_id(during.data_b64);
    CHECK(new_id != old_id);
    REQUIRE(during.data_previous.size() == 1);
    CHECK(during.data_previous[0] == before.data_b64);
    CHECK(during.index_b64 == before.index_b64);
    REQUIRE(ready_becomes(probe, 503, 5s));
    auto res = probe.Get("/readyz");
    REQUIRE(res);
    CHECK(res->body.find("key rotation is unfinished") != std::string::npos);

    // Run again: it takes the rotation up and finishes it.
    const gw::testing::RunResult again = gateway({"keys", "rotate", "--config", config, "--batch", "500"});
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    CHECK(again.out.find("Resuming the rotation to data key " + new_id) != std::string::npos);
    CHECK(again.out.find("sealed with data key " + new_id) != std::string::npos);
    CHECK(again.out.find("Data key " + old_id + " no longer seals anything") != std::string::npos);
    CHECK(key_file_of(dir).data_b64 == during.data_b64);  // no third key
    CHECK(ready_becomes(probe, 200, 5s));

    const int before_stop = acknowledged.load();
    stop = true;
    texting.join();
    CHECK(before_stop > 10);
    REQUIRE(gw::testing::intake_drained(probe, 30s));
    // The webhooks of the rotation were answered by the bot.
    CHECK(twilio.count() > 0);
    serve.signal(SIGTERM);
    REQUIRE(serve.wait(10000ms) == 0);
  }

  // Nothing sealed with the old key; every value opens with the new key alone.
  const gw::KeyMaterial after = key_file_of(dir);
  auto only_new = gw::Crypto::from_keys({after.data_b64}, after.index_b64);
  REQUIRE(only_new.ok());
  const Scan s = scan(dir, *only_new);
  CHECK(s.messages >= kMessages + acknowledged.load());
  CHECK(s.values > s.messages + 3 * kPeople);
  CHECK(s.key_ids == std::set<std::string>{only_new->active_key_id()});
  CHECK(s.not_opened == 0);

  // keys status says the old key seals nothing.
  const gw::testing::RunResult status = gateway({"keys", "status", "--config", config});
  REQUIRE(status.exit_code == 0);
  CHECK(status.out.find("data key " + old_id + ": seals 0 values (no longer needed by this database)") !=
        std::string::npos);
  CHECK(status.out.find("No rotation in progress.") != std::string::npos);
}

TEST_CASE("keys rotate --index rebuilds the contact index: every contact is found again, by the new key only",
          "[e2e][keys]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  const std::string dir = gw::testing::make_temp_dir("gw-rotate-index");
  const std::string config = served_once(dir, twilio.api_base());
  constexpr int kPeople = 40;
  fill_store(config, kPeople, 200);
  const gw::KeyMaterial before = key_file_of(dir);
  {
    gw::testing::BackgroundProcess serve({GATEWAY_BINARY, "serve", "--config", config}, {kTokenEnv + "=" + kToken});
    const int port = gw::testing::listening_port(serve);
    REQUIRE(port > 0);
    httplib::Client client("127.0.0.1", port);
    REQUIRE(gw::testing::get_when_up(client, "/readyz"));
    const gw::testing::RunResult rotate = gateway({"keys", "rotate", "--index", "--config", config});
    INFO(rotate.out << rotate.err);
    REQUIRE(rotate.exit_code == 0);
    CHECK(rotate.out.find("contacts.address_hash: " + std::to_string(kPeople) + " rebuilt") != std::string::npos);
    // A person who texted before writes again: the same contact, not a new one.
    auto res = gw::testing::post_signed_inbound(client, gw::testing::kServePublicUrl, kToken,
                                                inbound(person(3), message_sid(3, 99)));
    REQUIRE(res);
    CHECK(res->status == 200);
    REQUIRE(gw::testing::intake_drained(client, 20s));
    serve.signal(SIGTERM);
    REQUIRE(serve.wait(10000ms) == 0);
  }
  const gw::KeyMaterial after = key_file_of(dir);
  CHECK(after.index_b64 != before.index_b64);
  CHECK(after.index_previous == before.index_b64);
  // Another index rotation would drop that previous key: refused until the
  // administrator has removed it from the file themselves.
  const gw::testing::RunResult second = gateway({"keys", "rotate", "--index", "--config", config});
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("index_previous") != std::string::npos);
  CHECK(key_file_of(dir).index_previous == before.index_b64);
  CHECK(key_file_of(dir).data_b64 == after.data_b64);

  // Every hash is the new index key's; no contact was made twice.
  auto only_new = gw::Crypto::from_keys({after.data_b64}, after.index_b64);
  REQUIRE(only_new.ok());
  auto db = gw::sqlite::Database::open(dir + "/data/gateway.db");
  REQUIRE(db.ok());
  int64_t contacts = 0;
  int64_t matching = 0;
  REQUIRE(db->query("SELECT address, address_hash FROM contacts", [&](const gw::sqlite::Statement& row) {
              ++contacts;
              auto address = only_new->decrypt(row.blob(0), "contacts.address");
              if (address && only_new->index_hash(*address) == row.blob(1)) ++matching;
            }).ok());
  REQUIRE(db->close().ok());
  CHECK(contacts == kPeople);
  CHECK(matching == kPeople);

  // Without the previous index key (removed as rotate says it may be), a contact is still found.
  REQUIRE(::setenv(kTokenEnv.c_str(), kToken.c_str(), 1) == 0);
  auto cfg = gw::cli::load_config(config);
  REQUIRE(cfg.ok());
  gw::SystemClock clock;
  auto store = gw::cli::open_store(*cfg, *only_new, clock);
  REQUIRE(store.ok());
  auto found = (*store)->find_contact("uk-sms", person(7));
  REQUIRE(found.ok());
  CHECK(found->has_value());
  REQUIRE((*store)->close().ok());
}

TEST_CASE("keys rotate waits for a serving process that holds other keys, then fails and leaves the rotation "
          "unfinished",
          "[e2e][keys]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  const std::string dir = gw::testing::make_temp_dir("gw-rotate-config");
  const std::string old_data = gw::base64_encode(gw::random_bytes(32));
  const std::string index = gw::base64_encode(gw::random_bytes(32));
  const std::string config =
      served_once(dir, twilio.api_base(), {{"keys", {{"data", old_data}, {"index", index}}}});
  fill_store(config, 5, 50);

  // The gateway serves with the old key; the configuration rotate reads names a new one.
  gw::testing::BackgroundProcess serve({GATEWAY_BINARY, "serve", "--config", config}, {kTokenEnv + "=" + kToken});
  const int port = gw::testing::listening_port(serve);
  REQUIRE(port > 0);
  httplib::Client client("127.0.0.1", port);
  REQUIRE(gw::testing::get_when_up(client, "/readyz"));
  REQUIRE(ready_becomes(client, 200, 10s));
  const std::string new_data = gw::base64_encode(gw::random_bytes(32));
  std::filesystem::create_directories(dir + "/rotated");
  const std::string rotated = gw::testing::write_twilio_serve_config(
      dir + "/rotated", twilio.api_base(), kAccount, kTokenEnv,
      {{"database", {{"path", dir + "/data/gateway.db"}}},
       {"keys", {{"data", new_data}, {"data_previous", {old_data}}, {"index", index}}}});

  const gw::testing::RunResult rotate = gateway({"keys", "rotate", "--config", rotated, "--wait", "2"});
  CHECK(rotate.exit_code == 1);
  CHECK(rotate.err.find("still hold other keys") != std::string::npos);
  CHECK(std::count(rotate.err.begin(), rotate.err.end(), '\n') == 1);
  CHECK(rotate.err.find(new_data) == std::string::npos);
  CHECK(rotate.out.find(new_data) == std::string::npos);
  CHECK(ready_becomes(client, 503, 5s));
  // Nothing was re-sealed: the serving gateway reads everything still.
  auto only_old = gw::Crypto::from_keys({old_data}, index);
  REQUIRE(only_old.ok());
  const Scan s = scan(dir, *only_old);
  CHECK(s.key_ids == std::set<std::string>{only_old->active_key_id()});
  serve.signal(SIGTERM);
  REQUIRE(serve.wait(10000ms) == 0);

  // Restarted with the new keys, the rotation goes through.
  gw::testing::BackgroundProcess again({GATEWAY_BINARY, "serve", "--config", rotated}, {kTokenEnv + "=" + kToken});
  const int port2 = gw::testing::listening_port(again);
  REQUIRE(port2 > 0);
  httplib::Client client2("127.0.0.1", port2);
  REQUIRE(ready_becomes(client2, 503, 10s));
  const gw::testing::RunResult done = gateway({"keys", "rotate", "--config", rotated, "--wait", "10"});
  INFO(done.out << done.err);
  REQUIRE(done.exit_code == 0);
  CHECK(done.out.find("remove it (keys.data_previous) from the configuration") != std::string::npos);
  CHECK(ready_becomes(client2, 200, 5s));
  again.signal(SIGTERM);
  REQUIRE(again.wait(10000ms) == 0);
  auto only_new = gw::Crypto::from_keys({new_data}, index);
  REQUIRE(only_new.ok());
  const Scan after = scan(dir, *only_new);
  CHECK(after.not_opened == 0);
  CHECK(after.key_ids == std::set<std::string>{only_new->active_key_id()});
}

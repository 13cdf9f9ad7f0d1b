// The operator console's API on a real loopback server: staff log in through
// StaffAuth, people hand over through the conversations, and the console's
// routes are called as the page calls them.
#include "gateway/helpdesk/console_api.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>
#include <vector>

#include "gateway/security/login_throttle.h"
#include "gateway/security/password_hasher.h"
#include "gateway/security/staff_sessions.h"
#include "tests/helpdesk/helpdesk_fixture.h"
#include "tests/http/running_server.h"
#include "tests/support/audit_check.h"
#include "tests/support/staff_login.h"
#include "tests/support/test_http_options.h"

using gw::http::testing::RunningServer;
using gw::http::testing::test_options;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The keepalive and the session check run on the fixture's FakeClock: they
// happen when a test advances it by this much, never on their own.
gw::ConsoleApiOptions fast_keepalive() {
  gw::ConsoleApiOptions o;
  o.keepalive = 200ms;
  return o;
}

struct ConsoleFixture : gw::testing::HelpdeskFixture {
  gw::StaffSessions sessions{clock};
  gw::LoginThrottle throttle{clock};
  gw::PasswordHasher hasher{gw::PasswordHashOptions::for_tests()};
  gw::http::StaffAuth auth{*store, clock, sessions, throttle, false, gw::PasswordHashOptions::for_tests()};
  gw::ConsoleApiOptions api_options;
  gw::ConsoleApi api;
  gw::http::HttpServer server{registry, test_options()};

  explicit ConsoleFixture(gw::ConsoleApiOptions options = fast_keepalive())
      : api_options(options),
        api(gw::ConsoleContext{auth, helpdesk, *store, clock, events, gw::fixed_content(catalog, &renderer)}, api_options) {
    auth.add_routes(server);
    api.add_routes(server);
  }

  int64_t staff(const std::string& name, const std::string& role, std::vector<std::string> queues) {
    gw::Account a;
    a.username = name;
    a.role = role;
    a.queues = std::move(queues);
    a.languages = {"ar", "en"};
    auto h = hasher.hash(name + " long password");
    REQUIRE(h.ok());
    a.password_hash = *h;
    auto id = store->create_account(a);
    REQUIRE(id.ok());
    return *id;
  }
};

using gw::testing::login;
using gw::testing::Session;

httplib::Result post(httplib::Client& c, const std::string& path, const Session& s, bool with_csrf = true,
                     const std::string& body = "{}") {
  httplib::Headers h = {{"Cookie", s.cookie}};
  if (with_csrf) h.emplace("X-CSRF-Token", s.csrf);
  return c.Post(path.c_str(), h, body, "application/json");
}

httplib::Result get(httplib::Client& c, const std::string& path, const Session& s) {
  return c.Get(path.c_str(), httplib::Headers{{"Cookie", s.cookie}});
}

// An event stream read on a thread of its own until the server ends it.
struct OpenStream {
  std::promise<void> first_bytes;
  bool signalled = false;
  std::future<httplib::Result> ended;  // last: destroyed (waited for) first

  OpenStream(int port, const Session& s) {
    ended = std::async(std::launch::async, [this, port, cookie = s.cookie] {
      httplib::Client sse("127.0.0.1", port);
      sse.set_read_timeout(10, 0);
      return sse.Get("/api/helpdesk/events", httplib::Headers{{"Cookie", cookie}},
                     [this](const char*, size_t) {
                       if (!signalled) {
                         signalled = true;
                         first_bytes.set_value();
                       }
                       return true;
                     });
    });
  }
  // Whether the server's first bytes came within 5 s.
  bool connected() { return first_bytes.get_future().wait_for(5s) == std::future_status::ready; }
};

// An event stream read on a thread of its own, keeping what it received.
// Destroying it shuts the console's streams down and waits for the reader.
class StreamReader {
 public:
  StreamReader(int port, const Session& s, gw::ConsoleApi& api) : api_(api) {
    thread_ = std::thread([this, port, cookie = s.cookie] {
      httplib::Client sse("127.0.0.1", port);
      sse.set_read_timeout(10, 0);
      sse.Get("/api/helpdesk/events", httplib::Headers{{"Cookie", cookie}},
              [this](const char* data, size_t n) {
                std::lock_guard<std::mutex> lock(mu_);
                received_.append(data, n);
                cv_.notify_all();
                return true;
              });
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;
      cv_.notify_all();
    });
  }
  ~StreamReader() {
    api_.shutdown();
    thread_.join();
  }

  // Waits up to 5 s until what was received satisfies `done`; returns whether it did.
  bool wait_until(const std::function<bool(const std::string&)>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return done(received_); });
  }
  // Waits up to 5 s until `text` was received `times` times (or more).
  bool wait_for(const std::string& text, size_t times = 1) {
    return wait_until([&](const std::string& r) { return count(r, text) >= times; });
  }
  // Waits up to 5 s until the server ended the stream.
  bool wait_ended() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return ended_; });
  }
  std::string received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

  static size_t count(const std::string& in, const std::string& text) {
    size_t n = 0;
    for (size_t at = in.find(text); at != std::string::npos; at = in.find(text, at + text.size())) ++n;
    return n;
  }

 private:
  gw::ConsoleApi& api_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string received_;
  bool ended_ = false;
  std::thread thread_;
};

const gw::HelpdeskEvent kGeneralEvent{"handover.created", 1, 2, "general", ""};

bool audited(gw::Store& store, const std::string& action, const std::string& subject) {
  auto entries = store.list_audit(100);
  REQUIRE(entries.ok());
  for (const auto& e : *entries) {
    if (e.action == action && e.subject == subject) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a console POST without the CSRF header is refused and changes nothing", "[helpdesk][console]") {
  ConsoleFixture f;
  auto h = f.handed_over("+447700900001");
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");

  const std::vector<std::string> state_changes = {
      "/api/helpdesk/next", "/api/helpdesk/conversations/" + std::to_string(h.id) + "/assign"};
  for (const std::string& path : state_changes) {
    auto r = post(c, path, s, false);
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(json::parse(r->body)["error"] == "csrf");
  }
  CHECK(f.store->get_handover(h.id)->state == "waiting");
  CHECK_FALSE(audited(*f.store, "handover.assign", "conversation:" + std::to_string(h.conversation_id)));

  // The queue shows it waiting, its reason as text; with the header it is taken.
  auto q = get(c, "/api/helpdesk/queues", s);
  REQUIRE(q);
  REQUIRE(q->status == 200);
  json list = json::parse(q->body);
  REQUIRE(list["conversations"].size() == 1);
  CHECK(list["conversations"][0]["handover_id"] == h.id);
  CHECK(list["conversations"][0]["state"] == "waiting");
  CHECK(list["conversations"][0]["reason"] == f.text("system.help"));
  CHECK(list["queues"][0]["queue"] == "general");
  CHECK(list["queues"][0]["waiting"] == 1);

  auto taken = post(c, "/api/helpdesk/next", s);
  REQUIRE(taken);
  CHECK(taken->status == 200);
  CHECK(json::parse(taken->body)["handover_id"] == h.id);
  CHECK(f.store->get_handover(h.id)->state == "assigned");
  auto none = post(c, "/api/helpdesk/next", s);
  REQUIRE(none);
  CHECK(none->status == 204);
}

TEST_CASE("a conversation of another queue answers exactly as one that does not exist",
          "[helpdesk][console]") {
  ConsoleFixture f;
  auto urgent = f.handed_over("+447700900002", "2");
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session olga = login(c, "olga");
  // Swap the ids in the answer for the missing one: the rest must be the same, byte for byte.
  const int64_t missing = urgent.id + 1000;
  auto same_answer = [&](const std::string& suffix, bool is_post) {
    auto exists = is_post ? post(c, "/api/helpdesk/conversations/" + std::to_string(urgent.id) + suffix, olga)
                          : get(c, "/api/helpdesk/conversations/" + std::to_string(urgent.id) + suffix, olga);
    auto absent = is_post ? post(c, "/api/helpdesk/conversations/" + std::to_string(missing) + suffix, olga)
                          : get(c, "/api/helpdesk/conversations/" + std::to_string(missing) + suffix, olga);
    REQUIRE(exists);
    REQUIRE(absent);
    CHECK(exists->status == 404);
    CHECK(absent->status == 404);
    std::string body = exists->body;
    const std::string id = std::to_string(urgent.id);
    if (auto at = body.find(id); at != std::string::npos)
      body.replace(at, id.size(), std::to_string(missing));
    CHECK(body == absent->body);
  };
  same_answer("", false);
  same_answer("/reveal", true);
  same_answer("/assign", true);
  auto canned_exists = get(c, "/api/helpdesk/canned?conversation=" + std::to_string(urgent.id), olga);
  REQUIRE(canned_exists);
  CHECK(canned_exists->status == 404);
}

TEST_CASE("an operator cannot open a conversation of a queue they are not in, a supervisor can",
          "[helpdesk][console]") {
  ConsoleFixture f;
  auto urgent = f.handed_over("+447700900002", "2");
  f.staff("olga", "operator", {"general"});
  f.staff("sara", "supervisor", {});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  const std::string path = "/api/helpdesk/conversations/" + std::to_string(urgent.id);

  Session olga = login(c, "olga");
  auto refused = get(c, path, olga);
  REQUIRE(refused);
  CHECK(refused->status == 404);
  CHECK(refused->body.find("0900002") == std::string::npos);
  auto reveal_refused = post(c, path + "/reveal", olga);
  REQUIRE(reveal_refused);
  CHECK(reveal_refused->status == 404);
  auto q = get(c, "/api/helpdesk/queues", olga);
  REQUIRE(q);
  CHECK(json::parse(q->body)["conversations"].empty());  // not listed either

  Session sara = login(c, "sara");
  auto opened = get(c, path, sara);
  REQUIRE(opened);
  REQUIRE(opened->status == 200);
  json v = json::parse(opened->body);
  CHECK(v["handover"]["queue"] == "urgent");
  CHECK(v["contact"]["address"] == "+44 •••• ••• 002");
  CHECK(opened->body.find("447700900002") == std::string::npos);
  // The whole history: the person's two messages and the bot's replies, marked so.
  REQUIRE(v["messages"].size() >= 3);
  CHECK(v["messages"][0]["author"] == "person");
  CHECK(v["messages"][0]["text"] == "hello");
  CHECK(v["messages"][1]["author"] == "bot");
  CHECK(v["messages"][1]["template_key"] == "system.welcome");
  CHECK(v["messages"][1]["text"].get<std::string>().rfind(f.text("system.welcome"), 0) == 0);
}

TEST_CASE("opening a conversation and revealing the address are in the audit log", "[helpdesk][console]") {
  ConsoleFixture f;
  auto h = f.handed_over("+447700900003");
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  const std::string subject = "conversation:" + std::to_string(h.conversation_id);
  const std::string path = "/api/helpdesk/conversations/" + std::to_string(h.id);

  CHECK_FALSE(audited(*f.store, "conversation.open", subject));
  auto opened = get(c, path, s);
  REQUIRE(opened);
  CHECK(opened->status == 200);
  CHECK(audited(*f.store, "conversation.open", subject));

  CHECK_FALSE(audited(*f.store, "contact.reveal", subject));
  auto revealed = post(c, path + "/reveal", s);
  REQUIRE(revealed);
  REQUIRE(revealed->status == 200);
  CHECK(json::parse(revealed->body)["address"] == "+447700900003");
  CHECK(audited(*f.store, "contact.reveal", subject));
  auto audit = f.store->list_audit(100);  // a named Result: the loop must not outlive it
  REQUIRE(audit.ok());
  for (const auto& e : *audit) CHECK(e.detail_json.find("0900003") == std::string::npos);
}

TEST_CASE("replies, notes, closing and the segment counter go through the console", "[helpdesk][console]") {
  ConsoleFixture f;
  auto h = f.handed_over("+447700900004");
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  const std::string path = "/api/helpdesk/conversations/" + std::to_string(h.id);

  auto seg = post(c, "/api/helpdesk/segments", s, true, json{{"text", "مرحبا، كيف يمكنني مساعدتك؟"}}.dump());
  REQUIRE(seg);
  CHECK(json::parse(seg->body)["encoding"] == "UCS-2");
  CHECK(json::parse(seg->body)["segments"] == 1);
  auto bad = post(c, "/api/helpdesk/segments", s, true, "not json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(json::parse(bad->body)["error"] == "invalid_request");

  // Not assigned to her yet: no reply.
  auto early = post(c, path + "/reply", s, true, json{{"text", "Hello"}}.dump());
  REQUIRE(early);
  CHECK(early->status == 403);
  REQUIRE(post(c, path + "/assign", s)->status == 200);
  auto sent = post(c, path + "/reply", s, true, json{{"text", "Hello, I am Olga."}}.dump());
  REQUIRE(sent);
  REQUIRE(sent->status == 200);
  auto out = f.outbound(h.conversation_id);
  REQUIRE_FALSE(out.empty());
  CHECK(out.back().body == "Hello, I am Olga.");
  CHECK(gw::message_author(out.back()) == "operator");
  REQUIRE(post(c, path + "/notes", s, true, json{{"text", "Calls back tonight"}}.dump())->status == 200);
  json v = json::parse(get(c, path, s)->body);
  CHECK(v["notes"][0]["text"] == "Calls back tonight");
  CHECK(v["notes"][0]["author"] == "olga");

  auto canned = get(c, "/api/helpdesk/canned?conversation=" + std::to_string(h.id), s);
  REQUIRE(canned);
  REQUIRE(canned->status == 200);
  json replies = json::parse(canned->body)["replies"];
  REQUIRE_FALSE(replies.empty());
  CHECK(replies[0]["key"] == "emergency.numbers");
  CHECK(replies[1]["key"] == "rights.uk.numbers");  // a +44 number: the UK's

  auto wrong_mode = post(c, path + "/close", s, true, json{{"mode", "later"}}.dump());
  REQUIRE(wrong_mode);
  CHECK(wrong_mode->status == 400);
  REQUIRE(post(c, path + "/close", s, true, json{{"mode", "back_to_bot"}}.dump())->status == 200);
  CHECK(f.store->get_handover(h.id)->state == "closed");
  CHECK(f.conversation_state(h.contact_id) == "bot");
}

TEST_CASE("the event stream delivers a new handover as it is created", "[helpdesk][console]") {
  ConsoleFixture f;
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client login_client("127.0.0.1", running.port());
  Session s = login(login_client, "olga");

  httplib::Client unauthenticated("127.0.0.1", running.port());
  auto refused = unauthenticated.Get("/api/helpdesk/events");
  REQUIRE(refused);
  CHECK(refused->status == 401);

  std::promise<void> connected;
  std::promise<std::string> first_event;
  std::string content_type;
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", running.port());
    c.set_read_timeout(5, 0);
    std::string buffer;
    bool greeted = false, done = false;
    c.Get(
        "/api/helpdesk/events", httplib::Headers{{"Cookie", s.cookie}},
        [&](const httplib::Response& r) {
          content_type = r.get_header_value("Content-Type");
          return r.status == 200;
        },
        [&](const char* data, size_t n) {
          buffer.append(data, n);
          if (!greeted && buffer.find(": connected") != std::string::npos) {
            greeted = true;
            connected.set_value();
          }
          const size_t at = buffer.find("data: ");
          if (at != std::string::npos && buffer.find("\n\n", at) != std::string::npos) {
            done = true;
            first_event.set_value(buffer.substr(at + 6, buffer.find("\n\n", at) - at - 6));
            return false;
          }
          return true;
        });
    if (!greeted) connected.set_value();
    if (!done) first_event.set_value("");
  });

  auto ready = connected.get_future();
  REQUIRE(ready.wait_for(5s) == std::future_status::ready);
  CHECK(f.api.open_streams() == 1);
  auto h = f.handed_over("+447700900005");
  auto event = first_event.get_future();
  REQUIRE(event.wait_for(5s) == std::future_status::ready);
  const std::string data = event.get();
  reader.join();
  CHECK(content_type.rfind("text/event-stream", 0) == 0);
  REQUIRE_FALSE(data.empty());
  json e = json::parse(data);
  CHECK(e["type"] == "handover.created");
  CHECK(e["handover_id"] == h.id);
  CHECK(e["queue"] == "general");
  CHECK(data.find("0900005") == std::string::npos);

  // The client went away: the stream notices it (its Clock never moves here, so no keepalive helps).
  CHECK(f.api.wait_for_open_streams(0, 3s));
  f.api.shutdown();
}

TEST_CASE("shutting the console down ends an open event stream", "[helpdesk][console]") {
  ConsoleFixture f;
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  OpenStream stream(running.port(), s);
  REQUIRE(stream.connected());
  const auto t0 = std::chrono::steady_clock::now();
  f.api.shutdown();
  REQUIRE(stream.ended.wait_for(5s) == std::future_status::ready);
  auto r = stream.ended.get();
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  REQUIRE(r);
  CHECK(r->status == 200);
  // New streams are refused once shut down.
  auto late = get(c, "/api/helpdesk/events", s);
  REQUIRE(late);
  CHECK(late->status == 503);
}

TEST_CASE("logging out ends an open event stream", "[helpdesk][console]") {
  ConsoleFixture f;
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  StreamReader stream(running.port(), s, f.api);
  REQUIRE(stream.wait_for(": connected"));
  auto out = post(c, "/api/auth/logout", s);
  REQUIRE(out);
  REQUIRE(out->status == 200);
  // The stream checks its session once a keepalive period of the Clock (200 ms
  // here): until the Clock moves, it still carries events.
  f.events.publish(kGeneralEvent);
  REQUIRE(stream.wait_for("data: "));
  f.clock.advance(200ms);
  REQUIRE(stream.wait_ended());
  CHECK(f.api.wait_for_open_streams(0, 2s));
  f.api.shutdown();
}

TEST_CASE("one account's event streams are limited: one more gets 429 while another operator still connects",
          "[helpdesk][console]") {
  gw::ConsoleApiOptions o = fast_keepalive();
  o.max_streams = 8;
  o.max_streams_per_account = 2;
  ConsoleFixture f(o);
  f.staff("olga", "operator", {"general"});
  f.staff("amir", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session olga = login(c, "olga");
  Session amir = login(c, "amir");
  OpenStream one(running.port(), olga), two(running.port(), olga);
  REQUIRE(one.connected());
  REQUIRE(two.connected());
  auto third = get(c, "/api/helpdesk/events", olga);
  REQUIRE(third);
  CHECK(third->status == 429);
  CHECK(json::parse(third->body).value("error", "") == "too_many_streams");
  OpenStream other(running.port(), amir);
  CHECK(other.connected());
  CHECK(f.api.open_streams() == 3);
  f.api.shutdown();
}

TEST_CASE("a stream whose client went away frees its slot within a second, long before the next keepalive",
          "[helpdesk][console]") {
  // The keepalive is 15 s of the fixture's Clock, which does not move here: only
  // noticing the gone client can end the stream.
  gw::ConsoleApiOptions o;
  o.keepalive = 15s;
  o.max_streams = 1;
  ConsoleFixture f(o);
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  {
    httplib::Client sse("127.0.0.1", running.port());
    std::promise<void> got;
    std::thread t([&] {
      bool signalled = false;
      sse.Get("/api/helpdesk/events", httplib::Headers{{"Cookie", s.cookie}}, [&](const char*, size_t) {
        if (!signalled) got.set_value();
        signalled = true;
        return true;
      });
      if (!signalled) got.set_value();
    });
    REQUIRE(got.get_future().wait_for(5s) == std::future_status::ready);
    REQUIRE(f.api.open_streams() == 1);
    sse.stop();  // the browser tab closes
    t.join();
  }
  CHECK(f.api.wait_for_open_streams(0, 1s));
  // The one slot is free again.
  OpenStream again(running.port(), s);
  CHECK(again.connected());
  f.api.shutdown();
}

TEST_CASE("an idle event stream gets one keepalive per keepalive period of the gateway's clock, none before",
          "[helpdesk][console]") {
  gw::ConsoleApiOptions o;
  o.keepalive = 15s;
  ConsoleFixture f(o);
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  StreamReader stream(running.port(), s, f.api);
  REQUIRE(stream.wait_for(": connected"));

  // Just short of the period: the next thing on the stream is the event, no keepalive before it.
  f.clock.advance(14s + 999ms);
  f.events.publish(kGeneralEvent);
  REQUIRE(stream.wait_for("data: "));
  CHECK(StreamReader::count(stream.received(), ": keepalive") == 0);

  // A full period since the last frame: a keepalive.
  f.clock.advance(15s);
  REQUIRE(stream.wait_for(": keepalive"));
  // One per period: the next event comes after exactly one.
  f.events.publish(kGeneralEvent);
  REQUIRE(stream.wait_for("data: ", 2));
  CHECK(StreamReader::count(stream.received(), ": keepalive") == 1);
  f.clock.advance(15s);
  REQUIRE(stream.wait_for(": keepalive", 2));

  const std::string r = stream.received();
  const size_t first_event = r.find("data: "), first_keepalive = r.find(": keepalive");
  const size_t second_event = r.find("data: ", first_event + 1);
  CHECK(r.find(": connected") < first_event);
  CHECK(first_event < first_keepalive);
  CHECK(first_keepalive < second_event);
  CHECK(second_event < r.find(": keepalive", first_keepalive + 1));
}

TEST_CASE(
    "the console's median first response and handling survive a restart: a new console reports the same",
    "[helpdesk][console]") {
  ConsoleFixture f;
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  for (const auto& [from, reply_after, close_after] :
       std::vector<std::tuple<std::string, std::chrono::seconds, std::chrono::seconds>>{
           {"+447700900001", 60s, 300s}, {"+447700900002", 180s, 500s}, {"+447700900003", 120s, 900s}}) {
    auto h = f.handed_over(from);
    const std::string path = "/api/helpdesk/conversations/" + std::to_string(h.id);
    f.clock.advance(reply_after);
    REQUIRE(post(c, path + "/assign", s)->status == 200);
    REQUIRE(post(c, path + "/reply", s, true, json{{"text", "Hello"}}.dump())->status == 200);
    f.clock.advance(close_after);
    REQUIRE(post(c, path + "/close", s, true, json{{"mode", "end"}}.dump())->status == 200);
  }
  auto general_of = [](const json& queues) {
    for (const auto& q : queues["queues"])
      if (q["queue"] == "general") return q;
    FAIL("no general queue");
    return json();
  };
  auto before = get(c, "/api/helpdesk/queues", s);
  REQUIRE(before);
  REQUIRE(before->status == 200);
  const json figures = general_of(json::parse(before->body));
  CHECK(figures["median_first_response_seconds"] == 120);  // of 60, 180 and 120 s
  CHECK(figures["median_handling_seconds"] == 500);        // of 300, 500 and 900 s

  // The gateway restarts: a new Helpdesk, console and server over the same store.
  gw::Helpdesk helpdesk(*f.store, f.clock, f.config, f.person, f.events);
  gw::ConsoleApi api(gw::ConsoleContext{f.auth, helpdesk, *f.store, f.clock, f.events, gw::fixed_content(f.catalog, &f.renderer)});
  gw::metrics::Registry registry;
  gw::http::HttpServer server{registry, test_options()};
  api.add_routes(server);
  RunningServer restarted(server);
  httplib::Client again("127.0.0.1", restarted.port());
  auto after = get(again, "/api/helpdesk/queues", s);
  REQUIRE(after);
  REQUIRE(after->status == 200);
  const json same = general_of(json::parse(after->body));
  CHECK(same["median_first_response_seconds"] == figures["median_first_response_seconds"]);
  CHECK(same["median_handling_seconds"] == figures["median_handling_seconds"]);
  CHECK(same == figures);
}

TEST_CASE("an operator's event stream carries only events of conversations in queues they may open",
          "[helpdesk][console]") {
  gw::OperatorView urgent_op;
  urgent_op.id = 7;
  urgent_op.queues = {"urgent"};
  gw::OperatorView general_op = urgent_op;
  general_op.queues = {"general"};
  gw::OperatorView supervisor = urgent_op;
  supervisor.role = "supervisor";
  supervisor.queues = {};
  const gw::HelpdeskEvent moved{"handover.transferred", 11, 12, "safeguarding", "general"};
  CHECK_FALSE(gw::event_visible(urgent_op, moved));
  CHECK_FALSE(gw::event_frame_for(urgent_op, moved).has_value());
  // It left Olga's queue: she hears that, not where it went.
  auto left = gw::event_frame_for(general_op, moved);
  REQUIRE(left.has_value());
  CHECK(left->find("safeguarding") == std::string::npos);
  CHECK(left->find("\"handover_id\":12") != std::string::npos);
  auto full = gw::event_frame_for(supervisor, moved);
  REQUIRE(full.has_value());
  CHECK(full->find("\"queue\":\"safeguarding\"") != std::string::npos);
  for (const char* type :
       {"handover.created", "message.inbound", "handover.assigned", "handover.replied", "handover.closed"}) {
    const gw::HelpdeskEvent e{type, 11, 12, "general", ""};
    CHECK(gw::event_visible(general_op, e));
    CHECK_FALSE(gw::event_visible(urgent_op, e));
  }
  // A transfer whose origin is unknown is not spread to everyone either.
  CHECK_FALSE(gw::event_visible(urgent_op, gw::HelpdeskEvent{"handover.transferred", 11, 12, "general", ""}));
}

TEST_CASE(
    "an operator refused a forced take-over over the console cannot transfer the conversation to themselves",
    "[helpdesk][console]") {
  ConsoleFixture f;
  auto h = f.handed_over("+447700900001");
  f.staff("olga", "operator", {"general"});
  const int64_t omar = f.staff("omar", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session olga = login(c, "olga"), omar_s = login(c, "omar");
  const std::string conv = "/api/helpdesk/conversations/" + std::to_string(h.id);
  REQUIRE(post(c, conv + "/assign", omar_s)->status == 200);
  CHECK(post(c, conv + "/assign", olga, true, R"({"force": true})")->status == 403);
  CHECK(post(c, conv + "/transfer", olga, true, R"({"queue": "general", "operator": "olga"})")->status ==
        403);
  CHECK(post(c, conv + "/reply", olga, true, R"({"text": "hello"})")->status == 403);
  CHECK(f.store->get_handover(h.id)->operator_id == omar);
}

TEST_CASE("an assign whose force is not true or false is a bad request and assigns nothing",
          "[helpdesk][console]") {
  ConsoleFixture f;
  auto h = f.handed_over("+447700900005");
  f.staff("olga", "operator", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  const std::string path = "/api/helpdesk/conversations/" + std::to_string(h.id) + "/assign";
  for (const char* body : {R"({"force":"yes"})", R"({"force":1})", R"({"force":[]})"}) {
    auto r = post(c, path, s, true, body);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body)["error"] == "invalid_request");
  }
  CHECK(f.store->get_handover(h.id)->state == "waiting");
  auto plain = post(c, path, s, true, R"({"force":null})");
  REQUIRE(plain);
  CHECK(plain->status == 200);
}

TEST_CASE("a Telegram chat id is never read as a phone number for canned replies whatever the channel's id",
          "[helpdesk][console]") {
  // A Telegram channel configured with the id "tg": its chat ids tell no country,
  // even one that would parse as a number, so every country's numbers are offered.
  ConsoleFixture f;
  f.staff("olga", "operator", {"general"});
  auto contact = f.store->upsert_contact("tg", "+447700900123", f.clock.now());
  REQUIRE(contact.ok());
  auto conv = f.store->open_or_get_conversation(contact->id, "tg", f.clock.now());
  REQUIRE(conv.ok());
  gw::Handover h;
  h.conversation_id = conv->id;
  h.contact_id = contact->id;
  h.queue = "general";
  h.priority = "normal";
  h.state = "waiting";
  h.created_at = f.clock.now();
  auto id = f.store->create_handover(h);
  REQUIRE(id.ok());
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "olga");
  auto canned = get(c, "/api/helpdesk/canned?conversation=" + std::to_string(*id), s);
  REQUIRE(canned);
  REQUIRE(canned->status == 200);
  std::vector<std::string> keys;
  const json body = json::parse(canned->body);
  for (const auto& r : body["replies"]) keys.push_back(r["key"]);
  for (const char* country : {"uk", "it", "hr", "nl"}) {
    INFO(country);
    CHECK(std::find(keys.begin(), keys.end(), std::string("rights.") + country + ".numbers") != keys.end());
  }
}

TEST_CASE("an editor gets 403 on every console API: content staff never see conversations",
          "[helpdesk][console]") {
  ConsoleFixture f;
  f.staff("edith", "editor", {"general"});
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session s = login(c, "edith");
  for (const char* path : {"/api/helpdesk/queues", "/api/helpdesk/conversations/1", "/api/helpdesk/canned",
                           "/api/helpdesk/events"}) {
    INFO(path);
    auto r = get(c, path, s);
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(json::parse(r->body)["error"] == "forbidden");
  }
  for (const char* path :
       {"/api/helpdesk/next", "/api/helpdesk/conversations/1/assign", "/api/helpdesk/conversations/1/transfer",
        "/api/helpdesk/conversations/1/reply", "/api/helpdesk/conversations/1/notes",
        "/api/helpdesk/conversations/1/close", "/api/helpdesk/conversations/1/reveal", "/api/helpdesk/segments"}) {
    INFO(path);
    auto r = post(c, path, s);
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(json::parse(r->body)["error"] == "forbidden");
  }
}

// The staff login API on a real loopback server: cookies, CSRF, roles, expiry,
// one-time passwords, throttling and the audit trail.
#include "gateway/http/staff_auth.h"

#include <catch2/catch.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/http/running_server.h"
#include "tests/store/store_fixture.h"
#include "tests/support/staff_login.h"
#include "tests/support/test_http_options.h"

using gw::http::StaffAuth;
using gw::http::testing::RunningServer;
using gw::http::testing::test_options;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A gateway's auth layer with two test routes behind require():
// POST /api/test/supervise (supervisors) and GET /api/test/any (any role).
struct AuthFixture {
  gw::testing::StoreFixture db;
  gw::StaffSessions sessions{db.clock};
  gw::LoginThrottle throttle{db.clock};
  gw::PasswordHasher hasher{gw::PasswordHashOptions::for_tests()};
  gw::metrics::Registry registry;
  StaffAuth auth;
  gw::http::HttpServer server{registry, test_options()};

  explicit AuthFixture(bool secure = false)
      : auth(*db.store, db.clock, sessions, throttle, secure, gw::PasswordHashOptions::for_tests()) {
    auth.add_routes(server);
    server.post("/api/test/supervise", "test_supervise", [this](const auto& req, auto& res) {
      auto who = auth.require(req, res, {"supervisor"});
      if (!who) return;
      gw::http::send_json(res, 200, {{"account_id", who->account_id}, {"role", who->role}});
    });
    server.get("/api/test/any", "test_any", [this](const auto& req, auto& res) {
      auto who = auth.require(req, res, {});
      if (!who) return;
      gw::http::send_json(res, 200, {{"username", who->username}, {"queues", who->queues}});
    });
  }

  int64_t account(const std::string& name, const std::string& role, const std::string& password,
                  bool must_change = false) {
    gw::Account a;
    a.username = name;
    a.role = role;
    auto h = hasher.hash(password);
    REQUIRE(h.ok());
    a.password_hash = *h;
    a.must_change_password = must_change;
    a.queues = {"general"};
    auto id = db.store->create_account(a);
    REQUIRE(id.ok());
    return *id;
  }
};

using Login = gw::testing::StaffLogin;
using gw::testing::login;

httplib::Result post(httplib::Client& c, const std::string& path, const Login& s, const std::string& csrf,
                     const std::string& body = "{}") {
  httplib::Headers h = {{"Cookie", s.cookie}};
  if (!csrf.empty()) h.emplace("X-CSRF-Token", csrf);
  return c.Post(path.c_str(), h, body, "application/json");
}

httplib::Result get(httplib::Client& c, const std::string& path, const Login& s) {
  return c.Get(path.c_str(), httplib::Headers{{"Cookie", s.cookie}});
}

std::string error_of(const httplib::Result& r) {
  return json::parse(r->body).value("error", "");
}

}  // namespace

TEST_CASE("login sets an HttpOnly SameSite=Strict session cookie and returns the CSRF token",
          "[http][auth]") {
  AuthFixture f;
  f.account("amina", "supervisor", "amina's long password");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Login s = login(c, "AMINA", "amina's long password");
  CHECK(s.status == 200);
  CHECK(s.body["username"] == "amina");
  CHECK(s.body["role"] == "supervisor");
  CHECK(s.body["must_change_password"] == false);
  CHECK(s.csrf.size() == 43);
  CHECK(s.set_cookie.rfind("gw_session=", 0) == 0);
  CHECK(s.set_cookie.find("; HttpOnly") != std::string::npos);
  CHECK(s.set_cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(s.set_cookie.find("; Path=/") != std::string::npos);
  CHECK(s.set_cookie.find("Secure") == std::string::npos);
  CHECK(s.cookie.size() == std::string("gw_session=").size() + 43);

  auto me = get(c, "/api/auth/me", s);
  REQUIRE(me);
  CHECK(me->status == 200);
  auto body = json::parse(me->body);
  CHECK(body["username"] == "amina");
  CHECK(body["csrf_token"] == s.csrf);
  CHECK(body["queues"] == json::array({"general"}));
}

TEST_CASE("over https the session cookie is Secure", "[http][auth]") {
  AuthFixture f(/*secure=*/true);
  f.account("amina", "operator", "amina's long password");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Login s = login(c, "amina", "amina's long password");
  REQUIRE(s.status == 200);
  CHECK(s.set_cookie.find("; Secure") != std::string::npos);
}

TEST_CASE("a wrong password, an unknown user and a disabled account get the same 401", "[http][auth]") {
  AuthFixture f;
  f.account("amina", "operator", "amina's long password");
  int64_t off = f.account("omar", "operator", "omar's long password");
  gw::Account disabled = **f.db.store->get_account(off);
  disabled.disabled = true;
  REQUIRE(f.db.store->update_account(disabled).ok());
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());

  Login wrong = login(c, "amina", "not the password");
  Login unknown = login(c, "nobody", "not the password");
  Login off_login = login(c, "omar", "omar's long password");
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(off_login.status == 401);
  CHECK(wrong.body == unknown.body);
  CHECK(off_login.body == unknown.body);
  CHECK(wrong.body["error"] == "invalid_credentials");
  CHECK(wrong.set_cookie.empty());
  CHECK(off_login.set_cookie.empty());
}

TEST_CASE("require refuses a POST without or with a wrong CSRF token and accepts the right one",
          "[http][auth]") {
  AuthFixture f;
  f.account("amina", "supervisor", "amina's long password");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Login s = login(c, "amina", "amina's long password");
  REQUIRE(s.status == 200);

  auto none = post(c, "/api/test/supervise", s, "");
  REQUIRE(none);
  CHECK(none->status == 403);
  CHECK(error_of(none) == "csrf");
  auto wrong = post(c, "/api/test/supervise", s, std::string(43, 'A'));
  REQUIRE(wrong);
  CHECK(wrong->status == 403);
  CHECK(error_of(wrong) == "csrf");
  auto right = post(c, "/api/test/supervise", s, s.csrf);
  REQUIRE(right);
  CHECK(right->status == 200);
  CHECK(json::parse(right->body)["role"] == "supervisor");
  // A GET needs no CSRF token.
  auto read = get(c, "/api/test/any", s);
  REQUIRE(read);
  CHECK(read->status == 200);
}

TEST_CASE("require refuses a request without a session with 401", "[http][auth]") {
  AuthFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  auto r = c.Get("/api/test/any");
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(error_of(r) == "unauthenticated");
  auto forged = c.Get("/api/test/any", httplib::Headers{{"Cookie", "gw_session=forged"}});
  REQUIRE(forged);
  CHECK(forged->status == 401);
}

TEST_CASE("a role not allowed gets 403 forbidden and an admin may do anything", "[http][auth]") {
  AuthFixture f;
  f.account("olga", "operator", "olga's long password");
  f.account("root", "admin", "root's long password");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Login op = login(c, "olga", "olga's long password");
  REQUIRE(op.status == 200);
  auto refused = post(c, "/api/test/supervise", op, op.csrf);
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(error_of(refused) == "forbidden");
  Login admin = login(c, "root", "root's long password");
  REQUIRE(admin.status == 200);
  auto allowed = post(c, "/api/test/supervise", admin, admin.csrf);
  REQUIRE(allowed);
  CHECK(allowed->status == 200);
}

TEST_CASE("a session idle past its timeout is 401", "[http][auth]") {
  AuthFixture f;
  f.account("amina", "operator", "amina's long password");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Login s = login(c, "amina", "amina's long password");
  REQUIRE(s.status == 200);
  f.db.clock.advance(29min);
  CHECK(get(c, "/api/test/any", s)->status == 200);
  f.db.clock.advance(31min);
  auto r = get(c, "/api/test/any", s);
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(error_of(r) == "unauthenticated");
}

TEST_CASE("logout, disabling the account and resetting its password end the session", "[http][auth]") {
  AuthFixture f;
  int64_t id = f.account("amina", "operator", "amina's long password");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());

  Login s = login(c, "amina", "amina's long password");
  REQUIRE(s.status == 200);
  auto out = post(c, "/api/auth/logout", s, s.csrf);
  REQUIRE(out);
  CHECK(out->status == 200);
  CHECK(out->get_header_value("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(get(c, "/api/test/any", s)->status == 401);

  Login s2 = login(c, "amina", "amina's long password");
  REQUIRE(s2.status == 200);
  gw::Account a = **f.db.store->get_account(id);
  a.password_hash = *f.hasher.hash("a reset one-time password");
  REQUIRE(f.db.store->update_account(a).ok());
  CHECK(get(c, "/api/test/any", s2)->status == 401);

  Login s3 = login(c, "amina", "a reset one-time password");
  REQUIRE(s3.status == 200);
  a = **f.db.store->get_account(id);
  a.disabled = true;
  REQUIRE(f.db.store->update_account(a).ok());
  CHECK(get(c, "/api/test/any", s3)->status == 401);
  CHECK(f.sessions.size() == 0);
}

TEST_CASE("a one-time password blocks every other route until it is changed", "[http][auth]") {
  AuthFixture f;
  int64_t id = f.account("amina", "supervisor", "one-time password", /*must_change=*/true);
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Login s = login(c, "amina", "one-time password");
  REQUIRE(s.status == 200);
  CHECK(s.body["must_change_password"] == true);
  auto blocked = get(c, "/api/test/any", s);
  REQUIRE(blocked);
  CHECK(blocked->status == 403);
  CHECK(error_of(blocked) == "password_change_required");
  auto me = get(c, "/api/auth/me", s);
  REQUIRE(me);
  CHECK(me->status == 200);
  CHECK(json::parse(me->body)["must_change_password"] == true);

  auto weak = post(c, "/api/auth/password", s, s.csrf,
                   json{{"current", "one-time password"}, {"new", "short"}}.dump());
  REQUIRE(weak);
  CHECK(weak->status == 400);
  CHECK(json::parse(weak->body)["message"].get<std::string>().find("at least 12") != std::string::npos);
  auto wrong = post(c, "/api/auth/password", s, s.csrf,
                    json{{"current", "not my password"}, {"new", "my own new passphrase"}}.dump());
  REQUIRE(wrong);
  CHECK(wrong->status == 403);
  auto no_csrf = post(c, "/api/auth/password", s, "",
                      json{{"current", "one-time password"}, {"new", "my own new passphrase"}}.dump());
  REQUIRE(no_csrf);
  CHECK(error_of(no_csrf) == "csrf");

  auto changed = post(c, "/api/auth/password", s, s.csrf,
                      json{{"current", "one-time password"}, {"new", "my own new passphrase"}}.dump());
  REQUIRE(changed);
  CHECK(changed->status == 200);
  CHECK_FALSE((*f.db.store->get_account(id))->must_change_password);
  // The change hands out a fresh session; the route is open now.
  Login fresh;
  std::string set_cookie = changed->get_header_value("Set-Cookie");
  fresh.cookie = set_cookie.substr(0, set_cookie.find(';'));
  fresh.csrf = json::parse(changed->body)["csrf_token"];
  CHECK(get(c, "/api/test/any", fresh)->status == 200);
  CHECK(post(c, "/api/test/supervise", fresh, fresh.csrf)->status == 200);
  // The old password no longer logs in; the new one does.
  CHECK(login(c, "amina", "one-time password").status == 401);
  CHECK(login(c, "amina", "my own new passphrase").status == 200);
}

TEST_CASE("repeated failed logins are refused with 429 and Retry-After", "[http][auth]") {
  AuthFixture f;
  f.account("amina", "operator", "amina's long password");
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  for (int i = 0; i < 5; ++i) CHECK(login(c, "amina", "guess number " + std::to_string(i)).status == 401);
  // Even the right password waits for the delay, which is short: anyone can trigger it.
  Login locked = login(c, "amina", "amina's long password");
  CHECK(locked.status == 429);
  CHECK(locked.retry_after == "1");
  CHECK(locked.body["error"] == "throttled");
  CHECK(locked.body.contains("message"));
  f.db.clock.advance(1s);
  CHECK(login(c, "amina", "amina's long password").status == 200);
}

TEST_CASE("the audit log records logins, failures, logouts and password changes without passwords",
          "[http][auth]") {
  AuthFixture f;
  int64_t id = f.account("amina", "operator", "amina's long password", /*must_change=*/true);
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  CHECK(login(c, "amina", "a wrong password").status == 401);
  CHECK(login(c, "ghost", "a wrong password").status == 401);
  Login s = login(c, "amina", "amina's long password");
  REQUIRE(s.status == 200);
  REQUIRE(post(c, "/api/auth/password", s, s.csrf,
               json{{"current", "amina's long password"}, {"new", "amina's newer password"}}.dump())
              ->status == 200);
  Login s2 = login(c, "amina", "amina's newer password");
  REQUIRE(s2.status == 200);
  REQUIRE(post(c, "/api/auth/logout", s2, s2.csrf)->status == 200);

  auto log = f.db.store->list_audit(20);
  REQUIRE(log.ok());
  const std::string subject = "account:" + std::to_string(id);
  std::vector<std::string> actions;
  for (auto it = log->rbegin(); it != log->rend(); ++it) {
    actions.push_back(it->action);
    for (const char* secret : {"amina's long password", "amina's newer password", "a wrong password"}) {
      CHECK(it->detail_json.find(secret) == std::string::npos);
      CHECK(it->subject.find(secret) == std::string::npos);
    }
    CHECK(it->detail_json.find("ghost") == std::string::npos);
    CHECK(it->subject.find("ghost") == std::string::npos);
  }
  CHECK(actions == std::vector<std::string>{"account.login_failed", "account.login_failed", "account.login",
                                            "account.password_changed", "account.login", "account.logout"});
  const auto& first_login = (*log)[3];
  CHECK(first_login.action == "account.login");
  CHECK(first_login.actor == subject);
  CHECK(first_login.subject == subject);
  CHECK((*log)[5].subject == subject);  // the failed login of a known user names the account
  CHECK((*log)[4].subject.empty());     // an unknown username is not recorded
}

TEST_CASE("of 20 concurrent wrong logins only the first five are checked against the password",
          "[http][auth]") {
  AuthFixture f;
  // A hash that takes a few milliseconds to verify, so that the logins overlap.
  gw::PasswordHashOptions slower = gw::PasswordHashOptions::for_tests();
  slower.memory_kib = 4096;
  gw::Account a;
  a.username = "amina";
  a.role = "operator";
  a.password_hash = *gw::PasswordHasher(slower).hash("amina's long password");
  REQUIRE(f.db.store->create_account(a).ok());
  RunningServer running(f.server);
  // No Catch2 assertions on these threads: each returns what it got.
  std::vector<std::future<Login>> logins;
  for (int i = 0; i < 20; ++i) {
    logins.push_back(std::async(std::launch::async, [&running, i] {
      httplib::Client c("127.0.0.1", running.port());
      auto r = c.Post("/api/auth/login",
                      json{{"username", "amina"}, {"password", "guess " + std::to_string(i)}}.dump(),
                      "application/json");
      Login out;
      if (!r) return out;
      out.status = r->status;
      out.body = json::parse(r->body, nullptr, false);
      out.retry_after = r->get_header_value("Retry-After");
      return out;
    }));
  }
  int wrong = 0, throttled = 0;
  for (auto& l : logins) {
    Login r = l.get();
    if (r.status == 401) ++wrong;
    if (r.status == 429) {
      ++throttled;
      CHECK(r.body["error"] == "throttled");
      CHECK(r.retry_after == "1");
    }
  }
  CHECK(wrong == 5);
  CHECK(throttled == 15);
  int checked = 0;
  auto audit = f.db.store->list_audit(100);
  REQUIRE(audit.ok());
  for (const auto& e : *audit)
    if (e.action == "account.login_failed") ++checked;
  CHECK(checked == 5);
}

// `gateway user …` and the first administrator, through the built binary and a
// started `gateway serve`: one-time passwords printed once log in through the API.
#include "gateway/cli/user_command.h"

#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/http_wait.h"
#include "tests/support/serve_gateway.h"
#include "tests/support/staff_login.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

using gw::testing::get_when_up;
using gw::testing::login;
using gw::testing::run_process;
using nlohmann::json;

namespace {
const std::string kGateway = GATEWAY_BINARY;

// A data directory and the config of a gateway on it; the gateway picks its port.
struct GatewayDir {
  std::string dir = gw::testing::make_temp_dir("gw-user");
  std::string config = gw::testing::write_serve_config(dir);
  ~GatewayDir() { std::filesystem::remove_all(dir); }
};

// The last non-empty line of `out`.
std::string last_line(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

bool one_time_password_shape(const std::string& p) {
  return p.size() == 20 &&
         p.find_first_not_of("ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789") == std::string::npos;
}

}  // namespace

TEST_CASE("one-time passwords are 20 characters without look-alikes, never twice the same", "[cli][user]") {
  std::string a = gw::cli::generate_one_time_password();
  std::string b = gw::cli::generate_one_time_password();
  CHECK(one_time_password_shape(a));
  CHECK(one_time_password_shape(b));
  CHECK(a != b);
}

TEST_CASE("user add prints a one-time password that logs in to a started gateway", "[cli][user][serve]") {
  GatewayDir g;
  auto added = run_process({kGateway, "user", "add", "amina", "--role", "operator", "--languages", "ar,en",
                            "--queues", "general", "--capacity", "2", "--config", g.config});
  REQUIRE(added.exit_code == 0);
  const std::string password = last_line(added.out);
  CHECK(one_time_password_shape(password));
  CHECK(added.err.find(password) == std::string::npos);

  auto dup = run_process({kGateway, "user", "add", "AMINA", "--role", "editor", "--config", g.config});
  CHECK(dup.exit_code == 1);
  CHECK(dup.err.find("AMINA") != std::string::npos);
  CHECK(dup.err.find("taken") != std::string::npos);
  CHECK(std::count(dup.err.begin(), dup.err.end(), '\n') == 1);

  gw::testing::BackgroundProcess serve({kGateway, "serve", "--config", g.config});
  const int port = gw::testing::listening_port(serve);
  REQUIRE(port > 0);
  httplib::Client c("127.0.0.1", port);
  REQUIRE(get_when_up(c, "/healthz"));
  // An account exists already: no first administrator.
  CHECK(serve.out().find("First administrator") == std::string::npos);

  auto r = login(c, "amina", password);
  REQUIRE(r.status == 200);
  auto body = r.body;
  CHECK(body["role"] == "operator");
  CHECK(body["must_change_password"] == true);
  const httplib::Headers session = {{"Cookie", r.cookie}};
  auto me = c.Get("/api/auth/me", session);
  REQUIRE(me);
  REQUIRE(me->status == 200);
  auto who = json::parse(me->body);
  CHECK(who["languages"] == json::array({"ar", "en"}));
  CHECK(who["queues"] == json::array({"general"}));
  CHECK(who["capacity"] == 2);

  // Reset from the command line while the gateway runs: the session ends, the
  // old password stops working and the new one logs in.
  auto reset = run_process({kGateway, "user", "reset-password", "amina", "--config", g.config});
  REQUIRE(reset.exit_code == 0);
  const std::string fresh = last_line(reset.out);
  CHECK(one_time_password_shape(fresh));
  CHECK(fresh != password);
  CHECK(c.Get("/api/auth/me", session)->status == 401);
  CHECK(login(c, "amina", password).status == 401);
  CHECK(login(c, "amina", fresh).status == 200);

  auto disabled = run_process({kGateway, "user", "disable", "amina", "--config", g.config});
  CHECK(disabled.exit_code == 0);
  CHECK(login(c, "amina", fresh).status == 401);

  serve.signal(SIGTERM);
  CHECK(serve.wait(std::chrono::seconds(15)) == 0);
  // The passwords never reach the log.
  CHECK(serve.err().find(password) == std::string::npos);
  CHECK(serve.err().find(fresh) == std::string::npos);
}

TEST_CASE("user commands name the unknown role or user in one line and exit 1", "[cli][user]") {
  GatewayDir g;
  auto role = run_process({kGateway, "user", "add", "amina", "--role", "root", "--config", g.config});
  CHECK(role.exit_code == 1);
  CHECK(role.err.find("unknown role 'root'") != std::string::npos);
  CHECK(std::count(role.err.begin(), role.err.end(), '\n') == 1);
  auto nobody = run_process({kGateway, "user", "disable", "nobody", "--config", g.config});
  CHECK(nobody.exit_code == 1);
  CHECK(nobody.err.find("no user named 'nobody'") != std::string::npos);
  auto reset = run_process({kGateway, "user", "reset-password", "nobody", "--config", g.config});
  CHECK(reset.exit_code == 1);
  CHECK(reset.err.find("nobody") != std::string::npos);
  auto no_role = run_process({kGateway, "user", "add", "amina", "--config", g.config});
  CHECK(no_role.exit_code == 2);
  auto no_action = run_process({kGateway, "user"});
  CHECK(no_action.exit_code == 2);
}

TEST_CASE("serve on a fresh data directory prints the first administrator once", "[cli][user][serve]") {
  GatewayDir g;
  std::string password;
  {
    gw::testing::BackgroundProcess serve({kGateway, "serve", "--config", g.config});
    const int port = gw::testing::listening_port(serve);
    REQUIRE(port > 0);
    httplib::Client c("127.0.0.1", port);
    REQUIRE(get_when_up(c, "/healthz"));
    const std::string out = serve.out();
    const std::string prefix = "First administrator: admin / ";
    auto at = out.find(prefix);
    REQUIRE(at != std::string::npos);
    password = out.substr(at + prefix.size(), 20);
    CHECK(one_time_password_shape(password));
    CHECK(out.find(password + " (change it at first login)\n") != std::string::npos);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
    CHECK(serve.err().find(password) == std::string::npos);
    CHECK(serve.err().find("account.first_admin_created") != std::string::npos);

    auto r = login(c, "admin", password);
    CHECK(r.status == 200);
    auto body = r.body;
    CHECK(body["role"] == "admin");
    CHECK(body["must_change_password"] == true);
    serve.signal(SIGTERM);
    CHECK(serve.wait(std::chrono::seconds(15)) == 0);
  }
  gw::testing::BackgroundProcess again({kGateway, "serve", "--config", g.config});
  const int port = gw::testing::listening_port(again);
  REQUIRE(port > 0);
  httplib::Client c("127.0.0.1", port);
  REQUIRE(get_when_up(c, "/healthz"));
  CHECK(again.out().find("First administrator") == std::string::npos);
  CHECK(login(c, "admin", password).status == 200);
  again.signal(SIGTERM);
  CHECK(again.wait(std::chrono::seconds(15)) == 0);
}

TEST_CASE("a first start that fails on its content does not spend the first administrator's showing",
          "[cli][user][serve]") {
  // Given a fresh data directory and a content folder without flows, serve fails
  // without printing a password; started again with the content, it prints it.
  GatewayDir g;
  const std::string empty = g.dir + "/no-content";
  std::filesystem::create_directories(empty);
  const std::string bad_config = g.dir + "/bad.json";
  std::ofstream(bad_config) << json{
      {"listen", "127.0.0.1:0"},
      {"database", {{"path", g.dir + "/data/gateway.db"}}},
      {"content_dir", empty}}.dump();
  auto failed = run_process({kGateway, "serve", "--config", bad_config});
  CHECK(failed.exit_code == 1);
  CHECK(failed.out.find("First administrator") == std::string::npos);

  gw::testing::BackgroundProcess serve({kGateway, "serve", "--config", g.config});
  const int port = gw::testing::listening_port(serve);
  REQUIRE(port > 0);
  httplib::Client c("127.0.0.1", port);
  REQUIRE(get_when_up(c, "/healthz"));
  CHECK(serve.out().find("First administrator: admin / ") != std::string::npos);
  serve.signal(SIGTERM);
  CHECK(serve.wait(std::chrono::seconds(15)) == 0);
}

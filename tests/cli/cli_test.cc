// The `gateway` binary as a newcomer meets it: exit codes, one-line errors,
// and `serve` on a real loopback port.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/http_wait.h"
#include "tests/support/serve_gateway.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

using gw::testing::get_when_up;
using gw::testing::run_process;

namespace {
const std::string kGateway = GATEWAY_BINARY;

}  // namespace

TEST_CASE("gateway version prints the version and exits 0", "[cli]") {
  auto r = run_process({kGateway, "version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("gateway ", 0) == 0);
}

TEST_CASE("every command answers --help with exit 0", "[cli]") {
  for (const char* cmd : {"serve", "check", "simulate", "segments", "version"}) {
    auto r = run_process({kGateway, cmd, "--help"});
    INFO(cmd);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
}

TEST_CASE("a usage mistake is one line on stderr and exit 2", "[cli]") {
  auto none = run_process({kGateway});
  CHECK(none.exit_code == 2);
  auto unknown = run_process({kGateway, "frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(std::count(unknown.err.begin(), unknown.err.end(), '\n') == 1);
  auto bad_flag = run_process({kGateway, "simulate", "--channel", "fax"});
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("fax") != std::string::npos);
}

TEST_CASE("serve with a broken config names the file and every problem, and exits 1", "[cli]") {
  auto dir = gw::testing::make_temp_dir("gw-cli");
  const std::string path = dir + "/gw.json";
  std::ofstream(path) << R"({"listen": "nowhere", "channels": [{"id": "tg", "type": "telegram",
      "bot_token": "env:GW_TEST_UNSET_TOKEN", "secret_token": "s"}]})";
  auto r = run_process({kGateway, "serve", "--config", path});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(path + ": $.listen:") != std::string::npos);
  CHECK(r.err.find(path + ": $.channels[0].bot_token: environment variable GW_TEST_UNSET_TOKEN is not set") !=
        std::string::npos);
  auto missing = run_process({kGateway, "serve", "--config", dir + "/absent.json"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("absent.json") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("serve on port 0 binds a free port itself, logs that port and answers on it", "[cli][serve]") {
  // Given "listen": "127.0.0.1:0", the gateway's http.listening line names the port
  // it bound (not 0), /healthz answers there, and stops answering when it stops.
  auto dir = gw::testing::make_temp_dir("gw-serve-port");
  gw::testing::BackgroundProcess proc({kGateway, "serve", "--config", gw::testing::write_serve_config(dir)});
  const int port = gw::testing::listening_port(proc);
  INFO(proc.err());
  REQUIRE(port > 0);
  const auto line =
      nlohmann::json::parse(proc.wait_for_line("\"event\":\"http.listening\"", std::chrono::seconds(1)));
  CHECK(line["listen"] == "127.0.0.1:" + std::to_string(port));

  httplib::Client client("127.0.0.1", port);
  auto res = get_when_up(client, "/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(nlohmann::json::parse(res->body)["status"] == "ok");

  proc.signal(SIGTERM);
  CHECK(proc.wait(std::chrono::seconds(10)) == 0);
  // It was this gateway that answered: gone with it.
  const bool still_answers = static_cast<bool>(client.Get("/healthz"));
  CHECK_FALSE(still_answers);
  std::filesystem::remove_all(dir);
}

TEST_CASE("serve hands out the staff sign-in script shared by the console and the studio", "[cli][serve]") {
  // /common/staff.js holds no data: anyone may load it, under the same policy as the pages.
  auto dir = gw::testing::make_temp_dir("gw-serve-common");
  gw::testing::BackgroundProcess proc({kGateway, "serve", "--config", gw::testing::write_serve_config(dir)});
  const int port = gw::testing::listening_port(proc);
  INFO(proc.err());
  REQUIRE(port > 0);
  httplib::Client client("127.0.0.1", port);
  auto res = get_when_up(client, "/common/staff.js");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(res->get_header_value("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  CHECK(res->body.find("/api/auth/login") != std::string::npos);
  auto missing = client.Get("/common/nothing.js");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  proc.signal(SIGTERM);
  CHECK(proc.wait(std::chrono::seconds(10)) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("serve answers /healthz on loopback, generates keys once, and stops cleanly on SIGTERM",
          "[cli][serve]") {
  auto dir = gw::testing::make_temp_dir("gw-serve");
  const std::string cfg = gw::testing::write_serve_config(dir);
  gw::testing::BackgroundProcess proc({kGateway, "serve", "--config", cfg});
  const int port = gw::testing::listening_port(proc);
  REQUIRE(port > 0);
  httplib::Client client("127.0.0.1", port);
  auto res = get_when_up(client, "/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(nlohmann::json::parse(res->body)["status"] == "ok");
  auto ready = client.Get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);

  // The keys were generated into a 0600 file beside the database, and the log says so.
  const auto key_file = std::filesystem::path(dir) / "data" / "keys.json";
  REQUIRE(std::filesystem::exists(key_file));
  auto perms = std::filesystem::status(key_file).permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
  CHECK(proc.err().find("keys.generated") != std::string::npos);

  proc.signal(SIGTERM);
  CHECK(proc.wait(std::chrono::seconds(10)) == 0);
  CHECK(proc.err().find("shutdown.complete") != std::string::npos);
  // Every log line is a JSON object.
  std::istringstream lines(proc.err());
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(nlohmann::json::accept(line));
  }

  // A second start reuses the keys instead of generating new ones.
  gw::testing::BackgroundProcess again({kGateway, "serve", "--config", cfg});
  const int again_port = gw::testing::listening_port(again);
  REQUIRE(again_port > 0);
  httplib::Client again_client("127.0.0.1", again_port);
  auto res2 = get_when_up(again_client, "/healthz");
  REQUIRE(res2);
  again.signal(SIGTERM);
  CHECK(again.wait(std::chrono::seconds(10)) == 0);
  CHECK(again.err().find("keys.generated") == std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("gateway segments --json prints encoding and segments, plain and smart", "[cli][sms]") {
  auto r = run_process({kGateway, "segments", "--json", "\u201cWait\u201d \u2013 ok"});
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j == nlohmann::json{
                 {"encoding", "UCS-2"}, {"segments", 1}, {"smart_encoding", "GSM-7"}, {"smart_segments", 1}});
  auto arabic = run_process({kGateway, "segments", "--json", std::string(71, 'a') + "\u0645"});
  REQUIRE(arabic.exit_code == 0);
  CHECK(nlohmann::json::parse(arabic.out)["segments"] == 2);
  auto text = run_process({kGateway, "segments", "hello"});
  CHECK(text.out.find("encoding: GSM-7, segments: 1") != std::string::npos);
}

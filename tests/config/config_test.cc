#include "gateway/config/config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

gw::EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const char* kDesignExample = R"({
  "listen": "127.0.0.1:8080",
  "public_url": "http://127.0.0.1:8080",
  "database": {"driver": "sqlite", "path": "data/gateway.db"},
  "content_dir": ".",
  "channels": [
    {"id": "uk-sms", "type": "twilio", "account_sid": "AC0123456789abcdef0123456789abcdef",
     "auth_token": "env:TWILIO_AUTH_TOKEN", "from": "+447700900000",
     "api_base": "https://api.twilio.com", "max_per_second": 1},
    {"id": "tg", "type": "telegram", "bot_token": "env:TELEGRAM_BOT_TOKEN",
     "secret_token": "env:TELEGRAM_SECRET", "api_base": "https://api.telegram.org"}
  ]
})";

}  // namespace

TEST_CASE("the embedded default listens on 127.0.0.1:8080 with SQLite under ./data and the web channel",
          "[config]") {
  gw::Config cfg = gw::default_config();
  CHECK(cfg.listen.to_string() == "127.0.0.1:8080");
  CHECK(cfg.public_url == "http://127.0.0.1:8080");
  CHECK(cfg.database.driver == "sqlite");
  CHECK(cfg.database.path == "data/gateway.db");
  // The shipped content: for this binary, run from the build tree, the source tree
  // (default_content_dir_test.cc).
  CHECK(cfg.content_dir == std::filesystem::canonical(GATEWAY_SOURCE_DIR).string());
  CHECK(cfg.keys.file == "data/keys.json");
  REQUIRE(cfg.channels.size() == 1);
  CHECK(cfg.channels[0].type == "web");
}

TEST_CASE("the configuration shown in DESIGN.md parses, with env: values read from the environment",
          "[config]") {
  auto env = fake_env({{"TWILIO_AUTH_TOKEN", "tw-secret"},
                       {"TELEGRAM_BOT_TOKEN", "123:abc"},
                       {"TELEGRAM_SECRET", "tg-secret"}});
  auto cfg = gw::parse_config(json::parse(kDesignExample), env, "gateway.json");
  REQUIRE(cfg.ok());
  REQUIRE(cfg->channels.size() == 2);
  CHECK(cfg->channels[0].auth_token == "tw-secret");
  CHECK(cfg->channels[0].from == "+447700900000");
  CHECK(cfg->channels[0].max_per_second == 1.0);
  CHECK(cfg->channels[1].bot_token == "123:abc");
  CHECK(cfg->channels[1].secret_token == "tg-secret");
  CHECK(cfg->keys.file == "data/keys.json");
}

TEST_CASE("every configuration problem is reported at once with its JSON path", "[config]") {
  json doc = json::parse(kDesignExample);
  doc["listen"] = "127.0.0.1:99999";
  doc["colour"] = "blue";
  doc["database"]["path"] = 42;
  doc["channels"][0]["max_per_second"] = "fast";
  doc["channels"][1]["bogus"] = true;
  auto cfg = gw::parse_config(doc, fake_env({{"TWILIO_AUTH_TOKEN", "x"}}), "gw.json");
  REQUIRE_FALSE(cfg.ok());
  const std::string& m = cfg.error().message;
  CHECK(m.find("gw.json: $.listen: port \"99999\" must be a number from 0 to 65535") != std::string::npos);
  CHECK(m.find("gw.json: $.colour: unknown key") != std::string::npos);
  CHECK(m.find("gw.json: $.database.path: must be a string, not an integer") != std::string::npos);
  CHECK(m.find("gw.json: $.channels[0].max_per_second: must be a number, not a string") != std::string::npos);
  CHECK(m.find("gw.json: $.channels[1].bogus: unknown key") != std::string::npos);
  CHECK(m.find("gw.json: $.channels[1].bot_token: environment variable TELEGRAM_BOT_TOKEN is not set") !=
        std::string::npos);
  CHECK(m.find("gw.json: $.channels[1].secret_token: environment variable TELEGRAM_SECRET is not set") !=
        std::string::npos);
  // One problem a line, nothing else.
  CHECK(std::count(m.begin(), m.end(), '\n') == 6);
}

TEST_CASE("a missing environment variable names the variable but never a secret value", "[config]") {
  json doc = json::parse(kDesignExample);
  auto cfg =
      gw::parse_config(doc, fake_env({{"TELEGRAM_BOT_TOKEN", "123:topsecret"}, {"TELEGRAM_SECRET", "s"}}));
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().message.find("TWILIO_AUTH_TOKEN is not set") != std::string::npos);
  CHECK(cfg.error().message.find("topsecret") == std::string::npos);
}

TEST_CASE("listen addresses accept IPv4, bracketed IPv6 and localhost and reject the rest", "[config]") {
  CHECK(gw::parse_listen_address("0.0.0.0:80")->host == "0.0.0.0");
  CHECK(gw::parse_listen_address("[::1]:8080")->host == "::1");
  CHECK(gw::parse_listen_address("[::1]:8080")->to_string() == "[::1]:8080");
  CHECK(gw::parse_listen_address("localhost:0")->port == 0);
  CHECK_FALSE(gw::parse_listen_address("8080").ok());
  CHECK_FALSE(gw::parse_listen_address("example.org:80").ok());
  CHECK_FALSE(gw::parse_listen_address("::1:8080").ok());
  CHECK_FALSE(gw::parse_listen_address("127.0.0.1:http").ok());
}

TEST_CASE("channel rules: unknown type, bad account SID, duplicate id, missing sender", "[config]") {
  json doc = {{"channels", json::array({
                               {{"id", "a"}, {"type", "carrier-pigeon"}},
                               {{"id", "b"}, {"type", "twilio"}, {"account_sid", "XX1"}, {"auth_token", "t"}},
                               {{"id", "b"}, {"type", "web"}},
                               {{"id", "Bad Id"}, {"type", "web"}},
                           })}};
  auto cfg = gw::parse_config(doc, fake_env({}), "c.json");
  REQUIRE_FALSE(cfg.ok());
  const std::string& m = cfg.error().message;
  CHECK(m.find("$.channels[0].type: must be \"twilio\", \"telegram\" or \"web\"") != std::string::npos);
  CHECK(m.find("$.channels[1].account_sid: must be \"AC\" followed by 32 hex digits") != std::string::npos);
  CHECK(m.find("$.channels[1].from: a twilio channel needs") != std::string::npos);
  CHECK(m.find("$.channels[2].id: duplicates the id of an earlier channel") != std::string::npos);
  CHECK(m.find("$.channels[3].id: must be lower-case") != std::string::npos);
}

TEST_CASE("an empty object gives the defaults, and public_url follows listen", "[config]") {
  auto cfg = gw::parse_config(json::parse(R"({"listen": "127.0.0.1:9999"})"), fake_env({}));
  REQUIRE(cfg.ok());
  CHECK(cfg->public_url == "http://127.0.0.1:9999");
  CHECK(cfg->http.threads == 16);
  CHECK(cfg->database.path == "data/gateway.db");
}

TEST_CASE("postgres needs a URL and explicit keys", "[config]") {
  auto cfg = gw::parse_config(json::parse(R"({"database": {"driver": "postgres"}})"), fake_env({}));
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().message.find("$.database.url: is required for the postgres driver") != std::string::npos);
  CHECK(cfg.error().message.find("$.keys: encryption keys are required") != std::string::npos);
}

TEST_CASE("postgres takes an instance id and a pool size, both checked", "[config]") {
  const std::string keys = R"("keys": {"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                        "index": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="})";
  auto ok = gw::parse_config(
      json::parse(R"({"database": {"driver": "postgres", "url": "postgresql:///gw", "instance_id": "gw-1.a:b",
                   "max_connections": 4}, )" + keys + "}"),
      fake_env({}));
  REQUIRE(ok.ok());
  CHECK(ok->database.instance_id == "gw-1.a:b");
  CHECK(ok->database.max_connections == 4);
  auto bad = gw::parse_config(
      json::parse(R"({"database": {"driver": "postgres", "url": "postgresql:///gw", "instance_id": "gw 1",
                   "max_connections": 1}, )" + keys + "}"),
      fake_env({}));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("$.database.instance_id: must be at most 64 letters") != std::string::npos);
  CHECK(bad.error().message.find("$.database.max_connections") != std::string::npos);
}

TEST_CASE("a JSON syntax error in the file is reported with file, line and column", "[config]") {
  auto dir = std::filesystem::temp_directory_path() / ("gw-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "bad.json").string();
  std::ofstream(path) << "{\n  \"listen\": \"127.0.0.1:8080\",\n  oops\n}\n";
  auto cfg = gw::load_config_file(path, fake_env({}));
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().message.rfind(path + ":3:3: syntax error", 0) == 0);
  auto missing = gw::load_config_file((dir / "nope.json").string(), fake_env({}));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("cannot open") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the example configurations in config/ are valid when their secrets are set", "[config]") {
  auto env = fake_env({{"TWILIO_AUTH_TOKEN", "t"},
                       {"TELEGRAM_BOT_TOKEN", "b"},
                       {"TELEGRAM_SECRET", "s"},
                       {"GATEWAY_DATABASE_URL", "postgresql://gw@localhost/gw"},
                       {"GATEWAY_DATA_KEY", "k"},
                       {"GATEWAY_INDEX_KEY", "i"}});
  for (const char* name : {"gateway.sqlite.json", "gateway.postgres.json"}) {
    auto cfg = gw::load_config_file(std::string(GATEWAY_SOURCE_DIR) + "/config/" + name, env);
    INFO(name << ": " << (cfg.ok() ? "" : cfg.error().message));
    CHECK(cfg.ok());
  }
}

TEST_CASE("conversation settings: defaults, language maps, and their problems", "[config]") {
  auto defaults = gw::parse_config(json::parse("{}"), fake_env({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->conversation.entry_flow == "main");
  CHECK(defaults->conversation.session_ttl_hours == 24);
  CHECK(defaults->conversation.retention_days == 90);
  CHECK(defaults->conversation.serve_fuzzy);

  auto cfg = gw::parse_config(json::parse(R"({"conversation": {
      "entry_flow": "welcome", "serve_fuzzy": false, "languages": ["en", "ar", "prs"], "retention_days": 30,
      "fallbacks": {"prs": ["fa", "en"]}, "countries": {"AF": ["prs", "ps"]}}})"),
                              fake_env({}));
  REQUIRE(cfg.ok());
  CHECK(cfg->conversation.entry_flow == "welcome");
  CHECK(cfg->conversation.retention_days == 30);
  CHECK_FALSE(cfg->conversation.serve_fuzzy);
  CHECK(cfg->conversation.languages == std::vector<std::string>{"en", "ar", "prs"});
  CHECK(cfg->conversation.fallbacks.at("prs") == std::vector<std::string>{"fa", "en"});
  CHECK(cfg->conversation.countries.at("AF") == std::vector<std::string>{"prs", "ps"});

  auto bad = gw::parse_config(json::parse(R"({"conversation": {
      "entry_flow": "", "session_ttl_hours": 0, "retention_days": 0, "fallbacks": {"Persian": ["fa"]},
      "countries": {"af": ["prs"], "IR": ["fa!"]}, "colour": "blue"}})"),
                              fake_env({}));
  REQUIRE_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  CHECK(m.find("$.conversation.entry_flow: must not be empty") != std::string::npos);
  CHECK(m.find("$.conversation.session_ttl_hours") != std::string::npos);
  CHECK(m.find("$.conversation.retention_days") != std::string::npos);
  CHECK(m.find("$.conversation.fallbacks.Persian") != std::string::npos);
  CHECK(m.find("$.conversation.countries.af") != std::string::npos);
  CHECK(m.find("\"fa!\" is not a language code") != std::string::npos);
  CHECK(m.find("$.conversation.colour") != std::string::npos);
}

TEST_CASE("helpdesk settings: default queues, business hours, and their problems", "[config][helpdesk]") {
  auto plain = gw::parse_config(json::object(), fake_env({}));
  REQUIRE(plain.ok());
  REQUIRE(plain->helpdesk.queues.size() == 3);
  CHECK(plain->helpdesk.find("safeguarding"));
  CHECK(plain->helpdesk.find("general")->always_open);
  CHECK(plain->helpdesk.reassure_after_minutes == 10);
  CHECK_FALSE(plain->helpdesk.auto_assign);

  auto cfg = gw::parse_config(json::parse(R"({"helpdesk": {
      "reassure_after_minutes": 15, "auto_assign": true,
      "queues": {"general": {"time_zone": "Europe/London", "hours": {"mon": ["09:00-12:00", "13:00-17:00"]}},
                 "urgent": {}}}})"),
                              fake_env({}));
  REQUIRE(cfg.ok());
  CHECK(cfg->helpdesk.reassure_after_minutes == 15);
  CHECK(cfg->helpdesk.auto_assign);
  REQUIRE(cfg->helpdesk.queues.size() == 2);  // given queues replace the defaults
  const gw::QueueConfig* general = cfg->helpdesk.find("general");
  REQUIRE(general);
  CHECK_FALSE(general->always_open);
  CHECK(general->time_zone == "Europe/London");
  REQUIRE(general->hours[0].size() == 2);
  CHECK(general->hours[0][1].from_minute == 13 * 60);
  CHECK(general->hours[1].empty());
  CHECK(cfg->helpdesk.find("urgent")->always_open);
  CHECK_FALSE(cfg->helpdesk.find("safeguarding"));

  auto bad =
      gw::parse_config(json::parse(R"({"helpdesk": {"reassure_after_minute": 5, "reassure_after_minutes": 0,
      "queues": {"general": {"time_zone": "Mars/Olympus", "hours": {"monday": ["09:00-17:00"], "tue": ["17:00-09:00"]},
                             "colour": "red"}}}})"),
                       fake_env({}), "gw.json");
  REQUIRE_FALSE(bad.ok());
  const std::string& msg = bad.error().message;
  CHECK(msg.find("$.helpdesk.reassure_after_minute") != std::string::npos);
  CHECK(msg.find("$.helpdesk.reassure_after_minutes") != std::string::npos);
  CHECK(msg.find("$.helpdesk.queues.general.time_zone") != std::string::npos);
  CHECK(msg.find("$.helpdesk.queues.general.hours.monday") != std::string::npos);
  CHECK(msg.find("$.helpdesk.queues.general.hours.tue") != std::string::npos);
  CHECK(msg.find("$.helpdesk.queues.general.colour") != std::string::npos);
}

TEST_CASE("the request head limits have defaults and are read from http.*", "[config]") {
  auto defaults = gw::parse_config(json::parse("{}"), fake_env({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->http.max_request_line_bytes == 8192);
  CHECK(defaults->http.max_header_bytes == 16384);
  CHECK(defaults->http.max_headers == 100);
  auto set = gw::parse_config(
      json::parse(
          R"({"http": {"max_request_line_bytes": 4096, "max_header_bytes": 8192, "max_headers": 50}})"),
      fake_env({}));
  REQUIRE(set.ok());
  CHECK(set->http.max_request_line_bytes == 4096);
  CHECK(set->http.max_header_bytes == 8192);
  CHECK(set->http.max_headers == 50);
  auto bad = gw::parse_config(json::parse(R"({"http": {"max_headers": 0}})"), fake_env({}));
  CHECK_FALSE(bad.ok());
}

TEST_CASE("connection, pool and event stream bounds have defaults and are read from http.*", "[config]") {
  auto defaults = gw::parse_config(json::parse("{}"), fake_env({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->http.max_connections == 4096);
  CHECK(defaults->http.max_connections_per_address == 512);
  CHECK(defaults->http.webhook_threads == 8);
  CHECK(defaults->http.max_event_streams == 32);
  CHECK(defaults->http.max_event_streams_per_account == 4);
  auto set =
      gw::parse_config(json::parse(R"({"http": {"max_connections": 100, "max_connections_per_address": 10,
      "webhook_threads": 2, "max_event_streams": 6, "max_event_streams_per_account": 1}})"),
                       fake_env({}));
  REQUIRE(set.ok());
  CHECK(set->http.max_connections == 100);
  CHECK(set->http.max_connections_per_address == 10);
  CHECK(set->http.webhook_threads == 2);
  CHECK(set->http.max_event_streams == 6);
  CHECK(set->http.max_event_streams_per_account == 1);
  CHECK_FALSE(gw::parse_config(json::parse(R"({"http": {"webhook_threads": 0}})"), fake_env({})).ok());
  CHECK_FALSE(
      gw::parse_config(json::parse(R"({"http": {"max_connections_per_address": 0}})"), fake_env({})).ok());
}

TEST_CASE("metrics access defaults to loopback, and allow_from and bearer_token are read and checked",
          "[config]") {
  auto defaults = gw::parse_config(json::parse("{}"), fake_env({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->metrics.allow_from == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(defaults->metrics.bearer_token.empty());
  auto set = gw::parse_config(
      json::parse(R"({"metrics": {"allow_from": ["10.0.0.0/8"], "bearer_token": "env:METRICS_TOKEN"}})"),
      fake_env({{"METRICS_TOKEN", "t0ken"}}));
  REQUIRE(set.ok());
  CHECK(set->metrics.allow_from == std::vector<std::string>{"10.0.0.0/8"});
  CHECK(set->metrics.bearer_token == "t0ken");
  auto bad = gw::parse_config(json::parse(R"({"metrics": {"allow_from": ["10.0.0.0/40"]}})"), fake_env({}),
                              "gw.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("$.metrics.allow_from[0]") != std::string::npos);
}

TEST_CASE("organisation.name is optional, read when given, and bounded", "[config]") {
  auto none = gw::parse_config(json::parse(R"({})"), fake_env({}), "gw.json");
  REQUIRE(none.ok());
  CHECK(none->organisation.name.empty());
  auto named = gw::parse_config(json::parse(R"({"organisation": {"name": "the British Red Cross"}})"),
                                fake_env({}), "gw.json");
  REQUIRE(named.ok());
  CHECK(named->organisation.name == "the British Red Cross");
  auto long_name =
      gw::parse_config(json::parse(R"({"organisation": {"name": ")" + std::string(121, 'x') + R"("}})"),
                       fake_env({}), "gw.json");
  REQUIRE_FALSE(long_name.ok());
  CHECK(long_name.error().message.find("$.organisation.name") != std::string::npos);
  auto typo = gw::parse_config(json::parse(R"({"organisation": {"nmae": "x"}})"), fake_env({}), "gw.json");
  CHECK_FALSE(typo.ok());
}

TEST_CASE("the login section sets the throttling and hashing limits, with defaults, and refuses unknown keys",
          "[config]") {
  auto defaults = gw::parse_config(json::parse("{}"), fake_env({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->login.account_free_failures == 5);
  CHECK(defaults->login.account_first_delay_ms == 1000);
  CHECK(defaults->login.account_max_delay_s == 300);
  CHECK(defaults->login.address_failures_per_minute == 10);
  CHECK(defaults->login.global_failures_per_minute == 100);
  CHECK(defaults->login.concurrent_hashes == 2);
  auto set = gw::parse_config(
      json::parse(R"({"login": {"account_free_failures": 3, "global_failures_per_minute": 500,
                                "concurrent_hashes": 1}})"),
      fake_env({}));
  REQUIRE(set.ok());
  CHECK(set->login.account_free_failures == 3);
  CHECK(set->login.global_failures_per_minute == 500);
  CHECK(set->login.concurrent_hashes == 1);
  auto bad = gw::parse_config(json::parse(R"({"login": {"lockout_minutes": 60, "concurrent_hashes": 0}})"),
                              fake_env({}), "gw.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("$.login.lockout_minutes") != std::string::npos);
  CHECK(bad.error().message.find("$.login.concurrent_hashes") != std::string::npos);
}

TEST_CASE("intake.max_attempts defaults to 5, is read when given, and is bounded", "[config]") {
  auto none = gw::parse_config(json::parse(R"({})"), fake_env({}), "gw.json");
  REQUIRE(none.ok());
  CHECK(none->intake.max_attempts == 5);
  auto set = gw::parse_config(json::parse(R"({"intake": {"max_attempts": 3}})"), fake_env({}), "gw.json");
  REQUIRE(set.ok());
  CHECK(set->intake.max_attempts == 3);
  auto zero = gw::parse_config(json::parse(R"({"intake": {"max_attempts": 0}})"), fake_env({}), "gw.json");
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().message.find("$.intake.max_attempts") != std::string::npos);
  auto typo = gw::parse_config(json::parse(R"({"intake": {"max_attempt": 3}})"), fake_env({}), "gw.json");
  CHECK_FALSE(typo.ok());
}

TEST_CASE(
    "the web channel's simulator access and limits are read, with defaults, and a wrong value is an error",
    "[config]") {
  auto defaults =
      gw::parse_config(json{{"channels", json::array({{{"id", "web"}, {"type", "web"}}})}}, fake_env({}));
  REQUIRE(defaults.ok());
  CHECK(defaults->channels[0].access == "public");
  CHECK(defaults->channels[0].max_sessions == 200);
  CHECK(defaults->channels[0].max_sessions_per_address == 20);
  CHECK(defaults->channels[0].new_sessions_per_minute == 20);

  json doc = {{"channels", json::array({{{"id", "web"},
                                         {"type", "web"},
                                         {"access", "staff"},
                                         {"max_sessions", 50},
                                         {"max_sessions_per_address", 3},
                                         {"new_sessions_per_minute", 6}}})}};
  auto cfg = gw::parse_config(doc, fake_env({}));
  REQUIRE(cfg.ok());
  CHECK(cfg->channels[0].access == "staff");
  CHECK(cfg->channels[0].max_sessions == 50);
  CHECK(cfg->channels[0].max_sessions_per_address == 3);
  CHECK(cfg->channels[0].new_sessions_per_minute == 6);

  json bad = {{"channels", json::array({{{"id", "web"},
                                         {"type", "web"},
                                         {"access", "everyone"},
                                         {"max_sessions_per_address", 0},
                                         {"sessions", 3}}})}};
  auto refused = gw::parse_config(bad, fake_env({}), "c.json");
  REQUIRE_FALSE(refused.ok());
  const std::string& m = refused.error().message;
  CHECK(m.find("$.channels[0].access: must be \"public\", \"staff\" or \"off\"") != std::string::npos);
  CHECK(m.find("$.channels[0].max_sessions_per_address") != std::string::npos);
  CHECK(m.find("$.channels[0].sessions: unknown key") != std::string::npos);
}

TEST_CASE("a configuration file with a number too large for a double is an error, not a crash", "[config]") {
  auto dir = std::filesystem::temp_directory_path() / ("gw-config-big-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "big.json").string();
  std::ofstream(path) << R"({"channels": [{"id": "uk-sms", "type": "twilio", "max_per_second": 1e999}]})";
  auto cfg = gw::load_config_file(path, fake_env({}));
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(cfg.error().message == path + ": number overflow parsing '1e999'");
}

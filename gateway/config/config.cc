#include "gateway/config/config.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "gateway/config/default_content_dir.h"
#include "gateway/config/tls_files.h"
#include "gateway/core/address_range.h"
#include "gateway/core/json_reader.h"

namespace gw {
namespace {

using nlohmann::json;

bool is_http_url(const std::string& s) {
  static const std::regex kUrl(R"(^https?://[A-Za-z0-9.\-\[\]:]+(:\d+)?(/[^\s]*)?$)");
  return std::regex_match(s, kUrl);
}

std::string strip_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

void read_listen(JsonReader& r, const json& obj, Config& cfg) {
  std::string text = cfg.listen.to_string();
  if (!r.get_string(obj, "listen", &text)) return;
  auto parsed = parse_listen_address(text);
  if (!parsed) {
    r.problem(r.path_of("listen"), parsed.error().message);
    return;
  }
  cfg.listen = *parsed;
}

// listen_tls and tls: both or neither; the files are checked here, at load.
void read_tls(JsonReader& r, const json& obj, Config& cfg) {
  std::string text;
  if (r.get_string(obj, "listen_tls", &text) && !text.empty()) {
    auto parsed = parse_listen_address(text);
    if (!parsed) {
      r.problem(r.path_of("listen_tls"), parsed.error().message);
    } else if (parsed->port != 0 && parsed->host == cfg.listen.host && parsed->port == cfg.listen.port) {
      r.problem(r.path_of("listen_tls"), "must differ from listen (" + cfg.listen.to_string() + ")");
    } else {
      cfg.listen_tls = *parsed;
    }
  }
  const json* tls = r.get_object(obj, "tls");
  if (tls) {
    auto scope = r.enter("tls");
    r.only_keys(*tls, {"certificate", "private_key"});
    r.get_string(*tls, "certificate", &cfg.tls.certificate);
    r.get_string(*tls, "private_key", &cfg.tls.private_key);
  }
  const bool wanted = cfg.listen_tls.has_value() || !text.empty();
  if (!wanted) {
    if (tls) r.problem("$.tls", "is set but listen_tls is not: set listen_tls to serve HTTPS, or remove tls");
    return;
  }
  if (cfg.tls.certificate.empty()) r.problem("$.tls.certificate", "is required when listen_tls is set");
  if (cfg.tls.private_key.empty()) r.problem("$.tls.private_key", "is required when listen_tls is set");
  if (cfg.tls.certificate.empty() || cfg.tls.private_key.empty()) return;
  if (auto ok = check_tls_files(cfg.tls.certificate, cfg.tls.private_key); !ok) {
    r.problem("$.tls", ok.error().message);
  }
}

void read_database(JsonReader& r, const json& obj, Config& cfg) {
  const json* db = r.get_object(obj, "database");
  if (!db) return;
  auto scope = r.enter("database");
  r.only_keys(*db, {"driver", "path", "url", "instance_id", "max_connections"});
  r.get_string(*db, "driver", &cfg.database.driver);
  r.get_string(*db, "path", &cfg.database.path);
  r.get_string(*db, "url", &cfg.database.url);
  r.get_string(*db, "instance_id", &cfg.database.instance_id);
  r.get_int(*db, "max_connections", &cfg.database.max_connections, 2, 500);
  if (cfg.database.instance_id.size() > 64 ||
      cfg.database.instance_id.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") != std::string::npos) {
    r.problem(r.path_of("instance_id"), "must be at most 64 letters, digits, '.', '_', ':' or '-'");
  }
  if (cfg.database.driver == "sqlite") {
    if (cfg.database.path.empty()) r.problem(r.path_of("path"), "must not be empty for the sqlite driver");
  } else if (cfg.database.driver == "postgres") {
    if (cfg.database.url.empty()) r.problem(r.path_of("url"), "is required for the postgres driver");
  } else {
    r.problem(r.path_of("driver"), "must be \"sqlite\" or \"postgres\", not \"" + cfg.database.driver + "\"");
  }
}

void read_keys(JsonReader& r, const json& obj, Config& cfg) {
  const json* keys = r.get_object(obj, "keys");
  if (!keys) return;
  auto scope = r.enter("keys");
  r.only_keys(*keys, {"data", "data_previous", "index", "index_previous", "file"});
  r.get_string(*keys, "data", &cfg.keys.data);
  r.get_string_list(*keys, "data_previous", &cfg.keys.data_previous);
  r.get_string(*keys, "index", &cfg.keys.index);
  r.get_string(*keys, "index_previous", &cfg.keys.index_previous);
  r.get_string(*keys, "file", &cfg.keys.file);
  if (cfg.keys.data.empty() != cfg.keys.index.empty()) {
    r.problem(r.current_path(), "\"data\" and \"index\" must be given together");
  }
}

void read_metrics(JsonReader& r, const json& obj, Config& cfg) {
  const json* m = r.get_object(obj, "metrics");
  if (!m) return;
  auto scope = r.enter("metrics");
  r.only_keys(*m, {"allow_from", "bearer_token"});
  if (r.get_string_list(*m, "allow_from", &cfg.metrics.allow_from)) {
    for (size_t i = 0; i < cfg.metrics.allow_from.size(); ++i) {
      if (auto range = AddressRange::parse(cfg.metrics.allow_from[i]); !range) {
        r.problem(r.path_of("allow_from") + "[" + std::to_string(i) + "]", range.error().message);
      }
    }
  }
  r.get_string(*m, "bearer_token", &cfg.metrics.bearer_token);
}

void read_login(JsonReader& r, const json& obj, Config& cfg) {
  const json* login = r.get_object(obj, "login");
  if (!login) return;
  auto scope = r.enter("login");
  r.only_keys(*login, {"account_free_failures", "account_first_delay_ms", "account_max_delay_s",
                       "address_failures_per_minute", "global_failures_per_minute", "concurrent_hashes"});
  LoginConfig& l = cfg.login;
  r.get_int(*login, "account_free_failures", &l.account_free_failures, 1, 1000);
  r.get_int(*login, "account_first_delay_ms", &l.account_first_delay_ms, 1, 600000);
  r.get_int(*login, "account_max_delay_s", &l.account_max_delay_s, 1, 86400);
  r.get_int(*login, "address_failures_per_minute", &l.address_failures_per_minute, 1, 100000);
  r.get_int(*login, "global_failures_per_minute", &l.global_failures_per_minute, 1, 1000000);
  r.get_int(*login, "concurrent_hashes", &l.concurrent_hashes, 1, 64);
}

void read_http(JsonReader& r, const json& obj, Config& cfg) {
  const json* http = r.get_object(obj, "http");
  if (!http) return;
  auto scope = r.enter("http");
  r.only_keys(*http, {"threads", "read_timeout_ms", "write_timeout_ms", "keep_alive_timeout_s",
                      "keep_alive_max", "max_body_bytes", "max_request_line_bytes", "max_header_bytes",
                      "max_headers", "max_connections", "max_connections_per_address", "webhook_threads",
                      "max_event_streams", "max_event_streams_per_account"});
  r.get_int(*http, "threads", &cfg.http.threads, 1, 1024);
  r.get_int(*http, "read_timeout_ms", &cfg.http.read_timeout_ms, 1, 600000);
  r.get_int(*http, "write_timeout_ms", &cfg.http.write_timeout_ms, 1, 600000);
  r.get_int(*http, "keep_alive_timeout_s", &cfg.http.keep_alive_timeout_s, 0, 3600);
  r.get_int(*http, "keep_alive_max", &cfg.http.keep_alive_max, 1, 1000000);
  r.get_int64(*http, "max_body_bytes", &cfg.http.max_body_bytes, 1024, 64LL * 1024 * 1024);
  r.get_int(*http, "max_request_line_bytes", &cfg.http.max_request_line_bytes, 256, 1024 * 1024);
  r.get_int(*http, "max_header_bytes", &cfg.http.max_header_bytes, 1024, 1024 * 1024);
  r.get_int(*http, "max_headers", &cfg.http.max_headers, 8, 10000);
  r.get_int(*http, "max_connections", &cfg.http.max_connections, 16, 1000000);
  r.get_int(*http, "max_connections_per_address", &cfg.http.max_connections_per_address, 1, 1000000);
  r.get_int(*http, "webhook_threads", &cfg.http.webhook_threads, 1, 1024);
  r.get_int(*http, "max_event_streams", &cfg.http.max_event_streams, 1, 1024);
  r.get_int(*http, "max_event_streams_per_account", &cfg.http.max_event_streams_per_account, 1, 1024);
}

void read_channel(JsonReader& r, const json& ch, ChannelConfig& c) {
  r.get_string(ch, "id", &c.id);
  r.get_string(ch, "type", &c.type);
  static const std::regex kId(R"(^[a-z0-9][a-z0-9_\-]{0,62}$)");
  if (c.id.empty()) {
    r.problem(r.path_of("id"), "is required");
  } else if (!std::regex_match(c.id, kId)) {
    r.problem(r.path_of("id"), "must be lower-case letters, digits, '-' or '_' (it appears in URLs)");
  }
  if (c.type == "twilio") {
    r.only_keys(ch, {"id", "type", "account_sid", "auth_token", "from", "messaging_service_sid", "api_base",
                     "max_per_second", "smart_encoding"});
    c.api_base = "https://api.twilio.com";
    r.get_string(ch, "account_sid", &c.account_sid);
    r.get_string(ch, "auth_token", &c.auth_token);
    r.get_string(ch, "from", &c.from);
    r.get_string(ch, "messaging_service_sid", &c.messaging_service_sid);
    r.get_string(ch, "api_base", &c.api_base);
    r.get_double(ch, "max_per_second", &c.max_per_second, 0.001, 10000);
    r.get_bool(ch, "smart_encoding", &c.smart_encoding);
    static const std::regex kSid(R"(^AC[0-9a-fA-F]{32}$)");
    if (c.account_sid.empty())
      r.problem(r.path_of("account_sid"), "is required for a twilio channel");
    else if (!std::regex_match(c.account_sid, kSid))
      r.problem(r.path_of("account_sid"), "must be \"AC\" followed by 32 hex digits");
    if (c.auth_token.empty() && !r.has_problem_at(r.path_of("auth_token")))
      r.problem(r.path_of("auth_token"), "is required for a twilio channel");
    if (c.from.empty() && c.messaging_service_sid.empty()) {
      r.problem(r.path_of("from"), "a twilio channel needs \"from\" or \"messaging_service_sid\"");
    }
  } else if (c.type == "telegram") {
    r.only_keys(ch, {"id", "type", "bot_token", "secret_token", "api_base", "max_per_second"});
    c.api_base = "https://api.telegram.org";
    c.max_per_second = 30;  // Telegram's broadcast limit for a bot
    r.get_double(ch, "max_per_second", &c.max_per_second, 0.001, 10000);
    r.get_string(ch, "bot_token", &c.bot_token);
    r.get_string(ch, "secret_token", &c.secret_token);
    r.get_string(ch, "api_base", &c.api_base);
    if (c.bot_token.empty() && !r.has_problem_at(r.path_of("bot_token")))
      r.problem(r.path_of("bot_token"), "is required for a telegram channel");
    if (c.secret_token.empty() && !r.has_problem_at(r.path_of("secret_token")))
      r.problem(r.path_of("secret_token"), "is required for a telegram channel");
  } else if (c.type == "web") {
    r.only_keys(
        ch, {"id", "type", "access", "max_sessions", "max_sessions_per_address", "new_sessions_per_minute"});
    if (r.get_string(ch, "access", &c.access) && c.access != "public" && c.access != "staff" &&
        c.access != "off") {
      r.problem(r.path_of("access"), "must be \"public\", \"staff\" or \"off\", not \"" + c.access + "\"");
    }
    r.get_int(ch, "max_sessions", &c.max_sessions, 1, 100000);
    r.get_int(ch, "max_sessions_per_address", &c.max_sessions_per_address, 1, 100000);
    r.get_int(ch, "new_sessions_per_minute", &c.new_sessions_per_minute, 1, 100000);
  } else if (!c.type.empty()) {
    r.problem(r.path_of("type"), "must be \"twilio\", \"telegram\" or \"web\", not \"" + c.type + "\"");
  } else {
    r.problem(r.path_of("type"), "is required");
  }
  c.api_base = strip_trailing_slash(c.api_base);
  if (!c.api_base.empty() && !is_http_url(c.api_base)) {
    r.problem(r.path_of("api_base"), "must be an http:// or https:// URL");
  }
}

void read_channels(JsonReader& r, const json& obj, Config& cfg) {
  const json* list = r.get_array(obj, "channels");
  if (!list) return;
  cfg.channels.clear();
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    auto scope = r.enter_index("channels", i);
    const json& ch = (*list)[i];
    if (!ch.is_object()) {
      r.problem(r.current_path(), "must be an object");
      continue;
    }
    ChannelConfig c;
    read_channel(r, ch, c);
    if (!c.id.empty() && !seen.insert(c.id).second) {
      r.problem(r.path_of("id"), "duplicates the id of an earlier channel");
    }
    cfg.channels.push_back(std::move(c));
  }
}

void read_language_map(JsonReader& r, const json& obj, const std::string& key,
                       std::map<std::string, std::vector<std::string>>* out, bool upper_keys) {
  const json* m = r.get_object(obj, key);
  if (!m) return;
  auto scope = r.enter(key);
  static const std::regex kLang(R"(^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$)");
  static const std::regex kCountry(R"(^[A-Z]{2}$)");
  for (const auto& [k, v] : m->items()) {
    if (upper_keys ? !std::regex_match(k, kCountry) : !std::regex_match(k, kLang)) {
      r.problem(r.path_of(k), upper_keys ? "must be an ISO 3166 country code like \"GB\""
                                         : "must be a language code like \"fa\" or \"fa-AF\"");
      continue;
    }
    std::vector<std::string> list;
    if (!r.get_string_list(*m, k, &list)) continue;
    for (const auto& l : list) {
      if (!std::regex_match(l, kLang)) r.problem(r.path_of(k), "\"" + l + "\" is not a language code");
    }
    (*out)[k] = list;
  }
}

// "organisation": {"name": "the British Red Cross"}
void read_organisation(JsonReader& r, const json& doc, Config& cfg) {
  const json* o = r.get_object(doc, "organisation");
  if (!o) return;
  auto scope = r.enter("organisation");
  r.only_keys(*o, {"name"});
  r.get_string(*o, "name", &cfg.organisation.name);
  if (cfg.organisation.name.size() > 120) r.problem(r.path_of("name"), "must be at most 120 bytes");
}

// "content": {"publish_requires_second_person": true}
void read_content(JsonReader& r, const json& doc, Config& cfg) {
  const json* c = r.get_object(doc, "content");
  if (!c) return;
  auto scope = r.enter("content");
  r.only_keys(*c, {"publish_requires_second_person"});
  r.get_bool(*c, "publish_requires_second_person", &cfg.content.publish_requires_second_person);
}

// "stats": {"min_cell": 11, "countries": ["GB", "IT", "HR", "NL"]}
void read_stats(JsonReader& r, const json& doc, Config& cfg) {
  const json* st = r.get_object(doc, "stats");
  if (!st) return;
  auto scope = r.enter("stats");
  r.only_keys(*st, {"min_cell", "countries"});
  // Public health statistics hide counts of 1 to 10; below 5 a count points at too few people.
  r.get_int(*st, "min_cell", &cfg.stats.min_cell, 5, 1000);
  std::vector<std::string> list;
  if (st->contains("countries") && r.get_string_list(*st, "countries", &list)) {
    static const std::regex kCountry("[A-Z]{2}");
    if (list.size() > 50) r.problem(r.path_of("countries"), "must list at most 50 countries");
    for (const auto& c : list) {
      if (!std::regex_match(c, kCountry))
        r.problem(r.path_of("countries"), "\"" + c.substr(0, 8) + "\" is not an ISO 3166 alpha-2 code");
    }
    cfg.stats.countries = list;
  }
}

void read_intake(JsonReader& r, const json& doc, Config& cfg) {
  const json* i = r.get_object(doc, "intake");
  if (!i) return;
  auto scope = r.enter("intake");
  r.only_keys(*i, {"max_attempts"});
  r.get_int(*i, "max_attempts", &cfg.intake.max_attempts, 1, 100);
}

void read_conversation(JsonReader& r, const json& doc, Config& cfg) {
  const json* c = r.get_object(doc, "conversation");
  if (!c) return;
  auto scope = r.enter("conversation");
  r.only_keys(*c, {"entry_flow", "session_ttl_hours", "retention_days", "serve_fuzzy", "languages",
                   "fallbacks", "countries"});
  ConversationConfig& cc = cfg.conversation;
  r.get_string(*c, "entry_flow", &cc.entry_flow);
  r.get_int(*c, "session_ttl_hours", &cc.session_ttl_hours, 1, 24 * 90);
  r.get_int(*c, "retention_days", &cc.retention_days, 1, 3650);
  r.get_bool(*c, "serve_fuzzy", &cc.serve_fuzzy);
  r.get_string_list(*c, "languages", &cc.languages);
  read_language_map(r, *c, "fallbacks", &cc.fallbacks, false);
  read_language_map(r, *c, "countries", &cc.countries, true);
  if (cc.entry_flow.empty()) r.problem(r.path_of("entry_flow"), "must not be empty");
}

// "helpdesk": {"queues": {"general": {"time_zone": "Europe/London",
//   "hours": {"mon": ["09:00-17:00"], ...}}, ...}, "reassure_after_minutes": 10,
//   "auto_assign": false}. Given queues replace the default ones.
void read_helpdesk_queue(JsonReader& r, const json& obj, QueueConfig& q) {
  r.only_keys(obj, {"time_zone", "hours"});
  if (r.get_string(obj, "time_zone", &q.time_zone) && !is_known_time_zone(q.time_zone)) {
    r.problem(r.path_of("time_zone"),
              "\"" + q.time_zone + "\" is not a known time zone (e.g. \"Europe/London\")");
  }
  const json* hours = r.get_object(obj, "hours");
  if (!hours) return;
  auto scope = r.enter("hours");
  q.always_open = false;
  for (const auto& [day, spans] : hours->items()) {
    const int index = weekday_index(day);
    if (index < 0) {
      r.problem(r.path_of(day), "is not a weekday (mon, tue, wed, thu, fri, sat, sun)");
      continue;
    }
    std::vector<std::string> list;
    if (!r.get_string_list(*hours, day, &list)) continue;
    for (const std::string& text : list) {
      auto span = parse_opening_span(text);
      if (!span)
        r.problem(r.path_of(day), span.error().message);
      else
        q.hours[static_cast<size_t>(index)].push_back(*span);
    }
  }
}

void read_helpdesk(JsonReader& r, const json& doc, Config& cfg) {
  const json* h = r.get_object(doc, "helpdesk");
  if (!h) return;
  auto scope = r.enter("helpdesk");
  r.only_keys(*h, {"queues", "reassure_after_minutes", "auto_assign"});
  HelpdeskConfig& hc = cfg.helpdesk;
  r.get_int(*h, "reassure_after_minutes", &hc.reassure_after_minutes, 1, 24 * 60);
  r.get_bool(*h, "auto_assign", &hc.auto_assign);
  const json* queues = r.get_object(*h, "queues");
  if (!queues) return;
  auto queues_scope = r.enter("queues");
  static const std::regex kName(R"(^[a-z0-9_\-]{1,40}$)");
  hc.queues.clear();
  for (const auto& [name, q] : queues->items()) {
    if (!std::regex_match(name, kName)) {
      r.problem(r.path_of(name), "a queue name is lower-case letters, digits, - and _");
      continue;
    }
    QueueConfig qc;
    qc.name = name;
    if (!q.is_object()) {
      r.problem(r.path_of(name), "must be an object");
      continue;
    }
    auto queue_scope = r.enter(name);
    read_helpdesk_queue(r, q, qc);
    hc.queues.push_back(std::move(qc));
  }
  if (hc.queues.empty()) r.problem(r.current_path(), "needs at least one queue");
}

}  // namespace

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Config default_config() {
  Config cfg;
  cfg.content_dir = default_content_dir();
  cfg.public_url = "http://" + cfg.listen.to_string();
  cfg.keys.file = "data/keys.json";
  ChannelConfig web;
  web.id = "web";
  web.type = "web";
  cfg.channels.push_back(web);
  return cfg;
}

Result<ListenAddress> parse_listen_address(const std::string& text) {
  ListenAddress out;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error::invalid("\"" + text + "\" is not host:port (IPv6 is written [::1]:8080)");
    }
    out.host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return Error::invalid("\"" + text + "\" is not host:port (e.g. 127.0.0.1:8080)");
    }
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (out.host == "localhost") out.host = "127.0.0.1";
  unsigned char buf[sizeof(struct in6_addr)];
  const bool v4 = inet_pton(AF_INET, out.host.c_str(), buf) == 1;
  const bool v6 = inet_pton(AF_INET6, out.host.c_str(), buf) == 1;
  if (!v4 && !v6) {
    return Error::invalid("\"" + out.host + "\" is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or [::1])");
  }
  static const std::regex kPort(R"(^\d{1,5}$)");
  if (!std::regex_match(port_text, kPort) || std::stoi(port_text) > 65535) {
    return Error::invalid("port \"" + port_text + "\" must be a number from 0 to 65535");
  }
  out.port = std::stoi(port_text);
  return out;
}

Result<Config> parse_config(const json& doc, const EnvLookup& env, const std::string& source) {
  JsonReader r(env);
  Config cfg = default_config();
  cfg.source = source;
  cfg.public_url.clear();
  cfg.keys.file.clear();  // derived from the database path unless given
  if (!doc.is_object()) return Error::invalid(source + ": $: the configuration must be a JSON object");
  r.only_keys(doc, {"listen", "listen_tls", "tls", "public_url", "database", "content_dir", "channels",
                    "keys", "http", "login", "metrics", "conversation", "intake", "helpdesk", "organisation",
                    "content", "stats", "log_level"});
  read_listen(r, doc, cfg);
  read_tls(r, doc, cfg);
  r.get_string(doc, "public_url", &cfg.public_url);
  r.get_string(doc, "content_dir", &cfg.content_dir);
  r.get_string(doc, "log_level", &cfg.log_level);
  read_database(r, doc, cfg);
  read_keys(r, doc, cfg);
  read_http(r, doc, cfg);
  read_login(r, doc, cfg);
  read_metrics(r, doc, cfg);
  read_channels(r, doc, cfg);
  read_conversation(r, doc, cfg);
  read_intake(r, doc, cfg);
  read_organisation(r, doc, cfg);
  read_content(r, doc, cfg);
  read_stats(r, doc, cfg);
  read_helpdesk(r, doc, cfg);

  if (cfg.public_url.empty()) cfg.public_url = "http://" + cfg.listen.to_string();
  cfg.public_url = strip_trailing_slash(cfg.public_url);
  if (!is_http_url(cfg.public_url)) r.problem("$.public_url", "must be an http:// or https:// URL");
  if (cfg.content_dir.empty()) r.problem("$.content_dir", "must not be empty");
  static const std::set<std::string> kLevels = {"debug", "info", "warn", "error"};
  if (!kLevels.count(cfg.log_level)) r.problem("$.log_level", "must be one of debug, info, warn, error");
  if (cfg.database.driver == "postgres" && cfg.keys.data.empty()) {
    r.problem("$.keys",
              "encryption keys are required with the postgres driver (several instances share them)");
  }
  if (cfg.keys.file.empty() && cfg.database.driver == "sqlite") {
    cfg.keys.file = (std::filesystem::path(cfg.database.path).parent_path() / "keys.json").string();
  }
  if (!r.problems().empty()) {
    std::string msg;
    for (const auto& p : r.problems()) {
      if (!msg.empty()) msg += '\n';
      msg += source + ": " + p.path + ": " + p.message;
    }
    return Error::invalid(msg);
  }
  return cfg;
}

Result<Config> load_config_file(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io(path + ": cannot open the configuration file");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // Turn the byte offset into line:column so the person can find the mistake.
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto pos = what.find("syntax error");
    return Error::invalid(path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
                          (pos == std::string::npos ? what : what.substr(pos)));
  } catch (const json::exception& e) {
    // Valid syntax the parser still refuses: a number too large for a double.
    const std::string what = e.what();
    const auto pos = what.find("] ");
    return Error::invalid(path + ": " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
  return parse_config(doc, env, path);
}

}  // namespace gw

// The gateway's configuration: a JSON file, or the embedded default when none
// is given.
//
// Any string value written "env:NAME" is read from the environment variable
// NAME, so secrets never live in the file. Validation collects every problem
// (unknown key, wrong type, missing environment variable, bad address, ...)
// with its JSON path and reports them together. Every key has a default except
// the ones a channel cannot work without.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/queue_config.h"
#include "gateway/core/env_lookup.h"
#include "gateway/core/result.h"

namespace gw {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 8080;                // 0 = any free port
  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

struct DatabaseConfig {
  std::string driver = "sqlite";         // "sqlite" or "postgres"
  std::string path = "data/gateway.db";  // sqlite
  std::string url;                       // postgres connection URI
  // postgres: this instance's name in the leases it holds (unique per running
  // instance); generated (host:pid:random) when empty.
  std::string instance_id;
  int max_connections = 16;  // postgres: the store's connection pool
};

// Encryption keys: base64 of 32 random bytes each. With SQLite they may be
// absent: then they are generated into `file` (default: keys.json beside the
// database) on first start.
struct KeysConfig {
  std::string data;                        // active data-encryption key
  std::vector<std::string> data_previous;  // older keys, still readable (rotation)
  std::string index;                       // HMAC key for looking contacts up
  std::string index_previous;              // the index key before a rotation, still looked up
  std::string file;                        // where generated keys live
};

struct ChannelConfig {
  std::string id;
  std::string type;  // "twilio", "telegram" or "web"
  // twilio
  std::string account_sid;
  std::string auth_token;
  std::string from;
  std::string messaging_service_sid;
  double max_per_second = 1.0;
  bool smart_encoding = true;
  // telegram
  std::string bot_token;
  std::string secret_token;
  // twilio and telegram
  std::string api_base;
  // web: the browser simulator (channels/web/simulator_routes.h)
  std::string access = "public";      // "public", "staff" (behind the staff login) or "off"
  int max_sessions = 200;             // conversations held in memory at once
  int max_sessions_per_address = 20;  // of them, from one client address (IPv6: one /64)
  int new_sessions_per_minute = 20;   // conversations one client address may start a minute
};

struct HttpConfig {
  int threads = 16;
  int read_timeout_ms = 5000;
  int write_timeout_ms = 5000;
  int keep_alive_timeout_s = 5;
  int keep_alive_max = 100;
  int64_t max_body_bytes = 1024 * 1024;
  int max_request_line_bytes = 8192;      // longer request lines get 414
  int max_header_bytes = 16384;           // all header lines together; more gets 431
  int max_headers = 100;                  // more header lines get 431
  int max_connections = 4096;             // open at once; more get 503
  int max_connections_per_address = 512;  // from one client address; more get 503
  int webhook_threads = 8;                // a pool of their own for provider webhooks and health checks
  int max_event_streams = 32;             // console event streams open at once (a pool of their own)
  int max_event_streams_per_account = 4;  // of one staff account; more get 429
};

// How the bot talks: the flows' entry point, session lifetime, and languages.
// Language fallbacks and country → language guesses have built-in defaults
// (content/languages.h); entries here add to or replace them per key.
struct ConversationConfig {
  std::string entry_flow = "main";     // the flow a new conversation starts in
  int session_ttl_hours = 24;          // an idle flow session expires after this
  int retention_days = 90;             // kept this long after the last message, with consent
  bool serve_fuzzy = true;             // serve draft (fuzzy) translations
  std::vector<std::string> languages;  // offered languages; empty = every loaded one
  std::map<std::string, std::vector<std::string>> fallbacks;  // "prs": ["fa", "en"]
  std::map<std::string, std::vector<std::string>> countries;  // "AF": ["prs", "ps"]
};

// Who may read /metrics: these addresses or networks, or a request with
// "Authorization: Bearer <bearer_token>" (when one is set).
struct MetricsConfig {
  std::vector<std::string> allow_from = {"127.0.0.1", "::1"};
  std::string bearer_token;  // empty: none
};

// How the intake treats a message whose handling fails: it is tried again
// after 1 s, 2 s, 4 s ... (at most 5 minutes), the person's later messages
// waiting behind it, and after max_attempts failed attempts it is a dead letter
// for a supervisor to retry from the console (holding nothing back any more).
struct IntakeConfig {
  int max_attempts = 5;
};

// Who runs the helpline, as the consent message names it ({organisation} in
// templates). Empty: the translated template organisation.default is used.
struct OrganisationConfig {
  std::string name;  // e.g. "the British Red Cross"; at most 120 bytes
};

// The content studio (/studio/): with publish_requires_second_person, whoever
// publishes must not be the last editor of any entry the draft changes.
struct ContentConfig {
  bool publish_requires_second_person = false;
};

// The anonymised statistics (gateway/stats/): no output shows a count from 1 to
// min_cell - 1 (never below 5), and a person's country is counted as itself
// only when it is one of `countries` (else "other"), so that a rare country
// never names anyone.
struct StatsConfig {
  int min_cell = 11;
  std::vector<std::string> countries = {"GB", "IT", "HR", "NL"};  // ISO 3166 alpha-2
};

// Staff login (security/login_throttle.h, security/password_hasher.h):
// how password guessing is slowed down, and how many Argon2id runs (19 MiB
// each) may run at once.
struct LoginConfig {
  int account_free_failures = 5;         // failed logins of an account before delays start
  int account_first_delay_ms = 1000;     // then the first delay, doubling with each further failure
  int account_max_delay_s = 300;         // up to this
  int address_failures_per_minute = 10;  // per client address (a refilling budget)
  int global_failures_per_minute = 100;  // across all addresses; above it, 429
  int concurrent_hashes = 2;             // password hashes running at once
};

// The HTTPS listener's certificate chain and private key (PEM files; relative paths
// from the working directory). Required when listen_tls is set.
struct TlsConfig {
  std::string certificate;
  std::string private_key;
};

struct Config {
  std::string source = "embedded default";  // the file it came from
  ListenAddress listen;
  std::optional<ListenAddress> listen_tls;  // none (the default): no HTTPS listener
  TlsConfig tls;
  std::string public_url;  // no trailing slash
  DatabaseConfig database;
  std::string content_dir = ".";
  std::vector<ChannelConfig> channels;
  KeysConfig keys;
  HttpConfig http;
  LoginConfig login;
  MetricsConfig metrics;
  ConversationConfig conversation;
  IntakeConfig intake;
  HelpdeskConfig helpdesk;  // queues, business hours, reassurance (config/queue_config.h)
  OrganisationConfig organisation;
  ContentConfig content;
  StatsConfig stats;
  std::string log_level = "info";
};

// The process environment, for the "env:NAME" values (EnvLookup: core/env_lookup.h).
EnvLookup process_env();

// The configuration used when no file is given: SQLite under ./data, the
// shipped content (default_content_dir(): installed, or the source tree of a
// build), the browser simulator channel, 127.0.0.1:8080. A file that sets no
// content_dir starts from it too.
Config default_config();

// Builds a Config from parsed JSON. On failure the Error lists every problem,
// one a line, as "<source>: <json path>: <what is wrong>".
Result<Config> parse_config(const nlohmann::json& doc, const EnvLookup& env,
                            const std::string& source = "config");

// Reads and parses `path`; a JSON syntax error is reported with line and column.
Result<Config> load_config_file(const std::string& path, const EnvLookup& env);

// Parses "host:port", "[v6]:port"; the host must be an IP address literal or
// "localhost".
Result<ListenAddress> parse_listen_address(const std::string& text);

}  // namespace gw

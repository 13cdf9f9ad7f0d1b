#include "gateway/cli/serve_command.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "gateway/channels/channel_workers.h"
#include "gateway/channels/web/simulator_routes.h"
#include "gateway/channels/webhook_routes.h"
#include "gateway/cli/commands.h"
#include "gateway/cli/configured_store.h"
#include "gateway/cli/key_watch.h"
#include "gateway/cli/service_notify.h"
#include "gateway/cli/shutdown_signals.h"
#include "gateway/cli/user_command.h"
#include "gateway/config/config.h"
#include "gateway/content/content_dir.h"
#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/languages.h"
#include "gateway/content/renderer.h"
#include "gateway/content/renderer_lexicon.h"
#include "gateway/content/template_catalog.h"
#include "gateway/conversations/conversations.h"
#include "gateway/conversations/intake_worker.h"
#include "gateway/core/clock.h"
#include "gateway/core/core_metrics.h"
#include "gateway/core/curl_http_client.h"
#include "gateway/core/log.h"
#include "gateway/core/metrics.h"
#include "gateway/core/periodic_worker.h"
#include "gateway/engine/engine.h"
#include "gateway/helpdesk/console_api.h"
#include "gateway/helpdesk/dead_letter_api.h"
#include "gateway/helpdesk/event_relay.h"
#include "gateway/helpdesk/events.h"
#include "gateway/helpdesk/helpdesk.h"
#include "gateway/helpdesk/helpdesk_metrics.h"
#include "gateway/helpdesk/person_messages.h"
#include "gateway/helpdesk/reassurer.h"
#include "gateway/helpdesk/stats_api.h"
#include "gateway/http/health.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "gateway/http/static_assets.h"
#include "gateway/security/login_throttle.h"
#include "gateway/security/password_hasher.h"
#include "gateway/security/staff_sessions.h"
#include "gateway/store/login_throttle_table.h"
#include "gateway/store/postgres/pg_intake.h"
#include "gateway/store/postgres/pg_store.h"
#include "gateway/store/sqlite/database_file.h"
#include "gateway/store/sqlite/database_lock.h"
#include "gateway/store/staff_session_table.h"
#include "gateway/studio/content_library.h"
#include "gateway/studio/studio_api.h"

namespace gw::cli {
namespace {

// Prints every line of `message` prefixed with the command, so that a
// multi-problem configuration error reads as one problem a line.
int fail(const std::string& message) {
  std::istringstream lines(message);
  for (std::string line; std::getline(lines, line);) std::cerr << "gateway serve: " << line << "\n";
  return kExitFailure;
}

http::HttpOptions http_options(const Config& cfg) {
  http::HttpOptions o;
  o.threads = cfg.http.threads;
  o.read_timeout_ms = cfg.http.read_timeout_ms;
  o.write_timeout_ms = cfg.http.write_timeout_ms;
  o.keep_alive_timeout_s = cfg.http.keep_alive_timeout_s;
  o.keep_alive_max = cfg.http.keep_alive_max;
  o.max_body_bytes = static_cast<size_t>(cfg.http.max_body_bytes);
  o.head_limits.max_request_line_bytes = static_cast<size_t>(cfg.http.max_request_line_bytes);
  o.head_limits.max_header_bytes = static_cast<size_t>(cfg.http.max_header_bytes);
  o.head_limits.max_headers = static_cast<size_t>(cfg.http.max_headers);
  o.max_connections = static_cast<size_t>(cfg.http.max_connections);
  o.max_connections_per_address = static_cast<size_t>(cfg.http.max_connections_per_address);
  // Providers' webhooks (and the health checks a load balancer makes) have threads
  // of their own: nothing the console, the simulator or the public does can take
  // them. Event streams, which hold a thread as long as they are open, too; a few
  // more threads than streams, so that one over the limit is refused at once.
  o.pools.push_back(http::WorkerPoolSpec{
      "webhooks", cfg.http.webhook_threads, 1024, {"/twilio/", "/telegram/", "/healthz", "/readyz"}});
  o.pools.push_back(
      http::WorkerPoolSpec{"streams", cfg.http.max_event_streams + 2, 64, {"/api/helpdesk/events"}});
  return o;
}

}  // namespace

// Each open connection is a file descriptor: the soft limit (often 1024) is raised
// to the hard one, and a limit below http.max_connections is reported.
void raise_open_files_limit(int max_connections) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
    (void)::getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < static_cast<rlim_t>(max_connections) + 256) {
    log::warn("http.open_files_limit", {{"limit", static_cast<int64_t>(rl.rlim_cur)},
                                        {"max_connections", max_connections},
                                        {"advice", "raise LimitNOFILE or lower http.max_connections"}});
  }
}

int run_serve(const ServeOptions& options) {
  // 0. Each staff login's 19 MiB of Argon2id goes back to the system after it.
  return_hash_memory_to_system();
  // 1. Signals first, so that every thread started below inherits the mask.
  std::atomic<http::HttpServer*> live_server{nullptr};
  std::atomic<ConsoleApi*> live_console{nullptr};
  ServiceNotifier service;  // systemd's Type=notify (service_notify.h)
  ShutdownSignals signals([&](int sig) {
    log::info("shutdown.requested", {{"signal", sig}});
    service.stopping();
    if (http::HttpServer* s = live_server.load()) s->stop();
    // Open console event streams end, or run() would wait for them.
    if (ConsoleApi* c = live_console.load()) c->shutdown();
  });
  signals.start();

  // 2. Configuration and logging.
  auto cfg = load_config(options.config_path);
  if (!cfg) return fail(cfg.error().message);
  log::Level level = log::Level::kInfo;
  log::parse_level(cfg->log_level, &level);
  log::init(level);
  log::info("gateway.starting", {{"version", GATEWAY_VERSION}, {"config", cfg->source}});

  // 3. Keys and the store. On SQLite, the lock `gateway restore` checks, held
  // (shared) while this serves; a restore in progress holds it exclusive.
  std::optional<sqlite::DatabaseLock> database_lock;
  if (cfg->database.driver == "sqlite" && sqlite::is_file_path(cfg->database.path)) {
    if (Status s = sqlite::prepare_database_file(cfg->database.path); !s) return fail(s.error().message);
    auto lock = sqlite::DatabaseLock::acquire(cfg->database.path, sqlite::DatabaseLock::Mode::kShared);
    if (!lock && lock.error().code == ErrorCode::kUnavailable) {
      return fail("a restore is running on " + cfg->database.path +
                  ": start the gateway once it has finished");
    }
    if (!lock) return fail(lock.error().message);
    database_lock = std::move(*lock);
  }
  SystemClock clock;
  auto crypto = load_crypto(*cfg);
  if (!crypto) return fail(crypto.error().message);
  // Several instances on PostgreSQL: this one's name in the leases it holds.
  if (cfg->database.driver == "postgres" && cfg->database.instance_id.empty()) {
    cfg->database.instance_id = generate_instance_id();
  }
  auto store = open_store(*cfg, *crypto, clock, ServeLeases{kInstanceLease, kInstanceHeartbeat});
  if (!store) return fail(store.error().message);
  std::unique_ptr<Store> db = std::move(*store);
  // The intake, where webhooks store each message before it is handled: a
  // SQLite database beside the main one, or the PostgreSQL database's
  // inbound_queue, whose claims are leased to this instance and renewed while
  // it lives.
  Result<std::unique_ptr<Intake>> opened_intake = Error::internal("no intake");
  if (cfg->database.driver == "postgres") {
    PostgresOptions intake_options;
    intake_options.url = cfg->database.url;
    intake_options.max_connections = kIntakeConnections;
    intake_options.instance_id = cfg->database.instance_id;
    auto pg_intake = pg::PgIntake::open(intake_options, *crypto, clock, kInstanceLease);
    if (pg_intake) {
      if (Status s = (*pg_intake)->start_heartbeat(kInstanceHeartbeat); !s)
        return fail("intake: " + s.error().message);
      opened_intake = std::unique_ptr<Intake>(std::move(*pg_intake));
    } else {
      opened_intake = pg_intake.error();
    }
    log::info("instance.id", {{"instance_id", cfg->database.instance_id}});
  } else {
    opened_intake = open_sqlite_intake(intake_path_for(cfg->database.path), *crypto, clock);
  }
  if (!opened_intake) {
    (void)db->close();
    return fail("intake: " + opened_intake.error().message);
  }
  std::unique_ptr<Intake> intake = std::move(*opened_intake);

  // 4. Content.
  const std::string content_dir = cfg->content_dir;
  if (auto content = check_content_dir(content_dir); !content) {
    (void)db->close();
    return fail(content.error().message);
  }
  // Built-in fallback chains and country languages, with the config's overrides.
  // A configured chain "prs": ["fa", "en"] is prs → fa, then fa → en unless fa
  // has a step of its own; every chain ends in the source language.
  nlohmann::json overrides = {{"fallbacks", nlohmann::json::object()},
                              {"countries", nlohmann::json::object()}};
  for (const auto& [lang, list] : cfg->conversation.fallbacks) {
    std::string from = lang;
    for (const std::string& next : list) {
      if (!overrides["fallbacks"].contains(from) || from == lang) overrides["fallbacks"][from] = next;
      from = next;
    }
  }
  for (const auto& [country, langs] : cfg->conversation.countries) overrides["countries"][country] = langs;
  auto configured_policy = LanguagePolicy::from_json(overrides);
  if (!configured_policy) {
    (void)db->close();
    return fail(cfg->source + ": $.conversation: " + configured_policy.error().message);
  }
  // The published version of the content (the shipped files are the first),
  // loaded; the studio publishes new ones while the gateway runs.
  ContentLibraryOptions library_options;
  library_options.files_dir = content_dir;
  library_options.load.policy = *configured_policy;
  library_options.load.render.serve_fuzzy = cfg->conversation.serve_fuzzy;
  library_options.load.render.organisation = cfg->organisation.name;
  library_options.load.engine.session_ttl = std::chrono::hours(cfg->conversation.session_ttl_hours);
  library_options.load.entry_flow = cfg->conversation.entry_flow;
  library_options.publish_requires_second_person = cfg->content.publish_requires_second_person;
  auto opened_library = ContentLibrary::open(*db, clock, library_options);
  if (!opened_library) {
    (void)db->close();
    std::string msg = opened_library.error().message;
    if (msg.find('\n') != std::string::npos) msg = msg.substr(0, msg.find('\n'));
    return fail(msg + " (gateway check --content " + content_dir + " lists every problem)");
  }
  std::unique_ptr<ContentLibrary> library = std::move(*opened_library);
  const ContentSource content = library->live().source();

  // 5. Metrics, the outbox senders, the conversations and the HTTP server.
  metrics::Registry registry;
  metrics::CoreMetrics core_metrics(registry, GATEWAY_VERSION, clock.now());
  core_metrics.set_outbox_depth_source([&db] { return db->outbox_depth(); });
  core_metrics.set_intake_depth_source([&intake] { return intake->depth(); });
  core_metrics.set_intake_dead_letters_source([&intake] { return intake->dead_letter_count(); });
  // With SQLite this is the only process: a lease still held was taken by one that
  // died (SIGKILL, a crash), and its replies go out now rather than when it expires.
  // On PostgreSQL only this instance id's leases end (one restarted under the
  // id it had); other instances' run out by themselves if those died.
  {
    auto ended = db->end_leases_of_previous_process(clock.now());
    if (!ended)
      log::warn("outbox.leases_not_ended", {{"error", ended.error().to_string()}});
    else if (*ended > 0)
      log::info("outbox.leases_ended", {{"items", *ended}});
  }
  CurlHttpClient http_client;
  ChannelWorkers workers(*cfg, content, *db, clock, http_client, &core_metrics);
  Conversations conversations(*db, clock, content, [&workers](const std::string& ch) { workers.wake(ch); });
  // The intake: the webhooks store each message and answer; this thread handles them.
  IntakeWorker intake_worker(conversations, clock, [&core_metrics](const HandledInbound& h) {
    count_handled_inbound(&core_metrics, h);
  });
  BackoffPolicy intake_retry = kIntakeRetry;
  intake_retry.max_attempts = cfg->intake.max_attempts;
  conversations.set_intake(
      intake.get(), [&intake_worker] { intake_worker.wake(); }, intake_retry);
  conversations.set_stats_countries(cfg->stats.countries);

  // The helpdesk: its events for live consoles, what it says to people, its
  // service figures, and a periodic word to those still waiting.
  EventBus helpdesk_events;
  std::map<std::string, std::string> channel_types;
  for (const ChannelConfig& ch : cfg->channels) channel_types[ch.id] = ch.type;
  const ChannelKinds channel_kinds(std::move(channel_types));
  PersonMessages person_messages(*db, content, channel_kinds,
                                 [&workers](const std::string& ch) { workers.wake(ch); });
  HelpdeskMetrics helpdesk_metrics(registry);
  Helpdesk helpdesk(*db, clock, cfg->helpdesk, person_messages, helpdesk_events, &helpdesk_metrics);
  conversations.set_helpdesk(HelpdeskLink{&cfg->helpdesk, &helpdesk_events});
  Reassurer reassurer(*db, clock, cfg->helpdesk, person_messages);
  // The periodic jobs that change shared state run on one instance at a time
  // (Store::run_alone: an advisory lock on PostgreSQL; SQLite has one process).
  PeriodicWorker reassure_worker("helpdesk-reassure", clock, std::chrono::seconds(30), [&reassurer, &db] {
    auto ran = db->run_alone("helpdesk-reassure", [&reassurer]() -> Status {
      auto sent = reassurer.run_once();
      if (!sent) return sent.error();
      if (*sent > 0) log::info("helpdesk.reassured", {{"conversations", *sent}});
      return {};
    });
    if (!ran) log::warn("helpdesk.reassure_failed", {{"error", ran.error().to_string()}});
  });
  // An operator's console on this instance hears at once of what happens through
  // another instance sharing the store (PostgreSQL's LISTEN/NOTIFY).
  EventRelay event_relay(helpdesk_events, *db);
  if (Status s = event_relay.start(); !s) return fail("helpdesk events: " + s.error().message);

  // Retention: someone who has not given consent (declined, or never answered)
  // is kept only for the live conversation, i.e. until it has been idle for the
  // session lifetime; someone who has, for conversation.retention_days after
  // their last message. Then everything of theirs is erased.
  const auto session_ttl = std::chrono::hours(cfg->conversation.session_ttl_hours);
  const auto retention = std::chrono::hours(24) * cfg->conversation.retention_days;
  PeriodicWorker declined_sweeper(
      "erase-idle", clock, std::chrono::minutes(1), [&db, &clock, session_ttl, retention] {
        auto ran = db->run_alone("retention", [&]() -> Status {
          auto erased = db->erase_idle_contacts(clock.now() - session_ttl, clock.now() - retention);
          if (!erased) return erased.error();
          if (*erased > 0) log::info("retention.erased", {{"contacts", *erased}});
          return {};
        });
        if (!ran) log::warn("retention.failed", {{"error", ran.error().to_string()}});
      });

  // A version published by another instance sharing the store is taken up here.
  PeriodicWorker content_refresh("content-refresh", clock, std::chrono::seconds(10), [&library] {
    if (Status s = library->refresh(); !s)
      log::warn("content.refresh_failed", {{"error", s.error().to_string()}});
  });

  // Key rotation: the key file read again when `gateway keys rotate` changes it,
  // the keys this process holds reported, and an unfinished rotation seen.
  KeyWatch key_watch(*cfg, *crypto, clock,
                     cfg->database.driver == "postgres" ? cfg->database.instance_id : generate_instance_id());
  PeriodicWorker key_watch_worker("key-watch", clock, KeyWatch::kInterval, [&key_watch] { key_watch.tick(); });

  http::ReadinessChecks readiness;
  readiness.add("store", [&db] { return db->ping(); });
  readiness.add("keys", [&key_watch] { return key_watch.readiness(); });
  readiness.add("content", [dir = library->published_dir()] { return check_content_dir(dir); });
  if (database_lock) {
    // A restore that did not finish (a crash, an error) leaves its marker: the
    // files may be half replaced, so no traffic until a restore completes.
    const std::string marker = sqlite::restore_marker_path_for(cfg->database.path);
    if (std::filesystem::exists(marker)) log::error("restore.unfinished", {{"marker", marker}});
    readiness.add("restore", [marker]() -> Status {
      if (!std::filesystem::exists(marker)) return {};
      return Error::unavailable(
          "a restore of the database is unfinished: stop the gateway, run gateway restore again");
    });
  }
  raise_open_files_limit(cfg->http.max_connections);
  http::HttpServer server(registry, http_options(*cfg));
  http::add_health_routes(server, readiness, registry,
                          http::MetricsAccess(cfg->metrics.allow_from, cfg->metrics.bearer_token));
  // Sessions in memory on SQLite; in the database's shared table when several
  // instances share it, so that each recognises the others' logins.
  std::unique_ptr<SharedStaffSessionTable> shared_sessions = shared_staff_session_table(*db);
  StaffSessions staff_sessions(clock, shared_sessions.get());
  LoginThrottleOptions throttle_options;
  throttle_options.account_free_failures = cfg->login.account_free_failures;
  throttle_options.account_first_delay = std::chrono::milliseconds(cfg->login.account_first_delay_ms);
  throttle_options.account_max_delay = std::chrono::seconds(cfg->login.account_max_delay_s);
  throttle_options.address_failures_per_minute = cfg->login.address_failures_per_minute;
  throttle_options.global_failures_per_minute = cfg->login.global_failures_per_minute;
  // Login counts likewise: shared, an account gets its free failures once, not
  // once per instance.
  std::unique_ptr<LoginThrottleTable> shared_login_counts = shared_login_throttle_table(*db);
  LoginThrottle login_throttle(clock, shared_login_counts.get(), throttle_options);
  PasswordHashOptions hash_options;
  hash_options.max_concurrent = cfg->login.concurrent_hashes;
  http::StaffAuth staff_auth(*db, clock, staff_sessions, login_throttle,
                             cfg->public_url.rfind("https://", 0) == 0, hash_options);
  staff_auth.add_routes(server);
  // The operator console: its API and its page at /console/.
  ConsoleApiOptions console_options;
  console_options.max_streams = static_cast<size_t>(cfg->http.max_event_streams);
  console_options.max_streams_per_account = static_cast<size_t>(cfg->http.max_event_streams_per_account);
  ConsoleApi console(ConsoleContext{staff_auth, helpdesk, *db, clock, helpdesk_events, content},
                     console_options);
  // Auto-assignment (helpdesk.auto_assign): every few seconds, waiting
  // conversations go to the operators who are logged in and have room.
  PeriodicWorker auto_assign_worker(
      "helpdesk-auto-assign", clock, std::chrono::seconds(5), [&helpdesk, &staff_sessions, &db, &cfg] {
        if (!cfg->helpdesk.auto_assign) return;
        std::vector<OperatorView> online;
        for (int64_t id : staff_sessions.active_accounts()) {
          auto a = db->get_account(id);
          if (!a || !a->has_value() || (*a)->disabled) continue;
          const Account& acc = **a;
          if (acc.role != "operator" && acc.role != "supervisor") continue;
          online.push_back(OperatorView{acc.id, acc.role, acc.languages, acc.queues, acc.capacity});
        }
        auto assigned = helpdesk.auto_assign(online);
        if (!assigned)
          log::warn("helpdesk.auto_assign_failed", {{"error", assigned.error().to_string()}});
        else if (*assigned > 0)
          log::info("helpdesk.auto_assigned", {{"conversations", *assigned}});
      });
  console.add_routes(server);
  // The supervisors' view of the intake's dead letters, and their retry.
  DeadLetterApi dead_letters(
      DeadLetterContext{staff_auth, *intake, *db, clock, [&intake_worker] { intake_worker.wake(); }});
  dead_letters.add_routes(server);
  // The anonymised statistics, for the console's dashboard and for export.
  StatsApi stats_api(StatsContext{staff_auth, *db, clock, cfg->stats.min_cell, cfg->stats.countries});
  stats_api.add_routes(server);
  http::add_static_routes(server, "/console/", "/console", "/console/index.html");
  // The content studio: its API and its page at /studio/.
  StudioApi studio(StudioContext{staff_auth, *db, clock, *library});
  studio.add_routes(server);
  http::add_static_routes(server, "/studio/", "/studio", "/studio/index.html");
  // The scripts the console and the studio share (no data in them, so no guard).
  http::add_static_routes(server, "/common/", "", "");
  // Third-party scripts compiled in (gateway/web/vendor: Chart.js for the statistics dashboard).
  http::add_static_routes(server, "/vendor/", "", "");
  add_webhook_routes(server, WebhookContext{*cfg, conversations, *db, clock});
  // The browser simulator: its page at / and its API, when a web channel is configured
  // (the first one's access and limits apply).
  auto web = std::find_if(cfg->channels.begin(), cfg->channels.end(),
                          [](const ChannelConfig& c) { return c.type == "web"; });
  if (web != cfg->channels.end()) {
    SimulatorRoutesOptions sim;
    sim.content_dir = library->published_dir();
    sim.serve_fuzzy = cfg->conversation.serve_fuzzy;
    sim.access = parse_simulator_access(web->access).value_or(SimulatorAccess::kOff);
    sim.limits.max_sessions = static_cast<size_t>(web->max_sessions);
    sim.limits.max_per_address = static_cast<size_t>(web->max_sessions_per_address);
    sim.limits.new_per_minute = web->new_sessions_per_minute;
    add_simulator_routes(server, clock, sim, &staff_auth);
  }
  auto port = server.bind(cfg->listen.host, cfg->listen.port);
  if (!port) {
    (void)db->close();  // nothing was written yet; the bind error is what matters
    return fail(port.error().message);
  }
  ListenAddress bound = cfg->listen;
  bound.port = *port;
  // HTTPS beside HTTP when listen_tls is set: the same routes, with a reactor and
  // pools of its own (http/server.h).
  std::optional<ListenAddress> bound_tls;
  if (cfg->listen_tls) {
    auto tls_port = server.bind_tls(cfg->listen_tls->host, cfg->listen_tls->port,
                                    http::TlsFiles{cfg->tls.certificate, cfg->tls.private_key});
    if (!tls_port) {
      (void)db->close();
      return fail(tls_port.error().message);
    }
    bound_tls = *cfg->listen_tls;
    bound_tls->port = *tls_port;
  }
  // A fresh gateway has no staff: it creates "admin" with a one-time password,
  // shown here once (never logged) and to be changed at the first login. Only
  // once the gateway is sure to serve, so that a start that fails on its content
  // or its port does not spend the one showing.
  // Instances starting together on an empty database: one creates it.
  std::optional<std::string> first_password;
  auto first = db->run_alone("first-admin", [&]() -> Status {
    auto made = ensure_first_admin(*db, clock, PasswordHasher());
    if (!made) return made.error();
    first_password = std::move(*made);
    return {};
  });
  if (!first) {
    (void)db->close();
    return fail(first.error().message);
  } else if (first_password) {
    std::cout << "First administrator: admin / " << *first_password << " (change it at first login)"
              << std::endl;
    log::info("account.first_admin_created", {{"username", "admin"}});
  }
  workers.start();
  intake_worker.start();
  content_refresh.start();
  key_watch_worker.start();
  declined_sweeper.start();
  reassure_worker.start();
  auto_assign_worker.start();
  log::info("http.listening", {{"listen", bound.to_string()},
                               {"listen_tls", bound_tls ? bound_tls->to_string() : std::string()},
                               {"public_url", cfg->public_url},
                               {"channels", cfg->channels.size()},
                               {"senders", workers.size()},
                               {"templates", library->live().current()->catalog.size()},
                               {"content_version", library->published_version()}});

  // 6. Serve until SIGTERM/SIGINT; then requests in flight finish.
  // A signal that came before this point finds no server; stop() after it
  // is seen makes run() return at once.
  live_server.store(&server);
  live_console.store(&console);
  // The socket listens since bind(): connections wait in its backlog until run() takes them.
  service.ready("Listening on " + bound.to_string());
  if (signals.received() == 0) server.run();
  service.stopping();
  live_console.store(nullptr);
  live_server.store(nullptr);

  // 7. Workers stop (the intake's batch in progress and a send in progress are
  // recorded first; what is still queued waits in the store), then the store closes.
  intake_worker.stop();
  key_watch_worker.stop();
  key_watch.forget();
  content_refresh.stop();
  declined_sweeper.stop();
  auto_assign_worker.stop();
  reassure_worker.stop();
  workers.stop();
  event_relay.stop();
  if (auto closed = intake->close(); !closed) {
    log::error("intake.close_failed", {{"error", closed.error().to_string()}});
  }
  if (auto closed = db->close(); !closed) {
    log::error("store.close_failed", {{"error", closed.error().to_string()}});
    return kExitFailure;
  }
  log::info("shutdown.complete");
  return kExitOk;
}

}  // namespace gw::cli

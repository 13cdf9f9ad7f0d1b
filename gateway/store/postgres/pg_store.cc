// PgStore: opening the database, migrations, transactions, and what every
// entity's methods share (see pg_store_impl.h).
#include "gateway/store/postgres/pg_store.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "gateway/core/ids.h"
#include "gateway/core/log.h"
#include "gateway/store/postgres/pg_migrations.h"
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw {

std::string generate_instance_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string id = host[0] ? host : "host";
  if (id.size() > 64) id.resize(64);
  id += ':';
  id += std::to_string(getpid());
  id += ':';
  id += random_id(4);
  return id;
}

namespace {

// Applies the pending migrations in one transaction under the migration lock
// (pg_migrations.h).
Result<int> migrate(pg::Connection& conn, TimePoint now) {
  auto tx = pg::Transaction::begin(conn);
  if (!tx) return tx.error();
  if (auto locked = conn.run("SELECT pg_advisory_xact_lock($1)", kPostgresMigrationLock); !locked) {
    return locked.error();
  }
  if (Status s = conn.exec(postgres_migrations_table_sql()); !s) return s.error();
  auto current = conn.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                                [](const pg::PgRow& row) { return row.int64(0); });
  if (!current) return current.error();
  const int from = static_cast<int>(current->value_or(0));
  auto pending = pending_migrations(postgres_migrations(), from);
  if (!pending) return pending.error();
  int version = from;
  for (const Migration* m : *pending) {
    if (Status s = conn.exec(m->sql); !s) {
      return Error{s.error().code, "migration " + std::to_string(m->version) + ": " + s.error().message};
    }
    auto recorded = conn.run("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                             static_cast<int64_t>(m->version), to_unix_ms(now));
    if (!recorded) return recorded.error();
    version = m->version;
  }
  if (Status s = tx->commit(); !s) return s.error();
  return version;
}

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options, const Crypto& crypto,
                                                   Clock& clock) {
  if (options.url.empty()) return Error::invalid("database.url is empty");
  if (options.max_connections == 0) return Error::invalid("a PostgreSQL pool needs at least one connection");
  std::string instance = options.instance_id.empty() ? generate_instance_id() : options.instance_id;
  pg::PgPool::Options pool_options;
  pool_options.uri = options.url;
  pool_options.max_connections = options.max_connections;
  pool_options.acquire_timeout = options.acquire_timeout;
  // Which instance a server connection belongs to, in pg_stat_activity.
  std::string application = "gateway ";
  application += instance;
  pool_options.connection.application_name = application.substr(0, 63);
  auto pool = std::make_unique<pg::PgPool>(pool_options);
  {
    auto conn = pool->acquire();
    if (!conn) return conn.error();
    auto version = migrate(**conn, clock.now());
    if (!version) return Error{version.error().code, "PostgreSQL database: " + version.error().message};
  }
  auto store = std::make_unique<pg::PgStore>(std::move(pool), options.url, crypto, clock, std::move(instance),
                                             options.max_lease);
  if (options.heartbeat.count() > 0) store->start_heartbeat(options.heartbeat);
  return std::unique_ptr<Store>(std::move(store));
}

namespace pg {

namespace {

// The store whose in_transaction() body this thread is running, and its
// connection. A body that runs another store's transaction saves and restores
// the outer pair.
struct RunningTransaction {
  const PgStore* store = nullptr;
  Connection* conn = nullptr;
};
thread_local RunningTransaction tl_running;

class RunningScope {
 public:
  RunningScope(const PgStore* store, Connection* conn) : saved_(tl_running) { tl_running = {store, conn}; }
  ~RunningScope() { tl_running = saved_; }
  RunningScope(const RunningScope&) = delete;
  RunningScope& operator=(const RunningScope&) = delete;

 private:
  RunningTransaction saved_;
};

Status run_body(const std::function<Status()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error::internal(std::string("transaction body threw: ") + e.what());
  } catch (...) {
    return Error::internal("transaction body threw");
  }
}

}  // namespace

PgStore::PgStore(std::unique_ptr<PgPool> pool, std::string url, const Crypto& crypto, Clock& clock,
                 std::string instance_id, std::chrono::milliseconds max_lease)
    : pool_(std::move(pool)),
      url_(std::move(url)),
      crypto_(crypto),
      clock_(clock),
      instance_id_(std::move(instance_id)),
      max_lease_(max_lease) {}

void PgStore::start_heartbeat(std::chrono::milliseconds every) {
  heartbeat_ = std::thread([this, every] { run_heartbeat(every); });
}

void PgStore::run_heartbeat(std::chrono::milliseconds every) {
  std::unique_lock lock(heartbeat_mu_);
  while (!heartbeat_cv_.wait_for(lock, every, [this] { return heartbeat_stop_; })) {
    lock.unlock();
    // Leases run max_lease from now: a send in hand stays this instance's.
    const auto lease = max_lease_.count() > 0 ? max_lease_ : every * 4;
    auto renewed = renew_outbox_leases(clock_.now() + lease);
    if (!renewed) log::warn("outbox.lease_renewal_failed", {{"error", renewed.error().to_string()}});
    lock.lock();
  }
}

PgStore::~PgStore() {
  (void)close();
}

Connection* PgStore::current_connection() const {
  return tl_running.store == this ? tl_running.conn : nullptr;
}

Status PgStore::in_transaction(const std::function<Status()>& body) {
  return with([&](Connection& conn) -> Status {
    // Outermost: BEGIN ... COMMIT on the borrowed connection; nested (a body
    // calling in_transaction): a savepoint of the running transaction.
    auto tx = Transaction::begin(conn);
    if (!tx) return tx.error();
    RunningScope scope(this, &conn);
    if (Status s = run_body(body); !s) return s;  // rolls back (to the savepoint)
    return tx->commit();
  });
}

Result<std::string> PgStore::seal(std::string_view plaintext, const char* aad) const {
  return crypto_.encrypt(plaintext, aad);
}

Result<std::string> PgStore::open(std::string_view bytes, const char* aad, int64_t row_id) const {
  auto r = crypto_.decrypt(bytes, aad);
  if (!r) {
    return Error{r.error().code, std::string("cannot decrypt ") + aad + " of row " + std::to_string(row_id) +
                                     ": " + r.error().message};
  }
  return r;
}

Status PgStore::ping() {
  return with([](Connection& conn) -> Status {
    auto r = conn.run("SELECT 1");
    if (!r) return r.error();
    return {};
  });
}

// ---- Several instances ----

Result<std::optional<Millis>> PgStore::reserve_send_slot(const std::string& channel_id, double per_second) {
  if (!(per_second > 0)) return Error::invalid("a sending pace must be above 0 a second");
  const int64_t interval_us = std::max<int64_t>(1, std::llround(1e6 / per_second));
  // The slot is the later of the channel's next free slot and now (the server's
  // clock, the same for every instance); the next free slot moves one interval on.
  auto wait_us = with([&](Connection& conn) {
    return conn.query_one(
        "WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS us)"
        " INSERT INTO send_pacing AS p (channel_id, next_slot_us) SELECT $1, clock.us + $2 FROM clock"
        " ON CONFLICT (channel_id) DO UPDATE"
        " SET next_slot_us = GREATEST(p.next_slot_us, EXCLUDED.next_slot_us - $2) + $2"
        " RETURNING p.next_slot_us - $2 - (SELECT us FROM clock)",
        [](const PgRow& row) { return row.int64(0); }, channel_id, interval_us);
  });
  if (!wait_us) return wait_us.error();
  if (!*wait_us) return Error::internal("send_pacing returned no row");
  const int64_t us = std::max<int64_t>(0, **wait_us);
  return std::optional<Millis>(Millis((us + 999) / 1000));
}

Result<bool> PgStore::run_alone(const std::string& name, const std::function<Status()>& job) {
  if (closed_.load()) return Error::unavailable("store is closed");
  // A session-level lock on a connection held for the job: it is released by the
  // unlock below, or by the server when this process dies and the connection
  // goes. The job's own calls borrow other connections.
  auto lease = pool_->acquire();
  if (!lease) return lease.error();
  Connection& conn = **lease;
  auto got = conn.query_one(
      "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", [](const PgRow& row) { return row.boolean(0); },
      "gateway.job." + name);
  if (!got) return got.error();
  if (!got->value_or(false)) return false;
  const Status ran = run_body(job);
  (void)conn.run("SELECT pg_advisory_unlock(hashtextextended($1, 0))", "gateway.job." + name);
  if (!ran) return ran.error();
  return true;
}

namespace {

constexpr size_t kMaxNotifyPayload = 7000;  // PostgreSQL's limit is 8,000 bytes

// A topic is a channel name of LISTEN, written into the statement: lower-case
// letters and '_' only, 1 to 63 characters.
bool valid_topic(const std::string& topic) {
  if (topic.empty() || topic.size() > 63) return false;
  for (char c : topic) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

// A thread with a connection of its own that LISTENs to one topic, reconnecting
// after the server went away (notifications sent meanwhile are missed).
class PgListening final : public Store::Listening {
 public:
  PgListening(std::string url, std::string topic, std::function<void(const std::string&)> on_payload)
      : url_(std::move(url)), topic_(std::move(topic)), on_payload_(std::move(on_payload)) {}
  ~PgListening() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  PgListening(const PgListening&) = delete;
  PgListening& operator=(const PgListening&) = delete;

  // Connects and LISTENs once, so the first notification after listen() returns
  // is not missed; then the thread takes over.
  Status start() {
    auto conn = connect();
    if (!conn) return conn.error();
    thread_ = std::thread(
        [this, c = std::make_shared<Connection>(std::move(*conn))]() mutable { run(std::move(*c)); });
    return {};
  }

 private:
  Result<Connection> connect() {
    auto conn = Connection::connect(url_);
    if (!conn) return conn.error();
    if (Status s = conn->exec("LISTEN " + topic_); !s) return s.error();
    return conn;
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  void run(Connection conn) {
    std::optional<Connection> c(std::move(conn));
    while (!stopping()) {
      if (!c) {
        auto again = connect();
        if (!again) {
          log::warn("postgres.listen_failed", {{"topic", topic_}, {"error", again.error().to_string()}});
          std::unique_lock lock(mu_);
          cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
          continue;
        }
        c.emplace(std::move(*again));
      }
      auto got = c->wait_notifications(std::chrono::milliseconds(250));
      if (!got) {
        c.reset();
        continue;
      }
      for (const auto& n : *got) on_payload_(n.payload);
    }
  }

  const std::string url_;
  const std::string topic_;
  const std::function<void(const std::string&)> on_payload_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

Status PgStore::notify(const std::string& topic, const std::string& payload) {
  if (!valid_topic(topic)) return Error::invalid("a notification topic is lower-case letters and '_'");
  if (payload.size() > kMaxNotifyPayload) return Error::invalid("a notification is at most 7000 bytes");
  return with([&](Connection& conn) -> Status {
    auto r = conn.run("SELECT pg_notify($1, $2)", topic, payload);
    if (!r) return r.error();
    return {};
  });
}

Result<std::unique_ptr<Store::Listening>> PgStore::listen(
    const std::string& topic, std::function<void(const std::string&)> on_payload) {
  if (!valid_topic(topic)) return Error::invalid("a notification topic is lower-case letters and '_'");
  if (closed_.load()) return Error::unavailable("store is closed");
  auto l = std::make_unique<PgListening>(url_, topic, std::move(on_payload));
  if (Status s = l->start(); !s) return s.error();
  return std::unique_ptr<Store::Listening>(std::move(l));
}

Status PgStore::close() {
  {
    std::lock_guard lock(heartbeat_mu_);
    heartbeat_stop_ = true;
  }
  heartbeat_cv_.notify_all();
  if (heartbeat_.joinable() && heartbeat_.get_id() != std::this_thread::get_id()) heartbeat_.join();
  closed_.store(true);
  return {};
}

}  // namespace pg
}  // namespace gw

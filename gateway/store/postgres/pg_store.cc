// PgStore: opening the database, migrations, transactions, and what every
// entity's methods share (see pg_store_impl.h).
#include "gateway/store/postgres/pg_store.h"

#include <unistd.h>

#include <exception>

#include "gateway/core/ids.h"
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
  pg::PgPool::Options pool_options;
  pool_options.uri = options.url;
  pool_options.max_connections = options.max_connections;
  pool_options.acquire_timeout = options.acquire_timeout;
  auto pool = std::make_unique<pg::PgPool>(pool_options);
  {
    auto conn = pool->acquire();
    if (!conn) return conn.error();
    auto version = migrate(**conn, clock.now());
    if (!version) return Error{version.error().code, "PostgreSQL database: " + version.error().message};
  }
  std::string instance = options.instance_id.empty() ? generate_instance_id() : options.instance_id;
  return std::unique_ptr<Store>(new pg::PgStore(std::move(pool), crypto, clock, std::move(instance)));
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

PgStore::PgStore(std::unique_ptr<PgPool> pool, const Crypto& crypto, Clock& clock, std::string instance_id)
    : pool_(std::move(pool)), crypto_(crypto), clock_(clock), instance_id_(std::move(instance_id)) {}

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

Status PgStore::close() {
  closed_.store(true);
  return {};
}

}  // namespace pg
}  // namespace gw

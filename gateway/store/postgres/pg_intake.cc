// The PostgreSQL Intake (pg_intake.h): the SQLite intake's behaviour
// (gateway/store/sqlite/sqlite_intake.cc) on the shared inbound_queue table,
// with claims and leases for several instances.
#include "gateway/store/postgres/pg_intake.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "gateway/core/log.h"

namespace gw {
namespace pg {
namespace {

constexpr const char* kAad = "inbound_queue.payload";

Error closed_error() {
  return Error::unavailable("the intake is closed");
}

int bounded_limit(int limit) {
  return std::min(limit, PgIntake::kMaxLimit);
}

}  // namespace

template <class F>
auto PgIntake::with(F&& f) -> std::invoke_result_t<F&, Connection&> {
  using R = std::invoke_result_t<F&, Connection&>;
  if (closed_.load()) return R(closed_error());
  auto lease = pool_->acquire();
  if (!lease) return R(lease.error());
  return f(**lease);
}

Result<std::unique_ptr<PgIntake>> PgIntake::open(const PostgresOptions& options, const Crypto& crypto,
                                                 Clock& clock, std::chrono::milliseconds lease) {
  if (options.url.empty()) return Error::invalid("database.url is empty");
  if (options.max_connections == 0) return Error::invalid("a PostgreSQL pool needs at least one connection");
  if (lease <= std::chrono::milliseconds::zero())
    return Error::invalid("the intake's lease must be positive");
  PgPool::Options pool_options;
  pool_options.uri = options.url;
  pool_options.max_connections = options.max_connections;
  pool_options.acquire_timeout = options.acquire_timeout;
  auto pool = std::make_unique<PgPool>(pool_options);
  {
    // The schema is the store's to apply: say so rather than fail at the first message.
    auto conn = pool->acquire();
    if (!conn) return Error{conn.error().code, "PostgreSQL intake: " + conn.error().message};
    auto exists = (*conn)->query_one("SELECT to_regclass('inbound_queue') IS NOT NULL",
                                     [](const PgRow& row) { return row.boolean(0); });
    if (!exists) return Error{exists.error().code, "PostgreSQL intake: " + exists.error().message};
    if (!exists->value_or(false)) {
      return Error::invalid("PostgreSQL intake: the database has no inbound_queue (open the store first)");
    }
  }
  std::string instance = options.instance_id.empty() ? generate_instance_id() : options.instance_id;
  return std::make_unique<PgIntake>(std::move(pool), crypto, clock, std::move(instance), lease);
}

PgIntake::PgIntake(std::unique_ptr<PgPool> pool, const Crypto& crypto, Clock& clock, std::string instance_id,
                   std::chrono::milliseconds lease)
    : pool_(std::move(pool)),
      crypto_(crypto),
      clock_(clock),
      instance_id_(std::move(instance_id)),
      lease_(lease) {}

PgIntake::~PgIntake() {
  (void)close();
}

Status PgIntake::queue(const std::string& channel_id, const std::string& provider_id,
                       const std::string& sender, const std::string& payload, TimePoint now) {
  if (closed_.load()) return closed_error();
  auto sealed = crypto_.encrypt(payload, kAad);
  if (!sealed) return sealed.error();
  const std::string sender_key = crypto_.index_hash(channel_id + '\n' + sender);
  return with([&](Connection& c) -> Status {
    auto inserted = c.run(
        "INSERT INTO inbound_queue (channel_id, provider_id, payload, next_attempt_at, received_at,"
        " sender_key) VALUES ($1, $2, $3, $4, $4, $5)",
        channel_id, provider_id, Bytea{*sealed}, to_unix_ms(now), Bytea{sender_key});
    if (!inserted) return inserted.error();
    return {};
  });
}

Result<std::vector<QueuedInbound>> PgIntake::due(TimePoint now, int limit) {
  if (closed_.load()) return closed_error();
  std::vector<QueuedInbound> out;
  if (limit <= 0) return out;
  const int64_t now_ms = to_unix_ms(now);
  const int64_t until_ms = to_unix_ms(now + lease_);
  return with([&](Connection& c) -> Result<std::vector<QueuedInbound>> {
    // One statement, so one transaction: the rows are locked (SKIP LOCKED: a row
    // another instance is claiming is passed over) and leased before the
    // commit. A row this instance holds already is claimable again: its one
    // worker asks again only after the handling it was given for failed before
    // finish() (as SQLite's intake hands it over again), and the heartbeat would
    // otherwise keep its lease alive for ever. A message waits while an earlier one of its sender is still here
    // and not dead: in hand elsewhere, deferred, or being claimed by another
    // instance right now (that row is locked, but this statement still sees it).
    const Status claimed = c.query(
        "WITH claimable AS ("
        "  SELECT q.id FROM inbound_queue q"
        "  WHERE q.dead_at IS NULL AND q.next_attempt_at <= $1"
        "    AND (q.lease_until IS NULL OR q.lease_until <= $1 OR q.claimed_by = $3)"
        "    AND NOT EXISTS (SELECT 1 FROM inbound_queue b WHERE b.sender_key = q.sender_key"
        "      AND b.id < q.id AND b.dead_at IS NULL)"
        "  ORDER BY q.id LIMIT $2"
        "  FOR UPDATE OF q SKIP LOCKED)"
        " UPDATE inbound_queue u SET claimed_by = $3, lease_until = $4"
        " FROM claimable WHERE u.id = claimable.id"
        " RETURNING u.id, u.channel_id, u.provider_id, u.payload, u.attempts, u.received_at, u.sender_key",
        [&](const PgRow& row) {
          QueuedInbound q;
          q.id = row.int64(0);
          q.channel_id = row.text(1);
          q.provider_id = row.text(2);
          auto payload = crypto_.decrypt(row.bytes(3), kAad);
          if (payload)
            q.payload = std::move(*payload);
          else
            q.error =
                "cannot decrypt the queued message " + std::to_string(q.id) + ": " + payload.error().message;
          q.attempts = static_cast<int>(row.int64(4));
          q.received_at = from_unix_ms(row.int64(5));
          if (!row.is_null(6)) q.sender_key = row.bytes(6);
          out.push_back(std::move(q));
        },
        now_ms, static_cast<int64_t>(bounded_limit(limit)), instance_id_, until_ms);
    if (!claimed) return claimed.error();
    // RETURNING keeps no order: oldest first, as the contract says.
    std::sort(out.begin(), out.end(),
              [](const QueuedInbound& a, const QueuedInbound& b) { return a.id < b.id; });
    return std::move(out);
  });
}

Status PgIntake::finish(const std::vector<int64_t>& handled, const std::vector<Deferral>& deferred,
                        TimePoint now) {
  if (closed_.load()) return closed_error();
  if (handled.empty() && deferred.empty()) return {};
  // Rows in id order, as due() locks them, so that two transactions never wait
  // for each other's rows crosswise.
  std::vector<int64_t> ids = handled;
  std::sort(ids.begin(), ids.end());
  std::vector<const Deferral*> later;
  later.reserve(deferred.size());
  for (const Deferral& d : deferred) later.push_back(&d);
  std::sort(later.begin(), later.end(), [](const Deferral* a, const Deferral* b) { return a->id < b->id; });
  return with([&](Connection& c) -> Status {
    auto tx = Transaction::begin(c);
    if (!tx) return tx.error();
    for (int64_t id : ids) {
      if (auto r = c.run("DELETE FROM inbound_queue WHERE id = $1", id); !r) return r.error();
    }
    for (const Deferral* d : later) {
      // Not a message another instance claimed since this one's lease ran out:
      // that instance has it in hand now and finishes it.
      auto r = c.run(
          "UPDATE inbound_queue SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3,"
          " error_kind = $4, dead_at = $5, claimed_by = NULL, lease_until = NULL"
          " WHERE id = $1 AND (claimed_by IS NULL OR claimed_by = $6)",
          d->id, to_unix_ms(d->next_attempt_at), d->error, d->error_kind,
          d->dead ? std::optional<int64_t>(to_unix_ms(now)) : std::nullopt, instance_id_);
      if (!r) return r.error();
    }
    return tx->commit();
  });
}

Result<int64_t> PgIntake::depth() {
  return with([&](Connection& c) -> Result<int64_t> {
    auto n = c.query_one("SELECT COUNT(*) FROM inbound_queue WHERE dead_at IS NULL",
                         [](const PgRow& row) { return row.int64(0); });
    if (!n) return n.error();
    return n->value_or(0);
  });
}

Result<int64_t> PgIntake::dead_letter_count() {
  return with([&](Connection& c) -> Result<int64_t> {
    auto n = c.query_one("SELECT COUNT(*) FROM inbound_queue WHERE dead_at IS NOT NULL",
                         [](const PgRow& row) { return row.int64(0); });
    if (!n) return n.error();
    return n->value_or(0);
  });
}

Result<std::vector<DeadLetter>> PgIntake::dead_letters(int limit) {
  if (closed_.load()) return closed_error();
  std::vector<DeadLetter> out;
  if (limit <= 0) return out;
  return with([&](Connection& c) -> Result<std::vector<DeadLetter>> {
    const Status listed = c.query(
        "SELECT d.id, d.channel_id, d.received_at, d.dead_at, d.attempts, d.error_kind,"
        " (SELECT COUNT(*) FROM inbound_queue l WHERE l.sender_key = d.sender_key AND l.id > d.id)"
        " FROM inbound_queue d WHERE d.dead_at IS NOT NULL ORDER BY d.id LIMIT $1",
        [&](const PgRow& row) {
          DeadLetter d;
          d.id = row.int64(0);
          d.channel_id = row.text(1);
          d.received_at = from_unix_ms(row.int64(2));
          d.dead_at = from_unix_ms(row.int64(3));
          d.attempts = static_cast<int>(row.int64(4));
          d.error_kind = row.text(5);
          d.held = row.int64(6);
          out.push_back(std::move(d));
        },
        static_cast<int64_t>(bounded_limit(limit)));
    if (!listed) return listed.error();
    return std::move(out);
  });
}

Status PgIntake::retry_dead_letter(int64_t id, TimePoint now) {
  return with([&](Connection& c) -> Status {
    auto retried = c.run(
        "UPDATE inbound_queue SET dead_at = NULL, attempts = 0, next_attempt_at = $2,"
        " claimed_by = NULL, lease_until = NULL WHERE id = $1 AND dead_at IS NOT NULL",
        id, to_unix_ms(now));
    if (!retried) return retried.error();
    if (*retried == 0) return Error::not_found("no dead letter " + std::to_string(id));
    return {};
  });
}

Result<int64_t> PgIntake::renew_leases(TimePoint until) {
  return with([&](Connection& c) -> Result<int64_t> {
    return c.run(
        // Rows locked by a finish() in progress are skipped (they are leaving):
        // taking them in another order than finish() does would deadlock.
        "UPDATE inbound_queue SET lease_until = $2 WHERE id IN (SELECT id FROM inbound_queue"
        " WHERE claimed_by = $1 AND lease_until IS NOT NULL ORDER BY id FOR UPDATE SKIP LOCKED)",
        instance_id_, to_unix_ms(until));
  });
}

Status PgIntake::start_heartbeat(std::chrono::milliseconds interval) {
  if (interval <= std::chrono::milliseconds::zero()) {
    return Error::invalid("the intake's heartbeat interval must be positive");
  }
  std::lock_guard<std::mutex> lock(heartbeat_mu_);
  if (heartbeat_stop_ || closed_.load()) return Error::invalid("the intake is closed");
  if (heartbeat_started_) return Error::invalid("the intake's heartbeat runs already");
  heartbeat_started_ = true;
  heartbeat_ = std::thread([this, interval] { heartbeat_loop(interval); });
  return {};
}

void PgIntake::heartbeat_loop(std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(heartbeat_mu_);
  while (!heartbeat_stop_) {
    // The real steady clock: the beat keeps real leases alive whatever the
    // Clock says; the leases themselves are in the Clock's time.
    if (heartbeat_cv_.wait_for(lock, interval, [this] { return heartbeat_stop_; })) break;
    lock.unlock();
    auto renewed = renew_leases(clock_.now() + lease_);
    if (!renewed && !closed_.load()) {
      log::warn("intake.lease_renewal_failed", {{"error", renewed.error().to_string()}});
    }
    lock.lock();
  }
}

Status PgIntake::close() {
  closed_.store(true);
  std::thread beat;
  {
    std::lock_guard<std::mutex> lock(heartbeat_mu_);
    heartbeat_stop_ = true;
    beat = std::move(heartbeat_);
  }
  heartbeat_cv_.notify_all();
  if (beat.joinable()) beat.join();
  return {};
}

}  // namespace pg

Result<std::unique_ptr<Intake>> open_postgres_intake(const PostgresOptions& options, const Crypto& crypto,
                                                     Clock& clock, std::chrono::milliseconds lease) {
  auto intake = pg::PgIntake::open(options, crypto, clock, lease);
  if (!intake) return intake.error();
  return std::unique_ptr<Intake>(std::move(*intake));
}

}  // namespace gw

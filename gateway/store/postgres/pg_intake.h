// The PostgreSQL Intake (gateway/store/intake.h): the inbound_queue table of the
// PostgreSQL schema (pg_migrations.cc), shared by every gateway instance on the
// database. The same contract and encryption as the SQLite intake (payload
// sealed with associated data "inbound_queue.payload", the sender kept only as
// Crypto::index_hash), with what several instances need on top:
//
// - due() claims: in one statement (SELECT ... FOR UPDATE SKIP LOCKED, then
//   UPDATE) it leases the messages it returns to this instance (claimed_by =
//   the instance id, lease_until = now + lease). A message is claimable when it
//   is no dead letter, due (next_attempt_at <= now), its lease free or run out,
//   and no earlier message of its sender is still in the intake and not dead.
//   So each person has at most one message in hand anywhere, and their messages
//   are handed out in the order they arrived, across instances. A message held
//   by an instance that died is claimed again once its lease has run out. One
//   worker per instance calls due(): a message this instance holds already is
//   returned again (its handling failed before finish(), e.g. the store was
//   unreachable), as SQLite's intake hands an unfinished message over again.
// - finish() deletes the handled messages and defers the others as SQLite does,
//   clearing their lease (a deferred message another instance has claimed
//   since, because this one's lease ran out, is left to that instance).
// - renew_leases() (and the heartbeat thread that calls it) keeps the leases of
//   the messages this instance holds while it handles them; rows a finish() in
//   progress has locked are skipped, so the two never deadlock.
//
// Threads: every call borrows a connection from the intake's own pool for its
// duration; there is no lock of the intake's own around them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/store/intake.h"
#include "gateway/store/postgres/pg_pool.h"
#include "gateway/store/postgres/pg_store.h"

namespace gw {
namespace pg {

class PgIntake final : public Intake {
 public:
  // Most messages one due() or dead_letters() call returns (a larger limit is
  // this one).
  static constexpr int kMaxLimit = 1000;

  // Opens the intake on a pool of its own of `options` (url, max_connections,
  // acquire_timeout; instance_id, or generate_instance_id() when empty). The
  // schema must exist already (open_postgres_store() applies it):
  // kInvalidArgument when the database has no inbound_queue, kUnavailable when
  // the server cannot be reached (the error never carries the URL's password).
  // `lease`: how long a claimed message stays with this instance without a
  // renewal (> 0). `crypto` is copied; `clock` must outlive the intake.
  static Result<std::unique_ptr<PgIntake>> open(const PostgresOptions& options, const Crypto& crypto,
                                                Clock& clock, std::chrono::milliseconds lease);

  // `pool` connects to a database whose schema has inbound_queue. `clock`
  // must outlive the intake (the heartbeat reads it).
  PgIntake(std::unique_ptr<PgPool> pool, const Crypto& crypto, Clock& clock, std::string instance_id,
           std::chrono::milliseconds lease);
  ~PgIntake() override;  // close()

  Status queue(const std::string& channel_id, const std::string& provider_id, const std::string& sender,
               const std::string& payload, TimePoint now) override;
  // Claims them (see above): a second call does not hand them out again while
  // their lease runs. limit <= 0: none.
  Result<std::vector<QueuedInbound>> due(TimePoint now, int limit) override;
  Status finish(const std::vector<int64_t>& handled, const std::vector<Deferral>& deferred,
                TimePoint now) override;
  Result<int64_t> depth() override;
  Result<int64_t> dead_letter_count() override;
  Result<std::vector<DeadLetter>> dead_letters(int limit) override;
  Status retry_dead_letter(int64_t id, TimePoint now) override;
  // Stops the heartbeat; later calls return kUnavailable. Idempotent. The pool's
  // connections are closed when the intake goes.
  Status close() override;

  // Sets the lease of every message this instance holds to `until`; returns how
  // many. kUnavailable once closed.
  Result<int64_t> renew_leases(TimePoint until);
  // Starts a thread that, every `interval` (on the steady clock), renews this
  // instance's leases until clock.now() + lease; a failed renewal is logged and
  // tried again at the next beat. Once only: a second call, or a call after
  // close(), is kInvalidArgument. Stopped by close().
  Status start_heartbeat(std::chrono::milliseconds interval);

  const std::string& instance_id() const { return instance_id_; }
  std::chrono::milliseconds lease() const { return lease_; }

 private:
  // Runs f(Connection&) on a connection borrowed for the call.
  template <class F>
  auto with(F&& f) -> std::invoke_result_t<F&, Connection&>;
  void heartbeat_loop(std::chrono::milliseconds interval);

  std::unique_ptr<PgPool> pool_;
  const Crypto crypto_;
  Clock& clock_;
  const std::string instance_id_;
  const std::chrono::milliseconds lease_;
  std::atomic<bool> closed_{false};

  std::mutex heartbeat_mu_;
  std::condition_variable heartbeat_cv_;
  bool heartbeat_stop_ = false;     // guarded by heartbeat_mu_
  bool heartbeat_started_ = false;  // guarded by heartbeat_mu_
  std::thread heartbeat_;
};

}  // namespace pg

// The PostgreSQL intake: PgIntake::open() (above) as an Intake.
Result<std::unique_ptr<Intake>> open_postgres_intake(const PostgresOptions& options, const Crypto& crypto,
                                                     Clock& clock, std::chrono::milliseconds lease);

}  // namespace gw

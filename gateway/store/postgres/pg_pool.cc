#include "gateway/store/postgres/pg_pool.h"

#include <utility>

namespace gw::pg {

PgPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {
  other.conn_.reset();
}

PgPool::Lease::~Lease() {
  if (pool_ && conn_) pool_->give_back(std::move(*conn_));
}

PgPool::PgPool(Options options) : options_(std::move(options)) {}

Result<PgPool::Lease> PgPool::acquire() {
  return acquire(options_.acquire_timeout);
}

Result<PgPool::Lease> PgPool::acquire(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    while (!idle_.empty()) {
      Connection conn = std::move(idle_.back());
      idle_.pop_back();
      lock.unlock();
      // The check reads the socket without blocking; a dead one is dropped.
      if (conn.check_alive()) return Lease(this, std::move(conn));
      { Connection dropped = std::move(conn); }
      lock.lock();
      --open_;
    }
    if (open_ < options_.max_connections) break;
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_connections) {
      return Error::unavailable("postgres pool: all " + std::to_string(options_.max_connections) +
                                " connections in use");
    }
  }
  ++open_;  // the slot is ours while connecting, outside the lock
  lock.unlock();
  auto conn = Connection::connect(options_.uri, options_.connection);
  if (!conn) {
    lock.lock();
    --open_;
    lock.unlock();
    returned_.notify_one();
    return conn.error();
  }
  return Lease(this, std::move(*conn));
}

void PgPool::give_back(Connection conn) {
  if (!conn.broken() && conn.in_transaction()) (void)conn.exec("ROLLBACK");
  const bool keep = !conn.broken();
  if (!keep) {
    Connection dropped = std::move(conn);  // closed outside the lock
  }
  {
    std::lock_guard lock(mu_);
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
}

size_t PgPool::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

size_t PgPool::idle_connections() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

}  // namespace gw::pg

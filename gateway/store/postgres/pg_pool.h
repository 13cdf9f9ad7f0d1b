// PgPool: a bounded pool of PostgreSQL connections (pg_connection.h) shared by
// the threads of one process.
//
//   PgPool pool({.uri = url, .max_connections = 8});
//   auto c = pool.acquire();            // Result<PgPool::Lease>
//   if (!c) return c.error();           // kUnavailable: all in use past the timeout, or no server
//   auto n = (*c)->run("UPDATE ...", id);
//   // the lease goes back to the pool at the end of its scope
//
// At most max_connections are open at once; acquire() waits up to the timeout
// for one to come back and then fails with kUnavailable. Connections are opened
// on demand, outside the pool's lock, and kept while healthy. A connection that
// is broken (the server restarted, its backend was terminated) is dropped when
// it comes back, or when acquire() finds it dead while idle, and the next
// acquire() opens a new one: after a restart, at most the first statement on
// each kept connection fails (kUnavailable, so the caller retries), none after.
// A lease returned inside a transaction (a bug) is rolled back first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/store/postgres/pg_connection.h"

namespace gw::pg {

class PgPool {
 public:
  struct Options {
    std::string uri;
    size_t max_connections = 8;
    std::chrono::milliseconds acquire_timeout{5000};
    Connection::Options connection;
  };

  // A connection borrowed from the pool, given back on destruction.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& operator*() { return *conn_; }
    Connection* operator->() { return &*conn_; }

   private:
    friend class PgPool;
    Lease(PgPool* pool, Connection conn) : pool_(pool), conn_(std::move(conn)) {}
    PgPool* pool_ = nullptr;  // null once moved from
    std::optional<Connection> conn_;
  };

  explicit PgPool(Options options);
  // REQUIRES: every lease has come back.
  ~PgPool() = default;
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A connection, waiting up to options.acquire_timeout (or `timeout`) for one
  // when max_connections are in use: kUnavailable when none came back in time
  // or a new connection could not be opened.
  Result<Lease> acquire();
  Result<Lease> acquire(std::chrono::milliseconds timeout);

  // Connections open now (idle and leased), and idle ones.
  size_t open_connections() const;
  size_t idle_connections() const;

 private:
  void give_back(Connection conn);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<Connection> idle_;  // guarded by mu_
  size_t open_ = 0;               // idle, leased or being opened; guarded by mu_
};

}  // namespace gw::pg

// The PostgreSQL Store backend: for several gateway instances sharing one
// database (docs/postgres-schema.md). The same contract as the SQLite backend
// (gateway/store/store.h), the same encryption (values sealed with the data key,
// associated data "<table>.<column>", contacts found by the index key's HMAC),
// so a value reads the same in either database.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/store/store.h"

namespace gw {

struct PostgresOptions {
  // A libpq connection URI or key=value string ("postgresql://user@host:5432/db").
  std::string url;
  // Connections the store opens at most (a request waits for one up to
  // acquire_timeout, then gets kUnavailable: the webhook answers 503).
  size_t max_connections = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  // Who holds the leases this process takes (outbox sends): an id unique to the
  // process; generated (host, pid and random) when empty.
  std::string instance_id;
  // Several instances: a claimed outbox item is leased for at most max_lease
  // (0: the lease its sender asks for), and a heartbeat thread renews this
  // instance's leases every `heartbeat` (0: none) while it lives. So when an
  // instance dies, another takes its sends over within max_lease; a send in
  // flight at that moment may go out twice (the README's in-flight window).
  std::chrono::milliseconds max_lease{0};
  std::chrono::milliseconds heartbeat{0};
};

// Connects, applies the PostgreSQL migrations (once, under an advisory lock,
// whichever instance starts first) and returns the store. kUnavailable when the
// server cannot be reached; the error never carries the URL's password.
// `crypto` is copied; `clock` must outlive the store.
Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options, const Crypto& crypto,
                                                   Clock& clock);

// An id for this process's leases: "<host>:<pid>:<8 random hex digits>".
std::string generate_instance_id();

}  // namespace gw

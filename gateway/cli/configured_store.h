// The configuration, its keys and the store, opened the same way by every
// command that works on a gateway's data (`serve`, `user …`).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "gateway/config/config.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/security/key_file.h"
#include "gateway/store/store.h"

namespace gw::cli {

// The file at `config_path`, or the embedded default when it is empty.
Result<Config> load_config(const std::string& config_path);

// The data and index keys: from the configuration, or generated on first use
// into a 0600 file beside the SQLite database (logged as keys.generated).
Result<Crypto> load_crypto(const Config& cfg);

// The same keys as base64 text. Never logged. With keys in neither the
// configuration nor an existing key file, kCreate generates the file as
// load_crypto does; kRefuse fails (kNotFound), for commands that only make
// sense on keys that already sealed something.
enum class MissingKeyFile { kCreate, kRefuse };
Result<KeyMaterial> load_key_material(const Config& cfg, MissingKeyFile if_missing = MissingKeyFile::kCreate);

// Connections a PostgreSQL intake opens at most (each instance; the store has
// database.max_connections): a webhook that finds none free within 5 s is
// answered 503.
inline constexpr size_t kIntakeConnections = 4;

// Several instances (serve on PostgreSQL): what an instance claims (an inbound
// message, an outbox send) is leased to it for kInstanceLease, renewed every
// kInstanceHeartbeat while it lives; so another instance takes over what a dead
// one held within kInstanceLease.
inline constexpr std::chrono::milliseconds kInstanceLease{8000};
inline constexpr std::chrono::milliseconds kInstanceHeartbeat{2000};
struct ServeLeases {
  std::chrono::milliseconds max_lease{0};
  std::chrono::milliseconds heartbeat{0};
};

// The configured database: SQLite at database.path, or PostgreSQL at database.url.
// `leases` (PostgreSQL): see ServeLeases; the default holds none (commands other than serve).
Result<std::unique_ptr<Store>> open_store(const Config& cfg, const Crypto& crypto, Clock& clock,
                                          ServeLeases leases = {});

// All three in a row, for commands that need only the store.
Result<std::unique_ptr<Store>> open_configured_store(const std::string& config_path, Clock& clock);

}  // namespace gw::cli

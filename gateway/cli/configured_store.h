// The configuration, its keys and the store, opened the same way by every
// command that works on a gateway's data (`serve`, `user …`).
#pragma once

#include <memory>
#include <string>

#include "gateway/config/config.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/store/store.h"

namespace gw::cli {

// The file at `config_path`, or the embedded default when it is empty.
Result<Config> load_config(const std::string& config_path);

// The data and index keys: from the configuration, or generated on first use
// into a 0600 file beside the SQLite database (logged as keys.generated).
Result<Crypto> load_crypto(const Config& cfg);

// Connections a PostgreSQL intake opens at most (each instance; the store has
// database.max_connections): a webhook that finds none free within 5 s is
// answered 503.
inline constexpr size_t kIntakeConnections = 4;

// The configured database: SQLite at database.path, or PostgreSQL at database.url.
Result<std::unique_ptr<Store>> open_store(const Config& cfg, const Crypto& crypto, Clock& clock);

// All three in a row, for commands that need only the store.
Result<std::unique_ptr<Store>> open_configured_store(const std::string& config_path, Clock& clock);

}  // namespace gw::cli

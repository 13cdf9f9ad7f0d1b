#include "gateway/cli/configured_store.h"

#include <filesystem>
#include <vector>

#include "gateway/core/log.h"
#include "gateway/store/postgres/pg_store.h"
#include "gateway/store/sqlite/sqlite_store.h"

namespace gw::cli {

Result<Config> load_config(const std::string& config_path) {
  if (config_path.empty()) return default_config();
  return load_config_file(config_path, process_env());
}

Result<KeyMaterial> load_key_material(const Config& cfg, MissingKeyFile if_missing) {
  if (!cfg.keys.data.empty()) {
    return KeyMaterial{cfg.keys.data, cfg.keys.index, cfg.keys.data_previous, cfg.keys.index_previous};
  }
  if (if_missing == MissingKeyFile::kRefuse && !std::filesystem::is_regular_file(cfg.keys.file)) {
    return Error::not_found("no keys: the configuration gives none and the key file " + cfg.keys.file +
                            " does not exist (put back the key file the data was sealed with)");
  }
  bool created = false;
  auto material = load_or_create_key_file(cfg.keys.file, &created);
  if (!material) return material.error();
  if (created) {
    log::warn("keys.generated", {{"file", cfg.keys.file},
                                 {"advice",
                                  "back this file up apart from the database; without it the data "
                                  "cannot be read"}});
  }
  return material;
}

Result<Crypto> load_crypto(const Config& cfg) {
  auto material = load_key_material(cfg);
  if (!material) return material.error();
  return Crypto::from_keys(material->data_keys(), material->index_b64, material->index_previous);
}

Result<std::unique_ptr<Store>> open_store(const Config& cfg, const Crypto& crypto, Clock& clock,
                                          ServeLeases leases) {
  if (cfg.database.driver == "sqlite") return open_sqlite_store(cfg.database.path, crypto, clock);
  if (cfg.database.driver == "postgres") {
    PostgresOptions options;
    options.url = cfg.database.url;
    options.max_connections = static_cast<size_t>(cfg.database.max_connections);
    options.instance_id = cfg.database.instance_id;
    options.max_lease = leases.max_lease;
    options.heartbeat = leases.heartbeat;
    return open_postgres_store(options, crypto, clock);
  }
  return Error::invalid("unknown database driver \"" + cfg.database.driver + "\"");
}

Result<std::unique_ptr<Store>> open_configured_store(const std::string& config_path, Clock& clock) {
  auto cfg = load_config(config_path);
  if (!cfg) return cfg.error();
  auto crypto = load_crypto(*cfg);
  if (!crypto) return crypto.error();
  return open_store(*cfg, *crypto, clock);
}

}  // namespace gw::cli

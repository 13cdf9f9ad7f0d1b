#include "gateway/cli/backup_command.h"

#include <vector>

#include "gateway/cli/commands.h"
#include "gateway/cli/configured_store.h"
#include "gateway/core/clock.h"
#include "gateway/security/key_file.h"
#include "gateway/store/sqlite/sqlite_backup.h"

namespace gw::cli {
namespace {

// The configuration and its keys, for a command on a SQLite deployment.
struct Deployment {
  Config cfg;
  Crypto crypto;
  KeyFingerprints keys;
};

Result<Deployment> load_deployment(const std::string& config_path) {
  auto cfg = load_config(config_path);
  if (!cfg) return cfg.error();
  if (cfg->database.driver == "postgres") {
    return Error::invalid(
        "the database is PostgreSQL: back it up with pg_dump and put it back with pg_restore (the "
        "keys stay apart, in the configuration)");
  }
  auto material = load_key_material(*cfg, MissingKeyFile::kRefuse);
  if (!material) return material.error();
  auto crypto = Crypto::from_keys(material->data_keys(), material->index_b64, material->index_previous);
  if (!crypto) return crypto.error();
  // The same keys, fingerprinted.
  Result<KeyFingerprints> keys =
      key_fingerprints(material->data_keys(), material->index_b64, material->index_previous);
  if (!keys) return keys.error();
  return Deployment{std::move(*cfg), std::move(*crypto), std::move(*keys)};
}

}  // namespace

int run_backup(const BackupOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&](const Error& e) {
    err << "gateway backup: " << e.message << "\n";
    return kExitFailure;
  };
  auto d = load_deployment(options.config_path);
  if (!d) return fail(d.error());
  SystemClock clock;
  auto info = sqlite::backup_sqlite(d->cfg.database.path, options.file, d->keys, clock);
  if (!info) return fail(info.error());
  out << "backed up " << d->cfg.database.path << " (schema version " << info->schema_version << ", "
      << info->intake_rows << " messages in the intake) to " << options.file << "\n"
      << "keep the key file (" << d->cfg.keys.file
      << ") or the configured keys apart from it: the backup cannot be read without them\n";
  return kExitOk;
}

int run_restore(const BackupOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&](const Error& e) {
    err << "gateway restore: " << e.message << "\n";
    return kExitFailure;
  };
  auto d = load_deployment(options.config_path);
  if (!d) return fail(d.error());
  SystemClock clock;
  auto info = sqlite::restore_sqlite(options.file, d->cfg.database.path, d->crypto, d->keys, clock);
  if (!info) return fail(info.error());
  out << "restored " << d->cfg.database.path << " from " << options.file << " (made at " << info->created_at
      << " by gateway " << info->gateway_version << ", " << info->intake_rows
      << " messages in the intake); start the gateway\n";
  return kExitOk;
}

}  // namespace gw::cli

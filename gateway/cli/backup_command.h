// `gateway backup FILE [--config CFG]`: a consistent copy of a SQLite
// deployment's database and intake, taken while the gateway serves, never
// holding the keys (format and guarantees: gateway/store/sqlite/sqlite_backup.h).
// `gateway restore FILE [--config CFG]`: puts such a copy back, on a stopped
// gateway, after checking it and that it was made under the configured keys.
//
// Both read the configuration and its keys as `serve` does (a key file is never
// created here: without the keys there is nothing to check a backup against).
// With the postgres driver both refuse: pg_dump and pg_restore do that job.
// Errors are one line on `err` and exit 1; nothing they print holds a key, an
// address or a message body.
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

struct BackupOptions {
  std::string file;
  // JSON configuration file (default: the embedded default).
  std::string config_path;
};

int run_backup(const BackupOptions& options, std::ostream& out, std::ostream& err);
int run_restore(const BackupOptions& options, std::ostream& out, std::ostream& err);

}  // namespace gw::cli

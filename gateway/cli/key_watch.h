// KeyWatch: what `serve` does for key rotation (store/key_rotation.h). Every
// tick (KeyWatch::kInterval):
// - with keys from the key file (SQLite without keys in the configuration), it
//   reads the file again when it changed and gives the serving Crypto, and so
//   every copy of it, the keys found there (a file that does not read keeps the
//   keys in use, and the log says so);
// - it reports the ids of the keys it holds to the database (key_holders) when
//   they change and every kReportEvery, so that `gateway keys rotate` knows when
//   every serving process can read what it writes;
// - it reads whether a rotation is unfinished, for /readyz.
// It works through a database connection of its own, on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/config/config.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/store/key_rotation.h"

namespace gw::cli {

class KeyWatch {
 public:
  static constexpr std::chrono::seconds kInterval{1};
  // A holder reports at least this often (rotate counts a holder silent for
  // 10 s as gone).
  static constexpr std::chrono::seconds kReportEvery{4};

  // `crypto` is the serving one (its copies share its keys). `instance` names
  // this process among the key holders.
  KeyWatch(const Config& cfg, Crypto& crypto, Clock& clock, std::string instance);
  ~KeyWatch();

  // One round: reload the key file if it changed, report, read the rotation.
  void tick();
  // Removes this process from the key holders (at shutdown).
  void forget();

  // For /readyz: an error while a rotation is unfinished.
  Status readiness() const;

 private:
  struct FileStamp {
    int64_t mtime_ns = 0;
    int64_t size = 0;
    uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
  };
  Status connect();
  void reload_key_file();

  const DatabaseConfig database_;
  const std::string key_file_;  // "" when the keys come from the configuration
  Crypto& crypto_;
  Clock& clock_;
  const std::string instance_;
  std::optional<FileStamp> stamp_;
  std::unique_ptr<KeyRotationDb> db_;
  bool db_failed_logged_ = false;
  std::optional<KeyHolder> reported_;  // what was last written

  mutable std::mutex mu_;
  std::optional<RotationState> rotation_;  // guarded by mu_
};

}  // namespace gw::cli

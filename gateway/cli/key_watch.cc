#include "gateway/cli/key_watch.h"

#include <sys/stat.h>

#include <utility>

#include "gateway/core/log.h"
#include "gateway/security/key_file.h"

namespace gw::cli {

KeyWatch::KeyWatch(const Config& cfg, Crypto& crypto, Clock& clock, std::string instance)
    : database_(cfg.database),
      key_file_(cfg.keys.data.empty() ? cfg.keys.file : std::string()),
      crypto_(crypto),
      clock_(clock),
      instance_(std::move(instance)) {}

KeyWatch::~KeyWatch() = default;

Status KeyWatch::connect() {
  if (db_) return {};
  auto db = open_key_rotation_db(database_);
  if (!db) return db.error();
  db_ = std::move(*db);
  return {};
}

void KeyWatch::reload_key_file() {
  struct stat st {};
  if (::stat(key_file_.c_str(), &st) != 0) return;  // read again once it is back
  const FileStamp now{static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                      static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)};
  // The first time, the file is read again too: it may have changed between
  // serve's start and this tick.
  if (stamp_ && *stamp_ == now) return;
  auto material = read_key_file(key_file_);
  Result<Crypto> fresh = material ? Crypto::from_keys(material->data_keys(), material->index_b64,
                                                      material->index_previous)
                                  : Result<Crypto>(material.error());
  if (!fresh) {
    // Tried again at the next change; the keys in use stay.
    stamp_ = now;
    log::error("keys.reload_failed", {{"file", key_file_}, {"error", fresh.error().to_string()}});
    return;
  }
  stamp_ = now;
  if (fresh->data_key_ids() == crypto_.data_key_ids() && fresh->index_key_id() == crypto_.index_key_id() &&
      fresh->index_previous_id() == crypto_.index_previous_id()) {
    return;  // the same keys
  }
  crypto_.adopt(*fresh);
  log::info("keys.reloaded", {{"file", key_file_},
                              {"data_keys", join_key_ids(crypto_.data_key_ids())},
                              {"index_key", crypto_.index_key_id()}});
}

void KeyWatch::tick() {
  if (!key_file_.empty()) reload_key_file();
  Status st = connect();
  // Reported when the keys change, and every kReportEvery to show it lives: a
  // write, so not at every tick.
  KeyHolder me{instance_, crypto_.data_key_ids(), crypto_.index_key_id(), clock_.now()};
  const bool due = !reported_ || reported_->data_keys != me.data_keys || reported_->index_key != me.index_key ||
                   me.seen_at - reported_->seen_at >= kReportEvery;
  if (st && due) {
    st = db_->report_holder(me);
    if (st) reported_ = me;
  }
  Result<std::optional<RotationState>> rotation = st ? db_->rotation() : Result<std::optional<RotationState>>(st.error());
  if (!rotation) {
    if (!db_failed_logged_) log::warn("keys.watch_failed", {{"error", rotation.error().to_string()}});
    db_failed_logged_ = true;
    db_.reset();  // connect anew next time
    reported_.reset();
    return;
  }
  db_failed_logged_ = false;
  std::lock_guard<std::mutex> lock(mu_);
  rotation_ = std::move(*rotation);
}

void KeyWatch::forget() {
  if (db_) (void)db_->forget_holder(instance_);
}

Status KeyWatch::readiness() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!rotation_) return {};
  return Error::unavailable("a key rotation is unfinished (" + rotation_->progress +
                            "): run gateway keys rotate to finish it");
}

}  // namespace gw::cli

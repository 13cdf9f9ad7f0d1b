#include "gateway/cli/keys_command.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "gateway/cli/commands.h"
#include "gateway/cli/configured_store.h"
#include "gateway/core/clock.h"
#include "gateway/security/key_file.h"
#include "gateway/store/key_rotation.h"

namespace gw::cli {
namespace {

// A serving process counts as alive when it reported within this.
constexpr auto kHolderAlive = std::chrono::seconds(10);
// Passes over the data before giving up on values that serving processes keep
// sealing with an old key.
constexpr int kMaxPasses = 4;

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

struct Deployment {
  Config cfg;
  KeyMaterial keys;
  std::unique_ptr<KeyRotationDb> db;
  // The keys come from the key file (SQLite without keys in the configuration).
  bool from_file() const { return cfg.keys.data.empty(); }
};

// The configuration, its keys (a key file is never created here) and the
// database, brought to the current schema by opening the store once.
Result<Deployment> open_deployment(const std::string& config_path, Clock& clock) {
  auto cfg = load_config(config_path);
  if (!cfg) return cfg.error();
  Deployment d;
  if (cfg->database.driver == "sqlite" && !std::filesystem::is_regular_file(cfg->database.path)) {
    return Error::not_found("no database at " + cfg->database.path + ": nothing to rotate");
  }
  auto keys = load_key_material(*cfg, MissingKeyFile::kRefuse);
  if (!keys) return keys.error();
  d.keys = std::move(*keys);
  auto crypto = Crypto::from_keys(d.keys.data_keys(), d.keys.index_b64, d.keys.index_previous);
  if (!crypto) return crypto.error();
  {
    auto store = open_store(*cfg, *crypto, clock);
    if (!store) return store.error();
    if (Status st = (*store)->close(); !st) return st.error();
  }
  auto db = open_key_rotation_db(cfg->database);
  if (!db) return db.error();
  d.db = std::move(*db);
  d.cfg = std::move(*cfg);
  return d;
}

// Prints a column's progress at its first batch, then at most once a second,
// and when it is done; and keeps the same line in the database for /readyz.
class ProgressLine {
 public:
  ProgressLine(std::ostream& out, KeyRotationDb& db, Clock& clock) : out_(out), db_(db), clock_(clock) {}
  void operator()(const ResealProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool first = p.column != column_;
    if (!first && !p.column_done && now - last_ < std::chrono::seconds(1)) return;
    if (p.column_done && p.total == 0 && p.done == 0) return;  // nothing there to do
    if (first && !p.column_done && p.done >= p.total) return;  // all in one batch: the "done" line says it
    column_ = p.column;
    last_ = now;
    const std::string line = p.column + ": " + std::to_string(p.done) + " of " + std::to_string(p.total) +
                             " re-sealed" + (p.column_done ? " (done)" : "");
    out_ << "  " << line << "\n" << std::flush;
    (void)db_.update_progress(line, clock_.now());
  }

 private:
  std::ostream& out_;
  KeyRotationDb& db_;
  Clock& clock_;
  std::string column_;
  std::chrono::steady_clock::time_point last_{};
};

// Waits until every serving process reported `active` as its active data key
// (and `index` as its index key, when not empty). Returns the ones still behind
// when `wait` ran out.
Result<std::vector<std::string>> wait_for_holders(KeyRotationDb& db, Clock& clock, const std::string& active,
                                                  const std::string& index, std::chrono::seconds wait,
                                                  std::ostream& out) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  bool said = false;
  for (;;) {
    auto holders = db.holders(clock.now() - kHolderAlive);
    if (!holders) return holders.error();
    std::vector<std::string> behind;
    for (const auto& h : *holders) {
      const bool data_ok = !h.data_keys.empty() && h.data_keys.front() == active;
      const bool index_ok = index.empty() || h.index_key == index;
      if (!data_ok || !index_ok) behind.push_back(h.instance);
    }
    if (behind.empty()) {
      if (!holders->empty())
        out << "Every serving process (" << holders->size() << ") holds the new keys.\n" << std::flush;
      return behind;
    }
    if (std::chrono::steady_clock::now() >= deadline) return behind;
    if (!said) {
      out << "Waiting for the serving processes to take the new keys: " << join(behind) << "\n" << std::flush;
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace

int run_keys_rotate(const KeysOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&](const std::string& message) {
    err << "gateway keys rotate: " << message << "\n";
    return kExitFailure;
  };
  if (options.batch < 1 || options.batch > 100000) return fail("--batch must be between 1 and 100000");
  if (options.pause_ms < 0 || options.pause_ms > 60000) return fail("--pause must be between 0 and 60000 ms");
  if (options.wait_s < 0 || options.wait_s > 3600) return fail("--wait must be between 0 and 3600 s");
  SystemClock clock;
  auto d = open_deployment(options.config_path, clock);
  if (!d) return fail(d.error().message);
  KeyRotationDb& db = *d->db;

  auto existing = db.rotation();
  if (!existing) return fail(existing.error().message);
  const bool resuming = existing->has_value();
  const bool index_rotation = options.index || (resuming && !(*existing)->index_key.empty());
  if (resuming && options.index && (*existing)->index_key.empty()) {
    return fail("a rotation of the data key alone is unfinished: run gateway keys rotate without --index to "
                "finish it first");
  }

  // 1. The keys to rotate to.
  KeyMaterial keys = d->keys;
  if (d->from_file() && !resuming) {
    std::vector<std::string> previous = {keys.data_b64};
    previous.insert(previous.end(), keys.data_previous.begin(), keys.data_previous.end());
    keys.data_previous = std::move(previous);
    keys.data_b64 = generate_key_b64();
    if (index_rotation) {
      if (!keys.index_previous.empty()) {
        // One previous index key is looked up, not two: the older one would
        // be lost, and only the administrator knows whether a backup needs it.
        return fail(d->cfg.keys.file +
                    " still holds the index key of the last index rotation (index_previous): keep a copy "
                    "of it if a backup from before that rotation may be restored, remove it from the file, "
                    "then run this again");
      }
      keys.index_previous = keys.index_b64;
      keys.index_b64 = generate_key_b64();
    }
    if (Status st = replace_key_file(d->cfg.keys.file, keys); !st) return fail(st.error().message);
    out << "Wrote new keys to " << d->cfg.keys.file << " (the old ones stay in it, as "
        << (index_rotation ? "data_previous and index_previous" : "data_previous") << ").\n";
  } else if (!d->from_file() && index_rotation && keys.index_previous.empty()) {
    return fail(
        "--index with keys in the configuration: set keys.index to the new index key and "
        "keys.index_previous to the old one, restart every instance with them, then run this again");
  }
  auto crypto = Crypto::from_keys(keys.data_keys(), keys.index_b64, keys.index_previous);
  if (!crypto) return fail(crypto.error().message);
  const std::string active = crypto->active_key_id();
  const std::string index_id = index_rotation ? crypto->index_key_id() : "";

  // 2. Recorded: /readyz fails from here until the end.
  RotationState state{resuming ? (*existing)->started_at : clock.now(), active, index_id,
                      "waiting for the serving processes to take the new keys", clock.now()};
  if (Status st = db.begin_rotation(state); !st) return fail(st.error().message);
  out << (resuming ? "Resuming the rotation" : "Rotating") << " to data key " << active
      << (index_rotation ? " and index key " + index_id : std::string()) << ".\n"
      << std::flush;

  // 3. Every serving process must read what is about to be written.
  auto behind = wait_for_holders(db, clock, active, index_id, std::chrono::seconds(options.wait_s), out);
  if (!behind) return fail(behind.error().message);
  if (!behind->empty()) {
    return fail("these serving processes still hold other keys: " + join(*behind) +
                (d->from_file() ? " (do they read " + d->cfg.keys.file + "?)"
                              : " (restart them with the configuration's new keys)") +
                "; the rotation stays unfinished until gateway keys rotate is run again");
  }

  // 4. Re-seal, and rebuild the contact index, until nothing is left.
  ResealOptions ro;
  ro.batch = options.batch;
  ro.pause = std::chrono::milliseconds(options.pause_ms);
  ProgressLine progress(out, db, clock);
  int64_t resealed = 0;
  int64_t rehashed = 0;
  std::map<std::string, int64_t> census;
  for (int pass = 1;; ++pass) {
    auto r = reseal_all(db, *crypto, ro, std::ref(progress));
    if (!r) return fail(r.error().message);
    resealed += r->resealed;
    // Contacts created since the serving processes took the new index key are
    // hashed with it already: one pass over the contacts is enough.
    if (index_rotation && pass == 1) {
      auto h = rehash_contacts(db, *crypto, ro, [&](int64_t n) {
        (void)db.update_progress("contacts.address_hash: " + std::to_string(n) + " rebuilt", clock.now());
      });
      if (!h) return fail(h.error().message);
      rehashed = *h;
      out << "  contacts.address_hash: " << *h << " rebuilt with the new index key\n";
    }
    // What serving processes sealed with an old key while this ran (a value
    // they were sealing as they took the new keys) is taken by the next pass.
    auto c = sealed_census(db);
    if (!c) return fail(c.error().message);
    census = std::move(*c);
    int64_t stale = 0;
    for (const auto& [id, n] : census)
      if (id != active) stale += n;
    if (stale == 0) break;
    if (pass == kMaxPasses) {
      return fail(std::to_string(stale) +
                  " values are still sealed with an old key after " + std::to_string(kMaxPasses) +
                  " passes: a serving process keeps writing with one; the rotation stays unfinished");
    }
  }
  if (Status st = db.end_rotation(); !st) return fail(st.error().message);

  // 5. What the old keys are still good for.
  int64_t total = 0;
  for (const auto& [id, n] : census) total += n;
  out << "Done: " << resealed << " values re-sealed";
  if (index_rotation) out << ", " << rehashed << " contact hashes rebuilt";
  out << ". Every stored value (" << total << ") is sealed with data key " << active << ".\n";
  std::vector<std::string> old = crypto->data_key_ids();
  old.erase(old.begin());
  const std::string where = d->from_file() ? "from " + d->cfg.keys.file : std::string("from the configuration");
  if (!old.empty()) {
    out << "Data key" << (old.size() > 1 ? "s " : " ") << join(old)
        << (old.size() > 1 ? " no longer seal" : " no longer seals") << " anything in this database: remove "
        << (old.size() > 1 ? "them" : "it") << " (" << (d->from_file() ? "data_previous" : "keys.data_previous")
        << ") " << where
        << " once you keep no backup taken before this rotation (a backup restores only where its keys are "
           "loaded).\n";
  }
  if (index_rotation) {
    out << "Every contact is indexed with index key " << index_id << ": the previous index key ("
        << (d->from_file() ? "index_previous" : "keys.index_previous") << ") can be removed " << where
        << " on the same condition; until then contacts are looked up with both.\n";
  }
  return kExitOk;
}

int run_keys_status(const KeysOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&](const std::string& message) {
    err << "gateway keys status: " << message << "\n";
    return kExitFailure;
  };
  SystemClock clock;
  auto d = open_deployment(options.config_path, clock);
  if (!d) return fail(d.error().message);
  auto crypto = Crypto::from_keys(d->keys.data_keys(), d->keys.index_b64, d->keys.index_previous);
  if (!crypto) return fail(crypto.error().message);
  auto census = sealed_census(*d->db);
  if (!census) return fail(census.error().message);
  const auto ids = crypto->data_key_ids();
  out << "Keys from " << (d->from_file() ? d->cfg.keys.file : std::string("the configuration")) << ":\n";
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto it = census->find(ids[i]);
    const int64_t n = it == census->end() ? 0 : it->second;
    out << "  data key " << ids[i] << (i == 0 ? " (active)" : "") << ": seals " << n << " values"
        << (i > 0 && n == 0 ? " (no longer needed by this database)" : "") << "\n";
  }
  for (const auto& [id, n] : *census) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end())
      out << "  data key " << id << " (not loaded): seals " << n << " values, which cannot be read\n";
  }
  out << "  index key " << crypto->index_key_id() << " (active)\n";
  if (!crypto->index_previous_id().empty())
    out << "  index key " << crypto->index_previous_id() << " (previous, still looked up)\n";
  auto rotation = d->db->rotation();
  if (!rotation) return fail(rotation.error().message);
  if (*rotation) {
    out << "Rotation unfinished (to data key " << (*rotation)->data_key << "): " << (*rotation)->progress
        << "; run gateway keys rotate to finish it\n";
  } else {
    out << "No rotation in progress.\n";
  }
  auto holders = d->db->holders(clock.now() - kHolderAlive);
  if (!holders) return fail(holders.error().message);
  for (const auto& h : *holders) {
    out << "Serving: " << h.instance << " with data keys " << join(h.data_keys) << ", index key " << h.index_key
        << "\n";
  }
  return kExitOk;
}

}  // namespace gw::cli

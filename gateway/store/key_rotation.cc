#include "gateway/store/key_rotation.h"

#include <algorithm>
#include <limits>
#include <thread>
#include <utility>

namespace gw {
namespace {

std::string row_name(const SealedColumn& c, const RowKey& k) {
  // A bytes key (a token's hash) is not shown: it names nothing useful.
  return c.aad() + (c.key_is_bytes ? std::string(" (a row keyed by ") + c.key + ")"
                                   : " of row " + std::to_string(k.id));
}

}  // namespace

Result<std::unique_ptr<KeyRotationDb>> open_key_rotation_db(const DatabaseConfig& database) {
  if (database.driver == "postgres") return open_postgres_key_rotation_db(database.url);
  return open_sqlite_key_rotation_db(database.path);
}

Result<ResealReport> reseal_all(KeyRotationDb& db, const Crypto& crypto, const ResealOptions& options,
                                const std::function<void(const ResealProgress&)>& progress) {
  const int batch = options.batch > 0 ? options.batch : 500;
  ResealReport report;
  const std::string active = crypto.active_key_raw_id();
  for (const SealedColumn& c : db.columns()) {
    auto total = db.count_stale(c, active);
    if (!total) return total.error();
    ResealProgress p{c.aad(), 0, *total, false};
    RowKey after;
    after.id = std::numeric_limits<int64_t>::min();
    for (;;) {
      auto rows = db.stale_values(c, after, active, batch);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      std::vector<SealedReplacement> out;
      out.reserve(rows->size());
      for (SealedValue& v : *rows) {
        auto plain = crypto.decrypt(v.value, c.aad());
        if (!plain) {
          return Error{plain.error().code,
                       "cannot open " + row_name(c, v.key) + ": " + plain.error().message};
        }
        auto sealed = crypto.encrypt(*plain, c.aad());
        std::fill(plain->begin(), plain->end(), '\0');
        if (!sealed) return sealed.error();
        out.push_back({v.key, std::move(v.value), std::move(*sealed)});
      }
      after = out.back().key;
      auto written = db.replace_values(c, out);
      if (!written) return written.error();
      report.resealed += *written;
      report.skipped += static_cast<int64_t>(out.size()) - *written;
      p.done += *written;
      if (progress) progress(p);
      if (static_cast<int>(out.size()) < batch) break;
      if (options.pause.count() > 0) std::this_thread::sleep_for(options.pause);
    }
    p.column_done = true;
    if (progress) progress(p);
  }
  return report;
}

Result<int64_t> rehash_contacts(KeyRotationDb& db, const Crypto& crypto, const ResealOptions& options,
                                const std::function<void(int64_t done)>& progress) {
  const int batch = options.batch > 0 ? options.batch : 500;
  int64_t done = 0;
  int64_t after = 0;
  for (;;) {
    auto rows = db.contacts_after(after, batch);
    if (!rows) return rows.error();
    if (rows->empty()) break;
    after = rows->back().id;
    std::vector<std::pair<KeyRotationDb::ContactHash, std::string>> changed;
    for (auto& row : *rows) {
      auto address = crypto.decrypt(row.address, "contacts.address");
      if (!address) {
        return Error{address.error().code, "cannot open contacts.address of row " + std::to_string(row.id) +
                                               ": " + address.error().message};
      }
      std::string hash = crypto.index_hash(*address);
      std::fill(address->begin(), address->end(), '\0');
      if (hash != row.hash) changed.emplace_back(std::move(row), std::move(hash));
    }
    if (!changed.empty()) {
      auto written = db.replace_hashes(changed);
      if (!written) return written.error();
      done += *written;
      if (progress) progress(done);
    }
    if (static_cast<int>(rows->size()) < batch) break;
    if (options.pause.count() > 0) std::this_thread::sleep_for(options.pause);
  }
  return done;
}

std::string join_key_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

std::vector<std::string> split_key_ids(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < joined.size()) {
    const size_t comma = joined.find(',', start);
    const size_t end = comma == std::string::npos ? joined.size() : comma;
    if (end > start) out.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<std::map<std::string, int64_t>> sealed_census(KeyRotationDb& db) {
  std::map<std::string, int64_t> all;
  for (const SealedColumn& c : db.columns()) {
    auto counts = db.count_by_key(c);
    if (!counts) return counts.error();
    for (const auto& [id, n] : *counts) all[id] += n;
  }
  return all;
}

}  // namespace gw

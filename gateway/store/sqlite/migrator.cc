#include "gateway/store/sqlite/migrator.h"

#include "gateway/store/sqlite/database.h"

namespace gw::sqlite {

Result<int> migrate(Database& db, const std::vector<Migration>& all, TimePoint now) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  Status st = db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  if (!st) return st.error();

  auto latest = db.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", scalar_int64);
  if (!latest) return latest.error();
  const int current = static_cast<int>(latest->value_or(0));

  auto pending = pending_migrations(all, current);
  if (!pending) return pending.error();
  for (const Migration* m : *pending) {
    st = db.exec(m->sql);
    if (!st) {
      return Error{st.error().code, "migration " + std::to_string(m->version) + " (" + m->name +
                                        ") failed: " + st.error().message};
    }
    st = db.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", m->version,
                to_unix_ms(now));
    if (!st) return st.error();
  }
  st = tx->commit();
  if (!st) return st.error();
  return static_cast<int>(all.size());
}

}  // namespace gw::sqlite

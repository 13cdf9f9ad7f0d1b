// SqliteStore: the anonymised statistics' counters (stats_counts). A counter
// holds a week, a country, a metric, a value and a count: nothing that leads
// back to a person, and no foreign key, so erasure never reaches it.
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw::sqlite {

namespace {

bool valid_field(const std::string& s) {
  return !s.empty() && s.size() <= 128;
}

}  // namespace

Status SqliteStore::add_stats(const std::vector<StatCount>& changes) {
  for (const StatCount& c : changes) {
    if (!valid_field(c.week) || !valid_field(c.country) || !valid_field(c.metric) || !valid_field(c.value))
      return Error::invalid(
          "a statistics counter needs a week, a country, a metric and a value of 1 to 128 bytes");
  }
  if (changes.empty()) return {};
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  for (const StatCount& c : changes) {
    const Status added = db_.run(
        "INSERT INTO stats_counts (week, country, metric, value, count) VALUES (?1, ?2, ?3, ?4, max(?5, 0))"
        " ON CONFLICT (week, metric, value, country) DO UPDATE SET count = max(stats_counts.count + ?5, 0)",
        c.week, c.country, c.metric, c.value, c.count);
    if (!added) return added;
  }
  return tx->commit();
}

Result<std::vector<StatCount>> SqliteStore::read_stats(const std::string& from_week,
                                                       const std::string& to_week) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<StatCount> out;
  const Status read = db_.query(
      "SELECT week, country, metric, value, count FROM stats_counts"
      " WHERE week >= ?1 AND week <= ?2 AND count > 0 ORDER BY week, metric, value, country",
      [&](const Statement& st) {
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4)});
      },
      from_week, to_week);
  if (!read) return read.error();
  return out;
}

}  // namespace gw::sqlite

// PgStore: the anonymised statistics' counters (stats_counts), as the SQLite
// backend's (sqlite_store_stats.cc). A counter holds a week, a country, a
// metric, a value and a count: nothing that leads back to a person, and no
// foreign key, so erasure never reaches it.
#include <algorithm>
#include <tuple>

#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {

namespace {

bool valid_field(const std::string& s) {
  return !s.empty() && s.size() <= 128;
}

}  // namespace

Status PgStore::add_stats(const std::vector<StatCount>& changes) {
  for (const StatCount& c : changes) {
    if (!valid_field(c.week) || !valid_field(c.country) || !valid_field(c.metric) || !valid_field(c.value))
      return Error::invalid(
          "a statistics counter needs a week, a country, a metric and a value of 1 to 128 bytes");
  }
  if (changes.empty()) return {};
  // Counters in the order of their key, so that two instances adding to the
  // same counters lock their rows in the same order and never deadlock.
  std::vector<const StatCount*> ordered;
  ordered.reserve(changes.size());
  for (const StatCount& c : changes) ordered.push_back(&c);
  std::stable_sort(ordered.begin(), ordered.end(), [](const StatCount* a, const StatCount* b) {
    return std::tie(a->week, a->metric, a->value, a->country) <
           std::tie(b->week, b->metric, b->value, b->country);
  });
  return with([&](Connection& conn) -> Status {
    auto tx = Transaction::begin(conn);
    if (!tx) return tx.error();
    for (const StatCount* c : ordered) {
      auto added = conn.run(
          "INSERT INTO stats_counts (week, country, metric, value, count) VALUES ($1, $2, $3, $4, "
          "GREATEST($5, 0))"
          " ON CONFLICT (week, metric, value, country) DO UPDATE"
          " SET count = GREATEST(stats_counts.count + $5, 0)",
          c->week, c->country, c->metric, c->value, c->count);
      if (!added) return added.error();
    }
    return tx->commit();
  });
}

Result<std::vector<StatCount>> PgStore::read_stats(const std::string& from_week, const std::string& to_week) {
  return with([&](Connection& conn) -> Result<std::vector<StatCount>> {
    std::vector<StatCount> out;
    // COLLATE "C": compared and ordered byte by byte, as SQLite does, whatever
    // the database's collation.
    const Status read = conn.query(
        "SELECT week, country, metric, value, count FROM stats_counts"
        " WHERE week COLLATE \"C\" >= $1 AND week COLLATE \"C\" <= $2 AND count > 0"
        " ORDER BY week COLLATE \"C\", metric COLLATE \"C\", value COLLATE \"C\", country COLLATE \"C\"",
        [&](const PgRow& row) {
          out.push_back({row.text(0), row.text(1), row.text(2), row.text(3), row.int64(4)});
        },
        from_week, to_week);
    if (!read) return read.error();
    return out;
  });
}

}  // namespace gw::pg

// PgStore: stats (see pg_store_impl.h). Not written yet: every method answers kUnimplemented.
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {

Status PgStore::add_stats(const std::vector<StatCount>& changes) {
  return Error::unimplemented("PgStore::add_stats");
}

Result<std::vector<StatCount>> PgStore::read_stats(const std::string& from_week, const std::string& to_week) {
  return Error::unimplemented("PgStore::read_stats");
}

}  // namespace gw::pg

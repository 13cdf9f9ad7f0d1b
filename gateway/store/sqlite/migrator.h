// Brings a SQLite database's schema up to date with a list of migrations.
#pragma once

#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/store/migrations.h"

namespace gw::sqlite {

class Database;

// Creates schema_migrations if needed, then applies every pending migration and
// records it, all in one transaction: either the schema reaches the latest
// version or nothing changes. Running it again on an up-to-date database does
// nothing. Fails if the database is newer than `all` knows.
// Returns the schema version afterwards.
Result<int> migrate(Database& db, const std::vector<Migration>& all, TimePoint now);

}  // namespace gw::sqlite

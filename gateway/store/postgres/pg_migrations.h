// The PostgreSQL schema: the data model of the SQLite backend (gateway/store/
// migrations.cc and the intake of gateway/store/sqlite/sqlite_intake.cc) for a
// PostgreSQL database shared by several gateway instances. docs/postgres-schema.md
// maps it table by table.
//
// Numbering: PostgreSQL has its own sequence of migrations, independent of
// SQLite's. Migration 1 is SQLite's 1..8 and its intake's 1..2 at once (a new
// PostgreSQL database starts at the latest schema; there is no older PostgreSQL
// database to bring forward). A later change of the data model gets a migration
// in each list: SQLite's next number there, PostgreSQL's next number here.
// Shipped scripts are never edited (gateway/store/migrations.h).
//
// Applying them (the PostgreSQL migrator's contract): in one transaction, take
// the advisory lock kPostgresMigrationLock (pg_advisory_xact_lock), run
// postgres_migrations_table_sql(), read COALESCE(MAX(version), 0) from
// schema_migrations, apply pending_migrations(postgres_migrations(), that) in
// order, inserting (version, applied_at) for each, and commit. The lock makes
// instances that start together apply each migration once; the others wait and
// then find nothing pending.
#pragma once

#include <cstdint>
#include <vector>

#include "gateway/store/migrations.h"

namespace gw {

// The PostgreSQL schema, oldest first, numbered 1..N without gaps. Each script
// holds one or more statements without parameters (run as one simple query).
const std::vector<Migration>& postgres_migrations();

// Creates schema_migrations(version, applied_at) if missing: run before the
// schema version is read, so it is not one of the numbered migrations.
const char* postgres_migrations_table_sql();

// The key of the transaction-level advisory lock that serialises migrations
// between instances ("gwschema" in ASCII).
inline constexpr int64_t kPostgresMigrationLock = 0x6777736368656d61;

}  // namespace gw

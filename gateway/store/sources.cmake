target_sources(gateway_core PRIVATE
  gateway/store/migrations.cc
  gateway/store/record_values.cc
  gateway/store/sqlite/database.cc
  gateway/store/sqlite/migrator.cc
  gateway/store/sqlite/sqlite_store.cc
  gateway/store/sqlite/sqlite_store_contacts.cc
  gateway/store/sqlite/sqlite_store_messages.cc
  gateway/store/sqlite/sqlite_intake.cc
  gateway/store/sqlite/database_file.cc
  gateway/store/sqlite/sqlite_store_staff.cc
  gateway/store/sqlite/sqlite_store_helpdesk.cc
  gateway/store/sqlite/sqlite_store_content.cc
  gateway/store/sqlite/sqlite_store_stats.cc
  gateway/store/sqlite/statement.cc
  gateway/store/sqlite/wal_checkpointer.cc
  gateway/store/postgres/pg_migrations.cc
)

# The PostgreSQL backend.
target_sources(gateway_core PRIVATE
  gateway/store/postgres/pg_connection.cc
  gateway/store/postgres/pg_pool.cc
  gateway/store/postgres/pg_intake.cc
  gateway/store/postgres/pg_store.cc
  gateway/store/postgres/pg_store_contacts.cc
  gateway/store/postgres/pg_store_messages.cc
  gateway/store/postgres/pg_store_staff.cc
  gateway/store/postgres/pg_store_helpdesk.cc
  gateway/store/postgres/pg_store_content.cc
  gateway/store/postgres/pg_store_stats.cc
  gateway/store/postgres/pg_store_sessions.cc
  gateway/store/postgres/pg_key_rotation.cc
)

target_sources(gateway_tests PRIVATE
  tests/store/contact_store_test.cc
  tests/store/account_store_test.cc
  tests/store/erase_audit_test.cc
  tests/store/message_store_test.cc
  tests/store/outbox_store_test.cc
  tests/store/sqlite_file_test.cc
  tests/store/outbox_drain_stop_test.cc
  tests/store/statement_cache_test.cc
  tests/store/database_query_test.cc
  tests/store/store_transaction_test.cc
  tests/store/wal_checkpointer_test.cc
  tests/store/sqlite_intake_test.cc
  tests/store/content_store_test.cc
  tests/store/stats_store_test.cc
  tests/store/key_rotation_store_test.cc
  tests/store/pg_schema_test.cc
  # The PostgreSQL backend's tests (they skip unless GATEWAY_TEST_PG_URL names a
  # database: scripts/pg-test-cluster.sh).
  tests/store/pg_connection_test.cc
  tests/store/pg_instances_test.cc
  tests/store/pg_login_throttle_test.cc
  tests/store/pg_staff_sessions_test.cc
  tests/store/pg_outbox_lease_test.cc
  tests/store/pg_intake_test.cc
)

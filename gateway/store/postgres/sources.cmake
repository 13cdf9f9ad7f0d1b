# The PostgreSQL backend (library gateway_pg; CMakeLists.txt builds it when libpq is found).
target_sources(gateway_pg PRIVATE
  gateway/store/postgres/pg_connection.cc
  gateway/store/postgres/pg_pool.cc
)

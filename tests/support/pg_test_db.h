// PostgreSQL for tests: the database scripts/pg-test-cluster.sh started
// (GATEWAY_TEST_PG_URL), and a schema of its own for each test, so tests running
// side by side (ctest -j) never see each other's rows.
//
// The store's contract tests (tag [contract]) run once on SQLite and once more
// on PostgreSQL: ctest runs the second pass as "postgres:<name>" with
// GATEWAY_TEST_STORE=postgres, and StoreFixture opens the backend it names.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace gw::testing {

// GATEWAY_TEST_PG_URL, when set and not empty.
std::optional<std::string> test_pg_url();

// True when GATEWAY_TEST_STORE is "postgres": the store tests use PostgreSQL.
bool store_tests_on_postgres();

// A schema "t_<random>" created in the test database for one test and dropped
// (with everything in it) when this goes. REQUIRES: test_pg_url().
class PgTestSchema {
 public:
  PgTestSchema();
  ~PgTestSchema();
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;

  // The test database's URL with this schema as the search path: a store
  // opened on it creates its tables here.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string base_;
  std::string name_;
  std::string url_;
};

}  // namespace gw::testing

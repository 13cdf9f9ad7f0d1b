#include "tests/support/pg_test_db.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "gateway/core/ids.h"
#include "gateway/store/postgres/pg_connection.h"

namespace gw::testing {

std::optional<std::string> test_pg_url() {
  const char* url = std::getenv("GATEWAY_TEST_PG_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

bool store_tests_on_postgres() {
  const char* v = std::getenv("GATEWAY_TEST_STORE");
  return v != nullptr && std::string(v) == "postgres";
}

namespace {
// `base` with `schema` as its search path: a URI gets an "options" query
// parameter, a key=value string an options keyword.
std::string with_search_path(const std::string& base, const std::string& schema) {
  if (base.find("://") != std::string::npos) {
    return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
  }
  return base + " options='-csearch_path=" + schema + "'";
}
}  // namespace

PgTestSchema::PgTestSchema() {
  auto url = test_pg_url();
  REQUIRE(url);
  base_ = *url;
  name_ = "t_" + random_id(8);
  auto conn = pg::Connection::connect(base_);
  REQUIRE(conn.ok());
  REQUIRE(conn->exec("CREATE SCHEMA " + name_).ok());
  url_ = with_search_path(base_, name_);
}

PgTestSchema::~PgTestSchema() {
  auto conn = pg::Connection::connect(base_);
  if (conn) (void)conn->exec("DROP SCHEMA " + name_ + " CASCADE");
}

}  // namespace gw::testing

// The one translation unit that holds Catch2's runner.
//
// GATEWAY_TEST_STORE=postgres (the second pass of the store's contract tests,
// tests/support/pg_test_db.h) needs the test database: without
// GATEWAY_TEST_PG_URL such a run exits with 77, which ctest reports as skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char* argv[]) {
  const char* store = std::getenv("GATEWAY_TEST_STORE");
  const char* url = std::getenv("GATEWAY_TEST_PG_URL");
  if (store != nullptr && std::string(store) == "postgres" && (url == nullptr || *url == '\0')) {
    std::fprintf(stderr,
                 "GATEWAY_TEST_STORE=postgres but GATEWAY_TEST_PG_URL is not set: skipped "
                 "(scripts/test.sh starts a test cluster)\n");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}

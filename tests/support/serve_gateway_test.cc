// The helpers that start `gateway serve` for tests and read back its port.
#include "tests/support/serve_gateway.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "tests/support/temp_dir.h"

TEST_CASE("listening_port gives up as soon as serve exits without listening", "[support][serve]") {
  // Given a config serve refuses, the wait ends with the process, not with the timeout.
  gw::testing::TempDir dir("gw-serve-refused");
  const std::string config = gw::testing::write_serve_config(dir.path().string(), {{"listen", "nowhere"}});
  gw::testing::BackgroundProcess serve({GATEWAY_BINARY, "serve", "--config", config});
  const auto start = std::chrono::steady_clock::now();
  CHECK(gw::testing::listening_port(serve, std::chrono::seconds(60)) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  CHECK(serve.wait(std::chrono::seconds(5)) == 1);
}

TEST_CASE("write_serve_config listens on port 0 and merges the extra keys over its defaults",
          "[support][serve]") {
  gw::testing::TempDir dir("gw-serve-config");
  const std::string path = gw::testing::write_serve_config(
      dir.path().string(),
      {{"public_url", "http://helpline.test"}, {"database", {{"path", "elsewhere.db"}}}});
  std::ifstream in(path);
  const auto config = nlohmann::json::parse(in);
  CHECK(config["listen"] == "127.0.0.1:0");
  CHECK(config["public_url"] == "http://helpline.test");
  CHECK(config["database"]["path"] == "elsewhere.db");
  CHECK(config["content_dir"] == GATEWAY_SOURCE_DIR);
}

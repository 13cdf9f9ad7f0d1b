#include "gateway/http/static_assets.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include "gateway/http/server.h"
#include "tests/http/running_server.h"

TEST_CASE("the console and the simulator answer at their folder address with and without the slash",
          "[http][static]") {
  gw::metrics::Registry reg;
  gw::http::HttpOptions o;
  o.keep_alive_timeout_s = 1;
  gw::http::HttpServer server(reg, o);
  gw::http::add_static_routes(server, "/console/", "/console", "/console/index.html");
  gw::http::add_static_routes(server, "/simulator/", "/", "/simulator/index.html");
  gw::http::testing::RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  for (const char* page : {"/console/", "/simulator/", "/console/index.html", "/simulator/index.html"}) {
    INFO(page);
    auto r = client.Get(page);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/html; charset=utf-8");
  }
  auto bare = client.Get("/console");
  REQUIRE(bare);
  CHECK(bare->status == 302);
  CHECK(bare->get_header_value("Location") == "/console/index.html");
  auto missing = client.Get("/console/nothing/");
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

#include "gateway/http/static_assets.h"

#include <httplib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

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

TEST_CASE("every script and stylesheet a page names is embedded", "[http][static]") {
  // A page that names an asset missing from GATEWAY_WEB_ASSETS would load without it;
  // the console and the studio sign in through the shared /common/staff.js, before their own script.
  int pages = 0;
  for (const gw::http::EmbeddedFile& f : gw::http::embedded_files()) {
    const std::string path = f.path;
    if (path.size() < 11 || path.substr(path.size() - 11) != "/index.html") continue;
    ++pages;
    const std::string html(f.data, f.size);
    for (const std::string attr : {"src=\"", "href=\"/"}) {
      for (size_t at = html.find(attr); at != std::string::npos; at = html.find(attr, at + 1)) {
        const size_t begin = at + (attr == "src=\"" ? 5 : 6);
        const std::string asset = html.substr(begin, html.find('"', begin) - begin);
        if (asset.empty() || asset.back() == '/') continue;  // a link to a page's folder
        INFO(path << " names " << asset);
        CHECK(gw::http::find_embedded_file(asset) != nullptr);
      }
    }
  }
  CHECK(pages >= 3);
  for (const char* page : {"/console/index.html", "/studio/index.html"}) {
    INFO(page);
    const gw::http::EmbeddedFile* f = gw::http::find_embedded_file(page);
    REQUIRE(f != nullptr);
    const std::string html(f->data, f->size);
    const size_t shared = html.find("<script src=\"/common/staff.js\"");
    const size_t own = html.find("<script src=\"/", shared + 1);
    CHECK(shared != std::string::npos);
    CHECK(own != std::string::npos);
  }
}

TEST_CASE("the chart library the console's statistics load is embedded and served with the strict policy",
          "[http][static]") {
  // stats.js adds the script itself when the statistics view opens, so no page names it.
  const gw::http::EmbeddedFile* stats = gw::http::find_embedded_file("/console/stats.js");
  REQUIRE(stats != nullptr);
  const std::string path = "/vendor/chart.js/chart.umd.js";
  CHECK(std::string(stats->data, stats->size).find("'" + path + "'") != std::string::npos);
  const gw::http::EmbeddedFile* chart = gw::http::find_embedded_file(path);
  REQUIRE(chart != nullptr);
  // The vendored build, with its licence notice kept at the top.
  CHECK(std::string(chart->data, std::min<size_t>(chart->size, 200)).find("Chart.js v4") !=
        std::string::npos);
  CHECK(std::string(chart->data, std::min<size_t>(chart->size, 200)).find("MIT License") !=
        std::string::npos);

  gw::metrics::Registry reg;
  gw::http::HttpServer server(reg, gw::http::HttpOptions{});
  gw::http::add_static_routes(server, "/vendor/", "", "");
  gw::http::testing::RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());
  auto r = client.Get(path);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(r->body.size() == chart->size);
  CHECK(r->get_header_value("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
}

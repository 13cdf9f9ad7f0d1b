// HttpOptions for a gateway HttpServer under test: idle keep-alive connections
// close after 1 s, so that stopping the server at the end of a test does not wait
// for a client's idle connection.
//
//   gw::http::HttpServer server(registry, gw::http::testing::test_options());
#pragma once

#include "gateway/http/server.h"

namespace gw::http::testing {

inline HttpOptions test_options() {
  HttpOptions o;
  o.keep_alive_timeout_s = 1;
  return o;
}

}  // namespace gw::http::testing

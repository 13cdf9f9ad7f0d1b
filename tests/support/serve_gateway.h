// For tests that run the real `gateway serve`: a config that lets the gateway
// pick its own port, and that port read back from its log.
//
// The gateway binds port 0 itself and logs the address it bound in its
// "http.listening" line; a test never picks a free port for it, which another
// process could take between the pick and the bind.
//
//   const std::string config = gw::testing::write_serve_config(dir, {{"channels", ...}});
//   gw::testing::BackgroundProcess serve({GATEWAY_BINARY, "serve", "--config", config});
//   const int port = gw::testing::listening_port(serve);
//   REQUIRE(port > 0);
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"

namespace gw::testing {

// Writes `dir`/gw.json: listening on 127.0.0.1:0, SQLite under `dir`/data, the
// shipped content, and `extra` merged over that (a JSON merge patch: a key of
// `extra` replaces the same key). Returns the file's path.
std::string write_serve_config(const std::string& dir,
                               const nlohmann::json& extra = nlohmann::json::object());

// The port a started `gateway serve` logged in its "http.listening" line, once
// it logs it (within `timeout`); 0 when it exits or the time runs out first.
int listening_port(BackgroundProcess& serve, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Runs `gateway serve --config config` (with `env` added to its environment)
// until it listens, then stops it with SIGTERM: a deployment that served once
// (its database and keys made). True when it listened and exited with 0.
bool serve_once(const std::string& config, const std::vector<std::string>& env = {});

}  // namespace gw::testing

// `gateway serve`: load the configuration, open the store, start the HTTP
// server and the workers, and shut all of it down cleanly on SIGTERM/SIGINT.
#pragma once

#include <string>

namespace gw::cli {

struct ServeOptions {
  std::string config_path;  // empty: the embedded default
};

// Returns the process exit code.
int run_serve(const ServeOptions& options);

}  // namespace gw::cli

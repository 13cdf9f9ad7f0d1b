#include "gateway/cli/serve_command.h"

#include <iostream>

namespace gw::cli {

int run_serve(const ServeOptions&) {
  std::cerr << "gateway serve: being wired\n";
  return 1;
}

}  // namespace gw::cli

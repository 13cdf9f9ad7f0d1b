#include "tests/support/serve_gateway.h"

#include <signal.h>

#include <fstream>

namespace gw::testing {

std::string write_serve_config(const std::string& dir, const nlohmann::json& extra) {
  nlohmann::json config = {{"listen", "127.0.0.1:0"},
                           {"database", {{"path", dir + "/data/gateway.db"}}},
                           {"content_dir", GATEWAY_SOURCE_DIR}};
  config.merge_patch(extra);
  const std::string path = dir + "/gw.json";
  std::ofstream(path) << config.dump();
  return path;
}

int listening_port(BackgroundProcess& serve, std::chrono::milliseconds timeout) {
  const std::string line = serve.wait_for_line("\"event\":\"http.listening\"", timeout);
  const auto entry = nlohmann::json::parse(line, nullptr, false);
  if (!entry.is_object() || !entry.contains("listen") || !entry["listen"].is_string()) return 0;
  // "host:port" or "[v6 host]:port".
  const std::string listen = entry["listen"].get<std::string>();
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return 0;
  try {
    return std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

bool serve_once(const std::string& config, const std::vector<std::string>& env) {
  BackgroundProcess serve({GATEWAY_BINARY, "serve", "--config", config}, env);
  if (listening_port(serve) <= 0) return false;
  serve.signal(SIGTERM);
  return serve.wait(std::chrono::seconds(10)) == 0;
}

}  // namespace gw::testing

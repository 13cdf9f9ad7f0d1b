// Waiting for a server that is starting in another thread or process.
#pragma once

#include <httplib.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

namespace gw::testing {

// GETs `path` until the server answers, for up to ~5 s; returns the last try.
inline httplib::Result get_when_up(httplib::Client& client, const char* path) {
  for (int i = 0; i < 200; ++i) {
    auto res = client.Get(path);
    if (res) return res;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return client.Get(path);
}

// One unlabelled gauge of the server's /metrics, or -1 when it cannot be read.
inline double metric_gauge(httplib::Client& client, const std::string& name) {
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return -1;
  std::istringstream lines(res->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

// Waits up to `within` until the server's intake is empty (gauge
// gateway_intake_depth at 0); true when it is.
inline bool intake_drained(httplib::Client& client, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline && metric_gauge(client, "gateway_intake_depth") != 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return metric_gauge(client, "gateway_intake_depth") == 0;
}

}  // namespace gw::testing

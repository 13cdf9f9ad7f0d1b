// Waiting for a server that is starting in another thread or process.
#pragma once

#include <httplib.h>

#include <chrono>
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

}  // namespace gw::testing

// Login attempts against a LoginThrottle, for its tests.
#pragma once

#include <string>

#include "gateway/security/login_throttle.h"

namespace gw::testing {

// `n` attempts that each fail; returns how many were admitted.
inline int fail_times(LoginThrottle& t, const std::string& user, const std::string& ip, int n) {
  int admitted = 0;
  for (int i = 0; i < n; ++i) {
    auto a = t.begin(user, ip);
    if (!a) continue;
    ++admitted;
    a.failed();
  }
  return admitted;
}

// One attempt that succeeds: false when it was refused.
inline bool succeeds(LoginThrottle& t, const std::string& user, const std::string& ip) {
  auto a = t.begin(user, ip);
  if (!a) return false;
  a.succeeded();
  return true;
}

}  // namespace gw::testing

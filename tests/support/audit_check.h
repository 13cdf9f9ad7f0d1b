// Checking a store's audit log from a test.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "gateway/store/store.h"

namespace gw::testing {

// Whether one of the latest 100 audit entries of `store` records `action` on
// `subject`. REQUIRES the log to be readable.
inline bool audited(Store& store, const std::string& action, const std::string& subject) {
  auto entries = store.list_audit(100);
  REQUIRE(entries.ok());
  for (const auto& e : *entries) {
    if (e.action == action && e.subject == subject) return true;
  }
  return false;
}

}  // namespace gw::testing

// The Store's shared login counts (Store::update_login_throttle and
// prune_login_throttle) as LoginThrottle's LoginThrottleTable, for stores
// shared by several instances.
#pragma once

#include <memory>

#include "gateway/security/login_throttle.h"
#include "gateway/store/store.h"

namespace gw {

// A table over `store` (which must outlive it) when store.keeps_login_throttle(),
// else null: LoginThrottle then counts in memory.
std::unique_ptr<LoginThrottleTable> shared_login_throttle_table(Store& store);

}  // namespace gw

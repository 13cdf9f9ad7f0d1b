#include "gateway/store/login_throttle_table.h"

namespace gw {
namespace {

class StoreLoginThrottleTable final : public LoginThrottleTable {
 public:
  explicit StoreLoginThrottleTable(Store& store) : store_(store) {}

  Status update(const std::string& account, const std::string& address, TimePoint now,
                const std::function<LoginThrottleChange(const LoginThrottleView&)>& decide) override {
    return store_.update_login_throttle(account, address, now, decide);
  }

  Status prune(TimePoint now, TimePoint forget_before, TimePoint refilled_before) override {
    return store_.prune_login_throttle(now, forget_before, refilled_before);
  }

 private:
  Store& store_;
};

}  // namespace

std::unique_ptr<LoginThrottleTable> shared_login_throttle_table(Store& store) {
  if (!store.keeps_login_throttle()) return nullptr;
  return std::make_unique<StoreLoginThrottleTable>(store);
}

}  // namespace gw

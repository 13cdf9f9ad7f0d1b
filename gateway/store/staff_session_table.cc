#include "gateway/store/staff_session_table.h"

#include <utility>

namespace gw {
namespace {

class StoreStaffSessionTable final : public SharedStaffSessionTable {
 public:
  explicit StoreStaffSessionTable(Store& store) : store_(store) {}

  Status put(const std::string& token_hash, const StaffSession& s) override {
    StaffSessionRecord r;
    r.token_hash = token_hash;
    r.account_id = s.account_id;
    r.username = s.username;
    r.role = s.role;
    r.csrf_token = s.csrf_token;
    r.credential = s.credential;
    r.created_at = s.created_at;
    r.last_seen = s.last_seen;
    return store_.put_staff_session(r);
  }

  Result<std::optional<StaffSession>> get(const std::string& token_hash) override {
    auto found = store_.get_staff_session(token_hash);
    if (!found) return found.error();
    if (!*found) return std::optional<StaffSession>();
    StaffSessionRecord& r = **found;
    StaffSession s;
    s.account_id = r.account_id;
    s.username = std::move(r.username);
    s.role = std::move(r.role);
    s.csrf_token = std::move(r.csrf_token);
    s.credential = std::move(r.credential);
    s.created_at = r.created_at;
    s.last_seen = r.last_seen;
    return std::optional<StaffSession>(std::move(s));
  }

  Status set_last_seen(const std::string& token_hash, TimePoint last_seen) override {
    return store_.touch_staff_session(token_hash, last_seen);
  }

  Result<bool> remove(const std::string& token_hash) override {
    return store_.delete_staff_session(token_hash);
  }

  Result<int64_t> remove_for_account(int64_t account_id, const std::string& keep_hash) override {
    return store_.delete_staff_sessions_of_account(account_id, keep_hash);
  }

  Result<int64_t> remove_expired(TimePoint seen_after, TimePoint created_after) override {
    return store_.delete_expired_staff_sessions(seen_after, created_after);
  }

  Result<int64_t> count_live(TimePoint seen_after, TimePoint created_after) override {
    return store_.count_staff_sessions(seen_after, created_after);
  }

  Result<std::vector<int64_t>> live_accounts(TimePoint seen_after, TimePoint created_after) override {
    return store_.staff_session_accounts(seen_after, created_after);
  }

 private:
  Store& store_;
};

}  // namespace

std::unique_ptr<SharedStaffSessionTable> shared_staff_session_table(Store& store) {
  if (!store.keeps_staff_sessions()) return nullptr;
  return std::make_unique<StoreStaffSessionTable>(store);
}

}  // namespace gw

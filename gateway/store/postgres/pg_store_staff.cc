// PgStore: staff (see pg_store_impl.h). Not written yet: every method answers kUnimplemented.
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {

Result<int64_t> PgStore::create_account(const Account& a) {
  return Error::unimplemented("PgStore::create_account");
}

Result<std::optional<Account>> PgStore::find_account(const std::string& username) {
  return Error::unimplemented("PgStore::find_account");
}

Result<std::optional<Account>> PgStore::get_account(int64_t id) {
  return Error::unimplemented("PgStore::get_account");
}

Result<std::vector<Account>> PgStore::list_accounts() {
  return Error::unimplemented("PgStore::list_accounts");
}

Result<int64_t> PgStore::count_accounts() {
  return Error::unimplemented("PgStore::count_accounts");
}

Status PgStore::update_account(const Account& a) {
  return Error::unimplemented("PgStore::update_account");
}

Status PgStore::append_audit(const AuditEntry& e) {
  return Error::unimplemented("PgStore::append_audit");
}

Result<std::vector<AuditEntry>> PgStore::list_audit(int limit) {
  return Error::unimplemented("PgStore::list_audit");
}

}  // namespace gw::pg

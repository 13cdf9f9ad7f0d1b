// SqliteStore: staff accounts and the audit log (see sqlite_store_impl.h).
#include "gateway/store/record_values.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw::sqlite {
namespace {

constexpr const char* kAccountColumns =
    "id, username, password_hash, role, disabled, created_at, languages, queues, capacity, "
    "must_change_password, reviewer";

Account read_account(const Statement& st) {
  Account a;
  a.id = st.int64(0);
  a.username = st.text(1);
  a.password_hash = st.text(2);
  a.role = st.text(3);
  a.disabled = st.int64(4) != 0;
  a.created_at = from_unix_ms(st.int64(5));
  a.languages = split_list(st.text(6));
  a.queues = split_list(st.text(7));
  a.capacity = static_cast<int>(st.int64(8));
  a.must_change_password = st.int64(9) != 0;
  a.reviewer = st.int64(10) != 0;
  return a;
}

}  // namespace

Result<int64_t> SqliteStore::create_account(const Account& a) {
  if (Status s = check_account(a); !s) return s.error();
  if (a.username.empty()) return Error::invalid("account needs a username");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  const Status inserted = db_.run(
      "INSERT INTO accounts (username, password_hash, role, disabled, created_at, languages, queues,"
      " capacity, must_change_password, reviewer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
      a.username, a.password_hash, a.role, a.disabled, to_unix_ms(or_now(a.created_at)),
      join_list(a.languages), join_list(a.queues), a.capacity, a.must_change_password, a.reviewer);
  if (!inserted) {
    if (inserted.error().code == ErrorCode::kAlreadyExists) {
      return Error::exists("username is taken: " + a.username);
    }
    return inserted.error();
  }
  return db_.last_insert_rowid();
}

Result<std::optional<Account>> SqliteStore::find_account(const std::string& username) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  return db_.query_one(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE username = ?1",
                       read_account, username);
}

Result<std::optional<Account>> SqliteStore::get_account(int64_t id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  return db_.query_one(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?1",
                       read_account, id);
}

Result<std::vector<Account>> SqliteStore::list_accounts() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<Account> out;
  const Status listed = db_.query(std::string("SELECT ") + kAccountColumns + " FROM accounts ORDER BY id",
                                  [&](const Statement& st) { out.push_back(read_account(st)); });
  if (!listed) return listed.error();
  return out;
}

Result<int64_t> SqliteStore::count_accounts() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto count = db_.query_one("SELECT COUNT(*) FROM accounts", scalar_int64);
  if (!count) return count.error();
  return count->value_or(0);
}

Status SqliteStore::update_account(const Account& a) {
  if (Status s = check_account(a); !s) return s;
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status updated = db_.run(
      "UPDATE accounts SET password_hash = ?2, role = ?3, disabled = ?4, languages = ?5, queues = ?6,"
      " capacity = ?7, must_change_password = ?8, reviewer = ?9 WHERE id = ?1",
      a.id, a.password_hash, a.role, a.disabled, join_list(a.languages), join_list(a.queues), a.capacity,
      a.must_change_password, a.reviewer);
  if (!updated) return updated;
  if (db_.changes() == 0) return Error::not_found("no account " + std::to_string(a.id));
  return {};
}

Status SqliteStore::append_audit_locked(const AuditEntry& e) {
  return db_.run(
      "INSERT INTO audit_log (at, actor, action, subject, detail_json) VALUES (?1, ?2, ?3, ?4, ?5)",
      to_unix_ms(or_now(e.at)), e.actor, e.action, e.subject,
      e.detail_json.empty() ? std::string("{}") : e.detail_json);
}

Status SqliteStore::append_audit(const AuditEntry& e) {
  if (e.action.empty()) return Error::invalid("audit entry needs an action");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  return append_audit_locked(e);
}

Result<std::vector<AuditEntry>> SqliteStore::list_audit(int limit) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<AuditEntry> out;
  const Status listed = db_.query(
      "SELECT id, at, actor, action, subject, detail_json FROM audit_log ORDER BY id DESC LIMIT ?1",
      [&](const Statement& st) {
        AuditEntry e;
        e.id = st.int64(0);
        e.at = from_unix_ms(st.int64(1));
        e.actor = st.text(2);
        e.action = st.text(3);
        e.subject = st.text(4);
        e.detail_json = st.text(5);
        out.push_back(std::move(e));
      },
      limit);
  if (!listed) return listed.error();
  return out;
}

}  // namespace gw::sqlite

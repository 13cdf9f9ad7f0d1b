// PgStore: staff accounts and the audit log (see pg_store_impl.h), as the
// SQLite backend's. Usernames are unique when ASCII letters are folded to lower
// case (the accounts_username_nocase index on lower(username COLLATE "C"), as
// SQLite's COLLATE NOCASE); look-ups compare the same expression, so they use
// that index. The audit log is append-only by the schema's triggers.
#include "gateway/store/postgres/pg_store_impl.h"
#include "gateway/store/record_values.h"

namespace gw::pg {
namespace {

constexpr const char* kSelectAccounts =
    "SELECT id, username, password_hash, role, disabled, created_at, languages, queues, capacity, "
    "must_change_password, reviewer FROM accounts ";

Account read_account(const PgRow& row) {
  Account a;
  a.id = row.int64(0);
  a.username = row.text(1);
  a.password_hash = row.text(2);
  a.role = row.text(3);
  a.disabled = row.boolean(4);
  a.created_at = from_unix_ms(row.int64(5));
  a.languages = split_list(row.text(6));
  a.queues = split_list(row.text(7));
  a.capacity = static_cast<int>(row.int64(8));
  a.must_change_password = row.boolean(9);
  a.reviewer = row.boolean(10);
  return a;
}

}  // namespace

Result<int64_t> PgStore::create_account(const Account& a) {
  if (Status s = check_account(a); !s) return s.error();
  if (a.username.empty()) return Error::invalid("account needs a username");
  const int64_t created_at = to_unix_ms(or_now(a.created_at));
  return with([&](Connection& c) -> Result<int64_t> {
    auto id = c.query_one(
        "INSERT INTO accounts (username, password_hash, role, disabled, created_at, languages, queues,"
        " capacity, must_change_password, reviewer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " RETURNING id",
        [](const PgRow& row) { return row.int64(0); }, a.username, a.password_hash, a.role, a.disabled,
        created_at, join_list(a.languages), join_list(a.queues), static_cast<int32_t>(a.capacity),
        a.must_change_password, a.reviewer);
    if (!id) {
      if (id.error().code == ErrorCode::kAlreadyExists) {
        return Error::exists("username is taken: " + a.username);
      }
      return id.error();
    }
    if (!*id) return Error::internal("INSERT INTO accounts returned no id");
    return **id;
  });
}

Result<std::optional<Account>> PgStore::find_account(const std::string& username) {
  return with([&](Connection& c) {
    return c.query_one(
        std::string(kSelectAccounts) + "WHERE lower(username COLLATE \"C\") = lower($1::text COLLATE \"C\")",
        read_account, username);
  });
}

Result<std::optional<Account>> PgStore::get_account(int64_t id) {
  return with([&](Connection& c) {
    return c.query_one(std::string(kSelectAccounts) + "WHERE id = $1", read_account, id);
  });
}

Result<std::vector<Account>> PgStore::list_accounts() {
  return with([&](Connection& c) -> Result<std::vector<Account>> {
    std::vector<Account> out;
    const Status listed = c.query(std::string(kSelectAccounts) + "ORDER BY id",
                                  [&](const PgRow& row) { out.push_back(read_account(row)); });
    if (!listed) return listed.error();
    return out;
  });
}

Result<int64_t> PgStore::count_accounts() {
  return with([&](Connection& c) -> Result<int64_t> {
    auto count = c.query_one("SELECT COUNT(*) FROM accounts", [](const PgRow& row) { return row.int64(0); });
    if (!count) return count.error();
    return count->value_or(0);
  });
}

Status PgStore::update_account(const Account& a) {
  if (Status s = check_account(a); !s) return s;
  return with([&](Connection& c) -> Status {
    auto updated = c.run(
        "UPDATE accounts SET password_hash = $2, role = $3, disabled = $4, languages = $5, queues = $6,"
        " capacity = $7, must_change_password = $8, reviewer = $9 WHERE id = $1",
        a.id, a.password_hash, a.role, a.disabled, join_list(a.languages), join_list(a.queues),
        static_cast<int32_t>(a.capacity), a.must_change_password, a.reviewer);
    if (!updated) return updated.error();
    if (*updated == 0) return Error::not_found("no account " + std::to_string(a.id));
    return {};
  });
}

Status PgStore::append_audit(const AuditEntry& e) {
  if (e.action.empty()) return Error::invalid("audit entry needs an action");
  const int64_t at = to_unix_ms(or_now(e.at));
  return with([&](Connection& c) -> Status {
    auto inserted =
        c.run("INSERT INTO audit_log (at, actor, action, subject, detail_json) VALUES ($1, $2, $3, $4, $5)",
              at, e.actor, e.action, e.subject, e.detail_json.empty() ? std::string("{}") : e.detail_json);
    if (!inserted) return inserted.error();
    return {};
  });
}

Result<std::vector<AuditEntry>> PgStore::list_audit(int limit) {
  // SQLite reads a negative LIMIT as no limit; PostgreSQL refuses it (NULL is none).
  const std::optional<int64_t> bound =
      limit < 0 ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(limit));
  return with([&](Connection& c) -> Result<std::vector<AuditEntry>> {
    std::vector<AuditEntry> out;
    const Status listed = c.query(
        "SELECT id, at, actor, action, subject, detail_json FROM audit_log ORDER BY id DESC"
        " LIMIT $1::bigint",
        [&](const PgRow& row) {
          AuditEntry e;
          e.id = row.int64(0);
          e.at = from_unix_ms(row.int64(1));
          e.actor = row.text(2);
          e.action = row.text(3);
          e.subject = row.text(4);
          e.detail_json = row.text(5);
          out.push_back(std::move(e));
        },
        bound);
    if (!listed) return listed.error();
    return out;
  });
}

}  // namespace gw::pg

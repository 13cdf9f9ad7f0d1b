// PgStore: staff login sessions shared by the instances (see pg_store_impl.h
// and Store::put_staff_session), in table staff_sessions. Rows are keyed by
// SHA-256 of the cookie token, never the token; the CSRF token is sealed with
// associated data "staff_sessions.csrf_token". Each method is one statement.
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {
namespace {

constexpr size_t kTokenHashBytes = 32;  // SHA-256

Status check_token_hash(const std::string& token_hash) {
  if (token_hash.size() != kTokenHashBytes)
    return Error::invalid("a staff session is keyed by SHA-256 bytes");
  return {};
}

}  // namespace

Status PgStore::put_staff_session(const StaffSessionRecord& s) {
  if (Status st = check_token_hash(s.token_hash); !st) return st;
  auto sealed = seal(s.csrf_token, "staff_sessions.csrf_token");
  if (!sealed) return sealed.error();
  const int64_t created_at = to_unix_ms(or_now(s.created_at));
  const int64_t last_seen = s.last_seen == TimePoint{} ? created_at : to_unix_ms(s.last_seen);
  return with([&](Connection& c) -> Status {
    // Through the account's row, so that an unknown account is kNotFound.
    auto n = c.run(
        "INSERT INTO staff_sessions (token_hash, account_id, username, role, csrf_token, credential,"
        " created_at, last_seen) SELECT $1, id, $3, $4, $5, $6, $7, $8 FROM accounts WHERE id = $2",
        Bytea{s.token_hash}, s.account_id, s.username, s.role, Bytea{*sealed}, s.credential, created_at,
        last_seen);
    if (!n) return n.error();
    if (*n == 0) return Error::not_found("account " + std::to_string(s.account_id) + " not found");
    return {};
  });
}

Result<std::optional<StaffSessionRecord>> PgStore::get_staff_session(const std::string& token_hash) {
  if (Status st = check_token_hash(token_hash); !st) return st.error();
  return with([&](Connection& c) {
    return c.query_one(
        "SELECT account_id, username, role, csrf_token, credential, created_at, last_seen"
        " FROM staff_sessions WHERE token_hash = $1",
        [&](const PgRow& row) -> Result<StaffSessionRecord> {
          StaffSessionRecord r;
          r.token_hash = token_hash;
          r.account_id = row.int64(0);
          r.username = row.text(1);
          r.role = row.text(2);
          auto csrf = open(row.bytes(3), "staff_sessions.csrf_token", r.account_id);
          if (!csrf) return csrf.error();
          r.csrf_token = std::move(*csrf);
          r.credential = row.text(4);
          r.created_at = from_unix_ms(row.int64(5));
          r.last_seen = from_unix_ms(row.int64(6));
          return r;
        },
        Bytea{token_hash});
  });
}

Status PgStore::touch_staff_session(const std::string& token_hash, TimePoint last_seen) {
  if (Status st = check_token_hash(token_hash); !st) return st;
  return with([&](Connection& c) -> Status {
    auto n = c.run("UPDATE staff_sessions SET last_seen = $2 WHERE token_hash = $1 AND last_seen < $2",
                   Bytea{token_hash}, to_unix_ms(last_seen));
    if (!n) return n.error();
    return {};
  });
}

Result<bool> PgStore::delete_staff_session(const std::string& token_hash) {
  if (Status st = check_token_hash(token_hash); !st) return st.error();
  return with([&](Connection& c) -> Result<bool> {
    auto n = c.run("DELETE FROM staff_sessions WHERE token_hash = $1", Bytea{token_hash});
    if (!n) return n.error();
    return *n > 0;
  });
}

Result<int64_t> PgStore::delete_staff_sessions_of_account(int64_t account_id,
                                                          const std::string& keep_token_hash) {
  return with([&](Connection& c) {
    return c.run("DELETE FROM staff_sessions WHERE account_id = $1 AND token_hash <> $2", account_id,
                 Bytea{keep_token_hash});
  });
}

Result<int64_t> PgStore::delete_expired_staff_sessions(TimePoint seen_after, TimePoint created_after) {
  return with([&](Connection& c) {
    return c.run("DELETE FROM staff_sessions WHERE last_seen <= $1 OR created_at <= $2",
                 to_unix_ms(seen_after), to_unix_ms(created_after));
  });
}

Result<int64_t> PgStore::count_staff_sessions(TimePoint seen_after, TimePoint created_after) {
  return with([&](Connection& c) -> Result<int64_t> {
    auto n = c.query_one(
        "SELECT count(*) FROM staff_sessions WHERE last_seen > $1 AND created_at > $2",
        [](const PgRow& row) { return row.int64(0); }, to_unix_ms(seen_after), to_unix_ms(created_after));
    if (!n) return n.error();
    return n->value_or(0);
  });
}

Result<std::vector<int64_t>> PgStore::staff_session_accounts(TimePoint seen_after, TimePoint created_after) {
  return with([&](Connection& c) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> ids;
    Status st = c.query(
        "SELECT DISTINCT account_id FROM staff_sessions WHERE last_seen > $1 AND created_at > $2"
        " ORDER BY account_id",
        [&](const PgRow& row) { ids.push_back(row.int64(0)); }, to_unix_ms(seen_after),
        to_unix_ms(created_after));
    if (!st) return st.error();
    return ids;
  });
}

}  // namespace gw::pg

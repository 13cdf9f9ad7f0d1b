// PgStore: staff login sessions shared by the instances (see pg_store_impl.h
// and Store::put_staff_session), in table staff_sessions. Rows are keyed by
// SHA-256 of the cookie token, never the token; the CSRF token is sealed with
// associated data "staff_sessions.csrf_token". Each method is one statement.
//
// And login throttling's counts (Store::update_login_throttle), in tables
// login_accounts, login_addresses, login_failures and login_known_good, keyed
// by SHA-256 of the account and the address.
#include "gateway/core/digest.h"
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {
namespace {

constexpr size_t kTokenHashBytes = 32;  // SHA-256
constexpr int64_t kMaxKnownGoodPairs = 10000;

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

// ---- Login throttling ----

Status PgStore::update_login_throttle(
    const std::string& account, const std::string& address, TimePoint now,
    const std::function<LoginThrottleChange(const LoginThrottleView&)>& decide) {
  const std::string account_key = sha256(account);
  const std::string address_key = address.empty() ? std::string() : sha256(address);
  std::string pair = account;
  pair += '\n';
  pair += address;
  const std::string pair_key = sha256(pair);
  const int64_t now_ms = to_unix_ms(now);
  const int64_t this_second = now_ms / 1000;
  return with([&](Connection& c) -> Status {
    auto tx = Transaction::begin(c);
    if (!tx) return tx.error();
    LoginThrottleView v;
    // The account's row, made if missing so that it can be locked: every
    // instance's attempt at this account waits here until this one is stored.
    if (auto n = c.run("INSERT INTO login_accounts (key) VALUES ($1) ON CONFLICT (key) DO NOTHING",
                       Bytea{account_key});
        !n)
      return n.error();
    auto acc = c.query_one(
        "SELECT failures, in_flight, in_flight_until, last_failure, next_allowed FROM login_accounts"
        " WHERE key = $1 FOR UPDATE",
        [](const PgRow& row) {
          LoginAccountCounts a;
          a.failures = static_cast<int>(row.int64(0));
          a.in_flight = static_cast<int>(row.int64(1));
          a.in_flight_until = from_unix_ms(row.int64(2));
          a.last_failure = from_unix_ms(row.int64(3));
          a.next_allowed = from_unix_ms(row.int64(4));
          return a;
        },
        Bytea{account_key});
    if (!acc) return acc.error();
    if (*acc) v.account = **acc;
    if (!address.empty()) {
      if (auto n = c.run("INSERT INTO login_addresses (key) VALUES ($1) ON CONFLICT (key) DO NOTHING",
                         Bytea{address_key});
          !n)
        return n.error();
      auto addr = c.query_one(
          "SELECT tokens, refilled, in_flight, in_flight_until FROM login_addresses WHERE key = $1 FOR "
          "UPDATE",
          [](const PgRow& row) {
            LoginAddressCounts a;
            a.tokens = row.float64(0);
            a.refilled = from_unix_ms(row.int64(1));
            a.in_flight = static_cast<int>(row.int64(2));
            a.in_flight_until = from_unix_ms(row.int64(3));
            return a;
          },
          Bytea{address_key});
      if (!addr) return addr.error();
      if (*addr) v.address = **addr;
    }
    auto good = c.query_one(
        "SELECT until FROM login_known_good WHERE pair = $1", [](const PgRow& row) { return row.int64(0); },
        Bytea{pair_key});
    if (!good) return good.error();
    if (*good) v.known_good_until = from_unix_ms(**good);
    if (Status st = c.query(
            "SELECT second, failures FROM login_failures WHERE second > $1 AND second <= $2",
            [&](const PgRow& row) {
              v.failures_by_second.emplace_back(row.int64(0), static_cast<int>(row.int64(1)));
            },
            this_second - 60, this_second);
        !st)
      return st;
    auto flying = c.query_one(
        "SELECT COALESCE(SUM(in_flight), 0)::BIGINT FROM login_accounts WHERE in_flight > 0 AND "
        "in_flight_until > $1",
        [](const PgRow& row) { return row.int64(0); }, now_ms);
    if (!flying) return flying.error();
    v.in_flight_everywhere = static_cast<int>(flying->value_or(0));

    const LoginThrottleChange change = decide(v);

    if (change.forget_account) {
      if (auto n = c.run("DELETE FROM login_accounts WHERE key = $1", Bytea{account_key}); !n)
        return n.error();
    } else if (change.account) {
      const LoginAccountCounts& a = *change.account;
      if (auto n =
              c.run("UPDATE login_accounts SET failures = $2, in_flight = $3, in_flight_until = $4, "
                    "last_failure = $5,"
                    " next_allowed = $6 WHERE key = $1",
                    Bytea{account_key}, static_cast<int64_t>(a.failures), static_cast<int64_t>(a.in_flight),
                    to_unix_ms(a.in_flight_until), to_unix_ms(a.last_failure), to_unix_ms(a.next_allowed));
          !n)
        return n.error();
    }
    if (change.address && !address.empty()) {
      const LoginAddressCounts& a = *change.address;
      if (auto n = c.run(
              "UPDATE login_addresses SET tokens = $2, refilled = $3, in_flight = $4, in_flight_until = $5"
              " WHERE key = $1",
              Bytea{address_key}, a.tokens, to_unix_ms(a.refilled), static_cast<int64_t>(a.in_flight),
              to_unix_ms(a.in_flight_until));
          !n)
        return n.error();
    }
    if (change.add_failure) {
      if (auto n = c.run("INSERT INTO login_failures (second, failures) VALUES ($1, 1)"
                         " ON CONFLICT (second) DO UPDATE SET failures = login_failures.failures + 1",
                         this_second);
          !n)
        return n.error();
    }
    if (change.known_good_until != TimePoint{}) {
      // At most kMaxKnownGood pairs: a new one only while there is room.
      if (auto n = c.run("INSERT INTO login_known_good (pair, until) SELECT $1, $2"
                         " WHERE EXISTS (SELECT 1 FROM login_known_good WHERE pair = $1)"
                         " OR (SELECT count(*) FROM login_known_good) < $3"
                         " ON CONFLICT (pair) DO UPDATE SET until = EXCLUDED.until",
                         Bytea{pair_key}, to_unix_ms(change.known_good_until), kMaxKnownGoodPairs);
          !n)
        return n.error();
    }
    return tx->commit();
  });
}

Status PgStore::prune_login_throttle(TimePoint now, TimePoint forget_before, TimePoint refilled_before) {
  const int64_t now_ms = to_unix_ms(now);
  return with([&](Connection& c) -> Status {
    // SKIP LOCKED: a row an attempt holds is in use, not stale.
    if (auto n = c.run(
            "DELETE FROM login_accounts WHERE key IN (SELECT key FROM login_accounts"
            " WHERE (in_flight = 0 OR in_flight_until <= $1) AND next_allowed <= $1 AND last_failure <= $2"
            " FOR UPDATE SKIP LOCKED)",
            now_ms, to_unix_ms(forget_before));
        !n)
      return n.error();
    if (auto n = c.run(
            "DELETE FROM login_addresses WHERE key IN (SELECT key FROM login_addresses"
            " WHERE (in_flight = 0 OR in_flight_until <= $1) AND refilled <= $2 FOR UPDATE SKIP LOCKED)",
            now_ms, to_unix_ms(refilled_before));
        !n)
      return n.error();
    if (auto n = c.run("DELETE FROM login_failures WHERE second <= $1", now_ms / 1000 - 60); !n)
      return n.error();
    if (auto n = c.run("DELETE FROM login_known_good WHERE until <= $1", now_ms); !n) return n.error();
    return {};
  });
}

}  // namespace gw::pg

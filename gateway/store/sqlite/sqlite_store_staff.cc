// SqliteStore: handovers, staff accounts and the audit log (see sqlite_store_impl.h).
#include "gateway/store/record_values.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw::sqlite {
namespace {

std::optional<int64_t> optional_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_unix_ms(*t);
}

std::optional<TimePoint> optional_time(const Statement& st, int col) {
  auto v = st.optional_int64(col);
  if (!v) return std::nullopt;
  return from_unix_ms(*v);
}

Status check_handover(const Handover& h) {
  if (!is_handover_priority(h.priority))
    return Error::invalid("unknown handover priority '" + h.priority + "'");
  if (!is_handover_state(h.state)) return Error::invalid("unknown handover state '" + h.state + "'");
  return {};
}

}  // namespace

Result<int64_t> SqliteStore::create_handover(const Handover& h) {
  if (Status s = check_handover(h); !s) return s.error();
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto sealed = seal(h.reason, "handovers.reason");
  if (!sealed) return sealed.error();
  auto st = db_.prepare(
      "INSERT INTO handovers (conversation_id, contact_id, queue, priority, language, reason, state, "
      "operator_id,"
      " created_at, assigned_at, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!st) return st.error();
  st->bind(1, h.conversation_id)
      .bind(2, h.contact_id)
      .bind(3, h.queue)
      .bind(4, h.priority)
      .bind(5, h.language);
  st->bind(6, Blob{*sealed})
      .bind(7, h.state)
      .bind(8, h.operator_id)
      .bind(9, to_unix_ms(or_now(h.created_at)));
  st->bind(10, optional_ms(h.assigned_at)).bind(11, optional_ms(h.closed_at));
  if (Status s = st->run(); !s) return s.error();
  return db_.last_insert_rowid();
}

Result<std::optional<Handover>> SqliteStore::active_handover(int64_t conversation_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare(
      "SELECT id, conversation_id, contact_id, queue, priority, language, reason, state, operator_id, "
      "created_at,"
      " assigned_at, closed_at FROM handovers WHERE conversation_id = ?1 AND state <> 'closed'"
      " ORDER BY id DESC LIMIT 1");
  if (!st) return st.error();
  st->bind(1, conversation_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Handover>();
  Handover h;
  h.id = st->int64(0);
  h.conversation_id = st->int64(1);
  h.contact_id = st->int64(2);
  h.queue = st->text(3);
  h.priority = st->text(4);
  h.language = st->text(5);
  auto reason = open(st->blob(6), "handovers.reason", h.id);
  if (!reason) return reason.error();
  h.reason = std::move(*reason);
  h.state = st->text(7);
  h.operator_id = st->optional_int64(8);
  h.created_at = from_unix_ms(st->int64(9));
  h.assigned_at = optional_time(*st, 10);
  h.closed_at = optional_time(*st, 11);
  return std::optional<Handover>(std::move(h));
}

Status SqliteStore::update_handover(const Handover& h) {
  if (Status s = check_handover(h); !s) return s;
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto sealed = seal(h.reason, "handovers.reason");
  if (!sealed) return sealed.error();
  auto st = db_.prepare(
      "UPDATE handovers SET queue = ?2, priority = ?3, language = ?4, reason = ?5, state = ?6, operator_id = "
      "?7,"
      " assigned_at = ?8, closed_at = ?9 WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, h.id).bind(2, h.queue).bind(3, h.priority).bind(4, h.language).bind(5, Blob{*sealed});
  st->bind(6, h.state).bind(7, h.operator_id).bind(8, optional_ms(h.assigned_at));
  st->bind(9, optional_ms(h.closed_at));
  if (Status s = st->run(); !s) return s;
  if (db_.changes() == 0) return Error::not_found("no handover " + std::to_string(h.id));
  return {};
}

namespace {

// Account lists are stored as comma-separated text; an item holding a comma
// (or empty) could not come back as it went in, so it is refused.
Status check_account(const Account& a) {
  if (!is_account_role(a.role)) return Error::invalid("unknown account role '" + a.role + "'");
  if (a.capacity < 0) return Error::invalid("account capacity must not be negative");
  for (const auto* list : {&a.languages, &a.queues}) {
    for (const std::string& item : *list) {
      if (item.empty() || item.find(',') != std::string::npos)
        return Error::invalid("account languages and queues must be non-empty names without commas");
    }
  }
  return {};
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

constexpr const char* kAccountColumns =
    "id, username, password_hash, role, disabled, created_at, languages, queues, capacity, "
    "must_change_password";

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
  return a;
}

}  // namespace

Result<int64_t> SqliteStore::create_account(const Account& a) {
  if (Status s = check_account(a); !s) return s.error();
  if (a.username.empty()) return Error::invalid("account needs a username");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare(
      "INSERT INTO accounts (username, password_hash, role, disabled, created_at, languages, queues, capacity,"
      " must_change_password) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!st) return st.error();
  st->bind(1, a.username).bind(2, a.password_hash).bind(3, a.role).bind(4, a.disabled);
  st->bind(5, to_unix_ms(or_now(a.created_at))).bind(6, join_list(a.languages)).bind(7, join_list(a.queues));
  st->bind(8, a.capacity).bind(9, a.must_change_password);
  if (Status s = st->run(); !s) {
    if (s.error().code == ErrorCode::kAlreadyExists) return Error::exists("username is taken: " + a.username);
    return s.error();
  }
  return db_.last_insert_rowid();
}

Result<std::optional<Account>> SqliteStore::find_account(const std::string& username) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE username = ?1");
  if (!st) return st.error();
  st->bind(1, username);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Account>();
  return std::optional<Account>(read_account(*st));
}

Result<std::optional<Account>> SqliteStore::get_account(int64_t id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Account>();
  return std::optional<Account>(read_account(*st));
}

Result<std::vector<Account>> SqliteStore::list_accounts() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts ORDER BY id");
  if (!st) return st.error();
  std::vector<Account> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_account(*st));
  }
  return out;
}

Result<int64_t> SqliteStore::count_accounts() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto st = db_.prepare("SELECT COUNT(*) FROM accounts");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return int64_t{0};
  return st->int64(0);
}

Status SqliteStore::update_account(const Account& a) {
  if (Status s = check_account(a); !s) return s;
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto st = db_.prepare(
      "UPDATE accounts SET password_hash = ?2, role = ?3, disabled = ?4, languages = ?5, queues = ?6,"
      " capacity = ?7, must_change_password = ?8 WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, a.id).bind(2, a.password_hash).bind(3, a.role).bind(4, a.disabled);
  st->bind(5, join_list(a.languages)).bind(6, join_list(a.queues)).bind(7, a.capacity);
  st->bind(8, a.must_change_password);
  if (Status s = st->run(); !s) return s;
  if (db_.changes() == 0) return Error::not_found("no account " + std::to_string(a.id));
  return {};
}

Status SqliteStore::append_audit_locked(const AuditEntry& e) {
  auto st = db_.prepare(
      "INSERT INTO audit_log (at, actor, action, subject, detail_json) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return st.error();
  st->bind(1, to_unix_ms(or_now(e.at))).bind(2, e.actor).bind(3, e.action).bind(4, e.subject);
  st->bind(5, e.detail_json.empty() ? std::string("{}") : e.detail_json);
  return st->run();
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
  auto st = db_.prepare(
      "SELECT id, at, actor, action, subject, detail_json FROM audit_log ORDER BY id DESC LIMIT ?1");
  if (!st) return st.error();
  st->bind(1, limit);
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    AuditEntry e;
    e.id = st->int64(0);
    e.at = from_unix_ms(st->int64(1));
    e.actor = st->text(2);
    e.action = st->text(3);
    e.subject = st->text(4);
    e.detail_json = st->text(5);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gw::sqlite

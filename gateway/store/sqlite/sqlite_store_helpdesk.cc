// SqliteStore: handovers (creating them, the open queue, atomic assignment,
// transfer, closing, service times) and operators' notes (see
// sqlite_store_impl.h). Assignment is one conditional UPDATE, so two operators
// taking the same conversation at once cannot both get it.
#include "gateway/store/record_values.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw::sqlite {
namespace {

constexpr const char* kHandoverColumns =
    "SELECT id, conversation_id, contact_id, queue, priority, language, reason, state, operator_id, "
    "created_at,"
    " assigned_at, closed_at, first_response_at, reassured_at, closed_by FROM handovers ";

Status check_handover(const Handover& h) {
  if (!is_handover_priority(h.priority))
    return Error::invalid("unknown handover priority '" + h.priority + "'");
  if (!is_handover_state(h.state)) return Error::invalid("unknown handover state '" + h.state + "'");
  return {};
}

}  // namespace

Result<Handover> SqliteStore::read_handover(const Statement& st) const {
  Handover h;
  h.id = st.int64(0);
  h.conversation_id = st.int64(1);
  h.contact_id = st.int64(2);
  h.queue = st.text(3);
  h.priority = st.text(4);
  h.language = st.text(5);
  auto reason = open(st.blob(6), "handovers.reason", h.id);
  if (!reason) return reason.error();
  h.reason = std::move(*reason);
  h.state = st.text(7);
  h.operator_id = st.optional_int64(8);
  h.created_at = from_unix_ms(st.int64(9));
  h.assigned_at = optional_time(st, 10);
  h.closed_at = optional_time(st, 11);
  h.first_response_at = optional_time(st, 12);
  h.reassured_at = optional_time(st, 13);
  h.closed_by = st.optional_int64(14);
  return h;
}

Result<int64_t> SqliteStore::create_handover(const Handover& h) {
  if (Status s = check_handover(h); !s) return s.error();
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto sealed = seal(h.reason, "handovers.reason");
  if (!sealed) return sealed.error();
  const Status inserted = db_.run(
      "INSERT INTO handovers (conversation_id, contact_id, queue, priority, language, reason, state, "
      "operator_id,"
      " created_at, assigned_at, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      h.conversation_id, h.contact_id, h.queue, h.priority, h.language, Blob{*sealed}, h.state, h.operator_id,
      to_unix_ms(or_now(h.created_at)), optional_ms(h.assigned_at), optional_ms(h.closed_at));
  if (!inserted) return inserted.error();
  return db_.last_insert_rowid();
}

Result<std::optional<Handover>> SqliteStore::active_handover(int64_t conversation_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  return db_.query_one(
      std::string(kHandoverColumns) +
          "WHERE conversation_id = ?1 AND state <> 'closed' ORDER BY id DESC LIMIT 1",
      [this](const Statement& st) { return read_handover(st); }, conversation_id);
}

Status SqliteStore::update_handover(const Handover& h) {
  if (Status s = check_handover(h); !s) return s;
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto sealed = seal(h.reason, "handovers.reason");
  if (!sealed) return sealed.error();
  const Status updated = db_.run(
      "UPDATE handovers SET queue = ?2, priority = ?3, language = ?4, reason = ?5, state = ?6, operator_id = "
      "?7,"
      " assigned_at = ?8, closed_at = ?9 WHERE id = ?1",
      h.id, h.queue, h.priority, h.language, Blob{*sealed}, h.state, h.operator_id,
      optional_ms(h.assigned_at), optional_ms(h.closed_at));
  if (!updated) return updated;
  if (db_.changes() == 0) return Error::not_found("no handover " + std::to_string(h.id));
  return {};
}

Result<std::vector<Handover>> SqliteStore::list_open_handovers() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<Handover> out;
  const Status listed =
      db_.query(std::string(kHandoverColumns) + "WHERE state <> 'closed' ORDER BY created_at, id",
                [&](const Statement& st) -> Status {
                  auto h = read_handover(st);
                  if (!h) return h.error();
                  out.push_back(std::move(*h));
                  return {};
                });
  if (!listed) return listed.error();
  return out;
}

Result<Handover> SqliteStore::get_handover(int64_t id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto h = db_.query_one(
      std::string(kHandoverColumns) + "WHERE id = ?1",
      [this](const Statement& st) { return read_handover(st); }, id);
  if (!h) return h.error();
  if (!*h) return Error::not_found("no handover " + std::to_string(id));
  return std::move(**h);
}

Result<bool> SqliteStore::assign_handover(int64_t id, int64_t operator_id, TimePoint now, bool force) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  const Status assigned = db_.run(
      force ? "UPDATE handovers SET state = 'assigned', operator_id = ?2, assigned_at = ?3"
              " WHERE id = ?1 AND (state = 'waiting' OR (state = 'assigned' AND operator_id IS NOT ?2))"
            : "UPDATE handovers SET state = 'assigned', operator_id = ?2, assigned_at = ?3"
              " WHERE id = ?1 AND state = 'waiting'",
      id, operator_id, to_unix_ms(now));
  if (!assigned) return assigned.error();
  return db_.changes() > 0;
}

Status SqliteStore::transfer_handover(int64_t id, const std::string& queue,
                                      std::optional<int64_t> operator_id, TimePoint now) {
  if (queue.empty()) return Error::invalid("a handover needs a queue");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status transferred = db_.run(
      "UPDATE handovers SET queue = ?2, operator_id = ?3,"
      " state = CASE WHEN ?3 IS NULL THEN 'waiting' ELSE 'assigned' END,"
      " assigned_at = CASE WHEN ?3 IS NULL THEN assigned_at ELSE ?4 END"
      " WHERE id = ?1 AND state <> 'closed'",
      id, queue, operator_id, to_unix_ms(now));
  if (!transferred) return transferred;
  if (db_.changes() == 0) return Error::not_found("no open handover " + std::to_string(id));
  return {};
}

Status SqliteStore::close_handover(int64_t id, int64_t by, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status closed = db_.run(
      "UPDATE handovers SET state = 'closed', closed_at = ?2, closed_by = ?3 WHERE id = ?1 AND state <> "
      "'closed'",
      id, to_unix_ms(now), by);
  if (!closed) return closed;
  if (db_.changes() == 0) return Error::not_found("no open handover " + std::to_string(id));
  return {};
}

Result<bool> SqliteStore::set_first_response(int64_t id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  const Status set =
      db_.run("UPDATE handovers SET first_response_at = ?2 WHERE id = ?1 AND first_response_at IS NULL", id,
              to_unix_ms(now));
  if (!set) return set.error();
  return db_.changes() > 0;
}

Status SqliteStore::set_reassured(int64_t id, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  const Status set = db_.run("UPDATE handovers SET reassured_at = ?2 WHERE id = ?1", id, to_unix_ms(now));
  if (!set) return set;
  if (db_.changes() == 0) return Error::not_found("no handover " + std::to_string(id));
  return {};
}

Result<int64_t> SqliteStore::add_note(int64_t conversation_id, int64_t contact_id,
                                      std::optional<int64_t> account_id, const std::string& body,
                                      TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto sealed = seal(body, "notes.body");
  if (!sealed) return sealed.error();
  const Status inserted = db_.run(
      "INSERT INTO notes (conversation_id, contact_id, account_id, body, created_at) VALUES (?1, ?2, ?3, ?4, "
      "?5)",
      conversation_id, contact_id, account_id, Blob{*sealed}, to_unix_ms(or_now(now)));
  if (!inserted) return inserted.error();
  return db_.last_insert_rowid();
}

Result<std::vector<Note>> SqliteStore::list_notes(int64_t conversation_id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<Note> out;
  const Status listed = db_.query(
      "SELECT id, conversation_id, contact_id, account_id, body, created_at FROM notes"
      " WHERE conversation_id = ?1 ORDER BY id",
      [&](const Statement& st) -> Status {
        Note n;
        n.id = st.int64(0);
        n.conversation_id = st.int64(1);
        n.contact_id = st.int64(2);
        n.account_id = st.optional_int64(3);
        auto body = open(st.blob(4), "notes.body", n.id);
        if (!body) return body.error();
        n.body = std::move(*body);
        n.created_at = from_unix_ms(st.int64(5));
        out.push_back(std::move(n));
        return {};
      },
      conversation_id);
  if (!listed) return listed.error();
  return out;
}

Result<std::vector<HandoverTimes>> SqliteStore::recent_handover_times(int limit) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  // Walks the primary key backwards: `limit` rows, however long the table.
  auto st = db_.prepare(
      "SELECT id, queue, created_at, assigned_at, first_response_at, closed_at, closed_by FROM handovers"
      " ORDER BY id DESC LIMIT ?1");
  if (!st) return st.error();
  st->bind(1, limit < 0 ? 0 : limit);
  std::vector<HandoverTimes> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    HandoverTimes t;
    t.id = st->int64(0);
    t.queue = st->text(1);
    t.created_at = from_unix_ms(st->int64(2));
    t.assigned_at = optional_time(*st, 3);
    t.first_response_at = optional_time(*st, 4);
    t.closed_at = optional_time(*st, 5);
    t.closed_by = st->optional_int64(6);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace gw::sqlite

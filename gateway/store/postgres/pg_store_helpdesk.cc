// PgStore: handovers (creating them, the open queue, atomic assignment,
// transfer, closing, service times) and operators' notes (see pg_store_impl.h),
// as the SQLite backend's. Every change is one conditional UPDATE: when several
// instances assign the same waiting handover at once, PostgreSQL's row lock
// makes the later UPDATEs wait and then re-check their WHERE against the row
// the first one wrote, so only one of them matches.
#include "gateway/store/postgres/pg_store_impl.h"
#include "gateway/store/record_values.h"

namespace gw::pg {
namespace {

constexpr const char* kSelectHandovers =
    "SELECT id, conversation_id, contact_id, queue, priority, language, reason, state, operator_id, "
    "created_at, assigned_at, closed_at, first_response_at, reassured_at, closed_by FROM handovers ";

Status check_handover(const Handover& h) {
  if (!is_handover_priority(h.priority))
    return Error::invalid("unknown handover priority '" + h.priority + "'");
  if (!is_handover_state(h.state)) return Error::invalid("unknown handover state '" + h.state + "'");
  return {};
}

std::optional<int64_t> optional_int64(const PgRow& row, int col) {
  if (row.is_null(col)) return std::nullopt;
  return row.int64(col);
}

}  // namespace

Result<Handover> PgStore::read_handover(const PgRow& row) const {
  Handover h;
  h.id = row.int64(0);
  h.conversation_id = row.int64(1);
  h.contact_id = row.int64(2);
  h.queue = row.text(3);
  h.priority = row.text(4);
  h.language = row.text(5);
  auto reason = open(row.bytes(6), "handovers.reason", h.id);
  if (!reason) return reason.error();
  h.reason = std::move(*reason);
  h.state = row.text(7);
  h.operator_id = optional_int64(row, 8);
  h.created_at = from_unix_ms(row.int64(9));
  h.assigned_at = optional_time(row, 10);
  h.closed_at = optional_time(row, 11);
  h.first_response_at = optional_time(row, 12);
  h.reassured_at = optional_time(row, 13);
  h.closed_by = optional_int64(row, 14);
  return h;
}

Result<int64_t> PgStore::create_handover(const Handover& h) {
  if (Status s = check_handover(h); !s) return s.error();
  auto sealed = seal(h.reason, "handovers.reason");
  if (!sealed) return sealed.error();
  const int64_t created_at = to_unix_ms(or_now(h.created_at));
  return with([&](Connection& c) -> Result<int64_t> {
    auto id = c.query_one(
        "INSERT INTO handovers (conversation_id, contact_id, queue, priority, language, reason, state,"
        " operator_id, created_at, assigned_at, closed_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9, $10::bigint, $11::bigint) RETURNING id",
        [](const PgRow& row) { return row.int64(0); }, h.conversation_id, h.contact_id, h.queue, h.priority,
        h.language, Bytea{*sealed}, h.state, h.operator_id, created_at, optional_ms(h.assigned_at),
        optional_ms(h.closed_at));
    if (!id) return id.error();
    if (!*id) return Error::internal("INSERT INTO handovers returned no id");
    return **id;
  });
}

Result<std::optional<Handover>> PgStore::active_handover(int64_t conversation_id) {
  return with([&](Connection& c) {
    return c.query_one(
        std::string(kSelectHandovers) +
            "WHERE conversation_id = $1 AND state <> 'closed' ORDER BY id DESC LIMIT 1",
        [this](const PgRow& row) { return read_handover(row); }, conversation_id);
  });
}

Status PgStore::update_handover(const Handover& h) {
  if (Status s = check_handover(h); !s) return s;
  auto sealed = seal(h.reason, "handovers.reason");
  if (!sealed) return sealed.error();
  return with([&](Connection& c) -> Status {
    auto updated = c.run(
        "UPDATE handovers SET queue = $2, priority = $3, language = $4, reason = $5, state = $6,"
        " operator_id = $7::bigint, assigned_at = $8::bigint, closed_at = $9::bigint WHERE id = $1",
        h.id, h.queue, h.priority, h.language, Bytea{*sealed}, h.state, h.operator_id,
        optional_ms(h.assigned_at), optional_ms(h.closed_at));
    if (!updated) return updated.error();
    if (*updated == 0) return Error::not_found("no handover " + std::to_string(h.id));
    return {};
  });
}

Result<std::vector<Handover>> PgStore::list_open_handovers() {
  return with([&](Connection& c) -> Result<std::vector<Handover>> {
    std::vector<Handover> out;
    const Status listed =
        c.query(std::string(kSelectHandovers) + "WHERE state <> 'closed' ORDER BY created_at, id",
                [&](const PgRow& row) -> Status {
                  auto h = read_handover(row);
                  if (!h) return h.error();
                  out.push_back(std::move(*h));
                  return {};
                });
    if (!listed) return listed.error();
    return out;
  });
}

Result<Handover> PgStore::get_handover(int64_t id) {
  return with([&](Connection& c) -> Result<Handover> {
    auto h = c.query_one(
        std::string(kSelectHandovers) + "WHERE id = $1",
        [this](const PgRow& row) { return read_handover(row); }, id);
    if (!h) return h.error();
    if (!*h) return Error::not_found("no handover " + std::to_string(id));
    return std::move(**h);
  });
}

Result<bool> PgStore::assign_handover(int64_t id, int64_t operator_id, TimePoint now, bool force) {
  // One conditional UPDATE: of several assigning at once, only the first
  // matches; the others wait for its row lock and then find it assigned.
  return with([&](Connection& c) -> Result<bool> {
    auto assigned =
        c.run(force ? "UPDATE handovers SET state = 'assigned', operator_id = $2, assigned_at = $3"
                      " WHERE id = $1 AND (state = 'waiting' OR (state = 'assigned'"
                      " AND operator_id IS DISTINCT FROM $2))"
                    : "UPDATE handovers SET state = 'assigned', operator_id = $2, assigned_at = $3"
                      " WHERE id = $1 AND state = 'waiting'",
              id, operator_id, to_unix_ms(now));
    if (!assigned) return assigned.error();
    return *assigned > 0;
  });
}

Status PgStore::transfer_handover(int64_t id, const std::string& queue, std::optional<int64_t> operator_id,
                                  TimePoint now) {
  if (queue.empty()) return Error::invalid("a handover needs a queue");
  return with([&](Connection& c) -> Status {
    auto transferred = c.run(
        "UPDATE handovers SET queue = $2, operator_id = $3::bigint,"
        " state = CASE WHEN $3::bigint IS NULL THEN 'waiting' ELSE 'assigned' END,"
        " assigned_at = CASE WHEN $3::bigint IS NULL THEN assigned_at ELSE $4 END"
        " WHERE id = $1 AND state <> 'closed'",
        id, queue, operator_id, to_unix_ms(now));
    if (!transferred) return transferred.error();
    if (*transferred == 0) return Error::not_found("no open handover " + std::to_string(id));
    return {};
  });
}

Status PgStore::close_handover(int64_t id, int64_t by, TimePoint now) {
  return with([&](Connection& c) -> Status {
    auto closed = c.run(
        "UPDATE handovers SET state = 'closed', closed_at = $2, closed_by = $3"
        " WHERE id = $1 AND state <> 'closed'",
        id, to_unix_ms(now), by);
    if (!closed) return closed.error();
    if (*closed == 0) return Error::not_found("no open handover " + std::to_string(id));
    return {};
  });
}

Result<bool> PgStore::set_first_response(int64_t id, TimePoint now) {
  return with([&](Connection& c) -> Result<bool> {
    auto set =
        c.run("UPDATE handovers SET first_response_at = $2 WHERE id = $1 AND first_response_at IS NULL", id,
              to_unix_ms(now));
    if (!set) return set.error();
    return *set > 0;
  });
}

Status PgStore::set_reassured(int64_t id, TimePoint now) {
  return with([&](Connection& c) -> Status {
    auto set = c.run("UPDATE handovers SET reassured_at = $2 WHERE id = $1", id, to_unix_ms(now));
    if (!set) return set.error();
    if (*set == 0) return Error::not_found("no handover " + std::to_string(id));
    return {};
  });
}

Result<std::vector<HandoverTimes>> PgStore::recent_handover_times(int limit) {
  const int64_t bound = limit < 0 ? 0 : limit;
  return with([&](Connection& c) -> Result<std::vector<HandoverTimes>> {
    // Walks the primary key backwards: `limit` rows, however long the table.
    std::vector<HandoverTimes> out;
    const Status listed = c.query(
        "SELECT id, queue, created_at, assigned_at, first_response_at, closed_at, closed_by FROM handovers"
        " ORDER BY id DESC LIMIT $1",
        [&](const PgRow& row) {
          HandoverTimes t;
          t.id = row.int64(0);
          t.queue = row.text(1);
          t.created_at = from_unix_ms(row.int64(2));
          t.assigned_at = optional_time(row, 3);
          t.first_response_at = optional_time(row, 4);
          t.closed_at = optional_time(row, 5);
          t.closed_by = optional_int64(row, 6);
          out.push_back(std::move(t));
        },
        bound);
    if (!listed) return listed.error();
    return out;
  });
}

Result<int64_t> PgStore::add_note(int64_t conversation_id, int64_t contact_id,
                                  std::optional<int64_t> account_id, const std::string& body, TimePoint now) {
  auto sealed = seal(body, "notes.body");
  if (!sealed) return sealed.error();
  const int64_t created_at = to_unix_ms(or_now(now));
  return with([&](Connection& c) -> Result<int64_t> {
    auto id = c.query_one(
        "INSERT INTO notes (conversation_id, contact_id, account_id, body, created_at)"
        " VALUES ($1, $2, $3::bigint, $4, $5) RETURNING id",
        [](const PgRow& row) { return row.int64(0); }, conversation_id, contact_id, account_id,
        Bytea{*sealed}, created_at);
    if (!id) return id.error();
    if (!*id) return Error::internal("INSERT INTO notes returned no id");
    return **id;
  });
}

Result<std::vector<Note>> PgStore::list_notes(int64_t conversation_id) {
  return with([&](Connection& c) -> Result<std::vector<Note>> {
    std::vector<Note> out;
    const Status listed = c.query(
        "SELECT id, conversation_id, contact_id, account_id, body, created_at FROM notes"
        " WHERE conversation_id = $1 ORDER BY id",
        [&](const PgRow& row) -> Status {
          Note n;
          n.id = row.int64(0);
          n.conversation_id = row.int64(1);
          n.contact_id = row.int64(2);
          n.account_id = optional_int64(row, 3);
          auto body = open(row.bytes(4), "notes.body", n.id);
          if (!body) return body.error();
          n.body = std::move(*body);
          n.created_at = from_unix_ms(row.int64(5));
          out.push_back(std::move(n));
          return {};
        },
        conversation_id);
    if (!listed) return listed.error();
    return out;
  });
}

}  // namespace gw::pg

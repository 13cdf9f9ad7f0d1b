// PgStore: helpdesk (see pg_store_impl.h). Not written yet: every method answers kUnimplemented.
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {

Result<int64_t> PgStore::create_handover(const Handover& h) {
  return Error::unimplemented("PgStore::create_handover");
}

Result<std::optional<Handover>> PgStore::active_handover(int64_t conversation_id) {
  return Error::unimplemented("PgStore::active_handover");
}

Status PgStore::update_handover(const Handover& h) {
  return Error::unimplemented("PgStore::update_handover");
}

Result<std::vector<Handover>> PgStore::list_open_handovers() {
  return Error::unimplemented("PgStore::list_open_handovers");
}

Result<Handover> PgStore::get_handover(int64_t id) {
  return Error::unimplemented("PgStore::get_handover");
}

Result<bool> PgStore::assign_handover(int64_t id, int64_t operator_id, TimePoint now, bool force) {
  return Error::unimplemented("PgStore::assign_handover");
}

Status PgStore::transfer_handover(int64_t id, const std::string& queue, std::optional<int64_t> operator_id,
                                  TimePoint now) {
  return Error::unimplemented("PgStore::transfer_handover");
}

Status PgStore::close_handover(int64_t id, int64_t by, TimePoint now) {
  return Error::unimplemented("PgStore::close_handover");
}

Result<bool> PgStore::set_first_response(int64_t id, TimePoint now) {
  return Error::unimplemented("PgStore::set_first_response");
}

Status PgStore::set_reassured(int64_t id, TimePoint now) {
  return Error::unimplemented("PgStore::set_reassured");
}

Result<std::vector<HandoverTimes>> PgStore::recent_handover_times(int limit) {
  return Error::unimplemented("PgStore::recent_handover_times");
}

Result<int64_t> PgStore::add_note(int64_t conversation_id, int64_t contact_id,
                                  std::optional<int64_t> account_id, const std::string& body, TimePoint now) {
  return Error::unimplemented("PgStore::add_note");
}

Result<std::vector<Note>> PgStore::list_notes(int64_t conversation_id) {
  return Error::unimplemented("PgStore::list_notes");
}

}  // namespace gw::pg

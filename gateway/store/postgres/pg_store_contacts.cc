// PgStore: contacts (see pg_store_impl.h). Not written yet: every method answers kUnimplemented.
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {

Result<Contact> PgStore::upsert_contact(const std::string& channel_id, const std::string& address,
                                        TimePoint now) {
  return Error::unimplemented("PgStore::upsert_contact");
}

Result<std::optional<Contact>> PgStore::find_contact(const std::string& channel_id,
                                                     const std::string& address) {
  return Error::unimplemented("PgStore::find_contact");
}

Result<Contact> PgStore::get_contact(int64_t id) {
  return Error::unimplemented("PgStore::get_contact");
}

Status PgStore::update_contact(const Contact& c) {
  return Error::unimplemented("PgStore::update_contact");
}

Status PgStore::mark_contact_opted_out(int64_t id, TimePoint now) {
  return Error::unimplemented("PgStore::mark_contact_opted_out");
}

Result<Conversation> PgStore::open_or_get_conversation(int64_t contact_id, const std::string& channel_id,
                                                       TimePoint now) {
  return Error::unimplemented("PgStore::open_or_get_conversation");
}

Status PgStore::set_conversation_state(int64_t conversation_id, const std::string& state, TimePoint now) {
  return Error::unimplemented("PgStore::set_conversation_state");
}

Result<Conversation> PgStore::get_conversation(int64_t conversation_id) {
  return Error::unimplemented("PgStore::get_conversation");
}

Status PgStore::set_conversation_stats(int64_t conversation_id, const std::string& country,
                                       const std::string& language) {
  return Error::unimplemented("PgStore::set_conversation_stats");
}

Status PgStore::save_session(int64_t contact_id, const std::string& state_json, TimePoint expires_at,
                             TimePoint now) {
  return Error::unimplemented("PgStore::save_session");
}

Result<std::optional<std::string>> PgStore::load_session(int64_t contact_id, TimePoint now) {
  return Error::unimplemented("PgStore::load_session");
}

Status PgStore::delete_session(int64_t contact_id) {
  return Error::unimplemented("PgStore::delete_session");
}

Status PgStore::erase_contact(int64_t contact_id) {
  return Error::unimplemented("PgStore::erase_contact");
}

Status PgStore::erase_contact_after_outbox(int64_t contact_id) {
  return Error::unimplemented("PgStore::erase_contact_after_outbox");
}

Result<int> PgStore::erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) {
  return Error::unimplemented("PgStore::erase_idle_contacts");
}

}  // namespace gw::pg

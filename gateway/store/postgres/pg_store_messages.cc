// PgStore: messages (see pg_store_impl.h). Not written yet: every method answers kUnimplemented.
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {

Result<InsertedMessage> PgStore::insert_inbound(const Message& msg) {
  return Error::unimplemented("PgStore::insert_inbound");
}

Result<int64_t> PgStore::enqueue_outbound(const Message& msg, TimePoint not_before) {
  return Error::unimplemented("PgStore::enqueue_outbound");
}

Result<std::vector<Message>> PgStore::list_messages(int64_t conversation_id) {
  return Error::unimplemented("PgStore::list_messages");
}

Status PgStore::update_message_status(const std::string& channel_id, const std::string& provider_id,
                                      const std::string& status, std::optional<int> error_code,
                                      TimePoint now) {
  return Error::unimplemented("PgStore::update_message_status");
}

Result<std::vector<OutboxItem>> PgStore::claim_due_outbox(const std::string& channel_id, TimePoint now,
                                                          int limit, std::chrono::milliseconds lease) {
  return Error::unimplemented("PgStore::claim_due_outbox");
}

Status PgStore::mark_outbox_sent(int64_t outbox_id, const std::string& provider_id, int segments,
                                 TimePoint now) {
  return Error::unimplemented("PgStore::mark_outbox_sent");
}

Status PgStore::mark_outbox_retry(int64_t outbox_id, TimePoint next_attempt_at, const std::string& error,
                                  TimePoint now) {
  return Error::unimplemented("PgStore::mark_outbox_retry");
}

Status PgStore::mark_outbox_failed(int64_t outbox_id, std::optional<int> error_code, const std::string& error,
                                   TimePoint now) {
  return Error::unimplemented("PgStore::mark_outbox_failed");
}

Status PgStore::mark_outbox_held(int64_t outbox_id, const std::string& reason, TimePoint now) {
  return Error::unimplemented("PgStore::mark_outbox_held");
}

Status PgStore::release_outbox(int64_t outbox_id, TimePoint now) {
  return Error::unimplemented("PgStore::release_outbox");
}

Result<int64_t> PgStore::end_leases_of_previous_process(TimePoint now) {
  return Error::unimplemented("PgStore::end_leases_of_previous_process");
}

Result<int64_t> PgStore::outbox_depth() {
  return Error::unimplemented("PgStore::outbox_depth");
}

}  // namespace gw::pg

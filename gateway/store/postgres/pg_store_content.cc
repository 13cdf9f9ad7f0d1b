// PgStore: content (see pg_store_impl.h). Not written yet: every method answers kUnimplemented.
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {

Result<std::optional<ContentVersion>> PgStore::latest_content_version() {
  return Error::unimplemented("PgStore::latest_content_version");
}

Result<std::vector<ContentVersion>> PgStore::list_content_versions(int limit) {
  return Error::unimplemented("PgStore::list_content_versions");
}

Result<std::optional<ContentVersion>> PgStore::get_content_version(int64_t id) {
  return Error::unimplemented("PgStore::get_content_version");
}

Result<std::map<std::string, std::string>> PgStore::content_version_files(int64_t id) {
  return Error::unimplemented("PgStore::content_version_files");
}

Result<int64_t> PgStore::add_content_version(const ContentVersion& v,
                                             const std::map<std::string, std::string>& files,
                                             int64_t expected_latest) {
  return Error::unimplemented("PgStore::add_content_version");
}

Result<std::vector<DraftEntry>> PgStore::list_draft_entries() {
  return Error::unimplemented("PgStore::list_draft_entries");
}

Result<int64_t> PgStore::put_draft_entry(const std::string& entry,
                                         const std::optional<std::string>& value_json, int64_t base_revision,
                                         std::optional<int64_t> account_id, const std::string& author,
                                         TimePoint now) {
  return Error::unimplemented("PgStore::put_draft_entry");
}

Status PgStore::clear_draft_entries(const std::vector<std::string>& entries) {
  return Error::unimplemented("PgStore::clear_draft_entries");
}

Status PgStore::touch_entries(const std::vector<std::string>& entries, std::optional<int64_t> account_id,
                              const std::string& author, TimePoint now) {
  return Error::unimplemented("PgStore::touch_entries");
}

}  // namespace gw::pg

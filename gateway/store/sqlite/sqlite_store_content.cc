// SqliteStore: the content's versions and the studio's draft (content_store.h).
#include "gateway/core/digest.h"
#include "gateway/core/ids.h"
#include "gateway/store/sqlite/sqlite_store_impl.h"

namespace gw::sqlite {
namespace {

constexpr const char* kVersionColumns =
    "id, created_at, account_id, author, message, origin, rollback_of, digest, changes";

ContentVersion read_version(const Statement& st) {
  ContentVersion v;
  v.id = st.int64(0);
  v.at = from_unix_ms(st.int64(1));
  v.account_id = st.optional_int64(2);
  v.author = st.text(3);
  v.message = st.text(4);
  v.origin = st.text(5);
  v.rollback_of = st.optional_int64(6);
  v.digest = st.text(7);
  v.changes = static_cast<int>(st.int64(8));
  return v;
}

constexpr const char* kDraftColumns = "entry, in_draft, value_json, revision, account_id, author, updated_at";

DraftEntry read_draft(const Statement& st) {
  DraftEntry d;
  d.entry = st.text(0);
  d.in_draft = st.int64(1) != 0;
  d.value_json = st.optional_text(2);
  d.revision = st.int64(3);
  d.account_id = st.optional_int64(4);
  d.author = st.text(5);
  d.updated_at = from_unix_ms(st.int64(6));
  return d;
}

}  // namespace

Result<std::optional<ContentVersion>> SqliteStore::latest_content_version() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  return db_.query_one(
      std::string("SELECT ") + kVersionColumns + " FROM content_versions ORDER BY id DESC LIMIT 1",
      read_version);
}

Result<std::vector<ContentVersion>> SqliteStore::list_content_versions(int limit) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<ContentVersion> out;
  const Status listed = db_.query(
      std::string("SELECT ") + kVersionColumns + " FROM content_versions ORDER BY id DESC LIMIT ?1",
      [&](const Statement& st) { out.push_back(read_version(st)); }, static_cast<int64_t>(limit));
  if (!listed) return listed.error();
  return out;
}

Result<std::optional<ContentVersion>> SqliteStore::get_content_version(int64_t id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto v = db_.query_one(
      std::string("SELECT ") + kVersionColumns + ", changes_json FROM content_versions WHERE id = ?1",
      [](const Statement& st) {
        ContentVersion row = read_version(st);
        row.changes_json = st.text(9);
        return row;
      },
      id);
  return v;
}

Result<std::map<std::string, std::string>> SqliteStore::content_version_files(int64_t id) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto known = any_row_locked("SELECT 1 FROM content_versions WHERE id = ?1", id);
  if (!known) return known.error();
  if (!*known) return Error::not_found("no content version " + std::to_string(id));
  std::map<std::string, std::string> files;
  const Status listed = db_.query(
      "SELECT f.path, b.body FROM content_version_files f JOIN content_blobs b ON b.digest = f.digest"
      " WHERE f.version_id = ?1 ORDER BY f.path",
      [&](const Statement& st) { files[st.text(0)] = st.blob(1); }, id);
  if (!listed) return listed.error();
  return files;
}

Result<int64_t> SqliteStore::add_content_version(const ContentVersion& v,
                                                 const std::map<std::string, std::string>& files,
                                                 int64_t expected_latest) {
  if (v.origin.empty()) return Error::invalid("a content version needs an origin");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto latest = db_.query_one("SELECT COALESCE(MAX(id), 0) FROM content_versions", scalar_int64);
  if (!latest) return latest.error();
  if (latest->value_or(0) != expected_latest) {
    return Error::exists("another version was published meanwhile (now " +
                         std::to_string(latest->value_or(0)) + ")");
  }
  Status s = db_.run(
      "INSERT INTO content_versions (created_at, account_id, author, message, origin, rollback_of, digest,"
      " changes, changes_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      to_unix_ms(or_now(v.at)), v.account_id, v.author, v.message, v.origin, v.rollback_of, v.digest,
      static_cast<int64_t>(v.changes), v.changes_json.empty() ? std::string("[]") : v.changes_json);
  if (!s) return s.error();
  const int64_t id = db_.last_insert_rowid();
  for (const auto& [path, body] : files) {
    const std::string digest = to_hex(sha256(body));
    s = db_.run("INSERT OR IGNORE INTO content_blobs (digest, body) VALUES (?1, ?2)", digest, Blob{body});
    if (!s) return s.error();
    s = db_.run("INSERT INTO content_version_files (version_id, path, digest) VALUES (?1, ?2, ?3)", id, path,
                digest);
    if (!s) return s.error();
  }
  if (Status c = tx->commit(); !c) return c.error();
  return id;
}

Result<std::vector<DraftEntry>> SqliteStore::list_draft_entries() {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  std::vector<DraftEntry> out;
  const Status listed =
      db_.query(std::string("SELECT ") + kDraftColumns + " FROM content_draft ORDER BY entry",
                [&](const Statement& st) { out.push_back(read_draft(st)); });
  if (!listed) return listed.error();
  return out;
}

Result<int64_t> SqliteStore::put_draft_entry(const std::string& entry,
                                             const std::optional<std::string>& value_json,
                                             int64_t base_revision, std::optional<int64_t> account_id,
                                             const std::string& author, TimePoint now) {
  if (entry.empty()) return Error::invalid("a draft entry needs a name");
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s.error();
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto current = db_.query_one("SELECT revision FROM content_draft WHERE entry = ?1", scalar_int64, entry);
  if (!current) return current.error();
  if (current->value_or(0) != base_revision) {
    return Error::exists(entry + " was changed meanwhile (revision " + std::to_string(current->value_or(0)) +
                         ")");
  }
  auto next = db_.query_one("SELECT COALESCE(MAX(revision), 0) + 1 FROM content_draft", scalar_int64);
  if (!next) return next.error();
  const int64_t revision = next->value_or(1);
  Status s = db_.run(
      "INSERT INTO content_draft (entry, in_draft, value_json, revision, account_id, author, updated_at)"
      " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(entry) DO UPDATE SET in_draft = 1,"
      " value_json = excluded.value_json, revision = excluded.revision, account_id = excluded.account_id,"
      " author = excluded.author, updated_at = excluded.updated_at",
      entry, value_json, revision, account_id, author, to_unix_ms(now));
  if (!s) return s.error();
  if (Status c = tx->commit(); !c) return c.error();
  return revision;
}

Status SqliteStore::clear_draft_entries(const std::vector<std::string>& entries) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  if (entries.empty()) return db_.run("UPDATE content_draft SET in_draft = 0, value_json = NULL");
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  for (const std::string& e : entries) {
    if (Status s = db_.run("UPDATE content_draft SET in_draft = 0, value_json = NULL WHERE entry = ?1", e);
        !s)
      return s;
  }
  return tx->commit();
}

Status SqliteStore::touch_entries(const std::vector<std::string>& entries, std::optional<int64_t> account_id,
                                  const std::string& author, TimePoint now) {
  Lock lock(mu_);
  if (Status s = check_open_locked(); !s) return s;
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  for (const std::string& e : entries) {
    auto next = db_.query_one("SELECT COALESCE(MAX(revision), 0) + 1 FROM content_draft", scalar_int64);
    if (!next) return next.error();
    Status s = db_.run(
        "INSERT INTO content_draft (entry, in_draft, value_json, revision, account_id, author, updated_at)"
        " VALUES (?1, 0, NULL, ?2, ?3, ?4, ?5) ON CONFLICT(entry) DO UPDATE SET revision = excluded.revision,"
        " account_id = excluded.account_id, author = excluded.author, updated_at = excluded.updated_at",
        e, next->value_or(1), account_id, author, to_unix_ms(now));
    if (!s) return s;
  }
  return tx->commit();
}

}  // namespace gw::sqlite

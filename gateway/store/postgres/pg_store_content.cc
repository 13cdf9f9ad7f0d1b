// PgStore: the content's versions and the studio's draft (content_store.h), as
// the SQLite backend keeps them (sqlite_store_content.cc).
//
// Several instances may publish or save at once. Where SQLite relied on its
// single writer, the writers here take a table lock (SHARE ROW EXCLUSIVE: it
// excludes the other writers of the table and lets readers through) for the
// rest of their transaction, before they read what they check:
// - content_draft, by every write of the draft: revisions come from one sequence
//   (MAX + 1) and a save checks the revision it started from;
// - content_versions, by add_content_version, which also locks content_draft
//   first (always in this order), so that a publish that lists and clears the
//   published entries in its transaction sees no save slip in between.
// Under READ COMMITTED each statement after the lock sees what the previous
// holder committed. Files are stored once by digest (INSERT ... ON CONFLICT DO
// NOTHING), so two versions sharing a file need no lock on content_blobs.
// Entries are ordered by their bytes (COLLATE "C"), as SQLite orders text.
#include "gateway/core/digest.h"
#include "gateway/core/ids.h"
#include "gateway/store/postgres/pg_store_impl.h"

namespace gw::pg {
namespace {

constexpr const char* kVersionColumns =
    "id, created_at, account_id, author, message, origin, rollback_of, digest, changes";

ContentVersion read_version(const PgRow& row) {
  ContentVersion v;
  v.id = row.int64(0);
  v.at = from_unix_ms(row.int64(1));
  if (!row.is_null(2)) v.account_id = row.int64(2);
  v.author = row.text(3);
  v.message = row.text(4);
  v.origin = row.text(5);
  if (!row.is_null(6)) v.rollback_of = row.int64(6);
  v.digest = row.text(7);
  v.changes = static_cast<int>(row.int64(8));
  return v;
}

constexpr const char* kDraftColumns = "entry, in_draft, value_json, revision, account_id, author, updated_at";

DraftEntry read_draft(const PgRow& row) {
  DraftEntry d;
  d.entry = row.text(0);
  d.in_draft = row.boolean(1);
  d.value_json = row.optional_text(2);
  d.revision = row.int64(3);
  if (!row.is_null(4)) d.account_id = row.int64(4);
  d.author = row.text(5);
  d.updated_at = from_unix_ms(row.int64(6));
  return d;
}

int64_t first_int64(const PgRow& row) {
  return row.int64(0);
}

// Locks content_draft against the other writers until the transaction ends.
Status lock_draft(Connection& conn) {
  auto r = conn.run("LOCK TABLE content_draft IN SHARE ROW EXCLUSIVE MODE");
  if (!r) return r.error();
  return {};
}

// The next revision of the draft's one sequence. REQUIRES: lock_draft().
Result<int64_t> next_revision(Connection& conn) {
  auto next = conn.query_one("SELECT COALESCE(MAX(revision), 0) + 1 FROM content_draft", first_int64);
  if (!next) return next.error();
  return next->value_or(1);
}

}  // namespace

Result<std::optional<ContentVersion>> PgStore::latest_content_version() {
  return with([&](Connection& conn) {
    return conn.query_one(
        std::string("SELECT ") + kVersionColumns + " FROM content_versions ORDER BY id DESC LIMIT 1",
        read_version);
  });
}

Result<std::vector<ContentVersion>> PgStore::list_content_versions(int limit) {
  // SQLite reads a negative LIMIT as none; PostgreSQL refuses one, and reads NULL as none.
  const std::optional<int64_t> bound = limit < 0 ? std::nullopt : std::optional<int64_t>(limit);
  return with([&](Connection& conn) -> Result<std::vector<ContentVersion>> {
    std::vector<ContentVersion> out;
    const Status listed = conn.query(
        std::string("SELECT ") + kVersionColumns + " FROM content_versions ORDER BY id DESC LIMIT $1",
        [&](const PgRow& row) { out.push_back(read_version(row)); }, bound);
    if (!listed) return listed.error();
    return out;
  });
}

Result<std::optional<ContentVersion>> PgStore::get_content_version(int64_t id) {
  return with([&](Connection& conn) {
    return conn.query_one(
        std::string("SELECT ") + kVersionColumns + ", changes_json FROM content_versions WHERE id = $1",
        [](const PgRow& row) {
          ContentVersion v = read_version(row);
          v.changes_json = row.text(9);
          return v;
        },
        id);
  });
}

Result<std::map<std::string, std::string>> PgStore::content_version_files(int64_t id) {
  return with([&](Connection& conn) -> Result<std::map<std::string, std::string>> {
    auto known = conn.query_one("SELECT 1 FROM content_versions WHERE id = $1", first_int64, id);
    if (!known) return known.error();
    if (!known->has_value()) return Error::not_found("no content version " + std::to_string(id));
    std::map<std::string, std::string> files;
    const Status listed = conn.query(
        "SELECT f.path, b.body FROM content_version_files f JOIN content_blobs b ON b.digest = f.digest"
        " WHERE f.version_id = $1",
        [&](const PgRow& row) { files[row.text(0)] = row.bytes(1); }, id);
    if (!listed) return listed.error();
    return files;
  });
}

Result<int64_t> PgStore::add_content_version(const ContentVersion& v,
                                             const std::map<std::string, std::string>& files,
                                             int64_t expected_latest) {
  if (v.origin.empty()) return Error::invalid("a content version needs an origin");
  return with([&](Connection& conn) -> Result<int64_t> {
    auto tx = Transaction::begin(conn);
    if (!tx) return tx.error();
    if (Status s = lock_draft(conn); !s) return s.error();
    if (auto locked = conn.run("LOCK TABLE content_versions IN SHARE ROW EXCLUSIVE MODE"); !locked)
      return locked.error();
    auto latest = conn.query_one("SELECT COALESCE(MAX(id), 0) FROM content_versions", first_int64);
    if (!latest) return latest.error();
    if (latest->value_or(0) != expected_latest) {
      return Error::exists("another version was published meanwhile (now " +
                           std::to_string(latest->value_or(0)) + ")");
    }
    auto id = conn.query_one(
        "INSERT INTO content_versions (created_at, account_id, author, message, origin, rollback_of, digest,"
        " changes, changes_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        first_int64, to_unix_ms(or_now(v.at)), v.account_id, v.author, v.message, v.origin, v.rollback_of,
        v.digest, static_cast<int32_t>(v.changes),
        v.changes_json.empty() ? std::string("[]") : v.changes_json);
    if (!id) return id.error();
    if (!id->has_value()) return Error::internal("adding a content version returned no id");
    const int64_t version_id = **id;
    for (const auto& [path, body] : files) {
      const std::string digest = to_hex(sha256(body));
      auto blob =
          conn.run("INSERT INTO content_blobs (digest, body) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
                   digest, Bytea{body});
      if (!blob) return blob.error();
      auto file = conn.run("INSERT INTO content_version_files (version_id, path, digest) VALUES ($1, $2, $3)",
                           version_id, path, digest);
      if (!file) return file.error();
    }
    if (Status c = tx->commit(); !c) return c.error();
    return version_id;
  });
}

Result<std::vector<DraftEntry>> PgStore::list_draft_entries() {
  return with([&](Connection& conn) -> Result<std::vector<DraftEntry>> {
    std::vector<DraftEntry> out;
    const Status listed = conn.query(
        std::string("SELECT ") + kDraftColumns + " FROM content_draft ORDER BY entry COLLATE \"C\"",
        [&](const PgRow& row) { out.push_back(read_draft(row)); });
    if (!listed) return listed.error();
    return out;
  });
}

Result<int64_t> PgStore::put_draft_entry(const std::string& entry,
                                         const std::optional<std::string>& value_json, int64_t base_revision,
                                         std::optional<int64_t> account_id, const std::string& author,
                                         TimePoint now) {
  if (entry.empty()) return Error::invalid("a draft entry needs a name");
  return with([&](Connection& conn) -> Result<int64_t> {
    auto tx = Transaction::begin(conn);
    if (!tx) return tx.error();
    if (Status s = lock_draft(conn); !s) return s.error();
    auto current = conn.query_one("SELECT revision FROM content_draft WHERE entry = $1", first_int64, entry);
    if (!current) return current.error();
    if (current->value_or(0) != base_revision) {
      return Error::exists(entry + " was changed meanwhile (revision " +
                           std::to_string(current->value_or(0)) + ")");
    }
    auto revision = next_revision(conn);
    if (!revision) return revision.error();
    auto saved = conn.run(
        "INSERT INTO content_draft (entry, in_draft, value_json, revision, account_id, author, updated_at)"
        " VALUES ($1, TRUE, $2, $3, $4, $5, $6) ON CONFLICT (entry) DO UPDATE SET in_draft = TRUE,"
        " value_json = excluded.value_json, revision = excluded.revision, account_id = excluded.account_id,"
        " author = excluded.author, updated_at = excluded.updated_at",
        entry, value_json, *revision, account_id, author, to_unix_ms(now));
    if (!saved) return saved.error();
    if (Status c = tx->commit(); !c) return c.error();
    return *revision;
  });
}

Status PgStore::clear_draft_entries(const std::vector<std::string>& entries) {
  return with([&](Connection& conn) -> Status {
    auto tx = Transaction::begin(conn);
    if (!tx) return tx.error();
    if (Status s = lock_draft(conn); !s) return s;
    if (entries.empty()) {
      if (auto r = conn.run("UPDATE content_draft SET in_draft = FALSE, value_json = NULL"); !r)
        return r.error();
    }
    for (const std::string& e : entries) {
      auto r = conn.run("UPDATE content_draft SET in_draft = FALSE, value_json = NULL WHERE entry = $1", e);
      if (!r) return r.error();
    }
    return tx->commit();
  });
}

Status PgStore::touch_entries(const std::vector<std::string>& entries, std::optional<int64_t> account_id,
                              const std::string& author, TimePoint now) {
  return with([&](Connection& conn) -> Status {
    auto tx = Transaction::begin(conn);
    if (!tx) return tx.error();
    if (Status s = lock_draft(conn); !s) return s;
    for (const std::string& e : entries) {
      auto revision = next_revision(conn);
      if (!revision) return revision.error();
      auto r = conn.run(
          "INSERT INTO content_draft (entry, in_draft, value_json, revision, account_id, author, updated_at)"
          " VALUES ($1, FALSE, NULL, $2, $3, $4, $5) ON CONFLICT (entry) DO UPDATE SET"
          " revision = excluded.revision, account_id = excluded.account_id, author = excluded.author,"
          " updated_at = excluded.updated_at",
          e, *revision, account_id, author, to_unix_ms(now));
      if (!r) return r.error();
    }
    return tx->commit();
  });
}

}  // namespace gw::pg

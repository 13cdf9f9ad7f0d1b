#include "gateway/store/migrations.h"

#include <string>

namespace gw {
namespace {

// Times are Unix milliseconds (INTEGER). Columns holding Crypto output are BLOBs;
// their associated data is "<table>.<column>". Contacts are looked up by
// address_hash = Crypto::index_hash(address), never by the address.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE contacts (
  id              INTEGER PRIMARY KEY,
  channel_id      TEXT    NOT NULL,
  address_hash    BLOB    NOT NULL,
  address         BLOB    NOT NULL,
  language        TEXT    NOT NULL DEFAULT '',
  country         TEXT    NOT NULL DEFAULT '',
  opted_out       INTEGER NOT NULL DEFAULT 0,
  consent         TEXT    NOT NULL DEFAULT 'none' CHECK (consent IN ('none', 'given', 'declined')),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_inbound_at INTEGER,
  UNIQUE (channel_id, address_hash)
);

CREATE TABLE conversations (
  id          INTEGER PRIMARY KEY,
  contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel_id  TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('bot', 'waiting', 'assigned', 'closed')),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
-- At most one open conversation per contact and channel.
CREATE UNIQUE INDEX conversations_one_open ON conversations(contact_id, channel_id) WHERE state <> 'closed';

CREATE TABLE sessions (
  contact_id  INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
  state       BLOB    NOT NULL,
  expires_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  channel_id      TEXT    NOT NULL,
  direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  provider_id     TEXT,
  status          TEXT    NOT NULL,
  error_code      INTEGER,
  body            BLOB    NOT NULL,
  segments        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  -- Provider retries are deduplicated here; NULL provider ids never collide.
  UNIQUE (channel_id, direction, provider_id)
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
CREATE INDEX messages_by_contact ON messages(contact_id);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
  contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  channel_id      TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until     INTEGER,
  last_error      BLOB,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(channel_id, state, next_attempt_at);
CREATE INDEX outbox_by_conversation ON outbox(conversation_id, id);
CREATE INDEX outbox_by_contact ON outbox(contact_id);

CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('operator', 'supervisor', 'editor', 'admin')),
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
);

CREATE TABLE handovers (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  queue           TEXT    NOT NULL,
  priority        TEXT    NOT NULL CHECK (priority IN ('urgent', 'high', 'normal')),
  language        TEXT    NOT NULL DEFAULT '',
  reason          BLOB    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('waiting', 'assigned', 'closed')),
  operator_id     INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  created_at      INTEGER NOT NULL,
  assigned_at     INTEGER,
  closed_at       INTEGER
);
CREATE INDEX handovers_by_conversation ON handovers(conversation_id, id);
CREATE INDEX handovers_by_contact ON handovers(contact_id);
CREATE INDEX handovers_open ON handovers(state, queue) WHERE state <> 'closed';

-- Append-only: who did what. Never addresses or message bodies.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  detail_json TEXT    NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";

}  // namespace

const std::vector<Migration>& sqlite_migrations() {
  static const std::vector<Migration> kAll = {
      {1, "initial schema", kInitialSchema},
      // The template a message was rendered from: the sender needs it to pick a
      // WhatsApp ContentSid outside the 24-hour window. A key, never text.
      {2, "message template key", "ALTER TABLE messages ADD COLUMN template_key TEXT NOT NULL DEFAULT '';"},
      // Unfinished outbox items only: the sender's claim walks them oldest first
      // and checks each conversation's earlier unfinished item, in time that
      // does not grow with the backlog or with what was sent long ago.
      {3, "outbox unfinished indexes",
       "CREATE INDEX outbox_unfinished ON outbox(channel_id, id) WHERE state IN ('pending', 'sending');"
       "CREATE INDEX outbox_unfinished_by_conversation ON outbox(conversation_id, id)"
       " WHERE state IN ('pending', 'sending');"},
      // A contact whose erasure waits only for its last replies (the erasure's
      // confirmation) to leave the outbox.
      {4, "contact erase pending",
       "ALTER TABLE contacts ADD COLUMN erase_pending INTEGER NOT NULL DEFAULT 0;"},
      // Staff accounts for the operator console: the languages and queues an
      // operator serves (comma-separated codes and queue names), how many
      // conversations they take at once, and a one-time password to replace.
      {5, "staff account fields",
       "ALTER TABLE accounts ADD COLUMN languages TEXT NOT NULL DEFAULT '';"
       "ALTER TABLE accounts ADD COLUMN queues TEXT NOT NULL DEFAULT '';"
       "ALTER TABLE accounts ADD COLUMN capacity INTEGER NOT NULL DEFAULT 3;"
       "ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;"},
      // The helpdesk: when an operator first answered, when the waiting person
      // was reassured, who closed it; and operators' notes on a conversation.
      {6, "helpdesk",
       "ALTER TABLE handovers ADD COLUMN first_response_at INTEGER;"
       "ALTER TABLE handovers ADD COLUMN reassured_at INTEGER;"
       "ALTER TABLE handovers ADD COLUMN closed_by INTEGER;"
       "CREATE TABLE notes ("
       " id INTEGER PRIMARY KEY,"
       " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
       " contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
       " account_id INTEGER,"
       " body BLOB NOT NULL,"
       " created_at INTEGER NOT NULL);"
       "CREATE INDEX notes_by_conversation ON notes(conversation_id, id);"
       "CREATE INDEX notes_by_contact ON notes(contact_id);"},
      // The content studio: an editor may have the right to publish; published
      // versions of the content as files stored once by digest; the draft.
      {7, "content versions",
       "ALTER TABLE accounts ADD COLUMN reviewer INTEGER NOT NULL DEFAULT 0;"
       "CREATE TABLE content_blobs (digest TEXT PRIMARY KEY, body BLOB NOT NULL);"
       "CREATE TABLE content_versions ("
       " id INTEGER PRIMARY KEY,"
       " created_at INTEGER NOT NULL,"
       " account_id INTEGER,"
       " author TEXT NOT NULL,"
       " message TEXT NOT NULL,"
       " origin TEXT NOT NULL,"
       " rollback_of INTEGER,"
       " digest TEXT NOT NULL,"
       " changes INTEGER NOT NULL,"
       " changes_json TEXT NOT NULL);"
       "CREATE TABLE content_version_files ("
       " version_id INTEGER NOT NULL REFERENCES content_versions(id),"
       " path TEXT NOT NULL,"
       " digest TEXT NOT NULL REFERENCES content_blobs(digest),"
       " PRIMARY KEY (version_id, path));"
       "CREATE TABLE content_draft ("
       " entry TEXT PRIMARY KEY,"
       " in_draft INTEGER NOT NULL,"
       " value_json TEXT,"
       " revision INTEGER NOT NULL,"
       " account_id INTEGER,"
       " author TEXT NOT NULL,"
       " updated_at INTEGER NOT NULL);"},
      // Anonymised statistics: counters per ISO week, country, metric and
      // value, with no reference to any person (no foreign key: erasing a
      // contact leaves them as they are); and where a conversation's start was
      // counted, so that a language or country chosen later moves that count.
      {8, "statistics",
       "CREATE TABLE stats_counts ("
       " week TEXT NOT NULL,"
       " country TEXT NOT NULL,"
       " metric TEXT NOT NULL,"
       " value TEXT NOT NULL,"
       " count INTEGER NOT NULL CHECK (count >= 0),"
       " PRIMARY KEY (week, metric, value, country)) WITHOUT ROWID;"
       "ALTER TABLE conversations ADD COLUMN stat_country TEXT NOT NULL DEFAULT '';"
       "ALTER TABLE conversations ADD COLUMN stat_language TEXT NOT NULL DEFAULT '';"},
      // Key rotation (gateway keys rotate): the one rotation in progress, if any
      // (/readyz fails while it stands), and the keys each serving process holds,
      // by key id only, so that a rotation starts re-sealing only once every
      // process has the new keys.
      {9, "key rotation",
       "CREATE TABLE key_rotation ("
       " id INTEGER PRIMARY KEY CHECK (id = 1),"
       " started_at INTEGER NOT NULL,"
       " data_key TEXT NOT NULL,"
       " index_key TEXT NOT NULL,"
       " progress TEXT NOT NULL,"
       " updated_at INTEGER NOT NULL);"
       "CREATE TABLE key_holders ("
       " instance TEXT PRIMARY KEY,"
       " data_keys TEXT NOT NULL,"
       " index_key TEXT NOT NULL,"
       " seen_at INTEGER NOT NULL);"},
  };
  return kAll;
}

Result<std::vector<const Migration*>> pending_migrations(const std::vector<Migration>& all,
                                                         int current_version) {
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].version != static_cast<int>(i) + 1) {
      return Error::internal("migration #" + std::to_string(i + 1) + " is numbered " +
                             std::to_string(all[i].version) + "; versions must run 1..N without gaps");
    }
  }
  const int latest = static_cast<int>(all.size());
  if (current_version > latest) {
    return Error::invalid("database schema is at version " + std::to_string(current_version) +
                          " but this gateway knows versions up to " + std::to_string(latest) +
                          "; it was written by a newer gateway, upgrade this one");
  }
  if (current_version < 0) return Error::internal("negative schema version");
  std::vector<const Migration*> out;
  for (int v = current_version + 1; v <= latest; ++v) out.push_back(&all[static_cast<size_t>(v - 1)]);
  return out;
}

}  // namespace gw

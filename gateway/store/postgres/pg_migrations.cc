#include "gateway/store/postgres/pg_migrations.h"

namespace gw {
namespace {

// SQLite's migrations 1..8 (gateway/store/migrations.cc) and its intake's 1..2,
// as one script. Translation rules, the same for every table:
// - INTEGER PRIMARY KEY → BIGINT GENERATED ALWAYS AS IDENTITY: ids never reused
//   (SQLite may reuse the highest after a delete). An import from SQLite inserts
//   with OVERRIDING SYSTEM VALUE, then moves each identity past the highest id.
// - Times: BIGINT Unix milliseconds, as in SQLite.
// - BLOB → BYTEA: Crypto output (associated data "<table>.<column>", unchanged,
//   so a sealed value reads the same in either database), keyed hashes, content.
// - 0/1 INTEGER flags → BOOLEAN.
// - CHECKs, UNIQUEs, partial indexes and ON DELETE actions exactly where SQLite
//   has them, with the same names for named indexes and triggers.
// What several instances need and SQLite does not have is marked "Several
// instances:".
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE contacts (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel_id      TEXT    NOT NULL,
  address_hash    BYTEA   NOT NULL,
  address         BYTEA   NOT NULL,
  language        TEXT    NOT NULL DEFAULT '',
  country         TEXT    NOT NULL DEFAULT '',
  opted_out       BOOLEAN NOT NULL DEFAULT FALSE,
  consent         TEXT    NOT NULL DEFAULT 'none' CHECK (consent IN ('none', 'given', 'declined')),
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  last_inbound_at BIGINT,
  erase_pending   BOOLEAN NOT NULL DEFAULT FALSE,
  UNIQUE (channel_id, address_hash)
);

CREATE TABLE conversations (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contact_id    BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel_id    TEXT   NOT NULL,
  state         TEXT   NOT NULL CHECK (state IN ('bot', 'waiting', 'assigned', 'closed')),
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  stat_country  TEXT   NOT NULL DEFAULT '',
  stat_language TEXT   NOT NULL DEFAULT ''
);
-- At most one open conversation per contact and channel.
CREATE UNIQUE INDEX conversations_one_open ON conversations(contact_id, channel_id) WHERE state <> 'closed';
-- Several instances: erasing a contact (ON DELETE CASCADE) finds its closed
-- conversations too without reading the whole table while others write to it.
CREATE INDEX conversations_by_contact ON conversations(contact_id);

CREATE TABLE sessions (
  contact_id BIGINT PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
  state      BYTEA  NOT NULL,
  expires_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE messages (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contact_id      BIGINT  NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id BIGINT  NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  channel_id      TEXT    NOT NULL,
  direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  provider_id     TEXT,
  status          TEXT    NOT NULL,
  error_code      INTEGER,
  body            BYTEA   NOT NULL,
  segments        INTEGER NOT NULL DEFAULT 0,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  template_key    TEXT    NOT NULL DEFAULT '',
  -- Provider retries are deduplicated here; NULL provider ids never collide
  -- (NULLS DISTINCT, PostgreSQL's default, as in SQLite).
  UNIQUE (channel_id, direction, provider_id)
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
CREATE INDEX messages_by_contact ON messages(contact_id);

CREATE TABLE outbox (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id      BIGINT  NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
  contact_id      BIGINT  NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id BIGINT  NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  channel_id      TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT  NOT NULL,
  lease_until     BIGINT,
  last_error      BYTEA,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  -- Several instances: the instance holding the lease of a "sending" item. An
  -- instance restarted under the same id ends its own leases at start (what
  -- end_leases_of_previous_process does for SQLite) without touching others'.
  claimed_by      TEXT
);
CREATE INDEX outbox_due ON outbox(channel_id, state, next_attempt_at);
CREATE INDEX outbox_by_conversation ON outbox(conversation_id, id);
CREATE INDEX outbox_by_contact ON outbox(contact_id);
-- Unfinished outbox items only: the sender's claim walks them oldest first and
-- checks each conversation's earlier unfinished item.
CREATE INDEX outbox_unfinished ON outbox(channel_id, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_unfinished_by_conversation ON outbox(conversation_id, id)
  WHERE state IN ('pending', 'sending');
-- Several instances: leases of another instance that ran out (it died or
-- stalled), found by channel and time as outbox_due finds pending items.
CREATE INDEX outbox_lease_expiry ON outbox(channel_id, lease_until) WHERE state = 'sending';

CREATE TABLE accounts (
  id                   BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username             TEXT    NOT NULL,
  password_hash        TEXT    NOT NULL,
  role                 TEXT    NOT NULL CHECK (role IN ('operator', 'supervisor', 'editor', 'admin')),
  disabled             BOOLEAN NOT NULL DEFAULT FALSE,
  created_at           BIGINT  NOT NULL,
  languages            TEXT    NOT NULL DEFAULT '',
  queues               TEXT    NOT NULL DEFAULT '',
  capacity             INTEGER NOT NULL DEFAULT 3,
  must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
  reviewer             BOOLEAN NOT NULL DEFAULT FALSE
);
-- SQLite's "UNIQUE COLLATE NOCASE": unique when ASCII letters are folded to
-- lower case, and only those (lower() under the "C" collation folds ASCII only,
-- as NOCASE does). Look-ups compare lower(username COLLATE "C") likewise.
CREATE UNIQUE INDEX accounts_username_nocase ON accounts ((lower(username COLLATE "C")));

CREATE TABLE handovers (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id   BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  contact_id        BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  queue             TEXT   NOT NULL,
  priority          TEXT   NOT NULL CHECK (priority IN ('urgent', 'high', 'normal')),
  language          TEXT   NOT NULL DEFAULT '',
  reason            BYTEA  NOT NULL,
  state             TEXT   NOT NULL CHECK (state IN ('waiting', 'assigned', 'closed')),
  operator_id       BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
  created_at        BIGINT NOT NULL,
  assigned_at       BIGINT,
  closed_at         BIGINT,
  first_response_at BIGINT,
  reassured_at      BIGINT,
  closed_by         BIGINT
);
CREATE INDEX handovers_by_conversation ON handovers(conversation_id, id);
CREATE INDEX handovers_by_contact ON handovers(contact_id);
CREATE INDEX handovers_open ON handovers(state, queue) WHERE state <> 'closed';

-- Append-only: who did what. Never addresses or message bodies.
CREATE TABLE audit_log (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor       TEXT   NOT NULL,
  action      TEXT   NOT NULL,
  subject     TEXT   NOT NULL,
  detail_json TEXT   NOT NULL DEFAULT '{}'
);
-- Triggers bind every role, the table's owner included (a REVOKE would not).
-- Statement-level: an UPDATE or DELETE is refused even when it matches no row.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
-- PostgreSQL only: TRUNCATE bypasses DELETE triggers.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Operators' notes on a conversation, for colleagues.
CREATE TABLE notes (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  contact_id      BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  account_id      BIGINT,
  body            BYTEA  NOT NULL,
  created_at      BIGINT NOT NULL
);
CREATE INDEX notes_by_conversation ON notes(conversation_id, id);
CREATE INDEX notes_by_contact ON notes(contact_id);

-- The content studio: published versions as files stored once by digest, and
-- the draft. Content is not personal data: nothing here is encrypted.
CREATE TABLE content_blobs (
  digest TEXT  PRIMARY KEY,
  body   BYTEA NOT NULL
);
CREATE TABLE content_versions (
  id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at   BIGINT  NOT NULL,
  account_id   BIGINT,
  author       TEXT    NOT NULL,
  message      TEXT    NOT NULL,
  origin       TEXT    NOT NULL,
  rollback_of  BIGINT,
  digest       TEXT    NOT NULL,
  changes      INTEGER NOT NULL,
  changes_json TEXT    NOT NULL
);
CREATE TABLE content_version_files (
  version_id BIGINT NOT NULL REFERENCES content_versions(id),
  path       TEXT   NOT NULL,
  digest     TEXT   NOT NULL REFERENCES content_blobs(digest),
  PRIMARY KEY (version_id, path)
);
CREATE TABLE content_draft (
  entry      TEXT    PRIMARY KEY,
  in_draft   BOOLEAN NOT NULL,
  value_json TEXT,
  revision   BIGINT  NOT NULL,
  account_id BIGINT,
  author     TEXT    NOT NULL,
  updated_at BIGINT  NOT NULL
);

-- Anonymised statistics: counters per ISO week, country, metric and value, with
-- no reference to any person (no foreign key: erasing a contact leaves them).
-- SQLite's WITHOUT ROWID has no counterpart: a heap table with its primary key.
CREATE TABLE stats_counts (
  week    TEXT   NOT NULL,
  country TEXT   NOT NULL,
  metric  TEXT   NOT NULL,
  value   TEXT   NOT NULL,
  count   BIGINT NOT NULL CHECK (count >= 0),
  PRIMARY KEY (week, metric, value, country)
);

-- The intake (gateway/store/intake.h): in SQLite a database file of its own, so
-- that storing a message never waits for the main database's writer; here a
-- table of the same database, since PostgreSQL writers do not wait for each
-- other's unrelated rows. Same name and columns, so the payload's associated
-- data stays "inbound_queue.payload".
CREATE TABLE inbound_queue (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel_id      TEXT    NOT NULL,
  provider_id     TEXT    NOT NULL,
  payload         BYTEA   NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT  NOT NULL,
  last_error      TEXT    NOT NULL DEFAULT '',
  received_at     BIGINT  NOT NULL,
  sender_key      BYTEA,
  error_kind      TEXT    NOT NULL DEFAULT '',
  dead_at         BIGINT,
  -- Several instances: a message handed to one instance's worker is leased to
  -- it (its instance id) until lease_until; another instance takes it only
  -- once the lease has run out (the holder died before finish()).
  claimed_by      TEXT,
  lease_until     BIGINT
);
CREATE INDEX inbound_queue_dead ON inbound_queue(dead_at) WHERE dead_at IS NOT NULL;
-- Several instances: replaces SQLite's inbound_queue_failed (sender_key, id)
-- WHERE attempts > 0. Here a message is held back behind any earlier message
-- of its sender still in the queue, also one that another instance holds (not
-- only one that failed), so the index covers every row. It also counts the
-- messages a dead letter holds.
CREATE INDEX inbound_queue_by_sender ON inbound_queue(sender_key, id);
-- Several instances: the claim reads the due messages (next_attempt_at <= now)
-- from here rather than the whole queue, then leaves out those whose lease runs.
CREATE INDEX inbound_queue_due ON inbound_queue(next_attempt_at, id) WHERE dead_at IS NULL;
)sql";

// Several instances: each channel's pace of sending, shared by every instance
// (Store::reserve_send_slot), so that a channel's max_per_second holds for the
// channel as a whole. One row per channel: the time of its next free slot in the
// database server's clock (microseconds since the epoch), moved on by one
// interval per send in one atomic UPDATE (the generic cell rate algorithm).
constexpr const char* kSendPacing = R"sql(
CREATE TABLE send_pacing (
  channel_id   TEXT   PRIMARY KEY,
  next_slot_us BIGINT NOT NULL
);
)sql";

// Several instances: the staff login sessions (Store::put_staff_session and the
// methods beside it), so that a session made through one instance is recognised
// by every other and a logout or a disabled account ends it everywhere. Keyed by
// SHA-256 of the cookie token, never the token; the CSRF token is sealed
// ("staff_sessions.csrf_token"). An account's sessions go with it.
constexpr const char* kStaffSessions = R"sql(
CREATE TABLE staff_sessions (
  token_hash BYTEA  PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  username   TEXT   NOT NULL,
  role       TEXT   NOT NULL,
  csrf_token BYTEA  NOT NULL,
  credential TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen  BIGINT NOT NULL
);
CREATE INDEX staff_sessions_by_account ON staff_sessions(account_id);
)sql";

// Login throttling's counts, shared by the instances (LoginThrottle). Accounts
// (lower-case usernames) and client addresses are keyed by SHA-256, never kept
// in clear; a known-good pair by SHA-256 of "<account>\n<address>". Times are
// Unix ms, 0 for none. Rows that can no longer change a decision are deleted
// as attempts come (at most once a minute).
constexpr const char* kLoginThrottle = R"sql(
CREATE TABLE login_accounts (
  key             BYTEA   PRIMARY KEY,
  failures        INTEGER NOT NULL DEFAULT 0,
  in_flight       INTEGER NOT NULL DEFAULT 0,
  in_flight_until BIGINT  NOT NULL DEFAULT 0,
  last_failure    BIGINT  NOT NULL DEFAULT 0,
  next_allowed    BIGINT  NOT NULL DEFAULT 0
);
CREATE TABLE login_addresses (
  key             BYTEA            PRIMARY KEY,
  tokens          DOUBLE PRECISION NOT NULL DEFAULT 0,
  refilled        BIGINT           NOT NULL DEFAULT 0,
  in_flight       INTEGER          NOT NULL DEFAULT 0,
  in_flight_until BIGINT           NOT NULL DEFAULT 0
);
CREATE TABLE login_failures (
  second   BIGINT  PRIMARY KEY,
  failures INTEGER NOT NULL
);
CREATE TABLE login_known_good (
  pair  BYTEA  PRIMARY KEY,
  until BIGINT NOT NULL
);
)sql";

// Key rotation (SQLite 9): the rotation in progress, and the keys (by key id)
// each serving instance holds.
constexpr const char* kKeyRotation = R"sql(
CREATE TABLE key_rotation (
  id         BIGINT PRIMARY KEY CHECK (id = 1),
  started_at BIGINT NOT NULL,
  data_key   TEXT   NOT NULL,
  index_key  TEXT   NOT NULL,
  progress   TEXT   NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE key_holders (
  instance  TEXT   PRIMARY KEY,
  data_keys TEXT   NOT NULL,
  index_key TEXT   NOT NULL,
  seen_at   BIGINT NOT NULL
);
)sql";

}  // namespace

const std::vector<Migration>& postgres_migrations() {
  static const std::vector<Migration> kAll = {
      {1, "initial schema (SQLite 1..8 and its intake 1..2)", kInitialSchema},
      {2, "send_pacing: each channel's sending pace, shared by the instances", kSendPacing},
      {3, "staff_sessions: staff login sessions, shared by the instances", kStaffSessions},
      {4, "login_*: login throttling's counts, shared by the instances", kLoginThrottle},
      {5, "key_rotation, key_holders: key rotation (SQLite 9)", kKeyRotation},
  };
  return kAll;
}

const char* postgres_migrations_table_sql() {
  return "CREATE TABLE IF NOT EXISTS schema_migrations ("
         " version INTEGER NOT NULL PRIMARY KEY,"
         " applied_at BIGINT NOT NULL)";
}

}  // namespace gw

// Plain records the Store reads and writes. No backend types here: the SQLite
// backend and a later PostgreSQL one fill the same structs.
//
// Text-valued enumerations are kept as the strings stored in the database (the
// allowed values are listed beside each field); the Store refuses others with
// kInvalidArgument. Sensitive fields (marked "encrypted at rest") are plaintext
// in memory only: the Store encrypts them with Crypto before they reach disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.h"

namespace gw {

struct Contact {
  int64_t id = 0;
  std::string channel_id;
  std::string address;   // phone number / chat id as the channel gives it; encrypted at rest
  std::string language;  // BCP-47-ish code chosen by the person, "" until known
  std::string country;   // ISO 3166 alpha-2, "" until known
  bool opted_out = false;
  std::string consent = "none";  // "none" | "given" | "declined"
  bool erase_pending = false;    // erased once its unsent replies have left (erase_contact_after_outbox)
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> last_inbound_at;
};

struct Conversation {
  int64_t id = 0;
  int64_t contact_id = 0;
  std::string channel_id;
  std::string state = "bot";  // "bot" | "waiting" | "assigned" | "closed"
  TimePoint created_at{};
  TimePoint updated_at{};
  // Where the statistics counted this conversation's start (its country and
  // language as StatCount values); both "" until it was counted.
  std::string stat_country;
  std::string stat_language;
};

struct Message {
  int64_t id = 0;
  int64_t contact_id = 0;
  int64_t conversation_id = 0;
  std::string channel_id;
  std::string direction;                   // "in" | "out"
  std::optional<std::string> provider_id;  // Twilio MessageSid, Telegram update/message id
  // "received" (inbound) | "queued" | "sending" | "sent" | "delivered" | "undelivered" |
  // "failed" | "read" | "held"; see message_status.h for the order.
  std::string status;
  std::optional<int> error_code;  // provider error code (e.g. Twilio 30003)
  std::string body;               // encrypted at rest
  int segments = 0;               // SMS segments billed, 0 when unknown
  std::string template_key;       // outbound: the template it was rendered from, "" for free text
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct InsertedMessage {
  int64_t id = 0;
  bool inserted = false;  // false: a message with this provider id was stored before
};

// An inbound message stored as it arrived, before its conversation handled it
// (Intake::queue).
struct QueuedInbound {
  int64_t id = 0;
  std::string channel_id;
  std::string provider_id;
  std::string payload;  // what the channel handed over, serialized; encrypted at rest
  int attempts = 0;     // handling attempts that failed so far
  TimePoint received_at{};
  std::string error;       // set instead of payload when the payload cannot be decrypted
  std::string sender_key;  // a keyed hash of who sent it (opaque); "" when unknown
};

// An inbound message whose handling failed too often (Intake::finish): kept,
// payload sealed, until a supervisor has it tried again. What may be shown of
// it: no body, no address.
struct DeadLetter {
  int64_t id = 0;  // its id in the intake
  std::string channel_id;
  TimePoint received_at{};
  TimePoint dead_at{};     // when its last attempt failed
  int attempts = 0;        // handling attempts that failed
  std::string error_kind;  // the last failure's error_code_name(), e.g. "invalid_argument"
  int64_t held = 0;        // later messages of the same person still in the intake
};

struct OutboxItem {
  int64_t id = 0;
  int64_t message_id = 0;
  int64_t contact_id = 0;
  int64_t conversation_id = 0;
  std::string channel_id;
  std::string state;  // "pending" | "sending" | "sent" | "failed"
  int attempts = 0;   // claims so far, including the current one
  TimePoint next_attempt_at{};
  std::optional<TimePoint> lease_until;
  std::string last_error;  // of the previous attempt; encrypted at rest (may quote a number)
  // Filled by claim_due_outbox:
  std::string body;          // the message text, decrypted
  std::string address;       // the contact's address, decrypted
  std::string template_key;  // of the message, "" for free text
};

struct Handover {
  int64_t id = 0;
  int64_t conversation_id = 0;
  int64_t contact_id = 0;
  std::string queue;
  std::string priority = "normal";  // "urgent" | "high" | "normal"
  std::string language;
  std::string reason;                  // why the bot handed over; encrypted at rest (may be free text)
  std::string state = "waiting";       // "waiting" | "assigned" | "closed"
  std::optional<int64_t> operator_id;  // Account id
  TimePoint created_at{};
  std::optional<TimePoint> assigned_at;
  std::optional<TimePoint> closed_at;
  std::optional<TimePoint> first_response_at;  // the first operator reply
  std::optional<TimePoint> reassured_at;       // when the person was told they are still waiting
  std::optional<int64_t> closed_by;            // Account id
};

// An operator's note on a conversation, for colleagues; never sent to the person.
struct Note {
  int64_t id = 0;
  int64_t conversation_id = 0;
  int64_t contact_id = 0;
  std::optional<int64_t> account_id;  // who wrote it
  std::string body;                   // encrypted at rest
  TimePoint created_at{};
};

struct Account {
  int64_t id = 0;
  std::string username;  // unique, compared case-insensitively (ASCII)
  std::string password_hash;
  std::string role = "operator";  // "operator" | "supervisor" | "editor" | "admin"
  bool disabled = false;
  TimePoint created_at{};
  std::vector<std::string> languages;  // language codes the operator answers in
  std::vector<std::string> queues;     // helpline queues the operator serves
  int capacity = 3;                    // conversations the operator takes at once
  bool must_change_password = false;   // holds a one-time password until changed
  bool reviewer = false;               // an editor who may publish content
};

// A staff login session in a table shared by the instances (Store::put_staff_session
// and the methods beside it). Keyed by the SHA-256 of the cookie token: the token
// itself is never stored, so the table hands out no live cookie.
struct StaffSessionRecord {
  std::string token_hash;  // SHA-256(token), 32 raw bytes
  int64_t account_id = 0;
  std::string username;
  std::string role;
  std::string csrf_token;  // a secret: encrypted at rest
  std::string credential;  // opaque fingerprint of the password hash at login
  TimePoint created_at{};
  TimePoint last_seen{};
};

// One anonymised counter (Store::add_stats, Store::read_stats): how many times
// `metric` took `value` in an ISO week, among people whose country was `country`
// at the time. Holds no identifier, address, text or time finer than the week,
// so it cannot be joined back to a person; erasing a person leaves it as it is.
struct StatCount {
  std::string week;     // ISO 8601 week, "2026-W49" (UTC); sorts as text in time order
  std::string country;  // the person's country then: ISO 3166 alpha-2, "other" or "unknown"
  std::string metric;   // e.g. "conversations.channel" (gateway/stats/stat_keys.h)
  std::string value;    // e.g. "sms"; a code from content or configuration, never text a person wrote
  int64_t count = 0;    // for add_stats: the change (may be negative); for read_stats: the total
  bool operator==(const StatCount&) const = default;
};

// Who did what to which thing. Never holds an address or a message body: the
// subject is an id ("contact:42"), details are ids, counts and codes.
struct AuditEntry {
  int64_t id = 0;  // set by the store
  TimePoint at{};
  std::string actor;    // "system", "account:7", ...
  std::string action;   // "contact.erased", "account.login", ...
  std::string subject;  // "contact:42"
  std::string detail_json = "{}";
};

}  // namespace gw

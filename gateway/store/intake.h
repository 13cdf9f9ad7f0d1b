// Intake: where an inbound message is stored the moment its webhook is
// authenticated, before its conversation handles it. The webhook is answered
// once the message is here; the IntakeWorker then hands it to Conversations and
// takes it out once the conversation's changes are committed in the Store.
//
// A database of its own (SQLite: beside the main one, see intake_path_for), so
// that storing a message never waits for a conversation being handled in the
// main database. The two commits are not one transaction: a crash after the
// Store's commit and before finish() hands the message over again, and the
// Store recognises it by its provider id (insert_inbound): it is neither stored
// nor answered twice.
//
// Each person's messages are handled in the order they arrived: a message is
// held back while an earlier one of the same sender waits for its retry. A
// message whose handling failed too often becomes a dead letter: never dropped,
// it waits, sealed, until a supervisor has it tried again (retry_dead_letter),
// and it holds nothing back — the person's later messages (STOP, erasure, a cry
// for help) are handled; a person is never silenced by one message.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/security/crypto.h"
#include "gateway/store/records.h"

namespace gw {

class Intake {
 public:
  virtual ~Intake() = default;

  // Stores an authenticated inbound message (`payload`: its fields, serialized;
  // encrypted at rest) for handling. `sender` is who sent it on `channel_id`
  // (their address): it is kept only as a keyed hash (Crypto::index_hash), which
  // keeps their messages in order. Durable when it returns (concurrent callers
  // share a commit). A provider's retry is stored again: the Store recognises it
  // by its provider id when it is handled. (A unique index here would cost each
  // message a write at a random place of the index, for nothing the Store does
  // not do already.)
  virtual Status queue(const std::string& channel_id, const std::string& provider_id,
                       const std::string& sender, const std::string& payload, TimePoint now) = 0;
  // Up to `limit` queued messages due at `now`, oldest first; not the dead
  // letters, nor a message held behind an earlier one of its sender that
  // failed and is not due again yet.
  virtual Result<std::vector<QueuedInbound>> due(TimePoint now, int limit) = 0;

  struct Deferral {
    int64_t id = 0;
    TimePoint next_attempt_at{};
    std::string error;       // why handling failed (never personal data)
    std::string error_kind;  // error_code_name() of that error
    bool dead = false;       // its attempts are used up: it becomes a dead letter
  };
  // In one transaction: the `handled` messages leave the intake (their payload
  // with them); the `deferred` ones get attempts + 1 and wait until their time,
  // or, `dead`, join the dead letters (at `now`).
  virtual Status finish(const std::vector<int64_t>& handled, const std::vector<Deferral>& deferred,
                        TimePoint now) = 0;
  // Messages queued, due, deferred or held; not the dead letters.
  virtual Result<int64_t> depth() = 0;

  // ---- Dead letters ----
  virtual Result<int64_t> dead_letter_count() = 0;
  // Up to `limit` dead letters, oldest first.
  virtual Result<std::vector<DeadLetter>> dead_letters(int limit) = 0;
  // Puts dead letter `id` back in the queue, due at `now`, with its attempts
  // counted afresh. kNotFound when `id` is no dead letter.
  virtual Status retry_dead_letter(int64_t id, TimePoint now) = 0;

  // Releases the database; later calls return kUnavailable. Idempotent.
  virtual Status close() = 0;
};

// The SQLite intake at `path` (":memory:": a private in-memory one), created
// 0600 if missing, in WAL mode with small pages (its rows are small and short-lived).
Result<std::unique_ptr<Intake>> open_sqlite_intake(const std::string& path, const Crypto& crypto,
                                                   Clock& clock);

// Where the intake of the SQLite database at `database_path` lives:
// "data/gateway.db" → "data/gateway-intake.db", "file:x.db?mode=rwc" →
// "file:x-intake.db?mode=rwc"; ":memory:" for ":memory:".
std::string intake_path_for(const std::string& database_path);

}  // namespace gw

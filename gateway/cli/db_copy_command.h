// `gateway db copy --to URL [--config FILE]`: moves a SQLite deployment into an
// empty PostgreSQL database, so that a helpline can grow to several gateway
// instances without losing its history.
//
// The source is the configuration's SQLite database (database.path) and its
// intake file (intake_path_for), read with the configuration's keys (as `serve`
// loads them; a key file is never created here). The target's schema is made by
// the PostgreSQL migrations (open_postgres_store), then every table is copied in
// foreign-key order, in one PostgreSQL transaction, rows streamed in batches:
// ids are kept (identities inserted OVERRIDING SYSTEM VALUE, then moved past the
// highest id), 0/1 flags become booleans, sealed values are copied byte for byte
// (their associated data "<table>.<column>" is the same in both schemas, so they
// decrypt unchanged with the same keys); the intake's queued and dead messages
// go to inbound_queue.
//
// Before the commit the copy is verified: every table's row count equals the
// source's, and a random sample of each sealed column (up to 100 values) decrypts
// with the configured keys (and sampled contact addresses hash to their
// address_hash with the index key). Any failure rolls the whole copy back: the
// target is left as it was.
//
// Refused (one line on `err`, exit 1): a source that does not exist, or whose
// schema (or intake's) is not the one this gateway writes; a target in which any
// table already has rows. The gateway must be stopped during the copy: the
// command holds SQLite's write lock on both files for the whole copy (so the copy
// is consistent and nothing is written meanwhile), and refuses when another
// process holds it for more than two seconds.
//
// Nothing it prints or reports holds an address, a message body or the URL's
// password: per table "contacts: 1234 rows", then "verified: N sealed values
// decrypted".
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

struct DbCopyOptions {
  // The target: a libpq connection URI, or "env:NAME" to read it from the
  // environment variable NAME (keeps the password off the command line).
  std::string to;
  // JSON configuration file of the SQLite deployment (default: the embedded default).
  std::string config_path;
};

// Runs the copy; returns the process's exit code (0 on success, 1 on any failure
// or refusal, with nothing changed in the target).
int run_db_copy(const DbCopyOptions& options, std::ostream& out, std::ostream& err);

}  // namespace gw::cli

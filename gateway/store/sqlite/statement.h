// Statement: an owned sqlite3_stmt (finalised on destruction) with typed binds
// and column reads. Values always travel through bind(), never through SQL text.
// Code runs SQL through Database::run / query_one / query (database.h), which
// prepare, bind, step and check in one call and hand each row to a reader as a
// const Statement&. Used on its own:
//
//   auto st = db.prepare("SELECT id FROM contacts WHERE channel_id = ?1 AND address_hash = ?2");
//   if (!st) return st.error();
//   st->bind_all(channel_id, Blob{hash});  // or st->bind(1, channel_id).bind(2, Blob{hash})
//   auto row = st->step();                 // Result<bool>: true while there is a row
//   if (row && *row) id = st->int64(0);
//
// A failed bind is remembered and reported by the next step(), so call sites can
// chain binds without checking each one.
//
// A Statement either owns its sqlite3_stmt (finalised on destruction) or borrows
// one from its Database's statement cache (database.h): a borrowed statement is
// reset and its bindings cleared on destruction, ready for the next user.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::sqlite {

// Marks bytes to bind as a BLOB rather than TEXT (encrypted values, hashes).
struct Blob {
  std::string_view bytes;
};

// Maps a SQLite result code to an Error; `what` says which operation failed.
// The message holds sqlite3_errmsg, which names tables and columns, not values.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  // Owns `stmt`.
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  // Borrows `stmt` from a cache; `*in_use` is set to false when this is destroyed.
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL "?1".
  Statement& bind(int index, int64_t v);
  Statement& bind(int index, int v) { return bind(index, static_cast<int64_t>(v)); }
  Statement& bind(int index, bool v) { return bind(index, static_cast<int64_t>(v ? 1 : 0)); }
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, Blob blob);
  Statement& bind(int index, std::nullopt_t);
  template <class T>
  Statement& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, std::nullopt);
  }

  // Binds `args` to ?1, ?2, ... in order, each through one of the overloads above.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    [[maybe_unused]] int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Advances: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Status run();

  // Column reads for the current row (0-based). NULL reads as 0 / "".
  bool is_null(int col) const;
  int64_t int64(int col) const;
  std::string text(int col) const;
  std::string blob(int col) const;
  std::optional<int64_t> optional_int64(int col) const;
  std::optional<std::string> optional_text(int col) const;

  // The statement itself, for SQLite calls this class does not wrap (copying
  // values of any type with sqlite3_column_value / sqlite3_bind_value).
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  void note_bind(int rc);
  void release();

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // non-null when borrowed from a cache
  int bind_error_ = 0;      // first failed bind's result code, reported by step()
};

}  // namespace gw::sqlite

// Connection: an owned libpq connection that runs parameterised statements only,
// each prepared once per connection (PQprepare) and then executed with
// PQexecPrepared; Transaction: a scope that rolls back unless committed. In the
// spirit of gateway/store/sqlite/database.h: the header only forward-declares
// libpq's types, destructors never throw, errors are Results.
//
//   auto c = Connection::connect("postgresql:///gw?host=/run/postgresql");
//   auto n = c->run("UPDATE contacts SET opted_out = TRUE WHERE id = $1", id);  // Result<int64_t>: rows
//   auto r = c->query_one("SELECT id, language FROM contacts WHERE id = $1",
//                         [](const PgRow& row) { return Contact{row.int64(0), row.text(1)}; }, id);
//   // Result<std::optional<Contact>>: nullopt when there is no row
//   Status s = c->query("SELECT id FROM contacts", [&](const PgRow& row) { ids.push_back(row.int64(0)); });
//
// Arguments go to $1, $2, ... in order: int32_t (int4), int64_t (int8), bool, double
// (float8) and text (std::string, std::string_view, const char*; sent with no type,
// so the server reads it as the column or cast needs, e.g. a timestamptz) travel
// as text; Bytea (encrypted values, hashes) travels as binary bytea; std::nullopt
// or an empty std::optional is NULL. Results come back as text.
//
// Errors map to the gateway's codes by SQLSTATE: a lost or refused connection
// (class 08, 57P01-57P03, 53xxx) and a serialization failure or deadlock (40001,
// 40P01) are kUnavailable, so the caller may retry (a new connection, a new
// transaction); 23505 (unique violation) is kAlreadyExists; other integrity and
// data errors (23xxx, 22xxx) are kInvalidArgument; 57014 (statement timeout) is
// kTimeout; anything else kInternal. An Error carries the operation, a short
// description and the SQLSTATE, never a parameter value: the server's own text is
// kept only for SQL errors (class 42, naming the statement's tables and columns)
// and constraint names; the rest of its messages can quote a value.
//
// A Connection is used by one thread at a time. Once the server has gone
// (restart, terminated backend, network) broken() is true and every call fails
// with kUnavailable: drop it and connect anew (PgPool does).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gateway/core/result.h"

struct pg_conn;
struct pg_result;

namespace gw::pg {

// Marks bytes to send as bytea rather than text (encrypted values, hashes).
struct Bytea {
  std::string_view bytes;
};

// The parameters of one statement, in libpq's arrays. Values are copied.
class Params {
 public:
  void add(int32_t v);
  void add(int64_t v);
  void add(bool v);
  void add(double v);
  void add(std::string_view text);
  void add(const std::string& text) { add(std::string_view(text)); }
  void add(const char* text) { add(std::string_view(text)); }
  void add(Bytea bytes);
  void add(std::nullopt_t);
  template <class T>
  void add(const std::optional<T>& v) {
    if (v) {
      add(*v);
    } else {
      add(std::nullopt);
    }
  }
  template <class... Args>
  static Params of(const Args&... args) {
    Params p;
    (p.add(args), ...);
    return p;
  }

  int size() const { return static_cast<int>(values_.size()); }
  // The parameters' type OIDs as text ("20,17,0"): with the SQL, the key of a
  // prepared statement (the types are fixed when it is prepared).
  std::string type_signature() const;

  const std::vector<unsigned>& types() const { return types_; }
  // Pointers into the stored values (null for NULL), lengths and formats (1: binary).
  std::vector<const char*> value_pointers() const;
  const std::vector<int>& lengths() const { return lengths_; }
  const std::vector<int>& formats() const { return formats_; }

 private:
  void push(unsigned type, std::optional<std::string> value, int format);
  std::vector<std::optional<std::string>> values_;
  std::vector<unsigned> types_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One row of a result, for the readers of query_one() and query(). Columns are
// 0-based. A read of the wrong kind (int64 of a text column, ...) returns a zero
// value and makes the query fail with kInternal after the reader returns.
class PgRow {
 public:
  PgRow(const pg_result* res, int row) : res_(res), row_(row) {}

  int columns() const;
  bool is_null(int col) const;
  // int2, int4 or int8 columns; 0 for NULL.
  int64_t int64(int col) const;
  // A bool column; false for NULL.
  bool boolean(int col) const;
  // float4, float8 or integer columns; 0 for NULL.
  double float64(int col) const;
  // Any column as the server's text form ("" for NULL); bytea: use bytes().
  std::string text(int col) const;
  std::optional<std::string> optional_text(int col) const;
  // A bytea column's bytes; "" for NULL.
  std::string bytes(int col) const;
  std::optional<std::string> optional_bytes(int col) const;

  // The first wrong read, if any (set by the accessors above).
  const std::optional<std::string>& misread() const { return misread_; }

 private:
  bool check(int col, std::initializer_list<unsigned> types, const char* want) const;
  const pg_result* res_;
  int row_;
  mutable std::optional<std::string> misread_;
};

// Maps a failed result (or, with `res` null, the connection's state) to an
// Error, as the header comment says; `what` names the operation.
Error pg_error(const pg_conn* conn, const pg_result* res, std::string_view what);
// The code for a SQLSTATE (five characters; "" when there was none).
ErrorCode code_for_sqlstate(std::string_view sqlstate);

class Connection {
 public:
  struct Options {
    // libpq's connect_timeout (it counts whole seconds, and at least 2); a value
    // in the URI wins.
    std::chrono::seconds connect_timeout{5};
    std::string application_name = "gateway";
  };

  // Connects to `uri` (a libpq connection URI or key=value string), with client
  // encoding UTF8. kUnavailable when the server cannot be reached or refuses.
  static Result<Connection> connect(const std::string& uri, const Options& options);
  static Result<Connection> connect(const std::string& uri) { return connect(uri, Options{}); }

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();  // closes; never throws

  // Runs SQL without parameters, possibly several statements (schema,
  // migrations). Never build `sql` from values: use run() and parameters.
  Status exec(std::string_view sql);

  // Runs the one statement `sql` with `args` as $1, $2, ... and returns the
  // number of rows it inserted, updated, deleted or returned.
  template <class... Args>
  Result<int64_t> run(std::string_view sql, const Args&... args);

  // Runs `sql` as run() does and returns its first row as read by `read`, a
  // function of (const PgRow&) returning T or Result<T>; nullopt when there is
  // no row.
  template <class Read, class... Args>
  auto query_one(std::string_view sql, Read&& read, const Args&... args);

  // Runs `sql` as run() does and calls `on_row` (a function of (const PgRow&)
  // returning void or Status) for each row, in order. The first error stops it.
  template <class OnRow, class... Args>
  Status query(std::string_view sql, OnRow&& on_row, const Args&... args);

  // The statement behind run(), query_one() and query(): prepares `sql` for
  // these parameter types once per connection (so `sql` must be fixed text from
  // the code, never built from values) and executes it. `on_result` sees the
  // result when it succeeded.
  Status execute(std::string_view sql, const Params& params,
                 const std::function<Status(const pg_result*)>& on_result);

  // True once the connection to the server is lost: every call fails with
  // kUnavailable from then on.
  bool broken() const;
  // Reads what the server sent while this connection was idle, without
  // blocking, and returns !broken(): a backend that was terminated or a server
  // that went down since the last call shows here, most of the time.
  bool check_alive();
  // A notification (NOTIFY) of a channel this connection listens to (LISTEN).
  struct Notification {
    std::string channel;
    std::string payload;
  };
  // The notifications that arrived, waiting up to `timeout` for the first when
  // none is there yet (an empty list: none came). kUnavailable once the
  // connection is lost: LISTEN again on a new one. Use a connection of its own
  // for listening (check_alive(), which the pool calls, discards notifications).
  Result<std::vector<Notification>> wait_notifications(std::chrono::milliseconds timeout);

  // True inside a transaction block (also one that failed and awaits ROLLBACK).
  bool in_transaction() const;
  // True inside a transaction block that failed: only ROLLBACK (TO) works.
  bool transaction_failed() const;
  // The server process of this connection (pg_backend_pid()), for tests and logs.
  int backend_pid() const;

  size_t cached_statements() const { return statements_ ? statements_->size() : 0; }

 private:
  explicit Connection(pg_conn* conn);
  pg_conn* conn_ = nullptr;
  // SQL text + '\0' + type signature -> the statement's name on the server.
  std::unique_ptr<std::unordered_map<std::string, std::string>> statements_;
};

namespace detail {
template <class T>
struct ResultValue {
  using type = T;
};
template <class T>
struct ResultValue<Result<T>> {
  using type = T;
};
Result<int64_t> affected_rows(const pg_result* res);
int row_count(const pg_result* res);
Error misread_error(const std::string& what);
}  // namespace detail

template <class... Args>
Result<int64_t> Connection::run(std::string_view sql, const Args&... args) {
  int64_t rows = 0;
  Status st = execute(sql, Params::of(args...), [&](const pg_result* res) -> Status {
    auto n = detail::affected_rows(res);
    if (!n) return n.error();
    rows = *n;
    return {};
  });
  if (!st) return st.error();
  return rows;
}

template <class Read, class... Args>
auto Connection::query_one(std::string_view sql, Read&& read, const Args&... args) {
  using ReadResult = std::invoke_result_t<Read&, const PgRow&>;
  using T = typename detail::ResultValue<ReadResult>::type;
  using Out = Result<std::optional<T>>;
  std::optional<T> out;
  Status st = execute(sql, Params::of(args...), [&](const pg_result* res) -> Status {
    if (detail::row_count(res) == 0) return {};
    PgRow row(res, 0);
    if constexpr (std::is_same_v<ReadResult, T>) {
      out.emplace(read(std::as_const(row)));
    } else {
      ReadResult value = read(std::as_const(row));
      if (!value) return value.error();
      out.emplace(std::move(*value));
    }
    if (row.misread()) return detail::misread_error(*row.misread());
    return {};
  });
  if (!st) return Out(st.error());
  return Out(std::move(out));
}

template <class OnRow, class... Args>
Status Connection::query(std::string_view sql, OnRow&& on_row, const Args&... args) {
  return execute(sql, Params::of(args...), [&](const pg_result* res) -> Status {
    const int n = detail::row_count(res);
    for (int i = 0; i < n; ++i) {
      PgRow row(res, i);
      if constexpr (std::is_void_v<std::invoke_result_t<OnRow&, const PgRow&>>) {
        on_row(std::as_const(row));
      } else {
        if (Status s = on_row(std::as_const(row)); !s) return s;
      }
      if (row.misread()) return detail::misread_error(*row.misread());
    }
    return {};
  });
}

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

// Opens a transaction on construction and rolls it back on destruction unless
// commit() succeeded. On a connection outside a transaction it is BEGIN (at
// `isolation`) ... COMMIT; inside one it is a SAVEPOINT (the isolation is the
// enclosing one's): commit() releases it into the enclosing transaction, which
// alone makes the work durable, and a rollback undoes only what was done since
// the savepoint. After a statement failed inside it, commit() fails (kInternal
// or the failure's code) and the destructor rolls back; a serialization failure
// at COMMIT is kUnavailable: run the whole transaction again.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& conn, Isolation isolation = Isolation::kReadCommitted);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();
  bool nested() const { return nested_; }

 private:
  Transaction(Connection* conn, bool nested) : conn_(conn), nested_(nested) {}
  Connection* conn_ = nullptr;  // null once committed or rolled back
  bool nested_ = false;
};

}  // namespace gw::pg

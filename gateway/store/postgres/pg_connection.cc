#include "gateway/store/postgres/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace gw::pg {

namespace {

// Type OIDs (PostgreSQL's catalog/pg_type.h, fixed across versions).
constexpr unsigned kBoolOid = 16;
constexpr unsigned kByteaOid = 17;
constexpr unsigned kInt8Oid = 20;
constexpr unsigned kInt2Oid = 21;
constexpr unsigned kInt4Oid = 23;
constexpr unsigned kFloat4Oid = 700;
constexpr unsigned kFloat8Oid = 701;
constexpr unsigned kNumericOid = 1700;

// The first line of libpq's message, bounded: libpq's connection messages name
// the host and socket, never a password or a parameter.
std::string first_line(const char* message) {
  std::string s = message ? message : "";
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  if (s.size() > 200) s.resize(200);
  return s;
}

const char* class_description(std::string_view sqlstate) {
  if (sqlstate == "23505") return "unique violation";
  if (sqlstate == "40001") return "serialization failure";
  if (sqlstate == "40P01") return "deadlock detected";
  if (sqlstate == "57014") return "statement canceled";
  if (sqlstate == "25P02") return "statement in a failed transaction";
  if (sqlstate.starts_with("08")) return "connection failure";
  if (sqlstate.starts_with("57P")) return "server shutting down";
  if (sqlstate.starts_with("53")) return "server out of resources";
  if (sqlstate.starts_with("23")) return "integrity constraint violation";
  if (sqlstate.starts_with("22")) return "invalid data";
  if (sqlstate.starts_with("55")) return "object not in prerequisite state";
  return "server error";
}

}  // namespace

// --- Params ------------------------------------------------------------------

void Params::push(unsigned type, std::optional<std::string> value, int format) {
  lengths_.push_back(value ? static_cast<int>(value->size()) : 0);
  values_.push_back(std::move(value));
  types_.push_back(type);
  formats_.push_back(format);
}

void Params::add(int32_t v) {
  push(kInt4Oid, std::to_string(v), 0);
}
void Params::add(int64_t v) {
  push(kInt8Oid, std::to_string(v), 0);
}
void Params::add(bool v) {
  push(kBoolOid, std::string(v ? "t" : "f"), 0);
}
void Params::add(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back the same
  push(kFloat8Oid, std::string(buf, ec == std::errc() ? end : buf), 0);
}
void Params::add(std::string_view text) {
  push(0, std::string(text), 0);
}
void Params::add(Bytea bytes) {
  push(kByteaOid, std::string(bytes.bytes), 1);
}
void Params::add(std::nullopt_t) {
  push(0, std::nullopt, 0);
}

std::string Params::type_signature() const {
  std::string s;
  for (unsigned t : types_) {
    s += std::to_string(t);
    s += ',';
  }
  return s;
}

std::vector<const char*> Params::value_pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->data() : nullptr);
  return out;
}

// --- PgRow -------------------------------------------------------------------

int PgRow::columns() const {
  return PQnfields(res_);
}

bool PgRow::is_null(int col) const {
  return col < 0 || col >= PQnfields(res_) || PQgetisnull(res_, row_, col);
}

bool PgRow::check(int col, std::initializer_list<unsigned> types, const char* want) const {
  if (col < 0 || col >= PQnfields(res_)) {
    if (!misread_) misread_ = "column " + std::to_string(col) + " does not exist";
    return false;
  }
  if (types.size() == 0) return true;
  const unsigned t = PQftype(res_, col);
  for (unsigned ok : types) {
    if (t == ok) return true;
  }
  if (!misread_) {
    misread_ = "column " + std::to_string(col) + " (type " + std::to_string(t) + ") is not " + want;
  }
  return false;
}

int64_t PgRow::int64(int col) const {
  if (!check(col, {kInt2Oid, kInt4Oid, kInt8Oid}, "an integer") || PQgetisnull(res_, row_, col)) return 0;
  const char* s = PQgetvalue(res_, row_, col);
  int64_t v = 0;
  std::from_chars(s, s + PQgetlength(res_, row_, col), v);
  return v;
}

bool PgRow::boolean(int col) const {
  if (!check(col, {kBoolOid}, "a bool") || PQgetisnull(res_, row_, col)) return false;
  return PQgetvalue(res_, row_, col)[0] == 't';
}

double PgRow::float64(int col) const {
  if (!check(col, {kFloat4Oid, kFloat8Oid, kNumericOid, kInt2Oid, kInt4Oid, kInt8Oid}, "a number") ||
      PQgetisnull(res_, row_, col)) {
    return 0;
  }
  return std::strtod(PQgetvalue(res_, row_, col), nullptr);
}

std::string PgRow::text(int col) const {
  if (!check(col, {}, "") || PQgetisnull(res_, row_, col)) return {};
  return std::string(PQgetvalue(res_, row_, col), static_cast<size_t>(PQgetlength(res_, row_, col)));
}

std::optional<std::string> PgRow::optional_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::string PgRow::bytes(int col) const {
  if (!check(col, {kByteaOid}, "bytea") || PQgetisnull(res_, row_, col)) return {};
  size_t n = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(res_, row_, col)), &n);
  if (!raw) {
    if (!misread_) misread_ = "column " + std::to_string(col) + ": bytea could not be decoded";
    return {};
  }
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}

std::optional<std::string> PgRow::optional_bytes(int col) const {
  if (is_null(col)) return std::nullopt;
  return bytes(col);
}

// --- errors ------------------------------------------------------------------

ErrorCode code_for_sqlstate(std::string_view s) {
  if (s == "23505") return ErrorCode::kAlreadyExists;
  if (s == "40001" || s == "40P01") return ErrorCode::kUnavailable;
  if (s == "57014") return ErrorCode::kTimeout;
  if (s == "55P03") return ErrorCode::kUnavailable;  // lock_not_available (NOWAIT)
  if (s.starts_with("08") || s.starts_with("53") || s == "57P01" || s == "57P02" || s == "57P03") {
    return ErrorCode::kUnavailable;
  }
  if (s.starts_with("23") || s.starts_with("22")) return ErrorCode::kInvalidArgument;
  return ErrorCode::kInternal;
}

Error pg_error(const pg_conn* conn, const pg_result* res, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  if (sqlstate.empty()) {
    // No answer from the server: libpq lost the connection or never had one.
    if (!conn || PQstatus(conn) == CONNECTION_BAD) {
      return Error::unavailable("postgres " + std::string(what) +
                                ": connection lost: " + first_line(conn ? PQerrorMessage(conn) : nullptr));
    }
    return Error::internal("postgres " + std::string(what) + ": " +
                           first_line(res ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
  }
  std::string message = "postgres " + std::string(what) + ": ";
  if (sqlstate.starts_with("42")) {
    // Errors in the SQL itself name its tables, columns and types, not values.
    message += first_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
  } else {
    message += class_description(sqlstate);
    if (const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)) {
      message += std::string(" (constraint ") + constraint + ")";
    }
  }
  message += " [SQLSTATE " + sqlstate + "]";
  ErrorCode code = code_for_sqlstate(sqlstate);
  // A FATAL error (57P01 and the like) ends the connection: retrying elsewhere may help.
  if (conn && PQstatus(conn) == CONNECTION_BAD) code = ErrorCode::kUnavailable;
  return Error{code, std::move(message)};
}

namespace detail {

Result<int64_t> affected_rows(const pg_result* res) {
  const char* tuples = PQcmdTuples(const_cast<pg_result*>(res));
  if (!tuples || !*tuples) return int64_t{PQntuples(res)};
  int64_t n = 0;
  std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), n);
  return n;
}

int row_count(const pg_result* res) {
  return PQntuples(res);
}

Error misread_error(const std::string& what) {
  return Error::internal("postgres: reading a row: " + what);
}

}  // namespace detail

// --- Connection --------------------------------------------------------------

namespace {
struct ResultDeleter {
  void operator()(pg_result* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<pg_result, ResultDeleter>;

bool succeeded(const pg_result* res) {
  const auto st = PQresultStatus(res);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}
}  // namespace

Connection::Connection(pg_conn* conn)
    : conn_(conn), statements_(std::make_unique<std::unordered_map<std::string, std::string>>()) {}

Result<Connection> Connection::connect(const std::string& uri, const Options& options) {
  const std::string timeout = std::to_string(options.connect_timeout.count());
  // Defaults first: the URI (expanded in place of dbname) overrides them.
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), options.application_name.c_str(), "UTF8", uri.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn) return Error::unavailable("postgres connect: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    Error e = Error::unavailable("postgres connect: " + first_line(PQerrorMessage(conn)));
    PQfinish(conn);
    return e;
  }
  // libpq prints notices and errors that arrive between statements (a FATAL
  // before the server closes) to stderr; they may quote values, so they go nowhere.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return Connection(conn);
}

Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)), statements_(std::move(other.statements_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_) PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
    statements_ = std::move(other.statements_);
  }
  return *this;
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

bool Connection::broken() const {
  return !conn_ || PQstatus(conn_) != CONNECTION_OK;
}

bool Connection::check_alive() {
  if (broken()) return false;
  // libpq's socket is non-blocking: an idle connection has nothing to read
  // unless the server sent an error (a terminated backend says why) or closed it.
  pollfd p{PQsocket(conn_), POLLIN, 0};
  for (int i = 0; i < 8 && poll(&p, 1, 0) > 0; ++i) {
    if (!PQconsumeInput(conn_)) break;
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  }
  return !broken();
}

Result<std::vector<Connection::Notification>> Connection::wait_notifications(std::chrono::milliseconds timeout) {
  std::vector<Notification> out;
  auto drain = [&] {
    while (PGnotify* n = PQnotifies(conn_)) {
      out.push_back(Notification{n->relname ? n->relname : "", n->extra ? n->extra : ""});
      PQfreemem(n);
    }
  };
  if (broken()) return Error::unavailable("postgres listen: connection lost");
  drain();
  if (!out.empty()) return out;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
  if (ready < 0 && errno != EINTR) return Error::unavailable("postgres listen: poll failed");
  if (ready > 0) {
    if (!PQconsumeInput(conn_) || broken()) {
      return Error::unavailable("postgres listen: connection lost: " + first_line(PQerrorMessage(conn_)));
    }
    drain();
  }
  return out;
}

bool Connection::in_transaction() const {
  if (!conn_) return false;
  const auto st = PQtransactionStatus(conn_);
  return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

bool Connection::transaction_failed() const {
  return conn_ && PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

int Connection::backend_pid() const {
  return conn_ ? PQbackendPID(conn_) : 0;
}

Status Connection::exec(std::string_view sql) {
  if (broken()) return Error::unavailable("postgres: the connection is closed or lost");
  ResultPtr res(PQexec(conn_, std::string(sql).c_str()));
  if (!res || !succeeded(res.get())) return pg_error(conn_, res.get(), "executing SQL");
  return {};
}

Status Connection::execute(std::string_view sql, const Params& params,
                           const std::function<Status(const pg_result*)>& on_result) {
  if (broken()) return Error::unavailable("postgres: the connection is closed or lost");
  std::string key(sql);
  key += '\0';
  key += params.type_signature();
  auto it = statements_->find(key);
  if (it == statements_->end()) {
    std::string name = "gw_" + std::to_string(statements_->size() + 1);
    ResultPtr prepared(
        PQprepare(conn_, name.c_str(), std::string(sql).c_str(), params.size(), params.types().data()));
    if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      return pg_error(conn_, prepared.get(), "preparing a statement");
    }
    it = statements_->emplace(std::move(key), std::move(name)).first;
  }
  const std::vector<const char*> values = params.value_pointers();
  ResultPtr res(PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(),
                               params.lengths().data(), params.formats().data(), /*resultFormat=*/0));
  if (!res || !succeeded(res.get())) return pg_error(conn_, res.get(), "running a statement");
  return on_result(res.get());
}

// --- Transaction -------------------------------------------------------------

namespace {
constexpr const char* kSavepoint = "SAVEPOINT gw_nested";
constexpr const char* kRelease = "RELEASE SAVEPOINT gw_nested";
constexpr const char* kRollbackTo = "ROLLBACK TO SAVEPOINT gw_nested";

const char* begin_sql(Isolation isolation) {
  switch (isolation) {
    case Isolation::kRepeatableRead:
      return "BEGIN ISOLATION LEVEL REPEATABLE READ";
    case Isolation::kSerializable:
      return "BEGIN ISOLATION LEVEL SERIALIZABLE";
    case Isolation::kReadCommitted:
      break;
  }
  return "BEGIN";
}
}  // namespace

Result<Transaction> Transaction::begin(Connection& conn, Isolation isolation) {
  const bool nested = conn.in_transaction();
  if (Status st = conn.exec(nested ? kSavepoint : begin_sql(isolation)); !st) return st.error();
  return Transaction(&conn, nested);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)), nested_(other.nested_) {}

Transaction::~Transaction() {
  if (!conn_ || conn_->broken()) return;
  if (nested_) {
    // Savepoints of one name nest like a stack: this undoes and drops the innermost.
    if (conn_->exec(kRollbackTo)) (void)conn_->exec(kRelease);
  } else if (conn_->in_transaction()) {
    (void)conn_->exec("ROLLBACK");
  }
}

Status Transaction::commit() {
  if (!conn_) return Error::internal("postgres: transaction already finished");
  // COMMIT of a failed transaction answers ROLLBACK without an error: that
  // would be a lie, so refuse it (the destructor rolls back).
  if (conn_->transaction_failed()) {
    return Error::internal("postgres: a statement of the transaction failed; it is rolled back");
  }
  if (!nested_ && !conn_->in_transaction()) {
    conn_ = nullptr;
    return Error::internal("postgres: the transaction ended before commit");
  }
  Status st = conn_->exec(nested_ ? kRelease : "COMMIT");
  if (!st) {
    // A failed COMMIT (serialization failure, lost connection) has ended the
    // transaction; a failed RELEASE leaves it to the destructor.
    if (!nested_) conn_ = nullptr;
    return st;
  }
  conn_ = nullptr;
  return {};
}

}  // namespace gw::pg

// Result<T>: a value or an Error, the one error type of the gateway.
//
// Libraries that throw (nlohmann/json, std::filesystem, ...) are caught at the
// boundary and turned into an Error, so code above that boundary never sees an
// exception. Use:
//   Result<Contact> r = store.find_contact(...);
//   if (!r) return r.error();
//   use(*r);
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace gw {

enum class ErrorCode {
  kInvalidArgument,   // the caller's input is wrong (bad config, malformed request)
  kNotFound,          // the thing asked for does not exist
  kAlreadyExists,     // a unique thing exists already (e.g. a duplicate provider id)
  kPermissionDenied,  // authentication or authorisation failed
  kUnavailable,       // a dependency is down or busy; retrying may help
  kTimeout,           // a deadline passed
  kIo,                // a file or socket operation failed
  kUnimplemented,     // the feature is not built yet
  kInternal,          // a bug or an invariant that did not hold
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Error invalid(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error exists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Error denied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Error unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error timeout(std::string m) { return {ErrorCode::kTimeout, std::move(m)}; }
  static Error io(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
  static Error unimplemented(std::string m) { return {ErrorCode::kUnimplemented, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  // "code: message", for a log line or a CLI error.
  std::string to_string() const;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok()
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

  T value_or(T fallback) const { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status ok_status() {
  return {};
}

}  // namespace gw

#include "gateway/security/password_hasher.h"

#include <argon2.h>
#include <malloc.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "gateway/core/ids.h"

namespace gw {
namespace {

// Code points in well-formed UTF-8 (ICU's decoder); nullopt when it is not.
std::optional<size_t> utf8_length(std::string_view s) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, s.size(), c);
    if (c < 0) return std::nullopt;
  }
  return count;
}

}  // namespace

Status check_password_policy(std::string_view password) {
  if (password.size() > kMaxPasswordBytes)
    return Error::invalid("the password is too long (at most " + std::to_string(kMaxPasswordBytes) +
                          " bytes)");
  auto chars = utf8_length(password);
  if (!chars) return Error::invalid("the password is not valid UTF-8 text");
  if (*chars < kMinPasswordChars)
    return Error::invalid("the password is too short: it needs at least " +
                          std::to_string(kMinPasswordChars) + " characters");
  return {};
}

namespace {

ptrdiff_t slots_for(const PasswordHashOptions& o) {
  return std::clamp<ptrdiff_t>(o.max_concurrent, 1, kMaxConcurrentHashes);
}

}  // namespace

// One Argon2id run holds a slot for its whole run.
class PasswordHasher::Slot {
 public:
  explicit Slot(const PasswordHasher& h) : h_(h) { h_.slots_.acquire(); }
  ~Slot() { h_.slots_.release(); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  const PasswordHasher& h_;
};

void return_hash_memory_to_system() {
#if defined(__GLIBC__)
  // Fixing the threshold also stops glibc from raising it.
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
#endif
}

PasswordHasher::PasswordHasher(PasswordHashOptions options) : options_(options), slots_(slots_for(options)) {}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  if (Status s = check_password_policy(password); !s) return s.error();
  Slot slot(*this);
  const std::string salt = random_bytes(options_.salt_bytes);
  const size_t len = argon2_encodedlen(options_.time_cost, options_.memory_kib, options_.parallelism,
                                       options_.salt_bytes, options_.hash_bytes, Argon2_id);
  std::vector<char> encoded(len + 1, '\0');
  int rc = argon2id_hash_encoded(options_.time_cost, options_.memory_kib, options_.parallelism,
                                 password.data(), password.size(), salt.data(), salt.size(),
                                 options_.hash_bytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK)
    return Error::internal(std::string("argon2id hashing failed: ") + argon2_error_message(rc));
  return std::string(encoded.data());
}

bool PasswordHasher::verify(std::string_view password, const std::string& encoded) const {
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  if (password.size() > kMaxPasswordBytes) return false;
  Slot slot(*this);
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

const std::string& PasswordHasher::dummy_hash() const {
  std::call_once(dummy_once_, [this] {
    // 32 random bytes as hex: always passes the policy, and no one knows it.
    auto h = hash(random_id(32));
    if (h) dummy_ = std::move(*h);
  });
  return dummy_;
}

}  // namespace gw

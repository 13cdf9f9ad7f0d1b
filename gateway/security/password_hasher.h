// PasswordHasher: staff passwords hashed with Argon2id (libargon2), kept as the
// self-describing encoded string "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>",
// so that a later change of parameters still verifies the hashes written before.
//
// Cost, on purpose: the defaults are OWASP's recommended minimum for Argon2id
// (m=19 MiB, t=2 passes, one lane), in the order of 50 ms and 19 MiB of memory
// per hash on one core of a small server. That is paid once per login, and makes
// each guess against a stolen database cost the same. At most `max_concurrent`
// (2) hashes or verifications of one hasher run at once (the others wait), so
// that a burst of logins cannot take more than that many times 19 MiB; with
// return_hash_memory_to_system() that memory goes back when each run ends.
// Tests pass lower parameters through PasswordHashOptions.
//
// The password policy is here too: a password is at least 12 characters
// (Unicode code points, so an Arabic or Ukrainian passphrase counts the same as
// a Latin one) and at most 1024 bytes, which bounds the work a request can ask for.
#pragma once

#include <cstdint>
#include <mutex>
#include <semaphore>
#include <string>
#include <string_view>

#include "gateway/core/result.h"

namespace gw {

struct PasswordHashOptions {
  uint32_t time_cost = 2;           // passes
  uint32_t memory_kib = 19 * 1024;  // 19 MiB
  uint32_t parallelism = 1;         // lanes
  uint32_t salt_bytes = 16;
  uint32_t hash_bytes = 32;
  int max_concurrent = 2;  // runs at once per hasher, 1 to kMaxConcurrentHashes

  // Cheap parameters for tests only: one pass over 8 KiB.
  static PasswordHashOptions for_tests() { return {1, 8, 1, 16, 32, 2}; }
};

inline constexpr size_t kMinPasswordChars = 12;
inline constexpr size_t kMaxPasswordBytes = 1024;
inline constexpr int kMaxConcurrentHashes = 64;

// kInvalidArgument naming what is wrong (too short, too long, not UTF-8); the
// message never quotes the password.
Status check_password_policy(std::string_view password);

// Makes the C library take blocks of 4 MiB and more straight from the system,
// and give them back when freed. Without it glibc raises that threshold once
// the first Argon2id run's 19 MiB is freed, so that later runs take their
// memory from the calling thread's malloc arena, which keeps it: a server each
// of whose threads had verified one password held 19 MiB per thread (ten
// logins: from 24 to 219 MiB). Process-wide; call once at start, before
// threads.
void return_hash_memory_to_system();

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHashOptions options = {});

  // Checks the policy, then hashes with a fresh random salt. Two hashes of the
  // same password differ. kInvalidArgument for a password the policy refuses,
  // kInternal if libargon2 fails (e.g. out of memory).
  Result<std::string> hash(std::string_view password) const;

  // True iff `encoded` is an Argon2id hash of `password`. The comparison inside
  // argon2id_verify is constant-time. A malformed `encoded` is simply false.
  // No policy check: a password set under an older policy still logs in.
  bool verify(std::string_view password, const std::string& encoded) const;

  // A valid hash of a random password, with these options: verifying against it
  // costs what a real verification costs, so that an unknown username takes as
  // long to refuse as a wrong password. Computed once per hasher.
  const std::string& dummy_hash() const;

  const PasswordHashOptions& options() const { return options_; }

 private:
  class Slot;
  PasswordHashOptions options_;
  mutable std::counting_semaphore<kMaxConcurrentHashes> slots_;
  mutable std::string dummy_;
  mutable std::once_flag dummy_once_;
};

}  // namespace gw

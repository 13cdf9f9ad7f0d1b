// Random identifiers and bytes, from OpenSSL's CSPRNG.
#pragma once

#include <cstddef>
#include <string>

namespace gw {

// `n` cryptographically random bytes.
std::string random_bytes(size_t n);
// A random identifier of `bytes` random bytes, lower-case hex (2*bytes chars).
std::string random_id(size_t bytes = 16);
// Lower-case hex of arbitrary bytes.
std::string to_hex(const std::string& bytes);

}  // namespace gw

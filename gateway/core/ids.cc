#include "gateway/core/ids.h"

#include <openssl/rand.h>

#include <stdexcept>

namespace gw {

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // Without randomness no key or id is safe; there is nothing sensible to go on with.
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return out;
}

std::string random_id(size_t bytes) {
  return to_hex(random_bytes(bytes));
}

std::string to_hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace gw

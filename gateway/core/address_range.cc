#include "gateway/core/address_range.h"

#include <arpa/inet.h>

#include <cstring>
#include <optional>

namespace gw {
namespace {

std::optional<std::array<uint8_t, 16>> parse_address(const std::string& text, bool* v4) {
  std::array<uint8_t, 16> out{};
  in_addr a4{};
  if (::inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &a4, 4);
    *v4 = true;
    return out;
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    *v4 = false;
    return out;
  }
  return std::nullopt;
}

}  // namespace

Result<AddressRange> AddressRange::parse(const std::string& text) {
  if (text.size() > 64) return Error::invalid("not an IP address or network");
  const size_t slash = text.find('/');
  bool v4 = false;
  auto addr = parse_address(text.substr(0, slash), &v4);
  if (!addr) return Error::invalid("\"" + text + "\" is not an IP address or network");
  AddressRange r;
  r.bytes_ = *addr;
  const int max_bits = v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string::npos) {
    const std::string p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(p) > max_bits) {
      return Error::invalid("\"" + text + "\" has a prefix length out of range");
    }
    bits = std::stoi(p);
  }
  r.prefix_bits_ = v4 ? 96 + bits : bits;
  return r;
}

bool AddressRange::contains(const std::string& address) const {
  bool v4 = false;
  auto addr = parse_address(address, &v4);
  if (!addr) return false;
  for (int bit = 0; bit < prefix_bits_; ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if (((*addr)[bit / 8] & mask) != (bytes_[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace gw

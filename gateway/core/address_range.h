// AddressRange: an IPv4 or IPv6 network, and whether a client address lies in it.
// Used to say who may read /metrics (http/metrics_access.h) and to check the
// configured networks (config/config.cc).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "gateway/core/result.h"

namespace gw {

// An IPv4 or IPv6 address with a prefix length: "127.0.0.1", "10.0.0.0/8", "::1",
// "fd00::/8". IPv4 is kept as an IPv4-mapped IPv6 address, so that a client seen
// as "::ffff:10.1.2.3" (a dual-stack listener) matches "10.0.0.0/8".
class AddressRange {
 public:
  // kInvalidArgument when `text` is not an address with an optional /prefix.
  static Result<AddressRange> parse(const std::string& text);
  // False for anything that is not an address.
  bool contains(const std::string& address) const;

 private:
  std::array<uint8_t, 16> bytes_{};
  int prefix_bits_ = 128;
};

}  // namespace gw

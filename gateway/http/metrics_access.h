// Who may read /metrics: the figures say how busy the helpline is and when, which
// is not for anyone on the internet. A request is let in when it comes from one of
// the configured addresses or networks (loopback by default, where a local
// Prometheus or node agent scrapes), or when it carries the configured bearer
// token (compared in constant time).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw::http {

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

class MetricsAccess {
 public:
  // `allow_from` entries must parse as AddressRange (checked by the config).
  MetricsAccess(const std::vector<std::string>& allow_from, std::string bearer_token);

  // Whether a request from `remote_addr` with this Authorization header may read.
  bool allows(const std::string& remote_addr, const std::string& authorization) const;

 private:
  std::vector<AddressRange> ranges_;
  std::string bearer_token_;  // empty: no token lets anyone in
};

}  // namespace gw::http

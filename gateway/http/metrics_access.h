// Who may read /metrics: the figures say how busy the helpline is and when, which
// is not for anyone on the internet. A request is let in when it comes from one of
// the configured addresses or networks (loopback by default, where a local
// Prometheus or node agent scrapes), or when it carries the configured bearer
// token (compared in constant time).
#pragma once

#include <string>
#include <vector>

#include "gateway/core/address_range.h"

namespace gw::http {

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

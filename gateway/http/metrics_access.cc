#include "gateway/http/metrics_access.h"

#include "gateway/core/digest.h"

namespace gw::http {

MetricsAccess::MetricsAccess(const std::vector<std::string>& allow_from, std::string bearer_token)
    : bearer_token_(std::move(bearer_token)) {
  for (const std::string& a : allow_from) {
    if (auto r = AddressRange::parse(a)) ranges_.push_back(*r);
  }
}

bool MetricsAccess::allows(const std::string& remote_addr, const std::string& authorization) const {
  for (const AddressRange& r : ranges_) {
    if (r.contains(remote_addr)) return true;
  }
  const std::string kBearer = "Bearer ";
  if (bearer_token_.empty() || authorization.size() > 1024 ||
      authorization.compare(0, kBearer.size(), kBearer) != 0) {
    return false;
  }
  return constant_time_equal(authorization.substr(kBearer.size()), bearer_token_);
}

}  // namespace gw::http

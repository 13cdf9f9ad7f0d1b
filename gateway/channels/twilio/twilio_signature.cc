#include "gateway/channels/twilio/twilio_signature.h"

#include <algorithm>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"

namespace gw {
namespace {

struct UrlParts {
  std::string scheme;     // "https"
  std::string authority;  // "user:pass@host"
  std::string port;       // "443" or ""
  std::string rest;       // "/path?query"
  bool ok = false;
};

UrlParts split_url(std::string_view url) {
  UrlParts p;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return p;
  p.scheme = std::string(url.substr(0, sep));
  std::transform(p.scheme.begin(), p.scheme.end(), p.scheme.begin(), ::tolower);
  const auto host_start = sep + 3;
  auto path_start = url.find_first_of("/?#", host_start);
  if (path_start == std::string_view::npos) path_start = url.size();
  std::string_view hostport = url.substr(host_start, path_start - host_start);
  p.rest = std::string(url.substr(path_start));
  // The port follows the last ':' after any userinfo and outside IPv6 brackets.
  const auto at = hostport.rfind('@');
  const size_t host_from = at == std::string_view::npos ? 0 : at + 1;
  const auto colon = hostport.rfind(':');
  const auto bracket = hostport.rfind(']');
  if (colon != std::string_view::npos && colon >= host_from &&
      (bracket == std::string_view::npos || colon > bracket)) {
    p.authority = std::string(hostport.substr(0, colon));
    p.port = std::string(hostport.substr(colon + 1));
  } else {
    p.authority = std::string(hostport);
  }
  p.ok = true;
  return p;
}

std::string default_port(const std::string& scheme) {
  if (scheme == "https") return "443";
  if (scheme == "http") return "80";
  return "";
}

}  // namespace

std::string with_default_port(std::string_view url) {
  UrlParts p = split_url(url);
  if (!p.ok || !p.port.empty() || default_port(p.scheme).empty()) return std::string(url);
  return p.scheme + "://" + p.authority + ":" + default_port(p.scheme) + p.rest;
}

std::string without_default_port(std::string_view url) {
  UrlParts p = split_url(url);
  if (!p.ok || p.port.empty() || p.port != default_port(p.scheme)) return std::string(url);
  return p.scheme + "://" + p.authority + p.rest;
}

namespace {

// The sorted parameters as Twilio appends them to the URL: name then value,
// by name, then by value for a repeated name.
std::string signed_params(const FormFields& params) {
  FormFields sorted = params;
  std::sort(sorted.begin(), sorted.end());
  std::string data;
  for (const auto& [name, value] : sorted) {
    data += name;
    data += value;
  }
  return data;
}

std::string sign(std::string_view auth_token, std::string_view url, const std::string& params) {
  std::string data;
  data.reserve(url.size() + params.size());
  data += url;
  data += params;
  return base64_encode(hmac_sha1(auth_token, data));
}

}  // namespace

std::string compute_twilio_signature(std::string_view auth_token, std::string_view url,
                                     const FormFields& params) {
  return sign(auth_token, url, signed_params(params));
}

bool validate_twilio_signature(std::string_view auth_token, std::string_view url, const FormFields& params,
                               std::string_view signature) {
  if (signature.empty() || auth_token.empty()) return false;
  const std::string data = signed_params(params);
  // The URL as given, with and without its scheme's default port: each distinct
  // one is computed and compared in full, whichever matches (the URLs are no
  // secret; the comparison of each signature is constant-time).
  const std::string as_given(url);
  std::string with_port = with_default_port(url);
  std::string without_port = without_default_port(url);
  bool valid = constant_time_equal(sign(auth_token, as_given, data), signature);
  if (with_port != as_given) valid |= constant_time_equal(sign(auth_token, with_port, data), signature);
  if (without_port != as_given && without_port != with_port) {
    valid |= constant_time_equal(sign(auth_token, without_port, data), signature);
  }
  return valid;
}

bool validate_twilio_body_signature(std::string_view auth_token, std::string_view url, std::string_view body,
                                    std::string_view signature) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = url.substr(q + 1);
  std::string expected_hash;
  size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    if (pair.rfind("bodySHA256=", 0) == 0) expected_hash = std::string(pair.substr(11));
    pos = amp + 1;
  }
  if (expected_hash.empty()) return false;
  const bool body_ok = constant_time_equal(to_hex(sha256(body)), expected_hash);
  const bool sig_ok = validate_twilio_signature(auth_token, url, {}, signature);
  return body_ok && sig_ok;
}

}  // namespace gw

#include "gateway/security/key_fingerprint.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <string_view>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"

namespace gw {
namespace {

constexpr std::string_view kLabel = "helpline-gateway key fingerprint v1";
constexpr size_t kKeySize = 32;

Result<std::string> fingerprint(const std::string& b64, const std::string& name) {
  auto raw = base64_decode(b64);
  if (!raw || raw->size() != kKeySize) {
    if (raw) OPENSSL_cleanse(raw->data(), raw->size());
    return Error::invalid(name + " is not base64 of 32 bytes");
  }
  std::string out = to_hex(hmac_sha256(*raw, kLabel));
  OPENSSL_cleanse(raw->data(), raw->size());
  return out;
}

}  // namespace

Result<KeyFingerprints> key_fingerprints(const std::vector<std::string>& data_keys_b64,
                                         const std::string& index_key_b64,
                                         const std::string& index_previous_b64) {
  KeyFingerprints out;
  for (size_t i = 0; i < data_keys_b64.size(); ++i) {
    auto f = fingerprint(data_keys_b64[i], "data key #" + std::to_string(i + 1));
    if (!f) return f.error();
    out.data.push_back(std::move(*f));
  }
  auto index = fingerprint(index_key_b64, "index key");
  if (!index) return index.error();
  out.index = std::move(*index);
  if (!index_previous_b64.empty()) {
    auto previous = fingerprint(index_previous_b64, "previous index key");
    if (!previous) return previous.error();
    out.index_previous = std::move(*previous);
  }
  return out;
}

bool keys_cover(const KeyFingerprints& loaded, const KeyFingerprints& recorded) {
  if (recorded.data.empty()) return false;
  if (recorded.index != loaded.index && (loaded.index_previous.empty() || recorded.index != loaded.index_previous)) {
    return false;
  }
  return std::all_of(recorded.data.begin(), recorded.data.end(), [&](const std::string& f) {
    return std::find(loaded.data.begin(), loaded.data.end(), f) != loaded.data.end();
  });
}

}  // namespace gw

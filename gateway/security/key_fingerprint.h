// Key fingerprints: what identifies a deployment's keys without revealing them,
// so that a backup can record the keys it was made under and a restore can
// refuse data sealed under other keys. Each fingerprint is the hex of
// HMAC-SHA256(key, "helpline-gateway key fingerprint v1"): unlike a plain hash
// of the key, it is not the key id Crypto writes into every sealed value.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

struct KeyFingerprints {
  std::vector<std::string> data;  // the data keys in order, the active one first
  std::string index;
  std::string index_previous;  // "" unless an index key rotation keeps the old one loaded
};

// The fingerprints of keys given as Crypto::from_keys takes them (standard
// base64 of 32 bytes). Errors name the key ("data key #2"), never hold it.
Result<KeyFingerprints> key_fingerprints(const std::vector<std::string>& data_keys_b64,
                                         const std::string& index_key_b64,
                                         const std::string& index_previous_b64 = "");

// True when every key of `recorded` is among `loaded` (the recorded index key is
// the loaded one or its predecessor, still loaded after a rotation):
// data sealed under `recorded` decrypts with `loaded`.
bool keys_cover(const KeyFingerprints& loaded, const KeyFingerprints& recorded);

}  // namespace gw

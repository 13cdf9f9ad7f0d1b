// Crypto: encryption at rest for the few things the gateway must keep about a
// person (their address, message bodies, flow answers), and a keyed hash to find
// a contact without storing their address in clear.
//
// Data keys encrypt with AES-256-GCM. Each value is self-describing:
//   [version=1][key id: 4 bytes][nonce: 12 bytes][ciphertext][tag: 16 bytes]
// where key id = first 4 bytes of SHA-256(key). The version byte and key id are
// authenticated along with the caller's associated data (e.g. "contacts.address"),
// so a value copied into another column, or a header edited, fails to decrypt.
//
// Rotation: load several data keys. The first is active (encrypts); all of them
// decrypt, chosen by the key id in the value. `gateway keys rotate`
// (store/key_rotation.h) re-seals every value still sealed with an older key.
//
// The index key is a separate HMAC-SHA256 key, so that leaking index hashes says
// nothing about the data key and vice versa. While the index key is rotated, the
// previous one is loaded too: a contact is looked up by both hashes until the
// rotation has rebuilt every contact's hash with the new key.
//
// Copies of a Crypto share their keys: adopt() on any of them gives every copy
// (the store's, the intake's) the new keys at once, which is how a serving
// gateway takes up a rotated key file. Keys are swapped atomically; a call in
// progress finishes with the keys it started with.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

class Crypto {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr uint8_t kVersion = 1;
  static constexpr size_t kKeyIdSize = 4;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = 1 + kKeyIdSize + kNonceSize + kTagSize;

  // Keys are standard base64 of exactly 32 bytes. The first data key is the active
  // one. Errors name the key ("data key #2", "index key") and never include it.
  // Fails if there is no data key, if two data keys are equal, or if the index
  // key equals a data key.
  // `index_previous_b64` ("" for none) is the index key being rotated away from.
  static Result<Crypto> from_keys(const std::vector<std::string>& data_keys_b64,
                                  const std::string& index_key_b64,
                                  const std::string& index_previous_b64 = "");

  Crypto(const Crypto&) = default;
  Crypto& operator=(const Crypto&) = default;
  Crypto(Crypto&&) = default;
  Crypto& operator=(Crypto&&) = default;
  ~Crypto() = default;  // the last copy to go wipes the key material

  // Gives this Crypto and every copy of it the keys of `other`.
  void adopt(const Crypto& other);

  // Encrypts with the active key and a fresh random nonce; two encryptions of the
  // same plaintext differ. `aad` is bound to the value and must be given again to
  // decrypt it.
  Result<std::string> encrypt(std::string_view plaintext, std::string_view aad) const;

  // Fails (kInvalidArgument for a blob that is too short or of an unknown version,
  // kNotFound for an unknown key id, kPermissionDenied for a failed authentication:
  // tampering, wrong aad, wrong key) and never returns partial plaintext.
  Result<std::string> decrypt(std::string_view blob, std::string_view aad) const;

  // HMAC-SHA256(index key, value): 32 raw bytes. Deterministic, so equal inputs
  // give equal hashes: use it as a lookup key for values stored encrypted.
  std::string index_hash(std::string_view value) const;

  // The hashes a stored value may have been indexed under: index_hash(value)
  // first, then its hash with the previous index key while one is loaded.
  std::vector<std::string> index_hashes(std::string_view value) const;

  // Hex id of the active data key (first 4 bytes of its SHA-256), safe to log.
  std::string active_key_id() const;
  // The same 4 bytes raw, as they stand in every value it seals (bytes 1..4).
  std::string active_key_raw_id() const;
  // Hex ids of every loaded data key, the active one first.
  std::vector<std::string> data_key_ids() const;
  // Hex id of a sealed value's key, or "" for a value too short to have one.
  static std::string key_id_of(std::string_view blob);
  // Hex of the first 4 bytes of SHA-256(index key): which index key is loaded,
  // safe to log. "" for index_previous_id() when there is none.
  std::string index_key_id() const;
  std::string index_previous_id() const;

 private:
  struct DataKey {
    std::array<unsigned char, kKeyIdSize> id{};
    std::array<unsigned char, kKeySize> key{};
  };
  struct KeySet {
    std::vector<DataKey> data;
    std::array<unsigned char, kKeySize> index{};
    bool has_index_previous = false;
    std::array<unsigned char, kKeySize> index_previous{};
    ~KeySet();  // wipes key material
  };
  // What copies share: the current keys, swapped whole. A call reads them with
  // one atomic load and no lock; every set ever current is kept (and wiped)
  // until the last copy goes, so a call in progress never sees its keys freed.
  // Keys change a few times in a process's life (adopt), so that costs nothing.
  struct Ring {
    std::atomic<const KeySet*> current{nullptr};
    std::mutex mu;                                     // adopt() only
    std::vector<std::shared_ptr<const KeySet>> kept;  // guarded by mu; back() is current
  };
  Crypto() = default;
  const KeySet& keys() const { return *ring_->current.load(std::memory_order_acquire); }

  std::shared_ptr<Ring> ring_;
};

}  // namespace gw

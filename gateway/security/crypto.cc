#include "gateway/security/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <exception>
#include <memory>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"

namespace gw {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// AES-256-GCM, looked up once: EVP_aes_256_gcm() makes OpenSSL 3 look the
// implementation up again at every initialisation.
const EVP_CIPHER* aes_256_gcm() {
  static const EVP_CIPHER* const fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return fetched ? fetched : EVP_aes_256_gcm();
}

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<std::array<unsigned char, Crypto::kKeySize>> decode_key(const std::string& b64,
                                                               const std::string& name) {
  auto raw = base64_decode(b64);
  if (!raw) return Error::invalid(name + " is not valid standard base64");
  if (raw->size() != Crypto::kKeySize) {
    const size_t got = raw->size();
    OPENSSL_cleanse(raw->data(), raw->size());
    return Error::invalid(name + " must decode to 32 bytes, got " + std::to_string(got));
  }
  std::array<unsigned char, Crypto::kKeySize> key{};
  std::memcpy(key.data(), raw->data(), key.size());
  OPENSSL_cleanse(raw->data(), raw->size());
  return key;
}

// The header (version + key id) is authenticated together with the caller's aad;
// the header has a fixed length, so (header, aad) pairs cannot be confused.
std::string full_aad(std::string_view header, std::string_view aad) {
  std::string out(header);
  out.append(aad);
  return out;
}

}  // namespace

Crypto::KeySet::~KeySet() {
  for (auto& k : data) OPENSSL_cleanse(k.key.data(), k.key.size());
  OPENSSL_cleanse(index.data(), index.size());
  OPENSSL_cleanse(index_previous.data(), index_previous.size());
}

Result<Crypto> Crypto::from_keys(const std::vector<std::string>& data_keys_b64, const std::string& index_key_b64,
                                 const std::string& index_previous_b64) {
  if (data_keys_b64.empty()) return Error::invalid("no data encryption key given");
  auto set = std::make_shared<KeySet>();
  for (size_t i = 0; i < data_keys_b64.size(); ++i) {
    auto key = decode_key(data_keys_b64[i], "data key #" + std::to_string(i + 1));
    if (!key) return key.error();
    DataKey dk;
    dk.key = *key;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(dk.key.data(), dk.key.size(), digest);
    std::memcpy(dk.id.data(), digest, kKeyIdSize);
    OPENSSL_cleanse(key->data(), key->size());
    for (const auto& other : set->data) {
      if (other.id == dk.id) {
        return Error::invalid("data key #" + std::to_string(i + 1) + " repeats an earlier data key");
      }
    }
    set->data.push_back(dk);
    OPENSSL_cleanse(dk.key.data(), dk.key.size());
  }
  auto index = decode_key(index_key_b64, "index key");
  if (!index) return index.error();
  set->index = *index;
  OPENSSL_cleanse(index->data(), index->size());
  if (!index_previous_b64.empty()) {
    auto previous = decode_key(index_previous_b64, "previous index key");
    if (!previous) return previous.error();
    set->index_previous = *previous;
    set->has_index_previous = true;
    OPENSSL_cleanse(previous->data(), previous->size());
    if (CRYPTO_memcmp(set->index_previous.data(), set->index.data(), kKeySize) == 0) {
      return Error::invalid("previous index key must differ from the index key");
    }
  }
  for (const auto& dk : set->data) {
    if (CRYPTO_memcmp(dk.key.data(), set->index.data(), kKeySize) == 0 ||
        (set->has_index_previous && CRYPTO_memcmp(dk.key.data(), set->index_previous.data(), kKeySize) == 0)) {
      return Error::invalid("index key must differ from every data key");
    }
  }
  Crypto c;
  c.ring_ = std::make_shared<Ring>();
  c.ring_->current.store(set.get(), std::memory_order_release);
  c.ring_->kept.push_back(std::move(set));
  return c;
}

void Crypto::adopt(const Crypto& other) {
  std::shared_ptr<const KeySet> set;
  {
    std::lock_guard<std::mutex> lock(other.ring_->mu);
    set = other.ring_->kept.back();
  }
  std::lock_guard<std::mutex> lock(ring_->mu);
  ring_->current.store(set.get(), std::memory_order_release);
  ring_->kept.push_back(std::move(set));
}

Result<std::string> Crypto::encrypt(std::string_view plaintext, std::string_view aad) const {
  const KeySet& set = keys();
  const DataKey& dk = set.data.front();
  std::string out;
  out.reserve(kOverhead + plaintext.size());
  out.push_back(static_cast<char>(kVersion));
  out.append(reinterpret_cast<const char*>(dk.id.data()), kKeyIdSize);
  try {
    out.append(random_bytes(kNonceSize));
  } catch (const std::exception&) {
    return Error::internal("no randomness available for a nonce");
  }
  const std::string header = out.substr(0, 1 + kKeyIdSize);
  const std::string ad = full_aad(header, aad);

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Error::internal("EVP_CIPHER_CTX_new failed");
  const auto* nonce = reinterpret_cast<const unsigned char*>(out.data() + 1 + kKeyIdSize);
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, dk.key.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(ad), static_cast<int>(ad.size())) != 1) {
    return Error::internal("AES-GCM setup failed");
  }
  const size_t ct_at = out.size();
  out.resize(ct_at + plaintext.size() + kTagSize);
  auto* ct = reinterpret_cast<unsigned char*>(out.data() + ct_at);
  int written = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), ct, &written, u8(plaintext), static_cast<int>(plaintext.size())) != 1) {
    return Error::internal("AES-GCM encryption failed");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), ct + written, &final_len) != 1 ||
      static_cast<size_t>(written + final_len) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, ct + plaintext.size()) != 1) {
    return Error::internal("AES-GCM finalisation failed");
  }
  return out;
}

Result<std::string> Crypto::decrypt(std::string_view blob, std::string_view aad) const {
  if (blob.size() < kOverhead) return Error::invalid("encrypted value is truncated");
  if (static_cast<uint8_t>(blob[0]) != kVersion) {
    return Error::invalid("encrypted value has unknown version " + std::to_string(uint8_t(blob[0])));
  }
  const KeySet& set = keys();
  const DataKey* key = nullptr;
  for (const auto& dk : set.data) {
    if (std::memcmp(dk.id.data(), blob.data() + 1, kKeyIdSize) == 0) key = &dk;
  }
  if (key == nullptr) {
    return Error::not_found("encrypted value uses key id " + to_hex(std::string(blob.substr(1, kKeyIdSize))) +
                            ", which is not loaded");
  }
  const std::string ad = full_aad(blob.substr(0, 1 + kKeyIdSize), aad);
  const auto* nonce = u8(blob.substr(1 + kKeyIdSize));
  const std::string_view ct = blob.substr(1 + kKeyIdSize + kNonceSize, blob.size() - kOverhead);
  std::string tag(blob.substr(blob.size() - kTagSize));

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Error::internal("EVP_CIPHER_CTX_new failed");
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key->key.data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(ad), static_cast<int>(ad.size())) != 1) {
    return Error::internal("AES-GCM setup failed");
  }
  std::string out(ct.size(), '\0');
  int written = 0;
  if (!ct.empty() && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &written,
                                       u8(ct), static_cast<int>(ct.size())) != 1) {
    return Error::internal("AES-GCM decryption failed");
  }
  int final_len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + written, &final_len) !=
          1) {
    OPENSSL_cleanse(out.data(), out.size());
    return Error::denied("encrypted value failed authentication (tampered, wrong key or wrong column)");
  }
  return out;
}

namespace {
std::string hmac_with(const std::array<unsigned char, Crypto::kKeySize>& key, std::string_view value) {
  return hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), value);
}
std::string short_id(const unsigned char* bytes) {
  return to_hex(std::string(reinterpret_cast<const char*>(bytes), Crypto::kKeyIdSize));
}
std::string sha_id(const std::array<unsigned char, Crypto::kKeySize>& key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(key.data(), key.size(), digest);
  return short_id(digest);
}
}  // namespace

std::string Crypto::index_hash(std::string_view value) const { return hmac_with(keys().index, value); }

std::vector<std::string> Crypto::index_hashes(std::string_view value) const {
  const KeySet& set = keys();
  std::vector<std::string> out = {hmac_with(set.index, value)};
  if (set.has_index_previous) out.push_back(hmac_with(set.index_previous, value));
  return out;
}

std::string Crypto::active_key_id() const { return short_id(keys().data.front().id.data()); }

std::string Crypto::active_key_raw_id() const {
  const auto& id = keys().data.front().id;
  return std::string(reinterpret_cast<const char*>(id.data()), id.size());
}

std::vector<std::string> Crypto::data_key_ids() const {
  std::vector<std::string> out;
  for (const auto& dk : keys().data) out.push_back(short_id(dk.id.data()));
  return out;
}

std::string Crypto::key_id_of(std::string_view blob) {
  if (blob.size() < 1 + kKeyIdSize) return "";
  return short_id(reinterpret_cast<const unsigned char*>(blob.data() + 1));
}

std::string Crypto::index_key_id() const { return sha_id(keys().index); }

std::string Crypto::index_previous_id() const {
  const KeySet& set = keys();
  return set.has_index_previous ? sha_id(set.index_previous) : std::string();
}

}  // namespace gw

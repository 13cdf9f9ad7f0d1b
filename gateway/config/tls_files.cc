#include "gateway/config/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace gw {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// Never prompts: an encrypted key reads as no key.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

Result<std::unique_ptr<BIO, BioFree>> open_file(const std::string& path, const std::string& what) {
  if (path.empty()) return Error::invalid(what + " path is empty");
  // fopen first, for errno: BIO_new_file's error says less.
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error::invalid("cannot read " + what + " " + path + ": " + std::strerror(errno));
  std::unique_ptr<BIO, BioFree> bio(BIO_new_fp(f, BIO_CLOSE));
  if (!bio) {
    std::fclose(f);
    return Error::internal("cannot read " + what + " " + path + ": out of memory");
  }
  return bio;
}

}  // namespace

Status check_tls_files(const std::string& certificate, const std::string& private_key) {
  auto cert_bio = open_file(certificate, "TLS certificate");
  if (!cert_bio) return cert_bio.error();
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(cert_bio->get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!cert) return Error::invalid("TLS certificate " + certificate + " holds no PEM certificate");

  auto key_bio = open_file(private_key, "TLS private key");
  if (!key_bio) return key_bio.error();
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio->get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!key) {
    return Error::invalid("TLS private key " + private_key +
                          " holds no unencrypted PEM private key (a passphrase cannot be asked for)");
  }
  const bool matches = X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return Error::invalid("TLS private key " + private_key + " does not match the certificate " +
                          certificate);
  }
  return {};
}

}  // namespace gw

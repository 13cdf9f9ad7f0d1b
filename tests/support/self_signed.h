// A self-signed certificate for "localhost" and 127.0.0.1 (P-256 key, valid one day),
// written as PEM files for tests of the TLS listener and its configuration.
//
//   gw::testing::TempDir dir;
//   auto pair = gw::testing::write_self_signed(dir.path(), "server");
//   // pair.certificate, pair.private_key: paths; a client trusts pair.certificate
#pragma once

#include <filesystem>
#include <string>

namespace gw::testing {

struct CertificatePair {
  std::string certificate;  // PEM file path
  std::string private_key;  // PEM file path (unencrypted PKCS#8)
};

// Writes `<dir>/<name>.crt` and `<dir>/<name>.key`; a new key each call. Throws
// (a test failure) when OpenSSL or the files fail.
CertificatePair write_self_signed(const std::filesystem::path& dir, const std::string& name);

}  // namespace gw::testing

// CurlHttpClient's TLS verification, against an HTTPS loopback server whose
// self-signed certificate the test makes on the spot.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "gateway/core/curl_http_client.h"
#include "tests/support/loopback_server.h"
#include "tests/support/temp_dir.h"

using gw::CurlHttpClient;
using gw::ErrorCode;
using gw::HttpRequest;
using gw::testing::LoopbackServer;

namespace {

// A directory holding cert.pem and key.pem: a self-signed P-256 certificate
// whose subjectAltName is `san` ("IP:127.0.0.1", "DNS:example.invalid").
class SelfSignedCert {
 public:
  explicit SelfSignedCert(const std::string& san) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    REQUIRE(key != nullptr);
    X509* cert = X509_new();
    REQUIRE(cert != nullptr);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("gateway test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    REQUIRE(ext != nullptr);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);

    FILE* f = std::fopen(cert_path().c_str(), "w");
    REQUIRE(f != nullptr);
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(key_path().c_str(), "w");
    REQUIRE(f != nullptr);
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  std::string cert_path() const { return (dir_.path() / "cert.pem").string(); }
  std::string key_path() const { return (dir_.path() / "key.pem").string(); }

 private:
  gw::testing::TempDir dir_{"gw-tls-test"};
};

// An HTTPS server on loopback answering GET /tls with "secure".
struct TlsServer {
  explicit TlsServer(const SelfSignedCert& cert)
      : srv(std::make_unique<httplib::SSLServer>(cert.cert_path().c_str(), cert.key_path().c_str()),
            "https") {
    REQUIRE(srv.server().is_valid());
    srv.server().Get("/tls", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_content("secure", "text/plain");
    });
    srv.start();
  }
  std::atomic<int> hits{0};
  LoopbackServer srv;
};

HttpRequest get(const std::string& url) {
  HttpRequest r;
  r.url = url;
  r.timeout = std::chrono::seconds(5);
  return r;
}

}  // namespace

TEST_CASE("an https server with a certificate nobody vouches for is refused", "[http_client][tls]") {
  SelfSignedCert cert("IP:127.0.0.1");
  TlsServer tls(cert);
  CurlHttpClient client;  // system CA store only

  auto r = client.send(get(tls.srv.url("/tls")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(tls.hits.load() == 0);
}

TEST_CASE("the same server is accepted once its certificate is the configured CA", "[http_client][tls]") {
  SelfSignedCert cert("IP:127.0.0.1");
  TlsServer tls(cert);
  CurlHttpClient::Options options;
  options.ca_file = cert.cert_path();
  CurlHttpClient client(options);

  auto r = client.send(get(tls.srv.url("/tls")));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "secure");
  CHECK(tls.hits.load() == 1);
}

TEST_CASE("a trusted certificate for another host name is refused", "[http_client][tls]") {
  SelfSignedCert cert("DNS:example.invalid");
  TlsServer tls(cert);
  CurlHttpClient::Options options;
  options.ca_file = cert.cert_path();
  CurlHttpClient client(options);

  auto r = client.send(get(tls.srv.url("/tls")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(tls.hits.load() == 0);
}

TEST_CASE("an https URL to a plain-HTTP server fails instead of falling back", "[http_client][tls]") {
  LoopbackServer plain;
  std::atomic<int> hits{0};
  plain.server().Get("/x", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.set_content("plain", "text/plain");
  });
  plain.start();
  CurlHttpClient client;

  auto r = client.send(get("https://127.0.0.1:" + std::to_string(plain.port()) + "/x"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(hits.load() == 0);
}

TEST_CASE("an unreadable CA file is an invalid argument, not a silent fallback", "[http_client][tls]") {
  SelfSignedCert cert("IP:127.0.0.1");
  TlsServer tls(cert);
  CurlHttpClient::Options options;
  options.ca_file = "/nonexistent/gateway-ca.pem";
  CurlHttpClient client(options);

  auto r = client.send(get(tls.srv.url("/tls")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(tls.hits.load() == 0);
}

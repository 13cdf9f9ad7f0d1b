#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gateway/config/config.h"
#include "tests/support/self_signed.h"
#include "tests/support/temp_dir.h"

using nlohmann::json;

namespace {

gw::EnvLookup no_env() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

json tls_config(const std::string& cert, const std::string& key) {
  return json{{"listen_tls", "127.0.0.1:8443"}, {"tls", {{"certificate", cert}, {"private_key", key}}}};
}

std::string problems(const json& doc) {
  auto cfg = gw::parse_config(doc, no_env(), "test.json");
  REQUIRE_FALSE(cfg.ok());
  return cfg.error().message;
}

}  // namespace

TEST_CASE("without listen_tls there is no HTTPS listener and no certificate is needed", "[config][tls]") {
  auto cfg = gw::parse_config(json::object(), no_env(), "test.json");
  REQUIRE(cfg.ok());
  CHECK_FALSE(cfg->listen_tls.has_value());
  CHECK(cfg->tls.certificate.empty());
  CHECK(gw::default_config().listen_tls == std::nullopt);
}

TEST_CASE("listen_tls with a readable certificate and its own key is read", "[config][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  auto cfg = gw::parse_config(tls_config(pair.certificate, pair.private_key), no_env(), "test.json");
  REQUIRE(cfg.ok());
  REQUIRE(cfg->listen_tls.has_value());
  CHECK(cfg->listen_tls->to_string() == "127.0.0.1:8443");
  CHECK(cfg->tls.certificate == pair.certificate);
  CHECK(cfg->tls.private_key == pair.private_key);
  CHECK(cfg->listen.to_string() == "127.0.0.1:8080");  // the plain listener stays
}

TEST_CASE("listen_tls requires both the certificate and the private key", "[config][tls]") {
  const std::string msg = problems(json{{"listen_tls", "127.0.0.1:8443"}});
  CHECK(msg.find("test.json: $.tls.certificate: is required when listen_tls is set") != std::string::npos);
  CHECK(msg.find("test.json: $.tls.private_key: is required when listen_tls is set") != std::string::npos);
}

TEST_CASE("an unreadable certificate is reported in one line naming the file", "[config][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  const std::string missing = (dir.path() / "nope.crt").string();
  const std::string msg = problems(tls_config(missing, pair.private_key));
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find("test.json: $.tls: cannot read TLS certificate " + missing) != std::string::npos);
  CHECK(msg.find("No such file") != std::string::npos);
}

TEST_CASE("a file that is not PEM is refused as certificate and as key", "[config][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  const std::string junk = (dir.path() / "junk.pem").string();
  std::ofstream(junk) << "not a certificate\n";
  CHECK(problems(tls_config(junk, pair.private_key)).find("holds no PEM certificate") != std::string::npos);
  CHECK(problems(tls_config(pair.certificate, junk)).find("holds no unencrypted PEM private key") !=
        std::string::npos);
  // A certificate given as the key is not a key either.
  CHECK(
      problems(tls_config(pair.certificate, pair.certificate)).find("holds no unencrypted PEM private key") !=
      std::string::npos);
}

TEST_CASE("a private key that is not the certificate's is refused", "[config][tls]") {
  gw::testing::TempDir dir;
  auto a = gw::testing::write_self_signed(dir.path(), "a");
  auto b = gw::testing::write_self_signed(dir.path(), "b");
  const std::string msg = problems(tls_config(a.certificate, b.private_key));
  CHECK(msg == "test.json: $.tls: TLS private key " + b.private_key + " does not match the certificate " +
                   a.certificate);
}

TEST_CASE("tls without listen_tls, unknown tls keys and a listen_tls equal to listen are errors",
          "[config][tls]") {
  gw::testing::TempDir dir;
  auto pair = gw::testing::write_self_signed(dir.path(), "server");
  json doc = tls_config(pair.certificate, pair.private_key);
  doc.erase("listen_tls");
  CHECK(problems(doc).find("$.tls: is set but listen_tls is not") != std::string::npos);

  doc = tls_config(pair.certificate, pair.private_key);
  doc["tls"]["password"] = "x";
  CHECK(problems(doc).find("password") != std::string::npos);

  doc = tls_config(pair.certificate, pair.private_key);
  doc["listen_tls"] = "127.0.0.1:8080";
  CHECK(problems(doc).find("$.listen_tls: must differ from listen") != std::string::npos);

  doc["listen_tls"] = "nowhere";
  CHECK(problems(doc).find("$.listen_tls:") != std::string::npos);
}

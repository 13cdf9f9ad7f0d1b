#include "gateway/channels/twilio/twilio_signature.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

json load_vectors() {
  std::ifstream in(std::string(GATEWAY_SOURCE_DIR) + "/tests/channels/twilio/signature_vectors.json");
  return json::parse(in);
}

gw::FormFields to_params(const json& p) {
  gw::FormFields out;
  for (auto& [k, v] : p.items()) {
    if (v.is_array()) {
      for (const auto& x : v) out.emplace_back(k, x.get<std::string>());
    } else {
      out.emplace_back(k, v.get<std::string>());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every signature vector of Twilio's helper libraries validates", "[twilio][signature]") {
  const json doc = load_vectors();
  const std::string token = doc["auth_token"];
  REQUIRE(doc["vectors"].size() >= 10);
  for (const auto& v : doc["vectors"]) {
    const std::string url = v["signed_url"];
    const std::string sig = v["signature"];
    INFO(url);
    if (v.contains("body")) {
      CHECK(gw::validate_twilio_body_signature(token, url, v["body"].get<std::string>(), sig));
      CHECK_FALSE(gw::validate_twilio_body_signature(token, url, v["body"].get<std::string>() + " ", sig));
      continue;
    }
    const gw::FormFields params =
        v["params"] == "default" ? to_params(doc["params"]) : to_params(v["params"]);
    CHECK(gw::compute_twilio_signature(token, url, params) == sig);
    CHECK(gw::validate_twilio_signature(token, url, params, sig));
    // The same request seen with the default port added or removed by a proxy still validates.
    CHECK(gw::validate_twilio_signature(token, gw::with_default_port(url), params, sig));
    CHECK(gw::validate_twilio_signature(token, gw::without_default_port(url), params, sig));
    // Anything changed fails: token, a parameter, the URL, the signature.
    CHECK_FALSE(gw::validate_twilio_signature("54321", url, params, sig));
    gw::FormFields tampered = params;
    if (!tampered.empty()) {
      tampered[0].second += "0";
      CHECK_FALSE(gw::validate_twilio_signature(token, url, tampered, sig));
    }
    CHECK_FALSE(gw::validate_twilio_signature(token, url + "&x=1", params, sig));
    CHECK_FALSE(gw::validate_twilio_signature(token, url, params, sig.substr(1)));
  }
}

TEST_CASE("the order in which parameters arrive does not matter, repeated values are sorted",
          "[twilio][signature]") {
  const gw::FormFields a = {
      {"Digits", "5678"}, {"Sid", "CA123"}, {"Digits", "1234"}, {"SidAccount", "AC123"}};
  const gw::FormFields b = {
      {"SidAccount", "AC123"}, {"Digits", "1234"}, {"Sid", "CA123"}, {"Digits", "5678"}};
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  CHECK(gw::compute_twilio_signature("12345", url, a) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  CHECK(gw::compute_twilio_signature("12345", url, b) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST_CASE("default ports are added and removed only where they are the default", "[twilio][signature]") {
  CHECK(gw::with_default_port("https://a.example/x?y=1") == "https://a.example:443/x?y=1");
  CHECK(gw::with_default_port("http://u:p@a.example/x") == "http://u:p@a.example:80/x");
  CHECK(gw::with_default_port("http://a.example:8080/x") == "http://a.example:8080/x");
  CHECK(gw::without_default_port("https://a.example:443/x") == "https://a.example/x");
  CHECK(gw::without_default_port("https://a.example:8443/x") == "https://a.example:8443/x");
  CHECK(gw::with_default_port("http://[::1]/x") == "http://[::1]:80/x");
  CHECK(gw::without_default_port("http://[::1]:80/x") == "http://[::1]/x");
}

TEST_CASE("an empty signature or token never validates", "[twilio][signature]") {
  CHECK_FALSE(gw::validate_twilio_signature("12345", "https://a.example/", {}, ""));
  CHECK_FALSE(gw::validate_twilio_signature("", "https://a.example/", {},
                                            gw::compute_twilio_signature("", "https://a.example/", {})));
}

#include "gateway/core/form_encoding.h"

#include <catch2/catch.hpp>

using gw::form_urldecode;
using gw::form_urlencode;
using gw::FormFields;

TEST_CASE("form encoding escapes reserved bytes and writes spaces as %20", "[http_client][form]") {
  CHECK(form_urlencode({}) == "");
  CHECK(form_urlencode({{"To", "+15550001111"}, {"Body", "a b&c=d"}}) ==
        "To=%2B15550001111&Body=a%20b%26c%3Dd");
  CHECK(form_urlencode({{"k", "AZaz09-._~"}}) == "k=AZaz09-._~");
  CHECK(form_urlencode({{"k", "/?#%"}}) == "k=%2F%3F%23%25");
  CHECK(form_urlencode({{"empty", ""}}) == "empty=");
  CHECK(form_urlencode({{"ar", "\xD9\x85"}}) == "ar=%D9%85");  // U+0645, UTF-8 bytes escaped
}

TEST_CASE("form decoding reads '+' and %20 as spaces and keeps order and repeated keys",
          "[http_client][form]") {
  auto r = form_urldecode("Body=hello+there%20you&To=%2B447700900123&Body=second&flag&&x=a%3Db%26c");
  REQUIRE(r.ok());
  CHECK(*r == FormFields{{"Body", "hello there you"},
                         {"To", "+447700900123"},
                         {"Body", "second"},
                         {"flag", ""},
                         {"x", "a=b&c"}});
  CHECK(*gw::form_find(*r, "Body") == "hello there you");
  CHECK(gw::form_find(*r, "Missing") == nullptr);
  auto empty = form_urldecode("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  auto lower_hex = form_urldecode("a=%e2%82%ac");
  REQUIRE(lower_hex.ok());
  CHECK((*lower_hex)[0].second == "\xE2\x82\xAC");
}

TEST_CASE("a malformed percent-escape is an error that does not quote the body", "[http_client][form]") {
  for (const char* body :
       {"Body=447700900123%", "Body=447700900123%4", "Body=447700900123%zz", "Bo%g1dy=x"}) {
    INFO(body);
    auto r = form_urldecode(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
    CHECK_THAT(r.error().message, !Catch::Contains("447700900123"));
  }
}

TEST_CASE("form encode then decode returns the same fields", "[http_client][form]") {
  const FormFields fields = {
      {"Body", "1 + 1 = 2 & more"},
      {"Body", "مرحبا، أحتاج مساعدة"},  // Arabic, repeated key
      {"a+b", "c%20d"},
      {"=&", "&="},
      {"emoji", "\xF0\x9F\x86\x98"},
      {"", "no name"},
      {"crlf", "line1\r\nline2"},
  };
  const std::string encoded = form_urlencode(fields);
  CHECK(encoded.find(' ') == std::string::npos);
  CHECK(encoded.find('+') == std::string::npos);  // '+' in data is always escaped
  auto decoded = form_urldecode(encoded);
  REQUIRE(decoded.ok());
  CHECK(*decoded == fields);
}

TEST_CASE("form_field_count counts what form_urldecode would return and stops past its limit",
          "[core][form]") {
  CHECK(gw::form_field_count("", 10) == 0);
  CHECK(gw::form_field_count("a=1&&b=2&", 10) == 2);
  CHECK(gw::form_field_count("a&b&c", 10) == 3);
  CHECK(gw::form_field_count("a&b&c&d", 2) == 3);
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "x=1&";
  CHECK(gw::form_field_count(many, 256) == 257);
}

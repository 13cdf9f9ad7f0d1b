#include "gateway/content/template_catalog.h"

#include <catch2/catch.hpp>

#include "tests/content/content_fixture.h"

using gw::TemplateCatalog;
using gw::testing::ContentFixture;

TEST_CASE("a template with every optional field is read", "[content][templates]") {
  ContentFixture f;
  f.write("templates/rights.json", R"({
    "rights.uk.nrm": {
      "text": "You can ask for help through the NRM. {days, plural, one {# day} other {# days}} of rest.",
      "comment": "Facts about the UK referral mechanism.",
      "variants": {"sms": "NRM: {days} days of rest.", "whatsapp": "*NRM*: {days} days of rest."},
      "content_sid": "HX0123456789abcdef0123456789abcdef",
      "sms_segments": 2,
      "reviewed": true,
      "source": "Modern Slavery Act 2015, s.49"
    }
  })");
  auto catalog = TemplateCatalog::load(f.path("templates"));
  REQUIRE(catalog.ok());
  const gw::Template* t = catalog->find("rights.uk.nrm");
  REQUIRE(t != nullptr);
  CHECK(t->variants.size() == 2);
  CHECK(t->variants.at("sms") == "NRM: {days} days of rest.");
  CHECK(t->content_sid == "HX0123456789abcdef0123456789abcdef");
  CHECK(t->sms_segments == 2);
  CHECK(t->reviewed);
  CHECK(t->source == "Modern Slavery Act 2015, s.49");
  CHECK_FALSE(t->keywords);
}

TEST_CASE("reviewed defaults to false and keywords split on commas", "[content][templates]") {
  ContentFixture f;
  f.write("templates/k.json", R"({"keyword.yes": {"text": " YES, Y ,, OK ", "keywords": true},
                                 "a.fact": {"text": "Fact.", "source": "a law"}})");
  auto catalog = TemplateCatalog::load(f.path("templates"));
  REQUIRE(catalog.ok());
  CHECK_FALSE(catalog->find("a.fact")->reviewed);
  CHECK(catalog->keywords("keyword.yes") == std::vector<std::string>{"YES", "Y", "OK"});
  CHECK(catalog->text("missing.key") == "missing.key");
}

TEST_CASE("an unknown template field is an error naming the file and the key", "[content][templates]") {
  ContentFixture f;
  f.write("templates/sys.json", R"({"a.b": {"text": "Hi", "comennt": "typo"}})");
  auto catalog = TemplateCatalog::load(f.path("templates"));
  REQUIRE_FALSE(catalog.ok());
  CHECK(catalog.error().message.find("sys.json:a.b") != std::string::npos);
  CHECK(catalog.error().message.find("comennt") != std::string::npos);
}

TEST_CASE("malformed fields and unknown variant channels are each reported", "[content][templates]") {
  ContentFixture f;
  f.write("templates/sys.json", R"({
    "a": {"text": "Hi", "variants": {"fax": "Hi"}},
    "b": {"text": "Hi", "sms_segments": 0},
    "c": {"text": "Hi", "reviewed": "yes"},
    "d": {"text": "Hi", "content_sid": "XX1"},
    "e": {"comment": "no text"}
  })");
  std::vector<gw::TemplateProblem> problems;
  TemplateCatalog catalog = TemplateCatalog::load_collecting(f.path("templates"), &problems);
  REQUIRE(problems.size() == 5);
  CHECK(problems[0].key == "a");
  CHECK(problems[0].message.find("fax") != std::string::npos);
  CHECK(problems[1].key == "b");
  CHECK(problems[2].key == "c");
  CHECK(problems[3].key == "d");
  CHECK(problems[4].key == "e");
  CHECK(catalog.size() == 0);
}

TEST_CASE("the shipped templates load with the extended reader", "[content][templates]") {
  auto catalog = TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  REQUIRE(catalog.ok());
  CHECK(catalog->find("system.welcome") != nullptr);
  CHECK(catalog->keywords("keyword.help") == std::vector<std::string>{"HELP", "INFO"});
}

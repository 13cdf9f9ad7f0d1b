#include "gateway/content/renderer.h"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "gateway/core/log.h"
#include "tests/content/content_fixture.h"

using gw::Renderer;
using gw::testing::ContentFixture;
using gw::testing::po_entry;
using gw::testing::po_header;

namespace {

const char* kTemplates = R"({
  "greet": {"text": "Hello {name}, welcome.", "comment": "c",
            "variants": {"sms": "Hi {name}", "whatsapp": "*Hello {name}*"}},
  "days": {"text": "{n, plural, one {# day left} other {# days left}}", "comment": "c"},
  "only.en": {"text": "Only English.", "comment": "c"},
  "keyword.stop": {"text": "STOP, END", "comment": "c", "keywords": true}
})";

const std::string kArabicPlural =
    "{n, plural, zero {لا أيام} one {يوم واحد} two {يومان} few {# أيام} many {# يومًا} other {# يوم}}";

Renderer make_renderer(const ContentFixture& f, gw::RenderOptions options = {}) {
  auto content = gw::load_content(f.dir());
  REQUIRE(content.ok());
  return Renderer(std::move(*content), gw::LanguagePolicy(), options);
}

}  // namespace

TEST_CASE("render picks the translation and the channel variant of the person's language",
          "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fr.po",
          po_header("fr", "nplurals=2; plural=(n==0 || n==1) ? 0 : 1;") +
              po_entry("greet", "Hello {name}, welcome.", "Bonjour {name}, bienvenue.") +
              po_entry("greet#sms", "Hi {name}", "Salut {name}"));
  Renderer r = make_renderer(f);
  auto sms = r.render("greet", "fr", "sms", {{"name", "Ana"}});
  REQUIRE(sms.ok());
  CHECK(sms->text == "Salut Ana");
  CHECK(sms->language == "fr");
  CHECK(sms->key == "greet");
  CHECK_FALSE(sms->fell_back);
  CHECK(sms->encoding == "GSM-7");
  CHECK(sms->segments == 1);
  // No French WhatsApp variant: the French main text beats the English variant.
  CHECK(r.render("greet", "fr", "whatsapp", {{"name", "Ana"}})->text == "Bonjour Ana, bienvenue.");
  // English on WhatsApp uses the English variant.
  CHECK(r.render("greet", "en", "whatsapp", {{"name", "Ana"}})->text == "*Hello Ana*");
  CHECK(r.render("greet", "en", "web", {{"name", "Ana"}})->text == "Hello Ana, welcome.");
}

TEST_CASE("a missing or empty translation falls back along the chain, never to an empty message",
          "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fa.po", po_header("fa") +
                                    po_entry("greet", "Hello {name}, welcome.", "سلام {name}، خوش آمدید.") +
                                    po_entry("only.en", "Only English.", ""));
  Renderer r = make_renderer(f);
  auto dari = r.render("greet", "prs", "telegram", {{"name", "زهرا"}});
  REQUIRE(dari.ok());
  CHECK(dari->language == "fa");
  CHECK(dari->fell_back);
  CHECK(dari->text == "سلام زهرا، خوش آمدید.");
  CHECK(dari->encoding == "UCS-2");
  auto empty = r.render("only.en", "fa", "sms");
  REQUIRE(empty.ok());
  CHECK(empty->text == "Only English.");
  CHECK(empty->language == "en");
  CHECK(empty->fell_back);
}

TEST_CASE("a translation that fails to format falls back to the next language", "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  // The Ukrainian text invents {nom}, so it cannot be formatted with the caller's values.
  f.write("translations/uk.po", po_header("uk") +
                                    po_entry("greet", "Hello {name}, welcome.", "Привіт {nom}") +
                                    po_entry("greet#sms", "Hi {name}", "Привіт {name"));
  Renderer r = make_renderer(f);
  auto out = r.render("greet", "uk", "sms", {{"name", "Ana"}});
  REQUIRE(out.ok());
  CHECK(out->language == "en");
  CHECK(out->text == "Hi Ana");
}

TEST_CASE("a format failure is logged with key and language, never the text or the values",
          "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/uk.po",
          po_header("uk") + po_entry("greet", "Hello {name}, welcome.", "Привіт {nom}"));
  Renderer r = make_renderer(f);
  std::ostringstream captured;
  gw::log::init(gw::log::Level::kInfo, std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  auto out = r.render("greet", "uk", "telegram", {{"name", "Olena"}});
  gw::log::init(gw::log::Level::kInfo);
  REQUIRE(out.ok());
  const std::string log = captured.str();
  CHECK(log.find("content.format_failed") != std::string::npos);
  CHECK(log.find("\"key\":\"greet\"") != std::string::npos);
  CHECK(log.find("Привіт") == std::string::npos);
  CHECK(log.find("Olena") == std::string::npos);
}

TEST_CASE("fuzzy drafts are served and counted unless turned off", "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fr.po",
          po_header("fr") + po_entry("only.en", "Only English.", "Seulement l'anglais.", true));
  Renderer served = make_renderer(f);
  auto draft = served.render("only.en", "fr", "sms");
  CHECK(draft->text == "Seulement l'anglais.");
  CHECK(draft->fuzzy);
  CHECK(served.fuzzy_served() == 1);
  gw::RenderOptions no_fuzzy;
  no_fuzzy.serve_fuzzy = false;
  Renderer strict = make_renderer(f, no_fuzzy);
  CHECK(strict.render("only.en", "fr", "sms")->text == "Only English.");
  CHECK(strict.fuzzy_served() == 0);
}

TEST_CASE("Arabic plurals render in the Arabic branch for each count", "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/ar.po",
          po_header("ar",
                    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
                    "n%100>=11 ? 4 : 5);") +
              po_entry("days", "{n, plural, one {# day left} other {# days left}}", kArabicPlural));
  Renderer r = make_renderer(f);
  CHECK(r.render("days", "ar", "sms", {{"n", 0}})->text == "لا أيام");
  CHECK(r.render("days", "ar", "sms", {{"n", 2}})->text == "يومان");
  CHECK(r.render("days", "ar", "sms", {{"n", 1}})->text == "يوم واحد");
  CHECK(r.render("days", "en", "sms", {{"n", 1}})->text == "1 day left");
}

TEST_CASE("right-to-left translations come out byte for byte", "[content][renderer][rtl]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  const std::string arabic =
      "هذه الرسالة بالعربية فقط، مع علامة ‏ RLM وأرقام ١٢٣.";
  f.write("translations/ar.po", po_header("ar") + po_entry("only.en", "Only English.", arabic));
  Renderer r = make_renderer(f);
  auto out = r.render("only.en", "ar", "sms");
  REQUIRE(out.ok());
  CHECK(out->text == arabic);
  CHECK(out->encoding == "UCS-2");
}

TEST_CASE("unknown keys and channels are errors, missing arguments too", "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  Renderer r = make_renderer(f);
  CHECK(r.render("nope", "en", "sms").error().code == gw::ErrorCode::kNotFound);
  CHECK_FALSE(r.render("greet", "en", "fax", {{"name", "A"}}).ok());
  auto missing = r.render("greet", "en", "sms");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("{name}") != std::string::npos);
}

TEST_CASE("keywords gather the chain's translations and the English ones", "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fa.po", po_header("fa") + po_entry("keyword.stop", "STOP, END", "توقف, پایان, STOP"));
  f.write("translations/ar.po", po_header("ar") + po_entry("keyword.stop", "STOP, END", "قف"));
  Renderer r = make_renderer(f);
  CHECK(r.keywords("keyword.stop", "prs") == std::vector<std::string>{"توقف", "پایان", "STOP", "END"});
  CHECK(r.keywords("keyword.stop", "en") == std::vector<std::string>{"STOP", "END"});
  CHECK(r.keywords("missing", "fa").empty());
  CHECK(r.languages() == std::vector<std::string>{"en", "ar", "fa"});
}

TEST_CASE("long SMS text counts its segments", "[content][renderer]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  Renderer r = make_renderer(f);
  auto out = r.render("greet", "en", "web", {{"name", std::string(200, 'a')}});
  REQUIRE(out.ok());
  CHECK(out->segments == 2);
}

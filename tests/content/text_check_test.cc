// check_text: what the studio shows while staff type one message, against the
// shipped templates and Ukrainian translations.
#include "gateway/content/text_check.h"

#include <catch2/catch.hpp>

#include "gateway/content/discretion.h"
#include "gateway/content/po_catalog.h"
#include "tests/content/content_fixture.h"

namespace {

const std::string kRoot = GATEWAY_SOURCE_DIR;

const gw::TemplateCatalog& shipped() {
  static const gw::TemplateCatalog catalog = [] {
    auto c = gw::TemplateCatalog::load(kRoot + "/templates");
    REQUIRE(c);
    return std::move(*c);
  }();
  return catalog;
}

// The Ukrainian sensitive words: the English list and uk.po's own.
std::vector<std::string> ukrainian_words() {
  auto po = gw::PoCatalog::read(kRoot + "/translations/uk.po");
  REQUIRE(po);
  const gw::PoEntry* own = po->find(gw::kSensitiveWordsTemplate);
  REQUIRE(own);
  return gw::sensitive_words(shipped(), own->msgstr);
}

gw::TextCheckInput ukrainian(const std::string& context, const std::string& text) {
  gw::TextCheckInput in;
  in.templates = &shipped();
  in.context = context;
  in.language = "uk";
  in.text = text;
  in.sensitive = ukrainian_words();
  return in;
}

bool has_problem(const gw::TextReport& r, const std::string& code, gw::Severity severity) {
  for (const auto& p : r.problems) {
    if (p.code == code && p.severity == severity) return true;
  }
  return false;
}

std::vector<std::string> categories(const gw::TextReport& r, const std::string& channel) {
  std::vector<std::string> out;
  for (const auto& p : r.previews) {
    if (p.channel == channel) out.push_back(p.plural_category);
  }
  return out;
}

const char* kQueuedUk =
    "Дякуємо. Людина з нашої команди відповість вам тут, щойно зможе. {position, plural, =1 {Ви наступні.} "
    "other {Ви номер # у черзі.}} Можете писати далі: ми читаємо все.";

}  // namespace

TEST_CASE("the shipped Ukrainian text of helpdesk.queued checks clean", "[content][text_check]") {
  const gw::TextReport r = gw::check_text(ukrainian("helpdesk.queued", kQueuedUk));
  INFO(r.to_json().dump(2));
  CHECK(r.checked);
  CHECK(r.icu_ok);
  CHECK(r.errors() == 0);
  CHECK(r.missing_arguments.empty());
  CHECK(r.text_arguments == std::vector<std::string>{"position"});
  CHECK(r.encoding == "UCS-2");
  CHECK_FALSE(r.over_budget);
  CHECK(r.to_json()["errors"] == 0);
}

TEST_CASE("a placeholder renamed in a Ukrainian translation is reported missing and extra",
          "[content][text_check]") {
  std::string text = kQueuedUk;
  text.replace(text.find("{position,"), 10, "{pozition,");
  const gw::TextReport r = gw::check_text(ukrainian("helpdesk.queued", text));
  INFO(r.to_json().dump(2));
  CHECK(r.icu_ok);
  CHECK(r.source_arguments == std::vector<std::string>{"position"});
  CHECK(r.missing_arguments == std::vector<std::string>{"position"});
  CHECK(r.extra_arguments == std::vector<std::string>{"pozition"});
  CHECK(r.errors() == 2);
  const auto j = r.to_json();
  CHECK(j["placeholders"]["missing"] == nlohmann::json::array({"position"}));
  // The same words as gateway check.
  bool drops = false;
  for (const auto& p : j["problems"]) {
    if (p["code"] == "placeholder_missing") drops = p["message"] == "uk: the translation drops {position}";
  }
  CHECK(drops);
}

TEST_CASE("an unclosed brace is an ICU error with its offset and nothing else is measured",
          "[content][text_check]") {
  const gw::TextReport r = gw::check_text(ukrainian("crisis.later", "Добре. Надішліть {code будь-коли."));
  INFO(r.to_json().dump(2));
  CHECK_FALSE(r.icu_ok);
  // ICU points at the argument name the brace leaves open, in characters, not bytes.
  CHECK(r.icu_error.find("ICU syntax error at offset 18") != std::string::npos);
  REQUIRE(r.icu_offset);
  CHECK(*r.icu_offset == 18);
  CHECK(has_problem(r, "icu_syntax", gw::Severity::kError));
  CHECK_FALSE(r.sms_measured);
  CHECK(r.to_json()["icu"]["offset"] == 18);
}

TEST_CASE("a long Ukrainian text goes over a one-segment budget and says UCS-2", "[content][text_check]") {
  std::string text;
  while (text.size() < 600) text += "Надішліть SOS будь-коли, щоб знову отримати ці номери. ";
  const gw::TextReport r = gw::check_text(ukrainian("crisis.later", text));
  INFO(r.to_json().dump(2));
  CHECK(r.encoding == "UCS-2");
  CHECK(r.budget == 1);
  CHECK(r.allowed_segments == 2);
  CHECK(r.budget_applies);
  CHECK(r.segments > 2);
  CHECK(r.over_budget);
  CHECK(has_problem(r, "over_budget", gw::Severity::kError));
  CHECK(r.to_json()["sms"]["over_budget"] == true);

  const gw::TextReport fits = gw::check_text(ukrainian("crisis.later", "Добре. Надішліть SOS будь-коли."));
  CHECK(fits.segments == 1);
  CHECK_FALSE(fits.over_budget);
}

TEST_CASE("smart encoding figures are those of gateway segments", "[content][text_check]") {
  gw::TextCheckInput in = ukrainian("crisis.later", "OK \xE2\x80\x94 send SOS at any time.");  // an em dash
  in.language = "en";
  const gw::TextReport r = gw::check_text(in);
  CHECK(r.encoding == "UCS-2");
  CHECK(r.smart_encoding == "GSM-7");
  CHECK(r.smart_segments == 1);
}

TEST_CASE("a sensitive word at the start is reported, the same word past the lock screen is not",
          "[content][text_check]") {
  const gw::TextReport start =
      gw::check_text(ukrainian("crisis.later", "Поліція допоможе. Надішліть SOS будь-коли."));
  INFO(start.to_json().dump(2));
  REQUIRE(start.sensitive_word);
  CHECK(*start.sensitive_word == "поліц");
  CHECK(has_problem(start, "lock_screen_word", gw::Severity::kError));

  // "Поліція" starts at character 95, past the 90 a locked screen shows.
  const std::string later =
      "Добре. Надішліть SOS будь-коли, щоб знову отримати ці номери. Ми завжди поруч "
      "і відповімо вам. Поліція допоможе.";
  const gw::TextReport end = gw::check_text(ukrainian("crisis.later", later));
  INFO(end.to_json().dump(2));
  CHECK_FALSE(end.sensitive_word);
  CHECK_FALSE(has_problem(end, "lock_screen_word", gw::Severity::kError));
  CHECK(end.to_json()["discretion"]["word"].is_null());
}

TEST_CASE("Arabic previews of a plural message show six categories on each channel",
          "[content][text_check]") {
  gw::TextCheckInput in = ukrainian("helpdesk.queued",
                                    "{position, plural, zero {لا أحد} one {واحد} two {اثنان} few {# قليل} "
                                    "many {# كثير} other {# آخر}}");
  in.language = "ar";
  const gw::TextReport r = gw::check_text(in);
  INFO(r.to_json().dump(2));
  const std::vector<std::string> six = {"zero", "one", "two", "few", "many", "other"};
  CHECK(categories(r, "sms") == six);
  // The shipped Arabic translation of the same template.
  auto ar = gw::PoCatalog::read(kRoot + "/translations/ar.po");
  REQUIRE(ar);
  const gw::PoEntry* queued = ar->find("helpdesk.queued");
  REQUIRE(queued);
  gw::TextCheckInput shipped_ar = in;
  shipped_ar.text = queued->msgstr;
  const gw::TextReport s = gw::check_text(shipped_ar);
  CHECK(s.errors() == 0);
  CHECK(categories(s, "telegram") == six);
  CHECK(categories(r, "whatsapp") == six);
  CHECK(categories(r, "telegram") == six);
  for (const auto& p : r.previews) {
    REQUIRE(p.number);
    if (p.plural_category == "zero") CHECK(p.text == "لا أحد");
    if (p.plural_category == "two") CHECK(p.text == "اثنان");
    if (p.plural_category == "few") CHECK(p.text.find("قليل") != std::string::npos);
    if (p.plural_category == "many") CHECK(p.text.find("كثير") != std::string::npos);
  }
}

TEST_CASE("Ukrainian previews list Ukrainian plural categories with a number each", "[content][text_check]") {
  const gw::TextReport r = gw::check_text(ukrainian("helpdesk.queued", kQueuedUk));
  INFO(r.to_json().dump(2));
  CHECK(categories(r, "sms") == std::vector<std::string>{"one", "few", "many", "other"});
  for (const auto& p : r.previews) {
    REQUIRE(p.number);
    if (p.plural_category == "one") CHECK(p.text.find("Ви наступні.") != std::string::npos);
    if (p.plural_category == "few")
      CHECK(p.text.find("Ви номер " + std::to_string(int(*p.number))) != std::string::npos);
  }
  CHECK(r.to_json()["previews"][0]["category"] == "one");
}

TEST_CASE("a message without a plural has one preview per channel, other branch and names in braces",
          "[content][text_check]") {
  gw::TextCheckInput in = ukrainian("helpdesk.out_of_hours_minor",
                                    "{country, select, GB {Childline} other {112}} — {organisation}");
  in.context = "nosuch.key";
  const gw::TextReport r = gw::check_text(in);
  INFO(r.to_json().dump(2));
  CHECK(has_problem(r, "unknown_key", gw::Severity::kError));
  REQUIRE(r.previews.size() == 3);
  CHECK(r.previews[0].plural_category.empty());
  CHECK(r.previews[0].text == "112 — {organisation}");
}

TEST_CASE("editing the source reports changed placeholders as info", "[content][text_check]") {
  gw::TextCheckInput in = ukrainian("helpdesk.queued", "Thank you. {count, plural, other {# ahead}}");
  in.language = "en";
  const gw::TextReport r = gw::check_text(in);
  INFO(r.to_json().dump(2));
  CHECK(has_problem(r, "placeholder_missing", gw::Severity::kInfo));
  CHECK(has_problem(r, "placeholder_extra", gw::Severity::kInfo));
  CHECK(r.errors() == 0);
}

TEST_CASE("a template's variants are named and the budget applies to what an SMS sends",
          "[content][text_check]") {
  gw::testing::ContentFixture f;
  f.write("templates/t.json", R"({"greet": {"text": "Hello {name}.", "sms_segments": 1,
                                   "variants": {"sms": "Hi {name}.", "whatsapp": "Hello {name}!"}}})");
  const auto catalog = gw::TemplateCatalog::load(f.path("templates"));
  REQUIRE(catalog);
  std::string long_text = "Hello {name}.";
  while (long_text.size() < 400) long_text += " More words that make this message long.";
  gw::TextCheckInput in;
  in.templates = &*catalog;
  in.language = "en";
  in.text = long_text;

  in.context = "greet";
  const gw::TextReport main = gw::check_text(in);
  CHECK(main.variant_channels == std::vector<std::string>{"sms", "whatsapp"});
  CHECK(main.segments > 1);
  CHECK_FALSE(main.budget_applies);
  CHECK_FALSE(main.over_budget);

  in.context = "greet#sms";
  const gw::TextReport sms = gw::check_text(in);
  CHECK(sms.variant_channels.empty());
  CHECK(sms.budget_applies);
  CHECK(sms.over_budget);
  CHECK(has_problem(sms, "over_budget", gw::Severity::kError));
}

TEST_CASE("a text over 8 KiB is refused without being checked", "[content][text_check]") {
  const gw::TextReport r = gw::check_text(ukrainian("crisis.later", std::string(8 * 1024 + 1, 'a')));
  CHECK_FALSE(r.checked);
  CHECK(r.errors() == 1);
  CHECK(has_problem(r, "too_long", gw::Severity::kError));
  CHECK(r.previews.empty());
  CHECK_FALSE(r.sms_measured);
}
